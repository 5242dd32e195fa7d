/**
 * The app's side of the research core's injected interfaces (src/lib/research/types.ts): a {@link ResearchEvaluator}
 * over the page's worker pool, a {@link CandleSource} that syncs Binance candles into IndexedDB (or takes them from
 * the cache) with progress per market, and a plain-language form of preset values. Plain TypeScript (no runes): the research state uses it, tests call it directly.
 */
import type { Remote } from 'comlink';
import { DataError } from '../core/errors';
import { timeframeMs } from '../core/timeframe';
import type { OhlcvColumns, Timeframe, UnixMs } from '../core/types';
import { syncCandles, type KlineSource } from '../data/sync';
import { unpackTrials, type PackedTrials, type TrialResult } from '../optimize';
import type { CandleStore } from '../persistence/candle-store';
import type { CandleSource, PresetValues, ResearchDataSlice, ResearchEvaluator, RowJob } from '../research/types';
import type { WorkerPool } from '../workers/pool';
import type { BacktestWorkerApi } from '../workers/protocol';
import type { ResearchWorkerApi } from '../workers/research-service';
import { deriveFrom1h, describeError } from './market.svelte';

/**
 * A research evaluator on the worker pool. Single-market rows: each batch goes to a worker that holds the slice's
 * candles (loaded once per worker and slice id by the pool) and runs the WASM optimisation loop on them. Portfolio-of-one
 * rows (risk axes, leverage, breakers): the batch and the slice's candles go to the worker's research service
 * (src/lib/workers/research-service.ts), which loads the market into its own portfolio core when it changes.
 * @param pool - the page's backtest worker pool (its workers expose the research service).
 */
export function poolEvaluator(pool: WorkerPool<Remote<BacktestWorkerApi>>): ResearchEvaluator {
	return {
		evaluate(data: ResearchDataSlice, job: RowJob, batch): Promise<TrialResult[]> {
			if (job.path === 'single') {
				return pool.submit({
					dataset: { id: data.id, ohlcv: data.ohlcv },
					run: async (api) => unpackTrials((await api.evaluateBatch({ datasetId: data.id, job: job.job, batch })) as PackedTrials)
				}).promise;
			}
			return pool.submit({
				run: async (api) => {
					const research = api as unknown as Remote<ResearchWorkerApi>;
					return (await research.evaluatePortfolioBatch({ dataId: data.id, symbol: data.symbol, ohlcv: data.ohlcv, job: job.job, batch })) as TrialResult[];
				}
			}).promise;
		}
	};
}

/** Progress of one market's candles while a job loads them. */
export interface CandleLoadEvent {
	symbol: string;
	interval: Timeframe;
	status: 'loading' | 'done' | 'failed';
	/** Fraction fetched, 0 … 1 (while loading). */
	fraction: number;
	/** Candles available in the window (done), or the error in words (failed). */
	bars?: number;
	message?: string;
}

/** Options of {@link appCandleSource}. */
export interface AppCandleSourceOptions {
	/** Binance klines (null: offline, use the cache only). */
	binance: KlineSource | null;
	/** Told about each market's progress, completion or failure. */
	onEvent?: (e: CandleLoadEvent) => void;
	/** Clock, Unix ms (default `Date.now()`). */
	now?: () => UnixMs;
	signal?: AbortSignal;
}

/**
 * Candles for research jobs: bring the stored series up to date for the window from Binance (only what is not
 * stored yet), then read it from IndexedDB; when Binance cannot be reached the cached candles are used, and an interval
 * that Binance or the cache do not have is built from stored 1h candles (4h, 1d, …) when possible.
 * @param store - the candle store.
 * @param options - the Binance source, progress callback, clock, abort signal.
 * @returns a {@link CandleSource}; `load` throws DataError with the reason (the sync's error too) when no candle of the
 *   market and interval is available in the window.
 */
export function appCandleSource(store: CandleStore, options: AppCandleSourceOptions): CandleSource {
	return {
		async load(symbol, interval, window, onProgress): Promise<OhlcvColumns> {
			const now = options.now?.() ?? Date.now();
			const len = timeframeMs(interval);
			const to = Math.min(window.toMs ?? now, Math.floor(now / len) * len - len);
			const from = window.fromMs ?? to - 365 * 86_400_000;
			const emit = (e: Omit<CandleLoadEvent, 'symbol' | 'interval'>) => options.onEvent?.({ symbol, interval, ...e });
			emit({ status: 'loading', fraction: 0 });
			let syncProblem: string | null = null;
			if (options.binance) {
				try {
					await syncCandles({
						store,
						source: options.binance,
						symbol,
						interval,
						startTime: from,
						endTime: to,
						signal: options.signal,
						onProgress: (p) => {
							const f = p.expected > 0 ? Math.min(1, p.fetched / p.expected) : 0;
							onProgress?.(f);
							emit({ status: 'loading', fraction: f });
						}
					});
				} catch (e) {
					if (options.signal?.aborted) throw e;
					syncProblem = describeError(e);
				}
			}
			let ohlcv = await store.getCandles(symbol, interval, { from, to });
			if (ohlcv.openTime.length === 0) {
				const derived = await deriveFrom1h(store, symbol, interval, from, to);
				if (derived) ohlcv = derived.ohlcv;
			}
			if (ohlcv.openTime.length === 0) {
				const message =
					`No ${symbol} ${interval} candles are available for this window` +
					(syncProblem ? `: Binance could not be reached (${syncProblem}) and none are stored.` : options.binance ? ': Binance has none there.' : ' (offline, and none are stored).') +
					' Sync or import them on the Backtest screen, or pick another market, timeframe or window.';
				emit({ status: 'failed', fraction: 0, message });
				throw new DataError(message);
			}
			emit({ status: 'done', fraction: 1, bars: ohlcv.openTime.length, ...(syncProblem ? { message: `Binance could not be reached (${syncProblem}); used the ${ohlcv.openTime.length} stored candles.` } : {}) });
			return ohlcv;
		}
	};
}

/** Preset values <-> backtest configuration (the core's helpers, re-exported for the form and the before/after view). */
export { configWithPreset, presetValuesFromConfig } from '../research/presets';

/**
 * Plain-language list of preset values, e.g. `fast 10, slow 30 · SL 2 %, TP 4 %, size 100 %`.
 * @param values - preset values (risk fractions are shown as %).
 */
export function describePresetValues(values: PresetValues | null | undefined): string {
	if (!values) return '—';
	const p = Object.entries(values.params).map(([k, v]) => `${k} ${typeof v === 'number' ? +v.toPrecision(6) : v}`);
	const pct = (x: number) => `${+(x * 100).toPrecision(4)} %`;
	const r = values.risk ?? {};
	const names: Record<string, string> = {
		stopLoss: 'SL',
		takeProfit: 'TP',
		sizingValue: 'size',
		leverage: 'leverage',
		maxDrawdownThreshold: 'DD breaker',
		maxDrawdownCooldownBars: 'DD cool-down',
		consecutiveLosses: 'loss streak',
		consecutiveLossesFactor: 'streak factor'
	};
	const fractions = new Set(['stopLoss', 'takeProfit', 'maxDrawdownThreshold', 'consecutiveLossesFactor']);
	const risk = Object.entries(r).map(([k, v]) => `${names[k] ?? k} ${fractions.has(k) || (k === 'sizingValue' && v <= 1) ? pct(v) : `${+v.toPrecision(6)}${k === 'leverage' ? '×' : ''}`}`);
	return [p.join(', '), risk.join(', ')].filter(Boolean).join(' · ');
}

/** Message for an error of any kind (re-exported for the research state and screen). */
export { describeError };
