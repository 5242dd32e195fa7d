// Price-action pattern detectors (fair value gap, order block, liquidity sweep) and the pattern-zones strategy:
// one position, limit entries into active zones, a stop-loss beyond the zone and three take-profit legs.
// Rules: src/lib/engine/SEMANTICS.md "Price-action patterns" (the TS reference src/lib/engine/reference/zones.ts
// implements the same rules for parity tests).
//
// Reads the single-market layout (layout.ts columns, the day-end flag bytes that engine.prepare() marks) and
// writes the equity column and the summary block there, so the host reads them like any run. Its own arena
// follows the layout's flag bytes and poly-bands' cached bands (ensureArena grows memory once per dataset size):
//   zone records  : 2*nBars records of ZR_STRIDE f64 (every zone of the run; detector runs: every zone)
//   active zones  : 2*nBars records of ZA_STRIDE f64 (the strategy's active set, insertion order)
//   trade records : nBars records of ZT_STRIDE f64 (trade fields, zone, levels, three legs)
//   counts        : ZC_LEN f64
// Runs pass scalars only; nothing is allocated in the bar loop.
import {
  colPtr, barCount, flagsBase, summaryBase, scratchEnd, COL_OPEN, COL_HIGH, COL_LOW, COL_CLOSE, COL_EQUITY,
  SUMMARY_LEN, S_FINAL_EQUITY, S_N_TRADES, S_N_WINS, S_GROSS_PROFIT, S_GROSS_LOSS, S_TOTAL_FEES, S_MAX_DD_RATIO,
  S_AMBIGUOUS_BARS, S_EXPOSURE_BARS, S_DAILY_N, S_DAILY_SUM, S_DAILY_SUMSQ, S_DAILY_DOWN_SUMSQ, S_MAX_DD_AMOUNT,
  S_SUM_PROFIT_RATIO, S_SUM_PROFIT_RATIO_SQ, S_N_LOSSES
} from './layout';
import { ld, st } from './layout';
import { writeSummary } from './layout';
import { indicator, nextStamp, IND_ATR, IND_HIGHEST, IND_LOWEST } from './indicators';

export const PAT_FVG: i32 = 0;
export const PAT_ORDER_BLOCK: i32 = 1;
export const PAT_LIQUIDITY_SWEEP: i32 = 2;
export const ENTRY_EDGE: i32 = 0;
export const ENTRY_MID: i32 = 1;
export const ENTRY_ATR_BUFFER: i32 = 2;
export const TP_FIXED_RR: i32 = 0;
export const TP_ATR_MULTIPLE: i32 = 1;
export const TP_SWING: i32 = 2;

const OVERLAP: f64 = 0.7;
const ATR_PERIOD: i32 = 14;
const FLAG_DAY_END: u8 = 0x80; // engine.ts marks UTC day ends in bit 7 of the flag bytes (prepare())

// Zone record fields.
export const ZR_STRIDE: i32 = 8;
export const ZR_DIR: i32 = 0; // +1 bullish, -1 bearish
export const ZR_C: i32 = 1;
export const ZR_BOTTOM: i32 = 2;
export const ZR_TOP: i32 = 3;
export const ZR_FLAGS: i32 = 4; // bit 0 kept, bit 1 duplicate
export const ZR_END_BAR: i32 = 5; // last active bar, -1 never active
export const ZR_END: i32 = 6; // END_* below
export const ZR_PATTERN: i32 = 7;
export const END_NOT_KEPT: f64 = 0;
export const END_DUPLICATE: f64 = 1;
export const END_BEFORE_ATR: f64 = 2;
export const END_TRADED: f64 = 3;
export const END_SKIPPED: f64 = 4;
export const END_INVALIDATED: f64 = 5;
export const END_EXPIRED: f64 = 6;
export const END_OF_DATA: f64 = 7;

// Active zone fields.
const ZA_STRIDE: i32 = 8;
const ZA_DIR: i32 = 0;
const ZA_C: i32 = 1;
const ZA_BOTTOM: i32 = 2;
const ZA_TOP: i32 = 3;
const ZA_ENTRY: i32 = 4;
const ZA_SL: i32 = 5;
const ZA_ATR: i32 = 6;
const ZA_REC: i32 = 7; // zone record index

// Trade record fields.
export const ZT_STRIDE: i32 = 36;
// 0 dir, 1 entryBar, 2 exitBar, 3 entryPrice, 4 exitPrice (units-weighted mean), 5 size, 6 entryFee, 7 exit fees,
// 8 pnl, 9 exit reason (1 stop_loss, 2 take_profit, 3 end_of_data), 10 c, 11 bottom, 12 top, 13 stop-loss,
// 14..16 take-profits, 17 zone record index, 18 + 5k .. 22 + 5k leg k: bar, price, units, fee, reason.
const ZT_LEGS: i32 = 18;
const REASON_SL: f64 = 1;
const REASON_TP: f64 = 2;
const REASON_EOD: f64 = 3;

