/**
 * State of the Portfolio screen: the markets of the basket (priority order), interval and UTC range,
 * the strategy form (shared {@link StrategyFormState}), the portfolio settings (K, sizing, leverage,
 * circuit breakers), loading every market's candles with progress per market, the consent step
 * when some markets fail, submitting the run to the worker pool, and the portfolio run history
 * (reopen, compare, delete) kept in IndexedDB.
 *
 * Inputs are kept as typed (percent where the UI shows %); each field has its own message and
 * {@link PortfolioState.config} is the validated PortfolioConfig or null while anything is invalid.
 */
import { isoUtc, timeframeMs } from '../core/timeframe';
import type { OhlcvColumns, Timeframe, UnixMs } from '../core/types';
import type { SymbolInfo, SymbolVolume } from '../data/binance-client';
import { countMissingBars, findGaps } from '../data/gaps';
import { syncCandles, type KlineSource } from '../data/sync';
import { exchangeRulesOf, validatePortfolioConfig } from '../engine/portfolio-config';
import type { BreakerSpec, ExchangeRules, PortfolioConfig, PortfolioSizingSpec } from '../engine/types';
import type { CandleStore } from '../persistence/candle-store';
import type { SeriesRecord } from '../persistence/db';
import { PORTFOLIO_RUN_KIND, type PortfolioRunMarket, type PortfolioRunsRepository, type StoredPortfolioRun } from '../persistence/portfolio-runs';
import { newRunId } from '../persistence/runs';
import type { PortfolioRunRequest, PortfolioRunResponse } from '../workers/portfolio-protocol';
import { PoolJobError, type PoolJob } from '../workers/pool';
import type { TestFault } from '../workers/protocol';
import { datasetId, describeError, fromInputUtc, toInputUtc } from './market.svelte';
import { addSymbols, isLeveragedToken, MAX_PORTFOLIO_MARKETS, moveSymbol, normaliseSymbol, portfolioLabel } from './portfolio-text';
import { pctToFraction, fractionToPct, StrategyFormState, type NumberInput } from './strategy-form.svelte';

/** What a completed portfolio run keeps (the worker's response; arrays are Float64Array of length T). */
export type PortfolioRunResult = PortfolioRunResponse;

/** A stored portfolio run with the engine's types. */
export type PortfolioRun = StoredPortfolioRun<PortfolioConfig, PortfolioRunResult>;

/** Sizing choices of the form. */
export type PortfolioSizingMode = PortfolioSizingSpec['mode'];

/** One circuit breaker row of the form (values as typed; percent where the UI shows %). */
export interface BreakerRow {
	id: number;
	kind: BreakerSpec['kind'];
	enabled: boolean;
	/** max-drawdown: threshold in percent. */
	thresholdPct: NumberInput;
	/** max-drawdown: cooldown in bars. */
	cooldownBars: NumberInput;
	/** consecutive-losses: losing trades in a row. */
	count: NumberInput;
	/** consecutive-losses: size factor (0 < factor <= 1). */
	factor: NumberInput;
}

/** Loading status of one market before a run. */
export interface MarketLoad {
	symbol: string;
	status: 'waiting' | 'loading' | 'ready' | 'failed';
	fetched: number;
	expected: number;
	/** Candles available in the range once loaded. */
	bars: number;
	/** What went wrong (status `failed`), or a remark (e.g. the market starts after the range start). */
	message: string | null;
}

/** Phases of preparing and running a portfolio. */
export type PortfolioPhase = 'idle' | 'loading' | 'confirm' | 'submitting';

/** Dependencies of {@link PortfolioState}, created in the browser. */
export interface PortfolioDeps {
	store: Pick<CandleStore, 'getCandles' | 'listSeries'> & Parameters<typeof syncCandles>[0]['store'];
	/** Binance: klines for the sync, and the 24h ticker ranking. */
	binance: KlineSource & { topSymbolsByQuoteVolume(n: number, opts?: { quoteAsset?: string; signal?: AbortSignal }): Promise<SymbolVolume[]> };
	/** The worker pool client. */
	client: { runPortfolio(id: string, request: PortfolioRunRequest, onStart?: () => void, timeoutMs?: number): PoolJob<PortfolioRunResponse> };
	repo: PortfolioRunsRepository<PortfolioConfig, PortfolioRunResult>;
	/** The exchange's symbol list when known (MarketState.symbols), else empty. */
	symbols: () => readonly SymbolInfo[];
}

