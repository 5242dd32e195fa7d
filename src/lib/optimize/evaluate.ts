/**
 * Worker side of an optimisation: evaluate a batch of trials on an engine that already holds the candles.
 * No DOM or Node imports: the browser worker pool, the Node CLI workers and the tests all call {@link evaluateBatch}.
 *
 * The job (base configuration, axes, objective, data span) is validated once ({@link prepareJob}); each trial then
 * only writes its parameter values into the run scalars and calls the core (no re-validation in the hot loop).
 */
import { ValidationError } from '../core/errors';
import { toRunScalars, withRulePlan, type CoreSummary, type RunScalars } from '../engine/wasm-engine';
import type { BacktestConfig } from '../engine/types';
import { rankValue, resolveObjective, trialStats, type ObjectiveSpec, type ResolvedObjective, type TrialStats } from './objective';
import { SearchSpace, type AxisSpec } from './space';

/** The part of the engine a trial needs ({@link WasmEngine} implements it; tests inject synthetic engines). */
export interface TrialEngine {
	/** Run the core with resolved scalars on the loaded candles; returns final equity. */
	runScalars(scalars: RunScalars, record?: boolean): number;
	/** Core summary of the last run. */
	readSummary(initialCash: number): CoreSummary;
}

/** Everything that defines an optimisation, as plain data (posted to workers, stored with the state). */
export interface OptimizationJob {
	/** Base configuration: fees, direction, exits, sizing, and the values of the parameters that are not searched. */
	config: BacktestConfig;
	/** Searched parameters (axis 0 outermost: put the slowest-changing parameter first). */
	axes: AxisSpec[];
	objective: ObjectiveSpec;
	/** The candles the engine holds: number of bars and span (first open to last close, ms; see dataSpanMs). */
	data: { bars: number; spanMs: number };
}

/** A batch of trials: a range of raw indices `[from, to)` (combinations failing a constraint are skipped) or a list. */
export type TrialBatch = { kind: 'range'; from: number; to: number } | { kind: 'indices'; indices: number[] };

/** One evaluated trial. */
export interface TrialResult {
	/** Index of the combination in the search space. */
	index: number;
	/** Searched parameter values, axis order. */
	values: number[];
	stats: TrialStats;
	/** Ranking value (higher is better; the objective negated when minimising); NaN when the trial is not ranked. */
	rank: number;
}

/** A job validated and resolved, ready for the hot loop. */
export interface PreparedJob {
	job: OptimizationJob;
	space: SearchSpace;
	objective: ResolvedObjective;
	/** Scalars of the first valid combination; trials overwrite the searched `p[i]`. */
	scalars: RunScalars;
	/** True when run scalars other than `p` depend on the parameters (strategies with their own exit levels). */
	slowPath: boolean;
	/** Rule strategies: each trial compiles the rule's plan for its parameters (indicators stay cached in the core). */
	rulesPath?: boolean;
}

/** Combinations {@link prepareJob} tries in order, then at random, to find one that passes the constraints. */
export const FIRST_VALID_PROBES = 1_000_000;

/**
 * Validate a job once: the axes against the schema, the base configuration (with the first combination that passes
 * the constraints), the objective and the data span.
 * @returns the prepared job.
 * @throws ValidationError for an invalid axis, configuration or objective, or when no combination passes the
 *   strategy's constraints (e.g. every fast >= every slow) among the first {@link FIRST_VALID_PROBES} combinations and
 *   as many seeded random ones.
 */
export function prepareJob(job: OptimizationJob): PreparedJob {
	if (!job?.config) throw new ValidationError('optimisation job has no base configuration.');
	if (!(job.data?.bars > 0) || !(job.data.spanMs > 0)) {
		throw new ValidationError(`optimisation job data must have bars > 0 and spanMs > 0, got ${JSON.stringify(job.data)}.`);
	}
	const space = new SearchSpace({ strategy: job.config.strategy, rules: job.config.rules, axes: job.axes, fixed: job.config.params });
	const objective = resolveObjective(job.objective);
	// Any valid combination serves as the template; the search is bounded (a space where almost nothing is valid
	// must not freeze the page): the first FIRST_VALID_PROBES indices, then as many seeded random ones.
	let first = -1;
	const scan = Math.min(space.size, FIRST_VALID_PROBES);
	for (let i = 0; i < scan && first < 0; i++) if (space.isValid(i)) first = i;
	let s = 0x9e3779b9;
	for (let k = 0; k < FIRST_VALID_PROBES && first < 0 && space.size > scan; k++) {
		s = (s + 0x6d2b79f5) >>> 0;
		const i = Math.floor(((Math.imul(s ^ (s >>> 15), s | 1) >>> 0) / 4294967296) * space.size);
		if (space.isValid(i)) first = i;
	}
	if (first < 0) {
		throw new ValidationError(
			`no combination of ${space.names.join(', ')} satisfies the ${space.strategy} constraints (${space.def.constraints.map((c) => c.message).join('; ')}); widen the ranges.`
		);
	}
	const scalars = toRunScalars({ ...job.config, params: space.paramsAt(first) });
	const rulesPath = Boolean(space.def.compileRules);
	return { job, space, objective, scalars, slowPath: space.def.ownsExitLevels && !rulesPath, rulesPath };
}

