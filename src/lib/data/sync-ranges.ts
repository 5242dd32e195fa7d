/**
 * Range arithmetic on candle open times, shared by sync planning and the candle store's
 * coverage metadata. Pure functions, no I/O.
 *
 * Conventions: a {@link TimeRange} is half-open `[from, to)` in Unix ms UTC; a run is an
 * inclusive `[firstOpenTime, lastOpenTime]` pair of consecutive candles spaced by `intervalMs`.
 */
import type { UnixMs } from '../core/types';
import type { Gap } from './gaps';

/** Half-open range of candle open times `[from, to)` in Unix ms UTC. */
export interface TimeRange {
	from: UnixMs;
	to: UnixMs;
}

/**
 * Sort ranges and merge the ones that overlap or touch; empty ranges (`to <= from`) are dropped.
 * @param ranges - half-open ranges in any order.
 * @returns a new sorted array of disjoint, non-touching ranges.
 */
export function normalizeRanges(ranges: readonly TimeRange[]): TimeRange[] {
	const sorted = ranges.filter((r) => r.to > r.from).sort((a, b) => a.from - b.from);
	const out: TimeRange[] = [];
	for (const r of sorted) {
		const last = out[out.length - 1];
		if (last && r.from <= last.to) last.to = Math.max(last.to, r.to);
		else out.push({ from: r.from, to: r.to });
	}
	return out;
}

/**
 * Add one range to a normalised range list.
 * @param ranges - normalised ranges (see {@link normalizeRanges}).
 * @param range - the half-open range to add.
 * @returns a new normalised list containing the union.
 */
export function addRange(ranges: readonly TimeRange[], range: TimeRange): TimeRange[] {
	return normalizeRanges([...ranges, range]);
}

/**
 * The parts of `target` not covered by `covered`.
 * @param target - the half-open range wanted.
 * @param covered - normalised covered ranges.
 * @returns sorted, disjoint half-open ranges inside `target`; empty when `target` is fully covered.
 */
export function subtractRanges(target: TimeRange, covered: readonly TimeRange[]): TimeRange[] {
	const out: TimeRange[] = [];
	let cursor = target.from;
	for (const c of normalizeRanges(covered)) {
		if (c.to <= cursor) continue;
		if (c.from >= target.to) break;
		if (c.from > cursor) out.push({ from: cursor, to: Math.min(c.from, target.to) });
		cursor = Math.max(cursor, c.to);
		if (cursor >= target.to) break;
	}
	if (cursor < target.to) out.push({ from: cursor, to: target.to });
	return out;
}

/**
 * Runs of consecutive candles in an ascending open-time column.
 * @param openTime - strictly ascending open times (Unix ms), any length.
 * @param intervalMs - candle length in ms; candles `intervalMs` apart belong to one run.
 * @returns inclusive `[first, last]` open-time pairs, oldest first.
 */
export function runsFromOpenTimes(openTime: ArrayLike<number>, intervalMs: number): Array<[UnixMs, UnixMs]> {
	const runs: Array<[UnixMs, UnixMs]> = [];
	if (openTime.length === 0) return runs;
	let start = openTime[0];
	let prev = start;
	for (let i = 1; i < openTime.length; i++) {
		const t = openTime[i];
		if (t - prev !== intervalMs) {
			runs.push([start, prev]);
			start = t;
		}
		prev = t;
	}
	runs.push([start, prev]);
	return runs;
}

/**
 * Union of two run lists on the same candle grid.
 * @param a - runs, sorted (any overlap allowed).
 * @param b - runs, sorted (any overlap allowed).
 * @param intervalMs - candle length in ms; runs that touch (`next.first = prev.last + intervalMs`) are joined.
 * @returns sorted, disjoint, non-touching runs.
 */
export function mergeRuns(
	a: ReadonlyArray<readonly [UnixMs, UnixMs]>,
	b: ReadonlyArray<readonly [UnixMs, UnixMs]>,
	intervalMs: number
): Array<[UnixMs, UnixMs]> {
	const all = [...a, ...b].sort((x, y) => x[0] - y[0]);
	const out: Array<[UnixMs, UnixMs]> = [];
	for (const [s, e] of all) {
		const last = out[out.length - 1];
		if (last && s <= last[1] + intervalMs) last[1] = Math.max(last[1], e);
		else out.push([s, e]);
	}
	return out;
}

/**
 * Number of candles in a run list.
 * @param runs - disjoint runs on a grid of `intervalMs`.
 * @param intervalMs - candle length in ms.
 * @returns total candle count.
 */
export function countRuns(runs: ReadonlyArray<readonly [UnixMs, UnixMs]>, intervalMs: number): number {
	let n = 0;
	for (const [s, e] of runs) n += Math.round((e - s) / intervalMs) + 1;
	return n;
}

/**
 * Missing candles between stored runs that lie wholly inside a covered range: the source was
 * asked for them and returned nothing, so they are real exchange gaps (halts), not unfetched data.
 * @param runs - disjoint sorted runs of stored candles.
 * @param covered - normalised covered ranges.
 * @param intervalMs - candle length in ms.
 * @returns known gaps (same shape as `findGaps`), oldest first.
 */
export function knownGaps(
	runs: ReadonlyArray<readonly [UnixMs, UnixMs]>,
	covered: readonly TimeRange[],
	intervalMs: number
): Gap[] {
	const gaps: Gap[] = [];
	for (let i = 1; i < runs.length; i++) {
		const fromOpenTime = runs[i - 1][1] + intervalMs;
		const toOpenTime = runs[i][0] - intervalMs;
		if (toOpenTime < fromOpenTime) continue;
		const inside = covered.some((c) => c.from <= fromOpenTime && toOpenTime < c.to);
		if (inside) gaps.push({ fromOpenTime, toOpenTime, missingBars: Math.round((toOpenTime - fromOpenTime) / intervalMs) + 1 });
	}
	return gaps;
}
