/**
 * Adapters from run results to lightweight-charts data: the one place where Binance millisecond
 * times become chart seconds (`UTCTimestamp`), NaN values become whitespace points, and trades
 * become entry/exit markers. Plain functions, no DOM.
 */
import type { Trade } from '../engine/types';
import type { OhlcvColumns } from '../core/types';

/** Seconds since the epoch, the time unit of lightweight-charts (UTCTimestamp). */
export type ChartTime = number & { readonly __brand?: 'UTCTimestamp' };

/** Unix ms -> chart seconds. */
export function toChartTime(ms: number): ChartTime {
	return Math.floor(ms / 1000) as ChartTime;
}

/** A candlestick point. */
export interface CandlePoint {
	time: ChartTime;
	open: number;
	high: number;
	low: number;
	close: number;
}
/** A line point, or a whitespace point (no `value`) where the series is undefined. */
export type LinePoint = { time: ChartTime; value: number } | { time: ChartTime };

/**
 * Candles for a candlestick series.
 * @param ohlcv - columns, length = bars.
 */
export function candlePoints(ohlcv: OhlcvColumns): CandlePoint[] {
	const out: CandlePoint[] = new Array(ohlcv.openTime.length);
	for (let i = 0; i < out.length; i++) {
		out[i] = { time: toChartTime(ohlcv.openTime[i]), open: ohlcv.open[i], high: ohlcv.high[i], low: ohlcv.low[i], close: ohlcv.close[i] };
	}
	return out;
}

/**
 * A line aligned with bars; NaN/±Infinity values become whitespace points.
 * @param openTime - bar open times, ms, length = bars.
 * @param values - one value per bar.
 * @param scale - multiplier applied to every value (e.g. 100 for percent).
 */
export function linePoints(openTime: ArrayLike<number>, values: ArrayLike<number>, scale = 1): LinePoint[] {
	const n = Math.min(openTime.length, values.length);
	const out: LinePoint[] = new Array(n);
	for (let i = 0; i < n; i++) {
		const v = values[i];
		out[i] = Number.isFinite(v) ? { time: toChartTime(openTime[i]), value: v * scale } : { time: toChartTime(openTime[i]) };
	}
	return out;
}

/** A trade marker in lightweight-charts' SeriesMarker shape. */
export interface TradeMarker {
	time: ChartTime;
	position: 'aboveBar' | 'belowBar';
	shape: 'arrowUp' | 'arrowDown' | 'circle' | 'square';
	color: string;
	text?: string;
	id: string;
}

/** Marker colours, also used by the chart legend. */
export const MARKER_COLORS = Object.freeze({
	longEntry: '#2ebd85',
	shortEntry: '#f6465d',
	signalExit: '#5aa9ff',
	stopLoss: '#ff7a45',
	takeProfit: '#c08bff',
	endOfData: '#9aa5b4'
});

/**
 * Entry and exit markers of trades, sorted by time. Entries are arrows (long: up, below the bar;
 * short: down, above); exits are circles for signal exits, squares labelled `SL` / `TP` for
 * stop-loss / take-profit, and a grey circle `End` for the end-of-data close-out.
 * @param trades - closed trades with entry/exit times in ms.
 */
export function tradeMarkers(trades: readonly Trade[]): TradeMarker[] {
	const out: TradeMarker[] = [];
	trades.forEach((t, i) => {
		const long = t.direction === 'long';
		out.push({
			id: `e${i}`,
			time: toChartTime(t.entryTime),
			position: long ? 'belowBar' : 'aboveBar',
			shape: long ? 'arrowUp' : 'arrowDown',
			color: long ? MARKER_COLORS.longEntry : MARKER_COLORS.shortEntry
		});
		if (t.legs && new Set(t.legs.map((l) => `${l.bar}:${l.reason}`)).size > 1) {
			// A trade closed in legs (pattern-zones): one marker per leg, numbered.
			t.legs.forEach((l, k) => {
				const sl = l.reason === 'stop_loss';
				out.push({
					id: `x${i}.${k}`,
					time: toChartTime(l.time),
					position: long ? 'aboveBar' : 'belowBar',
					shape: 'square',
					color: sl ? MARKER_COLORS.stopLoss : l.reason === 'take_profit' ? MARKER_COLORS.takeProfit : MARKER_COLORS.endOfData,
					text: sl ? 'SL' : l.reason === 'take_profit' ? `TP${k + 1}` : 'End'
				});
			});
			return;
		}
		const exit: TradeMarker = {
			id: `x${i}`,
			time: toChartTime(t.exitTime),
			position: long ? 'aboveBar' : 'belowBar',
			shape: 'circle',
			color: MARKER_COLORS.signalExit
		};
		if (t.exitReason === 'stop_loss') Object.assign(exit, { shape: 'square', color: MARKER_COLORS.stopLoss, text: 'SL' });
		else if (t.exitReason === 'take_profit') Object.assign(exit, { shape: 'square', color: MARKER_COLORS.takeProfit, text: 'TP' });
		else if (t.exitReason === 'end_of_data') Object.assign(exit, { color: MARKER_COLORS.endOfData, text: 'End' });
		out.push(exit);
	});
	// Stable sort by time: an exit and the next entry on the same bar keep their order.
	return out.map((m, k) => ({ m, k })).sort((a, b) => a.m.time - b.m.time || a.k - b.k).map((x) => x.m);
}
