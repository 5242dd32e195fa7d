// Rule strategies (src/lib/rules/): a column-wise plan interpreter. The host compiles a trader's rules into a plan
// (ops over whole f64 columns), writes it at rulesPlanPtr(), and runs strategy STRAT_RULES; the engine's run() calls
// rulesSignals() in place of the built-in signal pre-pass, which writes the same per-bar signal bits into the flag bytes
// that the simulation loop consumes. No allocation in the bar loops; semantics: src/lib/engine/SEMANTICS.md
// ("Rule strategies", "Crossing", "Indicators").
//
// Values: a number register is f64[nBars]; a yes/no register (the ops marked "-> bool") is u8[nBars] in the first
// bytes of its slot: 2 (true), 0 (false) or 1 (undefined: an operand was undefined), so that Kleene's three-valued
// `and`/`or`/`not` are min / max / 2 - x. The host reads such a register as 1 / 0 / NaN (SEMANTICS.md's values).
// A signal fires only where its register is true.
//
// Plan (f64 words at rulesPlanPtr()):
//   [0] nRegs  [1] nOps  [2] data generation (changes whenever the host loads new bars)
//   [3..6] registers of enterLong, exitLong, enterShort, exitShort (-1: never)
//   [7..10] a second register for each (-1: none): the signal is then `first and second`
//   then nOps records of OP_STRIDE words: op, dst, a, b, c, d, e, tag (meaning per op below). `tag` names what the
//   op computes (the host's number for the expression with its constants): a register that already holds the same
//   tag for the same data generation is not recomputed, so the trials of an optimisation recompute only what their
//   parameters change.
//
// Scratch memory (grown on demand) after the largest extent of the engine's indicator cache (layout.ts: the cache
// follows the poly-bands / pattern-zones scratch reserve and grows up to cacheSlotLimit() slots), so that neither a
// pattern-zones run nor a growing indicator cache can overwrite a rule's derived columns, cache or registers:
//   plan     f64[PLAN_WORDS]
//   derived  f64[5 * nBars]         hl2, hlc3, ohlc4 of the loaded bars (per data generation), then bool all-false,
//                                   bool all-true (u8 in the first bytes of their slots)
//   cache    f64[RC_SLOTS * nBars]  indicator series of derived columns and of expressions (per data generation)
//   regs     f64[nRegs * nBars]
import { colPtr, barCount, flagsBase, cacheSlotPtr, cacheSlotLimit, COL_OPEN, COL_HIGH, COL_LOW, COL_CLOSE } from './layout';
import { ld, st } from './layout';
import {
  indicator, smaInto, emaInto, rsiInto, atrInto, stdInto, extremeInto,
  IND_SMA, IND_EMA, IND_RSI, IND_ATR, IND_STD, IND_HIGHEST, IND_LOWEST
} from './indicators';

/** Strategy id of rule strategies in run() (engine.ts "rules hook"). */
export const STRAT_RULES: i32 = 6;
/** Rate of change (SEMANTICS.md): roc[t] = (x[t] - x[t-p]) / x[t-p], a fraction; first defined at t = p. */
export const IND_ROC: i32 = 8;

// Same bit layout as engine.ts (kept local so this module does not import the engine): enterLong 1, exitLong 2,
// enterShort 4, exitShort 8 (the final pass shifts bit 1 of a bool byte into them), day end 0x80.
const DAY_END: u8 = 0x80;

// Ops. a, b: source registers; c: a constant or a parameter already folded in by the host; d: an integer argument.
export const OP_COL: i32 = 1; //        dst = candle column d (0..5) or derived column (6 hl2, 7 hlc3, 8 ohlc4); no copy
export const OP_CONST: i32 = 2; //      dst[t] = c
export const OP_ADD: i32 = 3; //        a + b
export const OP_SUB: i32 = 4;
export const OP_MUL: i32 = 5;
export const OP_DIV: i32 = 6;
export const OP_NEG: i32 = 7; //        -a
export const OP_ADDK: i32 = 8; //       a + c
export const OP_MULK: i32 = 9; //       a * c
export const OP_KSUB: i32 = 10; //      c - a
export const OP_KDIV: i32 = 11; //      c / a
export const OP_DIVK: i32 = 12; //      a / c
export const OP_CMP: i32 = 13; //       -> bool; d: 0 >, 1 >=, 2 <, 3 <=, 4 ==, 5 != (plain IEEE; NaN operand -> undefined)
export const OP_CMPK: i32 = 14; //      -> bool; a (d) c
export const OP_AND: i32 = 15; //       -> bool; Kleene, of bool registers
export const OP_OR: i32 = 16; //        -> bool
export const OP_NOT: i32 = 17; //       -> bool
export const OP_CROSS: i32 = 18; //     -> bool; d: 1 crossover(a, b), -1 crossunder(a, b) (tie band; undefined when undefined)
export const OP_CROSSK: i32 = 19; //    -> bool; crossover / crossunder of a with the constant c
export const OP_LAG: i32 = 20; //       dst[t] = a[t-d] (NaN for t < d)
export const OP_IND: i32 = 21; //       dst = indicator kind b(as int) of register a, period d; c = cache key of the source
export const OP_ABS: i32 = 22;
export const OP_MIN: i32 = 23;
export const OP_MAX: i32 = 24;
export const OP_CROSSB: i32 = 26; //    -> bool; crossing of a with the band b + c * e (register e; c may be negative), d = 1 / -1
export const OP_CMPB: i32 = 27; //      -> bool; bool registers a (d) b, compared as 1 / 0 / NaN (== and != only)
export const OP_CMPKB: i32 = 28; //     -> bool; bool register a (d) c, compared as 1 / 0 / NaN
export const OP_LAGB: i32 = 29; //      -> bool; dst[t] = a[t-d] of a bool register (undefined for t < d)
export const OP_CONSTB: i32 = 30; //    -> bool; dst[t] = c (1 true, 0 false, NaN undefined)
export const OP_STRIDE: i32 = 8;
const HEADER: i32 = 11;
export const PLAN_WORDS: i32 = 8192;
export const RC_SLOTS: i32 = 16;

