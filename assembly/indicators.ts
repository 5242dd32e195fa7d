// Indicators computed into preallocated f64 buffers (no allocation). Algorithms and operation order follow
// src/lib/engine/SEMANTICS.md exactly, so the TS reference engine agrees to the bit. NaN while undefined.
import {
  colPtr, barCount, COL_CLOSE, COL_HIGH, COL_LOW, cacheBase, cacheSlotPtr, cacheSlotLimit, ensureMemory,
  CACHE_MIN_SLOTS, CACHE_MAX_SLOTS, CACHE_HASH_SIZE, CACHE_INDEX_BYTES
} from './layout';
import { ld, st } from './layout';

export const IND_SMA: i32 = 1;
export const IND_EMA: i32 = 2;
export const IND_RSI: i32 = 3;
export const IND_ATR: i32 = 4;
export const IND_STD: i32 = 5;
export const IND_HIGHEST: i32 = 6;
export const IND_LOWEST: i32 = 7;


function fillNaN(dst: usize, from: i32, to: i32): void {
  for (let i = from; i < to; i++) st(dst, i, NaN);
}

/** SMA: sum += x[t]; if t >= p: sum -= x[t-p]; if t >= p-1: out = sum / p. */
export function smaInto(src: usize, dst: usize, n: i32, p: i32): void {
  let sum: f64 = 0;
  const pf = <f64>p;
  for (let t = 0; t < n; t++) {
    sum += ld(src, t);
    if (t >= p) sum -= ld(src, t - p);
    st(dst, t, t >= p - 1 ? sum / pf : NaN);
  }
}

/** EMA: alpha = 2/(p+1), seeded with the SMA of the first p values at t = p-1. */
export function emaInto(src: usize, dst: usize, n: i32, p: i32): void {
  if (p > n) {
    fillNaN(dst, 0, n);
    return;
  }
  const alpha: f64 = 2.0 / (<f64>p + 1.0);
  let sum: f64 = 0;
  for (let t = 0; t < p; t++) {
    sum += ld(src, t);
    st(dst, t, NaN);
  }
  let e = sum / <f64>p;
  st(dst, p - 1, e);
  for (let t = p; t < n; t++) {
    e = e + alpha * (ld(src, t) - e);
    st(dst, t, e);
  }
}

/** Wilder RSI: seeded with the mean gain/loss of changes 1..p, then avg = (avg*(p-1) + x) / p. First value at t = p. */
export function rsiInto(close: usize, dst: usize, n: i32, p: i32): void {
  if (p >= n) {
    fillNaN(dst, 0, n);
    return;
  }
  let g: f64 = 0;
  let l: f64 = 0;
  st(dst, 0, NaN);
  for (let t = 1; t <= p; t++) {
    const d = ld(close, t) - ld(close, t - 1);
    if (d > 0) g += d;
    else l -= d;
    if (t < p) st(dst, t, NaN);
  }
  const pf = <f64>p;
  const pm1 = pf - 1.0;
  g = g / pf;
  l = l / pf;
  st(dst, p, l == 0 ? 100.0 : 100.0 - 100.0 / (1.0 + g / l));
  for (let t = p + 1; t < n; t++) {
    const d = ld(close, t) - ld(close, t - 1);
    const gain: f64 = d > 0 ? d : 0.0;
    const loss: f64 = d < 0 ? -d : 0.0;
    g = (g * pm1 + gain) / pf;
    l = (l * pm1 + loss) / pf;
    st(dst, t, l == 0 ? 100.0 : 100.0 - 100.0 / (1.0 + g / l));
  }
}

// @ts-ignore: decorator
@inline function trueRange(high: usize, low: usize, close: usize, t: i32): f64 {
  const h = ld(high, t);
  const l = ld(low, t);
  const pc = ld(close, t - 1);
  let tr = h - l;
  const a = Math.abs(h - pc);
  const b = Math.abs(l - pc);
  if (a > tr) tr = a;
  if (b > tr) tr = b;
  return tr;
}

