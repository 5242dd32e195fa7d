/**
 * Trades-table figures: excursions (MFE/MAE) on a hand-checked case and on the real S1 BTCUSDT
 * reference trades (backtrader) with their candles; R multiples; the all / long / short split.
 */
import { describe, expect, it } from 'vitest';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import type { Trade } from '../../../src/lib/engine/types';
import { computeMetrics } from '../../../src/lib/metrics';
import { atrStopSpec, sideStats, splitBySide, tradeRows } from '../../../src/lib/metrics/trade-table';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import { loadReferenceCase, referenceTradeToTrade, referenceWindow, REFERENCE_WINDOW } from '../helpers/fixtures';

const H = 3_600_000;
function bars(rows: [number, number, number, number][]): OhlcvColumns {
	const n = rows.length;
	return {
		openTime: Float64Array.from(rows.map((_, i) => i * H)),
		open: Float64Array.from(rows.map((r) => r[0])),
		high: Float64Array.from(rows.map((r) => r[1])),
		low: Float64Array.from(rows.map((r) => r[2])),
		close: Float64Array.from(rows.map((r) => r[3])),
		volume: new Float64Array(n).fill(1)
	};
}
function trade(p: Partial<Trade>): Trade {
	return {
		direction: 'long',
		entryBar: 1,
		exitBar: 3,
		entryTime: H,
		exitTime: 3 * H,
		entryPrice: 100,
		exitPrice: 104,
		size: 2,
		entryFee: 0.2,
		exitFee: 0.208,
		pnl: 2 * 4 - 0.408,
		profitRatio: (2 * 4 - 0.408) / 200,
		exitReason: 'signal',
		...p
	};
}

describe('tradeRows', () => {
	// bar 0 before entry; entry at bar 1 open (100); bars 1-2 held; exit at bar 3 open (104).
	const c = bars([
		[90, 200, 10, 95],
		[100, 108, 97, 101],
		[101, 103, 95, 104],
		[104, 150, 50, 120]
	]);
	it('measures run-up and drawdown only over the bars held (hand-checked)', () => {
		const [r] = tradeRows([trade({})], c, { mode: 'none' });
		// Highest high of bars 1-2 = 108 -> MFE 8 per unit; lowest low 95 -> MAE 5 per unit; bar 3 excluded (exit at its open).
		expect(r.mfe).toBeCloseTo(16, 12);
		expect(r.mfeRatio).toBeCloseTo(0.08, 12);
		expect(r.mae).toBeCloseTo(10, 12);
		expect(r.maeRatio).toBeCloseTo(0.05, 12);
		expect(r.fees).toBeCloseTo(0.408, 12);
		expect(r.barsHeld).toBe(2);
		expect(r.rMultiple).toBeNull();
	});
	it('mirrors excursions for shorts, includes the last bar for an end-of-data exit, and gives R with a fixed stop', () => {
		const [s] = tradeRows([trade({ direction: 'short', exitPrice: 120, exitBar: 3, exitTime: 3 * H, exitReason: 'end_of_data', pnl: -40.44 })], c, {
			mode: 'fraction',
			value: 0.02
		});
		// Short from 100: favourable = 100 - min low (50, bar 3 included) = 50; adverse = max high 150 - 100 = 50.
		expect(s.mfe).toBeCloseTo(100, 12);
		expect(s.mae).toBeCloseTo(100, 12);
		// R = pnl / (2 units × 100 × 2 %) = -40.44 / 4.
		expect(s.rMultiple).toBeCloseTo(-10.11, 12);
	});
	it('R multiple of an ATR stop uses the stop distance at the signal bar (entry bar − 1)', () => {
		const [r] = tradeRows([trade({})], c, { mode: 'atr', value: 2 }, [2.5, 9, 9, 9]);
		// Risk = 2 units × 2.5 (distance at bar 0) = 5; pnl = 7.592 -> R = 1.5184.
		expect(r.rMultiple).toBeCloseTo((2 * 4 - 0.408) / 5, 12);
		expect(atrStopSpec({ ...defaultConfig('sma-cross'), stopLoss: { mode: 'atr', value: 3 }, atrPeriod: 10 })).toEqual({ period: 10, multiple: 3 });
		expect(atrStopSpec(defaultConfig('rsi-atr-momentum'))).toEqual({ period: 14, multiple: 1.5 });
		expect(atrStopSpec(defaultConfig('sma-cross'))).toBeNull();
	});
	it('without candles leaves excursions undefined and keeps the cumulative P&L', () => {
		const rows = tradeRows([trade({}), trade({ pnl: -1 })], null, { mode: 'atr', value: 2 });
		expect(Number.isNaN(rows[0].mfe)).toBe(true);
		expect(rows[1].cumPnl).toBeCloseTo(2 * 4 - 0.408 - 1, 12);
		expect(rows[1].rMultiple).toBeNull();
	});
	it('on the S1 BTCUSDT reference trades: excursions bound the realised move, cumulative P&L ends at the net profit', () => {
		const ref = loadReferenceCase('S1', 'BTCUSDT');
		const trades = ref.trades.map(referenceTradeToTrade);
		const w = referenceWindow('BTCUSDT');
		const rows = tradeRows(trades, w, { mode: 'none' });
		expect(rows).toHaveLength(trades.length);
		for (const r of rows) {
			const t = r.trade;
			const move = (t.exitPrice - t.entryPrice) * t.size;
			expect(r.mfe).toBeGreaterThanOrEqual(Math.max(0, move) - 1e-9);
			expect(r.mae).toBeGreaterThanOrEqual(Math.max(0, -move) - 1e-9);
			expect(Number.isFinite(r.mfe) && Number.isFinite(r.mae)).toBe(true);
		}
		const equity = Float64Array.from(ref.equity);
		expect(rows[rows.length - 1].cumPnl).toBeCloseTo(equity[equity.length - 1] - 10_000, 6);
		expect(REFERENCE_WINDOW.bars).toBe(w.openTime.length);
	});
});

