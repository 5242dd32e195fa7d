/**
 * Input and output types of the statistics module.
 *
 * Conventions used by every metric (details in each function's TSDoc):
 * - Ratios are fractions (0.12 = 12 %); amounts are in the quote currency (e.g. USDT).
 * - Times are Unix epoch milliseconds UTC; a bar is labelled by its open time and its equity value is
 *   marked at its close (`openTime[t] + intervalMs`).
 * - Annualisation uses 365-day years (crypto trades every day).
 * - Undefined values are `NaN` (never thrown): e.g. a Sharpe ratio of a flat curve, a win rate with no trades.
 *   `Infinity` means "a positive amount over zero" (e.g. profit factor with no losing trade).
 */
import type { UnixMs } from '../core/types';
import type { Trade } from '../engine/types';

/** Everything the statistics are computed from: one backtest run on its candles. */
export interface MetricsInput {
	/** Bar open times, ms UTC, strictly ascending; length = bars (N >= 1). */
	openTime: Float64Array;
	/** Bar close prices (quote currency); length = bars. Used for buy-and-hold only. */
	close: Float64Array;
	/** Equity marked at each bar's close (quote currency); length = bars; the last value is after the end-of-data close-out. */
	equity: Float64Array;
	/** Closed round trips in the order they were closed. */
	trades: readonly Trade[];
	/** Starting equity (quote currency, > 0). Counts as the first equity peak (at the first bar's open). */
	initialCash: number;
	/** Bar length in ms (e.g. 3,600,000 for 1h). */
	intervalMs: number;
	/** Bars on which stop-loss and take-profit were both inside the bar's range (from the simulation). */
	ambiguousBars: number;
}

/** Every statistic of a run. Each field is documented by the function of the same name in `src/lib/metrics`. */
export interface Metrics {
	/** Open time of the first bar (ms UTC). */
	startTime: UnixMs;
	/** Close time of the last bar = last open time + intervalMs (ms UTC). */
	endTime: UnixMs;
	/** `endTime - startTime` (ms). */
	spanMs: number;
	nBars: number;
	initialCash: number;
	finalEquity: number;
	totalReturnAmount: number;
	totalReturnRatio: number;
	buyHoldReturnRatio: number;
	cagr: number;
	annualReturnRatio: number;
	annualVolatilityRatio: number;
	sharpeRatio: number;
	sortinoRatio: number;
	sharpeRatioPerBar: number;
	sortinoRatioPerBar: number;
	calmarRatio: number;
	marRatio: number;
	maxDrawdownRatio: number;
	maxDrawdownAmount: number;
	maxDrawdownDurationMs: number;
	maxDrawdownDurationBars: number;
	averageDrawdownRatio: number;
	recoveryFactor: number;
	nTrades: number;
	nWins: number;
	nLosses: number;
	winRate: number;
	bestTradeRatio: number;
	worstTradeRatio: number;
	averageTradeRatio: number;
	bestTradeAmount: number;
	worstTradeAmount: number;
	averageTradeAmount: number;
	averageWinAmount: number;
	averageLossAmount: number;
	winLossRatio: number;
	grossProfitAmount: number;
	grossLossAmount: number;
	profitFactor: number;
	expectancy: number;
	expectancyRatio: number;
	sqn: number;
	kellyCriterion: number;
	maxConsecutiveWins: number;
	maxConsecutiveLosses: number;
	exposureRatio: number;
	averageTradeDurationMs: number;
	averageTradeDurationBars: number;
	totalFees: number;
	ambiguousBars: number;
}

/** Name of one statistic. */
export type MetricKey = keyof Metrics;

/**
 * Unit of a statistic, which decides how it is displayed:
 * `ratio` fraction shown as percent; `quote` quote-currency amount; `count` integer; `bars` number of bars;
 * `ms` duration in milliseconds; `number` plain dimensionless number (Sharpe, SQN, profit factor...);
 * `time` a timestamp in ms UTC.
 */
export type MetricUnit = 'ratio' | 'quote' | 'count' | 'bars' | 'ms' | 'number' | 'time';

/** Display metadata of one statistic (statistics table, CLI). */
export interface MetricInfo {
	key: MetricKey;
	/** Short human label, e.g. "Sharpe ratio (daily)". */
	label: string;
	unit: MetricUnit;
	/** One-line human-readable formula, shown on hover. */
	formula: string;
	/** `true` if a higher value is better, `false` if lower is better, `null` if neither (counts, times). */
	higherIsBetter: boolean | null;
}
