/**
 * Share payloads from stored results, share URLs, and the check of a reproduced result against
 * what the link says the sender got.
 *
 * Verdict rule: a reproduction is `identical` when the candles hash the same, the trade list hashes
 * the same and every shared statistic is the same float64 (`Object.is`); otherwise `mismatch`, with
 * every reason found (different candles, different engine version, different trades or
 * statistics). An engine version that differs while everything else is identical is reported as a
 * note on an identical verdict.
 */
import type { RunFingerprint } from '../engine/fingerprint';
import type { BacktestConfig } from '../engine/types';
import type { OptimizationJob, SearchMethod, TrialResult } from '../optimize';
import { isoUtc } from '../core/timeframe';
import type { Timeframe, UnixMs } from '../core/types';
import { encodeShareToken } from './codec';
import {
	MAX_SHARED_TRIALS,
	SHARED_RUN_METRICS,
	type OptimisationSharePayload,
	type RunSharePayload,
	type SharedMarket,
	type SharedRunMetric,
	type SharedTrial
} from './schema';

/** Path of the share page under the site's base. */
export const SHARE_PAGE = 'share/';

/** The outcome of checking a reproduction. */
export interface Verification {
	status: 'identical' | 'mismatch';
	/** Why it is a mismatch (empty when identical). */
	reasons: string[];
	/** Remarks that do not change the verdict (e.g. another engine build with identical results). */
	notes: string[];
}

/** Market fields of a stored run or optimisation. */
export interface MarketLike {
	symbol: string;
	interval: string;
	firstOpenTime: UnixMs;
	lastOpenTime: UnixMs;
	bars: number;
}

function sharedMarket(m: MarketLike): SharedMarket {
	return { symbol: m.symbol, interval: m.interval as Timeframe, firstOpenTime: m.firstOpenTime, lastOpenTime: m.lastOpenTime, bars: m.bars };
}

