/**
 * Edge cases of the WASM core on real data, with clear results or clear errors: no trades, one trade, stop-loss and
 * take-profit inside one bar, a gap through a level, a zero-volume bar, gaps in time, NaN or unordered input.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DataError, ValidationError } from '../../../src/lib/core/errors';
import { createNodeEngine } from '../../../src/lib/engine/node';
import type { WasmEngine } from '../../../src/lib/engine/wasm-engine';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import type { BacktestConfig } from '../../../src/lib/engine/types';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { loadSymbolKlines, referenceWindow, sliceColumns } from '../helpers/fixtures';

let engine: WasmEngine;
beforeAll(async () => {
	engine = await createNodeEngine();
});

const copy = (o: OhlcvColumns): OhlcvColumns => ({
	openTime: o.openTime.slice(), open: o.open.slice(), high: o.high.slice(), low: o.low.slice(), close: o.close.slice(), volume: o.volume.slice()
});
const s4: BacktestConfig = { ...defaultConfig('sma-cross'), stopLoss: { mode: 'fraction', value: 0.02 }, takeProfit: { mode: 'fraction', value: 0.04 } };

describe('WASM core edge cases', () => {
	it('no trades: too few bars for the slow SMA leave equity flat at the initial cash', () => {
		engine.load(sliceColumns(referenceWindow('BTCUSDT'), 0, 30));
		const r = engine.run(defaultConfig());
		expect(r.trades).toEqual([]);
		expect(Array.from(new Set(r.equity))).toEqual([10_000]);
		expect(r.summary).toMatchObject({ finalEquity: 10_000, nTrades: 0, totalFees: 0, maxDrawdownRatio: 0 });
		expect(r.summary.winRate).toBeNaN();
		expect(r.summary.profitFactor).toBeNaN();
	});

	it('one trade: the all-in formula and fees by hand', () => {
		const w = referenceWindow('BTCUSDT');
		// Bars 0..109: the S1 entry at bar 89 is the only cross-above; the exit comes at bar 98.
		const o = sliceColumns(w, 0, 110);
		engine.load(o);
		const r = engine.run(defaultConfig());
		expect(r.trades.length).toBe(1);
		const t = r.trades[0];
		expect([t.entryBar, t.exitBar, t.exitReason]).toEqual([89, 98, 'signal']);
		const P = o.open[t.entryBar];
		const units = 10_000 / (P * 1.001);
		expect(t.size).toBeCloseTo(units, 12);
		expect(t.entryFee).toBeCloseTo(units * P * 0.001, 9);
		const X = o.open[t.exitBar];
		expect(t.exitPrice).toBe(X);
		expect(t.pnl).toBeCloseTo(units * (X - P) - units * P * 0.001 - units * X * 0.001, 9);
		expect(r.summary.finalEquity).toBeCloseTo(10_000 + t.pnl, 9);
	});

	it('stop-loss and take-profit inside one bar: stop-loss fills, the bar is counted as ambiguous', () => {
		engine.load(referenceWindow('BTCUSDT'));
		const tight: BacktestConfig = { ...s4, stopLoss: { mode: 'fraction', value: 0.003 }, takeProfit: { mode: 'fraction', value: 0.003 } };
		const r = engine.run(tight);
		expect(r.ambiguousBars).toBeGreaterThan(0);
		const o = referenceWindow('BTCUSDT');
		const amb = r.trades.filter((t) => o.low[t.exitBar] <= t.entryPrice * 0.997 && o.high[t.exitBar] >= t.entryPrice * 1.003 && o.open[t.exitBar] > t.entryPrice * 0.997);
		expect(amb.length).toBe(r.ambiguousBars);
		for (const t of amb) {
			expect(t.exitReason).toBe('stop_loss');
			expect(t.exitPrice).toBe(t.entryPrice * (1 - 0.003));
		}
	});

	it('a bar that opens through the stop-loss fills at its open (gap), not at the level', () => {
		const base = referenceWindow('BTCUSDT');
		engine.load(base);
		const first = engine.run(s4).trades.find((t) => t.exitBar > t.entryBar + 2)!;
		const o = copy(base);
		const g = first.entryBar + 1;
		o.open[g] = first.entryPrice * 0.95; // gap 5 % below entry, through the 2 % stop
		o.low[g] = Math.min(o.low[g], o.open[g]);
		o.high[g] = Math.max(o.high[g], o.open[g]);
		engine.load(o);
		const t = engine.run(s4).trades.find((x) => x.entryBar === first.entryBar)!;
		expect(t.exitBar).toBe(g);
		expect(t.exitReason).toBe('stop_loss');
		expect(t.exitPrice).toBe(o.open[g]);
	});

	it('runs across the 2023-03-24 halt (a missing candle and a zero-volume candle) working in bars', () => {
		const all = loadSymbolKlines('BTCUSDT');
		const zero = all.openTime.indexOf(Date.UTC(2023, 2, 24, 12));
		expect(all.volume[zero]).toBe(0);
		expect(all.openTime[zero + 1] - all.openTime[zero]).toBe(2 * 3_600_000); // 13:00 is missing
		const o = sliceColumns(all, zero - 500, zero + 500);
		engine.load(o);
		for (const volumeFilter of [false, true]) {
			const r = engine.run({ ...defaultConfig('ema-atr-breakout'), params: { volumeFilter }, direction: 'long-short' });
			expect(r.trades.length).toBeGreaterThan(0);
			expect(r.equity.every(Number.isFinite)).toBe(true);
			// The volume filter never lets an entry happen on the zero-volume bar's signal.
			if (volumeFilter) expect(r.trades.some((t) => t.entryBar === 501)).toBe(false);
		}
	});

	it('rsi-atr-momentum uses its own ATR stop-loss / take-profit and hits both on real data', () => {
		engine.load(referenceWindow('ETHUSDT'));
		const r = engine.run({ ...defaultConfig('rsi-atr-momentum'), direction: 'long-short' });
		const reasons = new Set(r.trades.map((t) => t.exitReason));
		expect(reasons.has('stop_loss') && reasons.has('take_profit')).toBe(true);
	});

	it('rejects NaN, unordered, duplicate, empty or ragged input with the bar named', () => {
		const base = sliceColumns(referenceWindow('BTCUSDT'), 0, 100);
		const nan = copy(base);
		nan.close[42] = NaN;
		expect(() => engine.load(nan)).toThrow(DataError);
		expect(() => engine.load(nan)).toThrow(/Bar 42 \(2025-07-27T11:00:00.000Z\) has close = NaN/);
		const unordered = copy(base);
		[unordered.openTime[10], unordered.openTime[11]] = [unordered.openTime[11], unordered.openTime[10]];
		expect(() => engine.load(unordered)).toThrow(/Bar 11 .* is not after bar 10/);
		const dup = copy(base);
		dup.openTime[20] = dup.openTime[19];
		expect(() => engine.load(dup)).toThrow(/sorted by open time without duplicates/);
		expect(() => engine.load(sliceColumns(base, 0, 0))).toThrow(/range is empty/);
		expect(() => engine.load({ ...base, volume: base.volume.subarray(0, 50) })).toThrow(/volume has 50 values but openTime has 100/);
	});

	it('rejects invalid configurations with every problem listed', () => {
		engine.load(referenceWindow('BTCUSDT'));
		expect(() => engine.run({ ...defaultConfig(), params: { fast: 30, slow: 10 } })).toThrow(/fast must be smaller than slow/);
		expect(() => engine.run({ ...defaultConfig(), params: { fast: 0 } })).toThrow(/fast must be between 2 and 500, got 0/);
		expect(() => engine.run({ ...defaultConfig(), feeRate: -1, initialCash: 0 })).toThrow(ValidationError);
		expect(() => engine.run({ ...defaultConfig(), feeRate: -1, initialCash: 0 })).toThrow(/feeRate.*initialCash/);
		expect(() => engine.run({ ...defaultConfig(), sizing: { mode: 'risk', fraction: 0.01 } })).toThrow(/risk sizing needs a stop-loss/);
	});

	it('is deterministic: the same run twice, and in a fresh instance, gives bit-identical results', async () => {
		engine.load(referenceWindow('BTCUSDT'));
		const a = engine.run(s4);
		engine.run({ ...defaultConfig('rsi-mean-reversion'), direction: 'long-short' });
		const b = engine.run(s4);
		const other = await createNodeEngine();
		other.load(referenceWindow('BTCUSDT'));
		const c = other.run(s4);
		expect(b).toEqual(a);
		expect(c).toEqual(a);
	});
});
