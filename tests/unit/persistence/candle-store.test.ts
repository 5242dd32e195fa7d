import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataError, ValidationError } from '../../../src/lib/core/errors';
import { sliceOhlcv } from '../../../src/lib/core/timeframe';
import { findGaps } from '../../../src/lib/data/gaps';
import { CHUNK_BARS, CandleStore } from '../../../src/lib/persistence/candle-store';
import { StorageFullError } from '../../../src/lib/persistence/errors';
import { HOUR, freshFactory, rangeOf, readKlines } from './helpers';

const btc = readKlines('klines/BTCUSDT-1h.csv');
const eth = readKlines('klines/ETHUSDT-1h.csv');
const N = btc.openTime.length;

let store: CandleStore;
beforeEach(async () => {
	store = await CandleStore.open('t', freshFactory());
});
afterEach(() => store.close());

describe('CandleStore round trip', () => {
	it('stores and reads back all 78,221 real BTCUSDT 1h candles exactly, with coverage and known gaps', async () => {
		expect(N).toBe(78_221);
		const r = await store.putCandles('BTCUSDT', '1h', btc, 'import');
		expect(r).toEqual({ inserted: N, updated: 0, unchanged: 0 });
		const back = await store.getCandles('BTCUSDT', '1h');
		expect(back).toEqual(btc);
		const cov = (await store.getCoverage('BTCUSDT', '1h'))!;
		expect(cov.count).toBe(N);
		expect(cov.firstOpenTime).toBe(Date.UTC(2017, 7, 17, 4));
		expect(cov.lastOpenTime).toBe(Date.UTC(2026, 6, 25, 16));
		expect(cov.covered).toEqual([{ from: btc.openTime[0], to: btc.openTime[N - 1] + HOUR }]);
		expect(cov.source).toBe('import');
		// The file spans the exchange halts: they are covered, so they are known gaps, identical to findGaps.
		expect(cov.gaps).toEqual(findGaps(btc.openTime, HOUR));
		expect(cov.gaps).toHaveLength(28);
		expect(cov.gaps.reduce((s, g) => s + g.missingBars, 0)).toBe(128);
		expect(cov.gaps).toContainEqual({ fromOpenTime: Date.UTC(2018, 1, 8, 1), toOpenTime: Date.UTC(2018, 1, 9, 9), missingBars: 33 });
		expect(cov.runs).toHaveLength(29);
		// 78,221 candles over ~9 years of 5,000-hour chunks.
		const chunks = await store.db.count('candleChunks');
		expect(chunks).toBe(Math.floor(btc.openTime[N - 1] / (CHUNK_BARS * HOUR)) - Math.floor(btc.openTime[0] / (CHUNK_BARS * HOUR)) + 1);
	});

	it('reads inclusive ranges across chunk boundaries and outside the data', async () => {
		await store.putCandles('BTCUSDT', '1h', btc, 'import');
		const span = CHUNK_BARS * HOUR;
		const boundary = Math.ceil(Date.UTC(2023, 0, 1) / span) * span;
		const cases: Array<[number, number]> = [
			[boundary - 10 * HOUR, boundary + 10 * HOUR],
			[boundary, boundary],
			[boundary - span - 30 * HOUR, boundary + span + 7 * HOUR + 1],
			[Date.UTC(2023, 2, 24, 10), Date.UTC(2023, 2, 24, 16)], // across the 13:00 halt
			[Date.UTC(2010, 0, 1), Date.UTC(2017, 7, 17, 6)],
			[Date.UTC(2026, 6, 25, 15, 30), Date.UTC(2030, 0, 1)]
		];
		for (const [from, to] of cases) {
			const got = await store.getCandles('BTCUSDT', '1h', { from, to });
			expect(got).toEqual(rangeOf(btc, from, to));
		}
		expect((await store.getCandles('BTCUSDT', '1h', { from: Date.UTC(2023, 2, 24, 10), to: Date.UTC(2023, 2, 24, 16) })).openTime).toHaveLength(6);
		expect((await store.getCandles('BTCUSDT', '1h', { from: Date.UTC(2010, 0, 1), to: Date.UTC(2011, 0, 1) })).openTime).toHaveLength(0);
		expect((await store.getCandles('ETHUSDT', '1h')).openTime).toHaveLength(0);
	});
});

