import { describe, expect, it } from 'vitest';
import type { Trade } from '../../../src/lib/engine/types';
import { candlePoints, linePoints, MARKER_COLORS, toChartTime, tradeMarkers } from '../../../src/lib/state/chart-data';
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
		const reasons = new Set(trades.map((t) => t.exitReason));
		expect(exits.filter((m) => m.shape === 'circle')).toHaveLength(trades.length);
		if (reasons.has('end_of_data')) expect(exits.filter((m) => m.text === 'End')).toHaveLength(1);
	});

	it('tells stop-loss, take-profit and short entries apart', () => {
		const [base] = referenceTrades();
		const sl: Trade = { ...base, direction: 'short', exitReason: 'stop_loss', exitTime: base.exitTime + 3_600_000 };
		const tp: Trade = { ...base, exitReason: 'take_profit', entryTime: base.entryTime + 7_200_000, exitTime: base.exitTime + 7_200_000 };
		const [shortEntry] = tradeMarkers([sl]);
		expect(shortEntry).toMatchObject({ shape: 'arrowDown', position: 'aboveBar', color: MARKER_COLORS.shortEntry });
		const all = tradeMarkers([sl, tp]);
		expect(all.find((m) => m.id === 'x0')).toMatchObject({ shape: 'square', text: 'SL', color: MARKER_COLORS.stopLoss, position: 'belowBar' });
		expect(all.find((m) => m.id === 'x1')).toMatchObject({ shape: 'square', text: 'TP', color: MARKER_COLORS.takeProfit });
	});
});
