import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DB_VERSION, MIGRATIONS, STORES, openAppDb, type Migration } from '../../../src/lib/persistence/db';
import { freshFactory } from './helpers';

describe('openAppDb', () => {
	it('creates every store (v1 and v2) with its keys and indexes', async () => {
		const db = await openAppDb('t', freshFactory());
		expect(db.version).toBe(DB_VERSION);
		expect(DB_VERSION).toBe(MIGRATIONS.length);
		expect([...db.objectStoreNames].sort()).toEqual(Object.values(STORES).sort());
		const tx = db.transaction(Object.values(STORES), 'readonly');
		expect(tx.objectStore('candleChunks').keyPath).toEqual(['symbol', 'interval', 'chunkStart']);
		expect(tx.objectStore('series').keyPath).toEqual(['symbol', 'interval']);
		expect(tx.objectStore('runs').keyPath).toBe('id');
		expect([...tx.objectStore('runs').indexNames]).toEqual(['by-createdAt']);
		expect(tx.objectStore('optimisations').keyPath).toBe('id');
		expect(tx.objectStore('settings').keyPath).toBeNull();
		expect(tx.objectStore('portfolioRuns').keyPath).toBe('id');
		expect([...tx.objectStore('portfolioRuns').indexNames]).toEqual(['by-createdAt']);
		db.close();
	});

	it('keeps data across close and reopen of the same version', async () => {
		const factory = freshFactory();
		const db = await openAppDb('t', factory);
		await db.put('runs', { id: 'r1', createdAt: 2, name: 'b' });
		await db.put('runs', { id: 'r0', createdAt: 1, name: 'a' });
		await db.put('settings', { theme: 'dark' }, 'ui');
		db.close();
		const again = await openAppDb('t', factory);
		expect(await again.getAllFromIndex('runs', 'by-createdAt')).toEqual([
			{ id: 'r0', createdAt: 1, name: 'a' },
			{ id: 'r1', createdAt: 2, name: 'b' }
		]);
		expect(await again.get('settings', 'ui')).toEqual({ theme: 'dark' });
		again.close();
	});

	it('runs an appended v2 migration on a v1 database without losing data', async () => {
		const factory = freshFactory();
		const db = await openAppDb('t', factory);
		await db.put('runs', { id: 'r1', createdAt: 5, score: 1.5 });
		db.close();
		const v2: Migration = (d, tx) => {
			(d as unknown as IDBDatabase).createObjectStore('futureStore', { keyPath: 'id' });
			(tx.objectStore('runs') as unknown as { createIndex(n: string, k: string): void }).createIndex('by-score', 'score');
		};
		const upgraded = await openAppDb('t', factory, { migrations: [...MIGRATIONS, v2] });
		expect(upgraded.version).toBe(MIGRATIONS.length + 1);
		expect([...upgraded.objectStoreNames]).toContain('futureStore');
		expect(await upgraded.get('runs', 'r1')).toEqual({ id: 'r1', createdAt: 5, score: 1.5 });
		const byScore = await (upgraded as unknown as { getAllFromIndex(s: string, i: string): Promise<unknown[]> }).getAllFromIndex('runs', 'by-score');
		expect(byScore).toHaveLength(1);
		upgraded.close();
	});

	it('v1 -> v2 adds the scans store and keeps every record of a v1 database', async () => {
		const factory = freshFactory();
		const v1db = await openAppDb('t', factory, { migrations: MIGRATIONS.slice(0, 1) });
		expect(v1db.version).toBe(1);
		await v1db.put('runs', { id: 'r1', createdAt: 5 });
		await v1db.put('settings', 'x', 'k');
		v1db.close();
		const v2db = await openAppDb('t', factory, { migrations: MIGRATIONS.slice(0, 2) });
		expect(v2db.version).toBe(2);
		expect([...v2db.objectStoreNames]).toContain('scans');
		expect([...v2db.objectStoreNames]).toContain('scanBands');
		expect(await v2db.get('runs', 'r1')).toEqual({ id: 'r1', createdAt: 5 });
		expect(await v2db.get('settings', 'k')).toBe('x');
		await v2db.put('scans', { id: 's1', createdAt: 7 });
		expect(await v2db.getAllFromIndex('scans', 'by-createdAt')).toHaveLength(1);
		v2db.close();
	});

	it('closes itself when another connection needs a newer version', async () => {
		const factory = freshFactory();
		let notified = 0;
		const old = await openAppDb('t', factory, { onVersionChange: () => notified++ });
		const newer = await openAppDb('t', factory, { migrations: [...MIGRATIONS, () => undefined] });
		expect(newer.version).toBe(MIGRATIONS.length + 1);
		expect(notified).toBe(1);
		newer.close();
		void old;
	});
});
