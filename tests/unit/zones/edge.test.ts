/**
 * Edge cases of the pattern-zones strategy with hand-worked answers (SEMANTICS.md "Price-action patterns"), on
 * synthetic hourly candles: 20 quiet bars (ATR14 defined), then a bullish fair value gap confirmed at bar C = 22
 * with zone [101, 103] (height 2), stop-loss 101 − 0.1·2 = 100.8, zone-edge entry 103. Each case is run by the WASM
 * core and the TS reference; both must give the hand-worked result.
 */
import { describe, expect, it } from 'vitest';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { defaultConfig, resolveParams, validateConfig } from '../../../src/lib/engine/strategies';
import type { BacktestConfig } from '../../../src/lib/engine/types';
import { patternParamsFromValues } from '../../../src/lib/engine/zones-engine';
import { simulateZonesRef } from '../../../src/lib/engine/reference/zones';
import type { ZoneTrade } from '../../../src/lib/engine/zones-types';

type Bar = [number, number, number, number];
const QUIET: Bar = [100, 101, 99, 100];
const C = 22;

function candles(tail: Bar[], head: Bar[] = [...Array(C - 2).fill(QUIET), QUIET, [100, 106, 100, 105], [105, 110, 103, 109]]): OhlcvColumns {
	const all = [...head, ...tail];
	const n = all.length;
	const t0 = Date.UTC(2025, 0, 1);
	return {
		openTime: Float64Array.from(all, (_, i) => t0 + i * 3_600_000),
		open: Float64Array.from(all, (b) => b[0]),
		high: Float64Array.from(all, (b) => b[1]),
		low: Float64Array.from(all, (b) => b[2]),
		close: Float64Array.from(all, (b) => b[3]),
		volume: new Float64Array(n).fill(1)
	};
}

function config(params: Record<string, number | boolean | string> = {}): BacktestConfig {
	return { ...defaultConfig('pattern-zones'), feeRate: 0, params: { minZoneRatio: 0.001, rrTarget: 2, slBufferRatio: 0.1, ...params } };
}

/** Run both engines, check they agree, return the WASM result. */
async function runBoth(o: OhlcvColumns, cfg: BacktestConfig) {
	const engine = await createNodeEngine();
	engine.load(o);
	const got = engine.run(cfg);
	const ref = simulateZonesRef(o, patternParamsFromValues(resolveParams('pattern-zones', cfg.params).values), cfg);
	expect(got.trades).toEqual(ref.trades);
	expect(Array.from(got.equity)).toEqual(Array.from(ref.equity));
	expect(got.zoneCounts).toEqual(ref.counts);
	expect(got.ambiguousBars).toBe(ref.ambiguousBars);
	return { ...got, trades: got.trades as ZoneTrade[] };
}

const P = 103;
const SL = 100.8;
const R = P - SL;
const TP = [P + (1 / 3) * 2 * R, P + (2 / 3) * 2 * R, P + 2 * R];