// Source keys of OP_IND (c): 0..5 candle columns (the engine's own indicator cache), 6..8 derived columns, >= 16
// the host's id of an expression (this module's cache).
const KEY_DERIVED_FIRST: i32 = 6;

let planBase: usize = 0;
let derivedBase: usize = 0;
let cacheBase: usize = 0;
let regBase: usize = 0;
let layoutN: i32 = -1;
let layoutRegs: i32 = -1;
let derivedGen: f64 = -1;
let cacheGen: f64 = -1;
const cKind = memory.data(RC_SLOTS * 4);
const cKey = memory.data(RC_SLOTS * 4);
const cPeriod = memory.data(RC_SLOTS * 4);
const cStamp = memory.data(RC_SLOTS * 4);
let cClock: i32 = 1;

// @ts-ignore: decorator
@inline function lb(p: usize, i: i32): u32 {
  return <u32>load<u8>(p + <usize>i);
}
// @ts-ignore: decorator
@inline function sb(p: usize, i: i32, v: u32): void {
  store<u8>(p + <usize>i, <u8>v);
}
// Yes/no values of bool registers.
const B_FALSE: u32 = 0;
const B_UNDEF: u32 = 1;
const B_TRUE: u32 = 2;
/** A 1 / 0 / NaN value as a bool register byte. */
// @ts-ignore: decorator
@inline function toB(x: f64): u32 {
  return x == 1.0 ? B_TRUE : x == 0.0 ? B_FALSE : B_UNDEF;
}
/** A bool register byte as 1 / 0 / NaN. */
// @ts-ignore: decorator
@inline function fromB(x: u32): f64 {
  return x == B_TRUE ? 1.0 : x == B_FALSE ? 0.0 : NaN;
}
// @ts-ignore: decorator
@inline function pw(i: i32): f64 {
  return load<f64>(planBase + (<usize>i << 3));
}

/** Lay out the scratch space for `regs` registers over the loaded bars; false when memory cannot grow. */
function ensureLayout(regs: i32): bool {
  const n = barCount();
  if (n == layoutN && regs <= layoutRegs) return true;
  const nn = <usize>n;
  const pb: usize = (cacheSlotPtr(cacheSlotLimit()) + 15) & ~(<usize>15);
  const db = pb + (<usize>PLAN_WORDS << 3);
  const cb = db + ((5 * nn) << 3);
  const rb = cb + ((<usize>RC_SLOTS * nn) << 3);
  const r = regs > layoutRegs ? regs : layoutRegs;
  const rr: i32 = r > 0 ? r : 1;
  const end = rb + ((<usize>rr * nn) << 3);
  const have = <usize>memory.size() << 16;
  if (end > have) {
    const pages = <i32>((end - have + 0xffff) >> 16);
    if (memory.grow(pages) < 0) return false;
  }
  // Moving the layout (other bar count) forgets the derived columns and the cache.
  if (n != layoutN || pb != planBase) {
    derivedGen = -1;
    cacheGen = -1;
  }
  if (n != layoutN || db != derivedBase) {
    // Constant bool columns for absent signals in the final pass: false (never) and true (no second condition).
    const z = db + ((3 * nn) << 3);
    const o = db + ((4 * nn) << 3);
    memory.fill(z, <u8>B_FALSE, nn);
    memory.fill(o, <u8>B_TRUE, nn);
  }
  planBase = pb;
  derivedBase = db;
  cacheBase = cb;
  regBase = rb;
  layoutN = n;
  layoutRegs = r;
  return true;
}

/**
 * Byte offset of the plan area (f64[PLAN_WORDS]) after making room for `regs` registers over the loaded bars; 0 when
 * memory cannot grow. Call after loading bars and before writing a plan (growing memory detaches host views).
 */
