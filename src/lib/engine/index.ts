/** Public API of the engine layer (browser-safe: no Node imports here; Node code imports ./node). */
export * from './types';
export * from './strategies';
export { WasmEngine, assertValidOhlcv, toRunScalars } from './wasm-engine';
export type { BacktestResult, CoreSummary, IndicatorSeries, IndicatorKind, IndicatorSource, RunScalars } from './wasm-engine';
export { ENGINE_SEMVER, candleDataHash, canonicalConfig, engineBuildId, engineVersionOf, fingerprintRun, runFingerprint, tradesHash } from './fingerprint';
export type { RunFingerprint } from './fingerprint';
