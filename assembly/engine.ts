// The bar-by-bar simulation loop. Semantics: src/lib/engine/SEMANTICS.md. No allocation; raw loads/stores.
import {
  colPtr, barCount, tradesBase, summaryBase,
  COL_OPEN_TIME, COL_OPEN, COL_HIGH, COL_LOW, COL_CLOSE, COL_VOLUME, COL_EQUITY, COL_NEXT_DAY_END, flagsBase,
  TRADE_STRIDE, T_DIR, T_ENTRY_BAR, T_EXIT_BAR, T_ENTRY_PRICE, T_EXIT_PRICE, T_SIZE, T_ENTRY_FEE, T_EXIT_FEE, T_PNL,
  T_EXIT_REASON, SUMMARY_LEN, S_FINAL_EQUITY, S_N_TRADES, S_N_WINS, S_GROSS_PROFIT, S_GROSS_LOSS, S_TOTAL_FEES,
  S_MAX_DD_RATIO, S_AMBIGUOUS_BARS, S_EXPOSURE_BARS, S_DAILY_N, S_DAILY_SUM, S_DAILY_SUMSQ, S_DAILY_DOWN_SUMSQ,
  S_MAX_DD_AMOUNT, S_SUM_PROFIT_RATIO, S_SUM_PROFIT_RATIO_SQ, S_N_LOSSES
} from './layout';
import { ld, st } from './layout';
import { writeSummary } from './layout';
import { indicator, nextStamp, invalidateIndicators, IND_SMA, IND_EMA, IND_RSI, IND_ATR } from './indicators';
import { polyBandsSignals } from './polybands';
import { rulesSignals, STRAT_RULES } from './rules';

export const STRAT_SMA_CROSS: i32 = 1;
export const STRAT_RSI_MEAN_REVERSION: i32 = 2;
export const STRAT_EMA_ATR_BREAKOUT: i32 = 3;
export const STRAT_RSI_ATR_MOMENTUM: i32 = 4;
// poly-bands (assembly/polybands.ts): p0 window, p1 degree, p2 kstd, p3 exitAt (0 fit, 1 opposite band).
export const STRAT_POLY_BANDS: i32 = 5;

export const LEVEL_NONE: i32 = 0;
export const LEVEL_FRACTION: i32 = 1;
export const LEVEL_ATR: i32 = 2;

export const SIZING_EQUITY_FRACTION: i32 = 0;
export const SIZING_FIXED_NOTIONAL: i32 = 1;
export const SIZING_RISK: i32 = 2;

const ORDER_NONE: i32 = 0;
const ORDER_OPEN_LONG: i32 = 1;
const ORDER_OPEN_SHORT: i32 = 2;
const ORDER_CLOSE: i32 = 3;
const ORDER_REVERSE_LONG: i32 = 4;
const ORDER_REVERSE_SHORT: i32 = 5;

const REASON_SIGNAL: f64 = 0;
const REASON_STOP_LOSS: f64 = 1;
const REASON_TAKE_PROFIT: f64 = 2;
const REASON_END_OF_DATA: f64 = 3;

const DAY_MS: f64 = 86400000.0;


export const SIG_ENTER_LONG: u8 = 1;
export const SIG_EXIT_LONG: u8 = 2;
export const SIG_ENTER_SHORT: u8 = 4;
export const SIG_EXIT_SHORT: u8 = 8;
export const FLAG_DAY_END: u8 = 0x80;

// @ts-ignore: decorator
@inline function ldb(i: i32): u8 {
  return load<u8>(flagsBase() + <usize>i);
}

/** Mark day ends (last bar of each UTC day) and forget cached indicators; call after writing new bars. */
let closeScale: f64 = 0;

/** max |close| over n bars at `cl` (the scale that bounds the crossing tie bands, see computeSignals). */
export function closeScaleOf(cl: usize, n: i32): f64 {
  let m: f64 = 0;
  for (let t = 0; t < n; t++) {
    const v = Math.abs(ld(cl, t));
    if (v > m) m = v;
  }
  return m;
}

export function prepare(): void {
  const n = barCount();
  closeScale = closeScaleOf(colPtr(COL_CLOSE), n);
  const ot = colPtr(COL_OPEN_TIME);
  const fl = flagsBase();
  for (let t = 0; t < n; t++) {
    const last = t == n - 1 || Math.floor(ld(ot, t + 1) / DAY_MS) != Math.floor(ld(ot, t) / DAY_MS);
    store<u8>(fl + <usize>t, last ? FLAG_DAY_END : 0);
  }
  // Next day end at or after each bar (the loop compares the bar index with it instead of testing a flag per bar).
  const nd = colPtr(COL_NEXT_DAY_END);
  let next = n;
  store<i32>(nd + (<usize>n << 2), n);
  for (let t = n - 1; t >= 0; t--) {
    if (load<u8>(fl + <usize>t) & FLAG_DAY_END) next = t;
    store<i32>(nd + (<usize>t << 2), next);
  }
  invalidateIndicators();
}

// Tie-aware comparison (SEMANTICS.md "Crossing"): values within 1e-9 relative are equal. Returns 1 (a > b),
// -1 (a < b), 0 (equal) or 2 (a or b is NaN: undefined, never part of a cross). One call per series and bar, so a
// crossing test is two small-integer comparisons of consecutive results.
// @ts-ignore: decorator
@inline function cmpT(a: f64, b: f64): i32 {
  const d = a - b;
  if (Math.abs(d) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b))) return 0;
  if (d > 0) return 1;
  if (d < 0) return -1;
  return 2;
}

// cmpT with a fast path: a difference beyond `tol` (a bound on every tie band, see computeSignals) decides at once.
// @ts-ignore: decorator
@inline function cmpTol(a: f64, b: f64, tol: f64): i32 {
  const d = a - b;
  return d > tol ? 1 : d < -tol ? -1 : cmpT(a, b);
}

