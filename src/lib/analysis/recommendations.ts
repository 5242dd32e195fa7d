/**
 * Recommendations (issue #14 item 5) from history records (stored research jobs reduced to {@link HistoryRecord}s,
 * see research/history.ts), each re-tested out of sample before it is shown, with a confidence, a status and an
 * audit trail. Pure and deterministic: the same records and options give the same recommendations, ids and
 * confidences. Plain TypeScript, no DOM or Node imports.
 *
 * The four kinds and their evidence (a "sample" is one row — market × timeframe of one record — where the
 * recommended choice and its alternative were both measured on the evidence window and on the hold-out window that
 * the evidence never saw):
 * - `parameter` / `risk`: for a strategy parameter (risk setting) p and a value v, per row the best kept trial with
 *   p = v against the best kept trial with the value the row traded (the baseline's value; the baseline itself when
 *   no kept trial has it). The value with the largest mean in-sample improvement is proposed per p.
 * - `market`: markets that beat the median market of their (record, timeframe) group in sample in more than half of
 *   the groups; a sample compares such a market's best with the median of the other markets' bests.
 * - `timeframe`: the timeframe with the best mean in-sample objective across (record, market) groups; a sample
 *   compares its row's best with another timeframe's row best for the same market and record.
 *
 * Out-of-sample check (the recommendation is actionable only when it passes): with n samples of which k held (the
 * recommended choice at least as good as the alternative on the hold-out window), the one-sided sign test
 * `p = P(X >= k | X ~ Binomial(n, 1/2))` must be at most `alpha` (default 0.05) and the mean hold-out change of the
 * objective (direction applied) must be above 0.
 *
 * Confidence ({@link recommendationConfidence}): `holdRateLower × DSR`, where `holdRateLower` is the Wilson score
 * lower bound of k/n at z = 1.645 (one-sided 95 %; E. B. Wilson, "Probable inference, the law of succession, and
 * statistical inference", JASA 22, 1927), which falls with a low hold rate and with few samples, and DSR is the
 * deflated Sharpe ratio (Bailey & López de Prado, "The Deflated Sharpe Ratio", JPM 40(5), 2014, eq. 2-3, via
 * analysis/overfitting.ts) of the in-sample improvements d_1..d_n: their Sharpe ratio `mean(d)/sd(d)` against the
 * expected maximum of N candidates with no effect, whose Sharpe estimates vary with `1/n` (the variance of a Sharpe
 * estimate from n observations at SR = 0; A. Lo, "The Statistics of Sharpe Ratios", FAJ 58(4), 2002), N = the
 * candidates (parameter values, market sets, timeframes) examined for the strategy and kind.
 */
import { z } from 'zod';
import { ValidationError } from '../core/errors';
import { isTimeframe } from '../core/timeframe';
import type { Timeframe, UnixMs } from '../core/types';
import { deflatedSharpe } from './overfitting';
import { moments } from './stats';
import type {
	HistoryRecord,
	HistoryRow,
	HistoryTrial,
	Recommendation,
	RecommendationAuditEntry,
	RecommendationChange,
	RecommendationConfidence,
	RecommendationKind,
	RecommendationOptions,
	RecommendationReport,
	RecommendationSample,
	RecommendationStatus
} from './recommendation-types';

export type * from './recommendation-types';

/** Default lookback: 90 days of history records. */
export const DEFAULT_LOOKBACK_MS = 90 * 86_400_000;
/** Default fewest samples of a recommendation. */
export const DEFAULT_MIN_SAMPLES = 10;
/** Default significance of the sign test. */
export const DEFAULT_ALPHA = 0.05;
/** z of the one-sided 95 % Wilson lower bound. */
export const WILSON_Z = 1.645;

/**
 * Relative improvement of an objective value over a baseline, direction applied: `(best − base) / |base|` when
 * maximising, `(base − best) / |base|` when minimising (positive = better; 0.05 = 5 % better). NaN when `best` is not
 * finite; +Infinity when the baseline is not finite and `best` is; ±Infinity (or 0) when `|base| < 1e-12`.
 */
export function relativeImprovement(best: number, base: number, direction: 'max' | 'min'): number {
	if (!Number.isFinite(best)) return NaN;
	if (!Number.isFinite(base)) return Infinity;
	const diff = direction === 'max' ? best - base : base - best;
	if (Math.abs(base) < 1e-12) return diff === 0 ? 0 : diff > 0 ? Infinity : -Infinity;
	return diff / Math.abs(base);
}