const prepared = new WeakMap<OptimizationJob, PreparedJob>();

/** {@link prepareJob}, cached per job object (a worker keeps the job it received and reuses the preparation). */
export function preparedJob(job: OptimizationJob): PreparedJob {
	let p = prepared.get(job);
	if (!p) {
		p = prepareJob(job);
		prepared.set(job, p);
	}
	return p;
}

/**
 * Evaluate one trial (a combination that passes the constraints).
 * @param engine - an engine holding the job's candles.
 * @param p - the prepared job.
 * @param index - combination index, 0 <= index < space.size.
 * @returns the trial result.
 */
export function evaluateIndex(engine: TrialEngine, p: PreparedJob, index: number): TrialResult {
	const { space, job } = p;
	const values = space.valuesAt(index);
	let scalars = p.scalars;
	if (p.rulesPath) {
		withRulePlan(scalars, space.def.compileRules!(space.paramsAt(index)));
	} else if (p.slowPath) {
		scalars = toRunScalars({ ...job.config, params: space.paramsAt(index) });
	} else {
		for (let d = 0; d < values.length; d++) scalars.p[space.axes[d].paramIndex] = values[d];
	}
	engine.runScalars(scalars, false);
	const stats = trialStats(engine.readSummary(job.config.initialCash), job.config.initialCash, job.data.spanMs);
	return { index, values, stats, rank: rankValue(stats, p.objective) };
}

/**
 * Evaluate a batch of trials on an engine that holds the job's candles (the worker-side entry point).
 * @param engine - WASM engine (or a test double) with the candles loaded.
 * @param job - the optimisation job (prepared on first use and cached per object).
 * @param batch - raw index range `[from, to)` or index list; combinations failing a constraint are skipped.
 * @returns one result per evaluated combination, in batch order.
 * @throws ValidationError for an invalid job; RangeError for an index outside `[0, space.size)`.
 */
export function evaluateBatch(engine: TrialEngine, job: OptimizationJob, batch: TrialBatch): TrialResult[] {
	const p = preparedJob(job);
	const { space } = p;
	const out: TrialResult[] = [];
	const check = (i: number) => {
		if (!Number.isInteger(i) || i < 0 || i >= space.size) throw new RangeError(`trial index ${i} is outside the search space [0, ${space.size})`);
	};
	if (batch.kind === 'range') {
		if (batch.to > batch.from) {
			check(batch.from);
			check(batch.to - 1);
		}
		for (let i = batch.from; i < batch.to; i++) if (space.isValid(i)) out.push(evaluateIndex(engine, p, i));
	} else {
		for (const i of batch.indices) {
			check(i);
			if (space.isValid(i)) out.push(evaluateIndex(engine, p, i));
		}
	}
	return out;
}

/**
 * The configuration that reproduces a trial as a full backtest: `engine.run(trialConfig(job, index))` gives the
 * same numbers as the trial (same candles).
 * @param job - the optimisation job.
 * @param index - the trial's combination index.
 * @returns a complete BacktestConfig (every strategy parameter set).
 * @throws ValidationError when the combination fails a constraint.
 */
export function trialConfig(job: OptimizationJob, index: number): BacktestConfig {
	const { space } = preparedJob(job);
	if (!space.isValid(index)) {
		throw new ValidationError(`combination ${index} (${JSON.stringify(space.paramsAt(index))}) fails the ${space.strategy} constraints.`);
	}
	return { ...job.config, params: space.paramsAt(index) };
}
