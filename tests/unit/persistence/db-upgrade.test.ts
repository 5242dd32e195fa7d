/**
 * Schema upgrades across tabs and deletes during a sync (issue 17, item 11), on fake-indexeddb: a newer database is
 * reported as such (not as a private window), a throwing migration is rolled back and reported without an unhandled
 * rejection, a closed connection says "reload", and a series deleted while a sync runs is not brought back.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DatabaseError, DB_CLOSED_MESSAGE, explainDbError } from '../../../src/lib/persistence/errors';
import { MIGRATIONS, openAppDb, STORES } from '../../../src/lib/persistence/db';
import { CandleStore, SeriesDeletedError } from '../../../src/lib/persistence/candle-store';
import { syncCandles, SyncError, type KlineFetchArgs, type KlineSource } from '../../../src/lib/data/sync';
import { describeError } from '../../../src/lib/state/market.svelte';
import { FakeSource, freshFactory, rangeOf, readKlines } from './helpers';

const btc = readKlines('klines/BTCUSDT-1h.csv');

describe('opening a database across versions', () => {
	let unhandled: unknown[];
	const onUnhandled = (e: unknown) => unhandled.push(e);
	beforeEach(() => {
		unhandled = [];
		process.on('unhandledRejection', onUnhandled);
		process.on('uncaughtException', onUnhandled);
	});
	afterEach(() => {
		process.off('unhandledRejection', onUnhandled);
		process.off('uncaughtException', onUnhandled);
	});

	it('a database from a newer app version is reported as such (was: "private window")', async () => {
		const factory = freshFactory();
		(await openAppDb('t', factory, { migrations: [...MIGRATIONS, () => undefined] })).close();
		const err = await openAppDb('t', factory).catch((e: unknown) => e);
		expect(err).toBeInstanceOf(DatabaseError);
		expect((err as DatabaseError).code).toBe('db_newer_version');
		expect((err as Error).message).toMatch(/saved by a newer version of this app .*Reload the page .*your data is kept/);
		expect((err as Error).message).not.toMatch(/private/);
	});

	it('a throwing migration is rolled back and reported; no uncaught error; the data is as before', async () => {
		const factory = freshFactory();
		const store = new CandleStore(await openAppDb('t', factory));
		await store.putCandles('BTCUSDT', '1h', rangeOf(btc, btc.openTime[0], btc.openTime[99]), 'import');
		store.close();
		const broken = () => {
			throw new Error('index build failed');
		};
		const err = await openAppDb('t', factory, { migrations: [...MIGRATIONS, broken] }).catch((e: unknown) => e);
		await new Promise((r) => setTimeout(r, 20));
		expect(err).toBeInstanceOf(DatabaseError);
		expect((err as DatabaseError).code).toBe('db_migration_failed');
		expect((err as Error).message).toMatch(/from version 1 to 2 failed at step 1 -> 2 \(index build failed\)\. The upgrade was rolled back/);
		expect(unhandled.map((u) => String(u))).toEqual([]);
		const again = new CandleStore(await openAppDb('t', factory));
		expect(again.db.version).toBe(1);
		expect((await again.getCandles('BTCUSDT', '1h')).openTime.length).toBe(100);
		again.close();
	});

	it('another tab upgrading closes this connection and tells it to reload; a later use says so too (was: raw InvalidStateError)', async () => {
		const factory = freshFactory();
		const onVersionChange = vi.fn();
		const old = new CandleStore(await openAppDb('t', factory, { onVersionChange }));
		const newer = await openAppDb('t', factory, { migrations: [...MIGRATIONS, () => undefined] });
		expect(onVersionChange).toHaveBeenCalledOnce();
		const err = await old.getCandles('BTCUSDT', '1h').catch((e: unknown) => e);
		expect((err as Error).name).toBe('InvalidStateError');
		expect(explainDbError(err)).toBeInstanceOf(DatabaseError);
		expect(describeError(err)).toBe(DB_CLOSED_MESSAGE);
		newer.close();
	});
});

/** A source that waits at its second page until released (a sync in another tab, in flight). */
class GatedSource implements KlineSource {
	inner = new FakeSource(btc, { pageSize: 500 });
	release!: () => void;
	private gate = new Promise<void>((r) => (this.release = r));
	atGate!: Promise<void>;
	private reached!: () => void;
	constructor() {
		this.atGate = new Promise<void>((r) => (this.reached = r));
	}
	fetchKlines(args: KlineFetchArgs) {
		let pages = 0;
		return this.inner.fetchKlines({
			...args,
			onPage: async (page, p) => {
				if (++pages === 2) {
					this.reached();
					await this.gate;
				}
				await args.onPage?.(page, p);
			}
		});
	}
}

describe('deleting a series during a sync', () => {
	it('the sync stops with a clear error and does not bring the series back (was: resurrected)', async () => {
		const factory = freshFactory();
		const syncTab = new CandleStore(await openAppDb('t', factory));
		const otherTab = new CandleStore(await openAppDb('t', factory));
		const source = new GatedSource();
		const start = Date.UTC(2024, 0, 1);
		const running = syncCandles({ store: syncTab, source, symbol: 'BTCUSDT', interval: '1h', startTime: start, endTime: start + 2999 * 3_600_000, now: Date.UTC(2026, 6, 25) }).catch(
			(e: unknown) => e
		);
		await source.atGate;
		await new Promise((r) => setTimeout(r, 5));
		expect((await otherTab.getCoverage('BTCUSDT', '1h'))?.count).toBe(500);
		expect(await otherTab.deleteSeries('BTCUSDT', '1h')).toBe(true);
		source.release();
		const err = await running;
		expect(err).toBeInstanceOf(SyncError);
		expect((err as SyncError).cause).toBeInstanceOf(SeriesDeletedError);
		expect((err as Error).message).toMatch(/was deleted while candles were being written to it/);
		expect(await otherTab.getCoverage('BTCUSDT', '1h')).toBeUndefined();
		expect((await otherTab.getCandles('BTCUSDT', '1h')).openTime.length).toBe(0);
		// A sync started after the delete stores it anew.
		const r = await syncCandles({ store: syncTab, source: new FakeSource(btc), symbol: 'BTCUSDT', interval: '1h', startTime: start, endTime: start + 99 * 3_600_000, now: Date.UTC(2026, 6, 25) });
		expect(r.count).toBe(100);
		expect(await syncTab.db.get(STORES.settings, 'deleted:BTCUSDT:1h')).toBeTypeOf('number');
		syncTab.close();
		otherTab.close();
	});
});
