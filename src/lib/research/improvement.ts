/**
 * Improvement and confidence figures of research rows: the relative improvement of an objective, the out-of-sample
 * check of a row, and the deflated-Sharpe view of its best trial.
 */
import { deflatedSharpe } from '../analysis/overfitting';
import { relativeImprovement } from '../analysis/recommendations';
import type { RunningMomentsState } from '../analysis/stats';
import type { UnixMs } from '../core/types';
import type { ResolvedObjective, TrialStats } from '../optimize/objective';
import type { OosCheck, ResearchRow, RowDeflatedSharpe } from './types';

export { relativeImprovement };

/** Days per year of the annualised Sharpe ratio in trial statistics (crypto trades every day: √365). */
export const PERIODS_PER_YEAR = 365;

/** Objective value of statistics as ranked (NaN when not ranked: too few trades or not finite). Direction NOT applied. */
export function objectiveValue(stats: TrialStats | null | undefined, objective: ResolvedObjective): number {
	if (!stats || stats.nTrades < objective.minTrades) return NaN;
	const v = stats[objective.key];
	return Number.isFinite(v) ? v : NaN;
}

/**
 * The hold-out check of a row: the best parameters against the baseline on the hold-out window.
 * Passes when the best is ranked there (at least `minTrades` trades, finite objective) and is at least as good as the
 * baseline (or the baseline is not ranked there). The figures are kept whatever the outcome.
 * @param window - the hold-out window (first and last open time, bars).
 */
export function oosCheck(
	objective: ResolvedObjective,
	window: { fromMs: UnixMs; toMs: UnixMs; bars: number },
	best: { evidence: TrialStats; holdOut: TrialStats | undefined },
	baseline: { evidence: TrialStats; holdOut: TrialStats } | null
): OosCheck {
	const eb = objectiveValue(best.evidence, objective);
	const hb = objectiveValue(best.holdOut, objective);
	const e0 = objectiveValue(baseline?.evidence, objective);
	const h0 = objectiveValue(baseline?.holdOut, objective);
	const dir = objective.direction;
	const evidenceImprovement = relativeImprovement(eb, e0, dir);
	const holdOutImprovement = relativeImprovement(hb, h0, dir);
	const f = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : 'n/a');
	let passed: boolean;
	let reason: string;
	if (!Number.isFinite(hb)) {
		passed = false;
		reason = `best parameters are not ranked on the hold-out window (${best.holdOut?.nTrades ?? 0} trade(s), at least ${objective.minTrades} needed, or ${objective.key} undefined)`;
	} else if (!Number.isFinite(h0)) {
		passed = true;
		reason = `best ${objective.key} ${f(hb)} on the hold-out window; the baseline is not ranked there`;
	} else {
		passed = dir === 'max' ? hb >= h0 : hb <= h0;
		reason = `hold-out ${objective.key}: best ${f(hb)} vs baseline ${f(h0)} (${passed ? 'held' : 'did not hold'}; in sample ${f(eb)} vs ${f(e0)})`;
	}
	return { method: 'hold-out', window, evidence: { best: eb, baseline: e0 }, holdOut: { best: hb, baseline: h0 }, evidenceImprovement, holdOutImprovement, passed, reason };
}

/**
 * Deflated Sharpe ratio of a row's best trial (Bailey & López de Prado, "The Deflated Sharpe Ratio", JPM 40(5),
 * 2014, eq. 2-3, via analysis/overfitting.ts `deflatedSharpe`): the per-day Sharpe ratio of the best trial
 * (annualised / √365) against the expected maximum of N unskilled trials whose per-day Sharpe ratios vary with the
 * variance measured over this row's trials (annualised variance / 365), with T = the evidence window's days.
 * The row keeps no daily returns (flat memory), so returns are taken as normal (skewness 0, kurtosis 3) in the PSR.
 * @param bestSharpeAnnualised - the best trial's annualised Sharpe ratio.
 * @param sharpe - streamed moments of the trials' annualised Sharpe ratios.
 * @param days - days of the evidence window.
 */
export function rowDeflatedSharpe(bestSharpeAnnualised: number, sharpe: RunningMomentsState, days: number): RowDeflatedSharpe {
	const k = Math.sqrt(PERIODS_PER_YEAR);
	const sr = bestSharpeAnnualised / k;
	const trials = Math.max(1, sharpe.n);
	const variance = sharpe.n > 1 ? sharpe.m2 / (sharpe.n - 1) / PERIODS_PER_YEAR : 0;
	const observations = Math.max(0, Math.round(days));
	const d = deflatedSharpe({ sharpe: sr, observations, skewness: 0, kurtosis: 3, trials, sharpeVariance: variance });
	return { sharpe: sr, trials, sharpeVariance: variance, observations, expectedMaxSharpe: d.expectedMaxSharpe, dsr: d.dsr };
}

/**
 * Confidence of a row's best parameters, in [0, 1]: the deflated Sharpe ratio of the best trial
 * ({@link rowDeflatedSharpe}: the probability that its Sharpe ratio is not just the luck of the best of N trials)
 * when the hold-out check passed, 0 when it failed or the row has no result.
 */
export function rowConfidence(row: Pick<ResearchRow, 'oos' | 'deflated'>): number {
	if (!row.oos?.passed) return 0;
	const d = row.deflated?.dsr;
	return typeof d === 'number' && Number.isFinite(d) ? d : 0;
}
