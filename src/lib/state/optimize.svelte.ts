/**
 * State of the optimisation page: the search form (strategy, parameter ranges, method, objective), the running job
 * (progress, throughput, cancel, periodic save to IndexedDB, resume after a reload), its results (top trials,
 * heatmap slices evaluated through the worker pool, parameter impact) and walk-forward validation.
 */
import type { Remote } from 'comlink';
import { getStrategy, strategyDefinitionOf, STRATEGY_IDS, type ParamSchema } from '../engine/strategies';
import type { RuleSource } from '../engine/types';
import type { BacktestConfig, DirectionMode } from '../engine/types';
import { formatMetric, metricInfo } from '../metrics';
import {
	BatchSizer,
	dataSpanMs,
	heatmapFromResults,
	heatmapSlice,
	MAX_OVERFITTING_TRIALS,
	parameterImpact,
	preparedJob,
	runOptimization,
	OptimizationError,
	topKRows,
	trialConfig,
	unpackTrials,
	type AxisSpec,
	type Heatmap,
	type HeatmapSlice,
	type OptimizationJob,
	type OptimizationProgress,
	type OptimizationState,
	type ParameterImpact,
	type SearchMethod,
	type StatisticKey,
	type TopKRow,
	type TrialBatch,
	type TrialResult,
	type WalkForwardResult,
	type WalkForwardSpec
} from '../optimize';
import { newOptimisationId, type OptimisationsRepository, type StoredOptimisation } from '../persistence/optimisations';
import type { WorkerPool } from '../workers/pool';
import type { BacktestWorkerApi } from '../workers/protocol';
import type { Dataset } from './market.svelte';
import { configDifferences } from './config-label';
import { StrategyFormState } from './strategy-form.svelte';

type StrategyId = (typeof STRATEGY_IDS)[number] | 'rules';

/** Best trial summary kept on the stored job. */
export interface BestTrial {
	index: number;
	params: Record<string, number>;
	objective: number;
}

/** A stored optimisation of this app. */
export type OptimisationJobRecord = StoredOptimisation<OptimizationState, BestTrial>;

/** One parameter's row of the form. */
export interface RangeInput {
	name: string;
	schema: ParamSchema;
	search: boolean;
	start: number;
	end: number;
	step: number;
	/** Value when not searched. */
	fixed: number;
}

/** Search method names for labels. */
const METHOD_NAMES: Record<string, string> = { grid: 'grid', random: 'random', genetic: 'genetic', adaptive: 'adaptive' };

/**
 * Label of an optimisation job: strategy, searched parameters with their ranges, method, what
 * differs from the default settings, market. `SMA cross fast 5–14 × slow 20–65 · grid · SL 2 % · BTCUSDT 1h`.
 */
export function jobLabel(strategyName: string, method: string, job: OptimizationJob, symbol: string, interval: string): string {
	const axes = job.axes.map((a) => ('values' in a ? `${a.name} ${a.values.join(',')}` : `${a.name} ${a.start}–${a.end}`)).join(' × ');
	const diff = configDifferences(job.config, { params: true }).filter((d) => !job.axes.some((a) => d.startsWith(`${a.name} `)));
	return `${strategyName} ${axes} · ${METHOD_NAMES[method] ?? method}${diff.length ? ` · ${diff.join(', ')}` : ''} · ${symbol} ${interval}`;
}

/** Objectives offered in the form. */
export const OBJECTIVES: readonly { key: StatisticKey; label: string }[] = Object.freeze([
	{ key: 'sharpeRatio', label: 'Sharpe ratio' },
	{ key: 'totalReturnRatio', label: 'Total return' },
	{ key: 'profitFactor', label: 'Profit factor' },
	{ key: 'calmarRatio', label: 'Calmar ratio' },
	{ key: 'score', label: 'Composite score' }
]);

/** Live progress shown while a job runs. */
export interface ProgressView {
	completed: number;
	total: number;
	totalIsEstimate: boolean;
	etaMs: number;
	barEvaluationsPerSecond: number;
	trialsPerSecond: number;
	elapsedMs: number;
}

