/**
 * The candle store in real Chromium IndexedDB (structured clone of Float64Array chunks, real
 * transactions), through the dev harness page src/bench-routes/dev/idb-bench (built by `npm run build:bench` into
 * build-bench/, served on E2E_PORT + 1; the production build does not contain it). Asserts exact round trips, not times.
 */
import { expect, test } from '@playwright/test';
import { readKlinesPlain as readKlines } from './helpers/klines';


const btc = readKlines('tests/fixtures/klines/BTCUSDT-1h.csv');
const BENCH_PORT = Number(process.env.E2E_PORT ?? 4173) + 1;

test.beforeEach(async ({ page }) => {
	await page.goto(`http://127.0.0.1:${BENCH_PORT}/dev/idb-bench/`);
	await expect(page.getByTestId('idb-bench-status')).toHaveText('ready');
});

test('78,221 real BTCUSDT 1h candles round-trip through Chromium IndexedDB exactly', async ({ page }) => {
	const result = await page.evaluate((data) => (window as any).__idbBench.roundTrip(data), btc);
	expect(result.put).toEqual({ inserted: 78_221, updated: 0, unchanged: 0 });
	expect(result.count).toBe(78_221);
	expect(result.gaps).toBe(28); // exchange halts inside the file
	expect(result.columns).toEqual(btc);
});

test('the bundled dataset loads from the built site once, with the expected candles', async ({ page }) => {
	const r = await page.evaluate(() => (window as any).__idbBench.loadBundled());
	expect(r.first).toEqual({ loaded: true, inserted: 17_520 });
	expect(r.second).toEqual({ loaded: false, skipped: 'already-loaded', inserted: 0 });
	expect(r.count).toBe(17_520);
	const n = btc.openTime.length;
	expect(r.firstOpenTime).toBe(btc.openTime[n - 17_520]);
	expect(r.lastOpenTime).toBe(btc.openTime[n - 1]);
	expect(r.lastClose).toBe(btc.close[n - 1]);
});
