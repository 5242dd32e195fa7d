/**
 * syncCandles with the real BinanceClient (fetch injected: the fake Binance server of tests/unit/data, answering
 * from recorded real BTCUSDT 1h candles) and the IndexedDB candle store: the contract between the three holds.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BinanceClient } from '../../../src/lib/data/binance-client';
import { SyncError, syncCandles, type KlineSource } from '../../../src/lib/data/sync';
import { CandleStore } from '../../../src/lib/persistence/candle-store';
import { fakeBinance } from '../data/fake-binance';
import { HOUR, freshFactory, rangeOf, readKlines } from './helpers';

// Compile-time check: the client satisfies the interface sync is written against.
const asSource = (c: BinanceClient): KlineSource => c;
void asSource;

const btc = readKlines('klines/BTCUSDT-1h.csv');
const NOW = Date.UTC(2026, 6, 25, 17, 30);

describe('syncCandles with BinanceClient', () => {
	let store: CandleStore;
	beforeEach(async () => {
		store = await CandleStore.open('t', freshFactory());
	});
	afterEach(() => store.close());

	it('syncs across the 2023-03-24 halt, reports exactly that gap, and a second sync sends no request', async () => {
		const server = fakeBinance(NOW);
		const client = new BinanceClient({ fetch: server.fetch, now: server.now, sleep: server.sleep, hosts: ['https://api.test'] });
		const start = Date.UTC(2023, 2, 1);
		const end = Date.UTC(2023, 3, 30, 23);
		const args = { store, source: client, symbol: 'BTCUSDT', interval: '1h' as const, startTime: start, endTime: end, now: NOW };
		const r = await syncCandles(args);
		expect(r.count).toBe(61 * 24 - 1);
		expect(r.fetched).toBe(61 * 24 - 1);
		expect(r.gaps).toEqual([{ fromOpenTime: Date.UTC(2023, 2, 24, 13), toOpenTime: Date.UTC(2023, 2, 24, 13), missingBars: 1 }]);
		const got = await store.getCandles('BTCUSDT', '1h');
		expect(got).toEqual(rangeOf(btc, start, end));
		const klineCalls = server.calls.filter((c) => c.url.includes('/api/v3/klines')).length;
		expect(klineCalls).toBe(2); // 1,463 candles: pages of 1,000 + 463
		const again = await syncCandles(args);
		expect(again).toMatchObject({ fetched: 0, stored: 0, count: 61 * 24 - 1 });
		expect(server.calls.filter((c) => c.url.includes('/api/v3/klines')).length).toBe(klineCalls);
	});

	it('resumes after a network failure: the second sync asks only for what is missing', async () => {
		const server = fakeBinance(NOW);
		const client = new BinanceClient({ fetch: server.fetch, now: server.now, sleep: server.sleep, hosts: ['https://api.test'], maxRetries: 0 });
		const start = Date.UTC(2024, 0, 1);
		const end = Date.UTC(2024, 11, 31, 23);
		const args = { store, source: client, symbol: 'BTCUSDT', interval: '1h' as const, startTime: start, endTime: end, now: NOW };
		// First two requests answered, then the network goes away.
		server.queue.push(() => undefined, () => undefined, ...Array.from({ length: 20 }, () => new TypeError('Failed to fetch')));
		const err = await syncCandles(args).catch((e) => e);
		expect(err).toBeInstanceOf(SyncError);
		expect(err.stored).toBe(2000);
		server.queue.length = 0;
		const before = server.calls.length;
		const r = await syncCandles(args);
		const first = new URL(server.calls[before].url);
		expect(Number(first.searchParams.get('startTime'))).toBe(btc.openTime[btc.openTime.indexOf(start) + 1999] + HOUR);
		expect(r.fetched).toBe(366 * 24 - 2000);
		expect(await store.getCandles('BTCUSDT', '1h')).toEqual(rangeOf(btc, start, end));
	});
});