export function rulesPlanPtr(regs: i32): usize {
  if (!ensureLayout(regs)) return 0;
  return planBase;
}

/** Byte offset of the per-bar flag bytes (u8[nBars]: signal bits 0-3 of the last run, bit 7 UTC day end). */
export function signalsPtr(): usize {
  return flagsBase();
}

/** Byte offset of register r of the last evaluated plan (f64[nBars], or u8[nBars] for a yes/no register: 2 true, 0 false, 1 undefined; aliases a column or cache slot for COL/IND). */
export function rulesRegPtr(r: i32): usize {
  return load<usize>(regTable + (<usize>r << 2));
}

// Register pointer table: a register either owns its buffer or aliases a column / an indicator slot.
const MAX_REGS: i32 = 1024;
const regTable = memory.data(MAX_REGS * 4);
// What each register's own buffer holds: the op tag and data generation it was computed for (-1: nothing known).
const regTag = memory.data(MAX_REGS * 8);
const regGen = memory.data(MAX_REGS * 8);
let tagsN: i32 = -1;
let tagsBase: usize = 0;

function ensureDerived(gen: f64): void {
  if (derivedGen == gen) return;
  const n = barCount();
  const o = colPtr(COL_OPEN);
  const h = colPtr(COL_HIGH);
  const l = colPtr(COL_LOW);
  const c = colPtr(COL_CLOSE);
  const hl2 = derivedBase;
  const hlc3 = derivedBase + (<usize>n << 3);
  const ohlc4 = derivedBase + (<usize>(2 * n) << 3);
  for (let t = 0; t < n; t++) {
    const hh = ld(h, t);
    const ll = ld(l, t);
    const cc = ld(c, t);
    st(hl2, t, (hh + ll) / 2.0);
    st(hlc3, t, (hh + ll + cc) / 3.0);
    st(ohlc4, t, (ld(o, t) + hh + ll + cc) / 4.0);
  }
  derivedGen = gen;
}

/** roc[t] = (x[t] - x[t-p]) / x[t-p] (a fraction), NaN for t < p. */
export function rocInto(src: usize, dst: usize, n: i32, p: i32): void {
  for (let t = 0; t < n; t++) {
    if (t >= p) {
      const prev = ld(src, t - p);
      st(dst, t, (ld(src, t) - prev) / prev);
    } else st(dst, t, NaN);
  }
}

function computeInto(kind: i32, src: usize, dst: usize, n: i32, p: i32): void {
  if (kind == IND_SMA) smaInto(src, dst, n, p);
  else if (kind == IND_EMA) emaInto(src, dst, n, p);
  else if (kind == IND_RSI) rsiInto(src, dst, n, p);
  else if (kind == IND_ATR) atrInto(colPtr(COL_HIGH), colPtr(COL_LOW), colPtr(COL_CLOSE), dst, n, p);
  else if (kind == IND_STD) stdInto(src, dst, n, p);
  else if (kind == IND_HIGHEST) extremeInto(src, dst, n, p, 1.0);
  else if (kind == IND_LOWEST) extremeInto(src, dst, n, p, -1.0);
  else if (kind == IND_ROC) rocInto(src, dst, n, p);
  else for (let t = 0; t < n; t++) st(dst, t, NaN);
}

/** Indicator of a derived column or an expression, from this module's cache (keyed by kind, source key, period). */
function cachedIndicator(kind: i32, key: i32, src: usize, p: i32, gen: f64): usize {
  const n = barCount();
  if (cacheGen != gen) {
    for (let s = 0; s < RC_SLOTS; s++) store<i32>(cKind + (<usize>s << 2), 0);
    cacheGen = gen;
  }
  cClock++;
  let victim: i32 = 0;
  let oldest: i32 = i32.MAX_VALUE;
  for (let s = 0; s < RC_SLOTS; s++) {
    const o = <usize>s << 2;
    if (load<i32>(cKind + o) == kind && load<i32>(cKey + o) == key && load<i32>(cPeriod + o) == p) {
      store<i32>(cStamp + o, cClock);
      return cacheBase + ((<usize>s * <usize>n) << 3);
    }
    const sv = load<i32>(cKind + o) == 0 ? 0 : load<i32>(cStamp + o);
    if (sv < oldest) {
      oldest = sv;
      victim = s;
    }
  }
  const dst = cacheBase + ((<usize>victim * <usize>n) << 3);
  // An expression source is undefined (NaN) over its own warm-up: start the indicator at its first defined value,
  // as it would start on a series that began there (a NaN inside a running sum would poison every later value).
  let f: i32 = 0;
  if (kind != IND_ATR) {
    while (f < n) {
      if (!isNaN<f64>(ld(src, f))) break;
      f++;
    }
  }
  for (let t = 0; t < f; t++) st(dst, t, NaN);
  if (f < n) computeInto(kind, src + (<usize>f << 3), dst + (<usize>f << 3), n - f, p);
  const o = <usize>victim << 2;
  store<i32>(cKind + o, kind);
  store<i32>(cKey + o, key);
  store<i32>(cPeriod + o, p);
  store<i32>(cStamp + o, cClock);
  return dst;
}

