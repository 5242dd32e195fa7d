/**
 * Backtest worker entry (a module Web Worker; created only in the browser by backtest-client.ts).
 *
 * Compiles the WASM core once, keeps one dataset loaded in its linear memory (keyed by dataset
 * id), and answers run requests: simulation in WASM, full statistics from src/lib/metrics, and the
 * strategy's indicator lines for the chart. Result arrays are copied out of WASM memory and
 * transferred (not cloned) back to the page.
 */
import * as Comlink from 'comlink';
import wasmUrl from '../../../assembly/build/release.wasm?url';
import { inferIntervalMs } from '../core/timeframe';
import type { OhlcvColumns } from '../core/types';
import { validateConfig } from '../engine/strategies';
import { WasmEngine } from '../engine/wasm-engine';
import { computeMetrics } from '../metrics';
import type { BacktestWorkerApi, IndicatorLine, RunRequest, RunResponse } from './protocol';

let enginePromise: Promise<WasmEngine> | null = null;
let datasetId: string | null = null;
let openTime: Float64Array = new Float64Array(0);
let close: Float64Array = new Float64Array(0);

/** The engine instance of this worker, compiled on first use. */
function engine(): Promise<WasmEngine> {
	enginePromise ??= (async () => {
		const response = await fetch(wasmUrl);
		if (!response.ok) throw new Error(`Could not load the simulation core (${wasmUrl}: HTTP ${response.status}). Reload the page.`);
		const module = await WebAssembly.compileStreaming(response).catch(async () =>
			// Some static hosts serve .wasm without application/wasm; compile from bytes then.
			WebAssembly.compile(await (await fetch(wasmUrl)).arrayBuffer())
		);
		return WasmEngine.create(module);
	})();
	enginePromise.catch(() => (enginePromise = null));
	return enginePromise;
}

function simulateFault(request: RunRequest): Promise<never> | void {
	if (request.fault === 'throw') throw new Error('Test fault: the backtest worker threw on purpose (test hook).');
	if (request.fault === 'hang') {
		const until = Date.now() + 10 * 60_000;
		while (Date.now() < until) {
			/* busy loop: only the pool's timeout can end this */
		}
	}
	if (request.fault === 'crash') {
		setTimeout(() => {
			throw new Error('Test fault: uncaught error in the backtest worker (test hook).');
		});
		return new Promise<never>(() => {});
	}
}

const api: BacktestWorkerApi = {
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
		const pending = simulateFault(request);
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
		return Comlink.transfer(response, [equity.buffer, ...indicators.map((i) => i.values.buffer)] as ArrayBuffer[]);
	}
};

Comlink.expose(api);