// Counts block.
export const ZC_LEN: i32 = 16;
const ZC_DETECTED: i32 = 0;
const ZC_KEPT: i32 = 1;
const ZC_DUPLICATES: i32 = 2;
const ZC_BEFORE_ATR: i32 = 3;
const ZC_ACTIVATED: i32 = 4;
const ZC_TRADED: i32 = 5;
const ZC_SKIPPED: i32 = 6;
const ZC_INVALIDATED: i32 = 7;
const ZC_EXPIRED: i32 = 8;
const ZC_ACTIVE_AT_END: i32 = 9;
const ZC_ZONES: i32 = 10; // zone records written


let aZones: usize = 0;
let aActive: usize = 0;
let aTrades: usize = 0;
let aCounts: usize = 0;

/** Lay out the arena after the single-market layout for the loaded bar count; grow memory if needed. */
function ensureArena(): bool {
  const n = <usize>barCount();
  // polybands.ts keeps its cached band mids and sigmas (2·n f64) right after the flag bytes: start after them so
  // that a zones run never overwrites another strategy's cache (its scratch space beyond them may be reused).
  const polyStart: usize = (flagsBase() + n + 7) & ~(<usize>7);
  aZones = (polyStart + ((2 * n + 2) << 3) + 15) & ~(<usize>15);
  aActive = aZones + ((n * 2 * <usize>ZR_STRIDE) << 3);
  aTrades = aActive + ((n * 2 * <usize>ZA_STRIDE) << 3);
  aCounts = aTrades + ((n * <usize>ZT_STRIDE) << 3);
  const end = aCounts + (<usize>ZC_LEN << 3);
  if (end > scratchEnd()) return false; // the layout's scratch reserve holds it (layout.ts SCRATCH_F64_PER_BAR)
  const have = <usize>memory.size() << 16;
  if (end > have) {
    const pages = <i32>((end - have + 0xffff) >> 16);
    if (memory.grow(pages) < 0) return false;
  }
  return true;
}

/** Byte offset of the zone records of the last run (f64[ZR_STRIDE] each; count in counts[10]). */
export function zZonesPtr(): usize {
  return aZones;
}
/** Byte offset of the trade records of the last run (f64[ZT_STRIDE] each). */
export function zTradesPtr(): usize {
  return aTrades;
}
/** Byte offset of the counts of the last run (f64[ZC_LEN]: detected, kept, duplicates, beforeAtr, activated, traded, skipped, invalidated, expired, activeAtEnd, zone records). */
export function zCountsPtr(): usize {
  return aCounts;
}

// ---- Run state (module globals; the fills are rare). ----
let cash: f64 = 0;
let feeRate: f64 = 0;
let slip: f64 = 0;
let side: i32 = 0; // +1 long, -1 short, 0 flat
let pUnits: f64 = 0;
let pPrice: f64 = 0;
let pFee: f64 = 0;
let pBar: i32 = 0;
let pSl: f64 = 0;
let tp0: f64 = 0;
let tp1: f64 = 0;
let tp2: f64 = 0;
let q0: f64 = 0;
let q1: f64 = 0;
let q2: f64 = 0;
let legsLeft: i32 = 0; // bit k: leg k still open
let legCount: i32 = 0;
let legGross: f64 = 0;
let legFees: f64 = 0;
let legNotional: f64 = 0;
let lastReason: f64 = 0;
let nTrades: i32 = 0;
let nWins: i32 = 0;
let nLosses: i32 = 0;
let grossProfit: f64 = 0;
let grossLoss: f64 = 0;
let totalFees: f64 = 0;
let sumPr: f64 = 0;
let sumPr2: f64 = 0;
let recording: bool = false;
let tradeRec: usize = 0;
let prevDayEq: f64 = NaN;
let dN: f64 = 0;
let dSum: f64 = 0;
let dSq: f64 = 0;
let dDown: f64 = 0;

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

