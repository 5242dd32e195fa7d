// The portfolio simulation loop: one strategy over M markets of one interval, one account, K max positions,
// leverage and liquidation, circuit breakers. Semantics: src/lib/engine/SEMANTICS.md "Portfolios".
//
// This module owns its own memory arena (an engine instance holds either a single dataset (layout.ts) or a
// portfolio, never both: the host creates one instance per use). Layout from `pBase`, all offsets 16-byte aligned:
//   header   i32[M] start (first local bar of each market in the concatenated columns), i32[M] count
//   time     f64[T] union open times (ms UTC)          dayEnd u8[T] (1 on the last union bar of each UTC day)
//   equity   f64[T] portfolio equity at each close      openPos f64[T] positions open at the end of each bar
//   columns  f64[N] open, high, low, close, volume (markets concatenated, N = sum of counts)
//   uidx     i32[N] union bar of each local bar         ind      f64[N] x 4 (strategy buffers a, b, c and ATR)
//   flags    u8[N] signal bits per local bar           state    f64[M * MS] per-market state and attribution
//   summary  f64[SUMMARY_LEN]    cursor, present-market, present-bar and held-market lists i32[M] each
//   rules    f64[M * 3] per market: LOT_SIZE step, PRICE_FILTER tick, MIN_NOTIONAL (0 = none)
//   records  f64[REC] each, growable (trades and events)
import { SUMMARY_LEN, S_FINAL_EQUITY, S_N_TRADES, S_N_WINS, S_GROSS_PROFIT, S_GROSS_LOSS, S_TOTAL_FEES,
  S_MAX_DD_RATIO, S_AMBIGUOUS_BARS, S_EXPOSURE_BARS, S_DAILY_N, S_DAILY_SUM, S_DAILY_SUMSQ, S_DAILY_DOWN_SUMSQ,
  S_MAX_DD_AMOUNT, S_SUM_PROFIT_RATIO, S_SUM_PROFIT_RATIO_SQ, S_N_LOSSES } from './layout';
import { ld, st } from './layout';
import { writeSummary } from './layout';
import { smaInto, emaInto, rsiInto, atrInto } from './indicators';
import {
  computeSignals, closeScaleOf, STRAT_SMA_CROSS, STRAT_RSI_MEAN_REVERSION, STRAT_EMA_ATR_BREAKOUT, STRAT_RSI_ATR_MOMENTUM,
  LEVEL_FRACTION, LEVEL_ATR, SIZING_FIXED_NOTIONAL, SIZING_RISK,
  SIG_ENTER_LONG, SIG_EXIT_LONG, SIG_ENTER_SHORT, SIG_EXIT_SHORT
} from './engine';

export const SIZING_EQUITY_SPLIT: i32 = 3;

// Summary fields beyond the single-market ones.
export const S_N_RECORDS: i32 = 17;
export const S_N_EVENTS: i32 = 18;
export const S_N_LIQUIDATIONS: i32 = 19;
export const S_N_ROUNDED: i32 = 20;
export const S_N_SKIPPED: i32 = 21;

// Record layout (f64 each, REC per record). Trades: tag 0; events: tag 1.
export const REC: i32 = 12;
// trade: [0, market, dir, entryBar, exitBar, entryPrice, exitPrice, size, entryFee, exitFee, pnl, reason]
// event: [1, kind (0 max-drawdown, 1 consecutive-losses), action (0 trip, 1 release), bar, value, 0...]
const REASON_SIGNAL: f64 = 0;
const REASON_STOP_LOSS: f64 = 1;
const REASON_TAKE_PROFIT: f64 = 2;
const REASON_END_OF_DATA: f64 = 3;
const REASON_CIRCUIT_BREAKER: f64 = 4;
const REASON_LIQUIDATION: f64 = 5;

// Per-market state (f64 fields, MS per market).
export const MS: i32 = 24;
const M_POS: i32 = 0; // +1 long, -1 short, 0 flat
const M_UNITS: i32 = 1;
const M_ENTRY_PRICE: i32 = 2;
const M_ENTRY_FEE: i32 = 3;
const M_ENTRY_BAR: i32 = 4;
const M_SL: i32 = 5;
const M_TP: i32 = 6;
const M_LIQ: i32 = 7;
const M_PEND_EXIT: i32 = 8; // 0 none, 1 signal, 2 circuit breaker
const M_PEND_ENTRY: i32 = 9; // 0 none, +1 long, -1 short
const M_PEND_ATR: i32 = 10;
const M_LAST_CLOSE: i32 = 11;
const M_EXPO_FLAG: i32 = 13; // 1 once this bar's exposure is counted
// attribution (read by the host)
export const M_A_PNL: i32 = 16;
export const M_A_TRADES: i32 = 17;
export const M_A_WINS: i32 = 18;
export const M_A_FEES: i32 = 19;
export const M_A_EXPOSURE: i32 = 20;

