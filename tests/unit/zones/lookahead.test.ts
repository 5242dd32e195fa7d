/**
 * No look-ahead in the price-action module: every zone is derived from bars up to its confirmation bar only, and
 * changing the bars after k changes nothing up to k (zones confirmed by k, trades closed by k, equity up to k), for
 * every pattern and both directions, with the WASM core on real BTCUSDT bars.
 */
import { describe, expect, it } from 'vitest';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { PATTERNS, type Zone } from '../../../src/lib/engine/zones-types';
import { referenceWindow, sliceColumns } from '../helpers/fixtures';
import { rng } from '../helpers/random-config';
import { randomZoneConfig } from './helpers';

const base = sliceColumns(referenceWindow('BTCUSDT'), 0, 3000);

/** Copy of the candles with bars after k replaced by a random walk (still valid OHLC). */
function perturbAfter(o: OhlcvColumns, k: number, r: () => number): OhlcvColumns {
	const c = { openTime: o.openTime.slice(), open: o.open.slice(), high: o.high.slice(), low: o.low.slice(), close: o.close.slice(), volume: o.volume.slice() };
	let p = c.close[k];
	for (let i = k + 1; i < c.close.length; i++) {
		const open = p * (1 + (r() - 0.5) * 0.01);
		const close = open * (1 + (r() - 0.5) * 0.03);
		c.open[i] = open;
		c.close[i] = close;
		c.high[i] = Math.max(open, close) * (1 + r() * 0.01);
		c.low[i] = Math.min(open, close) * (1 - r() * 0.01);
		p = close;
	}
	return c;
}

const zoneKey = (z: Zone) => JSON.stringify([z.pattern, z.direction, z.c, z.bottom, z.top, z.kept, z.duplicate]);

describe('pattern-zones: no look-ahead', () => {
	it('changing bars after k changes no zone confirmed by k, no trade closed by k and no equity up to k', async () => {
		const a = await createNodeEngine();
		const b = await createNodeEngine();
		a.load(base);
		const r = rng(4242);
		let checkedZones = 0;
		let checkedTrades = 0;
		for (let run = 0; run < 18; run++) {
			const pattern = PATTERNS[run % 3];
			const config = randomZoneConfig(pattern, r);
			const k = 500 + Math.floor(r() * 2000);
			b.load(perturbAfter(base, k, r));
			const x = a.run(config);
			const y = b.run(config);
			const ctx = `k=${k} ${JSON.stringify(config)}`;
			expect(Array.from(y.equity.subarray(0, k + 1)), ctx).toEqual(Array.from(x.equity.subarray(0, k + 1)));
			const zx = x.zones!.filter((z) => z.c <= k).map(zoneKey);
			expect(y.zones!.filter((z) => z.c <= k).map(zoneKey), ctx).toEqual(zx);
			expect(y.trades.filter((t) => t.exitBar <= k), ctx).toEqual(x.trades.filter((t) => t.exitBar <= k));
			checkedZones += zx.length;
			checkedTrades += x.trades.filter((t) => t.exitBar <= k).length;
			// a trade always enters after its zone's confirmation bar
			for (const t of x.trades as { entryBar: number; c?: number }[]) expect(t.entryBar).toBeGreaterThan(t.c!);
		}
		expect(checkedZones).toBeGreaterThan(300);
		expect(checkedTrades).toBeGreaterThan(50);
	});

	it('detector-only: a zone appears at its confirmation bar when the data ends there, never earlier', async () => {
		const full = await createNodeEngine();
		full.load(base);
		const all = full.detectZones({ minZoneRatio: 0 }).zones;
		const e = await createNodeEngine();
		for (const k of [100, 777, 1500, 2999]) {
			e.load(sliceColumns(base, 0, k + 1));
			const cut = e.detectZones({ minZoneRatio: 0 }).zones.map(zoneKey);
			expect(cut).toEqual(all.filter((z) => z.c <= k).map(zoneKey));
		}
	});
});
