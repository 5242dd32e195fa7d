/**
 * Parity of the WASM core's price-action module (assembly/zones.ts) with the TS reference (reference/zones.ts):
 * seeded random parameter sets of every pattern, both directions, every entry and target method, slippage and the
 * three sizing modes, on three real windows (recent BTC, ETH across the 2023-03-24 halt, early BTC with the 2018
 * halt). Trades with their legs, equity, counts and the zone list must be identical to the bit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { resolveParams } from '../../../src/lib/engine/strategies';
import type { WasmEngine } from '../../../src/lib/engine/wasm-engine';
import { patternParamsFromValues } from '../../../src/lib/engine/zones-engine';
import { detectZonesRef, simulateZonesRef } from '../../../src/lib/engine/reference/zones';
import { PATTERNS, type Zone } from '../../../src/lib/engine/zones-types';
import { loadSymbolKlines, sliceColumns } from '../helpers/fixtures';
import { rng } from '../helpers/random-config';
import { randomZoneConfig } from './helpers';

const windows: Record<string, OhlcvColumns> = {};
const engines: Record<string, WasmEngine> = {};

beforeAll(async () => {
	const btc = loadSymbolKlines('BTCUSDT');
	const eth = loadSymbolKlines('ETHUSDT');
	const at = (c: OhlcvColumns, ms: number) => c.openTime.findIndex((x) => x >= ms);
	windows['BTC 2025-26'] = sliceColumns(btc, btc.openTime.length - 6000, btc.openTime.length);
	windows['ETH 2023 halt'] = sliceColumns(eth, at(eth, Date.UTC(2023, 1, 1)), at(eth, Date.UTC(2023, 5, 1)));
	windows['BTC 2018'] = sliceColumns(btc, at(btc, Date.UTC(2018, 0, 1)), at(btc, Date.UTC(2018, 4, 1)));
	for (const [k, v] of Object.entries(windows)) {
		engines[k] = await createNodeEngine();
		engines[k].load(v);
	}
});

const strip = (z: Zone): Zone => ({ pattern: z.pattern, direction: z.direction, c: z.c, time: z.time, bottom: z.bottom, top: z.top, kept: z.kept, duplicate: z.duplicate, endBar: z.endBar, end: z.end });

describe('pattern-zones: WASM core vs TS reference', () => {
	for (const pattern of PATTERNS) {
		it(`${pattern}: 45 random parameter sets on three real windows are bit-identical`, () => {
			const r = rng(0x20e5 + pattern.length * 977);
			let trades = 0;
			let legsSplit = 0;
			const dirs = new Set<string>();
			for (let k = 0; k < 45; k++) {
				const label = Object.keys(windows)[k % 3];
				const config = randomZoneConfig(pattern, r);
				const ctx = `${label} #${k} ${JSON.stringify(config)}`;
				const got = engines[label].run(config);
				const p = patternParamsFromValues(resolveParams('pattern-zones', config.params).values);
				const ref = simulateZonesRef(windows[label], p, config);
				expect(got.trades, ctx).toEqual(ref.trades);
				expect(Array.from(got.equity), ctx).toEqual(Array.from(ref.equity));
				expect(got.zoneCounts, ctx).toEqual(ref.counts);
				expect(got.ambiguousBars, ctx).toBe(ref.ambiguousBars);
				expect(got.zones!.map(strip), ctx).toEqual(ref.zones.map(strip));
				trades += got.trades.length;
				for (const t of got.trades) {
					dirs.add(t.direction);
					if (new Set(t.legs!.map((l) => l.bar)).size > 1) legsSplit++;
				}
			}
			expect(trades).toBeGreaterThan(200);
			expect(legsSplit).toBeGreaterThan(20);
			expect([...dirs].sort()).toEqual(['long', 'short']);
		});
	}

	it('detector-only runs agree for random options on every window', () => {
		const r = rng(77);
		for (let k = 0; k < 12; k++) {
			const label = Object.keys(windows)[k % 3];
			const opt = { minZoneRatio: [0, 0.001, 0.003][k % 3], useOverlap: r() < 0.5, zoneExpiryBars: [10, 100, 300][Math.floor(r() * 3)], structureLookback: 3 + Math.floor(r() * 20), sweepLookback: 3 + Math.floor(r() * 40) };
			const got = engines[label].detectZones(opt);
			const ref = PATTERNS.flatMap((p) => detectZonesRef(windows[label], p, opt));
			expect(got.zones.map(strip), `${label} ${JSON.stringify(opt)}`).toEqual(ref.map(strip));
		}
	});
});
