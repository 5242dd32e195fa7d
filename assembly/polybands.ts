// Causal polynomial-regression bands (strategy `poly-bands`, BANDS.md "Band strategy"). No allocation in the bar loop.
//
// At bar t >= W-1 the least-squares polynomial of degree d is fitted to close[t-W+1 .. t] (x = 0 .. W-1, mapped to
// [-1, 1]); m_t = fit at the window's last point, sigma_t = population deviation of the window's residuals.
// The design matrix is the same at every bar, so an orthonormal basis Q (W x (d+1)) of its column space is built
// once per run (Legendre columns, Gram-Schmidt applied twice); per bar the fit is Q (Q^T y) on y shifted by its
// last close (the constant is in the span, so the shift changes nothing but rounding), residuals are explicit:
// 2·W·(d+1) multiply-adds per bar.
//
// Scratch memory (grown on demand) starts after the layout's flag bytes, 8-byte aligned:
//   mid   f64[nBars]        m_t (NaN for t < W-1)
//   sigma f64[nBars]        sigma_t (NaN for t < W-1)
//   Q     f64[W * (d+1)]    row-major (row i = point i)
//   c     f64[d+1]          coefficients of the current window in the Q basis
import { colPtr, barCount, flagsBase, scratchEnd, COL_CLOSE } from './layout';
import { ld, st } from './layout';

// Same bit layout as engine.ts' computeSignals (kept local so this module does not import the engine).
const ENTER_LONG: u8 = 1;
const EXIT_LONG: u8 = 2;
const ENTER_SHORT: u8 = 4;
const EXIT_SHORT: u8 = 8;
const DAY_END: u8 = 0x80;

let midBase: usize = 0;
let bandsN: i32 = 0;
// Cache of the last computation: the bands depend only on (window, degree) and the closes, so a run that changes
// only kstd / exitAt / costs (an optimisation over them) reuses them. Keyed by a 64-bit FNV-1a hash of the close
// column, checked at every run (O(n), negligible beside the O(n·W·d) fit).
let cacheW: i32 = -1;
let cacheD: i32 = -1;
let cacheN: i32 = -1;
let cacheStart: usize = 0;
let cacheHash: u64 = 0;


/** Build the orthonormal basis Q of the degree-d polynomials on W points (x mapped to [-1, 1]) at `q`. */
function buildBasis(q: usize, W: i32, k: i32): void {
  const den: f64 = W > 1 ? <f64>(W - 1) : 1.0;
  for (let i = 0; i < W; i++) {
    const x: f64 = W > 1 ? (<f64>(2 * i) - <f64>(W - 1)) / den : 0.0;
    // Legendre recurrence: (j+1) P_{j+1} = (2j+1) x P_j - j P_{j-1}
    let p0: f64 = 1.0;
    let p1: f64 = x;
    st(q, i * k, p0);
    if (k > 1) st(q, i * k + 1, p1);
    for (let j = 1; j + 1 < k; j++) {
      const p2 = (<f64>(2 * j + 1) * x * p1 - <f64>j * p0) / <f64>(j + 1);
      st(q, i * k + j + 1, p2);
      p0 = p1;
      p1 = p2;
    }
  }
  // Modified Gram-Schmidt, twice ("twice is enough").
  for (let j = 0; j < k; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let l = 0; l < j; l++) {
        let r: f64 = 0;
        for (let i = 0; i < W; i++) r += ld(q, i * k + l) * ld(q, i * k + j);
        for (let i = 0; i < W; i++) st(q, i * k + j, ld(q, i * k + j) - r * ld(q, i * k + l));
      }
    }
    let s: f64 = 0;
    for (let i = 0; i < W; i++) {
      const v = ld(q, i * k + j);
      s += v * v;
    }
    const inv = 1.0 / Math.sqrt(s);
    for (let i = 0; i < W; i++) st(q, i * k + j, ld(q, i * k + j) * inv);
  }
}

/**
 * Compute the causal bands over the loaded bars: mid (m_t) and sigma (sigma_t) per bar, NaN before bar W-1.
 * window: W bars (>= degree + 2); degree: 1..10. Returns the byte offset of mid (f64[nBars]); sigma follows at
 * mid + nBars*8. Returns 0 when memory cannot grow or the arguments are out of range.
 */
