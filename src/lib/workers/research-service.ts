/**
 * What a backtest worker does for research jobs whose rows take the portfolio-of-one path (risk axes such as
 * stop-loss / take-profit / sizing value, leverage, circuit breakers; see src/lib/research/spec.ts `rowPath`):
 * evaluate a range of a {@link PortfolioOptimizationJob}'s trials on one market, on the worker's own portfolio core
 * instance (not the one `runPortfolio` uses, so neither reloads the other's markets). Plain TypeScript, testable in
 * Node with the WASM core.
 */
import type { OhlcvColumns } from '../core/types';
import type { TrialBatch } from '../optimize/evaluate';
import { evaluatePortfolioBatch, preparePortfolioJob, type PortfolioOptimizationJob, type PortfolioTrialEngine, type PortfolioTrialResult } from '../optimize/portfolio-job';
import type { PortfolioMarket } from '../engine/types';

/** The part of WasmPortfolioEngine this service uses. */
export interface ResearchEngineLike extends PortfolioTrialEngine {
	load(markets: PortfolioMarket[]): void;
}

/** One batch of a portfolio-of-one row. */
export interface PortfolioBatchRequest {
	/** Identity of the candles (the research slice id): the market is loaded into the core only when it changes. */
	dataId: string;
	symbol: string;
	ohlcv: OhlcvColumns;
	job: PortfolioOptimizationJob;
	/** A range of raw combination indices (portfolio jobs are searched by ranges). */
	batch: TrialBatch;
}

/** Research part of the worker API. */
export interface ResearchWorkerApi {
	/**
	 * Evaluate the trials of `request.batch` on `request.ohlcv`.
	 * @returns one result per valid combination, in index order.
	 * @throws Error for an `indices` batch (portfolio rows are searched by ranges) or an invalid job (ValidationError).
	 */
	evaluatePortfolioBatch(request: PortfolioBatchRequest): Promise<PortfolioTrialResult[]>;
}

/**
 * Create the research part of the worker API.
 * @param getEngine - creates the service's own portfolio engine (called once; again only after a failure).
 */
export function createResearchService(getEngine: () => Promise<ResearchEngineLike>): ResearchWorkerApi {
	let enginePromise: Promise<ResearchEngineLike> | null = null;
	let loaded: string | null = null;
	const engineOnce = () =>
		(enginePromise ??= getEngine().catch((e: unknown) => {
			enginePromise = null;
			throw e;
		}));
	return {
		async evaluatePortfolioBatch(request) {
			if (request.batch.kind !== 'range') throw new Error('A portfolio-of-one research row is evaluated in index ranges, not index lists.');
			const engine = await engineOnce();
			if (loaded !== request.dataId) {
				loaded = null;
				engine.load([{ symbol: request.symbol, ohlcv: request.ohlcv }]);
				loaded = request.dataId;
			}
			const p = preparePortfolioJob(request.job, 1);
			return evaluatePortfolioBatch(engine, p, request.batch.from, request.batch.to);
		}
	};
}
