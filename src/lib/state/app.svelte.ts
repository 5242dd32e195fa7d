/**
 * The app's state root: market selection, strategy form and runs, shared with every page through
 * Svelte context. Construction is cheap and SSR-safe; {@link AppState.init} (called from onMount)
 * opens IndexedDB, loads the bundled dataset on a first visit, and starts the worker pool.
 */
import { DatabaseError, DB_CLOSED_MESSAGE } from '../persistence/errors';
import { getContext, setContext } from 'svelte';
import { BinanceClient } from '../data/binance-client';
import type { BacktestConfig } from '../engine/types';
import { loadBundledDataset, BUNDLED_DATASET } from '../persistence/bundled';
import { CandleStore } from '../persistence/candle-store';
import { PortfolioRunsRepository } from '../persistence/portfolio-runs';
import { RunsRepository } from '../persistence/runs';
import { BUNDLED_DAILY, loadBundledDaily } from '../persistence/bundled-daily';
import { ScansRepository } from '../persistence/scans';
import { ScanFitClient } from '../workers/scan-client';
import { ScannerState } from './scanner.svelte';
import { BacktestClient } from '../workers/backtest-client';
import { workerImporter } from '../workers/import-client';
import { defaultPoolSize } from '../workers/pool';
import type { TestFault } from '../workers/protocol';
import type { OhlcvColumns, Timeframe } from '../core/types';
import { datasetId, deriveFrom1h, describeError, MarketState } from './market.svelte';
import { PortfolioState } from './portfolio.svelte';
import { ResearchState } from './research.svelte';
import { RunsState, type Run, type RunResult } from './runs.svelte';
import { StrategyFormState } from './strategy-form.svelte';

const KEY = Symbol('app-state');

/** Options read from the page URL (test hooks only). */
export interface AppInitOptions {
	/** Base path of the site (SvelteKit `base`), for the bundled data file. */
	base: string;
	/** `?test-crash=throw|hang|crash` (or `1` = throw): the first run fails that way inside its worker. */
	testFault?: TestFault | null;
	/** `?test-timeout=ms`: per-run timeout (to test the hung-worker path quickly). */
	testTimeoutMs?: number | null;
}

/** State root; see the module comment. */
export class AppState {
	readonly market = new MarketState();
	readonly form = new StrategyFormState();
	readonly runs = new RunsState();
	/** The Portfolio screen (many markets, one account). */
	readonly portfolio = new PortfolioState();
	readonly scanner = new ScannerState();
	/** Research jobs, presets, auto-tune and recommendations (the Research screen; presets in the backtest form). */
	readonly research = new ResearchState();
	/** Note about the bundled daily candles of the scanner (loaded on this visit, or failed). */
	dailyNote = $state<string | null>(null);
	#scanFit: ScanFitClient | null = null;
	#daily: Promise<void> | null = null;
	#base = '';
	/** Start-up problem (storage unavailable, ...), shown in a banner. */
	fatal = $state<string | null>(null);
	/** Note about the bundled dataset (loaded on this visit, or failed). */
	bundledNote = $state<string | null>(null);
	ready = $state(false);
	poolSize = $state(0);
	#client: BacktestClient | null = null;
	#store: CandleStore | null = null;

	/** The candle store (after init). */
	get store(): CandleStore | null {
		return this.#store;
	}

	/** The app's worker pool client (null until {@link init} has run). */
	get client(): BacktestClient | null {
		return this.#client;
	}

