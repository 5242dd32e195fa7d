/**
 * What a backtest worker does, as plain TypeScript (no worker or DOM globals), so the same code
 * runs inside the Web Worker (backtest-worker.ts) and in Node tests: keep one dataset loaded in
 * the engine's WASM memory keyed by its id, run a configuration on it, compute the full
 * statistics, and return results whose arrays are copied out of WASM memory and marked for
 * transfer.
 */
import type { DetectZonesOptions, DetectZonesResult } from '../engine/zones-engine';
import { transfer } from 'comlink';
import { inferIntervalMs } from '../core/timeframe';
import type { OhlcvColumns } from '../core/types';
import { candleDataHash, fingerprintRun } from '../engine/fingerprint';
import { validateConfig } from '../engine/strategies';
import '../rules'; // registers rule strategies (configurations with strategy 'rules')
import { auditRun } from '../rules/audit';
import type { WasmEngine } from '../engine/wasm-engine';
import { computeMetrics } from '../metrics';
import { evaluateBatch as evaluateTrials, overfittingEvidence, runWalkForward } from '../optimize';
import { runExecutionChunk, type ExecutionChunk } from '../analysis/execution';
import { atrStopSpec, STOP_DISTANCE_ID } from '../metrics/trade-table';
import type {
	BacktestWorkerApi,
	DatasetIdentity,
	EvaluateBatchRequest,
	EvaluateBatchResponse,
	ExecutionChunkRequest,
	IndicatorLine,
	OverfittingEvidenceRequest,
	RunRequest,
	RunResponse,
	WalkForwardRequest
} from './protocol';
import type { OptimizationJob, OverfittingEvidence, WalkForwardResult } from '../optimize';
import { packedBuffers, packTrials } from '../optimize/packed';

/** Optimisation jobs a worker keeps (by key, the most recently used last). */
const KEPT_JOBS = 4;

/** Test faults (see {@link RunRequest.fault}); `crash` raises an uncaught error through `raiseUncaught`. */
function simulateFault(request: RunRequest, raiseUncaught: (e: Error) => void): Promise<never> | void {
	if (request.fault === 'throw') throw new Error('Test fault: the backtest worker threw on purpose (test hook).');
	if (request.fault === 'hang') {
		const until = Date.now() + 10 * 60_000;
		while (Date.now() < until) {
			/* busy loop: only the pool's timeout or a cancel can end this */
		}
	}
	if (request.fault === 'crash') {
		raiseUncaught(new Error('Test fault: uncaught error in the backtest worker (test hook).'));
		return new Promise<never>(() => {});
	}
}

/**
 * Create the worker API over an engine.
 * @param getEngine - creates the engine of this worker; called once (again only after a failure), its result is reused.
 * @param raiseUncaught - how to raise an error outside any call (the worker throws it from a timer).
 * @returns the API the pool calls (loadDataset, loadedDataset, run).
 */
