/**
 * Message protocol between the page and a backtest worker: the worker's remote API (exposed with
 * Comlink) and the shapes of a run request and response. Plain TypeScript: the pool and its tests
 * use these types without a DOM.
 */
import type { OhlcvColumns } from '../core/types';
import type { RunFingerprint } from '../engine/fingerprint';
import type { BacktestConfig, Trade } from '../engine/types';
import type { OptimizationJob, OverfittingEvidence, OverfittingRequest, TrialBatch, TrialResult, WalkForwardOptions, WalkForwardResult } from '../optimize';
import type { ExecutionChunk, ExecutionDraw } from '../analysis/execution';
import type { PackedTrials } from '../optimize/packed';

/** An indicator line computed by the WASM core for the chart (NaN while undefined). */
export interface IndicatorLine {
	id: string;
	label: string;
	/** `price`: drawn over the candles; `oscillator`: own pane (e.g. RSI 0-100); `data`: not drawn, used by tables (e.g. the ATR stop distance for R multiples). */
	pane: 'price' | 'oscillator' | 'data';
	/** Float64Array, length = bars. */
	values: Float64Array;
}

/** Summary the WASM core computes itself (see src/lib/engine/wasm-engine.ts). */
export interface CoreSummaryLike {
	finalEquity: number;
	totalReturnRatio: number;
	maxDrawdownRatio: number;
	nTrades: number;
	[key: string]: number;
}

/**
 * Test faults a run request can ask the worker to simulate (e2e tests of the failure paths only):
 * `throw`: the job throws inside the worker; `hang`: the job never returns (busy loop), so the
 * pool's timeout must replace the worker; `crash`: an uncaught error is raised in the worker
 * outside the call, as a broken worker would.
 */
export type TestFault = 'throw' | 'hang' | 'crash';

/** One backtest to run on the dataset already loaded in the worker. */
export interface RunRequest {
	/** Dataset the config refers to; the worker refuses to run on another one. */
	datasetId: string;
	config: BacktestConfig;
	/** Interval of the candles in ms (for annualised metrics). */
	intervalMs: number;
	/** Also return the strategy's indicator lines for the chart. */
	withIndicators: boolean;
	/** Market of the dataset; when given, the response carries the run's {@link RunFingerprint}. */
	market?: { symbol: string; interval: string };
	/** Test hook only; never set by normal UI paths. */
	fault?: TestFault;
}

/** What a run sends back. Typed arrays are transferred, not copied. */
export interface RunResponse {
	trades: Trade[];
	/** Close-marked equity per bar, Float64Array, length = bars (quote currency). */
	equity: Float64Array;
	ambiguousBars: number;
	/** Full statistics by metric key (see src/lib/metrics); ratios are fractions. */
	metrics: Record<string, number>;
	summary: CoreSummaryLike;
	indicators: IndicatorLine[];
	/** Wall time of the simulation inside the worker, ms (informative). */
	elapsedMs: number;
	/** Engine version, data hash, run fingerprint and trades hash (when the request named its market). */
	fingerprint?: RunFingerprint;
	/** pattern-zones runs: the zones that were active at some point (for the chart) and the run's zone counts. */
	zones?: import('../engine/zones-types').Zone[];
	zoneCounts?: import('../engine/zones-types').ZoneCounts;
	/** Look-ahead audit of the run (src/lib/rules/audit.ts). */
	audit?: import('../rules/audit').LookAheadAudit;
}

/** The API a backtest worker exposes. Every method may reject with an Error whose message is shown to the user. */
export interface BacktestWorkerApi {
	/**
	 * Copy candles into the worker's WASM memory, replacing any previous dataset.
	 * @param id - dataset id (the pool reloads only when a different id comes).
	 * @param ohlcv - candle columns (transferred: the caller's buffers are detached).
	 * @returns the number of bars loaded.
	 */
	loadDataset(id: string, ohlcv: OhlcvColumns): Promise<number>;
	/** Id of the dataset currently loaded, or null. */
	loadedDataset(): Promise<string | null>;
	/** Run one backtest on the loaded dataset. @throws Error when the dataset id differs or the config is invalid. */
	run(request: RunRequest): Promise<RunResponse>;
	/**
	 * Evaluate a batch of optimisation trials on the loaded dataset. The results come back packed in typed arrays
	 * (transferred; rebuild them with `unpackTrials`), or `{ missingJob }` when the request named a job by key only and
	 * the worker does not hold it (send it again with the job).
	 */
	evaluateBatch(request: EvaluateBatchRequest): Promise<EvaluateBatchResponse>;
	/**
	 * Detector-only price-action run (fair value gaps, order blocks, liquidity sweeps) on the loaded dataset.
	 * @throws Error when another dataset is loaded; RangeError for a bad option.
	 */
	detectZones(request: { datasetId: string; options: import('../engine/zones-engine').DetectZonesOptions }): Promise<import('../engine/zones-engine').DetectZonesResult>;
	/**
	 * Engine version and candle hash of the loaded dataset (the `engineVersion` and `dataHash` of run fingerprints).
	 * @throws Error when another dataset is loaded.
	 */
	identity(datasetId: string): Promise<DatasetIdentity>;
	/** Walk-forward validation on the loaded dataset. */
	walkForward(request: WalkForwardRequest): Promise<WalkForwardResult>;
	/** Monte Carlo, randomised execution: re-run the backtest for a chunk of fee/slippage draws on the loaded dataset. */
	executionChunk(request: ExecutionChunkRequest): Promise<ExecutionChunk>;
	/** Overfitting statistics: daily returns of an optimisation's best trials and the ranks of the best trial's neighbours. */
	overfittingEvidence(request: OverfittingEvidenceRequest): Promise<OverfittingEvidence>;
}

/** A chunk of randomised-execution draws for the worker holding `datasetId` (see src/lib/analysis/execution.ts). */
export interface ExecutionChunkRequest {
	datasetId: string;
	/** The run's configuration; each draw replaces its fee and slippage. */
	config: BacktestConfig;
	draws: ExecutionDraw[];
	/** Bar indices of the fan chart points. */
	fanX: number[];
}

/** Re-runs for the overfitting statistics of `job` on the worker holding `datasetId` (see src/lib/optimize/overfitting.ts). */
export interface OverfittingEvidenceRequest {
	datasetId: string;
	job: OptimizationJob;
	request: OverfittingRequest;
	/** Bar length of the candles (ms), for the daily resampling. */
	intervalMs: number;
}

/** What identifies the engine and the candles of a worker's dataset. */
export interface DatasetIdentity {
	engineVersion: string;
	/** SHA-256 of the candles (see src/lib/engine/fingerprint.ts). */
	dataHash: string;
}

/**
 * A batch of optimisation trials for the worker holding `datasetId`. The job is sent once per worker: with `job` and
 * `jobKey`, the worker keeps it (prepared) under the key; later batches give `jobKey` only.
 */
export interface EvaluateBatchRequest {
	datasetId: string;
	/** Key of the job in the worker (the page makes one per job object). */
	jobKey?: string;
	/** The job; required unless the worker already holds `jobKey`. */
	job?: OptimizationJob;
	batch: TrialBatch;
}

/** Packed results of a batch, or the key of a job the worker does not hold (it keeps the last few it was sent). */
export type EvaluateBatchResponse = PackedTrials | { missingJob: string };

/** Walk-forward options for the worker holding `datasetId` (the worker supplies its candles and engine). */
export type WalkForwardRequest = Omit<WalkForwardOptions, 'ohlcv' | 'engine' | 'signal'> & { datasetId: string };
