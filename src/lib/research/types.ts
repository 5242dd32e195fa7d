/**
 * Public types of research jobs (issue #14): one job = markets × timeframes × strategies (or pattern types) × a
 * parameter space, run as one optimisation per (market, timeframe, strategy) row on the existing optimiser; the
 * per-row results (best parameters, top-K, aggregates, the out-of-sample check), presets ("the settings I trade
 * with") with their change history, the auto-tune plan, and the storage-agnostic store interfaces the app implements
 * with IndexedDB (and the CLI / tests in memory).
 *
 * Everything here is plain, structured-clone-safe data (IndexedDB, postMessage). Ratios are fractions (0.05 = 5 %);
 * times are Unix ms UTC. Statistics may hold NaN (undefined, e.g. the Sharpe ratio of a run without trades) or
 * ±Infinity (profit factor without a losing trade); JSON writers turn them into null.
 *
 * Layering: research sits on optimize/ and analysis/ (it imports them); the app (routes, persistence) imports
 * research. No DOM or Node imports.
 */
import type { OhlcvColumns, Timeframe, UnixMs } from '../core/types';
import type { BreakerSpec, DirectionMode, LevelSpec, SizingSpec, StrategyId } from '../engine/types';
import type { AggregatesState } from '../optimize/aggregates';
import type { OptimizationJob, TrialBatch, TrialResult } from '../optimize/evaluate';
import type { SearchMethod } from '../optimize/methods';
import type { ObjectiveSpec, StatisticKey, TrialStats } from '../optimize/objective';
import type { PortfolioOptimizationJob } from '../optimize/portfolio-job';
import type { OptimizationState } from '../optimize/runner';
import type { AxisSpec } from '../optimize/space';
import type { RunningMomentsState } from '../analysis/stats';

/** Version of every stored research record (jobs, presets, plans, recommendations). */
export const RESEARCH_VERSION = 1;

// ---------------------------------------------------------------------------------------------------------------
// Job definition
// ---------------------------------------------------------------------------------------------------------------

/**
 * Execution and risk settings that are not strategy parameters. A research axis may search any of them
 * (see {@link ResearchJobSpec.riskAxes}):
 * - `stopLoss`, `takeProfit`: fraction of the entry fill (0.02 = 2 %), i.e. `{mode: 'fraction', value}`;
 * - `sizingValue`: the sizing rule's value (equity fraction, risk fraction, or fixed-notional amount in quote);
 * - `leverage`: L, 1 … 10;
 * - `maxDrawdownThreshold` (fraction), `maxDrawdownCooldownBars` (bars): the max-drawdown circuit breaker;
 * - `consecutiveLosses` (count), `consecutiveLossesFactor` (0 < f <= 1): the consecutive-losses breaker.
 * The names are those of the portfolio optimiser (src/lib/optimize/portfolio-job.ts `PORTFOLIO_SETTINGS`, minus
 * `maxPositions`, which is 1 for one market).
 */
export const RISK_SETTINGS = [
	'stopLoss',
	'takeProfit',
	'sizingValue',
	'leverage',
	'maxDrawdownThreshold',
	'maxDrawdownCooldownBars',
	'consecutiveLosses',
	'consecutiveLossesFactor'
] as const;
/** One searchable execution / risk setting. */
export type RiskSetting = (typeof RISK_SETTINGS)[number];

/**
 * Execution settings shared by every row of a job (the flags of `npm run optimize` plus leverage and breakers).
 * A row whose job uses leverage ≠ 1, a breaker, or a risk axis other than stop-loss / take-profit / sizing value
 * runs through the portfolio-of-one path (one market, K = 1) of the portfolio engine; otherwise through the
 * single-market optimiser, exactly like `npm run optimize`.
 */
export interface ResearchExecution {
	direction: DirectionMode;
	/** Fee per fill, fraction of traded notional (0.001 = 0.1 %). */
	feeRate: number;
	/** Slippage against the trader on every fill, fraction of price. */
	slippageRate: number;
	/** Starting equity, quote currency (USDT). */
	initialCash: number;
	stopLoss: LevelSpec;
	takeProfit: LevelSpec;
	/** ATR period (bars) of `atr` stop / take-profit levels. */
	atrPeriod: number;
	sizing: SizingSpec;
	/** Leverage L (1 … 10). Default 1. */
	leverage?: number;
	/** Circuit breakers (at most one of each kind). Default none. */
	breakers?: BreakerSpec[];
}