const DAY_MS: f64 = 86400000.0;
const DUST: f64 = 1e-6;

let pM: i32 = 0;
let pT: i32 = 0;
let pN: i32 = 0;
let pBase: usize = 0;
let oStart: usize = 0;
let oCount: usize = 0;
let oTime: usize = 0;
let oDay: usize = 0;
let oEquity: usize = 0;
let oOpenPos: usize = 0;
let oCols: usize = 0;
let oUidx: usize = 0;
let oInd: usize = 0;
let oFlags: usize = 0;
let oState: usize = 0;
let oSummary: usize = 0;
let oRecords: usize = 0;
let oCur: usize = 0;
let oPm: usize = 0;
let oPg: usize = 0;
let oHeld: usize = 0;
let oRules: usize = 0;
let nHeld: i32 = 0;

// @ts-ignore: decorator
@inline function ldi(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}
// @ts-ignore: decorator
@inline function align16(x: usize): usize {
  return (x + 15) & ~(<usize>15);
}
// @ts-ignore: decorator
@inline function ms(m: i32): usize {
  return oState + ((<usize>m * <usize>MS) << 3);
}
// @ts-ignore: decorator
@inline function colOf(c: i32): usize {
  return oCols + ((<usize>c * <usize>pN) << 3);
}
// @ts-ignore: decorator
@inline function indOf(k: i32): usize {
  return oInd + ((<usize>k * <usize>pN) << 3);
}

function ensureMemory(end: usize): bool {
  const have = <usize>memory.size() << 16;
  if (end > have) {
    const pages = <i32>((end - have + 0xffff) >> 16);
    if (memory.grow(pages) < 0) return false;
  }
  return true;
}

/**
 * Lay out a portfolio of `m` markets, `t` union bars and `n` bars in all. Returns the base offset, 0 when memory
 * cannot grow. The host then writes pfStartPtr/pfCountPtr (i32[m]), pfTimePtr (f64[t]), pfColPtr(0..4) (f64[n]),
 * pfUnionIndexPtr (i32[n]) and calls pfPrepare().
 */
export function pfAllocate(m: i32, t: i32, n: i32): usize {
  pM = m;
  pT = t;
  pN = n;
  pBase = align16(__heap_base);
  oStart = pBase;
  oCount = align16(oStart + (<usize>m << 2));
  oTime = align16(oCount + (<usize>m << 2));
  oDay = align16(oTime + (<usize>t << 3));
  oEquity = align16(oDay + <usize>t);
  oOpenPos = oEquity + (<usize>t << 3);
  oCols = oOpenPos + (<usize>t << 3);
  oUidx = oCols + ((<usize>5 * <usize>n) << 3);
  oInd = align16(oUidx + (<usize>n << 2));
  oFlags = oInd + ((<usize>4 * <usize>n) << 3);
  oState = align16(oFlags + <usize>n);
  oSummary = oState + ((<usize>m * <usize>MS) << 3);
  oCur = align16(oSummary + (<usize>SUMMARY_LEN << 3));
  oPm = align16(oCur + (<usize>m << 2));
  oPg = align16(oPm + (<usize>m << 2));
  oHeld = align16(oPg + (<usize>m << 2));
  oRules = align16(oHeld + (<usize>m << 2));
  oRecords = align16(oRules + ((<usize>m * 3) << 3));
  // Room for a first batch of records; more is grown on demand.
  if (!ensureMemory(oRecords + ((<usize>(t + 64) * <usize>REC) << 3))) return 0;
  return pBase;
}