/** Wilder ATR: atr[p] = mean(TR[1..p]), then atr = (atr*(p-1) + TR) / p. First value at t = p. */
export function atrInto(high: usize, low: usize, close: usize, dst: usize, n: i32, p: i32): void {
  if (p >= n) {
    fillNaN(dst, 0, n);
    return;
  }
  let sum: f64 = 0;
  st(dst, 0, NaN);
  for (let t = 1; t <= p; t++) {
    sum += trueRange(high, low, close, t);
    if (t < p) st(dst, t, NaN);
  }
  const pf = <f64>p;
  const pm1 = pf - 1.0;
  let a = sum / pf;
  st(dst, p, a);
  for (let t = p + 1; t < n; t++) {
    a = (a * pm1 + trueRange(high, low, close, t)) / pf;
    st(dst, t, a);
  }
}

/** Rolling population standard deviation, two passes over each window (window mean, then squared deviations). */
export function stdInto(src: usize, dst: usize, n: i32, p: i32): void {
  const pf = <f64>p;
  for (let t = 0; t < n; t++) {
    if (t >= p - 1) {
      let sum: f64 = 0;
      for (let i = t - p + 1; i <= t; i++) sum += ld(src, i);
      const m = sum / pf;
      let ss: f64 = 0;
      for (let i = t - p + 1; i <= t; i++) {
        const d = ld(src, i) - m;
        ss += d * d;
      }
      st(dst, t, Math.sqrt(ss / pf));
    } else st(dst, t, NaN);
  }
}

/** Rolling highest (sign = 1) or lowest (sign = -1) of x[t-p+1..t]; rescans only when the extreme leaves the window. */
export function extremeInto(src: usize, dst: usize, n: i32, p: i32, sign: f64): void {
  let best: f64 = NaN;
  let bestAt: i32 = -1;
  for (let t = 0; t < n; t++) {
    const x = ld(src, t) * sign;
    const start = t - p + 1;
    if (bestAt < start) {
      best = -Infinity;
      const from = start > 0 ? start : 0;
      for (let i = from; i <= t; i++) {
        const y = ld(src, i) * sign;
        if (y >= best) {
          best = y;
          bestAt = i;
        }
      }
    } else if (x >= best) {
      best = x;
      bestAt = t;
    }
    st(dst, t, t >= p - 1 ? best * sign : NaN);
  }
}

// ---- Indicator cache: series keyed by (kind, source column, period), kept until the bars change or memory is needed.
// Sized by memory (layout.ts: CACHE_BYTES of series, CACHE_MIN_SLOTS..CACHE_MAX_SLOTS slots, grown on demand), so an
// optimisation grid computes each distinct series once per job. A hash index finds a series in O(1); a full cache
// evicts the least recently used slot not used by the current run. Index at cacheBase(): slot keys u64[MAX], slot
// stamps i32[MAX], hash i32[HASH] (slot + 1, 0 = empty; linear probing, backward-shift deletion).
let stamp: i32 = 1;
let used: i32 = 0; // slots holding a series
let limit: i32 = CACHE_MIN_SLOTS; // slots the cache may use (cacheSlotLimit(), lowered when memory cannot grow)

// @ts-ignore: decorator
@inline function keyPtr(s: i32): usize {
  return cacheBase() + (<usize>s << 3);
}
// @ts-ignore: decorator
@inline function stampPtr(s: i32): usize {
  return cacheBase() + (<usize>CACHE_MAX_SLOTS << 3) + (<usize>s << 2);
}
// @ts-ignore: decorator
@inline function hashPtr(h: i32): usize {
  return cacheBase() + (<usize>CACHE_MAX_SLOTS * 12) + (<usize>h << 2);
}
// @ts-ignore: decorator
@inline function home(key: u64): i32 {
  return <i32>((key * 0x9e3779b97f4a7c15) >> 51) & (CACHE_HASH_SIZE - 1);
}