describe('pattern-zones edge cases (hand-worked)', () => {
	it('the zone is detected at its confirmation bar with the documented levels', async () => {
		const r = await runBoth(candles([[104, 104, 103.5, 104]]), config());
		expect(r.zones).toHaveLength(1);
		expect(r.zones![0]).toMatchObject({ pattern: 'fvg', direction: 'bullish', c: C, bottom: 101, top: 103, kept: true, duplicate: false, end: 'end-of-data' });
		expect(r.trades).toHaveLength(0);
	});

	it('a bar that gaps through the stop before the entry fills: the zone is skipped, no trade', async () => {
		const r = await runBoth(candles([[100.5, 104, 100, 103.5], [104, 105, 102, 104]]), config());
		expect(r.trades).toHaveLength(0);
		expect(r.zoneCounts).toMatchObject({ activated: 1, skipped: 1, traded: 0 });
		expect(r.zones![0]).toMatchObject({ end: 'skipped', endBar: C + 1 });
	});

	it('entry and stop in the same bar: filled at the zone edge, all three legs out at the stop on the entry bar, not ambiguous', async () => {
		const r = await runBoth(candles([[104, 108, 100, 101.5]]), config());
		expect(r.trades).toHaveLength(1);
		const t = r.trades[0];
		expect(t).toMatchObject({ entryBar: C + 1, exitBar: C + 1, entryPrice: P, exitReason: 'stop_loss', stopLoss: SL });
		expect(t.legs.map((l) => [l.bar, l.price, l.reason])).toEqual([[C + 1, SL, 'stop_loss'], [C + 1, SL, 'stop_loss'], [C + 1, SL, 'stop_loss']]);
		expect(r.ambiguousBars).toBe(0);
		expect(t.pnl).toBeCloseTo(t.size * (SL - P), 9);
	});

	it('no take-profit on the entry bar even when its high passes all three targets', async () => {
		const r = await runBoth(candles([[104, 112, 102.9, 104], [104, 104.2, 103.5, 104]]), config());
		expect(r.trades).toHaveLength(1);
		expect(r.trades[0].exitReason).toBe('end_of_data');
		expect(r.trades[0].legs.every((l) => l.bar === C + 2)).toBe(true);
	});

	it('all three legs in one bar: each at its own take-profit', async () => {
		const r = await runBoth(candles([[104, 104, 102.9, 104], [104, 108, 103.5, 107]]), config());
		const t = r.trades[0];
		expect(t.entryPrice).toBe(P);
		expect(t.takeProfits).toEqual(TP);
		expect(t.legs.map((l) => [l.bar, l.price, l.reason])).toEqual(TP.map((x) => [C + 2, x, 'take_profit']));
		expect(t.legs[0].units + t.legs[1].units + t.legs[2].units).toBeCloseTo(t.size, 12);
		expect(t.legs[2].units).toBe(t.size - 2 * (t.size / 3));
	});

	it('an open beyond two targets fills those legs at the open, the third at its level', async () => {
		const r = await runBoth(candles([[104, 104, 102.9, 104], [106.5, 108, 106, 107]]), config());
		expect(r.trades[0].legs.map((l) => l.price)).toEqual([106.5, 106.5, TP[2]]);
	});

	it('a take-profit leg and the stop inside one later bar: stop-loss first for every remaining leg, counted ambiguous', async () => {
		const r = await runBoth(candles([[104, 104, 102.9, 104], [104, 105, 100, 101]]), config());
		const t = r.trades[0];
		expect(t.legs.map((l) => [l.bar, l.price, l.reason])).toEqual([[C + 2, SL, 'stop_loss'], [C + 2, SL, 'stop_loss'], [C + 2, SL, 'stop_loss']]);
		expect(r.ambiguousBars).toBe(1);
	});

	it('after the first leg, a gap below the stop exits the remaining legs at the open', async () => {
		const r = await runBoth(candles([[104, 104, 102.9, 104], [104, 104.6, 103.5, 104], [100, 101, 99, 100]]), config());
		const t = r.trades[0];
		expect(t.legs.map((l) => [l.bar, l.price, l.reason])).toEqual([[C + 2, TP[0], 'take_profit'], [C + 3, 100, 'stop_loss'], [C + 3, 100, 'stop_loss']]);
		expect(t.exitReason).toBe('stop_loss');
		expect(t.exitBar).toBe(C + 3);
	});

	it('a close below the zone invalidates it at the end of that bar; a later retrace does not trade', async () => {
		const r2 = await runBoth(candles([[104, 104, 103.5, 104], [104, 104, 103.2, 103.3], [103.3, 104, 103.1, 100.5], [100.5, 104, 100.1, 103]]), config());
		// closes: 104, 103.3, 100.5 (< bottom 101: invalidated at C+3), then the zone is gone
		expect(r2.zoneCounts).toMatchObject({ invalidated: 1, traded: 0 });
		expect(r2.trades).toHaveLength(0);
		expect(r2.zones![0]).toMatchObject({ end: 'invalidated', endBar: C + 3 });
	});

	it('expiry: the zone is removed at the end of bar c + zoneExpiryBars', async () => {
		const r = await runBoth(candles([[104, 105, 103.5, 104], [104, 105, 103.5, 104], [104, 105, 102, 104]]), config({ zoneExpiryBars: 2 }));
		expect(r.zoneCounts).toMatchObject({ expired: 1, traded: 0 });
		expect(r.zones![0]).toMatchObject({ end: 'expired', endBar: C + 2 });
	});

	it('zero-height zones: kept only with minZoneRatio 0, never a duplicate, and both engines agree', async () => {
		// Liquidity sweep whose candle opens at its low below the 5-bar low and closes back above it: zone [98, 98].
		const head: Bar[] = [...Array(20).fill(QUIET), [98, 100, 98, 99.5]];
		const o = candles([[99.5, 100, 98, 99.5], [99.5, 100.5, 97.9, 100], [100, 101, 99, 100]], head);
		const zero = await runBoth(o, config({ pattern: 'liquidity-sweep', sweepLookback: 5, minZoneRatio: 0 }));
		const flat = zero.zones!.filter((z) => z.top === z.bottom);
		expect(flat.length).toBeGreaterThan(0);
		expect(flat.every((z) => z.kept && !z.duplicate)).toBe(true);
		const none = await runBoth(o, config({ pattern: 'liquidity-sweep', sweepLookback: 5, minZoneRatio: 0.0001 }));
		expect(none.zones!.filter((z) => z.top === z.bottom).every((z) => !z.kept)).toBe(true);
		expect(zero.equity.every(Number.isFinite)).toBe(true);
	});

	it('too little data for the lookbacks: zones before ATR14 never trade, a lookback longer than the data detects nothing', async () => {
		const short = candles([], [QUIET, QUIET, [100, 106, 100, 105], [105, 110, 103, 109], [104, 104, 100, 101]]);
		const r = await runBoth(short, config());
		expect(r.zoneCounts).toMatchObject({ kept: 1, beforeAtr: 1, activated: 0, traded: 0 });
		expect(Array.from(r.equity)).toEqual(Array(5).fill(10_000));
		const ob = await runBoth(short, config({ pattern: 'order-block', structureLookback: 50 }));
		expect(ob.zoneCounts!.detected).toBe(0);
		const one = await runBoth(candles([], [QUIET]), config());
		expect(one.trades).toHaveLength(0);
	});

	it('an unknown enumeration value is a clear error naming the allowed values', async () => {
		expect(() => validateConfig(config({ entryMethod: 'zone-top' }))).toThrow(/entryMethod must be one of zone-edge, zone-mid, atr-buffer, got "zone-top"/);
		expect(() => validateConfig(config({ pattern: 'fvg2' }))).toThrow(/pattern must be one of fvg, order-block, liquidity-sweep/);
		expect(() => validateConfig(config({ tpMethod: 7 }))).toThrow(/tpMethod must be one of fixed-rr, atr-multiple, swing-target/);
		const engine = await createNodeEngine();
		engine.load(candles([]));
		expect(() => engine.run(config({ tpMethod: 'swing' }))).toThrow(/tpMethod must be one of fixed-rr, atr-multiple, swing-target/);
		// enumeration values given as their numbers are the same run
		expect(engine.run(config({ entryMethod: 1 })).equity).toEqual(engine.run(config({ entryMethod: 'zone-mid' })).equity);
	});
});
