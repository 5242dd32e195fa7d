/**
 * Trial results as a few typed arrays instead of one object per trial, so a worker can return a batch with a
 * transfer (no structured clone of thousands of small objects) and the page rebuilds the same {@link TrialResult}s.
 * Lossless: every number is a float64 copied bit for bit (NaN, ±Infinity and -0 included). No DOM or Node imports.
 */
import type { TrialResult } from './evaluate';
import type { TrialStats } from './objective';

/** A batch of trial results in columns. `count` trials, `dims` searched parameters, `statKeys.length` statistics. */
export interface PackedTrials {
	count: number;
	dims: number;
	/** Statistic names, in the order of the `stats` columns (the key order of the trials' `stats` objects). */
	statKeys: string[];
	/** Combination index per trial (Float64Array, length count). */
	index: Float64Array;
	/** Searched values, row-major: trial t's values at `[t * dims, (t + 1) * dims)`. */
	values: Float64Array;
	/** Statistics, row-major: trial t's statistic k at `t * statKeys.length + k`. */
	stats: Float64Array;
	/** Ranking value per trial (NaN when not ranked). */
	rank: Float64Array;
	/** Wall time the worker spent evaluating the batch, ms (for batch sizing). */
	elapsedMs: number;
}

/**
 * Pack trial results into columns.
 * @param results - trials of one job (same searched parameters and statistic keys).
 * @param elapsedMs - evaluation time to report with them, ms.
 * @returns the packed batch; its four arrays own their buffers (safe to transfer).
 * @throws RangeError when the trials disagree on the number of parameters or statistics.
 */
export function packTrials(results: readonly TrialResult[], elapsedMs = 0): PackedTrials {
	const count = results.length;
	const dims = count ? results[0].values.length : 0;
	const statKeys = count ? Object.keys(results[0].stats) : [];
	const nk = statKeys.length;
	const index = new Float64Array(count);
	const values = new Float64Array(count * dims);
	const stats = new Float64Array(count * nk);
	const rank = new Float64Array(count);
	for (let t = 0; t < count; t++) {
		const r = results[t];
		if (r.values.length !== dims) throw new RangeError(`trial ${r.index} has ${r.values.length} parameter values, the batch ${dims}.`);
		index[t] = r.index;
		rank[t] = r.rank;
		for (let d = 0; d < dims; d++) values[t * dims + d] = r.values[d];
		const s = r.stats as unknown as Record<string, number>;
		for (let k = 0; k < nk; k++) stats[t * nk + k] = s[statKeys[k]];
	}
	return { count, dims, statKeys, index, values, stats, rank, elapsedMs };
}

/**
 * Rebuild the trial results of a packed batch.
 * @param p - a batch from {@link packTrials}.
 * @returns trials equal (deeply, key order included) to the packed ones.
 */
export function unpackTrials(p: PackedTrials): TrialResult[] {
	const out: TrialResult[] = new Array(p.count);
	const nk = p.statKeys.length;
	for (let t = 0; t < p.count; t++) {
		const values = new Array<number>(p.dims);
		for (let d = 0; d < p.dims; d++) values[d] = p.values[t * p.dims + d];
		const stats: Record<string, number> = {};
		for (let k = 0; k < nk; k++) stats[p.statKeys[k]] = p.stats[t * nk + k];
		out[t] = { index: p.index[t], values, stats: stats as unknown as TrialStats, rank: p.rank[t] };
	}
	return out;
}

/** The buffers of a packed batch, to pass to a transfer list. */
export function packedBuffers(p: PackedTrials): ArrayBuffer[] {
	return [p.index.buffer, p.values.buffer, p.stats.buffer, p.rank.buffer] as ArrayBuffer[];
}
