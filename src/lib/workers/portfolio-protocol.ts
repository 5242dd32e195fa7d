/**
 * Message shapes of a portfolio run between the page and a backtest worker (the worker exposes
 * {@link PortfolioWorkerApi} beside the single-market API). Plain TypeScript: no DOM.
 */
import type { PortfolioRunFingerprint } from '../engine/fingerprint';
import type { BreakerEvent, MarketAttribution, PortfolioConfig, PortfolioMarket, PortfolioTrade } from '../engine/types';
import type { CoreSummaryLike, TestFault } from './protocol';

/** One portfolio run. The markets' candle buffers are transferred to the worker (the caller's copies are detached). */
export interface PortfolioRunRequest {
	/** Markets in priority order (their own bars; the engine aligns them on the union of open times). */
	markets: PortfolioMarket[];
	config: PortfolioConfig;
	/** Interval of every market, e.g. `1h` (recorded in the fingerprint). */
	interval: string;
	/** Bar length in ms (annualised metrics). */
	intervalMs: number;
	/**
	 * Per market (same order), an id that changes whenever its candles change (the app's dataset id): the worker
	 * then hashes each market's candles once and reuses the hash on later runs of the same candles.
	 */
	datasetIds?: string[];
	/** Test hook only; never set by normal UI paths. */
	fault?: TestFault;
}

/** What a portfolio run sends back. Typed arrays are transferred, not copied. */
export interface PortfolioRunResponse {
	symbols: string[];
	/** Union of the markets' open times, ms UTC, Float64Array, length T. */
	openTime: Float64Array;
	/** Portfolio equity at each union bar's close, quote currency, length T. */
	equity: Float64Array;
	/** Positions open after each bar's fills and level exits, length T. */
	openPositions: Float64Array;
	/**
	 * Equal-weight buy-and-hold index of the basket, length T: the mean over markets of
	 * `lastClose_m(u) / firstClose_m` (1 before a market's first bar). `basket[T-1] - 1` is the buy-and-hold return.
	 */
	basket: Float64Array;
	trades: PortfolioTrade[];
	events: BreakerEvent[];
	attribution: MarketAttribution[];
	ambiguousBars: number;
	/** Trades closed by liquidation. */
	liquidations: number;
	/** Entries whose quantity or stop-loss / take-profit price the exchange rules changed (0 without exchange rules). */
	ordersAdjusted: number;
	/** Entries skipped because their notional was under the market's minimum or the quantity floored to 0. */
	ordersSkipped: number;
	/** Full statistics of the portfolio equity and the combined trade list (src/lib/metrics); ratios are fractions. */
	metrics: Record<string, number>;
	/** Summary the WASM core computed. */
	summary: CoreSummaryLike;
	/** Wall time of the simulation inside the worker, ms (informative). */
	elapsedMs: number;
	fingerprint: PortfolioRunFingerprint;
}

/** The portfolio part of a backtest worker's API. */
export interface PortfolioWorkerApi {
	/**
	 * Run one portfolio: load the markets into the worker's portfolio core, run, compute statistics and the fingerprint.
	 * @throws Error (message for people) when the markets or the configuration are invalid.
	 */
	runPortfolio(request: PortfolioRunRequest): Promise<PortfolioRunResponse>;
}
