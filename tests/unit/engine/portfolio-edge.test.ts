/**
 * Edge cases of the WASM portfolio loop with hand-made candles whose answers are worked out by hand from
 * SEMANTICS.md "Portfolios": liquidation inside a bar and on a gap, stop-loss before liquidation, short liquidation,
 * one free slot and several signals (priority order), cash exhausted, a breaker tripping on the last bar, markets
 * with different first and last bars, bad configurations. Signals: sma-cross fast 2 / slow 3 on flat closes crosses
 * above on the bar the close jumps up (the flat bars are exact ties, so the previous bar counts as "not above").
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { ValidationError } from '../../../src/lib/core/errors';
import { createNodePortfolioEngine } from '../../../src/lib/engine/node';
import { defaultPortfolioConfig } from '../../../src/lib/engine/portfolio-config';
import type { WasmPortfolioEngine } from '../../../src/lib/engine/portfolio-engine';
import type { PortfolioConfig, PortfolioMarket } from '../../../src/lib/engine/types';

const H = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);

/** Candles from closes; open = previous close unless given; high/low span open and close unless given. */
function candles(closes: number[], over: Record<number, Partial<{ open: number; high: number; low: number }>> = {}, firstBar = 0): OhlcvColumns {
	const n = closes.length;
	const c: OhlcvColumns = { openTime: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: Float64Array.from(closes), volume: new Float64Array(n).fill(1) };
	for (let i = 0; i < n; i++) {
		c.openTime[i] = T0 + (firstBar + i) * H;
		c.open[i] = over[i]?.open ?? (i > 0 ? closes[i - 1] : closes[0]);
		c.high[i] = over[i]?.high ?? Math.max(c.open[i], closes[i]);
		c.low[i] = over[i]?.low ?? Math.min(c.open[i], closes[i]);
	}
	return c;
}

const base: PortfolioConfig = {
	...defaultPortfolioConfig(),
	params: { fast: 2, slow: 3 },
	feeRate: 0,
	sizing: { mode: 'equity-fraction', fraction: 1 },
	maxPositions: 1
};

let engine: WasmPortfolioEngine;
beforeAll(async () => {
	engine = await createNodePortfolioEngine();
});
const run = (markets: PortfolioMarket[], config: Partial<PortfolioConfig>) => {
	engine.load(markets);
	return engine.run({ ...base, ...config });
};

describe('liquidation (positions opened with L > 1)', () => {
	// Cross above at bar 4's close, entry at bar 5's open = 100.
	const up = [100, 100, 100, 100, 110, 110, 90, 90, 90];
	it('intrabar: exits at x_liq = P(1 − 1/L)/(1 − mmr), equity falls to the maintenance margin', () => {
		const r = run([{ symbol: 'A', ohlcv: candles(up, { 5: { open: 100 }, 6: { open: 95, low: 79, high: 96 } }) }], { leverage: 5 });
		const xLiq = (100 * (1 - 1 / 5)) / (1 - 0.005);
		expect(r.trades[0]).toMatchObject({ entryBar: 5, exitBar: 6, exitReason: 'liquidation', size: 500 });
		expect(r.trades[0].exitPrice).toBeCloseTo(xLiq, 12);
		expect(r.liquidations).toBe(1);
		// Account: 10,000 − 500·100 + 500·x_liq = the maintenance margin 0.005·500·x_liq.
		expect(r.equity[6]).toBeCloseTo(0.005 * 500 * xLiq, 9);
	});
	it('on a gap: a bar opening beyond x_liq exits at its open', () => {
		const r = run([{ symbol: 'A', ohlcv: candles(up, { 5: { open: 100 }, 6: { open: 70, low: 65, high: 75 } }) }], { leverage: 5 });
		expect(r.trades[0]).toMatchObject({ exitBar: 6, exitReason: 'liquidation', exitPrice: 70 });
	});
	it('a stop-loss nearer the entry fills first (reason stop_loss); with L = 1 nothing is liquidated', () => {
		const withSl = run([{ symbol: 'A', ohlcv: candles(up, { 5: { open: 100 }, 6: { open: 95, low: 79, high: 96 } }) }], { leverage: 5, stopLoss: { mode: 'fraction', value: 0.1 } });
		expect(withSl.trades[0]).toMatchObject({ exitBar: 6, exitReason: 'stop_loss' });
		expect(withSl.trades[0].exitPrice).toBeCloseTo(90, 12);
		const spot = run([{ symbol: 'A', ohlcv: candles(up, { 5: { open: 100 }, 6: { open: 95, low: 1, high: 96 } }) }], { leverage: 1 });
		expect(spot.trades.every((t) => t.exitReason !== 'liquidation')).toBe(true);
	});
	it('short: x_liq = P(1 + 1/L)/(1 + mmr)', () => {
		// Cross below at bar 4, short entry at bar 5's open = 100; bar 6 spikes to 160.
		const down = [100, 100, 100, 100, 90, 90, 120, 120, 120];
		const r = run([{ symbol: 'A', ohlcv: candles(down, { 5: { open: 100 }, 6: { open: 100, high: 160, low: 99 } }) }], { leverage: 2, direction: 'long-short' });
		expect(r.trades[0]).toMatchObject({ direction: 'short', entryBar: 5, exitBar: 6, exitReason: 'liquidation' });
		expect(r.trades[0].exitPrice).toBeCloseTo((100 * 1.5) / 1.005, 12);
	});
});

