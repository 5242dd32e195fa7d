// Linear-memory layout of the simulation core. The host writes bars once per dataset; runs pass scalars only.
//
// All buffers are f64 arrays of `nBars` elements, 8-byte aligned, starting at `base`:
//   column c (COL_*) at base + c * nBars * 8
//   trade records after the columns: nBars records of TRADE_STRIDE f64 each
//   summary: SUMMARY_LEN f64 after the trades.
//   flags: nBars u8 after the summary (signal bits of the current run, day-end bit).
//   scratch: SCRATCH_F64_PER_BAR * nBars + SCRATCH_F64_FIXED f64 after the flags, for the arenas of poly-bands'
//     cached bands and the pattern-zones loop (polybands.ts, zones.ts lay themselves out inside it).
//   indicator cache from cacheBase(): its index, then slots of nBars f64 each (indicators.ts), grown on demand up to
//     CACHE_BYTES of series (at least CACHE_MIN_SLOTS slots, grown when the bars are laid out).

/** f64 element `i` of the f64 buffer at byte offset `p` (no bounds check; every loop of the core reads through it). */
// @ts-ignore: decorator
@inline export function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

/** Store `v` as f64 element `i` of the f64 buffer at byte offset `p` (no bounds check). */
// @ts-ignore: decorator
@inline export function st(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

export const COL_OPEN_TIME: i32 = 0; // ms UTC
export const COL_OPEN: i32 = 1;
export const COL_HIGH: i32 = 2;
export const COL_LOW: i32 = 3;
export const COL_CLOSE: i32 = 4;
export const COL_VOLUME: i32 = 5;
export const COL_EQUITY: i32 = 6; // output: equity marked at each close
export const COL_SPARE: i32 = 7; // used as COL_NEXT_DAY_END
// i32[nBars + 1] in column 7: index of the first UTC day-end bar at or after each bar, nBars at the end (engine.ts prepare).
export const COL_NEXT_DAY_END: i32 = COL_SPARE;
export const NCOLS: i32 = 8;

// Arenas after the flag bytes: poly-bands' bands (2 n + 2 f64, then up to 21 n + 21 f64 of fit scratch) and the
// pattern-zones arena (after the bands: 68 n + 16 f64) fit in 80 n + 64 f64 with room for their alignment.
export const SCRATCH_F64_PER_BAR: usize = 80;
export const SCRATCH_F64_FIXED: usize = 64;

// Indicator cache (indicators.ts): series of nBars f64 up to CACHE_BYTES in all, between CACHE_MIN_SLOTS and
// CACHE_MAX_SLOTS slots. Its index (slot keys, stamps, hash) takes CACHE_INDEX_BYTES at cacheBase().
export const CACHE_BYTES: usize = 64 << 20;
export const CACHE_MIN_SLOTS: i32 = 4;
export const CACHE_MAX_SLOTS: i32 = 4096;
export const CACHE_HASH_SIZE: i32 = 8192; // power of two, at least 2 * CACHE_MAX_SLOTS
export const CACHE_INDEX_BYTES: usize = (<usize>CACHE_MAX_SLOTS << 3) + (<usize>CACHE_MAX_SLOTS << 2) + (<usize>CACHE_HASH_SIZE << 2);

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

/** First byte after the arenas of poly-bands and pattern zones (see SCRATCH_F64_PER_BAR). */
// @ts-ignore: decorator
@inline export function scratchEnd(): usize {
  const start = (flagsBase() + <usize>nBars + 15) & ~(<usize>15);
  return start + ((SCRATCH_F64_PER_BAR * <usize>nBars + SCRATCH_F64_FIXED) << 3);
}

/** Byte offset of the indicator cache's index (CACHE_INDEX_BYTES); its slots follow (cacheSlotPtr). */
// @ts-ignore: decorator
@inline export function cacheBase(): usize {
  return (scratchEnd() + 63) & ~(<usize>63);
}

/** Bytes between consecutive cache slots: nBars f64 rounded up to whole 4 KiB pages. */
// @ts-ignore: decorator
@inline export function cacheSlotStride(): usize {
  return ((<usize>nBars << 3) + 4095) & ~(<usize>4095);
}

/**
 * Byte offset of indicator cache slot `s` (f64[nBars]). Every slot sits half a 4 KiB page away from the equity
 * column modulo 4096: the loop reads slot[t] while it stores equity[t], and a load whose address equals a pending
 * store's modulo 4096 waits for it on x86 (4K aliasing), which cost some grids a third of their speed.
 */
// @ts-ignore: decorator
@inline export function cacheSlotPtr(s: i32): usize {
  const from = cacheBase() + CACHE_INDEX_BYTES;
  const eq = colPtr(COL_EQUITY);
  const first = from + ((eq + 2048 - from) & 4095);
  return first + <usize>s * cacheSlotStride();
}

/** Slots the cache may use for the loaded bar count: CACHE_BYTES of series, within [CACHE_MIN_SLOTS, CACHE_MAX_SLOTS]. */
export function cacheSlotLimit(): i32 {
  const per = cacheSlotStride() > 0 ? cacheSlotStride() : 4096;
  const k = CACHE_BYTES / per;
  return k < <usize>CACHE_MIN_SLOTS ? CACHE_MIN_SLOTS : k > <usize>CACHE_MAX_SLOTS ? CACHE_MAX_SLOTS : <i32>k;
}

/** Grow linear memory to hold `end` bytes; false when it cannot grow. */
export function ensureMemory(end: usize): bool {
  const have = <usize>memory.size() << 16;
  if (end > have) {
    const pages = <i32>((end - have + 0xffff) >> 16);
    if (memory.grow(pages) < 0) return false;
  }
  return true;
}

/**
 * Lay out memory for `n` bars, growing linear memory when needed (columns, trades, flags, the arenas and the cache's
 * first CACHE_MIN_SLOTS slots; further slots grow on demand); returns the base offset, 0 when memory cannot grow.
 */
export function allocate(n: i32): usize {
  // Bytes per bar of the layout up to the cache's first slots; beyond 4 GiB a 32-bit offset would wrap.
  const perBar: u64 = ((<u64>NCOLS + <u64>TRADE_STRIDE + <u64>SCRATCH_F64_PER_BAR + <u64>CACHE_MIN_SLOTS) << 3) + 1;
  if (n < 0 || <u64>n * perBar + <u64>CACHE_INDEX_BYTES + (<u64>__heap_base) + (1 << 20) > 0xffff0000) return 0;
  nBars = n;
  base = (__heap_base + 15) & ~(<usize>15);
  if (!ensureMemory(cacheSlotPtr(CACHE_MIN_SLOTS))) return 0;
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