/**
 * Signal pre-pass: for each bar t (1..n-2) the strategy's four signals at t's close, as bits in the flag bytes
 * (bit 7, the day-end flag, is kept). Undefined (NaN) indicator values compare false, so they never signal.
 * fl: u8[n] flag bytes; cl, vo: f64[n] close and volume columns; a, b, c: f64[n] indicator buffers of the strategy;
 * closeScale: max |close| of the bars (closeScaleOf).
 *
 * Ties: the exact tie-aware test (cmpT) runs only where a compared pair is within `tol` of each other, a bound that
 * covers every tie band: comparing x with y where |x| <= S, a tie needs |x - y| <= 1e-9 max(|x|, |y|), which is
 * impossible when |y| > 2S (then |x - y| > |y|/2), so |x - y| <= 2e-9 S covers them all. Beyond it the sign of the
 * difference decides (cmpTol), so the result is exactly the tie-aware rule. Measured: free for sma-cross; RSI and
 * EMA/ATR grids run about 25-30 % slower than the plain comparisons did (to be won back with strategy-specific loops).
 */
export function computeSignals(
  strategy: i32, a: usize, b: usize, c: usize, p1: f64, p2: f64, p3: f64, p4: f64, p5: f64, volumeFilter: bool,
  fl: usize, n: i32, cl: usize, vo: usize, closeScale: f64
): void {
  store<u8>(fl, load<u8>(fl) & FLAG_DAY_END);
  if (n > 0) store<u8>(fl + <usize>(n - 1), load<u8>(fl + <usize>(n - 1)) & FLAG_DAY_END);
  if (strategy == STRAT_SMA_CROSS) {
    // |SMA of close| <= closeScale (up to rounding: the 1e-6 margin).
    const tol = 2.000001e-9 * closeScale;
    let k0 = cmpTol(ld(a, 0), ld(b, 0), tol);
    for (let t = 1; t < n - 1; t++) {
      const f1 = ld(a, t);
      const s1 = ld(b, t);
      const k1 = cmpTol(f1, s1, tol);
      let bits: u8 = 0;
      if (k1 != k0) {
        if (k1 == 1 && k0 <= 0) bits = SIG_ENTER_LONG | SIG_EXIT_SHORT;
        else if (k1 == -1 && (k0 == 0 || k0 == 1)) bits = SIG_ENTER_SHORT | SIG_EXIT_LONG;
      }
      const q = fl + <usize>t;
      store<u8>(q, (load<u8>(q) & FLAG_DAY_END) | bits);
      k0 = k1;
    }
  } else if (strategy == STRAT_RSI_MEAN_REVERSION) {
    // RSI is within [0, 100]; levels are validated within [1, 99].
    const tol = 2.000001e-9 * Math.max(100.0, Math.max(Math.abs(p1), Math.abs(p2)));
    const mid = p3 != 0;
    const r = ld(a, 0);
    let lo0 = cmpTol(r, p1, tol);
    let hi0 = cmpTol(r, p2, tol);
    let md0 = mid ? cmpTol(r, 50.0, tol) : 0;
    for (let t = 1; t < n - 1; t++) {
      const r1 = ld(a, t);
      const lo1 = cmpTol(r1, p1, tol);
      const hi1 = cmpTol(r1, p2, tol);
      const md1 = mid ? cmpTol(r1, 50.0, tol) : 0;
      let bits: u8 = 0;
      // Crossings only where a comparison changed (most bars: none).
      if ((lo1 ^ lo0) | (hi1 ^ hi0) | (md1 ^ md0)) {
        if (lo1 == -1 && (lo0 == 0 || lo0 == 1)) bits |= SIG_ENTER_LONG | SIG_EXIT_SHORT;
        if (hi1 == 1 && hi0 <= 0) bits |= SIG_ENTER_SHORT | SIG_EXIT_LONG;
        if (mid) {
          if (md1 == 1 && md0 <= 0) bits |= SIG_EXIT_LONG;
          if (md1 == -1 && (md0 == 0 || md0 == 1)) bits |= SIG_EXIT_SHORT;
        }
      }
      const q = fl + <usize>t;
      store<u8>(q, (load<u8>(q) & FLAG_DAY_END) | bits);
      lo0 = lo1;
      hi0 = hi1;
      md0 = md1;
    }
  } else if (strategy == STRAT_EMA_ATR_BREAKOUT) {
    // close is compared with EMA and EMA +/- k*ATR: |close| <= closeScale.
    const tol = 2.000001e-9 * closeScale;
    const c0 = ld(cl, 0);
    const e0 = ld(a, 0);
    const x0 = p2 * ld(b, 0);
    let up0 = cmpTol(c0, e0 + x0, tol);
    let dn0 = cmpTol(c0, e0 - x0, tol);
    let em0 = cmpTol(c0, e0, tol);
    for (let t = 1; t < n - 1; t++) {
      const e1 = ld(a, t);
      const x1 = p2 * ld(b, t);
      const c1 = ld(cl, t);
      const up1 = cmpTol(c1, e1 + x1, tol);
      const dn1 = cmpTol(c1, e1 - x1, tol);
      const em1 = cmpTol(c1, e1, tol);
      let bits: u8 = 0;
      // Crossings only where a comparison changed (most bars: none).
      if ((up1 ^ up0) | (dn1 ^ dn0) | (em1 ^ em0)) {
        const volOk = !volumeFilter || ld(vo, t) > ld(c, t);
        if (volOk && up1 == 1 && up0 <= 0) bits |= SIG_ENTER_LONG;
        if (volOk && dn1 == -1 && (dn0 == 0 || dn0 == 1)) bits |= SIG_ENTER_SHORT;
        if (em1 == -1 && (em0 == 0 || em0 == 1)) bits |= SIG_EXIT_LONG;
        if (em1 == 1 && em0 <= 0) bits |= SIG_EXIT_SHORT;
      }
      const q = fl + <usize>t;
      store<u8>(q, (load<u8>(q) & FLAG_DAY_END) | bits);
      up0 = up1;
      dn0 = dn1;
      em0 = em1;
    }
  } else if (strategy == STRAT_RSI_ATR_MOMENTUM) {
    let r0 = ld(a, 0);
    for (let t = 1; t < n - 1; t++) {
      const r1 = ld(a, t);
      let bits: u8 = 0;
      if (r0 == r0 && r1 == r1) {
        const inL0 = r0 >= p2 && r0 <= p3;
        const inL1 = r1 >= p2 && r1 <= p3;
        const inS0 = r0 >= p4 && r0 <= p5;
        const inS1 = r1 >= p4 && r1 <= p5;
        if (inL1 && !inL0) bits |= SIG_ENTER_LONG | SIG_EXIT_SHORT;
        if (inS1 && !inS0) bits |= SIG_ENTER_SHORT | SIG_EXIT_LONG;
      }
      const q = fl + <usize>t;
      store<u8>(q, (load<u8>(q) & FLAG_DAY_END) | bits);
      r0 = r1;
    }
  } else {
    for (let t = 1; t < n - 1; t++) {
      const q = fl + <usize>t;
      store<u8>(q, load<u8>(q) & FLAG_DAY_END);
    }
  }
}