/**
 * Wilson score interval lower bound of a proportion.
 * `(p + z²/2n − z·sqrt(p(1−p)/n + z²/4n²)) / (1 + z²/n)`, p = k/n; 0 for n = 0.
 * @see Wilson (1927); Agresti & Coull, "Approximate is better than exact…", The American Statistician 52(2), 1998.
 */
export function wilsonLowerBound(k: number, n: number, z = WILSON_Z): number {
	if (!(n > 0)) return 0;
	const p = k / n;
	const z2 = z * z;
	return Math.max(0, (p + z2 / (2 * n) - z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n));
}

/**
 * One-sided sign test: `P(X >= k)` for X ~ Binomial(n, 1/2), summed exactly in log space: the probability of at least
 * k of n samples holding when the recommendation makes no difference (each sample then holds with probability 1/2).
 * @see W. J. Conover, "Practical Nonparametric Statistics", 3rd ed., Wiley 1999, section 3.4 (the sign test).
 */
export function signTestPValue(k: number, n: number): number {
	if (!(n > 0)) return 1;
	let lf = 0;
	const logFact: number[] = [0];
	for (let i = 1; i <= n; i++) logFact.push((lf += Math.log(i)));
	let p = 0;
	for (let j = Math.max(0, Math.ceil(k)); j <= n; j++) p += Math.exp(logFact[n] - logFact[j] - logFact[n - j] - n * Math.LN2);
	return Math.min(1, p);
}

/**
 * Confidence of a recommendation (see the module comment for the formula and its sources).
 * @param samples - the samples (held flags, evidence objective values).
 * @param direction - the objective's direction.
 * @param candidates - N, candidates examined.
 */