describe('CandleStore merging', () => {
	it('overlapping puts never store a duplicate and count exactly', async () => {
		const a = sliceOhlcv(btc, 0, 30_000);
		const b = sliceOhlcv(btc, 20_000, 50_000);
		expect(await store.putCandles('BTCUSDT', '1h', a, 'import')).toEqual({ inserted: 30_000, updated: 0, unchanged: 0 });
		expect(await store.putCandles('BTCUSDT', '1h', b, 'binance')).toEqual({ inserted: 20_000, updated: 0, unchanged: 10_000 });
		const back = await store.getCandles('BTCUSDT', '1h');
		expect(back).toEqual(sliceOhlcv(btc, 0, 50_000));
		const cov = (await store.getCoverage('BTCUSDT', '1h'))!;
		expect(cov.count).toBe(50_000);
		expect(cov.sources).toEqual(['import', 'binance']);
		expect(cov.covered).toEqual([{ from: btc.openTime[0], to: btc.openTime[49_999] + HOUR }]);
		// A put older than the stored range, not touching it: two covered ranges, and the hole between is not a gap.
		const c = sliceOhlcv(btc, 60_000, 61_000);
		await store.putCandles('BTCUSDT', '1h', c, 'binance');
		const cov2 = (await store.getCoverage('BTCUSDT', '1h'))!;
		expect(cov2.count).toBe(51_000);
		expect(cov2.covered).toHaveLength(2);
		expect(cov2.gaps).toEqual(cov.gaps);
	});

	it('re-putting the same candles writes nothing', async () => {
		const part = sliceOhlcv(btc, 70_000, N);
		await store.putCandles('BTCUSDT', '1h', part, 'binance', { now: 1 });
		const before = await store.getCoverage('BTCUSDT', '1h');
		const r = await store.putCandles('BTCUSDT', '1h', part, 'binance', { now: 2 });
		expect(r).toEqual({ inserted: 0, updated: 0, unchanged: N - 70_000 });
		expect(await store.getCoverage('BTCUSDT', '1h')).toEqual(before);
		expect(await store.getCandles('BTCUSDT', '1h')).toEqual(part);
	});

	it('a candle re-put with different values is replaced by the new one', async () => {
		const part = sliceOhlcv(btc, 1000, 3000);
		await store.putCandles('BTCUSDT', '1h', part, 'import');
		const changed = sliceOhlcv(btc, 1500, 1510);
		changed.volume[3] += 0.5;
		changed.close[7] = changed.close[7] + 1;
		const r = await store.putCandles('BTCUSDT', '1h', changed, 'binance');
		expect(r).toEqual({ inserted: 0, updated: 2, unchanged: 8 });
		const back = await store.getCandles('BTCUSDT', '1h');
		expect(back.openTime).toHaveLength(2000);
		expect(back.volume[503]).toBe(btc.volume[1503] + 0.5);
		expect(back.close[507]).toBe(btc.close[1507] + 1);
		expect(back.close[506]).toBe(btc.close[1506]);
	});

	it('rejects bad input without writing anything', async () => {
		await store.putCandles('BTCUSDT', '1h', sliceOhlcv(btc, 0, 100), 'import');
		const before = await store.getCoverage('BTCUSDT', '1h');
		const offGrid = sliceOhlcv(btc, 200, 210);
		offGrid.openTime = offGrid.openTime.map((t) => t + 60_000);
		await expect(store.putCandles('BTCUSDT', '1h', offGrid, 'import')).rejects.toThrow(/not on the stored series' grid/);
		const unordered = sliceOhlcv(btc, 300, 310);
		unordered.openTime[5] = unordered.openTime[4];
		await expect(store.putCandles('BTCUSDT', '1h', unordered, 'import')).rejects.toBeInstanceOf(DataError);
		const nan = sliceOhlcv(btc, 300, 310);
		nan.high[2] = NaN;
		await expect(store.putCandles('BTCUSDT', '1h', nan, 'import')).rejects.toThrow(/high = NaN/);
		await expect(store.putCandles('btc', '1h', sliceOhlcv(btc, 0, 1), 'import')).rejects.toBeInstanceOf(ValidationError);
		await expect(store.putCandles('BTCUSDT', '2x' as '1h', sliceOhlcv(btc, 0, 1), 'import')).rejects.toBeInstanceOf(ValidationError);
		expect(await store.getCoverage('BTCUSDT', '1h')).toEqual(before);
		expect(await store.getCandles('BTCUSDT', '1h')).toEqual(sliceOhlcv(btc, 0, 100));
	});

	it('markCovered records an empty range so its missing candles become known gaps', async () => {
		const halt = Date.UTC(2018, 1, 8, 1);
		const i = btc.openTime.indexOf(halt - HOUR);
		const before = sliceOhlcv(btc, i - 5, i + 1);
		const after = sliceOhlcv(btc, i + 1, i + 6);
		await store.putCandles('BTCUSDT', '1h', before, 'binance');
		await store.putCandles('BTCUSDT', '1h', after, 'binance');
		expect((await store.getCoverage('BTCUSDT', '1h'))!.gaps).toEqual([]);
		await store.markCovered('BTCUSDT', '1h', { from: halt, to: after.openTime[0] }, 'binance');
		const cov = (await store.getCoverage('BTCUSDT', '1h'))!;
		expect(cov.covered).toHaveLength(1);
		expect(cov.gaps).toEqual([{ fromOpenTime: halt, toOpenTime: Date.UTC(2018, 1, 9, 9), missingBars: 33 }]);
		await expect(store.markCovered('BTCUSDT', '1h', { from: 5, to: 5 }, 'binance')).rejects.toBeInstanceOf(ValidationError);
	});
});

describe('CandleStore series management', () => {
	it('lists and deletes series independently', async () => {
		await store.putCandles('BTCUSDT', '1h', sliceOhlcv(btc, 0, 12_000), 'import');
		await store.putCandles('ETHUSDT', '1h', sliceOhlcv(eth, 0, 12_000), 'import');
		expect((await store.listSeries()).map((s) => `${s.symbol} ${s.interval} ${s.count}`)).toEqual([
			'BTCUSDT 1h 12000',
			'ETHUSDT 1h 12000'
		]);
		expect(await store.deleteSeries('BTCUSDT', '1h')).toBe(true);
		expect(await store.deleteSeries('BTCUSDT', '1h')).toBe(false);
		expect((await store.getCandles('BTCUSDT', '1h')).openTime).toHaveLength(0);
		expect(await store.getCoverage('BTCUSDT', '1h')).toBeUndefined();
		expect(await store.getCandles('ETHUSDT', '1h')).toEqual(sliceOhlcv(eth, 0, 12_000));
		expect((await store.listSeries()).map((s) => s.symbol)).toEqual(['ETHUSDT']);
	});
});

describe('CandleStore quota errors', () => {
	const proto = IDBObjectStore.prototype;
	const originalPut = proto.put;
	afterEach(() => {
		proto.put = originalPut;
	});

	async function seeded() {
		await store.putCandles('BTCUSDT', '1h', sliceOhlcv(btc, 0, 12_000), 'import');
		return { candles: await store.getCandles('BTCUSDT', '1h'), cov: await store.getCoverage('BTCUSDT', '1h') };
	}

	it('a QuotaExceededError thrown by put becomes StorageFullError and rolls back the whole write', async () => {
		const { candles, cov } = await seeded();
		let puts = 0;
		proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
			// Let the first chunk write through, fail the second: the first must be rolled back too.
			if (this.name === 'candleChunks' && ++puts === 2) throw new DOMException('quota exceeded (simulated)', 'QuotaExceededError');
			return originalPut.apply(this, args);
		};
		// 11,000..20,000 updates chunk A's tail (changed volumes) and fills chunk B and C.
		const next = sliceOhlcv(btc, 11_000, 20_000);
		next.volume = next.volume.map((v) => v + 1);
		const err = await store.putCandles('BTCUSDT', '1h', next, 'binance').catch((e) => e);
		expect(puts).toBe(2);
		expect(err).toBeInstanceOf(StorageFullError);
		expect(err.code).toBe('storage_full');
		expect(err.message).toMatch(/storage is full/i);
		expect(err.message).toMatch(/9,000 new BTCUSDT 1h candles .* were not saved/);
		expect(err.message).toMatch(/kept: 12,000 candles of BTCUSDT 1h \(2017-08-17T04:00:00Z \.\./);
		expect(err.message).toMatch(/deleting series or backtest runs/);
		expect(err.attempted).toBe(9000);
		proto.put = originalPut;
		expect(await store.getCandles('BTCUSDT', '1h')).toEqual(candles);
		expect(await store.getCoverage('BTCUSDT', '1h')).toEqual(cov);
		// The store still works afterwards.
		expect((await store.putCandles('BTCUSDT', '1h', sliceOhlcv(btc, 12_000, 13_000), 'binance')).inserted).toBe(1000);
	});

	it('a transaction aborted with QuotaExceededError becomes StorageFullError and keeps old data', async () => {
		const { candles, cov } = await seeded();
		proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
			const req = originalPut.apply(this, args);
			if (this.name === 'series') {
				// What browsers do when the commit exceeds the quota: abort the transaction with a QuotaExceededError.
				(this.transaction as unknown as { _abort(name: string): void })._abort('QuotaExceededError');
			}
			return req;
		};
		const err = await store.putCandles('BTCUSDT', '1h', sliceOhlcv(btc, 12_000, 30_000), 'binance').catch((e) => e);
		expect(err).toBeInstanceOf(StorageFullError);
		expect(err.cause?.name).toBe('QuotaExceededError');
		proto.put = originalPut;
		expect(await store.getCandles('BTCUSDT', '1h')).toEqual(candles);
		expect(await store.getCoverage('BTCUSDT', '1h')).toEqual(cov);
	});

	it('other errors pass through unchanged and also roll back', async () => {
		const { candles } = await seeded();
		let puts = 0;
		proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
			if (this.name === 'candleChunks' && ++puts === 2) throw new DOMException('boom', 'UnknownError');
			return originalPut.apply(this, args);
		};
		const err = await store.putCandles('BTCUSDT', '1h', sliceOhlcv(btc, 11_000, 20_000), 'binance').catch((e) => e);
		expect(err).not.toBeInstanceOf(StorageFullError);
		expect(err.name).toBe('UnknownError');
		proto.put = originalPut;
		expect(await store.getCandles('BTCUSDT', '1h')).toEqual(candles);
	});
});