// ---- Position state used by the (rare) fill functions. The loop keeps hot copies in locals. ----
let cash: f64 = 0;
let units: f64 = 0; // position size in base units, always >= 0
let pos: i32 = 0; // +1 long, -1 short, 0 flat
let entryPrice: f64 = 0;
let entryFee: f64 = 0;
let entryBar: i32 = 0;
let slLevel: f64 = NaN;
let tpLevel: f64 = NaN;
let nTrades: i32 = 0;
let nWins: i32 = 0;
let nLosses: i32 = 0;
let grossProfit: f64 = 0;
let grossLoss: f64 = 0;
let totalFees: f64 = 0;
let sumPr: f64 = 0;
let sumPr2: f64 = 0;
let feeRate: f64 = 0;
let slip: f64 = 0;
let recordTrades: bool = true;
let prevDayEq: f64 = NaN;
let dN: f64 = 0;
let dSum: f64 = 0;
let dSq: f64 = 0;
let dDown: f64 = 0;
let pendingAtr: f64 = NaN;

/** Add the daily return ending at this bar (equity at the last bar of each UTC day). Called on day-end bars only. */
function dayEnd(eq: f64): void {
  if (prevDayEq == prevDayEq) {
    const r = eq / prevDayEq - 1.0;
    dN += 1.0;
    dSum += r;
    dSq += r * r;
    if (r < 0) dDown += r * r;
  }
  prevDayEq = eq;
}

/** Close the open position at `rawPrice` (slippage applied), charge the exit fee, record the trade. */
function closePosition(t: i32, rawPrice: f64, reason: f64): void {
  const u = units;
  let x: f64;
  let fee: f64;
  let pnl: f64;
  if (pos > 0) {
    x = rawPrice * (1.0 - slip);
    fee = u * x * feeRate;
    cash += u * x - fee;
    pnl = u * (x - entryPrice) - entryFee - fee;
  } else {
    x = rawPrice * (1.0 + slip);
    fee = u * x * feeRate;
    cash -= u * x + fee;
    pnl = u * (entryPrice - x) - entryFee - fee;
  }
  totalFees += fee;
  if (pnl > 0) {
    nWins++;
    grossProfit += pnl;
  } else if (pnl < 0) {
    nLosses++;
    grossLoss += pnl;
  }
  const pr = pnl / (u * entryPrice);
  sumPr += pr;
  sumPr2 += pr * pr;
  if (recordTrades) {
    const r = tradesBase() + ((<usize>nTrades * <usize>TRADE_STRIDE) << 3);
    st(r, T_DIR, <f64>pos);
    st(r, T_ENTRY_BAR, <f64>entryBar);
    st(r, T_EXIT_BAR, <f64>t);
    st(r, T_ENTRY_PRICE, entryPrice);
    st(r, T_EXIT_PRICE, x);
    st(r, T_SIZE, u);
    st(r, T_ENTRY_FEE, entryFee);
    st(r, T_EXIT_FEE, fee);
    st(r, T_PNL, pnl);
    st(r, T_EXIT_REASON, reason);
  }
  nTrades++;
  pos = 0;
  units = 0;
  slLevel = NaN;
  tpLevel = NaN;
}

/** Open a position of direction `dir` at `rawPrice` (slippage applied) with levels and sizing per SEMANTICS.md. */
function openPosition(
  t: i32, dir: i32, rawPrice: f64, atr: f64,
  slMode: i32, slValue: f64, tpMode: i32, tpValue: f64, sizingMode: i32, sizingValue: f64
): void {
  const p = dir > 0 ? rawPrice * (1.0 + slip) : rawPrice * (1.0 - slip);
  const e = cash;
  if (!(e > 0)) return;
  // Fractional levels are exactly P*(1-x) / P*(1+y) (SCENARIOS S4); ATR levels P -/+ k*ATR(signal bar).
  let sl: f64 = NaN;
  let tp: f64 = NaN;
  if (slMode == LEVEL_FRACTION) sl = dir > 0 ? p * (1.0 - slValue) : p * (1.0 + slValue);
  else if (slMode == LEVEL_ATR) sl = dir > 0 ? p - slValue * atr : p + slValue * atr;
  if (tpMode == LEVEL_FRACTION) tp = dir > 0 ? p * (1.0 + tpValue) : p * (1.0 - tpValue);
  else if (tpMode == LEVEL_ATR) tp = dir > 0 ? p + tpValue * atr : p - tpValue * atr;
  const allIn = e / (p * (1.0 + feeRate));
  let u: f64;
  if (sizingMode == SIZING_FIXED_NOTIONAL) {
    u = (sizingValue < e ? sizingValue : e) / (p * (1.0 + feeRate));
  } else if (sizingMode == SIZING_RISK) {
    const dist = Math.abs(p - sl);
    if (dist > 0 && dist < Infinity) {
      u = (sizingValue * e) / dist;
      if (u > allIn) u = allIn;
    } else u = allIn;
  } else {
    u = (sizingValue * e) / (p * (1.0 + feeRate));
  }
  if (!(u > 0 && u < Infinity)) return;
  const fee = u * p * feeRate;
  if (dir > 0) cash -= u * p + fee;
  else cash += u * p - fee;
  totalFees += fee;
  units = u;
  pos = dir;
  entryPrice = p;
  entryFee = fee;
  entryBar = t;
  slLevel = sl;
  tpLevel = tp;
}