// Tie-aware comparison of SEMANTICS.md "Crossing", the same definition as engine.ts' cmpT: values within 1e-9
// relative are equal. 1 (a > b), -1 (a < b), 0 (equal), 2 (a or b is NaN).
// @ts-ignore: decorator
@inline function cmpT(a: f64, b: f64): i32 {
  const d = a - b;
  if (Math.abs(d) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b))) return 0;
  if (d > 0) return 1;
  if (d < 0) return -1;
  return 2;
}

// @ts-ignore: decorator
@inline function cmpPlain(x: f64, y: f64, how: i32): u32 {
  if (isNaN<f64>(x) || isNaN<f64>(y)) return B_UNDEF;
  let r: bool;
  if (how == 0) r = x > y;
  else if (how == 1) r = x >= y;
  else if (how == 2) r = x < y;
  else if (how == 3) r = x <= y;
  else if (how == 4) r = x == y;
  else r = x != y;
  return r ? B_TRUE : B_FALSE;
}

/**
 * cmpT(x, y) with a bound `tol` on every tie band of the pair (tol >= 1e-9 max(|x|, |y|) for every value of the
 * series compared): outside [-tol, tol] the sign of the difference decides, inside it the exact test (NaN: 2).
 */
// @ts-ignore: decorator
@inline function cmpTol(x: f64, y: f64, tol: f64): i32 {
  const dd = x - y;
  return dd > tol ? 1 : dd < -tol ? -1 : cmpT(x, y);
}

/** Cross of consecutive tie-aware comparisons: dir 1 above (k1 = 1, k0 <= 0), -1 below (k1 = -1, k0 >= 0). */
// @ts-ignore: decorator
@inline function crossOf(k0: i32, k1: i32, dir: i32): u32 {
  if (k0 == 2 || k1 == 2) return B_UNDEF;
  if (dir > 0) return k1 == 1 && k0 <= 0 ? B_TRUE : B_FALSE;
  return k1 == -1 && (k0 == 0 || k0 == 1) ? B_TRUE : B_FALSE;
}

/** dst[t] = a[t] (how) k, plain comparison, undefined when a[t] is NaN (bool bytes); one loop per comparison kind. */
function cmpKLoop(dst: usize, a: usize, k: f64, how: i32, n: i32): void {
  if (isNaN<f64>(k)) {
    memory.fill(dst, <u8>B_UNDEF, <usize>n);
    return;
  }
  if (how == 0) for (let t = 0; t < n; t++) { const x = ld(a, t); sb(dst, t, isNaN<f64>(x) ? B_UNDEF : x > k ? B_TRUE : B_FALSE); }
  else if (how == 1) for (let t = 0; t < n; t++) { const x = ld(a, t); sb(dst, t, isNaN<f64>(x) ? B_UNDEF : x >= k ? B_TRUE : B_FALSE); }
  else if (how == 2) for (let t = 0; t < n; t++) { const x = ld(a, t); sb(dst, t, isNaN<f64>(x) ? B_UNDEF : x < k ? B_TRUE : B_FALSE); }
  else if (how == 3) for (let t = 0; t < n; t++) { const x = ld(a, t); sb(dst, t, isNaN<f64>(x) ? B_UNDEF : x <= k ? B_TRUE : B_FALSE); }
  else if (how == 4) for (let t = 0; t < n; t++) { const x = ld(a, t); sb(dst, t, isNaN<f64>(x) ? B_UNDEF : x == k ? B_TRUE : B_FALSE); }
  else for (let t = 0; t < n; t++) { const x = ld(a, t); sb(dst, t, isNaN<f64>(x) ? B_UNDEF : x != k ? B_TRUE : B_FALSE); }
}

/** Crossing of a with the band b + k·e (SEMANTICS.md "Crossing"): dir 1 above, -1 below; bool bytes. */
function crossBandLoop(dst: usize, a: usize, b: usize, k: f64, e: usize, dir: i32, n: i32): void {
  if (n <= 0) return;
  sb(dst, 0, B_UNDEF);
  const tol = tieBoundCached(a, n);
  let k0 = cmpT(ld(a, 0), ld(b, 0) + k * ld(e, 0));
  for (let t = 1; t < n; t++) {
    const x = ld(a, t);
    const y = ld(b, t) + k * ld(e, t);
    const dd = x - y;
    const k1 = dd > tol ? 1 : dd < -tol ? -1 : cmpT(x, y);
    sb(dst, t, crossOf(k0, k1, dir));
    k0 = k1;
  }
}

/**
 * Two crossings of the same pair (a, b) in one pass (`crossover(x, y)` with `crossunder(x, y)`): the tie-aware
 * comparison is computed once per bar, each output is what OP_CROSS writes for its direction.
 */
