/**
 * MarketState against real storage (fake-indexeddb CandleStore) and the real Binance client with
 * an injected fetch that answers from recorded real klines (tests/fixtures), never the network.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BinanceClient } from '../../../src/lib/data/binance-client';
import { CandleStore } from '../../../src/lib/persistence/candle-store';
import { datasetId, fromInputUtc, MarketState, toInputUtc } from '../../../src/lib/state/market.svelte';
import { klinesResponse } from '../../e2e/helpers/binance-mock';
import { fixturePath, REFERENCE_WINDOW } from '../helpers/fixtures';

let n = 0;
const store = () => CandleStore.open(`market-test-${n++}`);

/** fetch answering Binance paths from the fixtures; `fail` decides per call whether to throw a network error. */
function fixtureFetch(fail: (url: URL) => boolean = () => false) {
	const calls: URL[] = [];
	const fn = (async (input: string | URL) => {
		const url = new URL(String(input));
		calls.push(url);
		if (fail(url)) throw new TypeError('Failed to fetch');
		if (url.pathname.endsWith('/exchangeInfo'))
			return new Response(readFileSync(fixturePath('api/spot-exchangeInfo-BTCUSDT-ETHUSDT.json'), 'utf8'), { status: 200 });
		const body = klinesResponse(url.searchParams);
		return new Response(JSON.stringify(body ?? { code: -1121, msg: 'Invalid symbol.' }), { status: body ? 200 : 400 });
	}) as typeof fetch;
	return { fn, calls };
}

describe('UTC range inputs', () => {
	it('round-trip datetime-local values as UTC', () => {
		expect(toInputUtc(REFERENCE_WINDOW.firstOpenTime)).toBe('2025-07-25T17:00');
		expect(fromInputUtc('2025-07-25T17:00')).toBe(REFERENCE_WINDOW.firstOpenTime);
		expect(fromInputUtc('2025-07-25')).toBeNaN();
	});
});

describe('MarketState', () => {
	it('syncs the reference window with progress and loads it as a dataset', async () => {
		const s = await store();
		const { fn, calls } = fixtureFetch();
		const m = new MarketState();
		await m.init({ store: s, client: new BinanceClient({ fetch: fn, sleep: async () => {} }) });
		expect(m.dataset).toBeNull();
		expect(m.datasetError).toMatch(/No BTCUSDT 1h candles are stored/);
		await m.loadSymbols();
		expect(m.binanceOk).toBe(true);
		expect(m.search('eth')).toEqual(['ETHUSDT']);

		m.from = toInputUtc(REFERENCE_WINDOW.firstOpenTime);
		m.to = toInputUtc(REFERENCE_WINDOW.lastOpenTime);
		expect(m.expectedBars).toBe(8760);
		await m.sync();
		expect(m.syncError).toBeNull();
		expect(m.progress).toEqual({ fetched: 8760, expected: 8760 });
		expect(m.syncMessage).toBe('Fetched 8,760 candles (8,760 new); 8,760 stored in the range.');
		expect(m.dataset?.ohlcv.openTime.length).toBe(8760);
		expect(m.dataset?.missingBars).toBe(0);
		expect(m.dataset?.sources).toEqual(['binance']);
		expect(m.dataset?.id).toBe(datasetId('BTCUSDT', '1h', m.dataset!.ohlcv));
		expect(calls.filter((u) => u.pathname.endsWith('/klines'))).toHaveLength(9);

		// A second sync of the same range asks Binance for nothing.
		const before = calls.length;
		await m.sync();
		expect(calls.length).toBe(before);
		expect(m.syncMessage).toMatch(/Already up to date/);
	});

	it('says why Binance is unreachable and keeps the stored candles usable', async () => {
		const s = await store();
		const ok = fixtureFetch();
		const m = new MarketState();
		await m.init({ store: s, client: new BinanceClient({ fetch: ok.fn, sleep: async () => {} }) });
		m.from = '2026-07-20T00:00';
		m.to = '2026-07-25T16:00';
		await m.sync();
		expect(m.dataset?.ohlcv.openTime.length).toBe(137);

		const offline = fixtureFetch(() => true);
		const m2 = new MarketState();
		await m2.init({ store: s, client: new BinanceClient({ fetch: offline.fn, sleep: async () => {}, maxRetries: 0 }) });
		await m2.loadSymbols();
		expect(m2.binanceOk).toBe(false);
		expect(m2.offlineReason).toMatch(/Could not reach Binance/);
		// The stored range is the default selection, loaded without the network.
		expect(m2.from).toBe('2026-07-20T00:00');
		expect(m2.dataset?.ohlcv.openTime.length).toBe(137);
		m2.from = '2026-07-01T00:00';
		await m2.sync();
		expect(m2.syncError).toMatch(/Could not reach Binance/);
		expect(m2.dataset?.ohlcv.openTime.length).toBe(137); // what is stored in the wider range, still usable
	});

	it('imports Binance monthly CSVs, selects their series and reports the halt gap', async () => {
		const m = new MarketState();
		await m.init({ store: await store(), client: new BinanceClient({ fetch: fixtureFetch(() => true).fn }) });
		const file = (name: string) => ({ name, data: new Uint8Array(readFileSync(fixturePath(`binance-archive/${name}`))) });
		await m.importFiles([file('BTCUSDT-1h-2023-03.csv'), file('BTCUSDT-1h-2023-04.csv')]);
		expect(m.importError).toBeNull();
		expect(m.importReport).toMatchObject({ symbol: 'BTCUSDT', interval: '1h', rows: 1463, inserted: 1463 });
		expect(m.from).toBe('2023-03-01T00:00');
		expect(m.to).toBe('2023-04-30T23:00');
		expect(m.dataset?.gaps).toEqual([{ fromOpenTime: Date.UTC(2023, 2, 24, 13), toOpenTime: Date.UTC(2023, 2, 24, 13), missingBars: 1 }]);
		expect(m.dataset?.sources).toEqual(['import']);

		await m.importFiles([{ name: 'notes.csv', data: new TextEncoder().encode('hello,world\n') }]);
		expect(m.importError).toMatch(/notes\.csv/);
		expect(m.dataset?.ohlcv.openTime.length).toBe(1463); // nothing stored was lost
	});
});