// ---- Signal steps of the simulation loop ----
// The loop asks for the signals of each bar 1..n-2 once, in bar order. MODE_FLAGS reads them from the flag bytes (a
// pre-pass filled them: computeSignals, poly-bands, ...). The four built-in strategies instead evaluate their rule
// inline (sigState, sigBits), with the previous bar's comparison results carried in a register as a state code: the
// same tie-aware comparisons as computeSignals, so the same signals, without the pre-pass's store and reload.
const MODE_FLAGS: i32 = 0;

/**
 * State code of bar t for strategy `mode` (STRAT_SMA_CROSS..STRAT_RSI_ATR_MOMENTUM): the results of the bar's
 * tie-aware comparisons (computeSignals'), packed in a small integer. A bar signals only where its code differs from
 * the previous bar's (sigBits). a, b: the strategy's indicator buffers; cl: close; q1..q4: strategy levels
 * (computeSignals' p1, p2, p4, p5 per strategy, see run); tol: the tie-band bound of computeSignals; opt: exitOnMid.
 */
// @ts-ignore: decorator
@inline function sigState(
  mode: i32, t: i32, a: usize, b: usize, cl: usize, q1: f64, q2: f64, q3: f64, q4: f64, tol: f64, opt: bool
): i32 {
  if (mode == STRAT_SMA_CROSS) {
    // cmp(fast, slow) + 1: 0 below, 1 tie, 2 above, 3 undefined
    return cmpTol(ld(a, t), ld(b, t), tol) + 1;
  } else if (mode == STRAT_RSI_MEAN_REVERSION) {
    // (cmp(r, oversold)+1) | (cmp(r, overbought)+1) << 2 | (cmp(r, 50)+1) << 4 (the last 1 without exitOnMid)
    const r = ld(a, t);
    return (cmpTol(r, q1, tol) + 1) | ((cmpTol(r, q2, tol) + 1) << 2) | ((opt ? cmpTol(r, 50.0, tol) + 1 : 1) << 4);
  } else if (mode == STRAT_EMA_ATR_BREAKOUT) {
    // (cmp(close, ema + k atr)+1) | (cmp(close, ema - k atr)+1) << 2 | (cmp(close, ema)+1) << 4
    const e1 = ld(a, t);
    const x1 = q2 * ld(b, t);
    const c1 = ld(cl, t);
    return (cmpTol(c1, e1 + x1, tol) + 1) | ((cmpTol(c1, e1 - x1, tol) + 1) << 2) | ((cmpTol(c1, e1, tol) + 1) << 4);
  } else if (mode == STRAT_RSI_ATR_MOMENTUM) {
    // 4 while RSI is undefined, else inLongBand | inShortBand << 1
    const r = ld(a, t);
    if (r != r) return 4;
    return <i32>(r >= q1 && r <= q2) | (<i32>(r >= q3 && r <= q4) << 1);
  }
  return 0;
}

/**
 * Signal bits (SIG_*) of bar t from the state codes of bars t-1 (s0) and t (s1), s0 != s1: exactly computeSignals'
 * bits for that bar. c, vo: volume SMA and volume (ema-atr-breakout's filter, when opt).
 */
// @ts-ignore: decorator
@inline function sigBits(mode: i32, t: i32, s0: i32, s1: i32, c: usize, vo: usize, opt: bool): i32 {
  let bits: i32 = 0;
  if (mode == STRAT_SMA_CROSS) {
    if (s1 == 2 && s0 <= 1) bits = SIG_ENTER_LONG | SIG_EXIT_SHORT;
    else if (s1 == 0 && (s0 == 1 || s0 == 2)) bits = SIG_ENTER_SHORT | SIG_EXIT_LONG;
  } else if (mode == STRAT_RSI_MEAN_REVERSION) {
    const lo0 = s0 & 3, lo1 = s1 & 3;
    const hi0 = (s0 >> 2) & 3, hi1 = (s1 >> 2) & 3;
    if (lo1 == 0 && (lo0 == 1 || lo0 == 2)) bits |= SIG_ENTER_LONG | SIG_EXIT_SHORT;
    if (hi1 == 2 && hi0 <= 1) bits |= SIG_ENTER_SHORT | SIG_EXIT_LONG;
    if (opt) {
      const md0 = s0 >> 4, md1 = s1 >> 4;
      if (md1 == 2 && md0 <= 1) bits |= SIG_EXIT_LONG;
      if (md1 == 0 && (md0 == 1 || md0 == 2)) bits |= SIG_EXIT_SHORT;
    }
  } else if (mode == STRAT_EMA_ATR_BREAKOUT) {
    const up0 = s0 & 3, up1 = s1 & 3;
    const dn0 = (s0 >> 2) & 3, dn1 = (s1 >> 2) & 3;
    const em0 = s0 >> 4, em1 = s1 >> 4;
    const volOk = !opt || ld(vo, t) > ld(c, t);
    if (volOk && up1 == 2 && up0 <= 1) bits |= SIG_ENTER_LONG;
    if (volOk && dn1 == 0 && (dn0 == 1 || dn0 == 2)) bits |= SIG_ENTER_SHORT;
    if (em1 == 0 && (em0 == 1 || em0 == 2)) bits |= SIG_EXIT_LONG;
    if (em1 == 2 && em0 <= 1) bits |= SIG_EXIT_SHORT;
  } else if (mode == STRAT_RSI_ATR_MOMENTUM) {
    if (s0 != 4 && s1 != 4) {
      if ((s1 & 1) > (s0 & 1)) bits |= SIG_ENTER_LONG | SIG_EXIT_SHORT;
      if ((s1 & 2) > (s0 & 2)) bits |= SIG_ENTER_SHORT | SIG_EXIT_LONG;
    }
  }
  return bits;
}