/** Exit leg k (0..2) at bar t at raw price `raw`; market exits (stop-loss, end of data) pay slippage. */
function exitLeg(k: i32, t: i32, raw: f64, reason: f64): void {
  const q = k == 0 ? q0 : k == 1 ? q1 : q2;
  let x = raw;
  if (reason != REASON_TP) x = side > 0 ? raw * (1.0 - slip) : raw * (1.0 + slip);
  const fee = q * x * feeRate;
  if (side > 0) {
    cash += q * x - fee;
    legGross += q * (x - pPrice);
  } else {
    cash -= q * x + fee;
    legGross += q * (pPrice - x);
  }
  legFees += fee;
  legNotional += q * x;
  totalFees += fee;
  legsLeft &= ~(1 << k);
  lastReason = reason;
  if (recording) {
    const o = ZT_LEGS + legCount * 5;
    st(tradeRec, o, <f64>t);
    st(tradeRec, o + 1, x);
    st(tradeRec, o + 2, q);
    st(tradeRec, o + 3, fee);
    st(tradeRec, o + 4, reason);
  }
  legCount++;
  if (legsLeft == 0) finishTrade(t);
}

function finishTrade(t: i32): void {
  const pnl = legGross - pFee - legFees;
  if (pnl > 0) {
    nWins++;
    grossProfit += pnl;
  } else if (pnl < 0) {
    nLosses++;
    grossLoss += pnl;
  }
  const pr = pnl / (pUnits * pPrice);
  sumPr += pr;
  sumPr2 += pr * pr;
  if (recording) {
    st(tradeRec, 2, <f64>t);
    st(tradeRec, 4, legNotional / pUnits);
    st(tradeRec, 7, legFees);
    st(tradeRec, 8, pnl);
    st(tradeRec, 9, lastReason);
  }
  nTrades++;
  side = 0;
}

/** Remaining signed units of the open position (legs in order, as the reference sums them). */
// @ts-ignore: decorator
@inline function remainingUnits(): f64 {
  let r: f64 = 0;
  if (legsLeft & 1) r += q0;
  if (legsLeft & 2) r += q1;
  if (legsLeft & 4) r += q2;
  return side > 0 ? r : -r;
}

/**
 * Detector-only run of one pattern over all loaded bars (SEMANTICS.md "Detections on their own"): writes every zone
 * (kept / duplicate flags, end bar and reason) to the zone records and the counts; returns the number of zones, or
 * -1 when memory cannot grow.
 */