function crossPairLoop(dst1: usize, dir1: i32, dst2: usize, dir2: i32, a: usize, b: usize, tol: f64, n: i32): void {
  if (n <= 0) return;
  sb(dst1, 0, B_UNDEF);
  sb(dst2, 0, B_UNDEF);
  let k0 = cmpT(ld(a, 0), ld(b, 0));
  for (let t = 1; t < n; t++) {
    const k1 = cmpTol(ld(a, t), ld(b, t), tol);
    sb(dst1, t, crossOf(k0, k1, dir1));
    sb(dst2, t, crossOf(k0, k1, dir2));
    k0 = k1;
  }
}

/**
 * Two crossings of a with bands around the same b and e (`crossover(x, m + k·e)` with `crossunder(x, m - k·e)`) in
 * one pass: each output is what crossBandLoop writes for its band and direction.
 */
function crossBandPairLoop(dst1: usize, k1c: f64, dir1: i32, dst2: usize, k2c: f64, dir2: i32, a: usize, b: usize, e: usize, n: i32): void {
  if (n <= 0) return;
  sb(dst1, 0, B_UNDEF);
  sb(dst2, 0, B_UNDEF);
  const tol = tieBoundCached(a, n);
  const x0 = ld(a, 0);
  let p0 = cmpT(x0, ld(b, 0) + k1c * ld(e, 0));
  let q0 = cmpT(x0, ld(b, 0) + k2c * ld(e, 0));
  for (let t = 1; t < n; t++) {
    const x = ld(a, t);
    const bb = ld(b, t);
    const ee = ld(e, t);
    const y1 = bb + k1c * ee;
    const y2 = bb + k2c * ee;
    const d1 = x - y1;
    const d2 = x - y2;
    const p1 = d1 > tol ? 1 : d1 < -tol ? -1 : cmpT(x, y1);
    const q1 = d2 > tol ? 1 : d2 < -tol ? -1 : cmpT(x, y2);
    sb(dst1, t, crossOf(p0, p1, dir1));
    sb(dst2, t, crossOf(q0, q1, dir2));
    p0 = p1;
    q0 = q1;
  }
}

/**
 * Index of a later op of the plan that is the same crossing kind over the same operands as op k (a partner to
 * compute in the same pass) and is not already held by its register; -1 when there is none.
 */
function crossPartner(k: i32, nOps: i32, nRegs: i32, gen: f64): i32 {
  const w = HEADER + k * OP_STRIDE;
  const op = pw(w);
  const ar = pw(w + 2);
  const br = pw(w + 3);
  const er = pw(w + 6);
  for (let j = k + 1; j < nOps; j++) {
    const v = HEADER + j * OP_STRIDE;
    if (pw(v) != op || pw(v + 2) != ar || pw(v + 3) != br || (op == <f64>OP_CROSSB && pw(v + 6) != er)) continue;
    const dr = <i32>pw(v + 1);
    if (dr < 0 || dr >= nRegs) return -1;
    const held = load<f64>(regTag + (<usize>dr << 3)) == pw(v + 7) && load<f64>(regGen + (<usize>dr << 3)) == gen;
    return held ? -1 : j;
  }
  return -1;
}

/** Mark op j's register as holding its expression (computed by a paired pass). */
function markDone(j: i32, n: i32, gen: f64): usize {
  const v = HEADER + j * OP_STRIDE;
  const dr = <i32>pw(v + 1);
  const own = regBase + ((<usize>dr * <usize>n) << 3);
  store<usize>(regTable + (<usize>dr << 2), own);
  store<f64>(regTag + (<usize>dr << 3), pw(v + 7));
  store<f64>(regGen + (<usize>dr << 3), gen);
  return own;
}

/**
 * A bound on every tie band of comparisons of series a with anything (as engine.ts' computeSignals argues): with
 * S = max |a|, a tie of a[t] with y needs |a[t] - y| <= 1e-9 max(|a[t]|, |y|), impossible when |y| > 2S, so
 * |a[t] - y| <= 2e-9 S covers every tie; beyond it the sign of the difference decides. Infinity when a has no
 * finite values (then every comparison takes the exact test).
 */
let tieA: usize = 0;
let tieN: i32 = -1;
let tieStamp: f64 = -1;
let tieVal: f64 = 0;
let curGen: f64 = -1;
/** tieBound, remembered for a candle column (its values change only with the data generation). */
function tieBoundCached(a: usize, n: i32): f64 {
  const isColumn = a >= colPtr(0) && a < colPtr(6);
  if (isColumn && a == tieA && n == tieN && tieStamp == curGen) return tieVal;
  const v = tieBound(a, n);
  if (isColumn) {
    tieA = a;
    tieN = n;
    tieStamp = curGen;
    tieVal = v;
  }
  return v;
}

function tieBound(a: usize, n: i32): f64 {
  let m: f64 = 0;
  for (let t = 0; t < n; t++) {
    const v = Math.abs(ld(a, t));
    if (v > m) m = v; // NaN compares false: skipped
  }
  return m < Infinity ? 2.000001e-9 * m : Infinity;
}