/**
 * The bar loop (SEMANTICS.md): fills decided at the previous close, intrabar stop-loss / take-profit, equity at the
 * close, drawdown, daily returns, decisions at the close. `mode` is a compile-time constant at every call (this
 * function is inlined): MODE_FLAGS reads signals from the flag bytes, a strategy id evaluates them inline (sigState).
 * Writes the equity column and the summary; returns the final cash.
 */
// @ts-ignore: decorator
@inline function simulate(
  mode: i32, n: i32, a: usize, b: usize, c: usize, q1: f64, q2: f64, q3: f64, q4: f64, tol: f64, opt: bool,
  atrPtr: usize, longShort: i32, initialCash: f64,
  slMode: i32, slValue: f64, tpMode: i32, tpValue: f64, sizingMode: i32, sizingValue: f64
): f64 {
  const oPtr = colPtr(COL_OPEN);
  const hPtr = colPtr(COL_HIGH);
  const lPtr = colPtr(COL_LOW);
  const cPtr = colPtr(COL_CLOSE);
  const vPtr = colPtr(COL_VOLUME);
  const eqPtr = colPtr(COL_EQUITY);
  const fl = flagsBase();
  const ndPtr = colPtr(COL_NEXT_DAY_END);
  const enterMaskFlat: i32 = longShort != 0 ? SIG_ENTER_LONG | SIG_ENTER_SHORT : SIG_ENTER_LONG;
  // The equity column is written only for recorded runs (optimisation trials read the summary alone).
  const keepEq = recordTrades;
  let nd: i32 = n > 0 ? load<i32>(ndPtr) : 0; // next UTC day-end bar (see prepare)

  let pending: i32 = ORDER_NONE;
  let ambiguous: i32 = 0;
  let exposure: i32 = 0;
  let peak: f64 = initialCash;
  let maxDd: f64 = 0;
  let maxDdAmount: f64 = 0;
  let ddKeep: f64 = 1.0; // equity below peak*ddKeep may be a new max drawdown
  let ddThr: f64 = peak * ddKeep; // kept equal to peak * ddKeep
  // Hot-path copies of the position state (WASM globals are memory loads/stores; locals stay in registers).
  // They are synced with the globals only around fills, which are rare.
  let lPos: i32 = 0;
  let lUnits: f64 = 0;
  let lCash: f64 = initialCash;
  let lSl: f64 = NaN;
  let lTp: f64 = NaN;
  // Inline signals: the state code of the last evaluated bar, and the bits of bar preT when a fast path computed them.
  let s0: i32 = 0;
  if (mode != MODE_FLAGS && n > 0) s0 = sigState(mode, 0, a, b, cPtr, q1, q2, q3, q4, tol, opt);
  const last = n - 1;
  let pre: i32 = 0;
  let preT: i32 = -1;

  let t: i32 = 0;
  while (t < n) {
    const o = ld(oPtr, t);
    const startPos = lPos;
    // 1. Fill the order decided at the previous close.
    if (pending != ORDER_NONE) {
      cash = lCash;
      if (pending >= ORDER_CLOSE && lPos != 0) closePosition(t, o, REASON_SIGNAL);
      if (pending == ORDER_OPEN_LONG || pending == ORDER_REVERSE_LONG)
        openPosition(t, 1, o, pendingAtr, slMode, slValue, tpMode, tpValue, sizingMode, sizingValue);
      else if (pending == ORDER_OPEN_SHORT || pending == ORDER_REVERSE_SHORT)
        openPosition(t, -1, o, pendingAtr, slMode, slValue, tpMode, tpValue, sizingMode, sizingValue);
      pending = ORDER_NONE;
      lCash = cash;
      lPos = pos;
      lUnits = units;
      lSl = slLevel;
      lTp = tpLevel;
    }
    if (startPos != 0 || lPos != 0) exposure++;
    // 2. Intrabar stop-loss / take-profit (stop-loss first).
    if (lPos != 0) {
      const h = ld(hPtr, t);
      const l = ld(lPtr, t);
      let exitAt: f64 = NaN;
      let reason: f64 = REASON_STOP_LOSS;
      if (lPos > 0) {
        if (o <= lSl) exitAt = o;
        else if (l <= lSl) {
          if (h >= lTp) ambiguous++;
          exitAt = lSl;
        } else if (o >= lTp) {
          exitAt = o;
          reason = REASON_TAKE_PROFIT;
        } else if (h >= lTp) {
          exitAt = lTp;
          reason = REASON_TAKE_PROFIT;
        }
      } else {
        if (o >= lSl) exitAt = o;
        else if (h >= lSl) {
          if (l <= lTp) ambiguous++;
          exitAt = lSl;
        } else if (o <= lTp) {
          exitAt = o;
          reason = REASON_TAKE_PROFIT;
        } else if (l <= lTp) {
          exitAt = lTp;
          reason = REASON_TAKE_PROFIT;
        }
      }
      if (exitAt == exitAt) {
        cash = lCash;
        closePosition(t, exitAt, reason);
        lCash = cash;
        lPos = 0;
        lUnits = 0;
        lSl = NaN;
        lTp = NaN;
      }
    }
    const close = ld(cPtr, t);
    let flags: i32 = 0;
    if (mode == MODE_FLAGS) flags = load<u8>(fl + <usize>t);
    else {
      if (t > 0 && t < n - 1) {
        if (preT == t) flags |= pre;
        else {
          const s1 = sigState(mode, t, a, b, cPtr, q1, q2, q3, q4, tol, opt);
          if (s1 != s0) {
            flags = sigBits(mode, t, s0, s1, c, vPtr, opt);
            s0 = s1;
          }
        }
      }
    }
    let eq: f64;
    if (t == n - 1) {
      // End of data: close at the last close.
      if (lPos != 0) {
        cash = lCash;
        closePosition(t, close, REASON_END_OF_DATA);
        lCash = cash;
        lPos = 0;
        lUnits = 0;
      }
      eq = lCash;
    } else if (lPos == 0) {
      eq = lCash;
      // 4. Decide at this close.
      if (flags & enterMaskFlat) {
        pending = flags & SIG_ENTER_LONG ? ORDER_OPEN_LONG : ORDER_OPEN_SHORT;
        if (atrPtr != 0) pendingAtr = ld(atrPtr, t);
      }
    } else {
      if (lPos > 0) {
        eq = lCash + lUnits * close;
        if (longShort != 0 && flags & SIG_ENTER_SHORT) pending = ORDER_REVERSE_SHORT;
        else if (flags & SIG_EXIT_LONG) pending = ORDER_CLOSE;
      } else {
        eq = lCash - lUnits * close;
        if (flags & SIG_ENTER_LONG) pending = ORDER_REVERSE_LONG;
        else if (flags & SIG_EXIT_SHORT) pending = ORDER_CLOSE;
      }
      if (pending != ORDER_NONE && atrPtr != 0) pendingAtr = ld(atrPtr, t);
    }
    if (keepEq) st(eqPtr, t, eq);
    // Drawdown on the close-marked curve; the initial cash is the first peak. (peak - eq > maxDdAmount needs eq < peak.)
    if (eq > peak) {
      peak = eq;
      ddThr = peak * ddKeep;
    } else {
      if (eq < ddThr) {
        const dd = 1.0 - eq / peak;
        if (dd > maxDd) {
          maxDd = dd;
          ddKeep = 1.0 - dd;
          ddThr = peak * ddKeep;
        }
      }
      if (peak - eq > maxDdAmount) maxDdAmount = peak - eq;
    }
    if (t == nd) {
      dayEnd(eq);
      nd = load<i32>(ndPtr + (<usize>(t + 1) << 2));
    }
    t++;
    if (pending != ORDER_NONE) continue;
    // Fast paths for the bars where nothing happens (most bars). A bar that needs anything else (a signal, a
    // touched level, the last bar) leaves the fast path and goes through the full step above.
    if (lPos == 0) {
      // Flat: equity is the cash; drawdown and peak cannot change; only day ends and entry signals matter.
      // Bars run in chunks that end at the next day end (no per-bar day-end test); the equity column is filled after.
      const t0 = t;
      while (t < last) {
        const lim = nd < last ? nd + 1 : last;
        let hit = false;
        while (t < lim) {
          if (mode == STRAT_SMA_CROSS) {
            // Runs where the fast SMA is clearly above (state 2) or below (0) the slow one: the state cannot change
            // while the difference stays beyond the tie band (cmpTol decides there at once), so nothing to do.
            if (s0 == 2) {
              while (t < lim && ld(a, t) - ld(b, t) > tol) t++;
              if (t == lim) break;
            } else if (s0 == 0) {
              while (t < lim && ld(a, t) - ld(b, t) < -tol) t++;
              if (t == lim) break;
            }
          }
          if (mode == MODE_FLAGS) {
            if (load<u8>(fl + <usize>t) & enterMaskFlat) {
              hit = true;
              break;
            }
          } else {
            const s1 = sigState(mode, t, a, b, cPtr, q1, q2, q3, q4, tol, opt);
            if (s1 != s0) {
              const sg = sigBits(mode, t, s0, s1, c, vPtr, opt);
              s0 = s1;
              if (sg & enterMaskFlat) {
                pre = sg;
                preT = t;
                hit = true;
                break;
              }
            }
          }
          t++;
        }
        if (hit) break;
        if (t == nd + 1) {
          dayEnd(lCash);
          nd = load<i32>(ndPtr + (<usize>t << 2));
        }
      }
      if (keepEq) for (let k = t0; k < t; k++) st(eqPtr, k, lCash);
    } else {
      const su: f64 = lPos > 0 ? lUnits : -lUnits;
      const exitMask: i32 = lPos > 0
        ? (longShort != 0 ? SIG_ENTER_SHORT : 0) | SIG_EXIT_LONG
        : SIG_ENTER_LONG | SIG_EXIT_SHORT;
      const loLevel = lPos > 0 ? lSl : lTp; // level the low can touch
      const hiLevel = lPos > 0 ? lTp : lSl; // level the high can touch
      const t0 = t;
      let e: f64 = 0;
      // Chunks up to the next day end, as above.
      while (t < last) {
        const lim = nd < last ? nd + 1 : last;
        let hit = false;
        while (t < lim) {
          let sg: i32 = 0;
          if (mode == MODE_FLAGS) sg = load<u8>(fl + <usize>t);
          else {
            const s1 = sigState(mode, t, a, b, cPtr, q1, q2, q3, q4, tol, opt);
            if (s1 != s0) {
              sg = sigBits(mode, t, s0, s1, c, vPtr, opt);
              s0 = s1;
            }
          }
          if ((sg & exitMask) || ld(lPtr, t) <= loLevel || ld(hPtr, t) >= hiLevel) {
            pre = sg;
            preT = t;
            hit = true;
            break;
          }
          e = lCash + su * ld(cPtr, t);
          if (keepEq) st(eqPtr, t, e);
          if (e > peak) {
            peak = e;
            ddThr = peak * ddKeep;
          } else {
            if (e < ddThr) {
              const dd = 1.0 - e / peak;
              if (dd > maxDd) {
                maxDd = dd;
                ddKeep = 1.0 - dd;
                ddThr = peak * ddKeep;
              }
            }
            if (peak - e > maxDdAmount) maxDdAmount = peak - e;
          }
          t++;
        }
        if (hit) break;
        if (t == nd + 1) {
          dayEnd(e);
          nd = load<i32>(ndPtr + (<usize>t << 2));
        }
      }
      exposure += t - t0;
    }
  }
  cash = lCash;

  const s = summaryBase();
  writeSummary(s, cash, nTrades, nWins, nLosses, grossProfit, grossLoss, totalFees, maxDd, maxDdAmount, ambiguous, exposure, dN, dSum, dSq, dDown, sumPr, sumPr2);
  return cash;
}

