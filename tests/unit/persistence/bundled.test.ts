import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataError } from '../../../src/lib/core/errors';
import { sliceOhlcv } from '../../../src/lib/core/timeframe';
import { syncCandles } from '../../../src/lib/data/sync';
import { BUNDLED_DATASET, loadBundledDataset, parseBundledDataset } from '../../../src/lib/persistence/bundled';
import { CandleStore } from '../../../src/lib/persistence/candle-store';
import { FakeSource, HOUR, freshFactory, readKlines } from './helpers';

const file = readFileSync(fileURLToPath(new URL(`../../../static/${BUNDLED_DATASET.path}`, import.meta.url)));
const btc = readKlines('klines/BTCUSDT-1h.csv');
const lastTwoYears = sliceOhlcv(btc, btc.openTime.length - 17_520, btc.openTime.length);

/** A fetch stand-in serving the static file; counts calls. */
function fakeFetch(body: Uint8Array = file) {
	const f = async (url: string) => {
		f.urls.push(url);
		return { ok: true, status: 200, arrayBuffer: async () => body.slice().buffer as ArrayBuffer };
	};
	f.urls = [] as string[];
	return f;
}

describe('bundled dataset file', () => {
	it('is small and holds exactly the last 17,520 candles of the BTCUSDT 1h fixture', () => {
		expect(file.length).toBeLessThan(500_000);
		const ohlcv = parseBundledDataset(file);
		expect(ohlcv).toEqual(lastTwoYears);
		expect(ohlcv.openTime[0]).toBe(Date.UTC(2024, 6, 25, 17));
		expect(ohlcv.openTime[17_519]).toBe(Date.UTC(2026, 6, 25, 16));
	});
	it('is also read when a host already decompressed it', () => {
		expect(parseBundledDataset(gunzipSync(file))).toEqual(lastTwoYears);
	});
	it('refuses damaged content', () => {
		const csv = new TextDecoder().decode(gunzipSync(file));
		expect(() => parseBundledDataset(new TextEncoder().encode('hello'))).toThrow(DataError);
		const truncated = csv.split('\n').slice(0, 1000).join('\n');
		expect(() => parseBundledDataset(new TextEncoder().encode(truncated))).toThrow(/has 999 candles .* expected 17520/);
		const bad = csv.replace(/\n(\d+),[\d.]+,/, '\n$1,abc,');
		expect(() => parseBundledDataset(new TextEncoder().encode(bad))).toThrow(/line 2: column open is "abc"/);
	});
});

describe('loadBundledDataset', () => {
	let store: CandleStore;
	beforeEach(async () => {
		store = await CandleStore.open('t', freshFactory());
	});
	afterEach(() => store.close());

	it('loads once into the store with source "bundled"', async () => {
		const f = fakeFetch();
		expect(await loadBundledDataset(store, f, { url: 'x/data.csv.gz' })).toEqual({ loaded: true, inserted: 17_520 });
		expect(f.urls).toEqual(['x/data.csv.gz']);
		const cov = (await store.getCoverage('BTCUSDT', '1h'))!;
		expect(cov).toMatchObject({ count: 17_520, firstOpenTime: BUNDLED_DATASET.firstOpenTime, lastOpenTime: BUNDLED_DATASET.lastOpenTime, source: 'bundled', gaps: [] });
		expect(await store.getCandles('BTCUSDT', '1h')).toEqual(lastTwoYears);
		// Second run: nothing fetched, nothing written.
		expect(await loadBundledDataset(store, f)).toEqual({ loaded: false, skipped: 'already-loaded', inserted: 0 });
		expect(f.urls).toHaveLength(1);
		// A user who deleted the series does not get it back on the next start.
		await store.deleteSeries('BTCUSDT', '1h');
		expect(await loadBundledDataset(store, f)).toMatchObject({ loaded: false, skipped: 'already-loaded' });
		expect(await store.getCoverage('BTCUSDT', '1h')).toBeUndefined();
		// force re-loads
		expect(await loadBundledDataset(store, f, { force: true })).toEqual({ loaded: true, inserted: 17_520 });
		expect(await loadBundledDataset(store, f, { force: true })).toEqual({ loaded: true, inserted: 0 });
		expect((await store.getCoverage('BTCUSDT', '1h'))!.count).toBe(17_520);
	});

	it('does not load over an existing series, and reports an HTTP failure', async () => {
		await store.putCandles('BTCUSDT', '1h', sliceOhlcv(btc, 0, 100), 'import');
		const f = fakeFetch();
		expect(await loadBundledDataset(store, f)).toEqual({ loaded: false, skipped: 'series-exists', inserted: 0 });
		expect(f.urls).toHaveLength(0);
		const other = await CandleStore.open('t2', freshFactory());
		await expect(loadBundledDataset(other, async () => ({ ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0) }))).rejects.toThrow(
			/HTTP 404/
		);
		expect(await other.getCoverage('BTCUSDT', '1h')).toBeUndefined();
		other.close();
	});

	it('a later sync merges with it, fetching only what is outside it', async () => {
		await loadBundledDataset(store, fakeFetch());
		const source = new FakeSource(btc);
		const start = BUNDLED_DATASET.firstOpenTime - 500 * HOUR;
		const r = await syncCandles({
			store,
			source,
			symbol: 'BTCUSDT',
			interval: '1h',
			startTime: start,
			endTime: BUNDLED_DATASET.lastOpenTime,
			now: BUNDLED_DATASET.lastOpenTime + 2 * HOUR
		});
		expect(source.calls).toEqual([{ startTime: start, endTime: BUNDLED_DATASET.firstOpenTime }]);
		expect(r).toMatchObject({ fetched: 500, stored: 500, count: 18_020, gaps: [] });
		const cov = (await store.getCoverage('BTCUSDT', '1h'))!;
		expect(cov.sources).toEqual(['bundled', 'binance']);
		expect(await store.getCandles('BTCUSDT', '1h')).toEqual(sliceOhlcv(btc, btc.openTime.length - 18_020, btc.openTime.length));
	});
});
