/**
 * Types of recommendations (issue #14 item 5): built from history records (stored research jobs, reduced to the
 * plain evidence below so this layer does not depend on research/ or persistence/), each re-tested out of sample,
 * with a confidence, a status and an audit trail. Plain structured-clone-safe data; ratios are fractions.
 * The generator and the status machine live in recommendations.ts.
 */
import type { Timeframe, UnixMs } from '../core/types';

/** The four kinds of the owner's design. */
export type RecommendationKind = 'parameter' | 'market' | 'timeframe' | 'risk';
/** pending → accepted / rejected; accepted → applied (or rejected); rejected → pending (re-opened). */
export type RecommendationStatus = 'pending' | 'accepted' | 'rejected' | 'applied';

/** Statistics of one parameter set on one window (a subset of optimize's TrialStats; NaN = undefined). */
export interface HistoryStats {
	/** Value of the record's objective statistic. */
	objective: number;
	winRate: number;
	totalReturnRatio: number;
	sharpeRatio: number;
	maxDrawdownRatio: number;
	nTrades: number;
}

/** One evaluated parameter set of a history row: values and statistics on the evidence and hold-out windows. */
export interface HistoryTrial {
	/** Strategy parameters (enumerations by option number or name) and risk settings, flat by name. */
	values: Record<string, number | string | boolean>;
	evidence: HistoryStats;
	/** Absent when the trial was not re-run on the hold-out window. */
	holdOut?: HistoryStats;
}

/** One (market, timeframe, strategy) optimisation of a record. */
export interface HistoryRow {
	symbol: string;
	interval: Timeframe;
	/** Strategy key (as rows and presets use it) and the registry id. */
	strategy: string;
	strategyId: string;
	/** Names of the searched axes (strategy parameters and risk settings). */
	axes: string[];
	/** Names among `axes` that are risk settings (stopLoss, takeProfit, sizingValue, leverage, breaker thresholds). */
	riskAxes: string[];
	/** Trials evaluated, the variance of their per-day Sharpe ratios, and the evidence window's days. */
	trials: number;
	sharpeVariance: number;
	observations: number;
	/** The values traded at the time (preset, or defaults) on both windows; null when unknown. */
	baseline: HistoryTrial | null;
	/** Best trials by the objective on the evidence window, best first (each with its hold-out figures). */
	top: HistoryTrial[];
}

/** One history record: a finished research job (or any optimisation with a hold-out check). */
export interface HistoryRecord {
	id: string;
	/** When it finished (the lookback is measured on this). */
	at: UnixMs;
	/** Objective statistic and direction every row ranked by. */
	objective: { key: string; direction: 'max' | 'min' };
	/** Hold-out window shared by the rows. */
	holdOut: { fromMs: UnixMs; toMs: UnixMs };
	rows: HistoryRow[];
}

/** One piece of evidence behind a recommendation: a row where it was compared in and out of sample. */
export interface RecommendationSample {
	recordId: string;
	symbol: string;
	interval: Timeframe;
	/** Objective of the recommended choice and of the alternative (current / others) on the evidence window. */
	evidence: { recommended: number; alternative: number };
	/** The same on the hold-out window. */
	holdOut: { recommended: number; alternative: number };
	/** True when the recommended choice was at least as good out of sample (objective direction applied), or ranked there while the alternative was not. */
	held: boolean;
	/** Win-rate and total-return differences recommended − alternative on the hold-out window. */
	winRateDelta: number;
	returnDelta: number;
}

/**
 * Confidence of a recommendation, computed out of sample (formula in recommendations.ts `recommendationConfidence`):
 * `value = holdRateLower × dsr`.
 */