export function createBacktestService(
	getEngine: () => Promise<WasmEngine>,
	raiseUncaught: (e: Error) => void = (e) =>
		setTimeout(() => {
			throw e;
		})
): BacktestWorkerApi {
	let enginePromise: Promise<WasmEngine> | null = null;
	const engine = (): Promise<WasmEngine> =>
		(enginePromise ??= getEngine().catch((e: unknown) => {
			enginePromise = null;
			throw e;
		}));
	let datasetId: string | null = null;
	let openTime: Float64Array = new Float64Array(0);
	let close: Float64Array = new Float64Array(0);
	let loaded: OhlcvColumns | null = null;
	/** SHA-256 of the loaded candles, computed on the first fingerprinted run of the dataset. */
	let dataHash: string | null = null;
	/** Jobs sent to this worker, by key (see EvaluateBatchRequest.jobKey); their preparation is cached per object. */
	const jobs = new Map<string, OptimizationJob>();
	const requireDataset = (id: string) => {
		if (id !== datasetId) throw new Error(`This worker holds dataset ${datasetId ?? '(none)'}, not ${id}; the pool must load it first.`);
	};

	return {
		async loadDataset(id: string, ohlcv: OhlcvColumns): Promise<number> {
			const e = await engine();
			datasetId = null;
			e.load(ohlcv);
			openTime = ohlcv.openTime;
			close = ohlcv.close;
			loaded = ohlcv;
			dataHash = null;
			datasetId = id;
			return e.barCount;
		},

		async loadedDataset(): Promise<string | null> {
			return datasetId;
		},

		async run(request: RunRequest): Promise<RunResponse> {
			const pending = simulateFault(request, raiseUncaught);
			if (pending) return pending;
			if (request.datasetId !== datasetId) {
				throw new Error(`This worker holds dataset ${datasetId ?? '(none)'}, not ${request.datasetId}; the pool must load it first.`);
			}
			validateConfig(request.config);
			const e = await engine();
			const t0 = performance.now();
			const result = e.run(request.config);
			// Copy out of WASM memory before transferring: a transfer would otherwise detach the engine's memory.
			const equity = Float64Array.from(result.equity);
			const elapsedMs = performance.now() - t0;
			const intervalMs = request.intervalMs > 0 ? request.intervalMs : inferIntervalMs(openTime);
			const metrics = computeMetrics({
				openTime,
				close,
				equity,
				trades: result.trades,
				initialCash: request.config.initialCash,
				intervalMs,
				ambiguousBars: result.ambiguousBars
			}) as unknown as Record<string, number>;
			const indicators: IndicatorLine[] = request.withIndicators
				? e.indicatorSeries(request.config).map((s) => ({ id: s.id, label: s.label, pane: s.pane, values: Float64Array.from(s.values) }))
				: [];
			// An ATR stop's distance per bar (price units), for the trades table's R multiples.
			const stop = request.withIndicators ? atrStopSpec(request.config) : null;
			if (stop) {
				const atr = e.indicator('atr', stop.period);
				indicators.push({ id: STOP_DISTANCE_ID, label: `${stop.multiple} × ATR ${stop.period} (stop distance)`, pane: 'data', values: Float64Array.from(atr, (v) => v * stop.multiple) });
			}
			// Look-ahead audit: prefix re-runs (the engine is reloaded with the full candles afterwards).
			const audit = auditRun(e, request.config);
			const response: RunResponse = {
				audit,
				trades: result.trades,
				equity,
				ambiguousBars: result.ambiguousBars,
				metrics: { ...metrics },
				summary: { ...result.summary },
				indicators,
				elapsedMs,
				...(result.zones ? { zones: result.zones.filter((z) => z.endBar >= 0), zoneCounts: result.zoneCounts } : {}),
				fingerprint: request.market
					? fingerprintRun({
							engineVersion: e.version,
							symbol: request.market.symbol,
							interval: request.market.interval,
							dataHash: (dataHash ??= candleDataHash(loaded!)),
							config: request.config,
							trades: result.trades
						})
					: undefined
			};
			return transfer(response, [equity.buffer, ...indicators.map((i) => i.values.buffer)] as ArrayBuffer[]);
		},

		/**
		 * Evaluate one batch of optimisation trials on the loaded dataset (no equity curve, no trade list).
		 * @param request - dataset id (must be the loaded one), the job (or the key of a job sent before) and the batch
		 *   of combination indices.
		 * @returns one result per valid combination of the batch, in batch order, packed in typed arrays (transferred),
		 *   with the evaluation time; or `{ missingJob }` when only a key was given and this worker does not hold it.
		 * @throws Error when another dataset is loaded; ValidationError / RangeError from the optimisation core.
		 */
		async evaluateBatch(request: EvaluateBatchRequest): Promise<EvaluateBatchResponse> {
			requireDataset(request.datasetId);
			const e = await engine();
			let job = request.job;
			const key = request.jobKey;
			if (key !== undefined) {
				if (job) {
					jobs.delete(key);
					jobs.set(key, job);
					while (jobs.size > KEPT_JOBS) jobs.delete(jobs.keys().next().value!);
				} else {
					job = jobs.get(key);
					if (!job) return { missingJob: key };
				}
			}
			if (!job) throw new Error('evaluateBatch needs a job or the key of a job sent to this worker before.');
			const t0 = performance.now();
			const packed = packTrials(evaluateTrials(e, job, request.batch));
			packed.elapsedMs = performance.now() - t0;
			return transfer(packed, packedBuffers(packed));
		},

		async detectZones(request: { datasetId: string; options: DetectZonesOptions }): Promise<DetectZonesResult> {
			requireDataset(request.datasetId);
			const e = await engine();
			return e.detectZones(request.options);
		},

		async identity(id: string): Promise<DatasetIdentity> {
			requireDataset(id);
			const e = await engine();
			return { engineVersion: e.version, dataHash: (dataHash ??= candleDataHash(loaded!)) };
		},

		/**
		 * Run walk-forward validation on the loaded dataset; the full dataset is loaded back afterwards.
		 * @param request - dataset id (must be the loaded one) and the walk-forward options without data and engine.
		 * @returns the walk-forward result (splits, stitched out-of-sample equity, efficiency).
		 * @throws Error when another dataset is loaded; ValidationError from the window arithmetic or the job.
		 */
		async walkForward(request: WalkForwardRequest): Promise<WalkForwardResult> {
			requireDataset(request.datasetId);
			const e = await engine();
			const ohlcv = loaded!;
			try {
				const { datasetId: _id, ...options } = request;
				const r = await runWalkForward({ ...options, ohlcv, engine: e });
				const result = { ...r, openTime: Float64Array.from(r.openTime), equity: Float64Array.from(r.equity) };
				return transfer(result, [result.openTime.buffer, result.equity.buffer] as ArrayBuffer[]);
			} finally {
				e.load(ohlcv);
			}
		},

		/**
		 * Re-run the run's configuration once per fee/slippage draw (Monte Carlo, randomised execution).
		 * @throws Error when another dataset is loaded; ValidationError for an invalid configuration.
		 */
		async executionChunk(request: ExecutionChunkRequest): Promise<ExecutionChunk> {
			requireDataset(request.datasetId);
			validateConfig(request.config);
			const e = await engine();
			return runExecutionChunk(e, request.config, request.draws, request.fanX);
		},

		/**
		 * Daily returns of an optimisation's best trials and the ranking values of the best trial's neighbours.
		 * @throws Error when another dataset is loaded; ValidationError for an invalid job.
		 */
		async overfittingEvidence(request: OverfittingEvidenceRequest): Promise<OverfittingEvidence> {
			requireDataset(request.datasetId);
			const e = await engine();
			const ev = overfittingEvidence(e, request.job, request.request, openTime, request.intervalMs);
			return transfer(ev, ev.daily.map((d) => d.buffer) as ArrayBuffer[]);
		}
	};
}