/** Dependencies: the job repository and the app's worker pool. */
export interface OptimizeDeps {
	repo: OptimisationsRepository<OptimizationState, BestTrial>;
	pool: WorkerPool<Remote<BacktestWorkerApi>>;
}

const jobKeys = new WeakMap<OptimizationJob, string>();
let jobKeyCounter = 0;

/** The key a job object is known by in the workers (one per object, unique in this page). */
function jobKey(job: OptimizationJob): string {
	let k = jobKeys.get(job);
	if (!k) {
		k = `job-${++jobKeyCounter}-${Math.random().toString(36).slice(2, 10)}`;
		jobKeys.set(job, k);
	}
	return k;
}

/**
 * Evaluate one batch of trials in the worker pool (the dataset is loaded into a worker when needed). The job is
 * posted to each worker once and kept there (later batches name it by key); the batch is pipelined (a worker may
 * hold it queued behind another batch) and its results come back packed in transferred typed arrays.
 * @param pool - the page's worker pool.
 * @param dataset - candles and their id.
 * @param job - the optimisation job (the same object for every batch of a run: it is sent once per worker).
 * @param batch - combination indices.
 * @param delayMs - test hook: wait this long in the worker before evaluating (0 normally).
 * @param onMeasured - called with the trials evaluated and the worker's evaluation time (ms), for batch sizing.
 * @returns one result per valid combination of the batch.
 */
export function evaluateOnPool(
	pool: WorkerPool<Remote<BacktestWorkerApi>>,
	dataset: Pick<Dataset, 'id' | 'ohlcv'>,
	job: OptimizationJob,
	batch: TrialBatch,
	delayMs = 0,
	onMeasured?: (trials: number, ms: number) => void
): Promise<TrialResult[]> {
	const key = jobKey(job);
	return pool.submit({
		dataset: { id: dataset.id, ohlcv: dataset.ohlcv },
		pipeline: true,
		run: async (api, memo) => {
			if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
			const known = memo.has(key);
			memo.add(key);
			let r = await api.evaluateBatch({ datasetId: dataset.id, jobKey: key, job: known ? undefined : job, batch });
			// The worker dropped the job (it keeps the last few): send it again.
			if ('missingJob' in r) r = await api.evaluateBatch({ datasetId: dataset.id, jobKey: key, job, batch });
			if ('missingJob' in r) throw new Error(`the worker lost optimisation job ${key}.`);
			onMeasured?.(r.count, r.elapsedMs);
			return unpackTrials(r);
		}
	}).promise;
}

/**
 * Display form of a searched parameter's value: an enumeration's option name, otherwise the number.
 * @param strategy - the job's strategy; @param name - parameter name; @param value - the axis value.
 */
export function formatParamValue(strategy: string, name: string, value: number): string {
	try {
		const schema = getStrategy(strategy).params.find((p) => p.name === name);
		if (schema?.type === 'enum') return String(schema.options?.[value]?.value ?? value);
	} catch {
		/* unknown strategy: the number */
	}
	return String(value);
}

/**
 * Default range of a parameter: schema min/max/step around the default value (five steps each side, clamped).
 * @param schema - the registry's parameter schema.
 * @returns a range row, searched for the first two parameters of a strategy (set by the caller).
 */
export function defaultRange(schema: ParamSchema): RangeInput {
	if (schema.type === 'bool') return { name: schema.name, schema, search: false, start: 0, end: 1, step: 1, fixed: schema.default };
	// enumerations: every option (their numbers 0 … n-1)
	if (schema.type === 'enum') return { name: schema.name, schema, search: false, start: 0, end: schema.max, step: 1, fixed: schema.default };
	const d = schema.step.toString().split('.')[1]?.length ?? 0;
	const round = (v: number) => Number(v.toFixed(d));
	return {
		name: schema.name,
		schema,
		search: false,
		start: round(Math.max(schema.min, schema.default - 5 * schema.step)),
		end: round(Math.min(schema.max, schema.default + 5 * schema.step)),
		step: schema.step,
		fixed: schema.default
	};
}

