/**
 * Display metadata of every statistic, in table order: label, unit, one-line formula (shown on hover in the
 * app's statistics table and by the CLI) and whether higher is better.
 */
import type { MetricInfo, MetricKey } from './types';

/** One entry per {@link MetricKey}, in display order. */
export const METRIC_INFO: readonly MetricInfo[] = Object.freeze([
	{ key: 'startTime', label: 'Start', unit: 'time', formula: 'open time of the first bar (UTC)', higherIsBetter: null },
	{ key: 'endTime', label: 'End', unit: 'time', formula: 'close time of the last bar = last open time + bar length (UTC)', higherIsBetter: null },
	{ key: 'spanMs', label: 'Duration', unit: 'ms', formula: 'end - start', higherIsBetter: null },
	{ key: 'nBars', label: 'Bars', unit: 'count', formula: 'number of bars', higherIsBetter: null },
	{ key: 'initialCash', label: 'Initial equity', unit: 'quote', formula: 'starting cash', higherIsBetter: null },
	{ key: 'finalEquity', label: 'Final equity', unit: 'quote', formula: 'equity after the last bar (open position closed at the last close)', higherIsBetter: true },
	{ key: 'totalReturnAmount', label: 'Net profit', unit: 'quote', formula: 'final equity - initial cash', higherIsBetter: true },
	{ key: 'totalReturnRatio', label: 'Total return', unit: 'ratio', formula: 'final equity / initial cash - 1', higherIsBetter: true },
	{ key: 'buyHoldReturnRatio', label: 'Buy & hold return', unit: 'ratio', formula: 'last close / first close - 1 (no fees)', higherIsBetter: null },
	{ key: 'cagr', label: 'CAGR', unit: 'ratio', formula: '(final equity / initial cash)^(1 / years) - 1, years = (end - start) / 365 days', higherIsBetter: true },
	{ key: 'annualReturnRatio', label: 'Annual return (arithmetic)', unit: 'ratio', formula: 'mean(daily return) × 365', higherIsBetter: true },
	{ key: 'annualVolatilityRatio', label: 'Annual volatility', unit: 'ratio', formula: 'std(daily return, n-1) × √365', higherIsBetter: false },
	{ key: 'sharpeRatio', label: 'Sharpe ratio', unit: 'number', formula: 'mean(daily return) / std(daily return, n-1) × √365, risk-free 0; daily = equity at the last bar of each UTC day', higherIsBetter: true },
	{ key: 'sortinoRatio', label: 'Sortino ratio', unit: 'number', formula: 'mean(daily return) / √mean(min(daily return, 0)²) × √365, target 0', higherIsBetter: true },
	{ key: 'sharpeRatioPerBar', label: 'Sharpe ratio (per bar)', unit: 'number', formula: 'mean(bar return) / std(bar return, n-1) × √(bars per 365 days)', higherIsBetter: true },
	{ key: 'sortinoRatioPerBar', label: 'Sortino ratio (per bar)', unit: 'number', formula: 'mean(bar return) / √mean(min(bar return, 0)²) × √(bars per 365 days)', higherIsBetter: true },
	{ key: 'calmarRatio', label: 'Calmar ratio', unit: 'number', formula: 'CAGR / max drawdown over the last 36 months (the whole run if shorter)', higherIsBetter: true },
	{ key: 'marRatio', label: 'MAR ratio', unit: 'number', formula: 'CAGR / max drawdown over the whole run', higherIsBetter: true },
	{ key: 'maxDrawdownRatio', label: 'Max drawdown', unit: 'ratio', formula: 'max over bars of 1 - equity / running peak (initial cash is the first peak), close-marked', higherIsBetter: false },
	{ key: 'maxDrawdownAmount', label: 'Max drawdown (amount)', unit: 'quote', formula: 'max over bars of running peak - equity', higherIsBetter: false },
	{ key: 'maxDrawdownDurationMs', label: 'Max drawdown duration', unit: 'ms', formula: 'longest time from a peak to the recovery to it (or to the end if not recovered)', higherIsBetter: false },
	{ key: 'maxDrawdownDurationBars', label: 'Max drawdown duration (bars)', unit: 'bars', formula: 'longest number of bars from a peak to the recovery to it (or to the last bar)', higherIsBetter: false },
	{ key: 'averageDrawdownRatio', label: 'Average drawdown', unit: 'ratio', formula: 'mean of the deepest drawdown of each peak-to-recovery episode', higherIsBetter: false },
	{ key: 'recoveryFactor', label: 'Recovery factor', unit: 'number', formula: 'net profit / max drawdown amount', higherIsBetter: true },
	{ key: 'nTrades', label: 'Trades', unit: 'count', formula: 'closed round trips (end-of-data close-out included; a reversal is two trades)', higherIsBetter: null },
	{ key: 'nWins', label: 'Winning trades', unit: 'count', formula: 'trades with pnl > 0', higherIsBetter: null },
	{ key: 'nLosses', label: 'Losing trades', unit: 'count', formula: 'trades with pnl < 0', higherIsBetter: null },
	{ key: 'winRate', label: 'Win rate', unit: 'ratio', formula: 'winning trades / trades', higherIsBetter: true },
	{ key: 'bestTradeRatio', label: 'Best trade', unit: 'ratio', formula: 'max(trade pnl / entry notional)', higherIsBetter: true },
	{ key: 'worstTradeRatio', label: 'Worst trade', unit: 'ratio', formula: 'min(trade pnl / entry notional)', higherIsBetter: true },
	{ key: 'averageTradeRatio', label: 'Average trade', unit: 'ratio', formula: 'mean(trade pnl / entry notional)', higherIsBetter: true },
	{ key: 'bestTradeAmount', label: 'Best trade (amount)', unit: 'quote', formula: 'max(trade pnl)', higherIsBetter: true },
	{ key: 'worstTradeAmount', label: 'Worst trade (amount)', unit: 'quote', formula: 'min(trade pnl)', higherIsBetter: true },
	{ key: 'averageTradeAmount', label: 'Average trade (amount)', unit: 'quote', formula: 'mean(trade pnl)', higherIsBetter: true },
	{ key: 'averageWinAmount', label: 'Average win', unit: 'quote', formula: 'mean(pnl of winning trades)', higherIsBetter: true },
	{ key: 'averageLossAmount', label: 'Average loss', unit: 'quote', formula: 'mean(pnl of losing trades), negative', higherIsBetter: true },
	{ key: 'winLossRatio', label: 'Win/loss ratio', unit: 'number', formula: 'average win / |average loss|', higherIsBetter: true },
	{ key: 'grossProfitAmount', label: 'Gross profit', unit: 'quote', formula: 'sum of pnl of winning trades', higherIsBetter: true },
	{ key: 'grossLossAmount', label: 'Gross loss', unit: 'quote', formula: 'sum of pnl of losing trades, negative', higherIsBetter: true },
	{ key: 'profitFactor', label: 'Profit factor', unit: 'number', formula: 'gross profit / |gross loss|', higherIsBetter: true },
	{ key: 'expectancy', label: 'Expectancy', unit: 'quote', formula: 'mean pnl per trade = win rate × average win + loss rate × average loss', higherIsBetter: true },
	{ key: 'expectancyRatio', label: 'Expectancy (return)', unit: 'ratio', formula: 'mean(trade pnl / entry notional)', higherIsBetter: true },
	{ key: 'sqn', label: 'SQN', unit: 'number', formula: '√trades × mean(trade return) / std(trade return, n-1)', higherIsBetter: true },
	{ key: 'kellyCriterion', label: 'Kelly criterion', unit: 'ratio', formula: 'win rate - (1 - win rate) / win/loss ratio', higherIsBetter: true },
	{ key: 'maxConsecutiveWins', label: 'Max consecutive wins', unit: 'count', formula: 'longest run of trades with pnl > 0', higherIsBetter: true },
	{ key: 'maxConsecutiveLosses', label: 'Max consecutive losses', unit: 'count', formula: 'longest run of trades with pnl < 0', higherIsBetter: false },
	{ key: 'exposureRatio', label: 'Exposure', unit: 'ratio', formula: 'bars with a position at any time in the bar (entry bar to exit bar inclusive) / bars', higherIsBetter: null },
	{ key: 'averageTradeDurationMs', label: 'Average trade duration', unit: 'ms', formula: 'mean(exit bar open time - entry bar open time)', higherIsBetter: null },
	{ key: 'averageTradeDurationBars', label: 'Average trade duration (bars)', unit: 'bars', formula: 'mean(exit bar - entry bar)', higherIsBetter: null },
	{ key: 'totalFees', label: 'Fees paid', unit: 'quote', formula: 'sum of entry and exit fees', higherIsBetter: false },
	{ key: 'ambiguousBars', label: 'Ambiguous SL/TP bars', unit: 'count', formula: 'bars where stop-loss and take-profit were both inside the range (stop-loss assumed first)', higherIsBetter: false }
] satisfies MetricInfo[]);

const BY_KEY: ReadonlyMap<MetricKey, MetricInfo> = new Map(METRIC_INFO.map((m) => [m.key, m]));

/**
 * Metadata of one statistic.
 * @param key - metric name, e.g. `'sharpeRatio'`.
 * @returns its {@link MetricInfo}, or undefined for an unknown key.
 */
export function metricInfo(key: string): MetricInfo | undefined {
	return BY_KEY.get(key as MetricKey);
}
