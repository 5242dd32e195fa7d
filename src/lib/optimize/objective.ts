/**
 * What an optimisation maximises: any statistic of a trial, or the composite score, with a minimum-trades filter.
 *
 * A trial's statistics are the WASM core's summary ({@link CoreSummary}) plus three span-based figures computed here
 * from the data span (CAGR, MAR/Calmar) and the composite score, so any of them can rank trials or fill a heatmap.
 */
import type { CoreSummary } from '../engine/wasm-engine';
import { ValidationError } from '../core/errors';
import { CALMAR_WINDOW_MS, compoundAnnualGrowth, marRatio, metricInfo } from '../metrics';

/** Statistics of one trial: the core summary plus span-based figures and the composite score. */
export interface TrialStats extends CoreSummary {
	/** `(finalEquity / initialCash)^(1 / years) - 1`, years = data span / 365 days (see metrics `cagr`). */
	cagr: number;
	/** CAGR / maxDrawdownRatio over the whole run (metrics `marRatio`). */
	marRatio: number;
	/**
	 * Calmar ratio: equal to metrics `calmarRatio` for data spans up to 36 months (where Calmar = MAR). For longer
	 * spans the fast path has no equity curve to cut the 36-month window from, so this is the full-history MAR ratio.
	 */
	calmarRatio: number;
	/** Composite score in [0, 1], see {@link compositeScore}. */
	score: number;
}

/** Name of a trial statistic that can be optimised or mapped. */
export type StatisticKey = keyof TrialStats;

/** Every {@link StatisticKey}, in a stable order (table columns, CLI checks). */
export const STATISTIC_KEYS: readonly StatisticKey[] = Object.freeze([
	'score', 'finalEquity', 'totalReturnRatio', 'cagr', 'sharpeRatio', 'sortinoRatio', 'calmarRatio', 'marRatio',
	'maxDrawdownRatio', 'maxDrawdownAmount', 'profitFactor', 'winRate', 'nTrades', 'nWins', 'nLosses', 'sqn',
	'totalFees', 'grossProfit', 'grossLoss', 'exposureRatio', 'ambiguousBars'
] satisfies StatisticKey[]);

/** How trials are ranked. */
export interface ObjectiveSpec {
	/** Statistic to optimise (`score` = the composite score). */
	key: StatisticKey;
	/** `max` or `min`; default: `min` for statistics where lower is better (drawdown, fees), else `max`. */
	direction?: 'max' | 'min';
	/** Trials with fewer closed trades are not ranked (default 1: a run without trades is never "best"). */
	minTrades?: number;
}

/** Weights of the composite score (sum 1). */
export const COMPOSITE_WEIGHTS = Object.freeze({ winRate: 0.35, totalReturnRatio: 0.3, sharpeRatio: 0.2, profitFactor: 0.15 });

/** `0.5 + 0.5 * x / (1 + |x|)`: maps (-inf, inf) onto (0, 1) monotonically, 0 -> 0.5. */
function squash(x: number): number {
	return 0.5 + (0.5 * x) / (1 + Math.abs(x));
}

/**
 * Composite score of a trial, in [0, 1] (higher is better):
 * `0.35·W + 0.30·R + 0.20·S + 0.15·P`, each part normalised to [0, 1] by a fixed transform — not by the min and
 * max of the trials seen so far, so a trial's score never depends on which other trials ran (streaming, resume and
 * walk-forward windows stay comparable):
 * - W = win rate (already 0..1).
 * - R = `0.5 + 0.5·r/(1+|r|)` with r = totalReturnRatio: 0 % -> 0.5, +100 % -> 0.75, -50 % -> 0.33, ruin -> 0.25.
 * - S = `0.5 + 0.5·(s/2)/(1+|s/2|)` with s = daily Sharpe ratio: 0 -> 0.5, 2 -> 0.75, -2 -> 0.25.
 * - P = `pf/(1+pf)` with pf = profit factor: 1 (break-even) -> 0.5, 3 -> 0.75, no losing trade (Infinity) -> 1.
 * An undefined part (NaN: no trades, flat equity) counts 0.
 * @param s - win rate, total return, Sharpe ratio and profit factor of the trial.
 * @returns the score in [0, 1].
 */
