/**
 * Main-thread driver of an optimisation: asks the planner for batches, sends them to an evaluation function (a worker
 * pool, or an in-process engine), feeds the results to the planner, the top-K list and the aggregates, reports
 * progress, stops on an AbortSignal and can resume from a stored state. No DOM or Node imports.
 *
 * Memory stays flat: no result is kept beyond the top-K list and the aggregates (callers that want every row, like
 * the CLI, receive each batch through `onResults`).
 */
import { ValidationError } from '../core/errors';
import { RunningMoments, type RunningMomentsState } from '../analysis/stats';
import { Aggregates, DEFAULT_MAX_BINS, type AggregatesState } from './aggregates';
import { preparedJob, type OptimizationJob, type TrialBatch, type TrialResult } from './evaluate';
import { batchSize, createPlanner, validateMethod, type PlannerState, type SearchMethod } from './methods';
import { TopK } from './top-k';

/** Everything needed to resume an optimisation (plain data, structured-clone safe: the app stores it in IndexedDB). */
export interface OptimizationState {
	version: 1;
	job: OptimizationJob;
	method: SearchMethod;
	planner: PlannerState;
	/** Batches handed out but not finished when the state was taken; evaluated first on resume. */
	pending: TrialBatch[];
	topKSize: number;
	/** Best trials, best first. */
	topK: TrialResult[];
	aggregates: AggregatesState;
	/** Trials evaluated so far (all sessions). */
	evaluated: number;
	/** Wall time spent so far (all sessions), ms. */
	elapsedMs: number;
	status: 'running' | 'cancelled' | 'done';
	/**
	 * Streaming moments over every evaluated trial (for the overfitting statistics, see optimize/overfitting.ts):
	 * the annualised Sharpe ratio of trials that have one, and the ranking value of ranked trials. Absent in
	 * states stored before they existed.
	 */
	moments?: { sharpe: RunningMomentsState; rank: RunningMomentsState };
}

/** A progress report. */
export interface OptimizationProgress {
	completed: number;
	total: number;
	totalIsEstimate: boolean;
	/** Genetic search: stopped because every valid combination had been evaluated. */
	exhausted?: boolean;
	/** Wall time so far (all sessions), ms. */
	elapsedMs: number;
	/** Estimated time to finish at this session's rate, ms (NaN before the first result). */
	etaMs: number;
	trialsPerSecond: number;
	/** Trials per second × bars per trial. */
	barEvaluationsPerSecond: number;
	best: TrialResult | undefined;
	/** Take a resumable snapshot now (e.g. to store it). */
	snapshot: () => OptimizationState;
}

/** Options of {@link runOptimization}. */
export interface RunOptimizationOptions {
	job: OptimizationJob;
	method: SearchMethod;
	/** Evaluate a batch (e.g. post it to a worker that calls `evaluateBatch`). May reject when aborted. */
	evaluate: (batch: TrialBatch) => Promise<TrialResult[]>;
	signal?: AbortSignal;
	onProgress?: (p: OptimizationProgress) => void;
	/** Every batch's results, as they arrive (any batch order). */
	onResults?: (results: TrialResult[], batch: TrialBatch) => void;
	/** Batches in flight at once (e.g. the number of workers × 2). Default 1. */
	concurrency?: number;
	/**
	 * Trials (raw indices for grid ranges) per batch: a number, or a function called for every batch with the number of
	 * trials not yet handed out (e.g. a {@link BatchSizer}'s `next`, sizing batches by measured cost). Default 256.
	 * The batch size never changes which trials a search evaluates nor its results.
	 */
	batchSize?: number | ((remaining: number) => number);
	/** Size of the best-trials list. Default 50. */
	topK?: number;
	/** Largest number of aggregate bins per axis. Default {@link DEFAULT_MAX_BINS}. */
	maxBins?: number;
	/** A stored state to continue (job and method are taken from it; `job`/`method` above must be the same). */
	resume?: OptimizationState;
	/** Least time between two progress reports, ms (default 200; the final report is always sent). */
	progressIntervalMs?: number;
	/** Clock in ms (default performance.now / Date.now). */
	now?: () => number;
}