export function zDetect(pattern: i32, lookback: i32, minZoneRatio: f64, useOverlap: i32, zoneExpiryBars: i32): i32 {
  if (!ensureArena()) return -1;
  const n = barCount();
  nextStamp();
  const oP = colPtr(COL_OPEN);
  const hP = colPtr(COL_HIGH);
  const lP = colPtr(COL_LOW);
  const cP = colPtr(COL_CLOSE);
  let hhP: usize = 0;
  let llP: usize = 0;
  if (pattern != PAT_FVG && lookback <= n) {
    hhP = indicator(IND_HIGHEST, COL_HIGH, lookback);
    llP = indicator(IND_LOWEST, COL_LOW, lookback);
  }
  for (let i = 0; i < ZC_LEN; i++) st(aCounts, i, 0);
  let nz: i32 = 0;
  let nAct: i32 = 0; // active zones: indices into the zone records, kept in aActive as f64
  let detected: i32 = 0;
  let kept: i32 = 0;
  let dups: i32 = 0;
  let inval: i32 = 0;
  let expired: i32 = 0;
  const lb = pattern == PAT_FVG ? 2 : lookback;
  for (let u = 0; u < n; u++) {
    const cl = ld(cP, u);
    if (nAct > 0) {
      let w: i32 = 0;
      for (let i = 0; i < nAct; i++) {
        const zi = <i32>ld(aActive, i);
        const r = aZones + ((<usize>zi * <usize>ZR_STRIDE) << 3);
        const bull = ld(r, ZR_DIR) > 0;
        const isInval = bull ? cl < ld(r, ZR_BOTTOM) : cl > ld(r, ZR_TOP);
        if (isInval || u >= <i32>ld(r, ZR_C) + zoneExpiryBars) {
          st(r, ZR_END_BAR, <f64>u);
          st(r, ZR_END, isInval ? END_INVALIDATED : END_EXPIRED);
          if (isInval) inval++;
          else expired++;
        } else {
          st(aActive, w, <f64>zi);
          w++;
        }
      }
      nAct = w;
    }
    if (u < lb) continue;
    // detections at u: bullish then bearish
    for (let d = 0; d < 2; d++) {
      let bottom: f64 = 0;
      let top: f64 = 0;
      let found = false;
      const bull = d == 0;
      if (pattern == PAT_FVG) {
        if (bull) {
          if (ld(lP, u) > ld(hP, u - 2)) { found = true; bottom = ld(hP, u - 2); top = ld(lP, u); }
        } else if (ld(hP, u) < ld(lP, u - 2)) { found = true; bottom = ld(hP, u); top = ld(lP, u - 2); }
      } else if (pattern == PAT_ORDER_BLOCK) {
        const o1 = ld(oP, u - 1);
        const c1 = ld(cP, u - 1);
        const o0 = ld(oP, u);
        if (bull) {
          if (c1 < o1 && cl > o0 && cl > ld(hhP, u - 1)) { found = true; bottom = ld(lP, u - 1); top = ld(hP, u - 1); }
        } else if (c1 > o1 && cl < o0 && cl < ld(llP, u - 1)) { found = true; bottom = ld(lP, u - 1); top = ld(hP, u - 1); }
      } else {
        const o0 = ld(oP, u);
        if (bull) {
          const ll = ld(llP, u - 1);
          if (ld(lP, u) < ll && cl > ll) { found = true; bottom = ld(lP, u); top = o0 < cl ? o0 : cl; }
        } else {
          const hh = ld(hhP, u - 1);
          if (ld(hP, u) > hh && cl < hh) { found = true; bottom = o0 > cl ? o0 : cl; top = ld(hP, u); }
        }
      }
      if (!found) continue;
      detected++;
      const dir: f64 = bull ? 1.0 : -1.0;
      const r = aZones + ((<usize>nz * <usize>ZR_STRIDE) << 3);
      st(r, ZR_DIR, dir);
      st(r, ZR_C, <f64>u);
      st(r, ZR_BOTTOM, bottom);
      st(r, ZR_TOP, top);
      st(r, ZR_PATTERN, <f64>pattern);
      const h = top - bottom;
      let flags: f64 = 0;
      let endBar: f64 = -1;
      let end: f64 = END_NOT_KEPT;
      if (h / cl >= minZoneRatio) {
        kept++;
        flags = 1;
        let dup = false;
        if (useOverlap != 0) {
          for (let i = 0; i < nAct; i++) {
            const a = aZones + ((<usize>(<i32>ld(aActive, i)) * <usize>ZR_STRIDE) << 3);
            if (ld(a, ZR_DIR) != dir) continue;
            const at = ld(a, ZR_TOP);
            const ab = ld(a, ZR_BOTTOM);
            const ov = (top < at ? top : at) - (bottom > ab ? bottom : ab);
            if ((ov > 0 ? ov : 0.0) / h >= OVERLAP) {
              dup = true;
              break;
            }
          }
        }
        if (dup) {
          dups++;
          flags = 3;
          end = END_DUPLICATE;
        } else {
          end = END_OF_DATA;
          endBar = <f64>(n - 1);
          st(aActive, nAct, <f64>nz);
          nAct++;
        }
      }
      st(r, ZR_FLAGS, flags);
      st(r, ZR_END_BAR, endBar);
      st(r, ZR_END, end);
      nz++;
    }
  }
  st(aCounts, ZC_DETECTED, <f64>detected);
  st(aCounts, ZC_KEPT, <f64>kept);
  st(aCounts, ZC_DUPLICATES, <f64>dups);
  st(aCounts, ZC_INVALIDATED, <f64>inval);
  st(aCounts, ZC_EXPIRED, <f64>expired);
  st(aCounts, ZC_ACTIVE_AT_END, <f64>nAct);
  st(aCounts, ZC_ZONES, <f64>nz);
  return nz;
}

/**
 * One pattern-zones run over the loaded bars. Scalars only; writes the equity column, the summary block (layout.ts
 * S_*), the counts and, when `record` != 0, the zone and trade records. Returns the final equity (NaN when memory
 * cannot grow).
 * pattern: PAT_*; entryMethod: ENTRY_*; tpMethod: TP_*; longShort: 0 bullish zones only, 1 both;
 * sizingMode: 0 equity-fraction, 1 fixed-notional, 2 risk (fraction of equity between fill and stop-loss).
 */