export function compositeScore(s: Pick<CoreSummary, 'winRate' | 'totalReturnRatio' | 'sharpeRatio' | 'profitFactor'>): number {
	const w = Number.isNaN(s.winRate) ? 0 : s.winRate;
	const r = Number.isNaN(s.totalReturnRatio) ? 0 : squash(s.totalReturnRatio);
	const sh = Number.isNaN(s.sharpeRatio) ? 0 : squash(s.sharpeRatio / 2);
	const pf = Number.isNaN(s.profitFactor) ? 0 : s.profitFactor === Infinity ? 1 : s.profitFactor / (1 + s.profitFactor);
	return COMPOSITE_WEIGHTS.winRate * w + COMPOSITE_WEIGHTS.totalReturnRatio * r + COMPOSITE_WEIGHTS.sharpeRatio * sh + COMPOSITE_WEIGHTS.profitFactor * pf;
}

/**
 * Add the span-based statistics and the composite score to a core summary.
 * @param summary - the core summary of one run.
 * @param initialCash - starting equity (quote, > 0).
 * @param spanMs - data span: first bar's open to last bar's close (ms), see {@link dataSpanMs}.
 * @returns the trial statistics (a new object).
 */
export function trialStats(summary: CoreSummary, initialCash: number, spanMs: number): TrialStats {
	const cagr = compoundAnnualGrowth(initialCash, summary.finalEquity, spanMs);
	const mar = marRatio(cagr, summary.maxDrawdownRatio);
	return { ...summary, cagr, marRatio: mar, calmarRatio: mar, score: compositeScore(summary) };
}

/**
 * Span of a dataset as the metrics module measures it: first open time to last open time + one bar (ms).
 * @param openTime - bar open times (ms UTC), length >= 1.
 * @param intervalMs - bar length (ms).
 */
export function dataSpanMs(openTime: ArrayLike<number>, intervalMs: number): number {
	return openTime[openTime.length - 1] + intervalMs - openTime[0];
}

/** Whether the Calmar ratio of {@link TrialStats} equals metrics `calmarRatio` for a span (it does up to 36 months). */
export function calmarIsExact(spanMs: number): boolean {
	return spanMs <= CALMAR_WINDOW_MS;
}

/** A validated objective with its direction resolved. */
export interface ResolvedObjective {
	key: StatisticKey;
	direction: 'max' | 'min';
	minTrades: number;
}

/**
 * Validate an objective and fill its defaults.
 * @throws ValidationError for an unknown statistic (listing the known ones), a bad direction, or minTrades that is
 *   not a whole number >= 0.
 */
export function resolveObjective(spec: ObjectiveSpec): ResolvedObjective {
	if (!STATISTIC_KEYS.includes(spec?.key)) {
		throw new ValidationError(`unknown objective "${spec?.key}": use one of ${STATISTIC_KEYS.join(', ')}.`);
	}
	if (spec.direction !== undefined && spec.direction !== 'max' && spec.direction !== 'min') {
		throw new ValidationError(`objective direction must be max or min, got ${JSON.stringify(spec.direction)}.`);
	}
	const minTrades = spec.minTrades ?? 1;
	if (!Number.isInteger(minTrades) || minTrades < 0) throw new ValidationError(`minTrades must be a whole number >= 0, got ${minTrades}.`);
	const info = metricInfo(spec.key);
	const lowerIsBetter = info?.higherIsBetter === false;
	return { key: spec.key, direction: spec.direction ?? (lowerIsBetter ? 'min' : 'max'), minTrades };
}

/**
 * Ranking value of a trial: the objective statistic, negated when minimising; NaN when the trial is not ranked
 * (fewer than `minTrades` trades, or a statistic that is NaN or infinite — e.g. the profit factor without a losing
 * trade — since an infinite value cannot be averaged in the aggregates).
 * @returns a finite number where higher is better, or NaN.
 */
export function rankValue(stats: TrialStats, objective: ResolvedObjective): number {
	if (stats.nTrades < objective.minTrades) return NaN;
	const v = stats[objective.key];
	if (!Number.isFinite(v)) return NaN;
	return objective.direction === 'min' ? -v : v;
}