/** What {@link runOptimization} returns. */
export interface OptimizationOutcome {
	status: 'done' | 'cancelled';
	/** Best trials, best first. */
	top: TrialResult[];
	best: TrialResult | undefined;
	aggregates: Aggregates;
	/** Resumable state (status `done` or `cancelled`). */
	state: OptimizationState;
}

/** An evaluation error with the state taken when it happened (the failed batch is in `state.pending`). */
export class OptimizationError extends Error {
	readonly state: OptimizationState;
	constructor(message: string, state: OptimizationState, cause: unknown) {
		super(message, { cause });
		this.name = 'OptimizationError';
		this.state = state;
	}
}

const defaultNow = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/**
 * Run (or resume) an optimisation to the end or until `signal` aborts.
 * @param o - see {@link RunOptimizationOptions}.
 * @returns status, best trials, aggregates and the resumable state. On abort, batches in flight that still finish
 *   are kept; those that reject go to `state.pending` and run first on resume.
 * @throws ValidationError for an invalid job or method (before any trial); OptimizationError (with `state`) when
 *   `evaluate` rejects while not aborted.
 */
export async function runOptimization(o: RunOptimizationOptions): Promise<OptimizationOutcome> {
	const job = o.resume?.job ?? o.job;
	const method = o.resume?.method ?? o.method;
	validateMethod(method);
	const p = preparedJob(job);
	const planner = createPlanner(p.space, method, o.resume?.planner);
	const k = o.resume?.topKSize ?? o.topK ?? 50;
	const top = new TopK(k, o.resume?.topK ?? []);
	const agg = new Aggregates(p.space, p.objective, o.maxBins ?? DEFAULT_MAX_BINS, o.resume?.aggregates);
	const pending: TrialBatch[] = [...(o.resume?.pending ?? [])];
	const sharpeMoments = new RunningMoments(o.resume?.moments?.sharpe);
	const rankMoments = new RunningMoments(o.resume?.moments?.rank);
	const concurrency = Math.max(1, Math.floor(o.concurrency ?? 1));
	const sizeOf = o.batchSize;
	const fixedSize = typeof sizeOf === 'function' ? 0 : Math.max(1, Math.floor(sizeOf ?? 256));
	let issuedTrials = 0;
	const nextSize = (): number => {
		if (typeof sizeOf !== 'function') return fixedSize;
		const pr = planner.progress();
		const n = sizeOf(Math.max(0, pr.total - pr.completed - issuedTrials));
		return Math.max(1, Math.floor(Number.isFinite(n) ? n : 1));
	};
	const now = o.now ?? defaultNow;
	const interval = o.progressIntervalMs ?? 200;
	const t0 = now();
	const elapsedBefore = o.resume?.elapsedMs ?? 0;
	let evaluated = o.resume?.evaluated ?? 0;
	let sessionEvaluated = 0;
	const completedAtStart = planner.progress().completed;
	let lastReport = -Infinity;

	const inFlight = new Map<number, { batch: TrialBatch; promise: Promise<void> }>();
	let nextId = 0;
	let failure: unknown = null;

	const snapshot = (status: OptimizationState['status']): OptimizationState => ({
		version: 1,
		job,
		method,
		planner: planner.state(),
		// Batches in flight, and finished ones not applied yet (waiting for an earlier batch), run again on resume.
		pending: [...pending, ...[...inFlight.values()].map((f) => f.batch), ...[...held.values()].filter((h) => h.results).map((h) => h.batch)].map((b) => structuredClone(b)),
		topKSize: k,
		topK: structuredClone(top.sorted()),
		aggregates: agg.state(),
		evaluated,
		elapsedMs: elapsedBefore + (now() - t0),
		status,
		moments: { sharpe: sharpeMoments.state(), rank: rankMoments.state() }
	});

	const report = (force: boolean) => {
		if (!o.onProgress) return;
		const t = now();
		if (!force && t - lastReport < interval) return;
		lastReport = t;
		const pr = planner.progress();
		const secs = (t - t0) / 1000;
		const rate = secs > 0 ? sessionEvaluated / secs : 0;
		const doneRate = secs > 0 ? (pr.completed - completedAtStart) / secs : 0;
		o.onProgress({
			...pr,
			elapsedMs: elapsedBefore + (t - t0),
			etaMs: doneRate > 0 ? (Math.max(0, pr.total - pr.completed) / doneRate) * 1000 : NaN,
			trialsPerSecond: rate,
			barEvaluationsPerSecond: rate * job.data.bars,
			best: top.best(),
			snapshot: () => snapshot('running')
		});
	};

	/**
	 * Settled batches are applied (planner, top-K, aggregates, moments, `onResults`) strictly in the order they were
	 * issued, whatever order they finish in: every figure is then the same bit for bit for any batch size, number of
	 * batches in flight and completion order (the floating-point sums of the aggregates and moments depend on order).
	 * A batch that failed is skipped (it goes back to `pending`).
	 */
	const held = new Map<number, { batch: TrialBatch; results: TrialResult[] | null }>();
	let nextApply = 0;
	const apply = (batch: TrialBatch, results: TrialResult[]) => {
		planner.tell(batch, results);
		for (const r of results) {
			top.add(r);
			agg.add(r);
			sharpeMoments.add(r.stats.sharpeRatio);
			rankMoments.add(r.rank);
		}
		evaluated += results.length;
		sessionEvaluated += results.length;
		o.onResults?.(results, batch);
	};
	const drain = () => {
		for (let h = held.get(nextApply); h; h = held.get(nextApply)) {
			held.delete(nextApply++);
			if (h.results) apply(h.batch, h.results);
		}
	};

	const issue = (batch: TrialBatch) => {
		const id = nextId++;
		const trials = batchSize(batch);
		issuedTrials += trials;
		const promise = o.evaluate(batch).then(
			(results) => {
				inFlight.delete(id);
				issuedTrials -= trials;
				held.set(id, { batch, results });
				drain();
				report(false);
			},
			(err) => {
				inFlight.delete(id);
				issuedTrials -= trials;
				pending.push(batch);
				held.set(id, { batch, results: null });
				drain();
				if (!o.signal?.aborted && failure === null) failure = err;
			}
		);
		inFlight.set(id, { batch, promise });
	};

	for (;;) {
		if (o.signal?.aborted || failure !== null) break;
		// Finished batches waiting for an earlier one count too (4× the concurrency at most), so they cannot pile up.
		while (inFlight.size < concurrency && inFlight.size + held.size < 4 * concurrency) {
			const batch = pending.shift() ?? planner.next(nextSize());
			if (!batch) break;
			if (batchSize(batch) === 0) continue;
			issue(batch);
		}
		if (inFlight.size === 0) {
			if (planner.done || pending.length === 0) break;
			continue;
		}
		await Promise.race([...inFlight.values()].map((f) => f.promise));
	}
	while (inFlight.size > 0) await Promise.race([...inFlight.values()].map((f) => f.promise));
	if (failure !== null) {
		const msg = failure instanceof Error ? failure.message : String(failure);
		throw new OptimizationError(`optimisation stopped: a batch failed: ${msg}`, snapshot('cancelled'), failure);
	}
	if (!o.signal?.aborted && !planner.done) {
		throw new ValidationError('the search planner stopped handing out trials before finishing (internal error).');
	}
	const status = planner.done && pending.length === 0 ? 'done' : 'cancelled';
	report(true);
	return { status, top: top.sorted(), best: top.best(), aggregates: agg, state: snapshot(status) };
}