/** i32[M]: first local bar of each market in the concatenated columns. */
export function pfStartPtr(): usize { return oStart; }
/** i32[M]: number of bars of each market. */
export function pfCountPtr(): usize { return oCount; }
/** f64[T]: union open times, ms UTC, strictly ascending. */
export function pfTimePtr(): usize { return oTime; }
/** f64[N] column c: 0 open, 1 high, 2 low, 3 close, 4 volume (markets concatenated in order). */
export function pfColPtr(c: i32): usize { return colOf(c); }
/** i32[N]: union bar index of each local bar (ascending within a market). */
export function pfUnionIndexPtr(): usize { return oUidx; }
/** f64[T]: portfolio equity of the last run. */
export function pfEquityPtr(): usize { return oEquity; }
/** f64[T]: positions open at the end of each bar (after its close-outs), last run. */
export function pfOpenPositionsPtr(): usize { return oOpenPos; }
/** f64[M * MS]: per-market state; attribution fields M_A_* (pnl 16, trades 17, wins 18, fees 19, exposure bars 20). */
export function pfStatePtr(): usize { return oState; }
/** f64[SUMMARY_LEN]: summary of the last run (layout.ts S_* fields, plus 17 records, 18 events, 19 liquidations, 20 orders changed and 21 skipped by exchange rules). */
export function pfSummaryPtr(): usize { return oSummary; }
/** f64[M * 3]: per market LOT_SIZE step size, PRICE_FILTER tick size, MIN_NOTIONAL (0 = no rule); applied when pfRun's rules != 0. */
export function pfRulesPtr(): usize { return oRules; }
/** f64[REC] records of the last run (trades tag 0, events tag 1), in the order they happened. */
export function pfRecordsPtr(): usize { return oRecords; }

/** Mark the last union bar of each UTC day. Call after writing the union times. */
export function pfPrepare(): void {
  for (let u = 0; u < pT; u++) {
    const last = u == pT - 1 || Math.floor(ld(oTime, u + 1) / DAY_MS) != Math.floor(ld(oTime, u) / DAY_MS);
    store<u8>(oDay + <usize>u, last ? 1 : 0);
  }
}

// ---- run state ----
let cash: f64 = 0;
let feeRate: f64 = 0; // taker: market, stop, end-of-data, breaker and liquidation fills
let makerRate: f64 = 0; // limit fills (take-profit)
let useRules: bool = false;
let nRounded: i32 = 0;
let nSkipped: i32 = 0;
let slip: f64 = 0;
let lev: f64 = 1;
let mmr: f64 = 0;
let record: bool = true;
let nRec: i32 = 0;
let nTrades: i32 = 0;
let nWins: i32 = 0;
let nLosses: i32 = 0;
let nEvents: i32 = 0;
let nLiq: i32 = 0;
let grossProfit: f64 = 0;
let grossLoss: f64 = 0;
let totalFees: f64 = 0;
let sumPr: f64 = 0;
let sumPr2: f64 = 0;
let openCount: i32 = 0;
let clN: i32 = 0;
let clFactorCfg: f64 = 1;
let clCount: i32 = 0;
let clTripped: bool = false;
let factor: f64 = 1;

// @ts-ignore: decorator
@inline function sti(p: usize, i: i32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}

let nPendExit: i32 = 0;
let nPendEntry: i32 = 0;

/** Set market state's pending exit (0 none, 1 signal, 2 breaker), keeping the count of pending exits. */
function setPendExit(s: usize, v: f64): void {
  const old = ld(s, M_PEND_EXIT);
  if (old == 0 && v != 0) nPendExit++;
  else if (old != 0 && v == 0) nPendExit--;
  st(s, M_PEND_EXIT, v);
}

/** Set market state's pending entry (0 none, +1 long, -1 short), keeping the count of pending entries. */
function setPendEntry(s: usize, v: f64): void {
  const old = ld(s, M_PEND_ENTRY);
  if (old == 0 && v != 0) nPendEntry++;
  else if (old != 0 && v == 0) nPendEntry--;
  st(s, M_PEND_ENTRY, v);
}

/** Add market m to the held list (kept in symbol order). */
function holdAdd(m: i32): void {
  let i = nHeld;
  while (i > 0 && ldi(oHeld, i - 1) > m) {
    sti(oHeld, i, ldi(oHeld, i - 1));
    i--;
  }
  sti(oHeld, i, m);
  nHeld++;
}

/** Remove market m from the held list. */
function holdRemove(m: i32): void {
  let i = 0;
  while (i < nHeld && ldi(oHeld, i) != m) i++;
  for (; i < nHeld - 1; i++) sti(oHeld, i, ldi(oHeld, i + 1));
  nHeld--;
}

/** cash + Σ signedUnits × last close over the held markets, in symbol order. */
function markEquity(): f64 {
  let eq = cash;
  for (let i = 0; i < nHeld; i++) {
    const s = ms(ldi(oHeld, i));
    const pos = ld(s, M_POS);
    if (pos > 0) eq += ld(s, M_UNITS) * ld(s, M_LAST_CLOSE);
    else if (pos < 0) eq -= ld(s, M_UNITS) * ld(s, M_LAST_CLOSE);
  }
  return eq;
}

