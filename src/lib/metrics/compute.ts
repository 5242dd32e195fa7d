/**
 * `computeMetrics`: every statistic of one backtest run, from bars, equity and trades.
 */
import { ValidationError } from '../core/errors';
import type { Metrics, MetricsInput } from './types';
import {
	annualisedMeanReturn,
	annualisedSharpe,
	annualisedSortino,
	annualisedVolatility,
	barReturns,
	buyHoldReturnRatio,
	cagr,
	dailyReturns,
	periodsPerYear,
	returnPeriodMs,
	totalReturnAmount,
	totalReturnRatio
} from './returns';
import {
	averageDrawdownRatio,
	calmarRatio,
	drawdownEpisodes,
	marRatio,
	maxDrawdownAmount,
	maxDrawdownRatio
} from './drawdown';
import { ratioOrInfinity } from './stats';
import * as T from './trades';

/**
 * Check that `input` can be measured; every problem names the field and how to fix it.
 * @param input - see {@link MetricsInput}.
 * @throws ValidationError if there are no bars; `openTime`, `close` and `equity` differ in length; `initialCash`
 * or `intervalMs` is not a positive finite number; `openTime` is not strictly ascending; or a trade's bars are
 * outside `[0, bars)` or reversed.
 */
export function validateMetricsInput(input: MetricsInput): void {
	const { openTime, close, equity, trades, initialCash, intervalMs } = input;
	const n = openTime.length;
	if (n === 0) throw new ValidationError('No bars: metrics need at least one bar (openTime, close and equity are empty).');
	if (close.length !== n || equity.length !== n) {
		throw new ValidationError(
			`Length mismatch: openTime has ${n} bars, close ${close.length}, equity ${equity.length}; pass one value per bar in each.`
		);
	}
	if (!(initialCash > 0) || !Number.isFinite(initialCash)) {
		throw new ValidationError(`initialCash must be a positive amount of quote currency, got ${initialCash}.`);
	}
	if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
		throw new ValidationError(`intervalMs must be the bar length in ms (e.g. 3600000 for 1h), got ${intervalMs}.`);
	}
	for (let i = 1; i < n; i++) {
		if (!(openTime[i] > openTime[i - 1])) {
			throw new ValidationError(`openTime must be strictly ascending: bar ${i} (${openTime[i]}) is not after bar ${i - 1} (${openTime[i - 1]}).`);
		}
	}
	trades.forEach((t, i) => {
		if (!(t.entryBar >= 0 && t.exitBar < n && t.entryBar <= t.exitBar)) {
			throw new ValidationError(
				`Trade ${i} has entryBar ${t.entryBar} and exitBar ${t.exitBar}: both must be bar indices in [0, ${n - 1}] with entryBar <= exitBar. Were the trades produced on these bars?`
			);
		}
	});
}

/**
 * Compute every statistic of a run (see each field's function for formula, units and conventions).
 * Never throws on edge cases (no trades, flat equity, runs shorter than a day, equity at 0): undefined values are NaN.
 * @param input - bars, equity and trades of one run (see {@link MetricsInput}).
 * @returns all metrics.
 * @throws ValidationError if the input is malformed (see {@link validateMetricsInput}).
 */
export function computeMetrics(input: MetricsInput): Metrics {
	validateMetricsInput(input);
	const { openTime, close, equity, trades, initialCash, intervalMs } = input;
	const n = equity.length;

	const daily = dailyReturns(openTime, equity, intervalMs);
	const perYear = periodsPerYear(returnPeriodMs(intervalMs));
	const bars = barReturns(equity);
	const barsPerYear = periodsPerYear(intervalMs);

	const growth = cagr(openTime, equity, initialCash, intervalMs);
	const maxDd = maxDrawdownRatio(equity, initialCash);
	const ddAmount = maxDrawdownAmount(equity, initialCash);
	let ddMs = 0;
	let ddBars = 0;
	for (const ep of drawdownEpisodes(openTime, equity, initialCash, intervalMs)) {
		if (ep.durationMs > ddMs) ddMs = ep.durationMs;
		if (ep.durationBars > ddBars) ddBars = ep.durationBars;
	}
	const startTime = openTime[0];
	const endTime = openTime[n - 1] + intervalMs;
	const net = totalReturnAmount(equity, initialCash);

	return {
		startTime,
		endTime,
		spanMs: endTime - startTime,
		nBars: n,
		initialCash,
		finalEquity: equity[n - 1],
		totalReturnAmount: net,
		totalReturnRatio: totalReturnRatio(equity, initialCash),
		buyHoldReturnRatio: buyHoldReturnRatio(close),
		cagr: growth,
		annualReturnRatio: annualisedMeanReturn(daily, perYear),
		annualVolatilityRatio: annualisedVolatility(daily, perYear),
		sharpeRatio: annualisedSharpe(daily, perYear),
		sortinoRatio: annualisedSortino(daily, perYear),
		sharpeRatioPerBar: annualisedSharpe(bars, barsPerYear),
		sortinoRatioPerBar: annualisedSortino(bars, barsPerYear),
		calmarRatio: calmarRatio(openTime, equity, initialCash, intervalMs),
		marRatio: marRatio(growth, maxDd),
		maxDrawdownRatio: maxDd,
		maxDrawdownAmount: ddAmount,
		maxDrawdownDurationMs: ddMs,
		maxDrawdownDurationBars: ddBars,
		averageDrawdownRatio: averageDrawdownRatio(equity, initialCash),
		recoveryFactor: ratioOrInfinity(net, ddAmount),
		nTrades: T.nTrades(trades),
		nWins: T.nWins(trades),
		nLosses: T.nLosses(trades),
		winRate: T.winRate(trades),
		bestTradeRatio: T.bestTradeRatio(trades),
		worstTradeRatio: T.worstTradeRatio(trades),
		averageTradeRatio: T.averageTradeRatio(trades),
		bestTradeAmount: T.bestTradeAmount(trades),
		worstTradeAmount: T.worstTradeAmount(trades),
		averageTradeAmount: T.averageTradeAmount(trades),
		averageWinAmount: T.averageWinAmount(trades),
		averageLossAmount: T.averageLossAmount(trades),
		winLossRatio: T.winLossRatio(trades),
		grossProfitAmount: T.grossProfitAmount(trades),
		grossLossAmount: T.grossLossAmount(trades),
		profitFactor: T.profitFactor(trades),
		expectancy: T.expectancy(trades),
		expectancyRatio: T.expectancyRatio(trades),
		sqn: T.sqn(trades),
		kellyCriterion: T.kellyCriterion(trades),
		maxConsecutiveWins: T.maxConsecutiveWins(trades),
		maxConsecutiveLosses: T.maxConsecutiveLosses(trades),
		exposureRatio: T.exposureRatio(trades, n),
		averageTradeDurationMs: T.averageTradeDurationMs(trades),
		averageTradeDurationBars: T.averageTradeDurationBars(trades),
		totalFees: T.totalFees(trades),
		ambiguousBars: input.ambiguousBars
	};
}