export interface RecommendationConfidence {
	/** In [0, 1]. */
	value: number;
	samples: number;
	held: number;
	/** held / samples. */
	holdRate: number;
	/** Wilson score lower bound of the hold rate at one-sided 95 % (z = 1.645). */
	holdRateLower: number;
	/** One-sided sign-test p-value of `held` out of `samples` under "no effect" (p = 1/2). */
	pValue: number;
	/** Deflated Sharpe ratio of the evidence improvements given the number of candidates examined. */
	dsr: number;
	/** Candidates examined to find this one (the N of the deflated Sharpe ratio). */
	candidates: number;
	/** Sharpe ratio of the per-sample evidence improvements (mean / sd) and the expected maximum of N null candidates. */
	evidenceSharpe: number;
	expectedMaxSharpe: number;
}

/** A preset update a recommendation makes when applied. */
export interface RecommendationChange {
	symbol: string;
	interval: Timeframe;
	strategy: string;
	strategyId: string;
	/** Values to set (merged into the preset's values). */
	set: { params?: Record<string, number | string | boolean>; risk?: Record<string, number> };
}

/** One audit-trail entry: a status change, its time, who made it, and what applying changed. */
export interface RecommendationAuditEntry {
	at: UnixMs;
	from: RecommendationStatus | null;
	to: RecommendationStatus;
	/** `check`: the out-of-sample check at generation; `user`; `system` (e.g. auto-apply). */
	actor: 'check' | 'user' | 'system';
	note?: string;
	/** Presets written by an `applied` transition: id, values before and after. */
	changes?: { presetId: string; old: unknown; new: unknown }[];
}

/** A recommendation with its evidence, out-of-sample check, confidence, status and audit trail. */
export interface Recommendation {
	version: 1;
	/** Deterministic id from kind, strategy and subject (the same history gives the same id). */
	id: string;
	kind: RecommendationKind;
	strategy: string;
	/** What it is about. */
	subject: {
		param?: string;
		value?: number | string | boolean;
		from?: number | string | boolean;
		markets?: string[];
		interval?: Timeframe;
	};
	title: string;
	/** Plain-language explanation with the numbers behind it. */
	explanation: string;
	objective: { key: string; direction: 'max' | 'min' };
	/** Expected improvement, measured on the hold-out windows (means over samples). */
	expected: { objective: number; winRate: number; totalReturnRatio: number };
	/** Mean relative improvement of the objective on the evidence windows (what was seen in sample). */
	evidenceImprovement: number;
	samples: RecommendationSample[];
	/** History records the evidence came from. */
	records: string[];
	oos: { passed: boolean; reason: string };
	confidence: RecommendationConfidence;
	/** Passed the out-of-sample check (only these can be accepted and applied). */
	actionable: boolean;
	status: RecommendationStatus;
	/** Why it was rejected (by the check or by the user), kept. */
	rejectionReason?: string;
	/** What applying writes. */
	changes: RecommendationChange[];
	createdAt: UnixMs;
	audit: RecommendationAuditEntry[];
}

/** Options of the generator. */
export interface RecommendationOptions {
	/** Reference time (reproducible: pass the same value for the same output). */
	now: UnixMs;
	/** History records older than `now - lookbackMs` are ignored. Default 90 days. */
	lookbackMs?: number;
	/** Fewest samples a recommendation needs. Default 10. */
	minSamples?: number;
	/** Significance of the one-sided sign test of the hold rate. Default 0.05. */
	alpha?: number;
	/** Current preset values by preset id `SYMBOL|interval|strategy` (parameter and risk recommendations compare with them). */
	presets?: Record<string, { params: Record<string, number | string | boolean>; risk?: Record<string, number> }>;
}

/** What the generator returns. */
export interface RecommendationReport {
	recommendations: Recommendation[];
	/** Records skipped (corrupted, outside the lookback), with the reason. */
	skipped: { index: number; id?: string; reason: string }[];
	/** Records used. */
	used: number;
}

/** Storage of recommendations (IndexedDB in the app); records are whole {@link Recommendation}s keyed by id. */
export interface RecommendationStore {
	get(id: string): Promise<Recommendation | undefined>;
	list(): Promise<Recommendation[]>;
	put(rec: Recommendation): Promise<void>;
	delete(id: string): Promise<void>;
}