/** Forget every cached indicator (after new bars are written). */
export function invalidateIndicators(): void {
  memory.fill(cacheBase(), 0, CACHE_INDEX_BYTES);
  used = 0;
  limit = cacheSlotLimit();
}

/** Start a new run: slots used from now on are protected from eviction until the next call. */
export function nextStamp(): void {
  stamp++;
}

/** Number of series in the indicator cache (for tests and benchmarks). */
export function indicatorCacheCount(): i32 {
  return used;
}

/** Remove hash entry `i` (backward-shift deletion keeps every other key reachable from its home). */
function hashDelete(i: i32): void {
  const mask = CACHE_HASH_SIZE - 1;
  let j = i;
  while (true) {
    j = (j + 1) & mask;
    const v = load<i32>(hashPtr(j));
    if (v == 0) break;
    const k = home(load<u64>(keyPtr(v - 1)));
    // Entry j may move to the hole at i unless its home lies cyclically in (i, j].
    const stays = i <= j ? (k > i && k <= j) : (k > i || k <= j);
    if (!stays) {
      store<i32>(hashPtr(i), v);
      i = j;
    }
  }
  store<i32>(hashPtr(i), 0);
}

/** Pointer to indicator `kind` of column `source` with `period`, computed into a cache slot unless cached. */
export function indicator(kind: i32, source: i32, period: i32): usize {
  const key: u64 = (<u64>kind << 48) | (<u64>source << 40) | <u64><u32>period;
  const mask = CACHE_HASH_SIZE - 1;
  let h = home(key);
  while (true) {
    const v = load<i32>(hashPtr(h));
    if (v == 0) break;
    if (load<u64>(keyPtr(v - 1)) == key) {
      store<i32>(stampPtr(v - 1), stamp);
      return cacheSlotPtr(v - 1);
    }
    h = (h + 1) & mask;
  }
  // Miss: a new slot while the budget and memory allow, else the least recently used one.
  let slot: i32 = -1;
  if (used < limit) {
    if (ensureMemory(cacheSlotPtr(used + 1))) slot = used++;
    else limit = used;
  }
  if (slot < 0) {
    let oldest: i32 = i32.MAX_VALUE;
    slot = 0;
    for (let s = 0; s < used; s++) {
      const st = load<i32>(stampPtr(s));
      if (st < oldest) {
        oldest = st;
        slot = s;
      }
    }
    // Unhook the victim's key from the hash index.
    const old = load<u64>(keyPtr(slot));
    let g = home(old);
    while (load<i32>(hashPtr(g)) != slot + 1) g = (g + 1) & mask;
    hashDelete(g);
    // The probe position for the new key may have moved: find the first empty entry again.
    h = home(key);
    while (load<i32>(hashPtr(h)) != 0) h = (h + 1) & mask;
  }
  const dst = cacheSlotPtr(slot);
  const n = barCount();
  const src = colPtr(source);
  if (kind == IND_SMA) smaInto(src, dst, n, period);
  else if (kind == IND_EMA) emaInto(src, dst, n, period);
  else if (kind == IND_RSI) rsiInto(src, dst, n, period);
  else if (kind == IND_ATR) atrInto(colPtr(COL_HIGH), colPtr(COL_LOW), colPtr(COL_CLOSE), dst, n, period);
  else if (kind == IND_STD) stdInto(src, dst, n, period);
  else if (kind == IND_HIGHEST) extremeInto(src, dst, n, period, 1.0);
  else if (kind == IND_LOWEST) extremeInto(src, dst, n, period, -1.0);
  else fillNaN(dst, 0, n);
  store<u64>(keyPtr(slot), key);
  store<i32>(stampPtr(slot), stamp);
  store<i32>(hashPtr(h), slot + 1);
  return dst;
}
