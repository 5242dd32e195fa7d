/**
 * Gaps (missing candles) and structural validation of candle columns.
 * Exchange halts leave holes in every symbol: gaps are facts to report, not errors.
 */
import { DataError } from '../core/errors';
import { isoUtc } from '../core/timeframe';
import type { OhlcvColumns, UnixMs } from '../core/types';

/** A run of missing candles between two present ones. */
export interface Gap {
	/** Open time of the first missing candle, Unix ms UTC. */
	fromOpenTime: UnixMs;
	/** Open time of the last missing candle, Unix ms UTC (equals `fromOpenTime` for a single missing candle). */
	toOpenTime: UnixMs;
	/** Number of missing candles (>= 1). */
	missingBars: number;
}

/**
 * Find every gap in a series of candle open times.
 *
 * @param openTime - strictly ascending open times, Unix ms UTC (any ArrayLike, e.g. `Float64Array`, length = bars).
 * @param intervalMs - candle length in ms (e.g. 3_600_000 for 1h); must be > 0.
 * @returns the gaps in time order; empty when the series is contiguous (or has < 2 bars). When two open
 *   times are not a whole number of intervals apart, the missing count is rounded up
 *   (`ceil(diff / intervalMs) - 1`) and the missing open times continue the earlier bar's grid.
 * @throws DataError if `intervalMs` is not a positive finite number.
 * @example findGaps(Float64Array.of(0, 3_600_000, 10_800_000), 3_600_000) // [{fromOpenTime: 7_200_000, toOpenTime: 7_200_000, missingBars: 1}]
 */
export function findGaps(openTime: ArrayLike<number>, intervalMs: number): Gap[] {
	checkInterval(intervalMs);
	const gaps: Gap[] = [];
	for (let i = 1; i < openTime.length; i++) {
		const diff = openTime[i] - openTime[i - 1];
		if (diff > intervalMs) {
			const missingBars = Math.ceil(diff / intervalMs) - 1;
			const fromOpenTime = openTime[i - 1] + intervalMs;
			gaps.push({ fromOpenTime, toOpenTime: fromOpenTime + (missingBars - 1) * intervalMs, missingBars });
		}
	}
	return gaps;
}

/** Total missing candles over `gaps`. */
export function countMissingBars(gaps: readonly Gap[]): number {
	let n = 0;
	for (const g of gaps) n += g.missingBars;
	return n;
}

/** One-line description of gaps for warnings and logs, e.g. `1 gap, 1 missing candle: 2023-03-24T13:00:00Z (1)`. */
export function describeGaps(gaps: readonly Gap[], maxListed = 5): string {
	if (gaps.length === 0) return 'no missing candles';
	const total = countMissingBars(gaps);
	const list = gaps
		.slice(0, maxListed)
		.map((g) =>
			g.missingBars === 1 ? `${isoUtc(g.fromOpenTime)} (1)` : `${isoUtc(g.fromOpenTime)}..${isoUtc(g.toOpenTime)} (${g.missingBars})`
		)
		.join('; ');
	return (
		`${gaps.length} gap${gaps.length === 1 ? '' : 's'}, ${total} missing candle${total === 1 ? '' : 's'}: ${list}` +
		(gaps.length > maxListed ? `; ... ${gaps.length - maxListed} more` : '')
	);
}

/**
 * The most recent run of candles without gaps.
 *
 * @param openTime - strictly ascending open times, Unix ms UTC (length = bars).
 * @param intervalMs - candle length in ms; must be > 0.
 * @returns `{start, end}` bar indices, `start` inclusive and `end` exclusive (`end` = bars), so
 *   `sliceOhlcv(ohlcv, start, end)` is the run; `{start: 0, end: 0}` for an empty series.
 * @throws DataError if `intervalMs` is not a positive finite number.
 */
export function lastContiguousRun(openTime: ArrayLike<number>, intervalMs: number): { start: number; end: number } {
	checkInterval(intervalMs);
	const end = openTime.length;
	if (end === 0) return { start: 0, end: 0 };
	let start = end - 1;
	while (start > 0 && openTime[start] - openTime[start - 1] === intervalMs) start--;
	return { start, end };
}

/**
 * Check that candle columns are usable by the engine: same length, not empty, all values finite, open
 * times strictly ascending (no duplicates).
 *
 * @param ohlcv - candle columns (`openTime` Unix ms UTC).
 * @returns nothing when the columns are valid.
 * @throws DataError naming the first offending bar (index and open time) and what is wrong: empty input,
 *   columns of different lengths, NaN/Infinity in any column, open time not after the previous one.
 */
export function validateOhlcv(ohlcv: OhlcvColumns): void {
	const columns = ['openTime', 'open', 'high', 'low', 'close', 'volume'] as const;
	for (const name of columns) {
		if (!(ohlcv[name] instanceof Float64Array)) {
			throw new DataError(`Candle column "${name}" is missing or not a Float64Array.`);
		}
	}
	const n = ohlcv.openTime.length;
	if (n === 0) throw new DataError('No candles: the series is empty. Sync from Binance or import a kline file first.');
	for (const name of columns) {
		if (ohlcv[name].length !== n) {
			throw new DataError(
				`Candle columns have different lengths: openTime has ${n} values but ${name} has ${ohlcv[name].length}.`
			);
		}
	}
	const t = ohlcv.openTime;
	for (let i = 0; i < n; i++) {
		for (const name of columns) {
			const v = ohlcv[name][i];
			if (!Number.isFinite(v)) {
				throw new DataError(`Bar ${i}${timeLabel(t[i])}: ${name} is ${v}; every value must be a finite number.`);
			}
		}
		if (i > 0 && t[i] <= t[i - 1]) {
			throw new DataError(
				`Bar ${i}${timeLabel(t[i])}: open time is ${t[i] === t[i - 1] ? 'a duplicate of' : 'before'} the previous bar's ` +
					`(${safeIso(t[i - 1])}); candles must be in strictly ascending time order without duplicates.`
			);
		}
	}
}

function timeLabel(t: number): string {
	return Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? ` (open time ${isoUtc(t)})` : '';
}

/** `isoUtc` that never throws: prints the raw number when it is not a valid date. @internal */
export function safeIso(t: number): string {
	return Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? isoUtc(t) : String(t);
}

function checkInterval(intervalMs: number): void {
	if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
		throw new DataError(`Candle interval must be a positive number of milliseconds, got ${intervalMs}.`);
	}
}