// Per register: a bound S >= |value| over all bars (NaN skipped), Infinity when none is known. Set with the register
// (an op skipped because its register holds it already keeps the bound set when it was computed).
const regBnd = memory.data(MAX_REGS * 8);
// Bounds of the candle and derived columns (0..8) per data generation.
const colBnd = memory.data(9 * 8);
const colBndGen = memory.data(9 * 8);
let colBndInit = false;

/** Bound of register r (Infinity for r out of range). */
function regBound(r: i32): f64 {
  return r >= 0 && r < MAX_REGS ? load<f64>(regBnd + (<usize>r << 3)) : Infinity;
}

/** max |x| of column `col` (0..8, its values at p), once per data generation; Infinity when not finite. */
function columnBound(col: i32, p: usize, n: i32, gen: f64): f64 {
  if (col < 0 || col > 8) return Infinity;
  if (!colBndInit) {
    for (let i = 0; i < 9; i++) store<f64>(colBndGen + (<usize>i << 3), -1);
    colBndInit = true;
  }
  const o = <usize>col << 3;
  if (load<f64>(colBndGen + o) == gen) return load<f64>(colBnd + o);
  let m: f64 = 0;
  for (let t = 0; t < n; t++) {
    const v = Math.abs(ld(p, t));
    if (v > m) m = v; // NaN compares false: skipped
  }
  const s = m < Infinity ? m : Infinity;
  store<f64>(colBnd + o, s);
  store<f64>(colBndGen + o, gen);
  return s;
}

/**
 * Tie band bound of comparisons between registers a and b (as tieBound argues: a tie of x with y needs
 * |x - y| <= 1e-9 max(|x|, |y|) <= 1e-9 max(Sa, Sb)); Infinity when either bound is unknown.
 */
function pairTol(a: i32, b: i32): f64 {
  return 2.000001e-9 * Math.max(regBound(a), regBound(b));
}

/** Pointer of signal register r (0 when r is -1 or out of range). */
function sigPtr(r: i32, nRegs: i32): usize {
  return r >= 0 && r < nRegs ? load<usize>(regTable + (<usize>r << 2)) : 0;
}

/**
 * Evaluate the plan at rulesPlanPtr() over the loaded bars and write the four signal bits of bars 1..n-2 into the
 * flag bytes (day-end bits kept; bars 0 and n-1 carry no signal, as for the built-in strategies). Returns false when
 * the plan is malformed (the host validates plans, so this is a guard, not an error path).
 */