function recordAt(k: i32): usize {
  const end = oRecords + ((<usize>(k + 1) * <usize>REC) << 3);
  if (!ensureMemory(end)) unreachable();
  return oRecords + ((<usize>k * <usize>REC) << 3);
}

function addEvent(kind: i32, action: i32, bar: i32, value: f64): void {
  nEvents++;
  if (!record) return;
  const r = recordAt(nRec++);
  st(r, 0, 1);
  st(r, 1, <f64>kind);
  st(r, 2, <f64>action);
  st(r, 3, <f64>bar);
  st(r, 4, value);
  for (let i = 5; i < REC; i++) st(r, i, 0);
}

/** Close market m's position at `rawPrice` (slippage applied): exit fee, cash, records, consecutive-losses breaker. */
function closeAt(m: i32, u: i32, rawPrice: f64, reason: f64): void {
  const s = ms(m);
  const pos = ld(s, M_POS);
  const un = ld(s, M_UNITS);
  const ep = ld(s, M_ENTRY_PRICE);
  const ef = ld(s, M_ENTRY_FEE);
  let x: f64;
  let fee: f64;
  let pnl: f64;
  const rate = reason == REASON_TAKE_PROFIT ? makerRate : feeRate;
  if (pos > 0) {
    x = rawPrice * (1.0 - slip);
    fee = un * x * rate;
    cash += un * x - fee;
    pnl = un * (x - ep) - ef - fee;
  } else {
    x = rawPrice * (1.0 + slip);
    fee = un * x * rate;
    cash -= un * x + fee;
    pnl = un * (ep - x) - ef - fee;
  }
  totalFees += fee;
  if (pnl > 0) {
    nWins++;
    grossProfit += pnl;
    st(s, M_A_WINS, ld(s, M_A_WINS) + 1.0);
  } else if (pnl < 0) {
    nLosses++;
    grossLoss += pnl;
  }
  const pr = pnl / (un * ep);
  sumPr += pr;
  sumPr2 += pr * pr;
  st(s, M_A_PNL, ld(s, M_A_PNL) + pnl);
  st(s, M_A_TRADES, ld(s, M_A_TRADES) + 1.0);
  st(s, M_A_FEES, ld(s, M_A_FEES) + fee);
  if (reason == REASON_LIQUIDATION) nLiq++;
  if (record) {
    const r = recordAt(nRec++);
    st(r, 0, 0);
    st(r, 1, <f64>m);
    st(r, 2, pos);
    st(r, 3, ld(s, M_ENTRY_BAR));
    st(r, 4, <f64>u);
    st(r, 5, ep);
    st(r, 6, x);
    st(r, 7, un);
    st(r, 8, ef);
    st(r, 9, fee);
    st(r, 10, pnl);
    st(r, 11, reason);
  }
  nTrades++;
  st(s, M_POS, 0);
  st(s, M_UNITS, 0);
  st(s, M_SL, NaN);
  st(s, M_TP, NaN);
  st(s, M_LIQ, NaN);
  openCount--;
  holdRemove(m);
  // consecutive-losses breaker: a counter over closed trades in closing order.
  if (clN > 0) {
    if (pnl < 0) {
      clCount++;
      if (!clTripped && clCount >= clN) {
        clTripped = true;
        factor = clFactorCfg;
        addEvent(1, 0, u, <f64>clN);
      }
    } else if (pnl > 0) {
      if (clTripped) {
        clTripped = false;
        factor = 1.0;
        addEvent(1, 1, u, <f64>clCount);
      }
      clCount = 0;
    }
  }
}

