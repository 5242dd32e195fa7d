import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/lib/core/errors';
import { planSync, syncCandles, SyncError, type SyncProgress } from '../../../src/lib/data/sync';
import { CandleStore } from '../../../src/lib/persistence/candle-store';
import { StorageFullError } from '../../../src/lib/persistence/errors';
import { FakeSource, HOUR, freshFactory, rangeOf, readKlines } from './helpers';

const btc = readKlines('klines/BTCUSDT-1h.csv');
const NOW = Date.UTC(2026, 6, 25, 17, 0, 0); // the last fixture candle (16:00) has just closed

describe('planSync', () => {
	const H = HOUR;
	it('returns the whole range when nothing is covered', () => {
		expect(planSync(undefined, { startTime: 0, endTime: 10 * H, intervalMs: H })).toEqual([{ from: 0, to: 10 * H + 1 }]);
		expect(planSync([], { startTime: 5 * H, endTime: 5 * H, intervalMs: H })).toEqual([{ from: 5 * H, to: 5 * H + 1 }]);
	});
	it('returns only the uncovered parts, in order', () => {
		const covered = [
			{ from: 10 * H, to: 20 * H },
			{ from: 30 * H, to: 40 * H }
		];
		expect(planSync(covered, { startTime: 0, endTime: 50 * H, intervalMs: H })).toEqual([
			{ from: 0, to: 10 * H },
			{ from: 20 * H, to: 30 * H },
			{ from: 40 * H, to: 50 * H + 1 }
		]);
		expect(planSync({ covered }, { startTime: 12 * H, endTime: 35 * H, intervalMs: H })).toEqual([{ from: 20 * H, to: 30 * H }]);
		expect(planSync(covered, { startTime: 11 * H, endTime: 19 * H, intervalMs: H })).toEqual([]);
		// Unsorted, overlapping coverage is normalised first.
		expect(planSync([{ from: 30 * H, to: 40 * H }, { from: 0, to: 35 * H }], { startTime: 0, endTime: 39 * H, intervalMs: H })).toEqual([]);
	});
	it('leaves out candles that have not closed at `now`', () => {
		// At 10:30 the 10:00 candle is still open: the last closed one opened at 09:00.
		const now = 10 * H + 30 * 60_000;
		expect(planSync(undefined, { startTime: 0, endTime: 20 * H, intervalMs: H, now })).toEqual([{ from: 0, to: 9 * H + 30 * 60_000 + 1 }]);
		expect(planSync(undefined, { startTime: 10 * H, endTime: 20 * H, intervalMs: H, now })).toEqual([]);
	});
	it('rejects invalid ranges', () => {
		expect(() => planSync(undefined, { startTime: 10, endTime: 5, intervalMs: H })).toThrow(ValidationError);
		expect(() => planSync(undefined, { startTime: NaN, endTime: 5, intervalMs: H })).toThrow(ValidationError);
		expect(() => planSync(undefined, { startTime: 0, endTime: 5, intervalMs: 0 })).toThrow(ValidationError);
	});
});