/**
 * Display string of a trial statistic: the metrics module's format where it knows the key, else a plain number
 * (the composite score and the core-only sums).
 * @param key - a {@link StatisticKey}.
 * @param value - the value.
 * @returns e.g. `"1.23"`, `"49.86%"`, `"5,174.69"`; `"—"` for NaN.
 */
export function formatStatistic(key: string, value: number): string {
	if (!Number.isFinite(value)) return Number.isNaN(value) ? '—' : value > 0 ? '∞' : '−∞';
	try {
		return formatMetric(key, value);
	} catch {
		return value.toLocaleString('en-US', { maximumFractionDigits: key === 'score' ? 4 : 2 });
	}
}

/** Names of trial statistics that are not in the metrics table. */
const EXTRA_STAT_LABELS: Record<string, string> = { score: 'Score', grossProfit: 'Gross profit', grossLoss: 'Gross loss' };

/**
 * Human name of a trial statistic (`sharpeRatio` -> `Sharpe ratio`), never the raw key when one is known.
 * @param key - statistic key.
 */
export function statisticLabel(key: string): string {
	return EXTRA_STAT_LABELS[key] ?? metricInfo(key)?.label ?? key.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());
}

/** True when the statistic is a ratio (a fraction: 0.12 = 12 %). */
export function statisticIsRatio(key: string): boolean {
	return metricInfo(key)?.unit === 'ratio';
}

/** Trials in a batch (for the failed count). */
function trialsIn(batch: TrialBatch): number {
	return batch.kind === 'range' ? Math.max(0, batch.to - batch.from) : batch.indices.length;
}

/** Least time between two saves of a running job to IndexedDB, ms. */
const SAVE_INTERVAL_MS = 1000;
/** Least time between two progress updates on screen, ms. */
const PROGRESS_INTERVAL_MS = 250;
/** Work per batch the batch sizer aims for, ms (see src/lib/optimize/batch-sizer.ts). */
export const BATCH_TARGET_MS = 30;

/** Rune state of the optimisation page. */
export class OptimizeState {
	/** Execution settings of the next job (fees, slippage, exits, direction, sizing, cash): visible and editable on the Optimise screen. */
	readonly exec = new StrategyFormState();
	/** True once {@link exec} has been prefilled from the Backtest form. */
	execPrefilled = false;
	strategy = $state<StrategyId>('sma-cross');
	/** The rule text when {@link strategy} is `rules` (from "My strategies"). */
	rules = $state.raw<RuleSource | null>(null);
	/** Direction set by a preset (the seed grid is long-only); null = the backtest form's direction. */
	directionOverride = $state<DirectionMode | null>(null);
	ranges = $state<RangeInput[]>([]);
	method = $state<SearchMethod['kind']>('grid');
	randomTrials = $state(200);
	seed = $state(1);
	population = $state(30);
	generations = $state(10);
	crossoverRate = $state(0.8);
	mutationRate = $state(0.2);
	elitism = $state(2);
	iterations = $state(3);
	refinementFactor = $state(0.5);
	pointsPerAxis = $state(5);
	objective = $state<StatisticKey>('sharpeRatio');
	minTrades = $state(5);
	/** Trials per batch; null (default) sizes batches by their measured cost (about {@link BATCH_TARGET_MS} of work each). */
	batchSize = $state<number | null>(null);

	jobs = $state.raw<OptimisationJobRecord[]>([]);
	current = $state.raw<OptimisationJobRecord | null>(null);
	progress = $state.raw<ProgressView | null>(null);
	running = $state(false);
	error = $state<string | null>(null);
	ready = $state(false);

	heatmap = $state.raw<Heatmap | null>(null);
	heatmapBusy = $state(false);
	walkForward = $state.raw<WalkForwardResult | null>(null);
	walkForwardBusy = $state(false);
	walkForwardError = $state<string | null>(null);