describe('slots, priority and cash', () => {
	const jump = [100, 100, 100, 100, 110, 111, 112, 113];
	it('three markets signal on one bar with one slot free: the first in symbol order fills, the others are dropped', () => {
		const r = run(['X', 'Y', 'Z'].map((symbol) => ({ symbol, ohlcv: candles(jump) })), { maxPositions: 1, sizing: { mode: 'fixed-notional', amount: 1000 } });
		expect(r.trades.map((t) => [t.symbol, t.entryBar, t.exitReason])).toEqual([['X', 5, 'end_of_data']]);
		expect(Array.from(r.openPositions)).toEqual([0, 0, 0, 0, 0, 1, 1, 0]);
	});
	it('cash exhausted: fixed-notional 6,000 of 10,000 gives 6,000 then the 4,000 left, then nothing (dust rule)', () => {
		const r = run(['X', 'Y', 'Z'].map((symbol) => ({ symbol, ohlcv: candles(jump) })), { maxPositions: 3, sizing: { mode: 'fixed-notional', amount: 6000 } });
		expect(r.trades.map((t) => t.symbol)).toEqual(['X', 'Y']);
		expect(r.trades[0].size * r.trades[0].entryPrice).toBeCloseTo(6000, 9);
		expect(r.trades[1].size * r.trades[1].entryPrice).toBeCloseTo(4000, 9);
		expect(Math.max(...r.openPositions)).toBe(2);
	});
});

describe('breakers and timelines', () => {
	it('a max-drawdown trip on the last bar is recorded; positions close at end of data', () => {
		const closes = [100, 100, 100, 100, 110, 110, 110, 80];
		const r = run([{ symbol: 'A', ohlcv: candles(closes) }], { breakers: [{ kind: 'max-drawdown', threshold: 0.1, action: 'close-all', cooldownBars: 5 }] });
		expect(r.events).toEqual([{ bar: 7, time: T0 + 7 * H, type: 'max-drawdown', action: 'trip', value: expect.any(Number) }]);
		// All-in at bar 5's open (110), peak 10,000, close-marked equity at bar 7: 10,000·80/110.
		expect(r.events[0].value).toBeCloseTo(1 - 80 / 110, 12);
		expect(r.trades[0]).toMatchObject({ exitBar: 7, exitReason: 'end_of_data' });
		expect(r.equity[7]).toBeCloseTo(r.trades[0].size * 80, 6);
	});
	it('markets with different first and last bars: union timeline, late start, early end closed at its own last bar', () => {
		const a = candles([100, 100, 100, 100, 110, 111, 112, 113, 114, 115]);
		const b = candles([50, 50, 50, 50, 55, 56], {}, 2); // bars 2..7 of the union
		const r = run([{ symbol: 'A', ohlcv: a }, { symbol: 'B', ohlcv: b }], { maxPositions: 2, sizing: { mode: 'fixed-notional', amount: 1000 } });
		expect(r.openTime.length).toBe(10);
		const tb = r.trades.find((t) => t.symbol === 'B')!;
		// B crosses up at its own bar 4 (union 6), enters at its bar 5 (union 7) = its last bar: closed at its close.
		expect(tb).toMatchObject({ entryBar: 7, exitBar: 7, exitReason: 'end_of_data', exitPrice: 56 });
		const ta = r.trades.find((t) => t.symbol === 'A')!;
		expect(ta).toMatchObject({ entryBar: 5, exitBar: 9, exitReason: 'end_of_data' });
		expect(r.attribution.map((x) => x.bars)).toEqual([10, 6]);
	});
	it('a market missing a bar neither fills nor signals there: its order waits for its next bar', () => {
		const full = candles([100, 100, 100, 100, 110, 111, 112, 113]);
		const holed: OhlcvColumns = Object.fromEntries(Object.entries(full).map(([k, v]) => [k, Float64Array.from([...v.subarray(0, 5), ...v.subarray(6)])])) as unknown as OhlcvColumns;
		const other = candles([10, 10, 10, 10, 10, 10, 10, 10]);
		const r = run([{ symbol: 'A', ohlcv: holed }, { symbol: 'C', ohlcv: other }], { maxPositions: 2, sizing: { mode: 'fixed-notional', amount: 1000 } });
		expect(r.trades[0]).toMatchObject({ symbol: 'A', entryBar: 6 }); // union bar 5 is missing for A
	});
});

describe('bad configurations', () => {
	const m = [{ symbol: 'A', ohlcv: candles([1, 2, 3, 4, 5]) }];
	for (const [label, cfg, msg] of [
		['K = 0', { maxPositions: 0 }, /Max positions \(K\) must be a whole number from 1 to 200/],
		['K negative', { maxPositions: -3 }, /Max positions/],
		['leverage 0.5', { leverage: 0.5 }, /Leverage must be from 1 to 10/],
		['leverage 11', { leverage: 11 }, /Leverage must be from 1 to 10/],
		['two max-drawdown breakers', { breakers: [{ kind: 'max-drawdown', threshold: 0.1, action: 'close-all', cooldownBars: 1 }, { kind: 'max-drawdown', threshold: 0.2, action: 'close-all', cooldownBars: 1 }] }, /Only one max-drawdown breaker/]
	] as [string, Partial<PortfolioConfig>, RegExp][]) {
		it(label, () => {
			engine.load(m);
			expect(() => engine.run({ ...base, ...cfg })).toThrow(ValidationError);
			expect(() => engine.run({ ...base, ...cfg })).toThrow(msg);
		});
	}
	it('duplicate markets and no markets are refused with a message', () => {
		expect(() => engine.load([])).toThrow(/at least one market/);
		expect(() => engine.load([...m, ...m])).toThrow(/listed twice/);
	});
});