const finiteOrNull = (v: number | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The share document of a completed run.
 * @param run - configuration, market, and the result's fingerprint and statistics.
 * @param now - creation time, ms UTC.
 * @throws Error when the run has no fingerprint (stored before fingerprints existed: run it again).
 */
export function runSharePayload(
	run: { config: BacktestConfig; market: MarketLike; result?: { fingerprint?: RunFingerprint; metrics: Record<string, number> } },
	now: UnixMs = Date.now()
): RunSharePayload {
	const fp = run.result?.fingerprint;
	if (!run.result || !fp) throw new Error('This run has no fingerprint (it was stored by an older version of the app). Run it again, then share the new run.');
	const metrics = Object.fromEntries(SHARED_RUN_METRICS.map((k) => [k, finiteOrNull(run.result!.metrics[k])])) as Record<SharedRunMetric, number | null>;
	return {
		kind: 'run',
		engineVersion: fp.engineVersion,
		market: sharedMarket(run.market),
		config: structuredClone(run.config),
		expected: { dataHash: fp.dataHash, fingerprint: fp.fingerprint, tradesHash: fp.tradesHash, metrics },
		createdAt: Math.round(now)
	};
}

/**
 * Best trials in share form (at most {@link MAX_SHARED_TRIALS}).
 * @param topK - best trials, best first.
 * @param objectiveKey - the job's objective statistic.
 */
export function sharedTrials(topK: readonly TrialResult[], objectiveKey: string): SharedTrial[] {
	return topK.slice(0, MAX_SHARED_TRIALS).map((t) => ({
		index: t.index,
		values: [...t.values],
		objective: finiteOrNull((t.stats as unknown as Record<string, number>)[objectiveKey])
	}));
}

/**
 * The share document of a finished optimisation.
 * @param input - market, the job (its `data` field is recomputed by the receiver), the method with its seed,
 *   the engine version and candle hash, trials evaluated and the best trials.
 */
export function optimisationSharePayload(
	input: { market: MarketLike; job: OptimizationJob; method: SearchMethod; engineVersion: string; dataHash: string; evaluated: number; topK: readonly TrialResult[] },
	now: UnixMs = Date.now()
): OptimisationSharePayload {
	const { config, axes, objective } = structuredClone(input.job);
	return {
		kind: 'optimisation',
		engineVersion: input.engineVersion,
		market: sharedMarket(input.market),
		job: { config, axes, objective },
		method: structuredClone(input.method),
		expected: { dataHash: input.dataHash, evaluated: input.evaluated, best: sharedTrials(input.topK, objective.key) },
		createdAt: Math.round(now)
	};
}

/**
 * A share URL.
 * @param sharePageUrl - absolute URL of the share page (e.g. `new URL('share/', siteRoot)`).
 * @param payload - a run or optimisation share document.
 * @returns `…/share/#v1.<token>`.
 * @throws ShareLinkError(`oversized`) when the document does not fit in a link.
 */
export function shareUrl(sharePageUrl: string | URL, payload: RunSharePayload | OptimisationSharePayload): string {
	const url = new URL(String(sharePageUrl));
	url.search = '';
	url.hash = encodeShareToken(payload);
	return url.toString();
}

function marketReasons(expected: SharedMarket, dataHash: string, got: { bars: number; firstOpenTime: UnixMs; lastOpenTime: UnixMs; dataHash: string }): string[] {
	if (got.bars !== expected.bars || got.firstOpenTime !== expected.firstOpenTime || got.lastOpenTime !== expected.lastOpenTime) {
		return [
			`Different data: the sender ran on ${expected.bars.toLocaleString('en-US')} candles ${isoUtc(expected.firstOpenTime)} → ${isoUtc(expected.lastOpenTime)}; ` +
				`${got.bars.toLocaleString('en-US')} candles ${isoUtc(got.firstOpenTime)} → ${isoUtc(got.lastOpenTime)} are available here (missing candles could not be fetched).`
		];
	}
	if (got.dataHash !== dataHash) {
		return [
			`Different data: the ${expected.bars.toLocaleString('en-US')} candles here do not hash like the sender's (${got.dataHash.slice(0, 12)}… vs ${dataHash.slice(0, 12)}…): some prices or volumes differ (e.g. an imported file or a corrected exchange record).`
		];
	}
	return [];
}

function engineNote(expected: string, got: string): string {
	return `Different engine version: the link was made with engine ${expected}; this app runs ${got}.`;
}

/**
 * Check a reproduced run against a run link.
 * @param payload - the validated link.
 * @param got - the reproduction: its fingerprint, full statistics, and the candles it used (count, first/last open time).
 */
export function verifyRun(
	payload: RunSharePayload,
	got: { fingerprint: RunFingerprint; metrics: Record<string, number>; bars: number; firstOpenTime: UnixMs; lastOpenTime: UnixMs }
): Verification {
	const reasons = marketReasons(payload.market, payload.expected.dataHash, { ...got, dataHash: got.fingerprint.dataHash });
	const notes: string[] = [];
	const engineDiffers = got.fingerprint.engineVersion !== payload.engineVersion;
	const differing = SHARED_RUN_METRICS.filter((k) => !Object.is(finiteOrNull(got.metrics[k]), payload.expected.metrics[k]));
	const tradesDiffer = got.fingerprint.tradesHash !== payload.expected.tradesHash;
	const resultDiffers = tradesDiffer || differing.length > 0;
	if (resultDiffers) {
		if (engineDiffers) reasons.push(engineNote(payload.engineVersion, got.fingerprint.engineVersion));
		const what = [tradesDiffer ? 'the trade list' : '', ...differing].filter(Boolean).join(', ');
		reasons.push(
			reasons.length
				? `Different result: ${what} differ${differing.length + (tradesDiffer ? 1 : 0) === 1 ? 's' : ''}.`
				: `Different result with identical inputs (${what}): the engine did not reproduce the run. Please report this link.`
		);
	} else if (engineDiffers) {
		notes.push(`${engineNote(payload.engineVersion, got.fingerprint.engineVersion)} The results are identical.`);
	}
	if (!reasons.length && !engineDiffers && got.fingerprint.fingerprint !== payload.expected.fingerprint) {
		notes.push('The run fingerprint differs although data, engine and results agree (the link was made by another app version that encodes the configuration differently).');
	}
	return { status: reasons.length ? 'mismatch' : 'identical', reasons, notes };
}

/**
 * Check a reproduced optimisation against an optimisation link.
 * @param payload - the validated link.
 * @param got - engine version, candles used and their hash, trials evaluated, and the best trials (best first).
 */
export function verifyOptimisation(
	payload: OptimisationSharePayload,
	got: { engineVersion: string; dataHash: string; bars: number; firstOpenTime: UnixMs; lastOpenTime: UnixMs; evaluated: number; best: SharedTrial[] }
): Verification {
	const reasons = marketReasons(payload.market, payload.expected.dataHash, got);
	const notes: string[] = [];
	const engineDiffers = got.engineVersion !== payload.engineVersion;
	const want = payload.expected.best;
	const bestDiffers =
		want.length !== Math.min(got.best.length, MAX_SHARED_TRIALS) ||
		want.some((w, i) => {
			const g = got.best[i];
			return !g || g.index !== w.index || g.values.length !== w.values.length || g.values.some((v, d) => !Object.is(v, w.values[d])) || !Object.is(g.objective, w.objective);
		});
	const countDiffers = got.evaluated !== payload.expected.evaluated;
	if (bestDiffers || countDiffers) {
		if (engineDiffers) reasons.push(engineNote(payload.engineVersion, got.engineVersion));
		if (countDiffers) reasons.push(`Different search: ${got.evaluated.toLocaleString('en-US')} trials evaluated here, ${payload.expected.evaluated.toLocaleString('en-US')} by the sender.`);
		if (bestDiffers) reasons.push('Different best trials: the ranking or objective values differ from the sender\'s.');
	} else if (engineDiffers) {
		notes.push(`${engineNote(payload.engineVersion, got.engineVersion)} The results are identical.`);
	}
	return { status: reasons.length ? 'mismatch' : 'identical', reasons, notes };
}