export function recommendationConfidence(samples: readonly RecommendationSample[], direction: 'max' | 'min', candidates: number): RecommendationConfidence {
	const n = samples.length;
	const held = samples.filter((s) => s.held).length;
	const sign = direction === 'max' ? 1 : -1;
	const d = samples.map((s) => sign * (s.evidence.recommended - s.evidence.alternative)).filter(Number.isFinite);
	const m = moments(d);
	let sr: number;
	if (d.length < 2) sr = NaN;
	else if (m.std > 0) sr = m.mean / m.std;
	else sr = m.mean > 0 ? Infinity : m.mean < 0 ? -Infinity : 0;
	const variance = d.length > 0 ? 1 / d.length : NaN;
	const skew = Number.isFinite(m.skewness) ? m.skewness : 0;
	const kurt = Number.isFinite(m.kurtosis) ? m.kurtosis : 3;
	let dsr: number;
	let sr0: number;
	if (sr === Infinity || sr === -Infinity) {
		sr0 = deflatedSharpe({ sharpe: 0, observations: d.length, skewness: 0, kurtosis: 3, trials: Math.max(1, candidates), sharpeVariance: variance }).expectedMaxSharpe;
		dsr = sr > 0 ? 1 : 0;
	} else {
		const r = deflatedSharpe({ sharpe: sr, observations: d.length, skewness: skew, kurtosis: kurt, trials: Math.max(1, candidates), sharpeVariance: variance });
		sr0 = r.expectedMaxSharpe;
		// The PSR's variance term can turn non-positive for extreme skew; fall back to the normal case then.
		dsr = Number.isFinite(r.dsr) ? r.dsr : deflatedSharpe({ sharpe: sr, observations: d.length, skewness: 0, kurtosis: 3, trials: Math.max(1, candidates), sharpeVariance: variance }).dsr;
	}
	if (!Number.isFinite(dsr)) dsr = 0;
	const lower = wilsonLowerBound(held, n);
	return {
		value: lower * dsr,
		samples: n,
		held,
		holdRate: n ? held / n : NaN,
		holdRateLower: lower,
		pValue: signTestPValue(held, n),
		dsr,
		candidates: Math.max(1, candidates),
		evidenceSharpe: sr,
		expectedMaxSharpe: sr0
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Validation of history records
// ---------------------------------------------------------------------------------------------------------------

// Statistics may be NaN / ±Infinity (undefined statistics, as historyRecordOf gives them) or null (the same after a
// JSON round trip: JSON writers turn NaN and ±Infinity into null); null is read back as NaN.
const num = z.custom<number | null>((v) => v === null || typeof v === 'number', 'expected a number (or null for an undefined statistic)').transform((v) => (v === null ? NaN : (v as number)));
// Counts (trials, observations) are whole numbers >= 0; a NaN / null count means "unknown" and is read as 0.
const count = z
	.custom<number | null>((v) => v === null || (typeof v === 'number' && (Number.isNaN(v) || (Number.isInteger(v) && v >= 0))), 'expected a whole number >= 0')
	.transform((v) => (v === null || Number.isNaN(v) ? 0 : (v as number)));
const statsSchema = z.object({ objective: num, winRate: num, totalReturnRatio: num, sharpeRatio: num, maxDrawdownRatio: num, nTrades: num });
const trialSchema = z.object({ values: z.record(z.string(), z.union([num, z.string(), z.boolean()])), evidence: statsSchema, holdOut: statsSchema.optional() });
const rowSchema = z.object({
	symbol: z.string().min(1),
	interval: z.string().refine((t) => isTimeframe(t), 'unknown timeframe'),
	strategy: z.string().min(1),
	strategyId: z.string().min(1),
	axes: z.array(z.string()),
	riskAxes: z.array(z.string()),
	trials: count,
	sharpeVariance: num,
	observations: count,
	baseline: trialSchema.nullable(),
	top: z.array(trialSchema)
});
const recordSchema = z.object({
	id: z.string().min(1),
	at: z.number().finite(),
	objective: z.object({ key: z.string().min(1), direction: z.enum(['max', 'min']) }),
	holdOut: z.object({ fromMs: z.number().finite(), toMs: z.number().finite() }),
	rows: z.array(rowSchema)
});

/**
 * Validate one history record, as research/history.ts `historyRecordOf` gives it (NaN / ±Infinity statistics) or as stored and
 * exchanged through JSON (those statistics as null, read back as NaN). Damaged records (missing or mistyped fields,
 * an unknown timeframe, a non-finite time or window, negative or fractional counts) are refused.
 * @returns the record or a message naming the damaged field.
 */
export function parseHistoryRecord(raw: unknown): { ok: true; record: HistoryRecord } | { ok: false; reason: string } {
	const r = recordSchema.safeParse(raw);
	if (r.success) return { ok: true, record: r.data as HistoryRecord };
	const issue = r.error.issues[0];
	return { ok: false, reason: `corrupted history record: ${issue.path.join('.') || 'record'}: ${issue.message}` };
}

// ---------------------------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------------------------

/** FNV-1a 32-bit hash as 8 hex digits (deterministic ids). */
function fnv(text: string): string {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return h.toString(16).padStart(8, '0');
}

const better = (a: number, b: number, dir: 'max' | 'min') => (Number.isFinite(a) && !Number.isFinite(b)) || (dir === 'max' ? a >= b : a <= b);
const pct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %` : x > 0 ? '+∞' : 'n/a');
const pts = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} points` : 'n/a');
const fmt = (x: number) => (Number.isFinite(x) ? x.toPrecision(3) : 'n/a');
const meanOf = (xs: number[]) => {
	const f = xs.filter(Number.isFinite);
	return f.length ? f.reduce((a, b) => a + b, 0) / f.length : NaN;
};
const median = (xs: number[]) => {
	const f = xs.filter(Number.isFinite).sort((a, b) => a - b);
	if (!f.length) return NaN;
	const m = f.length >> 1;
	return f.length % 2 ? f[m] : (f[m - 1] + f[m]) / 2;
};

interface Ctx {
	objective: { key: string; direction: 'max' | 'min' };
	records: HistoryRecord[];
}

function pairSample(recordId: string, symbol: string, interval: Timeframe, rec: { ev: number; ho: number; wr: number; ret: number }, alt: { ev: number; ho: number; wr: number; ret: number }, dir: 'max' | 'min'): RecommendationSample | null {
	if (!Number.isFinite(rec.ho) && !Number.isFinite(alt.ho)) return null;
	return {
		recordId,
		symbol,
		interval,
		evidence: { recommended: rec.ev, alternative: alt.ev },
		holdOut: { recommended: rec.ho, alternative: alt.ho },
		held: better(rec.ho, alt.ho, dir),
		winRateDelta: rec.wr - alt.wr,
		returnDelta: rec.ret - alt.ret
	};
}

const trialFigures = (t: HistoryTrial) => ({ ev: t.evidence.objective, ho: t.holdOut?.objective ?? NaN, wr: t.holdOut?.winRate ?? NaN, ret: t.holdOut?.totalReturnRatio ?? NaN });

/** Mean hold-out change of the objective (direction applied), and the expected figures. */
function expectedOf(samples: RecommendationSample[], dir: 'max' | 'min') {
	return {
		objective: meanOf(samples.map((s) => relativeImprovement(s.holdOut.recommended, s.holdOut.alternative, dir)).filter(Number.isFinite)),
		winRate: meanOf(samples.map((s) => s.winRateDelta)),
		totalReturnRatio: meanOf(samples.map((s) => s.returnDelta)),
		absolute: meanOf(samples.map((s) => (dir === 'max' ? 1 : -1) * (s.holdOut.recommended - s.holdOut.alternative)))
	};
}

interface Draft {
	kind: RecommendationKind;
	strategy: string;
	subject: Recommendation['subject'];
	title: string;
	what: string;
	samples: RecommendationSample[];
	candidates: number;
	changes: RecommendationChange[];
}

function finish(d: Draft, ctx: Ctx, alpha: number, createdAt: UnixMs): Recommendation {
	const dir = ctx.objective.direction;
	const conf = recommendationConfidence(d.samples, dir, d.candidates);
	const exp = expectedOf(d.samples, dir);
	const evImp = meanOf(d.samples.map((s) => relativeImprovement(s.evidence.recommended, s.evidence.alternative, dir)).filter(Number.isFinite));
	const key = ctx.objective.key;
	const passed = conf.pValue <= alpha && exp.absolute > 0;
	const reason = passed
		? `held out of sample in ${conf.held} of ${conf.samples} samples (${(conf.holdRate * 100).toFixed(0)} %, sign-test p = ${conf.pValue.toFixed(4)} <= ${alpha}); mean hold-out ${key} change ${fmt(exp.absolute)}`
		: `rejected by the out-of-sample check: held in ${conf.held} of ${conf.samples} samples (${(conf.holdRate * 100).toFixed(0)} %, sign-test p = ${conf.pValue.toFixed(4)}${conf.pValue > alpha ? ` > ${alpha}` : ''}); mean hold-out ${key} change ${fmt(exp.absolute)}${exp.absolute > 0 ? '' : ' (no improvement)'}`;
	const records = [...new Set(d.samples.map((s) => s.recordId))].sort();
	const markets = new Set(d.samples.map((s) => s.symbol)).size;
	const tfs = new Set(d.samples.map((s) => s.interval)).size;
	const explanation =
		`${d.what} In sample (the evidence windows) it improved ${key} by ${pct(evImp)} on average over ${conf.samples} samples ` +
		`(${markets} market(s) × ${tfs} timeframe(s), ${records.length} job(s)). On the hold-out windows, which that evidence did not use, ` +
		`it held in ${conf.held} of ${conf.samples} (${(conf.holdRate * 100).toFixed(0)} %), with ${key} ${pct(exp.objective)}, win rate ${pts(exp.winRate)} and return ${pts(exp.totalReturnRatio)} on average. ` +
		`Confidence ${(conf.value * 100).toFixed(0)} % = hold-rate lower bound ${(conf.holdRateLower * 100).toFixed(0)} % × deflated Sharpe ${(conf.dsr * 100).toFixed(0)} % (${conf.candidates} candidate(s) examined).`;
	const id = `rec-${d.kind}-${fnv(JSON.stringify([d.kind, d.strategy, key, d.subject]))}`;
	const status: RecommendationStatus = passed ? 'pending' : 'rejected';
	const audit: RecommendationAuditEntry[] = [{ at: createdAt, from: null, to: status, actor: 'check', note: reason }];
	return {
		version: 1,
		id,
		kind: d.kind,
		strategy: d.strategy,
		subject: d.subject,
		title: d.title,
		explanation,
		objective: { ...ctx.objective },
		expected: { objective: exp.objective, winRate: exp.winRate, totalReturnRatio: exp.totalReturnRatio },
		evidenceImprovement: evImp,
		samples: d.samples,
		records,
		oos: { passed, reason },
		confidence: conf,
		actionable: passed,
		status,
		...(passed ? {} : { rejectionReason: reason }),
		changes: d.changes,
		createdAt,
		audit
	};
}

const valueKey = (v: unknown) => JSON.stringify(v);

/** Parameter and risk drafts of one strategy. */
function parameterDrafts(ctx: Ctx, strategy: string, rows: { rec: HistoryRecord; row: HistoryRow }[], minSamples: number): Draft[] {
	const dir = ctx.objective.direction;
	const drafts: Draft[] = [];
	const axes = [...new Set(rows.flatMap((r) => r.row.axes))].sort();
	const candidates: { p: string; v: number | string | boolean; samples: RecommendationSample[]; changes: RecommendationChange[]; evImp: number }[] = [];
	let examined = 0;
	for (const p of axes) {
		const values = new Map<string, number | string | boolean>();
		for (const { row } of rows) for (const t of row.top) if (p in t.values) values.set(valueKey(t.values[p]), t.values[p]);
		for (const [, v] of [...values.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
			examined++;
			const samples: RecommendationSample[] = [];
			const changes: RecommendationChange[] = [];
			for (const { rec, row } of rows) {
				if (!row.axes.includes(p) || !row.baseline) continue;
				const current = row.baseline.values[p];
				if (current === undefined || valueKey(current) === valueKey(v)) continue;
				const withV = row.top.find((t) => valueKey(t.values[p]) === valueKey(v) && t.holdOut);
				if (!withV) continue;
				const withC = row.top.find((t) => valueKey(t.values[p]) === valueKey(current) && t.holdOut) ?? row.baseline;
				if (!withC.holdOut) continue;
				const s = pairSample(rec.id, row.symbol, row.interval, trialFigures(withV), trialFigures(withC), dir);
				if (!s) continue;
				samples.push(s);
				const isRisk = row.riskAxes.includes(p);
				if (!changes.some((c) => c.symbol === row.symbol && c.interval === row.interval && c.strategy === row.strategy)) {
					changes.push({ symbol: row.symbol, interval: row.interval, strategy: row.strategy, strategyId: row.strategyId, set: isRisk ? { risk: { [p]: Number(v) } } : { params: { [p]: v } } });
				}
			}
			if (samples.length < minSamples) continue;
			const evImp = meanOf(samples.map((s) => (dir === 'max' ? 1 : -1) * (s.evidence.recommended - s.evidence.alternative)));
			if (!(evImp > 0)) continue;
			candidates.push({ p, v, samples, changes, evImp });
		}
	}
	// One proposal per parameter: the value with the largest mean in-sample improvement (ties: first in value order).
	const byParam = new Map<string, (typeof candidates)[number]>();
	for (const c of candidates) {
		const cur = byParam.get(c.p);
		if (!cur || c.evImp > cur.evImp) byParam.set(c.p, c);
	}
	for (const c of [...byParam.values()].sort((a, b) => (a.p < b.p ? -1 : 1))) {
		const isRisk = rows.some((r) => r.row.riskAxes.includes(c.p));
		const currents = [...new Set(rows.map((r) => r.row.baseline?.values[c.p]).filter((x) => x !== undefined).map((x) => String(x)))];
		const tight = isRisk && c.p === 'stopLoss' && currents.every((x) => Number(x) < Number(c.v)) ? ' (your stop is too tight)' : isRisk && c.p === 'stopLoss' && currents.every((x) => Number(x) > Number(c.v)) ? ' (your stop is too wide)' : '';
		drafts.push({
			kind: isRisk ? 'risk' : 'parameter',
			strategy,
			subject: { param: c.p, value: c.v, from: currents.length === 1 ? currents[0] : undefined },
			title: `${strategy}: set ${c.p} to ${c.v}${currents.length === 1 ? ` (now ${currents[0]})` : ''}${tight}`,
			what: `Setting ${c.p} = ${c.v} instead of the value you trade (${currents.join(', ') || 'n/a'}) for ${strategy}.`,
			samples: c.samples,
			candidates: examined,
			changes: c.changes
		});
	}
	return drafts;
}

/** Market-selection draft of one strategy. */
function marketDraft(ctx: Ctx, strategy: string, rows: { rec: HistoryRecord; row: HistoryRow }[], minSamples: number): Draft[] {
	const dir = ctx.objective.direction;
	const groups = new Map<string, { rec: HistoryRecord; row: HistoryRow }[]>();
	for (const r of rows) {
		if (!r.row.top[0]) continue;
		const k = `${r.rec.id}|${r.row.interval}`;
		groups.set(k, [...(groups.get(k) ?? []), r]);
	}
	const above = new Map<string, { n: number; k: number }>();
	for (const g of groups.values()) {
		if (g.length < 2) continue;
		const med = median(g.map((r) => r.row.top[0].evidence.objective));
		for (const r of g) {
			const a = above.get(r.row.symbol) ?? { n: 0, k: 0 };
			a.n++;
			const v = r.row.top[0].evidence.objective;
			if (Number.isFinite(v) && (dir === 'max' ? v > med : v < med)) a.k++;
			above.set(r.row.symbol, a);
		}
	}
	const markets = [...above.keys()].sort();
	const selected = markets.filter((m) => above.get(m)!.k / above.get(m)!.n > 0.5);
	if (selected.length === 0 || selected.length === markets.length) return [];
	const samples: RecommendationSample[] = [];
	const changes: RecommendationChange[] = [];
	for (const g of groups.values()) {
		const others = g.filter((r) => !selected.includes(r.row.symbol));
		if (!others.length) continue;
		const alt = {
			ev: median(others.map((r) => r.row.top[0].evidence.objective)),
			ho: median(others.map((r) => r.row.top[0].holdOut?.objective ?? NaN)),
			wr: median(others.map((r) => r.row.top[0].holdOut?.winRate ?? NaN)),
			ret: median(others.map((r) => r.row.top[0].holdOut?.totalReturnRatio ?? NaN))
		};
		for (const r of g.filter((x) => selected.includes(x.row.symbol)).sort((a, b) => (a.row.symbol < b.row.symbol ? -1 : 1))) {
			const s = pairSample(r.rec.id, r.row.symbol, r.row.interval, trialFigures(r.row.top[0]), alt, dir);
			if (s) samples.push(s);
		}
	}
	if (samples.length < minSamples) return [];
	// Applying adopts the latest tested best of each selected market's rows.
	const latest = new Map<string, { rec: HistoryRecord; row: HistoryRow }>();
	for (const r of rows) {
		if (!selected.includes(r.row.symbol) || !r.row.top[0]) continue;
		const k = `${r.row.symbol}|${r.row.interval}`;
		const cur = latest.get(k);
		if (!cur || r.rec.at > cur.rec.at || (r.rec.at === cur.rec.at && r.rec.id > cur.rec.id)) latest.set(k, r);
	}
	for (const k of [...latest.keys()].sort()) {
		const r = latest.get(k)!;
		changes.push({ symbol: r.row.symbol, interval: r.row.interval, strategy: r.row.strategy, strategyId: r.row.strategyId, ...splitValues(r.row, r.row.top[0].values) });
	}
	return [
		{
			kind: 'market',
			strategy,
			subject: { markets: selected },
			title: `${strategy}: focus on ${selected.join(', ')}`,
			what: `${selected.join(', ')} beat the median market of their timeframe in sample in most jobs for ${strategy} (out of ${markets.join(', ')}).`,
			samples,
			candidates: Math.max(1, 2 ** markets.length - 2),
			changes
		}
	];
}

function splitValues(row: HistoryRow, values: Record<string, number | string | boolean>): { set: RecommendationChange['set'] } {
	const params: Record<string, number | string | boolean> = {};
	const risk: Record<string, number> = {};
	for (const [k, v] of Object.entries(values)) {
		if (row.riskAxes.includes(k)) risk[k] = Number(v);
		else params[k] = v;
	}
	return { set: Object.keys(risk).length ? { params, risk } : { params } };
}

/** Timeframe-change draft of one strategy. */
function timeframeDraft(ctx: Ctx, strategy: string, rows: { rec: HistoryRecord; row: HistoryRow }[], minSamples: number): Draft[] {
	const dir = ctx.objective.direction;
	const intervals = [...new Set(rows.map((r) => r.row.interval))].sort();
	if (intervals.length < 2) return [];
	const groups = new Map<string, Map<string, { rec: HistoryRecord; row: HistoryRow }>>();
	for (const r of rows) {
		if (!r.row.top[0]) continue;
		const k = `${r.rec.id}|${r.row.symbol}`;
		const g = groups.get(k) ?? new Map();
		g.set(r.row.interval, r);
		groups.set(k, g);
	}
	const score = (t: string) => meanOf([...groups.values()].map((g) => g.get(t)?.row.top[0].evidence.objective ?? NaN));
	const scores = intervals.map((t) => ({ t, s: score(t) }));
	const best = scores.filter((x) => Number.isFinite(x.s)).sort((a, b) => (dir === 'max' ? b.s - a.s : a.s - b.s) || (a.t < b.t ? -1 : 1))[0];
	if (!best) return [];
	const samples: RecommendationSample[] = [];
	const changes: RecommendationChange[] = [];
	for (const k of [...groups.keys()].sort()) {
		const g = groups.get(k)!;
		const r = g.get(best.t);
		if (!r) continue;
		for (const t of intervals) {
			if (t === best.t || !g.get(t)) continue;
			const s = pairSample(r.rec.id, r.row.symbol, best.t as Timeframe, trialFigures(r.row.top[0]), trialFigures(g.get(t)!.row.top[0]), dir);
			if (s) samples.push(s);
		}
		if (!changes.some((c) => c.symbol === r.row.symbol)) changes.push({ symbol: r.row.symbol, interval: r.row.interval, strategy: r.row.strategy, strategyId: r.row.strategyId, ...splitValues(r.row, r.row.top[0].values) });
	}
	if (samples.length < minSamples) return [];
	const others = scores.filter((x) => x.t !== best.t);
	return [
		{
			kind: 'timeframe',
			strategy,
			subject: { interval: best.t as Timeframe },
			title: `${strategy}: use ${best.t}`,
			what: `${best.t} gave ${strategy} the best mean in-sample ${ctx.objective.key} (${fmt(best.s)}; ${others.map((x) => `${x.t} ${fmt(x.s)}`).join(', ')}).`,
			samples,
			candidates: intervals.length,
			changes
		}
	];
}

/**
 * Generate recommendations from history records.
 * @param records - stored records (anything: corrupted ones are skipped with a message; nothing else is lost).
 * @param options - reference time, lookback (default 90 days), minimum samples (default 10), alpha (default 0.05).
 * @returns recommendations (actionable ones `pending`, the others `rejected` by the check with the reason), sorted
 *   by actionable first, then confidence, then id; the skipped records with reasons; the number of records used.
 */
export function generateRecommendations(records: readonly unknown[], options: RecommendationOptions): RecommendationReport {
	const lookback = options.lookbackMs ?? DEFAULT_LOOKBACK_MS;
	const minSamples = options.minSamples ?? DEFAULT_MIN_SAMPLES;
	const alpha = options.alpha ?? DEFAULT_ALPHA;
	if (!Number.isFinite(options.now)) throw new ValidationError('recommendations need a reference time (now).');
	if (!(minSamples >= 1)) throw new ValidationError(`minSamples must be at least 1, got ${minSamples}.`);
	const skipped: RecommendationReport['skipped'] = [];
	const used: HistoryRecord[] = [];
	records.forEach((raw, index) => {
		const p = parseHistoryRecord(raw);
		const id = typeof (raw as { id?: unknown })?.id === 'string' ? (raw as { id: string }).id : undefined;
		if (!p.ok) skipped.push({ index, id, reason: p.reason });
		else if (p.record.at < options.now - lookback || p.record.at > options.now) skipped.push({ index, id, reason: `outside the lookback (${Math.round(lookback / 86_400_000)} days before the reference time)` });
		else used.push(p.record);
	});
	used.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
	const out: Recommendation[] = [];
	const objectives = [...new Set(used.map((r) => `${r.objective.key}|${r.objective.direction}`))].sort();
	for (const o of objectives) {
		const [key, direction] = o.split('|') as [string, 'max' | 'min'];
		const recs = used.filter((r) => r.objective.key === key && r.objective.direction === direction);
		const ctx: Ctx = { objective: { key, direction }, records: recs };
		const createdAt = recs.reduce((m, r) => Math.max(m, r.at), 0);
		const strategies = [...new Set(recs.flatMap((r) => r.rows.map((x) => x.strategy)))].sort();
		for (const s of strategies) {
			const rows = recs.flatMap((rec) => rec.rows.filter((row) => row.strategy === s).map((row) => ({ rec, row })));
			for (const d of [...parameterDrafts(ctx, s, rows, minSamples), ...marketDraft(ctx, s, rows, minSamples), ...timeframeDraft(ctx, s, rows, minSamples)]) {
				out.push(finish(d, ctx, alpha, createdAt));
			}
		}
	}
	out.sort((a, b) => Number(b.actionable) - Number(a.actionable) || b.confidence.value - a.confidence.value || (a.id < b.id ? -1 : 1));
	return { recommendations: out, skipped, used: used.length };
}

// ---------------------------------------------------------------------------------------------------------------
// Status and audit trail
// ---------------------------------------------------------------------------------------------------------------

/** Allowed status changes. */
export const RECOMMENDATION_TRANSITIONS: Readonly<Record<RecommendationStatus, readonly RecommendationStatus[]>> = Object.freeze({
	pending: ['accepted', 'rejected'],
	accepted: ['applied', 'rejected', 'pending'],
	rejected: ['pending'],
	applied: []
});

/**
 * Change a recommendation's status and append the change to its audit trail.
 * @param rec - the recommendation (not mutated). @param to - the new status.
 * @param o - time, actor (default user), note; `reason` is required to reject (kept as `rejectionReason`);
 *   `changes` records what applying wrote.
 * @returns the updated copy.
 * @throws ValidationError for a change {@link RECOMMENDATION_TRANSITIONS} does not allow, accepting / applying /
 *   re-opening one the out-of-sample check rejected, or rejecting without a reason.
 */
export function transitionRecommendation(
	rec: Recommendation,
	to: RecommendationStatus,
	o: { at: UnixMs; actor?: 'user' | 'system'; note?: string; reason?: string; changes?: RecommendationAuditEntry['changes'] }
): Recommendation {
	const from = rec.status;
	if (!rec.actionable && to !== 'rejected') {
		throw new ValidationError(`this recommendation was rejected by the out-of-sample check (${rec.oos.reason}); it cannot be ${to}.`);
	}
	if (!RECOMMENDATION_TRANSITIONS[from].includes(to)) {
		throw new ValidationError(`a ${from} recommendation cannot become ${to} (allowed: ${RECOMMENDATION_TRANSITIONS[from].join(', ') || 'none, it is final'}).`);
	}
	if (to === 'rejected' && !(o.reason && o.reason.trim())) throw new ValidationError('give a reason to reject a recommendation (it is kept in the audit trail).');
	const next: Recommendation = structuredClone(rec);
	next.status = to;
	if (to === 'rejected') next.rejectionReason = o.reason!.trim();
	else if (to === 'pending') delete next.rejectionReason;
	const entry: RecommendationAuditEntry = { at: o.at, from, to, actor: o.actor ?? 'user' };
	const note = to === 'rejected' ? o.reason!.trim() : o.note;
	if (note) entry.note = note;
	if (o.changes) entry.changes = o.changes;
	next.audit = [...next.audit, entry];
	return next;
}

/**
 * Merge freshly generated recommendations with stored ones: a stored recommendation with the same id that a user
 * (or the system) has decided on keeps its status, rejection reason and audit trail and takes the fresh evidence;
 * one only the check has decided on is replaced by the fresh one; new ones are added; stored ones no longer
 * generated are kept unchanged.
 * @returns the merged list, fresh order first, then the stored-only ones.
 */
export function mergeRecommendations(stored: readonly Recommendation[], fresh: readonly Recommendation[]): Recommendation[] {
	const byId = new Map(stored.map((r) => [r.id, r]));
	const out: Recommendation[] = [];
	for (const f of fresh) {
		const s = byId.get(f.id);
		// Only the check has decided so far: the fresh check's decision replaces it.
		const undecided = !s || s.audit.every((e) => e.actor === 'check');
		out.push(undecided ? f : { ...f, status: s.status, rejectionReason: s.rejectionReason, audit: s.audit });
		byId.delete(f.id);
	}
	for (const s of stored) if (byId.has(s.id)) out.push(s);
	return out;
}