export function polyBandsCompute(window: i32, degree: i32): usize {
  const n = barCount();
  const W = window;
  const k = degree + 1;
  if (degree < 0 || degree > 20 || W < k + 1) return 0;
  const start: usize = (flagsBase() + <usize>n + 7) & ~(<usize>7);
  const need: usize = start + ((<usize>(2 * n + W * k + k + 2)) << 3);
  if (n >= W && need > scratchEnd()) return 0; // the layout's scratch reserve holds it (layout.ts SCRATCH_F64_PER_BAR)
  const have = <usize>memory.size() << 16;
  if (need > have) {
    if (memory.grow(<i32>((need - have + 0xffff) >> 16)) < 0) return 0;
  }
  const mid = start;
  const sig = start + (<usize>n << 3);
  const q = sig + (<usize>n << 3);
  const c = q + (<usize>(W * k) << 3);
  midBase = mid;
  bandsN = n;
  const cl = colPtr(COL_CLOSE);
  let h: u64 = 0xcbf29ce484222325;
  for (let t = 0; t < n; t++) {
    h ^= load<u64>(cl + (<usize>t << 3));
    h *= 0x100000001b3;
  }
  if (W == cacheW && degree == cacheD && n == cacheN && start == cacheStart && h == cacheHash) return mid;
  cacheW = W;
  cacheD = degree;
  cacheN = n;
  cacheStart = start;
  cacheHash = h;
  const upTo = n < W - 1 ? n : W - 1;
  for (let t = 0; t < upTo; t++) {
    st(mid, t, NaN);
    st(sig, t, NaN);
  }
  if (n < W) return mid;
  buildBasis(q, W, k);
  const invW: f64 = 1.0 / <f64>W;
  for (let t = W - 1; t < n; t++) {
    const base = cl + (<usize>(t - W + 1) << 3);
    const ref = ld(cl, t);
    for (let j = 0; j < k; j++) st(c, j, 0);
    for (let i = 0; i < W; i++) {
      const y = ld(base, i) - ref;
      const row = q + (<usize>(i * k) << 3);
      for (let j = 0; j < k; j++) st(c, j, ld(c, j) + ld(row, j) * y);
    }
    let ss: f64 = 0;
    let last: f64 = 0;
    for (let i = 0; i < W; i++) {
      const row = q + (<usize>(i * k) << 3);
      let f: f64 = 0;
      for (let j = 0; j < k; j++) f += ld(row, j) * ld(c, j);
      const r = ld(base, i) - ref - f;
      ss += r * r;
      last = f;
    }
    st(mid, t, ref + last);
    st(sig, t, Math.sqrt(ss * invW));
  }
  return mid;
}

/**
 * Signal pre-pass of `poly-bands` into the flag bytes (same bits as computeSignals; bit 7, the day end, is kept):
 * enterLong close < lower_t; exitLong close > m_t (exitAt 0 = fit) or close > upper_t (exitAt 1 = opposite band);
 * enterShort close > upper_t; exitShort close < m_t (fit) or close < lower_t (opposite band). No signal before bar
 * W-1, at bar 0 or at the last bar.
 */
export function polyBandsSignals(window: i32, degree: i32, kstd: f64, exitAt: i32): void {
  const n = barCount();
  const fl = flagsBase();
  for (let t = 0; t < n; t++) {
    const p = fl + <usize>t;
    store<u8>(p, load<u8>(p) & DAY_END);
  }
  const mid = polyBandsCompute(window, degree);
  if (mid == 0 || n < window) return;
  const sig = mid + (<usize>n << 3);
  const cl = colPtr(COL_CLOSE);
  const opposite = exitAt != 0;
  const first = window - 1 > 1 ? window - 1 : 1;
  for (let t = first; t < n - 1; t++) {
    const m = ld(mid, t);
    const w = kstd * ld(sig, t);
    const up = m + w;
    const lo = m - w;
    const x = ld(cl, t);
    let bits: u8 = 0;
    if (x < lo) bits |= ENTER_LONG;
    if (x > up) bits |= ENTER_SHORT;
    if (opposite ? x > up : x > m) bits |= EXIT_LONG;
    if (opposite ? x < lo : x < m) bits |= EXIT_SHORT;
    const p = fl + <usize>t;
    store<u8>(p, load<u8>(p) | bits);
  }
}

/** Byte offset of the last computed mid series (f64[nBars]); sigma at +nBars*8. 0 before any computation. */
export function polyBandsPtr(): usize {
  return bandsN == barCount() ? midBase : 0;
}