export function zRun(
  pattern: i32, entryMethod: i32, tpMethod: i32, rrTarget: f64, slBufferRatio: f64, minZoneRatio: f64,
  useOverlap: i32, zoneExpiryBars: i32, entryAtrBuffer: f64, swingLookback: i32, structureLookback: i32,
  sweepLookback: i32, longShort: i32, fee: f64, slippage: f64, initialCash: f64, sizingMode: i32, sizingValue: f64,
  record: i32
): f64 {
  if (!ensureArena()) return NaN;
  const n = barCount();
  nextStamp();
  cash = initialCash;
  feeRate = fee;
  slip = slippage;
  side = 0;
  legsLeft = 0;
  nTrades = 0;
  nWins = 0;
  nLosses = 0;
  grossProfit = 0;
  grossLoss = 0;
  totalFees = 0;
  sumPr = 0;
  sumPr2 = 0;
  recording = record != 0;
  prevDayEq = NaN;
  dN = 0;
  dSum = 0;
  dSq = 0;
  dDown = 0;

  const oP = colPtr(COL_OPEN);
  const hP = colPtr(COL_HIGH);
  const lP = colPtr(COL_LOW);
  const cP = colPtr(COL_CLOSE);
  const eqP = colPtr(COL_EQUITY);
  const fl = flagsBase();
  const lookback = pattern == PAT_ORDER_BLOCK ? structureLookback : pattern == PAT_LIQUIDITY_SWEEP ? sweepLookback : 2;
  let hhP: usize = 0;
  let llP: usize = 0;
  if (pattern != PAT_FVG && lookback <= n) {
    hhP = indicator(IND_HIGHEST, COL_HIGH, lookback);
    llP = indicator(IND_LOWEST, COL_LOW, lookback);
  }
  const atrP = indicator(IND_ATR, COL_CLOSE, ATR_PERIOD);

  let nz: i32 = 0;
  let nAct: i32 = 0;
  let detected: i32 = 0;
  let kept: i32 = 0;
  let dups: i32 = 0;
  let beforeAtr: i32 = 0;
  let activated: i32 = 0;
  let traded: i32 = 0;
  let skipped: i32 = 0;
  let inval: i32 = 0;
  let expired: i32 = 0;
  let ambiguous: i32 = 0;
  let exposure: i32 = 0;
  let peak: f64 = initialCash;
  let maxDd: f64 = 0;
  let maxDdAmount: f64 = 0;
  const dStart: i32 = longShort != 0 ? 0 : 1; // d = 1 bullish, d = 0 bearish (bearish is added first)
  // Aggregates of the active set that let most bars skip the entry loop and the removal pass: a bullish zone can only
  // fill or be skipped when low <= its entry (SL <= entry and low <= open), be invalidated when close < its bottom;
  // bearish mirrored; expiry at the smallest c + zoneExpiryBars. Recomputed whenever the set shrinks.
  let maxBullEntry: f64 = -Infinity;
  let minBearEntry: f64 = Infinity;
  let maxBullBottom: f64 = -Infinity;
  let minBearTop: f64 = Infinity;
  let minExpiry: i32 = i32.MAX_VALUE;

  for (let u = 0; u < n; u++) {
    const o = ld(oP, u);
    const h = ld(hP, u);
    const l = ld(lP, u);
    const cl = ld(cP, u);
    let dirty = false; // the entry loop may have removed zones
    // (1) exits of a position opened before u, or entry when flat at the start of u
    if (side != 0) {
      exposure++;
      if (side > 0) {
        if (o <= pSl || l <= pSl) {
          const gap = o <= pSl;
          if (!gap && (((legsLeft & 1) != 0 && h >= tp0) || ((legsLeft & 2) != 0 && h >= tp1) || ((legsLeft & 4) != 0 && h >= tp2))) ambiguous++;
          const px = gap ? o : pSl;
          if (legsLeft & 1) exitLeg(0, u, px, REASON_SL);
          if (legsLeft & 2) exitLeg(1, u, px, REASON_SL);
          if (legsLeft & 4) exitLeg(2, u, px, REASON_SL);
        } else if (h >= tp0 || h >= tp1 || h >= tp2) {
          if ((legsLeft & 1) != 0) { if (o >= tp0) exitLeg(0, u, o, REASON_TP); else if (h >= tp0) exitLeg(0, u, tp0, REASON_TP); }
          if ((legsLeft & 2) != 0) { if (o >= tp1) exitLeg(1, u, o, REASON_TP); else if (h >= tp1) exitLeg(1, u, tp1, REASON_TP); }
          if ((legsLeft & 4) != 0) { if (o >= tp2) exitLeg(2, u, o, REASON_TP); else if (h >= tp2) exitLeg(2, u, tp2, REASON_TP); }
        }
      } else {
        if (o >= pSl || h >= pSl) {
          const gap = o >= pSl;
          if (!gap && (((legsLeft & 1) != 0 && l <= tp0) || ((legsLeft & 2) != 0 && l <= tp1) || ((legsLeft & 4) != 0 && l <= tp2))) ambiguous++;
          const px = gap ? o : pSl;
          if (legsLeft & 1) exitLeg(0, u, px, REASON_SL);
          if (legsLeft & 2) exitLeg(1, u, px, REASON_SL);
          if (legsLeft & 4) exitLeg(2, u, px, REASON_SL);
        } else if (l <= tp0 || l <= tp1 || l <= tp2) {
          if ((legsLeft & 1) != 0) { if (o <= tp0) exitLeg(0, u, o, REASON_TP); else if (l <= tp0) exitLeg(0, u, tp0, REASON_TP); }
          if ((legsLeft & 2) != 0) { if (o <= tp1) exitLeg(1, u, o, REASON_TP); else if (l <= tp1) exitLeg(1, u, tp1, REASON_TP); }
          if ((legsLeft & 4) != 0) { if (o <= tp2) exitLeg(2, u, o, REASON_TP); else if (l <= tp2) exitLeg(2, u, tp2, REASON_TP); }
        }
      }
    } else if (nAct > 0 && (l <= maxBullEntry || h >= minBearEntry)) {
      dirty = true;
      // Entry: newest first (the active list is in insertion order: c ascending, bearish before bullish).
      let filled: i32 = -1;
      let i = nAct - 1;
      while (i >= 0) {
        const a = aActive + ((<usize>i * <usize>ZA_STRIDE) << 3);
        const bull = ld(a, ZA_DIR) > 0;
        const sl = ld(a, ZA_SL);
        const e = ld(a, ZA_ENTRY);
        if (bull ? o <= sl : o >= sl) {
          skipped++;
          if (recording) {
            const r = aZones + ((<usize>(<i32>ld(a, ZA_REC)) * <usize>ZR_STRIDE) << 3);
            st(r, ZR_END_BAR, <f64>u);
            st(r, ZR_END, END_SKIPPED);
          }
          st(a, ZA_DIR, 0); // removed below
          i--;
          continue;
        }
        if (bull ? l <= e : h >= e) {
          filled = i;
          break;
        }
        i--;
      }
      if (filled >= 0) {
        const a = aActive + ((<usize>filled * <usize>ZA_STRIDE) << 3);
        const bull = ld(a, ZA_DIR) > 0;
        const sl = ld(a, ZA_SL);
        const e = ld(a, ZA_ENTRY);
        const P = bull ? (o < e ? o : e) : (o > e ? o : e);
        traded++;
        const zc = <i32>ld(a, ZA_C);
        if (recording) {
          const r = aZones + ((<usize>(<i32>ld(a, ZA_REC)) * <usize>ZR_STRIDE) << 3);
          st(r, ZR_END_BAR, <f64>u);
          st(r, ZR_END, END_TRADED);
        }
        const E = cash;
        const allIn = E / (P * (1.0 + feeRate));
        let units: f64;
        if (sizingMode == 1) units = (sizingValue < E ? sizingValue : E) / (P * (1.0 + feeRate));
        else if (sizingMode == 2) {
          const dist = Math.abs(P - sl);
          if (dist > 0 && dist < Infinity) {
            units = (sizingValue * E) / dist;
            if (units > allIn) units = allIn;
          } else units = allIn;
        } else units = (sizingValue * E) / (P * (1.0 + feeRate));
        st(a, ZA_DIR, 0); // the traded zone leaves the active set
        if (units > 0 && units < Infinity) {
          const entryFee = units * P * feeRate;
          side = bull ? 1 : -1;
          if (bull) cash -= units * P + entryFee;
          else cash += units * P - entryFee;
          totalFees += entryFee;
          pUnits = units;
          pPrice = P;
          pFee = entryFee;
          pBar = u;
          pSl = sl;
          let D = rrTarget * Math.abs(P - sl);
          if (tpMethod == TP_ATR_MULTIPLE) D = rrTarget * ld(a, ZA_ATR);
          else if (tpMethod == TP_SWING) {
            const from = zc - swingLookback + 1;
            if (from >= 0) {
              let d: f64;
              if (bull) {
                let m = -Infinity;
                for (let k = from; k <= zc; k++) {
                  const v = ld(hP, k);
                  if (v > m) m = v;
                }
                d = m - P;
              } else {
                let m = Infinity;
                for (let k = from; k <= zc; k++) {
                  const v = ld(lP, k);
                  if (v < m) m = v;
                }
                d = P - m;
              }
              if (d > 0) D = d;
            }
          }
          if (bull) {
            tp0 = P + (1.0 / 3.0) * D;
            tp1 = P + (2.0 / 3.0) * D;
            tp2 = P + (3.0 / 3.0) * D;
          } else {
            tp0 = P - (1.0 / 3.0) * D;
            tp1 = P - (2.0 / 3.0) * D;
            tp2 = P - (3.0 / 3.0) * D;
          }
          q0 = units / 3;
          q1 = q0;
          q2 = units - 2 * q0;
          legsLeft = 7;
          legCount = 0;
          legGross = 0;
          legFees = 0;
          legNotional = 0;
          if (recording) {
            tradeRec = aTrades + ((<usize>nTrades * <usize>ZT_STRIDE) << 3);
            st(tradeRec, 0, <f64>side);
            st(tradeRec, 1, <f64>u);
            st(tradeRec, 3, P);
            st(tradeRec, 5, units);
            st(tradeRec, 6, entryFee);
            st(tradeRec, 10, <f64>zc);
            st(tradeRec, 11, ld(a, ZA_BOTTOM));
            st(tradeRec, 12, ld(a, ZA_TOP));
            st(tradeRec, 13, sl);
            st(tradeRec, 14, tp0);
            st(tradeRec, 15, tp1);
            st(tradeRec, 16, tp2);
            st(tradeRec, 17, ld(a, ZA_REC));
          }
          exposure++;
          // Entry bar: only the stop-loss.
          if (bull ? l <= sl : h >= sl) {
            exitLeg(0, u, sl, REASON_SL);
            exitLeg(1, u, sl, REASON_SL);
            exitLeg(2, u, sl, REASON_SL);
          }
        }
      }
    }
    // (2) end-of-bar removals (and the entry loop's removals, marked dir = 0), order kept
    if (nAct > 0 && (dirty || cl < maxBullBottom || cl > minBearTop || u >= minExpiry)) {
      let w: i32 = 0;
      maxBullEntry = -Infinity;
      minBearEntry = Infinity;
      maxBullBottom = -Infinity;
      minBearTop = Infinity;
      minExpiry = i32.MAX_VALUE;
      for (let i = 0; i < nAct; i++) {
        const a = aActive + ((<usize>i * <usize>ZA_STRIDE) << 3);
        const dir = ld(a, ZA_DIR);
        if (dir == 0) continue;
        const isInval = dir > 0 ? cl < ld(a, ZA_BOTTOM) : cl > ld(a, ZA_TOP);
        if (isInval || u >= <i32>ld(a, ZA_C) + zoneExpiryBars) {
          if (isInval) inval++;
          else expired++;
          if (recording) {
            const r = aZones + ((<usize>(<i32>ld(a, ZA_REC)) * <usize>ZR_STRIDE) << 3);
            st(r, ZR_END_BAR, <f64>u);
            st(r, ZR_END, isInval ? END_INVALIDATED : END_EXPIRED);
          }
          continue;
        }
        if (w != i) memory.copy(aActive + ((<usize>w * <usize>ZA_STRIDE) << 3), a, <usize>ZA_STRIDE << 3);
        w++;
        const e = ld(a, ZA_ENTRY);
        if (dir > 0) {
          if (e > maxBullEntry) maxBullEntry = e;
          const b = ld(a, ZA_BOTTOM);
          if (b > maxBullBottom) maxBullBottom = b;
        } else {
          if (e < minBearEntry) minBearEntry = e;
          const tp = ld(a, ZA_TOP);
          if (tp < minBearTop) minBearTop = tp;
        }
        const ex = <i32>ld(a, ZA_C) + zoneExpiryBars;
        if (ex < minExpiry) minExpiry = ex;
      }
      nAct = w;
    }
    // (3) zones confirmed at u: bearish (d = 0) is added before bullish (d = 1)
    if (u >= lookback) {
      for (let d = dStart; d < 2; d++) {
        let bottom: f64 = 0;
        let top: f64 = 0;
        let found = false;
        const bull = d == 1;
        if (pattern == PAT_FVG) {
          if (bull) {
            const h2 = ld(hP, u - 2);
            if (l > h2) { found = true; bottom = h2; top = l; }
          } else {
            const l2 = ld(lP, u - 2);
            if (h < l2) { found = true; bottom = h; top = l2; }
          }
        } else if (pattern == PAT_ORDER_BLOCK) {
          const o1 = ld(oP, u - 1);
          const c1 = ld(cP, u - 1);
          if (bull) {
            if (c1 < o1 && cl > o && cl > ld(hhP, u - 1)) { found = true; bottom = ld(lP, u - 1); top = ld(hP, u - 1); }
          } else if (c1 > o1 && cl < o && cl < ld(llP, u - 1)) { found = true; bottom = ld(lP, u - 1); top = ld(hP, u - 1); }
        } else {
          if (bull) {
            const ll = ld(llP, u - 1);
            if (l < ll && cl > ll) { found = true; bottom = l; top = o < cl ? o : cl; }
          } else {
            const hh = ld(hhP, u - 1);
            if (h > hh && cl < hh) { found = true; bottom = o > cl ? o : cl; top = h; }
          }
        }
        if (!found) continue;
        detected++;
        const dir: f64 = bull ? 1.0 : -1.0;
        const height = top - bottom;
        let end: f64 = END_NOT_KEPT;
        let flags: f64 = 0;
        let endBar: f64 = -1;
        if (height / cl >= minZoneRatio) {
          kept++;
          flags = 1;
          let dup = false;
          if (useOverlap != 0) {
            for (let i = 0; i < nAct; i++) {
              const a = aActive + ((<usize>i * <usize>ZA_STRIDE) << 3);
              if (ld(a, ZA_DIR) != dir) continue;
              const at = ld(a, ZA_TOP);
              const ab = ld(a, ZA_BOTTOM);
              const ov = (top < at ? top : at) - (bottom > ab ? bottom : ab);
              if ((ov > 0 ? ov : 0.0) / height >= OVERLAP) {
                dup = true;
                break;
              }
            }
          }
          if (dup) {
            dups++;
            flags = 3;
            end = END_DUPLICATE;
          } else if (u < ATR_PERIOD) {
            beforeAtr++;
            end = END_BEFORE_ATR;
          } else {
            activated++;
            end = END_OF_DATA;
            endBar = <f64>(n - 1);
            const atr = ld(atrP, u);
            const a = aActive + ((<usize>nAct * <usize>ZA_STRIDE) << 3);
            st(a, ZA_DIR, dir);
            st(a, ZA_C, <f64>u);
            st(a, ZA_BOTTOM, bottom);
            st(a, ZA_TOP, top);
            let e: f64;
            if (entryMethod == ENTRY_EDGE) e = bull ? top : bottom;
            else if (entryMethod == ENTRY_MID) e = (top + bottom) / 2;
            else e = bull ? top + entryAtrBuffer * atr : bottom - entryAtrBuffer * atr;
            st(a, ZA_ENTRY, e);
            if (bull) {
              if (e > maxBullEntry) maxBullEntry = e;
              if (bottom > maxBullBottom) maxBullBottom = bottom;
            } else {
              if (e < minBearEntry) minBearEntry = e;
              if (top < minBearTop) minBearTop = top;
            }
            if (u + zoneExpiryBars < minExpiry) minExpiry = u + zoneExpiryBars;
            st(a, ZA_SL, bull ? bottom - slBufferRatio * height : top + slBufferRatio * height);
            st(a, ZA_ATR, atr);
            st(a, ZA_REC, <f64>nz);
            nAct++;
          }
        }
        if (recording) {
          const r = aZones + ((<usize>nz * <usize>ZR_STRIDE) << 3);
          st(r, ZR_DIR, dir);
          st(r, ZR_C, <f64>u);
          st(r, ZR_BOTTOM, bottom);
          st(r, ZR_TOP, top);
          st(r, ZR_FLAGS, flags);
          st(r, ZR_END_BAR, endBar);
          st(r, ZR_END, end);
          st(r, ZR_PATTERN, <f64>pattern);
        }
        nz++;
      }
    }
    // (5) end-of-data close-out, then (4) close-marked equity
    if (u == n - 1 && side != 0) {
      if (legsLeft & 1) exitLeg(0, u, cl, REASON_EOD);
      if (legsLeft & 2) exitLeg(1, u, cl, REASON_EOD);
      if (legsLeft & 4) exitLeg(2, u, cl, REASON_EOD);
    }
    const eq = side != 0 ? cash + remainingUnits() * cl : cash;
    st(eqP, u, eq);
    if (eq > peak) peak = eq;
    else {
      const dd = 1.0 - eq / peak;
      if (dd > maxDd) maxDd = dd;
      if (peak - eq > maxDdAmount) maxDdAmount = peak - eq;
    }
    if (load<u8>(fl + <usize>u) & FLAG_DAY_END) dayEnd(eq);
  }

  st(aCounts, ZC_DETECTED, <f64>detected);
  st(aCounts, ZC_KEPT, <f64>kept);
  st(aCounts, ZC_DUPLICATES, <f64>dups);
  st(aCounts, ZC_BEFORE_ATR, <f64>beforeAtr);
  st(aCounts, ZC_ACTIVATED, <f64>activated);
  st(aCounts, ZC_TRADED, <f64>traded);
  st(aCounts, ZC_SKIPPED, <f64>skipped);
  st(aCounts, ZC_INVALIDATED, <f64>inval);
  st(aCounts, ZC_EXPIRED, <f64>expired);
  st(aCounts, ZC_ACTIVE_AT_END, <f64>nAct);
  st(aCounts, ZC_ZONES, <f64>nz);

  const s = summaryBase();
  writeSummary(s, cash, nTrades, nWins, nLosses, grossProfit, grossLoss, totalFees, maxDd, maxDdAmount, ambiguous, exposure, dN, dSum, dSq, dDown, sumPr, sumPr2);
  return cash;
}
