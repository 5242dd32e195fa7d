/**
 * Plain-TS reference engine (parity tests only; the app runs the WASM core). See `../SEMANTICS.md`.
 */
export { runReferenceBacktest, referenceSignals, validateOhlcv } from './engine';
export type { ReferenceSignals } from './engine';
export { sma, ema, rsiWilder, atrWilder, trueRange, rollingStd, rollingHighest, rollingLowest } from './indicators';
export { runReferencePortfolio, unionOpenTimes, DUST_CASH } from './portfolio';