/** Open a position in market m at `rawPrice` (slippage applied) per the sizing rule; false when nothing opens. */
function openAt(
  m: i32, bar: i32, dir: i32, rawPrice: f64, atr: f64, eOpen: f64,
  slMode: i32, slValue: f64, tpMode: i32, tpValue: f64, sizingMode: i32, sizingValue: f64, k: i32
): bool {
  if (!(cash > DUST)) return false;
  const p = dir > 0 ? rawPrice * (1.0 + slip) : rawPrice * (1.0 - slip);
  let sl: f64 = NaN;
  let tp: f64 = NaN;
  if (slMode == LEVEL_FRACTION) sl = dir > 0 ? p * (1.0 - slValue) : p * (1.0 + slValue);
  else if (slMode == LEVEL_ATR) sl = dir > 0 ? p - slValue * atr : p + slValue * atr;
  if (tpMode == LEVEL_FRACTION) tp = dir > 0 ? p * (1.0 + tpValue) : p * (1.0 - tpValue);
  else if (tpMode == LEVEL_ATR) tp = dir > 0 ? p + tpValue * atr : p - tpValue * atr;
  const pf = p * (1.0 + feeRate);
  let un: f64;
  if (sizingMode == SIZING_FIXED_NOTIONAL) {
    un = (lev * (sizingValue < cash ? sizingValue : cash)) / pf;
  } else if (sizingMode == SIZING_EQUITY_SPLIT) {
    const share = eOpen / <f64>k;
    un = (lev * (share < cash ? share : cash)) / pf;
  } else if (sizingMode == SIZING_RISK) {
    const allIn = (lev * cash) / pf;
    const dist = Math.abs(p - sl);
    if (dist > 0 && dist < Infinity) {
      un = (sizingValue * eOpen) / dist;
      if (un > allIn) un = allIn;
    } else un = allIn;
  } else {
    const want = sizingValue * eOpen;
    un = (lev * (want < cash ? want : cash)) / pf;
  }
  un = un * factor;
  if (!(un > 0 && un < Infinity)) return false;
  if (useRules) {
    // Exchange rules (SEMANTICS.md "Exchange rules"): units floored to LOT_SIZE, levels to PRICE_FILTER against the
    // trader, orders under MIN_NOTIONAL skipped.
    const r = oRules + ((<usize>m * 3) << 3);
    const stepSize = ld(r, 0);
    const tick = ld(r, 1);
    const minNotional = ld(r, 2);
    let changed = false;
    if (stepSize > 0) {
      const floored = Math.floor(un / stepSize + 1e-9) * stepSize;
      if (floored != un) changed = true;
      un = floored;
    }
    if (!(un > 0) || un * p < minNotional) {
      nSkipped++;
      return false;
    }
    if (tick > 0) {
      if (sl == sl) {
        const r2 = dir > 0 ? Math.floor(sl / tick + 1e-9) * tick : Math.ceil(sl / tick - 1e-9) * tick;
        if (r2 != sl) changed = true;
        sl = r2;
      }
      if (tp == tp) {
        const r2 = dir > 0 ? Math.floor(tp / tick + 1e-9) * tick : Math.ceil(tp / tick - 1e-9) * tick;
        if (r2 != tp) changed = true;
        tp = r2;
      }
    }
    if (changed) nRounded++;
  }
  const fee = un * p * feeRate;
  if (dir > 0) cash -= un * p + fee;
  else cash += un * p - fee;
  totalFees += fee;
  const s = ms(m);
  st(s, M_A_FEES, ld(s, M_A_FEES) + fee);
  st(s, M_POS, <f64>dir);
  st(s, M_UNITS, un);
  st(s, M_ENTRY_PRICE, p);
  st(s, M_ENTRY_FEE, fee);
  st(s, M_ENTRY_BAR, <f64>bar);
  st(s, M_SL, sl);
  st(s, M_TP, tp);
  // Liquidation price (positions opened with L > 1): SEMANTICS.md "Liquidation".
  let liq: f64 = NaN;
  if (lev > 1.0) liq = dir > 0 ? (p * (1.0 - 1.0 / lev)) / (1.0 - mmr) : (p * (1.0 + 1.0 / lev)) / (1.0 + mmr);
  st(s, M_LIQ, liq);
  openCount++;
  holdAdd(m);
  return true;
}

/**
 * Run one portfolio backtest over the loaded markets. Scalars only; results go to the equity and open-positions
 * arrays, the records (when record != 0), the per-market state and the summary. Returns final equity.
 * strategy, p0..p7, longShort, fee, slippage, initialCash, levels, atrPeriod: as engine.run. sizingMode: 0 equity
 * fraction, 1 fixed notional, 2 risk, 3 equity split; k: max positions; leverage >= 1; mmrIn: maintenance margin
 * ratio; mdThreshold (0 = off) and mdCooldown: max-drawdown breaker; clCountIn (0 = off) and clFactor:
 * consecutive-losses breaker; makerFee: fee rate of limit fills (take-profit); rules != 0: apply the exchange rules.
 */
