/** The bundled daily candles: the shipped file parses, matches its sha256 and the fixture files row for row, and loads once. */
import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { IDBFactory } from 'fake-indexeddb';
import { gunzipSync } from 'fflate';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BUNDLED_DAILY, loadBundledDaily, parseBundledDaily } from '../../../src/lib/persistence/bundled-daily';
import { CandleStore } from '../../../src/lib/persistence/candle-store';
import { loadKlinesCsv } from '../helpers/fixtures';

const file = new Uint8Array(readFileSync(fileURLToPath(new URL('../../../static/data/daily-1d-usdt.csv.gz', import.meta.url))));

describe('bundled daily dataset', () => {
	it('is at most 1.5 MB, has the recorded sha256 and equals the last ≤ 1,500 rows of every fixture file', () => {
		expect(file.length).toBeLessThan(1_500_000);
		expect(createHash('sha256').update(gunzipSync(file)).digest('hex')).toBe(BUNDLED_DAILY.csvSha256);
		const markets = parseBundledDaily(file);
		expect(markets.size).toBe(47);
		for (const [sym, c] of markets) {
			const k = loadKlinesCsv(`klines-1d/${sym}-1d.csv`);
			const n = c.openTime.length;
			expect(n).toBe(Math.min(1500, k.openTime.length));
			const off = k.openTime.length - n;
			for (const col of ['openTime', 'open', 'high', 'low', 'close', 'volume'] as const) {
				expect(c[col]).toEqual(k[col].slice(off));
			}
		}
	});
	it('loads into the store once, each market with its own last date', async () => {
		const store = await CandleStore.open('bd', new IDBFactory());
		const fetchFn = async () => ({ ok: true, status: 200, arrayBuffer: async () => file.slice().buffer });
		const r = await loadBundledDaily(store, fetchFn);
		expect(r.loaded).toBe(true);
		expect(r.inserted).toBe(BUNDLED_DAILY.rows);
		expect(new Date(r.asOf.BTCUSDT).toISOString()).toBe('2026-03-01T00:00:00.000Z');
		expect(new Date(r.asOf.MATICUSDT).toISOString()).toBe('2024-09-10T00:00:00.000Z');
		expect((await store.getCoverage('ETHUSDT', '1d'))!.lastOpenTime).toBe(Date.UTC(2022, 5, 30));
		expect((await loadBundledDaily(store, fetchFn)).loaded).toBe(false);
		await expect(loadBundledDaily(store, async () => ({ ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0) }), { force: true })).rejects.toThrow(/HTTP 404/);
	});
});