	/**
	 * Test hook (e2e): delay each batch by this many ms, and run one batch at a time (of 16 trials unless
	 * {@link batchSize} is set), so that progress and cancel are observable.
	 */
	batchDelayMs = 0;
	/**
	 * Time the workers spent evaluating the batches of the last run started here, ms (summed over workers; with the
	 * run's wall time and the pool size it gives how busy the workers were; read by scripts/bench-optimize-browser.ts).
	 */
	workerBusyMs = 0;
	#deps: OptimizeDeps | null = null;
	#abort: AbortController | null = null;
	#slice: { key: string; slice: HeatmapSlice; results: TrialResult[] } | null = null;

	constructor() {
		this.setStrategy('sma-cross');
	}

	/** Rows of the best trials of the shown job. */
	get topRows(): TopKRow[] {
		const c = this.current;
		if (!c) return [];
		const p = preparedJob(c.state.job);
		return topKRows(p.space, c.state.topK, p.objective.key);
	}

	/** Per-parameter impact of the shown job. */
	get impact(): ParameterImpact[] {
		const c = this.current;
		return c && c.state.evaluated > 0 ? parameterImpact(c.state.aggregates) : [];
	}

	/** Searched parameter names of the shown job. */
	get axisNames(): string[] {
		const c = this.current;
		return c ? c.state.job.axes.map((a) => a.name) : [];
	}

	/** Whether the shown job can be resumed. */
	get resumable(): boolean {
		const c = this.current;
		return !!c && !this.running && (c.status === 'interrupted' || c.status === 'cancelled' || c.status === 'failed');
	}

	/**
	 * Pick a strategy and reset the range rows from its schema (the first two parameters searched).
	 * @param id - strategy id from the registry.
	 * @throws ValidationError for an unknown id.
	 */
	setStrategy(id: StrategyId): void {
		if (id === 'rules' && this.rules) return this.setRules(this.rules);
		const def = getStrategy(id);
		this.strategy = id;
		this.rules = null;
		this.directionOverride = null;
		// search the first two numeric parameters by default
		const numeric = def.params.filter((p) => p.type === 'int' || p.type === 'float').slice(0, 2);
		this.ranges = def.params.map((p) => ({ ...defaultRange(p), search: numeric.includes(p) }));
	}

	/**
	 * Search a rule strategy's declared parameters (the first two numbers searched, over their declared ranges).
	 * @throws RuleError for a rule text with problems
	 */
	setRules(rules: RuleSource): void {
		const def = strategyDefinitionOf({ strategy: 'rules', rules });
		this.strategy = 'rules';
		this.rules = rules;
		this.directionOverride = null;
		const numeric = def.params.filter((p) => p.type === 'int' || p.type === 'float').slice(0, 2);
		this.ranges = def.params.map((p) => ({ ...defaultRange(p), search: numeric.includes(p) }));
	}

	/**
	 * The seed grid of PATTERNS.md for `pattern-zones` (960 runs): fvg, long-only, rrTarget 1.5…3.5 step 0.5 ×
	 * slBufferRatio 0.05…0.20 step 0.05 × minZoneRatio 0.0010…0.0025 step 0.0005 × the three target methods ×
	 * zone-edge / zone-mid × overlap on/off, grid search.
	 */
	applySeedGridPreset(): void {
		this.setStrategy('pattern-zones' as StrategyId);
		const axes: Record<string, [number, number, number]> = {
			rrTarget: [1.5, 3.5, 0.5],
			slBufferRatio: [0.05, 0.2, 0.05],
			minZoneRatio: [0.001, 0.0025, 0.0005],
			tpMethod: [0, 2, 1],
			entryMethod: [0, 1, 1],
			useOverlap: [0, 1, 1]
		};
		this.ranges = this.ranges.map((r) => {
			const a = axes[r.name];
			if (a) return { ...r, search: true, start: a[0], end: a[1], step: a[2] };
			return { ...r, search: false, fixed: r.name === 'pattern' ? 0 : r.fixed };
		});
		this.method = 'grid';
		this.directionOverride = 'long';
	}

