import { describe, expect, it } from 'vitest';
import type { Trade } from '../../../src/lib/engine/types';
import {
	barIndexAt,
	buyHoldEquity,
	candlePoints,
	linePoints,
	MARKER_COLORS,
	oscillatorLevels,
	presetRange,
	toChartTime,
	tradeFocusRange,
	tradeMarkers
} from '../../../src/lib/state/chart-data';
import { loadReferenceIndicators, referenceWindow, REFERENCE_WINDOW } from '../helpers/fixtures';
import { referenceTrades } from './reference-trades';

describe('chart adapters', () => {
	it('converts Binance milliseconds to chart seconds', () => {
		expect(toChartTime(REFERENCE_WINDOW.firstOpenTime)).toBe(1753462800);
		expect(toChartTime(1_700_000_000_999)).toBe(1_700_000_000);
	});

	it('maps the reference window candles one to one', () => {
		const w = referenceWindow('BTCUSDT');
		const pts = candlePoints(w);
		expect(pts).toHaveLength(8760);
		expect(pts[0]).toEqual({ time: 1753462800, open: w.open[0], high: w.high[0], low: w.low[0], close: w.close[0] });
		expect(pts[8759].time).toBe(REFERENCE_WINDOW.lastOpenTime / 1000);
	});

	it('turns undefined indicator values into whitespace points and scales values', () => {
		const w = referenceWindow('BTCUSDT');
		const ind = loadReferenceIndicators('BTCUSDT');
		const sma30 = linePoints(w.openTime, ind.sma30);
		expect(sma30.slice(0, 29).every((p) => !('value' in p))).toBe(true);
		expect(sma30[29]).toEqual({ time: toChartTime(w.openTime[29]), value: ind.sma30[29] });
		expect(linePoints([0, 3_600_000], Float64Array.of(0.25, NaN), -100)).toEqual([{ time: 0, value: -25 }, { time: 3600 }]);
	});

	it('marks every S1 trade entry and exit, time-sorted', () => {
		const trades = referenceTrades();
		const markers = tradeMarkers(trades);
		expect(markers).toHaveLength(2 * trades.length);
		for (let i = 1; i < markers.length; i++) expect(markers[i].time).toBeGreaterThanOrEqual(markers[i - 1].time);
		const entries = markers.filter((m) => m.id.startsWith('e'));
		expect(entries.every((m) => m.shape === 'arrowUp' && m.position === 'belowBar' && m.color === MARKER_COLORS.longEntry)).toBe(true);
		expect(entries[0].time).toBe(Date.parse('2025-07-29T10:00:00Z') / 1000);
		const exits = markers.filter((m) => m.id.startsWith('x'));
		// Zoomed out: arrows only, no text on any marker.
		expect(exits.every((m) => m.shape === 'arrowDown' && m.position === 'aboveBar')).toBe(true);
		expect(markers.every((m) => m.text === undefined)).toBe(true);
		// Zoomed in: the end-of-data exit says so.
		const reasons = new Set(trades.map((t) => t.exitReason));
		const labelled = tradeMarkers(trades, { labels: true }).filter((m) => m.id.startsWith('x'));
		if (reasons.has('end_of_data')) expect(labelled.filter((m) => m.text === 'End')).toHaveLength(1);
	});

	it('emphasises the highlighted trade with its number', () => {
		const trades = referenceTrades();
		const m = tradeMarkers(trades, { highlight: 4 });
		expect(m.find((x) => x.id === 'e4')).toMatchObject({ text: '#5', size: 2, color: MARKER_COLORS.highlight });
		expect(m.find((x) => x.id === 'x4')?.size).toBe(2);
		expect(m.filter((x) => x.size === 2)).toHaveLength(2);
	});

	it('buy-and-hold equity, bar lookup, range presets and RSI levels', () => {
		const w = referenceWindow('BTCUSDT');
		const bh = buyHoldEquity(w.close, 10_000);
		expect(bh[0]).toBe(10_000);
		expect(bh[bh.length - 1] / 10_000 - 1).toBeCloseTo(w.close[w.close.length - 1] / w.close[0] - 1, 12);
		expect(barIndexAt(w.openTime, w.openTime[100])).toBe(100);
		expect(barIndexAt(w.openTime, w.openTime[100] + 1)).toBe(100);
		expect(barIndexAt(w.openTime, w.openTime[0] - 1)).toBe(-1);
		// 1M on 1h bars: the last 30 days = 720 bars.
		const r = presetRange(w.openTime, 30 * 86_400_000);
		expect(r.to - r.from).toBe(720);
		expect(presetRange(w.openTime, null)).toEqual({ from: -0.5, to: w.openTime.length - 0.5 });
		expect(tradeFocusRange(1000, 1010, 8760)).toEqual({ from: 960, to: 1050 });
		expect(oscillatorLevels('rsi-mean-reversion', { period: 14, oversold: 30, overbought: 70 })).toEqual([
			{ value: 30, label: 'Oversold' },
			{ value: 70, label: 'Overbought' }
		]);
		expect(oscillatorLevels('sma-cross', { fast: 10, slow: 30 })).toEqual([]);
	});

	it('tells stop-loss, take-profit and short entries apart', () => {
		const [base] = referenceTrades();
		const sl: Trade = { ...base, direction: 'short', exitReason: 'stop_loss', exitTime: base.exitTime + 3_600_000 };
		const tp: Trade = { ...base, exitReason: 'take_profit', entryTime: base.entryTime + 7_200_000, exitTime: base.exitTime + 7_200_000 };
		const [shortEntry] = tradeMarkers([sl]);
		expect(shortEntry).toMatchObject({ shape: 'arrowDown', position: 'aboveBar', color: MARKER_COLORS.shortEntry });
		const all = tradeMarkers([sl, tp], { labels: true });
		expect(all.find((m) => m.id === 'x0')).toMatchObject({ shape: 'arrowUp', text: 'SL', color: MARKER_COLORS.stopLoss, position: 'belowBar' });
		expect(all.find((m) => m.id === 'x1')).toMatchObject({ shape: 'arrowDown', text: 'TP', color: MARKER_COLORS.takeProfit });
	});
});
