// Public exports of the WASM simulation core. Implementation lives in the modules below.
// Memory: allocate(nBars) lays out f64 columns at base + c*nBars*8 (see layout.ts: COL_*, slots, trades, summary);
// the host writes openTime/open/high/low/close/volume once, calls prepare(), then calls run() with scalars only.

/** allocate(nBars): base offset (0 if memory cannot grow). columnPtr(c), tradesPtr(), summaryPtr(): byte offsets of the f64 columns, trade records (10 f64 each) and summary (24 f64). */
export { allocate, barCount, columnPtr, tradesPtr, summaryPtr } from './layout';
/**
 * prepare(): mark UTC day ends and clear the indicator cache after new bars are written. run(...): one backtest (the
 * equity column and trades only when record != 0). runFlags(...): the same through the generic signal pre-pass.
 */
export { prepare, run, runFlags } from './engine';
/**
 * indicator(kind, sourceColumn, period): byte offset of an f64[nBars] buffer holding the indicator, from a cache of up to
 * 64 MiB of series (it may grow memory: take memory.buffer after the call); indicatorCacheCount(): series cached.
 */
export { indicator, indicatorCacheCount } from './indicators';
/** Portfolio core (portfolio.ts): pfAllocate(markets, unionBars, totalBars), pointer getters, pfPrepare(), pfRun(...). */
export {
  pfAllocate, pfStartPtr, pfCountPtr, pfTimePtr, pfColPtr, pfUnionIndexPtr, pfEquityPtr, pfOpenPositionsPtr,
  pfStatePtr, pfSummaryPtr, pfRecordsPtr, pfRulesPtr, pfPrepare, pfRun
} from './portfolio';
/** polyBandsCompute(window, degree): byte offset of f64[nBars] causal band mids (sigma follows at +nBars*8), NaN before bar window-1; 0 on bad arguments. */
export { polyBandsCompute } from './polybands';
/** Price-action patterns (zones.ts): zDetect(...) detector-only runs, zRun(...) the pattern-zones strategy; zZonesPtr(), zTradesPtr(), zCountsPtr(). */
export { zDetect, zRun, zZonesPtr, zTradesPtr, zCountsPtr } from './zones';
/** Rule strategies (rules.ts): rulesPlanPtr(regs) plan area for the host's compiled rules (run with strategy 6), signalsPtr() per-bar signal bytes of the last run, rulesRegPtr(r) a register of the last plan (f64 per bar, or a byte per bar for yes/no values). */
export { rulesPlanPtr, signalsPtr, rulesRegPtr } from './rules';
/** Minimal-loop probe (probe.ts): probeSmaCross(fast, slow, fee, sl, tp, cash), the machine's limit printed by `npm run bench`. */
export { probeSmaCross, probeDrawdown } from './probe';
