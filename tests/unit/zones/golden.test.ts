/**
 * Golden tests of the price-action detectors and the pattern-zones strategy against the PATTERNS.md fixtures
 * (tests/fixtures/reference/patterns/, produced by two independent implementations): the BTCUSDT detections and
 * cases Z1 and Z3, for the WASM core and the TS reference. Tolerances: SCENARIOS.md (bars, reasons exact; prices
 * 1e-12 relative; sizes, PnL, equity 1e-9 relative).
 */
import { describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import type { BacktestConfig } from '../../../src/lib/engine/types';
import { detectZonesRef, simulateZonesRef } from '../../../src/lib/engine/reference/zones';
import { PATTERNS, type Zone, type ZoneTrade } from '../../../src/lib/engine/zones-types';
import { referenceWindow } from '../helpers/fixtures';
import { DETECTION_OPTIONS, loadDetections, loadPatternCase, relClose, type PatternCase } from './helpers';

const btc = referenceWindow('BTCUSDT');

function caseConfig(cs: PatternCase): BacktestConfig {
	const p = cs.params;
	return {
		...defaultConfig('pattern-zones'),
		direction: p.direction,
		feeRate: p.fee,
		initialCash: p.initialCash,
		params: {
			pattern: p.pattern, entryMethod: p.entryMethod, tpMethod: p.tpMethod, rrTarget: p.rrTarget, slBufferRatio: p.slBufferRatio,
			minZoneRatio: p.minZoneRatio, useOverlap: p.useOverlap, zoneExpiryBars: p.zoneExpiryBars, entryAtrBuffer: p.entryAtrBuffer,
			swingLookback: p.swingLookback, structureLookback: p.structureLookback, sweepLookback: p.sweepLookback
		}
	};
}

function expectTradesMatch(got: ZoneTrade[], cs: PatternCase): void {
	expect(got.length).toBe(cs.trades.length);
	for (let i = 0; i < got.length; i++) {
		const a = got[i];
		const e = cs.trades[i];
		const where = `trade ${i} (entry bar ${e.entryBar})`;
		expect({ dir: a.direction, entry: a.entryBar, exit: a.exitBar, reason: a.exitReason, c: a.c }, where).toEqual({
			dir: e.direction, entry: e.entryBar, exit: e.exitBar, reason: e.exitReason, c: e.c
		});
		expect(relClose(a.entryPrice, e.entryPrice, 1e-12, 0), where).toBe(true);
		expect(relClose(a.stopLoss, e.stopLoss, 1e-12, 0), where).toBe(true);
		expect(a.bottom).toBe(e.bottom);
		expect(a.top).toBe(e.top);
		for (let k = 0; k < 3; k++) expect(relClose(a.takeProfits[k], e.takeProfits[k], 1e-12, 0), where).toBe(true);
		expect(relClose(a.size, e.size), where).toBe(true);
		expect(relClose(a.entryFee, e.entryFee), where).toBe(true);
		expect(relClose(a.pnl, e.pnl, 1e-9, 1e-6), where).toBe(true);
		expect(a.legs.length, where).toBe(e.legs.length);
		a.legs.forEach((l, k) => {
			const el = e.legs[k];
			expect({ bar: l.bar, reason: l.reason, time: new Date(l.time).toISOString().replace('.000Z', 'Z') }, where).toEqual({ bar: el.bar, reason: el.reason, time: el.time });
			expect(relClose(l.price, el.price, 1e-12, 0), where).toBe(true);
			expect(relClose(l.units, el.units), where).toBe(true);
			expect(relClose(l.fee, el.fee), where).toBe(true);
		});
	}
}

function expectEquityMatch(got: Float64Array, cs: PatternCase): void {
	expect(got.length).toBe(cs.equity.length);
	let worst = 0;
	for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - cs.equity[i]) / cs.equity[i]);
	expect(worst).toBeLessThan(1e-9);
}

describe('detections.BTCUSDT.csv (detector-only runs, defaults of PATTERNS.md)', () => {
	const expected = loadDetections();
	const key = (z: { pattern: string; c: number; direction: string }) => `${z.pattern}|${z.c}|${z.direction}`;
	const check = (zones: Zone[]) => {
		expect(zones.length).toBe(expected.length);
		const byKey = new Map(zones.map((z) => [key(z), z]));
		for (const e of expected) {
			const z = byKey.get(key(e));
			expect(z, key(e)).toBeDefined();
			expect({ bottom: z!.bottom, top: z!.top, kept: z!.kept, duplicate: z!.duplicate, time: new Date(z!.time).toISOString().replace('.000Z', 'Z') }, key(e)).toEqual({
				bottom: e.bottom, top: e.top, kept: e.kept, duplicate: e.duplicate, time: e.time
			});
		}
	};
	it('WASM core reproduces every zone, kept flag and duplicate flag of the three detectors', async () => {
		const engine = await createNodeEngine();
		engine.load(btc);
		const { zones, counts } = engine.detectZones(DETECTION_OPTIONS);
		check(zones);
		expect(counts.fvg).toMatchObject({ detected: 1737, kept: 846, duplicates: 23 });
		expect(counts['order-block']).toMatchObject({ detected: 247, kept: 234, duplicates: 3 });
		expect(counts['liquidity-sweep']).toMatchObject({ detected: 870, kept: 716, duplicates: 91 });
	});
	it('TS reference reproduces them too', () => {
		check(PATTERNS.flatMap((p) => detectZonesRef(btc, p, DETECTION_OPTIONS)));
	});
});

describe.each(['Z1', 'Z3'] as const)('case %s', (id) => {
	const cs = loadPatternCase(id);
	const config = caseConfig(cs);
	it('WASM core: trades with legs, equity, summary and counts', async () => {
		const engine = await createNodeEngine();
		engine.load(btc);
		const r = engine.run(config);
		expectTradesMatch(r.trades as ZoneTrade[], cs);
		expectEquityMatch(r.equity, cs);
		expect(r.zoneCounts).toEqual(cs.counts);
		expect(r.summary.nTrades).toBe(cs.summary.nTrades);
		expect(r.summary.nWins).toBe(cs.summary.nWins);
		expect(r.summary.ambiguousBars).toBe(cs.summary.ambiguousBars);
		expect(relClose(r.summary.finalEquity, cs.summary.finalEquity)).toBe(true);
		expect(relClose(r.summary.totalFees, cs.summary.totalFees)).toBe(true);
		expect(relClose(r.summary.maxDrawdownRatio, cs.summary.maxDrawdownRatio)).toBe(true);
		// the summary-only path gives the same figures
		const s = engine.runSummary(config);
		expect(s.finalEquity).toBe(r.summary.finalEquity);
		expect(s.nTrades).toBe(r.summary.nTrades);
		// traded zones in the zone list are the trades' zones
		const traded = r.zones!.filter((z) => z.end === 'traded');
		expect(traded.length).toBe(cs.counts.traded);
		expect(traded.map((z) => z.endBar).sort((a, b) => a - b)).toEqual(cs.trades.map((t) => t.entryBar));
	});
	it('TS reference: trades with legs, equity and counts', () => {
		const p = cs.params;
		const r = simulateZonesRef(btc, p, { direction: p.direction, feeRate: p.fee, slippageRate: 0, initialCash: p.initialCash, sizing: { mode: 'equity-fraction', fraction: 1 } });
		expectTradesMatch(r.trades, cs);
		expectEquityMatch(r.equity, cs);
		expect(r.counts).toEqual(cs.counts);
		expect(r.ambiguousBars).toBe(cs.summary.ambiguousBars);
	});
});