// One loop per signal source (simulate with a constant mode), called through the function table by runWith.
type SimLoop = (
  n: i32, a: usize, b: usize, c: usize, q1: f64, q2: f64, q3: f64, q4: f64, tol: f64, opt: bool,
  atrPtr: usize, longShort: i32, initialCash: f64,
  slMode: i32, slValue: f64, tpMode: i32, tpValue: f64, sizingMode: i32, sizingValue: f64
) => f64;

function simFlags(
  n: i32, a: usize, b: usize, c: usize, q1: f64, q2: f64, q3: f64, q4: f64, tol: f64, opt: bool,
  atrPtr: usize, longShort: i32, initialCash: f64,
  slMode: i32, slValue: f64, tpMode: i32, tpValue: f64, sizingMode: i32, sizingValue: f64
): f64 {
  return simulate(MODE_FLAGS, n, a, b, c, q1, q2, q3, q4, tol, opt, atrPtr, longShort, initialCash, slMode, slValue, tpMode, tpValue, sizingMode, sizingValue);
}
function simSmaCross(
  n: i32, a: usize, b: usize, c: usize, q1: f64, q2: f64, q3: f64, q4: f64, tol: f64, opt: bool,
  atrPtr: usize, longShort: i32, initialCash: f64,
  slMode: i32, slValue: f64, tpMode: i32, tpValue: f64, sizingMode: i32, sizingValue: f64
): f64 {
  return simulate(STRAT_SMA_CROSS, n, a, b, c, q1, q2, q3, q4, tol, opt, atrPtr, longShort, initialCash, slMode, slValue, tpMode, tpValue, sizingMode, sizingValue);
}
function simRsiMeanReversion(
  n: i32, a: usize, b: usize, c: usize, q1: f64, q2: f64, q3: f64, q4: f64, tol: f64, opt: bool,
  atrPtr: usize, longShort: i32, initialCash: f64,
  slMode: i32, slValue: f64, tpMode: i32, tpValue: f64, sizingMode: i32, sizingValue: f64
): f64 {
  return simulate(STRAT_RSI_MEAN_REVERSION, n, a, b, c, q1, q2, q3, q4, tol, opt, atrPtr, longShort, initialCash, slMode, slValue, tpMode, tpValue, sizingMode, sizingValue);
}
function simEmaAtrBreakout(
  n: i32, a: usize, b: usize, c: usize, q1: f64, q2: f64, q3: f64, q4: f64, tol: f64, opt: bool,
  atrPtr: usize, longShort: i32, initialCash: f64,
  slMode: i32, slValue: f64, tpMode: i32, tpValue: f64, sizingMode: i32, sizingValue: f64
): f64 {
  return simulate(STRAT_EMA_ATR_BREAKOUT, n, a, b, c, q1, q2, q3, q4, tol, opt, atrPtr, longShort, initialCash, slMode, slValue, tpMode, tpValue, sizingMode, sizingValue);
}
function simRsiAtrMomentum(
  n: i32, a: usize, b: usize, c: usize, q1: f64, q2: f64, q3: f64, q4: f64, tol: f64, opt: bool,
  atrPtr: usize, longShort: i32, initialCash: f64,
  slMode: i32, slValue: f64, tpMode: i32, tpValue: f64, sizingMode: i32, sizingValue: f64
): f64 {
  return simulate(STRAT_RSI_ATR_MOMENTUM, n, a, b, c, q1, q2, q3, q4, tol, opt, atrPtr, longShort, initialCash, slMode, slValue, tpMode, tpValue, sizingMode, sizingValue);
}