/** Candles of one market, loaded for a run. */
interface LoadedMarket {
	symbol: string;
	ohlcv: OhlcvColumns;
	market: PortfolioRunMarket;
}

/** The default basket of the reference cases (SEMANTICS.md "Portfolios", P1/C1). */
export const DEFAULT_BASKET = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT'];

function numberProblem(label: string, v: NumberInput, min: number, max: number, opts: { minExclusive?: boolean; integer?: boolean; unit?: string } = {}): string | null {
	const unit = opts.unit ? ` ${opts.unit}` : '';
	if (v === null || typeof v !== 'number' || !Number.isFinite(v)) return `${label} is required (a number${unit ? ' in' + unit : ''})`;
	if (opts.integer && !Number.isInteger(v)) return `${label} must be a whole number, got ${v}`;
	if (!(opts.minExclusive ? v > min : v >= min) || v > max) return `${label} must be ${opts.minExclusive ? 'above' : 'from'} ${min} to ${max}${unit}, got ${v}`;
	return null;
}

/** Rune-backed Portfolio screen state; see the module comment. */
export class PortfolioState {
	/** Markets in priority order (symbol order: earlier markets fill first when slots are scarce). */
	symbols = $state<string[]>([...DEFAULT_BASKET]);
	interval = $state<Timeframe>('1h');
	/** Range inputs (`YYYY-MM-DDTHH:mm`, UTC), open times inclusive. */
	from = $state('');
	to = $state('');
	/** The strategy, its parameters, direction, costs, stops and initial cash (its sizing fields are not used). */
	readonly form = new StrategyFormState();
	maxPositions = $state<NumberInput>(3);
	sizingMode = $state<PortfolioSizingMode>('equity-split');
	/** Quote amount for `fixed-notional`. */
	sizingAmount = $state<NumberInput>(2000);
	/** Percent of equity for `equity-fraction` and `risk`. */
	sizingPct = $state<NumberInput>(1);
	leverage = $state<NumberInput>(1);
	/** Maintenance margin in percent of notional (liquidation with leverage above 1). */
	maintenancePct = $state<NumberInput>(0.5);
	/** Apply each market's exchange rules (LOT_SIZE step, PRICE_FILTER tick, minimum notional) when Binance's exchangeInfo knows them. */
	exchangeRules = $state(true);
	/** Maker fee (limit fills: take-profit) in percent; null = the same as the fee per fill (taker). */
	makerFeePct = $state<NumberInput>(null);
	breakers = $state<BreakerRow[]>([]);
	/** Stored series (to offer the markets already stored). */
	series = $state.raw<SeriesRecord[]>([]);
	topN = $state<NumberInput>(20);
	topLoading = $state(false);
	topError = $state<string | null>(null);
	/** The last "top N" answer, for display. */
	topRows = $state.raw<SymbolVolume[]>([]);
	phase = $state<PortfolioPhase>('idle');
	loads = $state<MarketLoad[]>([]);
	/** Problem of the last start (validation, nothing loaded, storage), shown above the results. */
	error = $state<string | null>(null);
	/** Every stored portfolio run, newest first. */
	history = $state.raw<PortfolioRun[]>([]);
	selectedId = $state<string | null>(null);
	/** Up to two runs chosen for comparison. */
	compareIds = $state<string[]>([]);
	ready = $state(false);
	/** Test hook: the next run asks its worker to fail this way. */
	testFault: TestFault | null = null;
	#deps: PortfolioDeps | null = null;
	#nextBreakerId = 1;
	#loaded: LoadedMarket[] = [];
	#abort: AbortController | null = null;
	#jobs = new Map<string, PoolJob<PortfolioRunResponse>>();
	#settled = new Map<string, Promise<void>>();

	constructor() {
		const step = 3_600_000;
		const last = Math.floor(Date.now() / step) * step - step;
		this.from = toInputUtc(last - 365 * 86_400_000);
		this.to = toInputUtc(last);
	}