/** One strategy of a job with its parameter axes; a pattern type is `pattern-zones` with its `pattern` fixed. */
export interface ResearchStrategySpec {
	strategy: StrategyId;
	/**
	 * Row key of this entry (the `strategy` of its rows and presets), unique within the job; default the strategy
	 * id. Give one per pattern type, e.g. `pattern-zones:fvg`.
	 */
	key?: string;
	/** Searched strategy parameters (may be empty when the job has risk axes). */
	axes: AxisSpec[];
	/** Values of parameters that are not searched (defaults fill the rest). */
	fixed?: Record<string, number | boolean | string>;
}

/**
 * How a row's best parameters are checked out of sample.
 * - `hold-out`: the job's common range `[from, to]` is split in time at `from + (1 - fraction)·(to - from)`; the
 *   search sees only the evidence window before the split, the best (and the preset's) parameters are then run on
 *   the hold-out window after it. The same split time holds for every row, so rows of different timeframes compare.
 */
export interface ResearchValidation {
	mode: 'hold-out';
	/** Share of the common range kept out of the search, 0 < fraction < 1. Default 0.25. */
	fraction: number;
}

/** Everything that defines a research job (what the user entered; plain data). */
export interface ResearchJobSpec {
	name: string;
	description: string;
	/** Binance symbols, e.g. `BTCUSDT`; unique. */
	markets: string[];
	/** Candle intervals, e.g. `1h`, `4h`; unique. */
	timeframes: Timeframe[];
	/** Strategies or pattern types; keys unique. */
	strategies: ResearchStrategySpec[];
	/** Axes over {@link RiskSetting}s, searched with every strategy's own axes (risk axes last). */
	riskAxes: AxisSpec[];
	/** What a row maximises, with the minimum-trades filter (`minTrades`, default 1). */
	objective: ObjectiveSpec;
	/** Search method of every row (default grid). */
	method?: SearchMethod;
	/** Data window (open times, inclusive); the job uses the part every market and timeframe covers. */
	window: { fromMs?: UnixMs; toMs?: UnixMs };
	execution: ResearchExecution;
	/** Out-of-sample check (default hold-out 25 %). */
	validation?: ResearchValidation;
	/** Best trials kept per row (default 20; bounded memory). */
	topK?: number;
	/**
	 * Largest number of aggregate bins per axis of a row (default 20): a row's aggregates then hold at most
	 * 20 values per axis and 20 × 20 cells per pair of axes, whatever the grid size (axes with more values are binned).
	 */
	maxBins?: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Job state and results
// ---------------------------------------------------------------------------------------------------------------

/** Job status: pending → running → completed / failed / cancelled (a cancelled or failed job can be resumed). */
export type ResearchStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
/** Row status; a failed row keeps its error and the job goes on. */
export type ResearchRowStatus = 'pending' | 'running' | 'completed' | 'failed';

/** Identity of a row and of a preset: market, interval and strategy key. */
export interface RowKey {
	symbol: string;
	interval: Timeframe;
	/** The strategy entry's key (default the strategy id). */
	strategy: string;
}

/** Progress over all rows of a job. */
export interface ResearchProgress {
	/** What the job does now. */
	phase: 'pending' | 'candles' | 'optimising' | 'done';
	/** Candle series loaded / to load (phase `candles`). */
	candles: { done: number; total: number };
	/** Rows completed, failed, and in all. */
	done: number;
	failed: number;
	total: number;
	/** Trials evaluated over all rows, and the (estimated) total. */
	trialsDone: number;
	trialsTotal: number;
	/** Wall time over all sessions, ms. */
	elapsedMs: number;
	/** Estimated time to finish at this session's rate, ms (NaN until measurable). */
	etaMs: number;
	/** The row being optimised, if any. */
	current?: RowKey;
}

/** One kept trial of a row: parameters (strategy and risk settings) and evidence statistics. */
export interface ResearchTrial {
	/** Combination index in the row's search space. */
	index: number;
	/** Searched values by axis name (enumerations by option number). */
	values: Record<string, number>;
	/** Statistics on the evidence window. */
	stats: TrialStats;
	/** Ranking value (higher is better), NaN when not ranked. */
	rank: number;
	/** Statistics on the hold-out window (filled for the best trials after the search). */
	holdOut?: TrialStats;
}

/** Parameter values of a row or preset: strategy parameters plus risk settings. */
export interface PresetValues {
	/** Every strategy parameter (numbers; enumerations by option name, booleans as true/false). */
	params: Record<string, number | boolean | string>;
	/** Risk / execution settings that differ from the job's execution settings. */
	risk?: Partial<Record<RiskSetting, number>>;
}

/** A parameter set evaluated on the evidence and hold-out windows of a row. */
export interface EvaluatedValues {
	values: PresetValues;
	evidence: TrialStats;
	holdOut: TrialStats;
}

/**
 * The out-of-sample check of a row: the best parameters against the baseline (the preset's values, or the
 * strategy's defaults when there is no preset) on the hold-out window.
 * Passes when the best is ranked on the hold-out window (enough trades, finite objective) and its objective is at
 * least the baseline's (or the baseline is not ranked there).
 */
export interface OosCheck {
	method: 'hold-out';
	/** Hold-out window: first and last bar open time, number of bars. */
	window: { fromMs: UnixMs; toMs: UnixMs; bars: number };
	/** Objective of best and baseline on the evidence window and on the hold-out window (NaN when not ranked). */
	evidence: { best: number; baseline: number };
	holdOut: { best: number; baseline: number };
	/** Relative improvement of the objective, best over baseline (see improvement.ts `relativeImprovement`). */
	evidenceImprovement: number;
	holdOutImprovement: number;
	passed: boolean;
	/** Why it passed or failed, with the numbers. */
	reason: string;
}

/**
 * Deflated-Sharpe view of a row's best trial (Bailey & López de Prado 2014): its per-day Sharpe ratio against the
 * expected maximum of `trials` unskilled trials whose Sharpe ratios vary like this row's trials did.
 */
export interface RowDeflatedSharpe {
	/** Best trial's Sharpe ratio per day on the evidence window. */
	sharpe: number;
	/** Trials evaluated (N). */
	trials: number;
	/** Variance of the trials' per-day Sharpe ratios. */
	sharpeVariance: number;
	/** Daily observations of the evidence window. */
	observations: number;
	/** Expected max Sharpe of N unskilled trials, per day. */
	expectedMaxSharpe: number;
	/** Deflated Sharpe ratio, a probability (NaN when undefined). */
	dsr: number;
}

/** One row of a job: the optimisation of one (market, timeframe, strategy). */
export interface ResearchRow extends RowKey {
	strategyId: StrategyId;
	status: ResearchRowStatus;
	/** Error message of a failed row (what went wrong and how to fix it). */
	error?: string;
	/** `single`: the single-market optimiser; `portfolio`: the portfolio-of-one path (leverage, breakers). */
	path: 'single' | 'portfolio';
	/** Axis names of the row's space, in axis order (strategy axes, then risk axes). */
	axes: string[];
	/** Bars of the evidence and hold-out windows. */
	bars: { evidence: number; holdOut: number };
	/** Trials evaluated and ranked, and the size of the space (valid combinations for grid search). */
	trials: number;
	ranked: number;
	spaceSize: number;
	/** Best parameters (every strategy parameter; risk settings in `risk`), null when no trial was ranked. */
	bestParams: PresetValues | null;
	/** Statistics of the best trial on the evidence window (same keys as `npm run optimize` trials and more). */
	bestStats: TrialStats | null;
	/** Best trials, best first (at most the job's topK). */
	top: ResearchTrial[];
	/** Per-value and per-pair aggregates of the objective (optimize/aggregates.ts), single path; null otherwise. */
	aggregates: AggregatesState | null;
	/** Streaming moments of the trials' annualised Sharpe ratios and ranking values (evidence window). */
	moments: { sharpe: RunningMomentsState; rank: RunningMomentsState };
	/**
	 * Baseline (preset or defaults) evaluated on both windows; null when it could not be evaluated. Best and baseline
	 * run with the same execution settings: a preset's risk settings count on the portfolio path (risk axes, leverage,
	 * breakers); on the single-market path the job's execution settings apply to both.
	 */
	baseline: (EvaluatedValues & { source: 'preset' | 'defaults' }) | null;
	/** Out-of-sample check of the best parameters; null until the row is completed. */
	oos: OosCheck | null;
	/** Deflated Sharpe of the best trial; null until completed. */
	deflated: RowDeflatedSharpe | null;
	/** Wall time of the row, ms. */
	durationMs: number;
}

/** Resume point of the row being optimised (structured-clone safe). */
export type RowRunState =
	| { path: 'single'; state: OptimizationState }
	| {
			path: 'portfolio';
			/** Next raw index of the grid to hand out; batches below it are done. */
			next: number;
			top: TrialResult[];
			evaluated: number;
			moments: { sharpe: RunningMomentsState; rank: RunningMomentsState };
			elapsedMs: number;
	  };

/** A research job with its state and results (what the app stores and the runner updates). */
export interface ResearchJob {
	version: typeof RESEARCH_VERSION;
	id: string;
	createdAt: UnixMs;
	updatedAt: UnixMs;
	startedAt?: UnixMs;
	finishedAt?: UnixMs;
	spec: ResearchJobSpec;
	status: ResearchStatus;
	/** Why the job failed (bad input, no common range), or was cancelled. */
	error?: string;
	progress: ResearchProgress;
	/** Common range of every market and timeframe and the evidence / hold-out split, once candles were loaded. */
	range?: { fromMs: UnixMs; toMs: UnixMs; splitMs: UnixMs };
	/** One row per (market, timeframe, strategy), markets outermost then timeframes then strategies. */
	rows: ResearchRow[];
	/** Resume point of the row in progress (absent when no row is half done). */
	active?: { row: number; state: RowRunState };
	/** Messages about the run (skipped inputs, data gaps), oldest first. */
	notes: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Engines and data (injected)
// ---------------------------------------------------------------------------------------------------------------

/** Candles of one market and interval restricted to one window; `id` identifies the slice (cache key). */
export interface ResearchDataSlice {
	/** `SYMBOL|interval|fromMs|toMs`, unique per slice. */
	id: string;
	symbol: string;
	interval: Timeframe;
	ohlcv: OhlcvColumns;
}

/** What one row evaluates: a single-market optimisation job or a portfolio-of-one job. */
export type RowJob = { path: 'single'; job: OptimizationJob } | { path: 'portfolio'; job: PortfolioOptimizationJob };

/**
 * Evaluates batches of a row's trials. The app implements it with the worker pool (load `data` into a worker once
 * per `data.id`, then `evaluateBatch` / `evaluatePortfolioBatch`); Node in-process with one engine
 * (`createInProcessEvaluator`) or the CLI's worker threads.
 */
export interface ResearchEvaluator {
	/**
	 * @param data - the candles of the window (the same object for every batch of one slice).
	 * @param job - the row's optimisation job.
	 * @param batch - an index range or list (portfolio path: ranges only).
	 * @returns one result per valid combination, in batch order.
	 */
	evaluate(data: ResearchDataSlice, job: RowJob, batch: TrialBatch): Promise<TrialResult[]>;
	/** The slice is no longer needed (free the worker's copy). Optional. */
	release?(dataId: string): void;
}

/**
 * Supplies candles: the app syncs them from Binance into IndexedDB (or takes them from the cache), the CLI reads
 * files. Returns every candle of the market and interval it has inside the window (open times inclusive).
 * @throws DataError (or any Error) when there is no data for the market and interval; the runner records it as
 *   the error of that market's rows and goes on.
 */
export interface CandleSource {
	load(symbol: string, interval: Timeframe, window: { fromMs?: UnixMs; toMs?: UnixMs }, onProgress?: (fraction: number) => void): Promise<OhlcvColumns>;
}

// ---------------------------------------------------------------------------------------------------------------
// Presets
// ---------------------------------------------------------------------------------------------------------------

/** Who or what changed a preset. */
export type PresetSource = 'manual' | 'job' | 'recommendation' | 'auto-tune';

/** One change of a preset (the history is append-only, oldest first). */
export interface PresetChange {
	at: UnixMs;
	source: PresetSource;
	/** Id of the job, recommendation or auto-tune plan that made the change (absent for manual edits). */
	sourceId?: string;
	/** Values before (null when the preset was created) and after. */
	old: PresetValues | null;
	new: PresetValues;
	/** Free text, e.g. the improvement that justified it. */
	note?: string;
}

/** "The settings I trade with" for one (market, timeframe, strategy). */
export interface Preset extends RowKey {
	version: typeof RESEARCH_VERSION;
	/** `presetId(key)`: `SYMBOL|interval|strategy`. */
	id: string;
	strategyId: StrategyId;
	values: PresetValues;
	createdAt: UnixMs;
	updatedAt: UnixMs;
	history: PresetChange[];
}

/** Storage of presets (IndexedDB in the app, a Map in tests and the CLI). */
export interface PresetStore {
	get(id: string): Promise<Preset | undefined>;
	/** Every preset (any order). */
	list(): Promise<Preset[]>;
	/** Insert or replace the whole record (history included). */
	put(preset: Preset): Promise<void>;
	/** Insert or replace several whole records at once, all or nothing (nothing stored when one write fails). */
	putMany(presets: readonly Preset[]): Promise<void>;
	delete(id: string): Promise<void>;
}

/** Storage of research jobs. */
export interface ResearchJobStore {
	get(id: string): Promise<ResearchJob | undefined>;
	list(): Promise<ResearchJob[]>;
	put(job: ResearchJob): Promise<void>;
	delete(id: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------------------------
// Best-parameters table, compare, auto-tune
// ---------------------------------------------------------------------------------------------------------------

/** One row of the best-parameters table. */
export interface BestParamsRow extends RowKey {
	status: ResearchRowStatus;
	error?: string;
	best: PresetValues | null;
	bestStats: TrialStats | null;
	/** The preset's values now, and whether they are the ones the job evaluated as baseline. */
	preset: PresetValues | null;
	/** Baseline evaluated by the job on the evidence window (the preset's values then, or the defaults). */
	current: (EvaluatedValues & { source: 'preset' | 'defaults' }) | null;
	/** False when the preset changed after the job ran (its figures are then for the older values). */
	currentIsPreset: boolean;
	/** Relative improvement of the objective on the evidence window, best over current. */
	improvement: number;
	oos: OosCheck | null;
	/** Confidence of the row, see improvement.ts `rowConfidence`. */
	confidence: number;
	/** Whether the best parameters already equal the preset. */
	upToDate: boolean;
}

/** Which rows auto-tune considers. */
export interface AutoTuneFilter {
	symbol?: string;
	strategy?: string;
	interval?: Timeframe;
}

/** Options of auto-tune. */
export interface AutoTuneOptions {
	filter?: AutoTuneFilter;
	/** Least relative improvement of the objective (evidence window) to change a preset. Default 0.05 (5 %). */
	minImprovement?: number;
}

/** One preset change of an auto-tune plan. */
export interface AutoTuneChange extends RowKey {
	presetId: string;
	strategyId: StrategyId;
	old: PresetValues | null;
	new: PresetValues;
	/** Objective key and values on the evidence window (old = baseline). */
	objective: StatisticKey;
	oldValue: number;
	newValue: number;
	improvement: number;
	holdOutImprovement: number;
	confidence: number;
}

/** The dry run of auto-tune: exactly what apply would write. */
export interface AutoTunePlan {
	version: typeof RESEARCH_VERSION;
	id: string;
	jobId: string;
	createdAt: UnixMs;
	options: Required<Pick<AutoTuneOptions, 'minImprovement'>> & { filter: AutoTuneFilter };
	changes: AutoTuneChange[];
	/** Rows left out and why (below minImprovement, OOS check failed, failed row, already up to date). */
	skipped: (RowKey & { reason: string })[];
}

/** What applying a plan wrote. */
export interface AutoTuneApplied {
	planId: string;
	at: UnixMs;
	/** One entry per written preset (the change appended to its history). */
	written: { presetId: string; change: PresetChange }[];
	/** Plan changes not written because the preset changed after the dry run (stale), with the reason. */
	refused: { presetId: string; reason: string }[];
}

/** Side-by-side comparison of two parameter sets on one market and window. */
export interface ParameterComparison {
	symbol: string;
	interval: Timeframe;
	window: { fromMs: UnixMs; toMs: UnixMs; bars: number };
	a: { values: PresetValues; stats: TrialStats; equity: Float64Array };
	b: { values: PresetValues; stats: TrialStats; equity: Float64Array };
	/** Bar open times of the equity curves. */
	openTime: Float64Array;
}
