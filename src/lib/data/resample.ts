/**
 * Build longer candles from shorter stored ones (e.g. 4h and 1d from 1h) when Binance cannot be
 * reached. Binance's own candles of an interval are aligned to the Unix epoch in UTC (a 4h candle
 * opens at 00:00, 04:00, ... UTC; a 1d candle at 00:00 UTC), and aggregate every trade of their
 * period, so the derived candle of a period is:
 *   open = open of its first sub-candle, high = max high, low = min low, close = close of its last
 *   sub-candle, volume = sum of volumes.
 * This equals Binance's candle exactly when every sub-candle Binance has for the period is stored
 * (tested on real BTCUSDT/ETHUSDT files). A period with fewer sub-candles than its length holds is
 * kept when the missing ones are inside the data (an exchange halt leaves them missing at Binance
 * too) and counted in `partial`; a period at either end of the data that is not fully covered is
 * dropped, because the candles before or after it are simply not stored (or not closed yet).
 * Derived candles are marked as such by the caller (never stored as if Binance had sent them).
 */
import { timeframeMs } from '../core/timeframe';
import type { OhlcvColumns, Timeframe } from '../core/types';

/** Result of {@link resampleCandles}. */
export interface ResampleResult {
	/** Derived candles, ascending open times. */
	ohlcv: OhlcvColumns;
	/** Derived candles built from fewer sub-candles than the period holds (gaps inside the data). */
	partial: number;
	/** Periods at the ends of the data left out because they were not fully covered. */
	droppedEdges: number;
}

/**
 * Aggregate candles into a longer, epoch-aligned interval.
 * @param source - ascending candles of the shorter interval (columns of equal length, ms open times).
 * @param sourceInterval - interval of `source`, e.g. `1h`.
 * @param target - longer interval, a whole multiple of `sourceInterval`, e.g. `4h` or `1d`.
 * @returns derived candles with counts of partial and dropped periods.
 * @throws RangeError when `target` is not a whole multiple of `sourceInterval`, or is a calendar month.
 */
export function resampleCandles(source: OhlcvColumns, sourceInterval: Timeframe, target: Timeframe): ResampleResult {
	if ((target as string) === '1M') throw new RangeError('Monthly candles have calendar-month lengths; resample to 1d or 1w instead');
	const step = timeframeMs(sourceInterval);
	const len = timeframeMs(target);
	if (len <= step || len % step !== 0) throw new RangeError(`${target} is not a whole multiple of ${sourceInterval}: cannot build it from ${sourceInterval} candles`);
	const per = len / step;
	const n = source.openTime.length;
	const t: number[] = [];
	const o: number[] = [];
	const h: number[] = [];
	const l: number[] = [];
	const c: number[] = [];
	const v: number[] = [];
	const counts: number[] = [];
	let i = 0;
	while (i < n) {
		// Weeks: Binance 1w candles open on Monday 00:00 UTC; the epoch (1970-01-01) was a Thursday.
		const shift = target === '1w' ? 4 * 86_400_000 : 0;
		const start = Math.floor((source.openTime[i] - shift) / len) * len + shift;
		const end = start + len;
		let hi = -Infinity;
		let lo = Infinity;
		let vol = 0;
		let k = 0;
		const first = i;
		while (i < n && source.openTime[i] < end) {
			if (source.high[i] > hi) hi = source.high[i];
			if (source.low[i] < lo) lo = source.low[i];
			vol += source.volume[i];
			k++;
			i++;
		}
		t.push(start);
		o.push(source.open[first]);
		h.push(hi);
		l.push(lo);
		c.push(source.close[i - 1]);
		v.push(vol);
		counts.push(k);
	}
	// Drop periods at either end whose first/last sub-candle slot is not stored.
	let a = 0;
	let b = t.length;
	let droppedEdges = 0;
	if (b && source.openTime[0] !== t[0]) {
		a = 1;
		droppedEdges++;
	}
	if (b > a && source.openTime[n - 1] !== t[b - 1] + len - step) {
		b--;
		droppedEdges++;
	}
	let partial = 0;
	for (let k = a; k < b; k++) if (counts[k] < per) partial++;
	const col = (x: number[]) => Float64Array.from(x.slice(a, b));
	return {
		ohlcv: { openTime: col(t), open: col(o), high: col(h), low: col(l), close: col(c), volume: col(v) },
		partial,
		droppedEdges
	};
}

/** Intervals that can be built from stored `1h` candles in the app. */
export const DERIVABLE_FROM_1H: readonly Timeframe[] = Object.freeze(['2h', '4h', '6h', '8h', '12h', '1d'] as Timeframe[]);