	/** Connect to storage, Binance and the pool; runs left unfinished by a closed page become failed. */
	async init(deps: PortfolioDeps): Promise<void> {
		this.#deps = deps;
		try {
			await deps.repo.markInterrupted();
			await this.refresh();
			await this.refreshSeries();
		} catch (e) {
			this.error = `Portfolio history is unavailable: ${describeError(e)}`;
		}
		this.ready = true;
	}

	/** Reload the portfolio run history from IndexedDB. */
	async refresh(): Promise<void> {
		if (!this.#deps) return;
		this.history = await this.#deps.repo.list();
	}

	/** Reload the stored series list. */
	async refreshSeries(): Promise<void> {
		if (!this.#deps) return;
		this.series = await this.#deps.store.listSeries();
	}

	// ---- markets --------------------------------------------------------------------------

	/** Symbols stored locally for the chosen interval (candidates to add). */
	get storedSymbols(): string[] {
		return this.series.filter((s) => s.interval === this.interval && s.count > 0).map((s) => s.symbol);
	}

	/**
	 * Symbols matching a search text: the exchange's list when known, else the stored ones.
	 * @param query - free text (`sol`, `SOL/USDT`).
	 */
	search(query: string, limit = 12): string[] {
		const q = query.toUpperCase().replace(/[^A-Z0-9]/g, '');
		if (!q) return [];
		const list = this.#deps?.symbols() ?? [];
		if (list.length) {
			// Exact symbol, then USDT pairs whose symbol or base asset starts with the text, then other pairs.
			const exact: string[] = [];
			const usdt: string[] = [];
			const prefix: string[] = [];
			const other: string[] = [];
			for (const s of list) {
				if (s.symbol === q) exact.push(s.symbol);
				else if (s.quoteAsset === 'USDT' && (s.symbol.startsWith(q) || s.baseAsset.startsWith(q))) usdt.push(s.symbol);
				else if (s.symbol.startsWith(q)) prefix.push(s.symbol);
				else if (s.baseAsset.includes(q)) other.push(s.symbol);
			}
			return [...exact, ...usdt, ...prefix, ...other].filter((s) => !this.symbols.includes(s)).slice(0, limit);
		}
		return [...new Set(this.series.map((s) => s.symbol))].filter((s) => s.includes(q) && !this.symbols.includes(s)).slice(0, limit);
	}

	/**
	 * Add a market by symbol (typed or picked).
	 * @returns null when added, else why not (bad symbol, unknown on Binance, already in, list full).
	 */
	addMarket(text: string): string | null {
		const s = normaliseSymbol(text);
		if (!s) return `"${text}" is not a Binance symbol (letters and digits, e.g. BTCUSDT).`;
		if (this.symbols.includes(s)) return `${s} is already in the basket.`;
		if (this.symbols.length >= MAX_PORTFOLIO_MARKETS) return `A portfolio holds at most ${MAX_PORTFOLIO_MARKETS} markets.`;
		const list = this.#deps?.symbols() ?? [];
		if (list.length && !list.some((x) => x.symbol === s) && !this.storedSymbols.includes(s))
			return `${s} is not a trading Binance spot symbol (check the spelling, e.g. SOLUSDT).`;
		this.symbols = addSymbols(this.symbols, [s]);
		return null;
	}

	removeMarket(symbol: string): void {
		this.symbols = this.symbols.filter((s) => s !== symbol);
	}

	moveMarket(symbol: string, by: -1 | 1): void {
		this.symbols = moveSymbol(this.symbols, symbol, by);
	}

	/** Replace the basket with the stored markets of the interval. */
	useStored(): void {
		this.symbols = addSymbols([], this.storedSymbols);
	}

	/**
	 * Replace the basket with the top N USDT markets by 24h quote volume (Binance `GET /api/v3/ticker/24hr`):
	 * status TRADING, no pair of two fiat-pegged assets (stablecoins), no leveraged token.
	 */
	async useTopByVolume(): Promise<void> {
		if (!this.#deps) return;
		const n = this.topN;
		const problem = numberProblem('N', n, 1, MAX_PORTFOLIO_MARKETS, { integer: true });
		if (problem) {
			this.topError = problem;
			return;
		}
		this.topLoading = true;
		this.topError = null;
		try {
			// Ask for extra rows: leveraged tokens are dropped after the ranking.
			const rows = await this.#deps.binance.topSymbolsByQuoteVolume((n as number) + 40, { quoteAsset: 'USDT' });
			const bases = new Set((this.#deps.symbols().length ? this.#deps.symbols() : rows).map((s) => s.baseAsset));
			const kept = rows.filter((r) => !isLeveragedToken(r.baseAsset, bases)).slice(0, n as number);
			if (!kept.length) throw new Error('Binance listed no USDT market with 24h volume.');
			this.topRows = kept;
			this.symbols = kept.map((r) => r.symbol);
		} catch (e) {
			this.topError = `Could not get the 24h volume ranking from Binance: ${describeError(e)}`;
		} finally {
			this.topLoading = false;
		}
	}

	// ---- settings -------------------------------------------------------------------------

	/** Add a circuit breaker of a kind not yet present, with the reference defaults (10 %/168 bars; 3 losses/×0.5). */
	addBreaker(kind: BreakerSpec['kind']): void {
		if (this.breakers.some((b) => b.kind === kind)) return;
		this.breakers = [
			...this.breakers,
			{ id: this.#nextBreakerId++, kind, enabled: true, thresholdPct: 10, cooldownBars: 168, count: 3, factor: 0.5 }
		];
	}

	removeBreaker(id: number): void {
		this.breakers = this.breakers.filter((b) => b.id !== id);
	}

	/** Range problems (null when usable). */
	get rangeError(): string | null {
		const a = fromInputUtc(this.from);
		const b = fromInputUtc(this.to);
		if (!Number.isFinite(a)) return 'Start is not a valid date and time (UTC)';
		if (!Number.isFinite(b)) return 'End is not a valid date and time (UTC)';
		if (b < a) return 'End must not be before start';
		return null;
	}

	/** Start and end open times of the range (ms UTC, inclusive). */
	get range(): { startTime: UnixMs; endTime: UnixMs } {
		return { startTime: fromInputUtc(this.from), endTime: fromInputUtc(this.to) };
	}

	/** Per-field messages of the portfolio settings (only invalid fields are present). */
	readonly errors = $derived.by((): Record<string, string> => {
		const out: Record<string, string> = {};
		const set = (key: string, msg: string | null) => {
			if (msg) out[key] = msg;
		};
		if (this.symbols.length === 0) out.symbols = 'Add at least one market.';
		set('range', this.rangeError);
		set('maxPositions', numberProblem('Max positions K', this.maxPositions, 1, 200, { integer: true }));
		if (this.sizingMode === 'fixed-notional') set('sizingAmount', numberProblem('Amount per trade', this.sizingAmount, 0, 1e15, { minExclusive: true }));
		if (this.sizingMode === 'equity-fraction' || this.sizingMode === 'risk')
			set('sizingPct', numberProblem(this.sizingMode === 'risk' ? 'Risk per trade' : 'Position size', this.sizingPct, 0, 100, { minExclusive: true, unit: '%' }));
		if (this.sizingMode === 'risk' && this.form.stopLossMode === 'none' && !this.form.definition.ownsExitLevels)
			out.sizingMode = 'Risk sizing needs a stop-loss: set one under Trading, or size another way';
		set('leverage', numberProblem('Leverage', this.leverage, 1, 10));
		if (this.makerFeePct !== null) set('makerFeePct', numberProblem('Maker fee', this.makerFeePct, 0, 49.99, { unit: '%' }));
		if ((this.leverage ?? 1) > 1) set('maintenancePct', numberProblem('Maintenance margin', this.maintenancePct, 0, 49.99, { unit: '%' }));
		for (const b of this.breakers) {
			if (b.kind === 'max-drawdown') {
				set(`breaker.${b.id}.threshold`, numberProblem('Drawdown threshold', b.thresholdPct, 0, 99.999, { minExclusive: true, unit: '%' }));
				set(`breaker.${b.id}.cooldown`, numberProblem('Cooldown', b.cooldownBars, 1, 1_000_000, { integer: true, unit: 'bars' }));
			} else {
				set(`breaker.${b.id}.count`, numberProblem('Losses in a row', b.count, 1, 1000, { integer: true }));
				set(`breaker.${b.id}.factor`, numberProblem('Size factor', b.factor, 0, 1, { minExclusive: true }));
			}
		}
		return out;
	});

	/** The configuration built from the inputs and checked by the engine's rules (validatePortfolioConfig). */
	readonly #checked = $derived.by((): { config: PortfolioConfig | null; problem: string | null } => {
		const base = this.form.config;
		if (!base || Object.keys(this.errors).length) return { config: null, problem: null };
		const sizing: PortfolioSizingSpec =
			this.sizingMode === 'fixed-notional'
				? { mode: 'fixed-notional', amount: this.sizingAmount as number }
				: this.sizingMode === 'equity-split'
					? { mode: 'equity-split' }
					: { mode: this.sizingMode, fraction: pctToFraction(this.sizingPct as number) };
		const breakers: BreakerSpec[] = this.breakers
			.filter((b) => b.enabled)
			.map((b) =>
				b.kind === 'max-drawdown'
					? { kind: 'max-drawdown', threshold: pctToFraction(b.thresholdPct as number), action: 'close-all', cooldownBars: b.cooldownBars as number }
					: { kind: 'consecutive-losses', count: b.count as number, action: 'reduce', factor: b.factor as number }
			);
		const { sizing: _single, ...rest } = base;
		const config: PortfolioConfig = {
			...rest,
			sizing,
			maxPositions: this.maxPositions as number,
			leverage: this.leverage as number,
			maintenanceMarginRatio: (this.leverage ?? 1) > 1 ? pctToFraction(this.maintenancePct as number) : 0.005,
			breakers,
			exchangeRules: this.exchangeRules
		};
		if (this.makerFeePct !== null) config.makerFeeRate = pctToFraction(this.makerFeePct);
		try {
			validatePortfolioConfig(config, Math.max(1, this.symbols.length));
			return { config, problem: null };
		} catch (e) {
			return { config: null, problem: describeError(e) };
		}
	});

	/** The validated portfolio configuration, or null while any field (here or in the strategy form) is invalid. */
	get config(): PortfolioConfig | null {
		return this.#checked.config;
	}

	/** The engine's message when every field passes but the whole configuration does not, else null. */
	get configError(): string | null {
		return this.#checked.problem;
	}

	/** Fields with a message here and in the strategy form. */
	get errorCount(): number {
		return Object.keys(this.errors).length + Object.keys(this.form.errors).length + (this.form.configError ? 1 : 0) + (this.configError ? 1 : 0);
	}

	/** Fill the whole form from a stored run (reopen / share link). */
	setFromRun(r: { config: PortfolioConfig; interval: string; range: { startTime: number; endTime: number }; markets: { symbol: string }[] }): void {
		const c = r.config;
		this.form.setConfig({ ...c, sizing: { mode: 'equity-fraction', fraction: 1 } });
		this.symbols = r.markets.map((m) => m.symbol);
		this.interval = r.interval as Timeframe;
		this.from = toInputUtc(r.range.startTime);
		this.to = toInputUtc(r.range.endTime);
		this.maxPositions = c.maxPositions;
		this.sizingMode = c.sizing.mode;
		if (c.sizing.mode === 'fixed-notional') this.sizingAmount = c.sizing.amount;
		if (c.sizing.mode === 'equity-fraction' || c.sizing.mode === 'risk') this.sizingPct = fractionToPct(c.sizing.fraction);
		this.leverage = c.leverage;
		this.maintenancePct = fractionToPct(c.maintenanceMarginRatio);
		this.exchangeRules = c.exchangeRules ?? false;
		this.makerFeePct = c.makerFeeRate === undefined ? null : fractionToPct(c.makerFeeRate);
		this.breakers = c.breakers.map((b) => ({
			id: this.#nextBreakerId++,
			kind: b.kind,
			enabled: true,
			thresholdPct: b.kind === 'max-drawdown' ? fractionToPct(b.threshold) : 10,
			cooldownBars: b.kind === 'max-drawdown' ? b.cooldownBars : 168,
			count: b.kind === 'consecutive-losses' ? b.count : 3,
			factor: b.kind === 'consecutive-losses' ? b.factor : 0.5
		}));
	}

	// ---- loading and running ---------------------------------------------------------------

	/** Markets that failed to load in the current preparation. */
	get failedLoads(): MarketLoad[] {
		return this.loads.filter((l) => l.status === 'failed');
	}

	/** Markets ready in the current preparation. */
	get readyLoads(): MarketLoad[] {
		return this.loads.filter((l) => l.status === 'ready');
	}

	#setLoad(symbol: string, patch: Partial<MarketLoad>): void {
		this.loads = this.loads.map((l) => (l.symbol === symbol ? { ...l, ...patch } : l));
	}

	/**
	 * Load (syncing from Binance what the store lacks) every market's candles over the range, one market
	 * after the other with progress; then run, or stop at `confirm` when some markets failed.
	 * @returns the run id when a run was submitted, else null (see {@link error} / {@link failedLoads}).
	 */
	async start(): Promise<string | null> {
		const deps = this.#deps;
		if (!deps || this.phase === 'loading' || this.phase === 'submitting') return null;
		this.error = null;
		const config = this.config;
		if (!config) {
			this.error = 'Fix the highlighted fields to run.';
			return null;
		}
		const interval = this.interval;
		const { startTime, endTime } = this.range;
		const symbols = [...this.symbols];
		this.phase = 'loading';
		this.#loaded = [];
		this.loads = symbols.map((symbol) => ({ symbol, status: 'waiting', fetched: 0, expected: 0, bars: 0, message: null }));
		this.#abort = new AbortController();
		const signal = this.#abort.signal;
		for (const symbol of symbols) {
			if (signal.aborted) break;
			this.#setLoad(symbol, { status: 'loading' });
			const loaded = await this.#loadMarket(deps, symbol, interval, startTime, endTime, signal);
			if (loaded) this.#loaded.push(loaded);
		}
		this.#abort = null;
		await this.refreshSeries().catch(() => undefined);
		if (signal.aborted) {
			this.phase = 'idle';
			this.error = 'Loading was cancelled; the candles fetched so far are kept.';
			return null;
		}
		if (!this.#loaded.length) {
			this.phase = 'idle';
			this.error = 'None of the markets could be loaded (see each market above): nothing was run.';
			return null;
		}
		if (this.failedLoads.length) {
			this.phase = 'confirm';
			return null;
		}
		return this.#submit(config, interval, { startTime, endTime }, []);
	}

	/** Run without the markets that failed (the user agreed). @returns the run id, or null. */
	async confirmWithoutFailed(): Promise<string | null> {
		if (this.phase !== 'confirm') return null;
		const config = this.config;
		if (!config) {
			this.phase = 'idle';
			this.error = 'Fix the highlighted fields to run.';
			return null;
		}
		const excluded = this.failedLoads.map((l) => ({ symbol: l.symbol, reason: l.message ?? 'could not be loaded' }));
		return this.#submit(config, this.interval, this.range, excluded);
	}

	/** Stop loading (candles stored so far are kept) or drop the pending confirmation. */
	cancelPrepare(): void {
		this.#abort?.abort();
		if (this.phase === 'confirm') {
			this.phase = 'idle';
			this.#loaded = [];
		}
	}

	async #loadMarket(
		deps: PortfolioDeps,
		symbol: string,
		interval: Timeframe,
		startTime: UnixMs,
		endTime: UnixMs,
		signal: AbortSignal,
		givenRules?: ExchangeRules
	): Promise<LoadedMarket | null> {
		let syncProblem: string | null = null;
		try {
			await syncCandles({
				store: deps.store,
				source: deps.binance,
				symbol,
				interval,
				startTime,
				endTime,
				signal,
				onProgress: (p) => this.#setLoad(symbol, { fetched: p.fetched, expected: Math.max(p.expected, p.fetched) })
			});
		} catch (e) {
			syncProblem = describeError(e);
		}
		try {
			const ohlcv = await deps.store.getCandles(symbol, interval, { from: startTime, to: endTime });
			const n = ohlcv.openTime.length;
			if (syncProblem) {
				this.#setLoad(symbol, {
					status: 'failed',
					bars: n,
					message: `${syncProblem}${n ? ` (${n.toLocaleString('en-US')} candles of the range are stored, not all of them)` : ''}`
				});
				return null;
			}
			if (n === 0) {
				this.#setLoad(symbol, { status: 'failed', message: `Binance has no ${symbol} ${interval} candles between ${isoUtc(startTime)} and ${isoUtc(endTime)} (not listed yet, or delisted).` });
				return null;
			}
			const gaps = findGaps(ohlcv.openTime, timeframeMs(interval));
			const missing = countMissingBars(gaps);
			const late = ohlcv.openTime[0] > startTime + timeframeMs(interval) * 24;
			const series = (await deps.store.listSeries()).find((s) => s.symbol === symbol && s.interval === interval);
			const info = deps.symbols().find((s) => s.symbol === symbol);
			const rules = givenRules ?? (info ? exchangeRulesOf(info) : undefined);
			const notes = [
				late ? `starts ${isoUtc(ohlcv.openTime[0]).slice(0, 16)}` : missing ? `${missing.toLocaleString('en-US')} missing (exchange halts)` : '',
				this.exchangeRules && !rules ? 'exchange rules unknown (Binance exchangeInfo not loaded): none applied' : ''
			].filter(Boolean);
			this.#setLoad(symbol, { status: 'ready', bars: n, message: notes.join('; ') || null });
			return {
				symbol,
				ohlcv,
				market: {
					symbol,
					datasetId: datasetId(symbol, interval, ohlcv),
					firstOpenTime: ohlcv.openTime[0],
					lastOpenTime: ohlcv.openTime[n - 1],
					bars: n,
					missingBars: missing,
					source: series?.sources.join('+') || 'stored',
					...(rules ? { rules } : {})
				}
			};
		} catch (e) {
			this.#setLoad(symbol, { status: 'failed', message: describeError(e) });
			return null;
		}
	}

