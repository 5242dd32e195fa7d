/**
 * How many worker threads `npm run optimize` and `npm run research` use when --threads is not given: every core (at most 8) for a job big
 * enough to repay starting the workers, one (the main thread, no worker) below that. Starting a worker costs about
 * 60–100 ms here (a Node isolate, the bundled worker script, the WASM instance, a copy of the candles) while the main
 * thread could already be evaluating, so a second thread pays only once the job is a few hundred milliseconds of
 * single-thread work. Measured on a 2-core machine under load (`npx tsx scripts/bench-cli.ts --crossover`, medians
 * of 5 interleaved whole processes): the S1 100-combination grid (0.9 M bar-evaluations) takes 660 ms with 1 thread
 * and 710 ms with 2 (90 ms more CPU for starting the workers); the 10,000 × 17,520 grid (175 M) takes 2,160 ms with
 * 1 thread and 1,960 ms with 2 (more on an idle machine, where the second core is free). The threshold sits between,
 * at roughly half a second of single-thread work.
 */
import { createPlanner, preparedJob, type OptimizationJob, type SearchMethod } from '../lib/optimize';
import { rowTrialEstimate } from '../lib/research/spec';
import type { ResearchJobSpec } from '../lib/research/types';
import type { Timeframe } from '../lib/core/types';

/** Least estimated work (bar-evaluations: trials × bars) for which worker threads are started by default. */
export const MIN_WORK_FOR_THREADS = 60e6;

/**
 * Estimated bar-evaluations of a search: its planned number of trials (exact for grid, random and genetic, an
 * estimate for adaptive refinement) × the bars of the job.
 * @param job - the optimisation job; @param method - the search method.
 * @returns trials × bars.
 * @throws ValidationError for an invalid job or method.
 */
export function estimatedWork(job: OptimizationJob, method: SearchMethod): number {
	const planner = createPlanner(preparedJob(job).space, method);
	return planner.progress().total * job.data.bars;
}

/**
 * Threads for a job when the user gave no --threads.
 * @param work - estimated bar-evaluations ({@link estimatedWork}).
 * @param cores - usable cores (1..8).
 * @returns 1 below {@link MIN_WORK_FOR_THREADS}, else `cores`.
 */
export function autoThreads(work: number, cores: number): number {
	return work < MIN_WORK_FOR_THREADS ? 1 : Math.max(1, cores);
}

/**
 * Estimated bar-evaluations of a research job: the sum over its rows (market × timeframe × strategy) of the row's
 * planned trials × the bars of that market and timeframe, the same measure as {@link estimatedWork} (a research
 * job's rows are optimisations of one market each; the hold-out re-runs of the best trials are left out, they are a
 * few per row).
 * @param spec - a validated job definition (`createResearchJob(...).spec`).
 * @param barsOf - bars of a market and timeframe in the job's window (0 when there are none).
 * @returns Σ trials × bars.
 */
export function estimatedResearchWork(spec: ResearchJobSpec, barsOf: (symbol: string, interval: Timeframe) => number): number {
	let work = 0;
	for (const st of spec.strategies) {
		const trials = rowTrialEstimate(spec, st);
		for (const symbol of spec.markets) for (const interval of spec.timeframes) work += trials * barsOf(symbol, interval as Timeframe);
	}
	return work;
}
