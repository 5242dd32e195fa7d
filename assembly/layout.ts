// Linear-memory layout of the simulation core. The host writes bars once per dataset; runs pass scalars only.
//
// All buffers are f64 arrays of `nBars` elements, 8-byte aligned, starting at `base`:
//   column c (COL_*) at base + c * nBars * 8
//   indicator slot s (0..NSLOTS-1) at base + (COL_SLOTS + s) * nBars * 8
//   trade records after the slots: nBars records of TRADE_STRIDE f64 each
//   summary: SUMMARY_LEN f64 after the trades.
//   flags: nBars u8 after the summary (signal bits of the current run, day-end bit).

export const COL_OPEN_TIME: i32 = 0; // ms UTC
export const COL_OPEN: i32 = 1;
export const COL_HIGH: i32 = 2;
export const COL_LOW: i32 = 3;
export const COL_CLOSE: i32 = 4;
export const COL_VOLUME: i32 = 5;
export const COL_EQUITY: i32 = 6; // output: equity marked at each close
export const COL_SPARE: i32 = 7; // reserved
export const COL_SLOTS: i32 = 8; // first indicator slot
export const NSLOTS: i32 = 16;
export const NCOLS: i32 = COL_SLOTS + NSLOTS;

// Trade record fields (f64 each).
export const TRADE_STRIDE: i32 = 10;
export const T_DIR: i32 = 0; // +1 long, -1 short
export const T_ENTRY_BAR: i32 = 1;
export const T_EXIT_BAR: i32 = 2;
export const T_ENTRY_PRICE: i32 = 3;
export const T_EXIT_PRICE: i32 = 4;
export const T_SIZE: i32 = 5;
export const T_ENTRY_FEE: i32 = 6;
export const T_EXIT_FEE: i32 = 7;
export const T_PNL: i32 = 8;
export const T_EXIT_REASON: i32 = 9; // 0 signal, 1 stop_loss, 2 take_profit, 3 end_of_data

// Summary fields (f64 each).
export const SUMMARY_LEN: i32 = 24;
export const S_FINAL_EQUITY: i32 = 0;
export const S_N_TRADES: i32 = 1;
export const S_N_WINS: i32 = 2;
export const S_GROSS_PROFIT: i32 = 3;
export const S_GROSS_LOSS: i32 = 4; // sum of losing pnl (<= 0)
export const S_TOTAL_FEES: i32 = 5;
export const S_MAX_DD_RATIO: i32 = 6;
export const S_AMBIGUOUS_BARS: i32 = 7;
export const S_EXPOSURE_BARS: i32 = 8;
export const S_DAILY_N: i32 = 9;
export const S_DAILY_SUM: i32 = 10;
export const S_DAILY_SUMSQ: i32 = 11;
export const S_DAILY_DOWN_SUMSQ: i32 = 12;
export const S_MAX_DD_AMOUNT: i32 = 13;
export const S_SUM_PROFIT_RATIO: i32 = 14;
export const S_SUM_PROFIT_RATIO_SQ: i32 = 15;
export const S_N_LOSSES: i32 = 16;

let nBars: i32 = 0;
let base: usize = 0;

/** Number of bars the current layout holds. */
export function barCount(): i32 {
  return nBars;
}

/** Byte offset of column or slot `c` (f64[nBars]). */
// @ts-ignore: decorator
@inline export function colPtr(c: i32): usize {
  return base + ((<usize>c * <usize>nBars) << 3);
}

/** Byte offset of the trade records (f64[nBars * TRADE_STRIDE]). */
// @ts-ignore: decorator
@inline export function tradesBase(): usize {
  return base + ((<usize>NCOLS * <usize>nBars) << 3);
}

/** Byte offset of the summary (f64[SUMMARY_LEN]). */
// @ts-ignore: decorator
@inline export function summaryBase(): usize {
  return tradesBase() + ((<usize>TRADE_STRIDE * <usize>nBars) << 3);
}

/** Byte offset of the per-bar flag bytes (u8[nBars]): bits 0-3 signals of the current run, bit 7 UTC day end. */
// @ts-ignore: decorator
@inline export function flagsBase(): usize {
  return summaryBase() + (<usize>SUMMARY_LEN << 3);
}

/** Byte offset of the trade records of the last run (f64[TRADE_STRIDE] each). */
export function tradesPtr(): usize {
  return tradesBase();
}

/** Byte offset of the summary of the last run (f64[SUMMARY_LEN]). */
export function summaryPtr(): usize {
  return summaryBase();
}

/** Byte offset of column `c` (f64[nBars]): 0 openTime, 1 open, 2 high, 3 low, 4 close, 5 volume, 6 equity. */
export function columnPtr(c: i32): usize {
  return colPtr(c);
}

/** Lay out memory for `n` bars, growing linear memory when needed; returns the base offset. */
export function allocate(n: i32): usize {
  nBars = n;
  base = (__heap_base + 15) & ~(<usize>15);
  const end = flagsBase() + <usize>n;
  const have = <usize>memory.size() << 16;
  if (end > have) {
    const pages = <i32>((end - have + 0xffff) >> 16);
    if (memory.grow(pages) < 0) return 0;
  }
  return base;
}

/**
 * Write a run's one-pass summary (S_* fields above; fields 17+ are left 0 for the caller) at `s`: the block every
 * simulation loop (single market, portfolio, pattern zones) ends with.
 */
export function writeSummary(
  s: usize, finalEquity: f64, nTrades: i32, nWins: i32, nLosses: i32, grossProfit: f64, grossLoss: f64,
  totalFees: f64, maxDd: f64, maxDdAmount: f64, ambiguous: i32, exposure: i32,
  dN: f64, dSum: f64, dSq: f64, dDown: f64, sumPr: f64, sumPr2: f64
): void {
  for (let i = 0; i < SUMMARY_LEN; i++) store<f64>(s + (<usize>i << 3), 0);
  store<f64>(s + (<usize>S_FINAL_EQUITY << 3), finalEquity);
  store<f64>(s + (<usize>S_N_TRADES << 3), <f64>nTrades);
  store<f64>(s + (<usize>S_N_WINS << 3), <f64>nWins);
  store<f64>(s + (<usize>S_N_LOSSES << 3), <f64>nLosses);
  store<f64>(s + (<usize>S_GROSS_PROFIT << 3), grossProfit);
  store<f64>(s + (<usize>S_GROSS_LOSS << 3), grossLoss);
  store<f64>(s + (<usize>S_TOTAL_FEES << 3), totalFees);
  store<f64>(s + (<usize>S_MAX_DD_RATIO << 3), maxDd);
  store<f64>(s + (<usize>S_MAX_DD_AMOUNT << 3), maxDdAmount);
  store<f64>(s + (<usize>S_AMBIGUOUS_BARS << 3), <f64>ambiguous);
  store<f64>(s + (<usize>S_EXPOSURE_BARS << 3), <f64>exposure);
  store<f64>(s + (<usize>S_DAILY_N << 3), dN);
  store<f64>(s + (<usize>S_DAILY_SUM << 3), dSum);
  store<f64>(s + (<usize>S_DAILY_SUMSQ << 3), dSq);
  store<f64>(s + (<usize>S_DAILY_DOWN_SUMSQ << 3), dDown);
  store<f64>(s + (<usize>S_SUM_PROFIT_RATIO << 3), sumPr);
  store<f64>(s + (<usize>S_SUM_PROFIT_RATIO_SQ << 3), sumPr2);
}