	/**
	 * The search method from the form.
	 * @returns the method with its settings.
	 */
	methodSpec(): SearchMethod {
		switch (this.method) {
			case 'random':
				return { kind: 'random', trials: this.randomTrials, seed: this.seed };
			case 'genetic':
				return {
					kind: 'genetic',
					population: this.population,
					generations: this.generations,
					crossoverRate: this.crossoverRate,
					mutationRate: this.mutationRate,
					elitism: this.elitism,
					seed: this.seed
				};
			case 'adaptive':
				return { kind: 'adaptive', iterations: this.iterations, refinementFactor: this.refinementFactor, pointsPerAxis: this.pointsPerAxis };
			default:
				return { kind: 'grid' };
		}
	}

	/**
	 * The job from the form for a dataset.
	 * @param base - base configuration (fees, sizing, exits); strategy and parameters are replaced.
	 * @param dataset - the candles to optimise on.
	 * @returns the optimisation job.
	 */
	jobFor(base: BacktestConfig, dataset: Dataset): OptimizationJob {
		const def = strategyDefinitionOf({ strategy: this.strategy, rules: this.rules ?? undefined });
		const params: Record<string, number> = Object.fromEntries(def.params.map((p) => [p.name, p.default]));
		for (const r of this.ranges) if (!r.search) params[r.name] = r.fixed;
		const axes: AxisSpec[] = this.ranges.filter((r) => r.search).map((r) => ({ name: r.name, start: r.start, end: r.end, step: r.step }));
		return {
			config: {
				...structuredClone($state.snapshot(base) as BacktestConfig),
				strategy: this.strategy,
				...(this.strategy === 'rules' && this.rules ? { rules: { ...this.rules } } : {}),
				params,
				...(this.directionOverride ? { direction: this.directionOverride } : {})
			},
			axes,
			objective: { key: this.objective, minTrades: this.minTrades },
			data: { bars: dataset.ohlcv.openTime.length, spanMs: dataSpanMs(dataset.ohlcv.openTime, dataset.intervalMs) }
		};
	}

	/**
	 * Connect to storage and the pool; jobs left `running` by a closed page become `interrupted`.
	 * @param deps - repository and pool.
	 */
	async init(deps: OptimizeDeps): Promise<void> {
		this.#deps = deps;
		try {
			await deps.repo.markInterrupted();
			await this.refresh();
			if (!this.current && this.jobs.length) this.current = this.jobs[0];
		} catch (e) {
			this.error = `Saved optimisations are unavailable: ${(e as Error).message}`;
		}
		this.ready = true;
	}