describe('sideStats / splitBySide', () => {
	it('agrees with the full statistics on the S1 BTCUSDT reference trades', () => {
		const ref = loadReferenceCase('S1', 'BTCUSDT');
		const trades = ref.trades.map(referenceTradeToTrade);
		const w = referenceWindow('BTCUSDT');
		const m = computeMetrics({ openTime: w.openTime, close: w.close, equity: Float64Array.from(ref.equity), trades, initialCash: 10_000, intervalMs: H, ambiguousBars: 0 });
		const s = splitBySide(trades);
		expect(s.all.trades).toBe(m.nTrades);
		expect(s.all.grossProfit).toBeCloseTo(m.grossProfitAmount, 8);
		expect(s.all.grossLoss).toBeCloseTo(m.grossLossAmount, 8);
		expect(s.all.fees).toBeCloseTo(m.totalFees, 8);
		expect(s.all.winRate).toBeCloseTo(m.winRate, 12);
		expect(s.all.netProfit).toBeCloseTo(m.totalReturnAmount, 6);
		expect(s.long.trades + s.short.trades).toBe(s.all.trades);
		expect(s.short.trades).toBe(0);
		expect(Number.isNaN(s.short.winRate)).toBe(true);
		expect(s.all.feeShareOfGrossProfit).toBeCloseTo(m.totalFees / m.grossProfitAmount, 12);
		expect(s.all.profitBeforeFees).toBeCloseTo(s.all.netProfit + s.all.fees, 9);
	});
	it('profit factor edge cases', () => {
		expect(sideStats([trade({ pnl: 5 })]).profitFactor).toBe(Infinity);
		expect(Number.isNaN(sideStats([]).profitFactor)).toBe(true);
	});
});