/**
 * Run one backtest over the loaded bars. Scalars only; results go to the summary, and when record != 0 also to the
 * equity column and the trade records (optimisation trials, record = 0, read the summary alone). Returns final equity.
 * strategy: STRAT_*; p0..p7: strategy parameters in registry order; longShort: 0 long-only, 1 long-short;
 * slMode/tpMode: LEVEL_*; atrPeriod: ATR period for ATR levels; sizingMode: SIZING_*; sizingValue: fraction or amount.
 */
export function run(
  strategy: i32, p0: f64, p1: f64, p2: f64, p3: f64, p4: f64, p5: f64, p6: f64, p7: f64,
  longShort: i32, fee: f64, slippage: f64, initialCash: f64,
  slMode: i32, slValue: f64, tpMode: i32, tpValue: f64, atrPeriod: i32,
  sizingMode: i32, sizingValue: f64, record: i32
): f64 {
  return runWith(true, strategy, p0, p1, p2, p3, p4, p5, p6, p7, longShort, fee, slippage, initialCash,
    slMode, slValue, tpMode, tpValue, atrPeriod, sizingMode, sizingValue, record);
}

/**
 * run() through the generic path only: the signal pre-pass (computeSignals) into the flag bytes, then the loop that
 * reads them. Same arguments and results as run(); the test of the inline signals (tests/unit/engine/
 * inline-signals.test.ts) compares the two bit for bit.
 */
