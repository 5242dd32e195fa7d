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
	/** Marker size multiplier (lightweight-charts default 1). */
	size?: number;
	id: string;
}

/** Marker colours, also used by the chart legend. */
export const MARKER_COLORS = Object.freeze({
	longEntry: '#2ebd85',
	shortEntry: '#f6465d',
	signalExit: '#5aa9ff',
	stopLoss: '#ff7a45',
	takeProfit: '#c08bff',
	endOfData: '#9aa5b4',
	highlight: '#f0b90b'
});

/** Options of {@link tradeMarkers}. */
export interface TradeMarkerOptions {
	/** Add short text (`#12`, `SL`, `TP`) to markers: only when zoomed in, so candles stay visible. Default false. */
	labels?: boolean;
	/** Index of a trade to emphasise (bigger markers with its number). */
	highlight?: number | null;
}

/**
 * Entry and exit markers of trades, sorted by time: arrows only. Entries point in the trade's
 * direction (long: up, below the bar; short: down, above); exits point back (long exit: down,
 * above the bar) in the colour of the exit reason (signal, stop-loss, take-profit, end of data).
 * Text labels appear only with `labels` (zoomed in) or on the highlighted trade.
 * @param trades - closed trades with entry/exit times in ms.
 * @param opts - see {@link TradeMarkerOptions}.
 * @returns markers with ids `e<i>` (entry) and `x<i>` (exit), `i` = trade index.
 */
export function tradeMarkers(trades: readonly Trade[], opts: TradeMarkerOptions = {}): TradeMarker[] {
	const out: TradeMarker[] = [];
	const REASON_TEXT: Record<string, string> = { stop_loss: 'SL', take_profit: 'TP', end_of_data: 'End', signal: '' };
	const REASON_COLOR: Record<string, string> = {
		stop_loss: MARKER_COLORS.stopLoss,
		take_profit: MARKER_COLORS.takeProfit,
		end_of_data: MARKER_COLORS.endOfData,
		signal: MARKER_COLORS.signalExit
	};
	trades.forEach((t, i) => {
		const long = t.direction === 'long';
		const hi = opts.highlight === i;
		const entry: TradeMarker = {
			id: `e${i}`,
			time: toChartTime(t.entryTime),
			position: long ? 'belowBar' : 'aboveBar',
			shape: long ? 'arrowUp' : 'arrowDown',
			color: long ? MARKER_COLORS.longEntry : MARKER_COLORS.shortEntry
		};
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
			shape: long ? 'arrowDown' : 'arrowUp',
			color: REASON_COLOR[t.exitReason] ?? MARKER_COLORS.signalExit
		};
		if (hi) {
			Object.assign(entry, { text: `#${i + 1}`, size: 2, color: MARKER_COLORS.highlight });
			Object.assign(exit, { text: REASON_TEXT[t.exitReason] || `#${i + 1}`, size: 2 });
		} else if (opts.labels) {
			const txt = REASON_TEXT[t.exitReason];
			if (txt) exit.text = txt;
		}
		out.push(entry, exit);
	});
	// Stable sort by time: an exit and the next entry on the same bar keep their order.
	return out.map((m, k) => ({ m, k })).sort((a, b) => a.m.time - b.m.time || a.k - b.k).map((x) => x.m);
}

/**
 * Equity of buying at the first bar's close and holding: `initialCash * close[i] / close[0]` (no
 * fees), the curve behind the `buyHoldReturnRatio` statistic.
 * @param close - closes, length = bars.
 * @param initialCash - starting equity in the quote asset.
 * @returns Float64Array, length = bars (empty when `close` is empty or starts at 0).
 */
export function buyHoldEquity(close: ArrayLike<number>, initialCash: number): Float64Array {
	const n = close.length;
	if (!n || !(close[0] > 0)) return new Float64Array(0);
	const out = new Float64Array(n);
	const k = initialCash / close[0];
	for (let i = 0; i < n; i++) out[i] = close[i] * k;
	return out;
}

/**
 * Index of the bar opening at `t`, or of the last bar opening before it (binary search).
 * @param openTime - ascending open times, ms.
 * @returns -1 when `t` is before the first bar.
 */
export function barIndexAt(openTime: ArrayLike<number>, t: number): number {
	let lo = 0;
	let hi = openTime.length - 1;
	let ans = -1;
	while (lo <= hi) {
		const mid = (lo + hi) >> 1;
		if (openTime[mid] <= t) {
			ans = mid;
			lo = mid + 1;
		} else hi = mid - 1;
	}
	return ans;
}

/** Range presets of the chart: label and length in ms (`null` = the whole run). */
export const CHART_RANGES: readonly { label: string; ms: number | null }[] = Object.freeze([
	{ label: '1M', ms: 30 * 86_400_000 },
	{ label: '3M', ms: 91 * 86_400_000 },
	{ label: '1Y', ms: 365 * 86_400_000 },
	{ label: 'All', ms: null }
]);

/** Bars shown when a chart opens: the last few hundred, so candles are readable. */
export const INITIAL_VISIBLE_BARS = 300;

/**
 * Visible logical range (bar indices) for a preset ending at the last bar.
 * @param openTime - ascending open times, ms.
 * @param ms - preset length in ms, or null for all bars.
 * @returns `{ from, to }` bar indices (inclusive), with half a bar of margin on each side.
 */
export function presetRange(openTime: ArrayLike<number>, ms: number | null): { from: number; to: number } {
	const n = openTime.length;
	if (!n) return { from: 0, to: 0 };
	if (ms === null) return { from: -0.5, to: n - 0.5 };
	const first = Math.max(0, barIndexAt(openTime, openTime[n - 1] - ms) + 1);
	return { from: first - 0.5, to: n - 0.5 };
}

/**
 * Visible range around one trade: the trade and as many bars again on each side (at least 40).
 * @returns `{ from, to }` bar indices.
 */
export function tradeFocusRange(entryBar: number, exitBar: number, bars: number): { from: number; to: number } {
	const pad = Math.max(40, exitBar - entryBar);
	return { from: Math.max(-0.5, entryBar - pad), to: Math.min(bars - 0.5, exitBar + pad) };
}

/**
 * Horizontal guide levels of an oscillator pane from the strategy's parameters (RSI thresholds).
 * @param strategy - strategy id.
 * @param params - resolved parameters.
 * @returns levels with labels, in oscillator units (0-100 for RSI).
 */
export function oscillatorLevels(strategy: string, params: Record<string, number | boolean>): { value: number; label: string }[] {
	const num = (k: string) => (typeof params[k] === 'number' ? (params[k] as number) : NaN);
	const out: { value: number; label: string }[] = [];
	const add = (k: string, label: string) => {
		if (Number.isFinite(num(k))) out.push({ value: num(k), label });
	};
	if (strategy === 'rsi-mean-reversion') {
		add('oversold', 'Oversold');
		add('overbought', 'Overbought');
	} else if (strategy === 'rsi-atr-momentum') {
		add('longRsiMin', 'Long band');
		add('longRsiMax', 'Long band');
		add('shortRsiMin', 'Short band');
		add('shortRsiMax', 'Short band');
	}
	return out;
}