	/**
	 * Browser-only start-up. Safe to call once; later calls are ignored.
	 * @param options - base path and test hooks.
	 */
	async init(options: AppInitOptions): Promise<void> {
		if (this.#store) return;
		try {
			const store = await CandleStore.open(undefined, undefined, {
				// Another tab upgraded the database: this tab's connection is closed; say so instead of failing later.
				onVersionChange: () => (this.fatal = DB_CLOSED_MESSAGE)
			});
			this.#store = store;
			try {
				const r = await loadBundledDataset(store, (url) => fetch(url), { url: `${options.base}/${BUNDLED_DATASET.path}` });
				if (r.loaded) this.bundledNote = `Loaded the bundled ${BUNDLED_DATASET.symbol} ${BUNDLED_DATASET.interval} candles (${r.inserted.toLocaleString('en-US')}) for offline use.`;
			} catch (e) {
				this.bundledNote = describeError(e);
			}
			const size = defaultPoolSize(navigator.hardwareConcurrency);
			this.#client = new BacktestClient(size);
			this.poolSize = size;
			// Prewarm: start the workers and load the selected market's candles into each as soon as it is chosen, so the
			// first run or optimisation batch does not wait for worker start-up, WASM instantiation and the candle copy.
			const pool = this.#client.pool;
			$effect.root(() => {
				$effect(() => {
					const d = this.market.dataset;
					if (d) void pool.prewarm({ id: d.id, ohlcv: d.ohlcv });
				});
			});
			this.runs.testFault = options.testFault ?? null;
			this.runs.testTimeoutMs = options.testTimeoutMs ?? null;
			await this.runs.init({ repo: new RunsRepository<BacktestConfig, RunResult>(store.db), client: this.#client });
			// One Binance client (one request-weight budget) for the market panel, the scanner and the portfolio screen.
			const binance = new BinanceClient();
			this.#base = options.base;
			this.#scanFit = new ScanFitClient();
			await this.market.init({ store, client: binance, importer: workerImporter() });
			await this.scanner.init({ store, client: binance, repo: new ScansRepository(store.db), fit: this.#scanFit.fit, bundled: () => this.loadDailyBundle() });
			const client = this.#client;
			await this.portfolio.init({ store, binance, client, repo: new PortfolioRunsRepository(store.db), symbols: () => this.market.symbols });
			await this.research.init({ store, binance, pool: client.pool, poolSize: size, client });
		} catch (e) {
			this.fatal =
				e instanceof DatabaseError
					? e.message
					: `The app could not start its local storage: ${describeError(e)} Use a browser with IndexedDB enabled (private windows may disable it).`;
		} finally {
			this.ready = true;
		}
	}

	/**
	 * Candles a run was computed on, for its chart: the loaded dataset when it is the same, else
	 * read from storage over the run's range.
	 * @returns the columns and whether they are identical to the run's (same dataset id), or null when none are stored.
	 */
	async candlesForRun(run: Run): Promise<{ ohlcv: OhlcvColumns; identical: boolean } | null> {
		const d = this.market.dataset;
		if (d && d.id === run.market.datasetId) return { ohlcv: d.ohlcv, identical: true };
		if (!this.#store) return null;
		let ohlcv = await this.#store.getCandles(run.market.symbol, run.market.interval as Timeframe, {
			from: run.market.firstOpenTime,
			to: run.market.lastOpenTime
		});
		if (ohlcv.openTime.length === 0) {
			// A run on candles derived from 1h: derive them again.
			const d = await deriveFrom1h(this.#store, run.market.symbol, run.market.interval as Timeframe, run.market.firstOpenTime, run.market.lastOpenTime);
			if (d) ohlcv = d.ohlcv;
		}
		if (ohlcv.openTime.length === 0) return null;
		return { ohlcv, identical: datasetId(run.market.symbol, run.market.interval, ohlcv) === run.market.datasetId };
	}

	/**
	 * Load the scanner's bundled daily candles into the store once (first visit of the Scanner screen; a scan waits
	 * for it). Resolves when done or failed ({@link dailyNote} says which).
	 */
	loadDailyBundle(): Promise<void> {
		const store = this.#store;
		if (!store) return Promise.resolve();
		this.#daily ??= loadBundledDaily(store, (url) => fetch(url), { url: `${this.#base}/${BUNDLED_DAILY.path}` }).then(
			(r) => {
				if (r.loaded) this.dailyNote = `Loaded bundled daily candles of ${Object.keys(r.asOf).length} markets for offline scans.`;
			},
			(e) => {
				this.dailyNote = describeError(e);
			}
		);
		return this.#daily;
	}

	/** Stop the workers (layout teardown). */
	dispose(): void {
		this.#client?.dispose();
		this.#scanFit?.dispose();
	}
}

/** Create the state root and provide it to the component tree (call in the root layout). */
export function provideAppState(): AppState {
	return setContext(KEY, new AppState());
}

/** The state root provided by the root layout. @throws Error outside that tree. */
export function useAppState(): AppState {
	const s = getContext<AppState | undefined>(KEY);
	if (!s) throw new Error('useAppState() must be called inside the root layout');
	return s;
}
