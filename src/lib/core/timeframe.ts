import type { OhlcvColumns, Timeframe, UnixMs } from './types';
import { ValidationError } from './errors';

/** Milliseconds per Binance interval (fixed-length intervals only; `1M` is not supported). */
export const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = Object.freeze({
	'1m': 60_000,
	'3m': 180_000,
	'5m': 300_000,
	'15m': 900_000,
	'30m': 1_800_000,
	'1h': 3_600_000,
	'2h': 7_200_000,
	'4h': 14_400_000,
	'6h': 21_600_000,
	'8h': 28_800_000,
	'12h': 43_200_000,
	'1d': 86_400_000,
	'3d': 259_200_000,
	'1w': 604_800_000
});

/** All supported timeframes, shortest first. */
export const TIMEFRAMES = Object.keys(TIMEFRAME_MS) as Timeframe[];

/**
 * Length of one candle of `timeframe` in milliseconds.
 * @throws ValidationError if `timeframe` is not a supported Binance interval.
 */
export function timeframeMs(timeframe: string): number {
	// Own keys only: "__proto__", "constructor" or "toString" must not resolve to Object.prototype members.
	const ms = typeof timeframe === 'string' && Object.hasOwn(TIMEFRAME_MS, timeframe) ? (TIMEFRAME_MS as Record<string, number>)[timeframe] : undefined;
	if (ms === undefined) {
		throw new ValidationError(`Unknown timeframe "${timeframe}": use one of ${TIMEFRAMES.join(', ')}`);
	}
	return ms;
}

/** Type guard for {@link Timeframe}. */
export function isTimeframe(value: string): value is Timeframe {
	return Object.prototype.hasOwnProperty.call(TIMEFRAME_MS, value);
}

/** Infer the bar spacing of a series: the most common positive difference of consecutive open times (ms); NaN for < 2 bars. */
export function inferIntervalMs(openTime: ArrayLike<number>): number {
	const counts = new Map<number, number>();
	for (let i = 1; i < openTime.length; i++) {
		const d = openTime[i] - openTime[i - 1];
		if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
	}
	let best = NaN;
	let bestCount = 0;
	for (const [d, c] of counts) if (c > bestCount || (c === bestCount && d < best)) (best = d), (bestCount = c);
	return best;
}

/** ISO-8601 UTC string of a millisecond timestamp, without milliseconds (`2025-07-25T17:00:00Z`). */
export function isoUtc(ms: UnixMs): string {
	return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Number of bars in `ohlcv`. */
export function barCount(ohlcv: OhlcvColumns): number {
	return ohlcv.openTime.length;
}

/** New zero-filled OHLCV columns for `n` bars (Float64Array each). */
export function allocateOhlcv(n: number): OhlcvColumns {
	return {
		openTime: new Float64Array(n),
		open: new Float64Array(n),
		high: new Float64Array(n),
		low: new Float64Array(n),
		close: new Float64Array(n),
		volume: new Float64Array(n)
	};
}

/** Copy bars `[from, to)` of `ohlcv` into new columns. */
export function sliceOhlcv(ohlcv: OhlcvColumns, from: number, to: number): OhlcvColumns {
	return {
		openTime: ohlcv.openTime.slice(from, to),
		open: ohlcv.open.slice(from, to),
		high: ohlcv.high.slice(from, to),
		low: ohlcv.low.slice(from, to),
		close: ohlcv.close.slice(from, to),
		volume: ohlcv.volume.slice(from, to)
	};
}
