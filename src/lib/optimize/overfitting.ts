/**
 * Overfitting statistics of a finished optimisation (DSR, PBO, plateau; formulas in src/lib/analysis/overfitting.ts).
 *
 * While the search runs, the runner streams the moments of every trial's Sharpe ratio and ranking value
 * (`OptimizationState.moments`, O(1) memory) and keeps the best trials (top-K, at most a few hundred). At the end,
 * the daily returns of those best trials and the ranking values of the best trial's grid neighbours are produced
 * by re-running exactly those trials on an engine holding the candles ({@link overfittingEvidence}: a worker in the
 * app, the CLI's engine): the engine is deterministic, so these are the trials' own numbers, and memory stays
 * bounded by `trials × days` (200 × 730 days ≈ 1.2 MB) instead of growing with the search.
 * No DOM or Node imports.
 */
import { ValidationError } from '../core/errors';
import type { ExecutionEngine } from '../analysis/execution';
import { overfittingReport, type OverfittingReport } from '../analysis/overfitting';
import { dailyEquity } from '../metrics/returns';
import { evaluateIndex, preparedJob, trialConfig, type OptimizationJob, type TrialEngine, type TrialResult } from './evaluate';
import type { OptimizationState } from './runner';
import type { SearchSpace } from './space';

/** Most trials whose daily returns feed the PBO (memory bound). */
export const MAX_OVERFITTING_TRIALS = 200;

/** Engine needs: the trial fast path and full runs (WasmEngine has both). */
export type OverfittingEngine = TrialEngine & ExecutionEngine;

/**
 * Grid neighbours of a combination: every combination whose axis positions differ by at most one step on each axis
 * (the Moore neighbourhood, 3^d - 1 cells) for up to 4 axes, only ±1 step along each axis beyond that; combinations
 * that fail the strategy's constraints are left out.
 * @param space - the search space.
 * @param index - the centre combination.
 * @returns combination indices, ascending.
 */
export function neighbourIndices(space: SearchSpace, index: number): number[] {
	const centre = space.digitsAt(index);
	const d = centre.length;
	const sizes = space.axes.map((a) => a.values.length);
	const out = new Set<number>();
	const tryDigits = (digits: number[]) => {
		for (let a = 0; a < d; a++) if (digits[a] < 0 || digits[a] >= sizes[a]) return;
		const i = space.indexOf(digits);
		if (i !== index && space.isValid(i)) out.add(i);
	};
	if (d <= 4) {
		const total = 3 ** d;
		for (let c = 0; c < total; c++) {
			const digits = [...centre];
			let rest = c;
			for (let a = 0; a < d; a++) {
				digits[a] += (rest % 3) - 1;
				rest = Math.floor(rest / 3);
			}
			tryDigits(digits);
		}
	} else {
		for (let a = 0; a < d; a++) {
			for (const step of [-1, 1]) {
				const digits = [...centre];
				digits[a] += step;
				tryDigits(digits);
			}
		}
	}
	return [...out].sort((a, b) => a - b);
}

/**
 * Daily returns aligned across trials: one per UTC day after the first (see metrics `dailyEquity`), with 0 where
 * the previous day's equity is not positive (a ruined trial stays flat), so every trial on the same candles gives
 * the same length. Equals metrics `dailyReturns` whenever equity stays positive.
 */
export function alignedDailyReturns(openTime: ArrayLike<number>, equity: ArrayLike<number>, intervalMs: number): Float64Array {
	const e = dailyEquity(openTime, equity, intervalMs).equity;
	const r = new Float64Array(Math.max(0, e.length - 1));
	for (let i = 1; i < e.length; i++) r[i - 1] = e[i - 1] > 0 ? e[i] / e[i - 1] - 1 : 0;
	return r;
}

/** What to re-run for the statistics. */
export interface OverfittingRequest {
	/** Combination indices of the best trials, best first (at most {@link MAX_OVERFITTING_TRIALS}). */
	top: number[];
	/** Grid neighbours of the best trial. */
	neighbours: number[];
}

/** What the re-runs give (plain data; Float64Arrays can be transferred). */
export interface OverfittingEvidence {
	/** Daily returns of each `top` trial, same order. */
	daily: Float64Array[];
	/** Ranking value of each neighbour, same order (NaN when unranked). */
	neighbourRanks: number[];
}

/**
 * Plan the re-runs from the best trials of an outcome.
 * @param space - the search space (`outcome.aggregates.space`).
 * @param top - best trials, best first.
 * @param maxTrials - cap (default {@link MAX_OVERFITTING_TRIALS}).
 * @throws ValidationError when no trial is ranked.
 */
export function overfittingRequest(space: SearchSpace, top: readonly TrialResult[], maxTrials = MAX_OVERFITTING_TRIALS): OverfittingRequest {
	if (top.length === 0) throw new ValidationError('no ranked trial: nothing to measure overfitting on (every trial had too few trades?).');
	return { top: top.slice(0, maxTrials).map((t) => t.index), neighbours: neighbourIndices(space, top[0].index) };
}

/**
 * Re-run the requested trials on an engine holding the job's candles (the worker-side entry point).
 * @param engine - engine with the candles loaded.
 * @param job - the optimisation job.
 * @param request - see {@link overfittingRequest}.
 * @param openTime - bar open times of the loaded candles (ms UTC).
 * @param intervalMs - bar length (ms).
 */
export function overfittingEvidence(
	engine: OverfittingEngine,
	job: OptimizationJob,
	request: OverfittingRequest,
	openTime: ArrayLike<number>,
	intervalMs: number
): OverfittingEvidence {
	const p = preparedJob(job);
	const daily = request.top.map((i) => alignedDailyReturns(openTime, engine.run(trialConfig(job, i)).equity, intervalMs));
	const neighbourRanks = request.neighbours.map((i) => evaluateIndex(engine, p, i).rank);
	return { daily, neighbourRanks };
}

/**
 * The overfitting report of a finished optimisation.
 * @param state - the outcome's state (trials evaluated and the streamed moments).
 * @param top - best trials, best first (the request was made from these).
 * @param evidence - the re-runs' output.
 * @param blocks - CSCV blocks (default 16).
 * @throws ValidationError when the state has no streamed moments (an optimisation stored before they existed).
 */
export function optimizationOverfitting(state: OptimizationState, top: readonly TrialResult[], evidence: OverfittingEvidence, blocks = 16): OverfittingReport {
	if (!state.moments) throw new ValidationError('this optimisation was stored before overfitting statistics existed: run it again to get them.');
	const s = state.moments.sharpe;
	return overfittingReport({
		trials: state.evaluated,
		sharpe: { n: s.n, mean: s.mean, variance: s.n > 1 ? s.m2 / (s.n - 1) : NaN },
		periodsPerYear: 365,
		bestReturns: evidence.daily[0],
		top: evidence.daily,
		plateau: { best: top[0].rank, neighbours: evidence.neighbourRanks, meanAll: state.moments.rank.mean },
		blocks
	});
}