	#replace(run: PortfolioRun): void {
		const i = this.history.findIndex((r) => r.id === run.id);
		this.history = i < 0 ? [run, ...this.history] : this.history.map((r) => (r.id === run.id ? run : r));
	}

	async #update(id: string, patch: Partial<PortfolioRun>): Promise<void> {
		const local = this.history.find((r) => r.id === id);
		if (local) this.#replace({ ...local, ...patch, updatedAt: Date.now() } as PortfolioRun);
		try {
			await this.#deps?.repo.update(id, patch);
		} catch (e) {
			if (this.history.some((r) => r.id === id)) this.error = `Could not save portfolio run ${id}: ${describeError(e)}`;
		}
	}

	async #submit(config: PortfolioConfig, interval: Timeframe, range: { startTime: UnixMs; endTime: UnixMs }, excluded: PortfolioRun['excluded']): Promise<string | null> {
		const deps = this.#deps!;
		this.phase = 'submitting';
		const loaded = this.#loaded;
		this.#loaded = [];
		const now = Date.now();
		const cfg = structuredClone($state.snapshot(config) as PortfolioConfig);
		const run: PortfolioRun = {
			id: newRunId(now),
			kind: PORTFOLIO_RUN_KIND,
			createdAt: now,
			updatedAt: now,
			status: 'pending',
			label: portfolioLabel(cfg, loaded.length, interval),
			interval,
			range: { ...range },
			markets: loaded.map((l) => l.market),
			excluded,
			config: cfg
		};
		this.#replace(run);
		this.selectedId = run.id;
		this.phase = 'idle';
		try {
			await deps.repo.put(run);
		} catch (e) {
			this.error = `The run could not be saved in the history: ${describeError(e)}`;
		}
		const fault = this.testFault ?? undefined;
		this.testFault = null;
		const job = deps.client.runPortfolio(
			run.id,
			{
				markets: loaded.map((l) => ({ symbol: l.symbol, ohlcv: l.ohlcv, ...(l.market.rules ? { rules: l.market.rules } : {}) })),
				config: cfg,
				interval,
				intervalMs: timeframeMs(interval),
				datasetIds: loaded.map((l) => l.market.datasetId),
				fault
			},
			() => void this.#update(run.id, { status: 'running' })
		);
		this.#jobs.set(run.id, job);
		const settled = job.promise
			.then(
				(result) => this.#update(run.id, { status: 'completed', result, error: undefined }),
				(e: unknown) => this.#update(run.id, { status: 'failed', error: e instanceof PoolJobError || e instanceof Error ? e.message : String(e) })
			)
			.finally(() => {
				this.#jobs.delete(run.id);
				this.#settled.delete(run.id);
			});
		this.#settled.set(run.id, settled);
		return run.id;
	}

	/**
	 * Run exact markets and ranges (a share link's): each market's candles over its own first/last open time,
	 * synced from Binance when the stored ones differ in count or ends.
	 * @returns the run id, or null with the per-market lines in {@link loads} / {@link error} saying why.
	 */
	async runExact(input: {
		config: PortfolioConfig;
		interval: Timeframe;
		markets: { symbol: string; firstOpenTime: UnixMs; lastOpenTime: UnixMs; bars: number; rules?: ExchangeRules }[];
	}): Promise<string | null> {
		const deps = this.#deps;
		if (!deps) return null;
		this.error = null;
		this.setFromRun({
			config: input.config,
			interval: input.interval,
			range: { startTime: Math.min(...input.markets.map((m) => m.firstOpenTime)), endTime: Math.max(...input.markets.map((m) => m.lastOpenTime)) },
			markets: input.markets
		});
		this.phase = 'loading';
		this.#loaded = [];
		this.loads = input.markets.map((m) => ({ symbol: m.symbol, status: 'waiting', fetched: 0, expected: 0, bars: 0, message: null }));
		const signal = new AbortController().signal;
		for (const m of input.markets) {
			this.#setLoad(m.symbol, { status: 'loading' });
			// The sender's exchange rules (from the link), not today's: the run must be the sender's run.
			const loaded = await this.#loadMarket(deps, m.symbol, input.interval, m.firstOpenTime, m.lastOpenTime, signal, m.rules ?? { stepSize: 0, tickSize: 0, minNotional: 0 });
			if (!loaded) {
				this.phase = 'idle';
				this.error = `The candles of ${m.symbol} are not available, so the shared result cannot be reproduced.`;
				return null;
			}
			this.#loaded.push(loaded);
		}
		await this.refreshSeries().catch(() => undefined);
		return this.#submit(input.config, input.interval, this.range, []);
	}

	/** The run once it has ended (completed or failed), or undefined when deleted. */
	async settled(id: string): Promise<PortfolioRun | undefined> {
		await this.#settled.get(id);
		return this.history.find((r) => r.id === id);
	}

	// ---- history ---------------------------------------------------------------------------

	get selected(): PortfolioRun | undefined {
		return this.history.find((r) => r.id === this.selectedId);
	}

	get active(): PortfolioRun[] {
		return this.history.filter((r) => r.status === 'pending' || r.status === 'running');
	}

	get comparePair(): PortfolioRun[] {
		return this.compareIds.map((id) => this.history.find((r) => r.id === id)).filter((r): r is PortfolioRun => !!r);
	}

	/** Cancel a pending or running run (it is marked failed: "Cancelled by the user."). */
	cancel(id: string): void {
		this.#jobs.get(id)?.cancel();
	}

	/** Delete a run from the history (cancelling it first if still active). */
	async remove(id: string): Promise<void> {
		this.cancel(id);
		this.history = this.history.filter((r) => r.id !== id);
		this.compareIds = this.compareIds.filter((c) => c !== id);
		if (this.selectedId === id) this.selectedId = null;
		try {
			await this.#deps?.repo.delete(id);
		} catch (e) {
			this.error = `Could not delete the run: ${describeError(e)}`;
		}
	}

	/** Add a completed run to, or remove it from, the comparison (at most two). */
	toggleCompare(id: string): void {
		if (this.compareIds.includes(id)) this.compareIds = this.compareIds.filter((c) => c !== id);
		else this.compareIds = [...this.compareIds, id].slice(-2);
	}
}