export function runFlags(
  strategy: i32, p0: f64, p1: f64, p2: f64, p3: f64, p4: f64, p5: f64, p6: f64, p7: f64,
  longShort: i32, fee: f64, slippage: f64, initialCash: f64,
  slMode: i32, slValue: f64, tpMode: i32, tpValue: f64, atrPeriod: i32,
  sizingMode: i32, sizingValue: f64, record: i32
): f64 {
  return runWith(false, strategy, p0, p1, p2, p3, p4, p5, p6, p7, longShort, fee, slippage, initialCash,
    slMode, slValue, tpMode, tpValue, atrPeriod, sizingMode, sizingValue, record);
}

// @ts-ignore: decorator
@inline function runWith(
  inlineSignals: bool, strategy: i32, p0: f64, p1: f64, p2: f64, p3: f64, p4: f64, p5: f64, p6: f64, p7: f64,
  longShort: i32, fee: f64, slippage: f64, initialCash: f64,
  slMode: i32, slValue: f64, tpMode: i32, tpValue: f64, atrPeriod: i32,
  sizingMode: i32, sizingValue: f64, record: i32
): f64 {
  const n = barCount();
  nextStamp();
  cash = initialCash;
  units = 0;
  pos = 0;
  entryPrice = 0;
  entryFee = 0;
  entryBar = 0;
  slLevel = NaN;
  tpLevel = NaN;
  nTrades = 0;
  nWins = 0;
  nLosses = 0;
  grossProfit = 0;
  grossLoss = 0;
  totalFees = 0;
  sumPr = 0;
  sumPr2 = 0;
  feeRate = fee;
  slip = slippage;
  recordTrades = record != 0;

  prevDayEq = NaN;
  dN = 0;
  dSum = 0;
  dSq = 0;
  dDown = 0;
  pendingAtr = NaN;

  // Indicator buffers per strategy (cached across runs by kind/source/period).
  let a: usize = 0;
  let b: usize = 0;
  let c: usize = 0;
  const ip0 = <i32>p0;
  const ip1 = <i32>p1;
  if (strategy == STRAT_SMA_CROSS) {
    a = indicator(IND_SMA, COL_CLOSE, ip0);
    b = indicator(IND_SMA, COL_CLOSE, ip1);
  } else if (strategy == STRAT_RSI_MEAN_REVERSION) {
    a = indicator(IND_RSI, COL_CLOSE, ip0);
  } else if (strategy == STRAT_EMA_ATR_BREAKOUT) {
    a = indicator(IND_EMA, COL_CLOSE, ip0);
    b = indicator(IND_ATR, COL_CLOSE, ip1);
    if (p3 != 0) c = indicator(IND_SMA, COL_VOLUME, <i32>p4);
  } else if (strategy == STRAT_RSI_ATR_MOMENTUM) {
    a = indicator(IND_RSI, COL_CLOSE, ip0);
    b = indicator(IND_ATR, COL_CLOSE, ip1);
  }
  let atrPtr: usize = 0;
  if (slMode == LEVEL_ATR || tpMode == LEVEL_ATR) atrPtr = indicator(IND_ATR, COL_CLOSE, atrPeriod);

  // The four built-in strategies: signals evaluated inside the loop (sigState/sigBits: computeSignals' bits).
  // Tie bands as in computeSignals: |SMA|, |close| <= closeScale; RSI within [0, 100] and levels within [1, 99].
  // Each loop is its own function, called through the function table so that the optimiser keeps it apart (one
  // compact function per strategy for the engine's register allocator).
  let sim: SimLoop = simFlags;
  let q1: f64 = 0, q2: f64 = 0, q3: f64 = 0, q4: f64 = 0, tol: f64 = 0;
  let opt = false;
  if (inlineSignals && strategy == STRAT_SMA_CROSS) {
    sim = simSmaCross;
    tol = 2.000001e-9 * closeScale;
  } else if (inlineSignals && strategy == STRAT_RSI_MEAN_REVERSION) {
    sim = simRsiMeanReversion;
    q1 = p1;
    q2 = p2;
    tol = 2.000001e-9 * Math.max(100.0, Math.max(Math.abs(p1), Math.abs(p2)));
    opt = p3 != 0;
  } else if (inlineSignals && strategy == STRAT_EMA_ATR_BREAKOUT) {
    sim = simEmaAtrBreakout;
    q2 = p2;
    tol = 2.000001e-9 * closeScale;
    opt = p3 != 0;
  } else if (inlineSignals && strategy == STRAT_RSI_ATR_MOMENTUM) {
    sim = simRsiAtrMomentum;
    q1 = p2;
    q2 = p3;
    q3 = p4;
    q4 = p5;
  } else {
    // Any other strategy: a pre-pass writes its signal bits into the flag bytes (SIG_*, bit 7 kept; layout.ts
    // flagsBase()), then the generic loop reads them. Signal producers hook in here.
    if (strategy == STRAT_POLY_BANDS) polyBandsSignals(ip0, ip1, p2, <i32>p3);
    else if (strategy == STRAT_RULES) {
      // ---- rules hook: the host's signal plan (assembly/rules.ts); a malformed plan signals nothing ----
      if (!rulesSignals()) computeSignals(0, 0, 0, 0, 0, 0, 0, 0, 0, false, flagsBase(), n, colPtr(COL_CLOSE), colPtr(COL_VOLUME), closeScale);
    } else computeSignals(strategy, a, b, c, p1, p2, p3, p4, p5, p3 != 0 && strategy == STRAT_EMA_ATR_BREAKOUT, flagsBase(), n, colPtr(COL_CLOSE), colPtr(COL_VOLUME), closeScale);
  }
  return sim(n, a, b, c, q1, q2, q3, q4, tol, opt, atrPtr, longShort, initialCash, slMode, slValue, tpMode, tpValue, sizingMode, sizingValue);
}
