/**
 * Issue 17, item 5: an import whose file names do not name a market is not silently written into the selected
 * symbol, and candles that differ from stored ones (another market's prices) are never replaced without a conflict
 * report and an explicit answer. Real storage (fake-indexeddb), real Binance files.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BinanceClient } from '../../../src/lib/data/binance-client';
import { klinesToCsv } from '../../../src/lib/data/kline-csv';
import { CandleStore } from '../../../src/lib/persistence/candle-store';
import { MarketState } from '../../../src/lib/state/market.svelte';
import { fixturePath } from '../helpers/fixtures';
import { readKlines } from '../persistence/helpers';

let n = 0;
const offline = (async () => {
	throw new TypeError('Failed to fetch');
}) as typeof fetch;

async function market() {
	const store = await CandleStore.open(`market-import-${n++}`);
	const m = new MarketState();
	await m.init({ store, client: new BinanceClient({ fetch: offline }) });
	return { m, store };
}

const HOUR = 3_600_000;
const btc = readKlines('klines/BTCUSDT-1h.csv');
const eth = readKlines('klines/ETHUSDT-1h.csv');
/** The last 2,000 candles of a series as a 12-column CSV file with the given name. */
function csvOf(o: typeof btc, name: string, count = 2000) {
	const s = o.openTime.length - count;
	const cut = Object.fromEntries(Object.entries(o).map(([k, v]) => [k, (v as Float64Array).slice(s)])) as unknown as typeof btc;
	return { name, data: new TextEncoder().encode(klinesToCsv(cut, { layout: '12-column', intervalMs: HOUR })), cut };
}

describe('import into the right market', () => {
	it('ETHUSDT prices in a file named "export.csv" do not replace stored BTCUSDT candles (was: replaced, "inserted: 0")', async () => {
		const { m, store } = await market();
		const b = csvOf(btc, 'BTCUSDT-1h-2026-07.csv');
		await m.importFiles([b]);
		expect(m.importReport).toMatchObject({ symbol: 'BTCUSDT', rows: 2000, inserted: 2000 });
		const before = await store.getCandles('BTCUSDT', '1h');

		// A file whose name does not name a market: asked, nothing written.
		await m.importFiles([csvOf(eth, 'export.csv')]);
		expect(m.importQuestion?.kind).toBe('market');
		expect(m.importQuestion?.message).toMatch(/does not say which market these 2,000 candles belong to.*Nothing was imported/);
		expect(await store.getCandles('BTCUSDT', '1h')).toEqual(before);

		// Answered "BTCUSDT": the overlap differs from the stored candles, so it is reported and still nothing is written.
		await m.answerImport({ market: { symbol: 'BTCUSDT', interval: '1h' } });
		expect(m.importQuestion?.kind).toBe('conflict');
		expect(m.importQuestion?.conflict?.differ).toBe(2000);
		expect(m.importQuestion?.message).toMatch(/2,000 of the 2,000 BTCUSDT 1h candles already stored .* differ .*may be another market's prices/);
		expect(await store.getCandles('BTCUSDT', '1h')).toEqual(before);
		await m.answerImport('cancel');
		expect(m.importQuestion).toBeNull();
		expect(m.importing).toBe(false);
		expect(await store.getCandles('BTCUSDT', '1h')).toEqual(before);

		// Answered with the right market: imported as ETHUSDT.
		await m.importFiles([csvOf(eth, 'export.csv')]);
		await m.answerImport({ market: { symbol: 'ETHUSDT', interval: '1h' } });
		expect(m.importQuestion).toBeNull();
		expect(m.importReport).toMatchObject({ symbol: 'ETHUSDT', rows: 2000, inserted: 2000 });
		expect(await store.getCandles('BTCUSDT', '1h')).toEqual(before);
		expect((await store.getCandles('ETHUSDT', '1h')).close).toEqual(csvOf(eth, 'x').cut.close);
	});

	it('a corrected file over stored candles: "add only new" keeps the stored values, "replace" takes the file', async () => {
		const { m, store } = await market();
		await m.importFiles([csvOf(btc, 'BTCUSDT-1h-2026-07.csv', 100)]);
		const fixed = csvOf(btc, 'BTCUSDT-1h-2026-06.csv', 200);
		fixed.cut.volume[150] *= 1.5; // one candle differs (inside the stored 100)
		const file = { name: fixed.name, data: new TextEncoder().encode(klinesToCsv(fixed.cut, { layout: '12-column', intervalMs: HOUR })) };
		await m.importFiles([file]);
		expect(m.importQuestion).toMatchObject({ kind: 'conflict', conflict: { overlap: 100, differ: 1 } });
		await m.answerImport('new-only');
		expect(m.importReport).toMatchObject({ rows: 200, inserted: 100 });
		const kept = await store.getCandles('BTCUSDT', '1h');
		expect(kept.volume[150]).toBe(btc.volume[btc.openTime.length - 50]);
		await m.importFiles([file]);
		await m.answerImport('replace');
		expect((await store.getCandles('BTCUSDT', '1h')).volume[150]).toBe(fixed.cut.volume[150]);
	});

	it('cancelling a running import writes nothing', async () => {
		const { m, store } = await market();
		let release!: () => void;
		const gate = new Promise<void>((r) => (release = r));
		await m.init({
			store,
			client: new BinanceClient({ fetch: offline }),
			importer: async (files, opts) => {
				await gate;
				opts.signal?.throwIfAborted();
				throw new Error('must not get here');
			}
		});
		const p = m.importFiles([{ name: 'BTCUSDT-1h-2023-03.csv', data: new Uint8Array(readFileSync(fixturePath('binance-archive/BTCUSDT-1h-2023-03.csv'))) }]);
		expect(m.importing).toBe(true);
		m.cancelImport();
		release();
		await p;
		expect(m.importing).toBe(false);
		expect(m.importError).toBeNull();
		expect(await store.listSeries()).toEqual([]);
	});
});