	/** Re-read the stored jobs. */
	async refresh(): Promise<void> {
		if (!this.#deps) return;
		this.jobs = await this.#deps.repo.list();
	}

	/**
	 * Show a stored job.
	 * @param id - job id.
	 */
	select(id: string): void {
		const j = this.jobs.find((x) => x.id === id);
		if (!j || this.running) return;
		this.current = j;
		this.progress = null;
		this.heatmap = null;
		this.walkForward = null;
		this.#slice = null;
	}

	#evaluate(dataset: Dataset, job: OptimizationJob, batch: TrialBatch, sizer?: BatchSizer): Promise<TrialResult[]> {
		return evaluateOnPool(this.#deps!.pool, dataset, job, batch, this.batchDelayMs, (n, ms) => {
			this.workerBusyMs += ms;
			sizer?.record(n, ms);
		});
	}

	/**
	 * Start the workers and load a dataset into each now (when a market is selected), so that a run or an optimisation
	 * starts at full speed. Errors are ignored here: the run that needs the dataset reports them.
	 * @param dataset - candles and their id.
	 */
	prewarm(dataset: Pick<Dataset, 'id' | 'ohlcv'>): void {
		void this.#deps?.pool.prewarm({ id: dataset.id, ohlcv: dataset.ohlcv });
	}

	async #save(job: OptimisationJobRecord): Promise<void> {
		this.#show(job);
		await this.#put(job);
	}

	/** Show a job's record on the page (the list and the current job). */
	#show(job: OptimisationJobRecord): void {
		this.current = job;
		this.jobs = this.jobs.some((j) => j.id === job.id) ? this.jobs.map((j) => (j.id === job.id ? job : j)) : [job, ...this.jobs];
	}

	/** Store a job's record (errors land in {@link error}). */
	async #put(job: OptimisationJobRecord): Promise<void> {
		try {
			await this.#deps?.repo.put(job);
		} catch (e) {
			this.error = `Could not save the optimisation: ${(e as Error).message}`;
		}
	}

	#record(base: OptimisationJobRecord, state: OptimizationState, p: Pick<OptimizationProgress, 'completed' | 'total' | 'totalIsEstimate'>, status: OptimisationJobRecord['status'], failed: number): OptimisationJobRecord {
		const prepared = preparedJob(state.job);
		const top = state.topK[0];
		const best: BestTrial | null = top
			? { index: top.index, params: Object.fromEntries(prepared.space.axes.map((a, d) => [a.name, top.values[d]])), objective: top.stats[prepared.objective.key] }
			: null;
		return { ...base, state, status, completed: p.completed, total: p.total, totalIsEstimate: p.totalIsEstimate, failed, best, updatedAt: Date.now() };
	}

	/**
	 * Start a new optimisation from the form.
	 * @param base - base configuration (fees, sizing, exits).
	 * @param dataset - candles (the market panel's dataset).
	 * @returns the job id, once the job has finished, was cancelled or failed (see {@link current}).
	 * @throws nothing: errors land in {@link error}.
	 */
	async start(base: BacktestConfig, dataset: Dataset): Promise<string | null> {
		this.error = null;
		let job: OptimizationJob;
		try {
			job = this.jobFor(base, dataset);
			preparedJob(job);
		} catch (e) {
			this.error = (e as Error).message;
			return null;
		}
		const now = Date.now();
		const n = dataset.ohlcv.openTime.length;
		const def = strategyDefinitionOf({ strategy: this.strategy, rules: this.rules ?? undefined });
		const record: OptimisationJobRecord = {
			id: newOptimisationId(now),
			createdAt: now,
			updatedAt: now,
			status: 'running',
			label: jobLabel(def.name, this.method, job, dataset.symbol, dataset.interval),
			market: {
				symbol: dataset.symbol,
				interval: dataset.interval,
				datasetId: dataset.id,
				firstOpenTime: dataset.ohlcv.openTime[0],
				lastOpenTime: dataset.ohlcv.openTime[n - 1],
				bars: n,
				source: dataset.sources.join('+') || 'stored',
				missingBars: dataset.missingBars
			},
			total: 0,
			totalIsEstimate: false,
			completed: 0,
			failed: 0,
			best: null,
			state: null as unknown as OptimizationState
		};
		await this.#run(record, dataset, job, this.methodSpec(), undefined);
		return record.id;
	}

	/**
	 * Continue an interrupted, cancelled or failed job from its saved state.
	 * @param id - job id.
	 * @param dataset - candles; must be the job's dataset (same symbol, interval, range and bars).
	 */
	async resume(id: string, dataset: Dataset | null): Promise<void> {
		this.error = null;
		const rec = this.jobs.find((j) => j.id === id);
		if (!rec || this.running) return;
		if (!dataset || dataset.id !== rec.market.datasetId) {
			this.error = `This optimisation ran on ${rec.market.symbol} ${rec.market.interval} (${rec.market.bars} bars, ${new Date(rec.market.firstOpenTime).toISOString().slice(0, 16)} → ${new Date(rec.market.lastOpenTime).toISOString().slice(0, 16)} UTC): select that market and range first, then resume.`;
			return;
		}
		await this.#run({ ...rec, error: undefined }, dataset, rec.state.job, rec.state.method, rec.state);
	}

	async #run(record: OptimisationJobRecord, dataset: Dataset, job: OptimizationJob, method: SearchMethod, resume: OptimizationState | undefined): Promise<void> {
		if (!this.#deps) {
			this.error = 'The workers are still starting; try again in a moment.';
			return;
		}
		this.running = true;
		this.workerBusyMs = 0;
		this.heatmap = null;
		this.walkForward = null;
		this.#slice = null;
		const abort = new AbortController();
		this.#abort = abort;
		let failed = record.failed;
		let lastSave = Date.now();
		let last: Pick<OptimizationProgress, 'completed' | 'total' | 'totalIsEstimate'> = { completed: record.completed, total: record.total, totalIsEstimate: record.totalIsEstimate };
		this.progress = { ...last, etaMs: NaN, barEvaluationsPerSecond: 0, trialsPerSecond: 0, elapsedMs: 0 };
		let saving: Promise<void> = Promise.resolve();
		try {
			// A new job: an already-aborted run yields the planner's initial state and its trial count. It keeps the best
			// MAX_OVERFITTING_TRIALS trials (their daily returns feed the overfitting statistics' PBO).
			const first =
				resume ??
				(await runOptimization({ job, method, topK: MAX_OVERFITTING_TRIALS, evaluate: async () => [], signal: AbortSignal.abort(), onProgress: (p) => (last = p) })).state;
			this.progress = { ...this.progress!, total: last.total, totalIsEstimate: last.totalIsEstimate };
			// The first save runs while the first batches do (later saves queue behind it, in order).
			saving = this.#save(this.#record(record, { ...first, status: 'running' }, last, 'running', failed));
			const pool = this.#deps.pool;
			// Two batches per worker: one running, one queued in the worker, so no worker waits for a round trip.
			const slowedForTests = this.batchDelayMs > 0;
			const inFlight = slowedForTests ? 1 : pool.size * pool.pipelineDepth;
			const fixedSize = this.batchSize ?? (slowedForTests ? 16 : null);
			const sizer = fixedSize === null ? new BatchSizer({ bars: job.data.bars, targetMs: BATCH_TARGET_MS }) : undefined;
			const outcome = await runOptimization({
				job,
				method,
				resume: first,
				concurrency: inFlight,
				batchSize: sizer ? (remaining) => sizer.next(remaining, inFlight) : fixedSize!,
				signal: abort.signal,
				progressIntervalMs: PROGRESS_INTERVAL_MS,
				evaluate: (batch) =>
					this.#evaluate(dataset, job, batch, sizer).catch((e) => {
						if (!abort.signal.aborted) failed += trialsIn(batch);
						throw e;
					}),
				onProgress: (p) => {
					last = p;
					this.progress = {
						completed: p.completed,
						total: p.total,
						totalIsEstimate: p.totalIsEstimate,
						etaMs: p.etaMs,
						barEvaluationsPerSecond: p.barEvaluationsPerSecond,
						trialsPerSecond: p.trialsPerSecond,
						elapsedMs: p.elapsedMs
					};
					if (Date.now() - lastSave >= SAVE_INTERVAL_MS) {
						lastSave = Date.now();
						const rec = this.#record(record, p.snapshot(), p, 'running', failed);
						// Shown now, stored after the saves before it (in order).
						this.#show(rec);
						saving = saving.then(() => this.#put(rec));
					}
				}
			});
			const done = outcome.status === 'done';
			// A finished search's count is exact, also where the total was an estimate (adaptive refinement).
			const final = done ? { completed: last.completed, total: last.totalIsEstimate ? last.completed : last.total, totalIsEstimate: false } : last;
			// Shown at once; stored after any save still in progress.
			const finished = this.#record(record, outcome.state, final, done ? 'done' : 'cancelled', failed);
			this.#show(finished);
			await saving;
			await this.#put(finished);
		} catch (e) {
			await saving;
			const message = (e as Error).message;
			this.error = message;
			if (e instanceof OptimizationError) {
				await this.#save({ ...this.#record(record, e.state, last, 'failed', failed), error: message });
			} else if (this.current?.id === record.id) {
				await this.#save({ ...this.current, status: 'failed', error: message });
			}
		} finally {
			this.running = false;
			this.#abort = null;
		}
	}

	/** Cancel the running job (in-flight batches finish; the job is saved as `cancelled`, resumable). */
	cancel(): void {
		this.#abort?.abort();
	}

	/**
	 * Delete a stored job.
	 * @param id - job id.
	 */
	async remove(id: string): Promise<void> {
		if (this.running && this.current?.id === id) return;
		const job = this.jobs.find((j) => j.id === id);
		this.lastDeleted = job ? { job, wasCurrent: this.current?.id === id } : null;
		this.jobs = this.jobs.filter((j) => j.id !== id);
		if (this.current?.id === id) this.current = null;
		try {
			await this.#deps?.repo.delete(id);
		} catch (e) {
			this.error = `Could not delete the optimisation: ${(e as Error).message}`;
		}
	}

	/** The last deleted job, kept for an undo until the next deletion. */
	lastDeleted = $state.raw<{ job: OptimisationJobRecord; wasCurrent: boolean } | null>(null);

	/** Put the last deleted job back (same id, results and resumable state). */
	async undoDelete(): Promise<void> {
		const d = this.lastDeleted;
		if (!d) return;
		this.lastDeleted = null;
		try {
			await this.#deps?.repo.put(d.job);
			this.jobs = [...this.jobs.filter((j) => j.id !== d.job.id), d.job].sort((a, b) => b.createdAt - a.createdAt);
			if (d.wasCurrent && !this.running) this.current = d.job;
		} catch (e) {
			this.error = `Could not restore the optimisation: ${(e as Error).message}`;
		}
	}

	/**
	 * Backtest configuration of a trial of the shown job (for "Open as backtest").
	 * @param index - combination index of the trial.
	 * @returns the full configuration.
	 * @throws ValidationError when no job is shown or the combination fails the strategy's constraints.
	 */
	trialConfig(index: number): BacktestConfig {
		if (!this.current) throw new Error('No optimisation is shown.');
		return trialConfig(this.current.state.job, index);
	}

	/**
	 * Heatmap of a statistic over two searched parameters, the others fixed at the best trial's values; the slice's
	 * trials are evaluated through the pool (once per parameter pair).
	 * @param dataset - the job's candles.
	 * @param x - parameter on the x axis.
	 * @param y - parameter on the y axis.
	 * @param statistic - statistic shown.
	 */
	async computeHeatmap(dataset: Dataset | null, x: string, y: string, statistic: StatisticKey): Promise<void> {
		const c = this.current;
		this.error = null;
		if (!c || !c.best) return;
		if (!dataset || dataset.id !== c.market.datasetId) {
			this.error = 'The heatmap needs the optimisation\'s candles: select the same market and range.';
			return;
		}
		this.heatmapBusy = true;
		try {
			const key = `${c.id}|${c.best.index}|${x}|${y}`;
			if (this.#slice?.key !== key) {
				const slice = heatmapSlice(preparedJob(c.state.job).space, c.best.index, x, y);
				const results = slice.batch.indices.length ? await this.#evaluate(dataset, c.state.job, slice.batch) : [];
				this.#slice = { key, slice, results };
			}
			this.heatmap = heatmapFromResults(this.#slice.slice, this.#slice.results, statistic);
		} catch (e) {
			this.error = (e as Error).message;
		} finally {
			this.heatmapBusy = false;
		}
	}

	/**
	 * Walk-forward validation of the shown job's search (its axes, method and objective) in one worker.
	 * @param dataset - the job's candles.
	 * @param spec - windows (mode, splits, train ratio).
	 */
	async runWalkForward(dataset: Dataset | null, spec: WalkForwardSpec): Promise<void> {
		const c = this.current;
		this.walkForwardError = null;
		if (!c || !this.#deps) return;
		if (!dataset || dataset.id !== c.market.datasetId) {
			this.walkForwardError = 'Walk-forward needs the optimisation\'s candles: select the same market and range.';
			return;
		}
		this.walkForwardBusy = true;
		try {
			const { job, method } = c.state;
			this.walkForward = (await this.#deps.pool.submit({
				dataset: { id: dataset.id, ohlcv: dataset.ohlcv },
				timeoutMs: 600_000,
				run: (api) =>
					api.walkForward({
						datasetId: dataset.id,
						intervalMs: dataset.intervalMs,
						config: job.config,
						axes: job.axes,
						objective: job.objective,
						method,
						windows: spec
					}) as Promise<WalkForwardResult>
			}).promise) as WalkForwardResult;
		} catch (e) {
			this.walkForwardError = (e as Error).message;
		} finally {
			this.walkForwardBusy = false;
		}
	}
}
