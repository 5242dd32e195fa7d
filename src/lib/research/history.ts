/**
 * History records for recommendations: a finished research job reduced to the plain evidence
 * analysis/recommendations.ts reads (per row: baseline and best trials with their evidence and hold-out figures).
 */
import type { HistoryRecord, HistoryStats, HistoryTrial } from '../analysis/recommendation-types';
import { resolveObjective, type ResolvedObjective, type TrialStats } from '../optimize/objective';
import { enumIndex, getStrategy } from '../engine/strategies';
import { isRiskSetting } from './spec';
import type { ResearchJob } from './types';

function statsOf(s: TrialStats | undefined, o: ResolvedObjective): HistoryStats | undefined {
	if (!s) return undefined;
	const v = s.nTrades >= o.minTrades && Number.isFinite(s[o.key]) ? s[o.key] : NaN;
	return { objective: v, winRate: s.winRate, totalReturnRatio: s.totalReturnRatio, sharpeRatio: s.sharpeRatio, maxDrawdownRatio: s.maxDrawdownRatio, nTrades: s.nTrades };
}

/** Parameter values as search axes hold them (enumerations by option number, booleans 0/1), like trial values. */
function axisForm(strategyId: string, params: Record<string, number | boolean | string>): Record<string, number | string> {
	const def = getStrategy(strategyId);
	const out: Record<string, number | string> = {};
	for (const [k, v] of Object.entries(params)) {
		const schema = def.params.find((p) => p.name === k);
		out[k] = typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'string' && schema ? (enumIndex(schema, v) >= 0 ? enumIndex(schema, v) : v) : v;
	}
	return out;
}

/**
 * The history record of a job: its completed rows with a hold-out check (failed and pending rows are left out).
 * @returns the record, or null when the job has no completed row or never found a common range.
 */
export function historyRecordOf(job: ResearchJob): HistoryRecord | null {
	if (!job.range) return null;
	const o = resolveObjective(job.spec.objective);
	const rows = job.rows
		.filter((r) => r.status === 'completed' && r.oos)
		.map((r) => {
			const baseline: HistoryTrial | null = r.baseline
				? { values: { ...axisForm(r.strategyId, r.baseline.values.params), ...(r.baseline.values.risk ?? {}) }, evidence: statsOf(r.baseline.evidence, o)!, holdOut: statsOf(r.baseline.holdOut, o) }
				: null;
			return {
				symbol: r.symbol,
				interval: r.interval,
				strategy: r.strategy,
				strategyId: r.strategyId,
				axes: [...r.axes],
				riskAxes: r.axes.filter(isRiskSetting),
				trials: r.trials,
				sharpeVariance: r.deflated?.sharpeVariance ?? NaN,
				observations: r.deflated?.observations ?? 0,
				baseline,
				top: r.top.map((t) => ({ values: { ...t.values }, evidence: statsOf(t.stats, o)!, holdOut: statsOf(t.holdOut, o) }))
			};
		});
	if (!rows.length) return null;
	return {
		id: job.id,
		at: job.finishedAt ?? job.updatedAt,
		objective: { key: o.key, direction: o.direction },
		holdOut: { fromMs: job.range.splitMs, toMs: job.range.toMs },
		rows
	};
}
