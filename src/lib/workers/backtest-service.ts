/**
 * What a backtest worker does, as plain TypeScript (no worker or DOM globals), so the same code
 * runs inside the Web Worker (backtest-worker.ts) and in Node tests: keep one dataset loaded in
 * the engine's WASM memory keyed by its id, run a configuration on it, compute the full
 * statistics, and return results whose arrays are copied out of WASM memory and marked for
 * transfer.
 */
import { transfer } from 'comlink';
import { inferIntervalMs } from '../core/timeframe';
import type { OhlcvColumns } from '../core/types';
import { validateConfig } from '../engine/strategies';
import type { WasmEngine } from '../engine/wasm-engine';
import { computeMetrics } from '../metrics';
import type { BacktestWorkerApi, IndicatorLine, RunRequest, RunResponse } from './protocol';

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

	return {
		async loadDataset(id: string, ohlcv: OhlcvColumns): Promise<number> {
			const e = await engine();
			datasetId = null;
			e.load(ohlcv);
			openTime = ohlcv.openTime;
			close = ohlcv.close;
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
			const response: RunResponse = {
				trades: result.trades,
				equity,
				ambiguousBars: result.ambiguousBars,
				metrics: { ...metrics },
				summary: { ...result.summary },
				indicators,
				elapsedMs
			};
			return transfer(response, [equity.buffer, ...indicators.map((i) => i.values.buffer)] as ArrayBuffer[]);
		}
	};
}
