/**
 * In-process evaluator of research rows: one single-market engine and one portfolio engine, each holding one data
 * slice at a time (reloaded when the slice changes). Node tests, the CLI with --threads 1 and the bench use it; the
 * app implements {@link ResearchEvaluator} with its worker pool, calling the same batch functions in the workers.
 */
import type { OhlcvColumns } from '../core/types';
import type { PortfolioMarket } from '../engine/types';
import { evaluateBatch, type TrialBatch, type TrialEngine, type TrialResult } from '../optimize/evaluate';
import { evaluatePortfolioBatch, preparePortfolioJob, type PortfolioOptimizationJob, type PortfolioTrialEngine, type PreparedPortfolioJob } from '../optimize/portfolio-job';
import type { ResearchDataSlice, ResearchEvaluator, RowJob } from './types';

/** A single-market engine that can hold candles (WasmEngine). */
export interface LoadableTrialEngine extends TrialEngine {
	load(ohlcv: OhlcvColumns): void;
}
/** A portfolio engine that can hold markets (WasmPortfolioEngine). */
export interface LoadablePortfolioEngine extends PortfolioTrialEngine {
	load(markets: PortfolioMarket[]): void;
}

const preparedPortfolio = new WeakMap<PortfolioOptimizationJob, PreparedPortfolioJob>();

/**
 * Evaluate a batch of a row job on engines that already hold the slice's candles (the worker-side entry point).
 * Portfolio index lists are evaluated one index at a time.
 * @returns one result per valid combination, in batch order.
 */
export function evaluateRowBatch(single: TrialEngine | null, portfolio: PortfolioTrialEngine | null, job: RowJob, batch: TrialBatch): TrialResult[] {
	if (job.path === 'single') {
		if (!single) throw new Error('no single-market engine to evaluate this row');
		return evaluateBatch(single, job.job, batch);
	}
	if (!portfolio) throw new Error('no portfolio engine to evaluate this row');
	let p = preparedPortfolio.get(job.job);
	if (!p) {
		p = preparePortfolioJob(job.job, 1);
		preparedPortfolio.set(job.job, p);
	}
	if (batch.kind === 'range') return evaluatePortfolioBatch(portfolio, p, batch.from, batch.to);
	const out: TrialResult[] = [];
	for (const i of batch.indices) out.push(...evaluatePortfolioBatch(portfolio, p, i, i + 1));
	return out;
}

/**
 * An evaluator running every batch in this thread (batches run one after the other even when the runner has several
 * in flight: each call is synchronous once the engines exist).
 * @param engines - factories of the two engines (created on first use), e.g. `createNodeEngine` and
 *   `createNodePortfolioEngine` in Node.
 */
export function createInProcessEvaluator(engines: {
	single: () => Promise<LoadableTrialEngine>;
	portfolio: () => Promise<LoadablePortfolioEngine>;
}): ResearchEvaluator {
	// Engines are created once (the promise is shared, so concurrent first batches do not create two).
	let single: Promise<LoadableTrialEngine> | null = null;
	let portfolio: Promise<LoadablePortfolioEngine> | null = null;
	let singleData = '';
	let portfolioData = '';
	return {
		async evaluate(data: ResearchDataSlice, job: RowJob, batch: TrialBatch): Promise<TrialResult[]> {
			if (job.path === 'single') {
				const engine = await (single ??= engines.single());
				if (singleData !== data.id) {
					engine.load(data.ohlcv);
					singleData = data.id;
				}
				return evaluateRowBatch(engine, null, job, batch);
			}
			const engine = await (portfolio ??= engines.portfolio());
			if (portfolioData !== data.id) {
				engine.load([{ symbol: data.symbol, ohlcv: data.ohlcv }]);
				portfolioData = data.id;
			}
			return evaluateRowBatch(null, engine, job, batch);
		},
		release(dataId: string) {
			if (singleData === dataId) singleData = '';
			if (portfolioData === dataId) portfolioData = '';
		}
	};
}