export function pfRun(
  strategy: i32, p0: f64, p1: f64, p2: f64, p3: f64, p4: f64, p5: f64, p6: f64, p7: f64,
  longShort: i32, fee: f64, slippage: f64, initialCash: f64,
  slMode: i32, slValue: f64, tpMode: i32, tpValue: f64, atrPeriod: i32,
  sizingMode: i32, sizingValue: f64, k: i32, leverage: f64, mmrIn: f64,
  mdThreshold: f64, mdCooldown: i32, clCountIn: i32, clFactor: f64, recordIn: i32,
  makerFee: f64, rules: i32
): f64 {
  const M = pM;
  const T = pT;
  cash = initialCash;
  feeRate = fee;
  makerRate = makerFee;
  useRules = rules != 0;
  nRounded = 0;
  nSkipped = 0;
  slip = slippage;
  lev = leverage;
  mmr = mmrIn;
  record = recordIn != 0;
  nRec = 0;
  nTrades = 0;
  nWins = 0;
  nLosses = 0;
  nEvents = 0;
  nLiq = 0;
  grossProfit = 0;
  grossLoss = 0;
  totalFees = 0;
  sumPr = 0;
  sumPr2 = 0;
  openCount = 0;
  clN = clCountIn;
  clFactorCfg = clFactor;
  clCount = 0;
  clTripped = false;
  factor = 1.0;

  const useAtr = slMode == LEVEL_ATR || tpMode == LEVEL_ATR;
  const needEOpen = sizingMode != SIZING_FIXED_NOTIONAL;
  const oPtr = colOf(0);
  const hPtr = colOf(1);
  const lPtr = colOf(2);
  const cPtr = colOf(3);
  const vPtr = colOf(4);

  // Per market: indicators and the signal pre-pass on the market's own bars (same code as a single market).
  const ip0 = <i32>p0;
  const ip1 = <i32>p1;
  for (let m = 0; m < M; m++) {
    const start = ldi(oStart, m);
    const n = ldi(oCount, m);
    const off = <usize>start << 3;
    const a = indOf(0) + off;
    const b = indOf(1) + off;
    const c = indOf(2) + off;
    const at = indOf(3) + off;
    const cl = cPtr + off;
    const hi = hPtr + off;
    const lo = lPtr + off;
    const vo = vPtr + off;
    if (strategy == STRAT_SMA_CROSS) {
      smaInto(cl, a, n, ip0);
      smaInto(cl, b, n, ip1);
    } else if (strategy == STRAT_RSI_MEAN_REVERSION) {
      rsiInto(cl, a, n, ip0);
    } else if (strategy == STRAT_EMA_ATR_BREAKOUT) {
      emaInto(cl, a, n, ip0);
      atrInto(hi, lo, cl, b, n, ip1);
      if (p3 != 0) smaInto(vo, c, n, <i32>p4);
    } else if (strategy == STRAT_RSI_ATR_MOMENTUM) {
      rsiInto(cl, a, n, ip0);
      atrInto(hi, lo, cl, b, n, ip1);
    }
    if (useAtr) atrInto(hi, lo, cl, at, n, atrPeriod);
    const fl = oFlags + <usize>start;
    for (let j = 0; j < n; j++) store<u8>(fl + <usize>j, 0);
    computeSignals(strategy, a, b, c, p1, p2, p3, p4, p5, p3 != 0 && strategy == STRAT_EMA_ATR_BREAKOUT, fl, n, cl, vo, closeScaleOf(cl, n));
    const s = ms(m);
    for (let i = 0; i < MS; i++) st(s, i, 0);
    st(s, M_SL, NaN);
    st(s, M_TP, NaN);
    st(s, M_LIQ, NaN);
    st(s, M_PEND_ATR, NaN);
    st(s, M_LAST_CLOSE, NaN);
    sti(oCur, m, 0);
  }
  nPendExit = 0;
  nPendEntry = 0;
  nHeld = 0;

  const enterMaskFlat: u8 = longShort != 0 ? SIG_ENTER_LONG | SIG_ENTER_SHORT : SIG_ENTER_LONG;
  let mdArmed = mdThreshold > 0;
  const mdOn = mdThreshold > 0;
  let mdRelease: i32 = -1;
  let mdPeak: f64 = initialCash;
  let ambiguous: i32 = 0;
  let exposure: i32 = 0;
  let peak: f64 = initialCash;
  let maxDd: f64 = 0;
  let maxDdAmount: f64 = 0;
  let prevDayEq: f64 = NaN;
  let dN: f64 = 0;
  let dSum: f64 = 0;
  let dSq: f64 = 0;
  let dDown: f64 = 0;

  for (let u = 0; u < T; u++) {
    const heldAtStart = openCount > 0;
    let openedNow = false;
    // Markets with a bar at u, in symbol order.
    let np = 0;
    for (let m = 0; m < M; m++) {
      const j = ldi(oCur, m);
      if (j >= ldi(oCount, m)) continue;
      const g = ldi(oStart, m) + j;
      if (ldi(oUidx, g) != u) continue;
      sti(oPm, np, m);
      sti(oPg, np, g);
      np++;
    }
    // 1a. Exits at the open, symbol order.
    if (nPendExit > 0) {
      for (let q = 0; q < np; q++) {
        const m = ldi(oPm, q);
        const s = ms(m);
        const pe = ld(s, M_PEND_EXIT);
        if (pe == 0) continue;
        if (ld(s, M_POS) != 0) {
          st(s, M_A_EXPOSURE, ld(s, M_A_EXPOSURE) + 1.0); // held at this bar's open
          st(s, M_EXPO_FLAG, 1.0);
          closeAt(m, u, ld(oPtr, ldi(oPg, q)), pe == 2 ? REASON_CIRCUIT_BREAKER : REASON_SIGNAL);
        }
        setPendExit(s, 0);
      }
    }
    // 1b. Entries at the open, symbol order.
    if (nPendEntry > 0) {
      let eOpen: f64 = cash;
      let eOpenDone = false;
      for (let q = 0; q < np; q++) {
        const m = ldi(oPm, q);
        const s = ms(m);
        const pd = ld(s, M_PEND_ENTRY);
        if (pd == 0) continue;
        setPendEntry(s, 0);
        if (openCount >= k || (mdOn && !mdArmed) || ld(s, M_POS) != 0) continue;
        if (needEOpen && !eOpenDone) {
          // E_open: cash + positions at this bar's opens (markets without a bar: their last close).
          eOpen = cash;
          for (let i = 0; i < nHeld; i++) {
            const r = ldi(oHeld, i);
            const sr = ms(r);
            const pr = ld(sr, M_POS);
            let price = ld(sr, M_LAST_CLOSE);
            const jr = ldi(oCur, r);
            if (jr < ldi(oCount, r)) {
              const gr = ldi(oStart, r) + jr;
              if (ldi(oUidx, gr) == u) price = ld(oPtr, gr);
            }
            eOpen += pr > 0 ? ld(sr, M_UNITS) * price : -ld(sr, M_UNITS) * price;
          }
          eOpenDone = true;
        }
        if (openAt(m, u, <i32>pd, ld(oPtr, ldi(oPg, q)), ld(s, M_PEND_ATR), eOpen, slMode, slValue, tpMode, tpValue, sizingMode, sizingValue, k))
          openedNow = true;
      }
    }
    // 2. Levels: stop-loss / liquidation (adverse, nearer one first), then take-profit; symbol order.
    if (openCount > 0) {
      for (let i = 0; i < nHeld; i++) {
        const m = ldi(oHeld, i);
        const jm = ldi(oCur, m);
        if (jm >= ldi(oCount, m)) continue;
        const g = ldi(oStart, m) + jm;
        if (ldi(oUidx, g) != u) continue;
        const s = ms(m);
        const pos = ld(s, M_POS);
        // exposure: a position open at any moment of the bar
        if (ld(s, M_EXPO_FLAG) == 0) st(s, M_A_EXPOSURE, ld(s, M_A_EXPOSURE) + 1.0);
        st(s, M_EXPO_FLAG, 1.0);
        const o = ld(oPtr, g);
        const h = ld(hPtr, g);
        const l = ld(lPtr, g);
        const sl = ld(s, M_SL);
        const tp = ld(s, M_TP);
        const lq = ld(s, M_LIQ);
        let adv = sl;
        let advReason = REASON_STOP_LOSS;
        let exitAt: f64 = NaN;
        let reason: f64 = REASON_STOP_LOSS;
        if (pos > 0) {
          if (lq == lq && !(sl >= lq)) {
            adv = lq;
            advReason = REASON_LIQUIDATION;
          }
          if (o <= adv) {
            exitAt = o;
            reason = advReason;
          } else if (l <= adv) {
            if (h >= tp) ambiguous++;
            exitAt = adv;
            reason = advReason;
          } else if (o >= tp) {
            exitAt = o;
            reason = REASON_TAKE_PROFIT;
          } else if (h >= tp) {
            exitAt = tp;
            reason = REASON_TAKE_PROFIT;
          }
        } else {
          if (lq == lq && !(sl <= lq)) {
            adv = lq;
            advReason = REASON_LIQUIDATION;
          }
          if (o >= adv) {
            exitAt = o;
            reason = advReason;
          } else if (h >= adv) {
            if (l <= tp) ambiguous++;
            exitAt = adv;
            reason = advReason;
          } else if (o <= tp) {
            exitAt = o;
            reason = REASON_TAKE_PROFIT;
          } else if (l <= tp) {
            exitAt = tp;
            reason = REASON_TAKE_PROFIT;
          }
        }
        if (exitAt == exitAt) {
          closeAt(m, u, exitAt, reason); // removes m from the held list
          i--;
        }
      }
    }
    // 3. Mark (markets without a bar at u keep their last close).
    for (let q = 0; q < np; q++) st(ms(ldi(oPm, q)), M_LAST_CLOSE, ld(cPtr, ldi(oPg, q)));
    let eq = cash;
    if (openCount > 0) eq = markEquity();
    // 4. Max-drawdown breaker.
    if (mdOn) {
      if (!mdArmed && u == mdRelease) {
        mdArmed = true;
        mdPeak = eq;
        addEvent(0, 1, u, eq);
      } else if (mdArmed) {
        if (eq > mdPeak) mdPeak = eq;
        const dd = 1.0 - eq / mdPeak;
        if (dd >= mdThreshold) {
          mdArmed = false;
          mdRelease = u + mdCooldown;
          addEvent(0, 0, u, dd);
          for (let m = 0; m < M; m++) {
            const s = ms(m);
            setPendEntry(s, 0);
            if (ld(s, M_POS) != 0) setPendExit(s, 2);
          }
        }
      }
    }
    // 5. Decisions at the close; end-of-data close-outs.
    let closedOut = false;
    const canEnter = !mdOn || mdArmed;
    for (let q = 0; q < np; q++) {
      const m = ldi(oPm, q);
      const g = ldi(oPg, q);
      const s = ms(m);
      const j = ldi(oCur, m);
      const pos = ld(s, M_POS);
      if (u == T - 1 || j == ldi(oCount, m) - 1) {
        if (pos != 0) {
          closeAt(m, u, ld(cPtr, g), REASON_END_OF_DATA);
          closedOut = true;
        }
        setPendExit(s, 0);
        setPendEntry(s, 0);
      } else {
        const f = load<u8>(oFlags + <usize>g);
        if (f != 0) {
          let wantExit = false;
          let entry: i32 = 0;
          if (pos > 0) {
            if (longShort != 0 && f & SIG_ENTER_SHORT) {
              wantExit = true;
              entry = -1;
            } else if (f & SIG_EXIT_LONG) wantExit = true;
          } else if (pos < 0) {
            if (f & SIG_ENTER_LONG) {
              wantExit = true;
              entry = 1;
            } else if (f & SIG_EXIT_SHORT) wantExit = true;
          } else if (f & enterMaskFlat) {
            entry = f & SIG_ENTER_LONG ? 1 : -1;
          }
          if (wantExit && ld(s, M_PEND_EXIT) == 0) setPendExit(s, 1);
          if (entry != 0 && canEnter) {
            setPendEntry(s, <f64>entry);
            if (useAtr) st(s, M_PEND_ATR, ld(indOf(3), g));
          }
        }
      }
      sti(oCur, m, j + 1);
      st(s, M_EXPO_FLAG, 0);
    }
    if (closedOut) eq = openCount > 0 ? markEquity() : cash;
    st(oEquity, u, eq);
    st(oOpenPos, u, <f64>openCount);
    if (heldAtStart || openedNow || openCount > 0) exposure++;
    if (eq > peak) peak = eq;
    else {
      const dd = 1.0 - eq / peak;
      if (dd > maxDd) maxDd = dd;
    }
    if (peak - eq > maxDdAmount) maxDdAmount = peak - eq;
    if (load<u8>(oDay + <usize>u) != 0) {
      if (prevDayEq == prevDayEq) {
        const r = eq / prevDayEq - 1.0;
        dN += 1.0;
        dSum += r;
        dSq += r * r;
        if (r < 0) dDown += r * r;
      }
      prevDayEq = eq;
    }
  }

  const sm = oSummary;
  writeSummary(sm, cash, nTrades, nWins, nLosses, grossProfit, grossLoss, totalFees, maxDd, maxDdAmount, ambiguous, exposure, dN, dSum, dSq, dDown, sumPr, sumPr2);
  st(sm, S_N_RECORDS, <f64>nRec);
  st(sm, S_N_EVENTS, <f64>nEvents);
  st(sm, S_N_LIQUIDATIONS, <f64>nLiq);
  st(sm, S_N_ROUNDED, <f64>nRounded);
  st(sm, S_N_SKIPPED, <f64>nSkipped);
  return cash;
}