export function rulesSignals(): bool {
  const n = barCount();
  const nRegs = <i32>pw(0);
  const nOps = <i32>pw(1);
  const gen = pw(2);
  curGen = gen;
  if (nRegs < 0 || nRegs > MAX_REGS || nOps < 0 || HEADER + nOps * OP_STRIDE > PLAN_WORDS) return false;
  if (!ensureLayout(nRegs)) return false;
  // Register buffers move when the layout does (another bar count): forget what they held.
  if (tagsN != n || tagsBase != regBase) {
    for (let r = 0; r < MAX_REGS; r++) store<f64>(regTag + (<usize>r << 3), -1);
    tagsN = n;
    tagsBase = regBase;
  }
  for (let k = 0; k < nOps; k++) {
    const w = HEADER + k * OP_STRIDE;
    const op = <i32>pw(w);
    const dr = <i32>pw(w + 1);
    const ar = <i32>pw(w + 2);
    const br = <i32>pw(w + 3);
    const c = pw(w + 4);
    const d = <i32>pw(w + 5);
    const er = <i32>pw(w + 6);
    const tag = pw(w + 7);
    if (dr < 0 || dr >= nRegs) return false;
    const own = regBase + ((<usize>dr * <usize>n) << 3);
    const tq = regTag + (<usize>dr << 3);
    const gq = regGen + (<usize>dr << 3);
    if (op != OP_COL && op != OP_IND && load<f64>(tq) == tag && load<f64>(gq) == gen) {
      // Same expression, same data: the buffer already holds it.
      store<usize>(regTable + (<usize>dr << 2), own);
      continue;
    }
    const a = ar >= 0 && ar < nRegs ? load<usize>(regTable + (<usize>ar << 2)) : 0;
    const b = br >= 0 && br < nRegs ? load<usize>(regTable + (<usize>br << 2)) : 0;
    let out = own;
    let j: i32 = -1;
    if (op == OP_COL) {
      if (d >= KEY_DERIVED_FIRST) {
        ensureDerived(gen);
        out = derivedBase + ((<usize>(d - KEY_DERIVED_FIRST) * <usize>n) << 3);
      } else out = colPtr(d);
    } else if (op == OP_CONST) {
      for (let t = 0; t < n; t++) st(own, t, c);
    } else if (op == OP_ADD) {
      for (let t = 0; t < n; t++) st(own, t, ld(a, t) + ld(b, t));
    } else if (op == OP_SUB) {
      for (let t = 0; t < n; t++) st(own, t, ld(a, t) - ld(b, t));
    } else if (op == OP_MUL) {
      for (let t = 0; t < n; t++) st(own, t, ld(a, t) * ld(b, t));
    } else if (op == OP_DIV) {
      for (let t = 0; t < n; t++) st(own, t, ld(a, t) / ld(b, t));
    } else if (op == OP_NEG) {
      for (let t = 0; t < n; t++) st(own, t, -ld(a, t));
    } else if (op == OP_ADDK) {
      for (let t = 0; t < n; t++) st(own, t, ld(a, t) + c);
    } else if (op == OP_MULK) {
      for (let t = 0; t < n; t++) st(own, t, ld(a, t) * c);
    } else if (op == OP_KSUB) {
      for (let t = 0; t < n; t++) st(own, t, c - ld(a, t));
    } else if (op == OP_KDIV) {
      for (let t = 0; t < n; t++) st(own, t, c / ld(a, t));
    } else if (op == OP_DIVK) {
      for (let t = 0; t < n; t++) st(own, t, ld(a, t) / c);
    } else if (op == OP_CMP) {
      for (let t = 0; t < n; t++) sb(own, t, cmpPlain(ld(a, t), ld(b, t), d));
    } else if (op == OP_CMPK) {
      cmpKLoop(own, a, c, d, n);
    } else if (op == OP_CMPB) {
      for (let t = 0; t < n; t++) sb(own, t, cmpPlain(fromB(lb(a, t)), fromB(lb(b, t)), d));
    } else if (op == OP_CMPKB) {
      for (let t = 0; t < n; t++) sb(own, t, cmpPlain(fromB(lb(a, t)), c, d));
    } else if (op == OP_AND) {
      // Kleene's `and` is the minimum of false (0) < undefined (1) < true (2).
      for (let t = 0; t < n; t++) {
        const x = lb(a, t);
        const y = lb(b, t);
        sb(own, t, x < y ? x : y);
      }
    } else if (op == OP_OR) {
      for (let t = 0; t < n; t++) {
        const x = lb(a, t);
        const y = lb(b, t);
        sb(own, t, x > y ? x : y);
      }
    } else if (op == OP_NOT) {
      for (let t = 0; t < n; t++) sb(own, t, B_TRUE - lb(a, t));
    } else if (op == OP_CONSTB) {
      memory.fill(own, <u8>toB(c), <usize>n);
    } else if (op == OP_LAGB) {
      const m = d < n ? d : n;
      memory.fill(own, <u8>B_UNDEF, <usize>m);
      if (n > m) memory.copy(own + <usize>m, a, <usize>(n - m));
    } else if (op == OP_CROSS && (j = crossPartner(k, nOps, nRegs, gen)) >= 0) {
      const v = HEADER + j * OP_STRIDE;
      crossPairLoop(own, d, markDone(j, n, gen), <i32>pw(v + 5), a, b, pairTol(ar, br), n);
    } else if (op == OP_CROSSB && (j = crossPartner(k, nOps, nRegs, gen)) >= 0) {
      const e = er >= 0 && er < nRegs ? load<usize>(regTable + (<usize>er << 2)) : 0;
      if (e == 0) return false;
      const v = HEADER + j * OP_STRIDE;
      crossBandPairLoop(own, c, d, markDone(j, n, gen), pw(v + 4), <i32>pw(v + 5), a, b, e, n);
    } else if (op == OP_CROSS) {
      if (n > 0) sb(own, 0, B_UNDEF);
      const tol = pairTol(ar, br);
      let k0 = n > 0 ? cmpT(ld(a, 0), ld(b, 0)) : 2;
      for (let t = 1; t < n; t++) {
        const k1 = cmpTol(ld(a, t), ld(b, t), tol);
        sb(own, t, crossOf(k0, k1, d));
        k0 = k1;
      }
    } else if (op == OP_CROSSK) {
      if (n > 0) sb(own, 0, B_UNDEF);
      const tol = 2.000001e-9 * Math.max(regBound(ar), Math.abs(c));
      let k0 = n > 0 ? cmpT(ld(a, 0), c) : 2;
      for (let t = 1; t < n; t++) {
        const k1 = cmpTol(ld(a, t), c, tol);
        sb(own, t, crossOf(k0, k1, d));
        k0 = k1;
      }
    } else if (op == OP_CROSSB) {
      const e = er >= 0 && er < nRegs ? load<usize>(regTable + (<usize>er << 2)) : 0;
      if (e == 0) return false;
      crossBandLoop(own, a, b, c, e, d, n);
    } else if (op == OP_LAG) {
      for (let t = 0; t < n; t++) st(own, t, t >= d ? ld(a, t - d) : NaN);
    } else if (op == OP_IND) {
      const key = <i32>c;
      if (d < 1) return false;
      if (key >= 0 && key < KEY_DERIVED_FIRST && br != IND_ROC) out = indicator(br, key, d);
      else {
        if (key >= KEY_DERIVED_FIRST && key < KEY_DERIVED_FIRST + 3) ensureDerived(gen);
        out = cachedIndicator(br, key, a, d, gen);
      }
    } else if (op == OP_ABS) {
      for (let t = 0; t < n; t++) st(own, t, Math.abs(ld(a, t)));
    } else if (op == OP_MIN) {
      for (let t = 0; t < n; t++) {
        const x = ld(a, t);
        const y = ld(b, t);
        st(own, t, isNaN<f64>(x) || isNaN<f64>(y) ? NaN : x < y ? x : y);
      }
    } else if (op == OP_MAX) {
      for (let t = 0; t < n; t++) {
        const x = ld(a, t);
        const y = ld(b, t);
        st(own, t, isNaN<f64>(x) || isNaN<f64>(y) ? NaN : x > y ? x : y);
      }
    } else return false;
    store<usize>(regTable + (<usize>dr << 2), out);
    // A bound on |values| of the register, for the tie bands of crossings (Infinity: none known).
    let bound: f64 = Infinity;
    if (op == OP_COL) bound = columnBound(d, out, n, gen);
    else if (op == OP_IND) {
      // Averages and extremes stay within their source's range; Wilder's RSI within [0, 100].
      if (br == IND_SMA || br == IND_EMA || br == IND_HIGHEST || br == IND_LOWEST) bound = regBound(ar);
      else if (br == IND_RSI) bound = 100;
    }
    store<f64>(regBnd + (<usize>dr << 3), bound);
    if (out == own) {
      store<f64>(tq, tag);
      store<f64>(gq, gen);
    } else store<f64>(tq, -1);
  }
  // Signal bits of bars 1..n-2 (the day-end bit is kept); bars 0 and n-1 carry none.
  const fl = flagsBase();
  const rEL = <i32>pw(3);
  const rXL = <i32>pw(4);
  const rES = <i32>pw(5);
  const rXS = <i32>pw(6);
  // Absent signals read the all-false column, absent second conditions the all-true column: one branch-free pass.
  // Bool bytes: both true (2) exactly when (p & q) == 2, i.e. bit 1 of p & q.
  const zeros = derivedBase + ((<usize>(3 * n)) << 3);
  const ones = derivedBase + ((<usize>(4 * n)) << 3);
  const p0 = sigPtr(rEL, nRegs);
  const p1 = sigPtr(rXL, nRegs);
  const p2 = sigPtr(rES, nRegs);
  const p3 = sigPtr(rXS, nRegs);
  const q0 = sigPtr(<i32>pw(7), nRegs);
  const q1 = sigPtr(<i32>pw(8), nRegs);
  const q2 = sigPtr(<i32>pw(9), nRegs);
  const q3 = sigPtr(<i32>pw(10), nRegs);
  const pEL = p0 != 0 ? p0 : zeros;
  const pXL = p1 != 0 ? p1 : zeros;
  const pES = p2 != 0 ? p2 : zeros;
  const pXS = p3 != 0 ? p3 : zeros;
  const qEL = q0 != 0 ? q0 : ones;
  const qXL = q1 != 0 ? q1 : ones;
  const qES = q2 != 0 ? q2 : ones;
  const qXS = q3 != 0 ? q3 : ones;
  if (n > 0) store<u8>(fl, load<u8>(fl) & DAY_END);
  if (n > 1) store<u8>(fl + <usize>(n - 1), load<u8>(fl + <usize>(n - 1)) & DAY_END);
  // Eight bars at a time (SWAR over u64 words): each byte of p & q & 0x02 is 2 where both are true, and the shifts
  // move that bit to the signal's bit inside the same byte; the scalar loop below does the remaining bars.
  let t = 1;
  const B2: u64 = 0x0202020202020202;
  const DE: u64 = 0x8080808080808080;
  for (; t + 8 <= n - 1; t += 8) {
    const o = <usize>t;
    const m0 = load<u64>(pEL + o) & load<u64>(qEL + o) & B2;
    const m1 = load<u64>(pXL + o) & load<u64>(qXL + o) & B2;
    const m2 = load<u64>(pES + o) & load<u64>(qES + o) & B2;
    const m3 = load<u64>(pXS + o) & load<u64>(qXS + o) & B2;
    const q = fl + o;
    store<u64>(q, (load<u64>(q) & DE) | (m0 >> 1) | m1 | (m2 << 1) | (m3 << 2));
  }
  for (; t < n - 1; t++) {
    const b0 = (lb(pEL, t) & lb(qEL, t)) >> 1;
    const b1 = (lb(pXL, t) & lb(qXL, t)) & 2;
    const b2 = ((lb(pES, t) & lb(qES, t)) & 2) << 1;
    const b3 = ((lb(pXS, t) & lb(qXS, t)) & 2) << 2;
    const q = fl + <usize>t;
    store<u8>(q, (load<u8>(q) & DAY_END) | <u8>(b0 | b1 | b2 | b3));
  }
  return true;
}