describe('syncCandles', () => {
	let store: CandleStore;
	beforeEach(async () => {
		store = await CandleStore.open('t', freshFactory());
	});
	afterEach(() => store.close());

	const sym = 'BTCUSDT';
	const sync = (source: FakeSource, startTime: number, endTime: number, extra: Partial<Parameters<typeof syncCandles>[0]> = {}) =>
		syncCandles({ store, source, symbol: sym, interval: '1h', startTime, endTime, now: NOW, ...extra });

	it('fetches a range of real candles page by page, stores them exactly and reports the 2023-03-24 halt', async () => {
		const start = Date.UTC(2023, 0, 1);
		const end = Date.UTC(2023, 5, 30, 23);
		const want = rangeOf(btc, start, end);
		const source = new FakeSource(btc);
		const progress: SyncProgress[] = [];
		const r = await sync(source, start, end, { onProgress: (p) => progress.push({ ...p }) });
		expect(want.openTime.length).toBe(4343); // 181 days x 24 h - 1 missing candle
		expect(r.fetched).toBe(4343);
		expect(r.stored).toBe(4343);
		expect(r.count).toBe(4343);
		expect(r.requested).toEqual([{ from: start, to: end + 1 }]);
		expect(r.gaps).toEqual([{ fromOpenTime: Date.UTC(2023, 2, 24, 13), toOpenTime: Date.UTC(2023, 2, 24, 13), missingBars: 1 }]);
		expect(source.calls).toEqual([{ startTime: start, endTime: end + 1 }]); // exclusive end
		expect(progress.map((p) => p.fetched)).toEqual([1000, 2000, 3000, 4000, 4343]);
		expect(progress.at(-1)).toEqual({ fetched: 4343, expected: 4344, stored: 4343 });
		expect(await store.getCandles(sym, '1h')).toEqual(want);
		const cov = (await store.getCoverage(sym, '1h'))!;
		// Covered up to the next grid point after the last candle.
		expect(cov.covered).toEqual([{ from: start, to: end + HOUR }]);
		expect(cov.gaps).toEqual(r.gaps);
		expect(cov.source).toBe('binance');
	});

	it('a second, overlapping sync fetches only the missing part', async () => {
		const a = Date.UTC(2024, 0, 1);
		const b = Date.UTC(2024, 2, 31, 23);
		const c = Date.UTC(2024, 5, 30, 23);
		const source = new FakeSource(btc);
		await sync(source, a, b);
		expect(source.calls).toHaveLength(1);
		const r = await sync(source, Date.UTC(2024, 1, 1), c);
		expect(source.calls).toHaveLength(2);
		expect(source.calls[1]).toEqual({ startTime: b + HOUR, endTime: c + 1 });
		expect(r.fetched).toBe(rangeOf(btc, b + HOUR, c).openTime.length);
		expect(r.fetched).toBe(91 * 24);
		expect(r.stored).toBe(r.fetched);
		expect(r.count).toBe(rangeOf(btc, Date.UTC(2024, 1, 1), c).openTime.length);
		expect(r.gaps).toEqual([]);
		expect(await store.getCandles(sym, '1h')).toEqual(rangeOf(btc, a, c));
		// Fully covered now: no request at all.
		const again = await sync(source, a, c);
		expect(source.calls).toHaveLength(2);
		expect(again).toMatchObject({ fetched: 0, stored: 0, requested: [], count: rangeOf(btc, a, c).openTime.length });
	});

	it('resumes after a failure: stored pages are kept and only what is missing is fetched again', async () => {
		const start = Date.UTC(2021, 0, 1);
		const end = Date.UTC(2021, 11, 31, 23);
		const want = rangeOf(btc, start, end);
		const failing = new FakeSource(btc, { failAfterPages: 3 });
		const err = await sync(failing, start, end).catch((e) => e);
		expect(err).toBeInstanceOf(SyncError);
		expect(err.code).toBe('sync_failed');
		expect(err.message).toMatch(/connection reset/);
		expect(err.message).toMatch(/3000 new candles were stored before it stopped and are kept/);
		expect(err).toMatchObject({ fetched: 3000, stored: 3000 });
		expect(await store.getCandles(sym, '1h')).toEqual(rangeOf(btc, start, want.openTime[2999]));

		const source = new FakeSource(btc);
		const r = await sync(source, start, end);
		expect(source.calls).toEqual([{ startTime: want.openTime[2999] + HOUR, endTime: end + 1 }]);
		expect(r.fetched).toBe(want.openTime.length - 3000);
		expect(r.stored).toBe(r.fetched);
		expect(await store.getCandles(sym, '1h')).toEqual(want);
		// 2021 holds 6 exchange gaps, 13 missing candles (2021-02-11 04:00 .. 2021-09-29 07:00-08:00).
		expect(r.gaps).toHaveLength(6);
		expect(r.gaps.reduce((s, g) => s + g.missingBars, 0)).toBe(13);
		expect(want.openTime.length).toBe(8760 - 13);
	});

	it('an aborted sync keeps what was stored and says it was cancelled', async () => {
		const start = Date.UTC(2022, 0, 1);
		const end = Date.UTC(2022, 11, 31, 23);
		const controller = new AbortController();
		const source = new FakeSource(btc);
		const err = await sync(source, start, end, {
			signal: controller.signal,
			onProgress: (p) => {
				if (p.fetched >= 2000) controller.abort();
			}
		}).catch((e) => e);
		expect(err).toBeInstanceOf(SyncError);
		expect(err.code).toBe('sync_aborted');
		expect(err.message).toMatch(/cancelled/);
		expect(err.stored).toBe(2000);
		expect((await store.getCoverage(sym, '1h'))!.count).toBe(2000);
		const r = await sync(new FakeSource(btc), start, end);
		expect(r.fetched).toBe(8760 - 2000);
		expect(await store.getCandles(sym, '1h')).toEqual(rangeOf(btc, start, end));
	});

	it('a range inside an exchange halt is fetched once and then known to be empty', async () => {
		// 2018-02-08T01:00 .. 2018-02-09T09:00 has no candles on Binance.
		const source = new FakeSource(btc);
		const inside = await sync(source, Date.UTC(2018, 1, 8, 2), Date.UTC(2018, 1, 9, 8));
		expect(inside).toMatchObject({ fetched: 0, stored: 0, count: 0, gaps: [] });
		expect(source.calls).toHaveLength(1);
		await sync(source, Date.UTC(2018, 1, 8, 2), Date.UTC(2018, 1, 9, 8));
		expect(source.calls).toHaveLength(1);
		// Around the halt: fetches only both sides and reports the 33 missing candles as one gap.
		const r = await sync(source, Date.UTC(2018, 1, 7), Date.UTC(2018, 1, 10, 23));
		expect(source.calls.slice(1)).toEqual([
			{ startTime: Date.UTC(2018, 1, 7), endTime: Date.UTC(2018, 1, 8, 2) },
			// The first sync's probe proved the halt empty up to the next candle (10:00), so the request starts there.
			{ startTime: Date.UTC(2018, 1, 9, 10), endTime: Date.UTC(2018, 1, 10, 23) + 1 }
		]);
		expect(r.gaps).toEqual([{ fromOpenTime: Date.UTC(2018, 1, 8, 1), toOpenTime: Date.UTC(2018, 1, 9, 9), missingBars: 33 }]);
		expect(r.count).toBe(4 * 24 - 33);
		expect(await store.getCandles(sym, '1h')).toEqual(rangeOf(btc, Date.UTC(2018, 1, 7), Date.UTC(2018, 1, 10, 23)));
		await sync(source, Date.UTC(2018, 1, 7), Date.UTC(2018, 1, 10, 23));
		expect(source.calls).toHaveLength(3);
	});

	it('at the live edge, never asks for an open candle and re-asks only after the last stored one', async () => {
		const start = Date.UTC(2026, 6, 20);
		const now = Date.UTC(2026, 6, 25, 16, 30); // the 16:00 candle is still open
		const source = new FakeSource(rangeOf(btc, 0, Date.UTC(2026, 6, 25, 15)));
		const r = await sync(source, start, Date.UTC(2026, 6, 26), { now });
		expect(source.calls).toEqual([{ startTime: start, endTime: Date.UTC(2026, 6, 25, 15, 30) + 1 }]);
		expect(r.count).toBe(5 * 24 + 16);
		expect((await store.getCoverage(sym, '1h'))!.covered).toEqual([{ from: start, to: Date.UTC(2026, 6, 25, 16) }]);
		// An hour later the 16:00 candle has closed: only it is requested.
		const later = new FakeSource(btc);
		const r2 = await sync(later, start, Date.UTC(2026, 6, 26), { now: Date.UTC(2026, 6, 25, 17, 5) });
		expect(later.calls).toEqual([{ startTime: Date.UTC(2026, 6, 25, 16), endTime: Date.UTC(2026, 6, 25, 16, 5) + 1 }]);
		expect(r2).toMatchObject({ fetched: 1, stored: 1, count: 5 * 24 + 17 });
	});

	it('storage full during a sync stops it with a SyncError whose cause is StorageFullError; stored pages stay', async () => {
		const start = Date.UTC(2020, 0, 1);
		const end = Date.UTC(2020, 11, 31, 23);
		const proto = IDBObjectStore.prototype;
		const originalPut = proto.put;
		let seriesPuts = 0; // one per stored page, after its chunk writes in the same transaction
		proto.put = function (this: IDBObjectStore, ...a: Parameters<IDBObjectStore['put']>) {
			if (this.name === 'series' && ++seriesPuts > 2) throw new DOMException('quota (simulated)', 'QuotaExceededError');
			return originalPut.apply(this, a);
		};
		try {
			const err = await sync(new FakeSource(btc), start, end).catch((e) => e);
			expect(err).toBeInstanceOf(SyncError);
			expect(err.cause).toBeInstanceOf(StorageFullError);
			expect(err.message).toMatch(/storage is full/);
			expect(err.stored).toBe(2000);
		} finally {
			proto.put = originalPut;
		}
		expect(await store.getCandles(sym, '1h')).toEqual(rangeOf(btc, start, rangeOf(btc, start, end).openTime[1999]));
		expect((await store.getCoverage(sym, '1h'))!.count).toBe(2000);
	});

	it('rejects an invalid range before fetching', async () => {
		const source = new FakeSource(btc);
		await expect(sync(source, Date.UTC(2024, 1, 1), Date.UTC(2024, 0, 1))).rejects.toBeInstanceOf(ValidationError);
		expect(source.calls).toHaveLength(0);
	});
});
