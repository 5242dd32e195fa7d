/**
 * Research persistence (schema v4) in fake-indexeddb: jobs through their life cycle and interruption, presets with
 * their history (one transaction each, atomic batches), recommendations' life cycle and audit trail, applying one
 * writes exactly its presets, damaged records are skipped with a message (nothing else lost), and a full storage
 * rolls a write back whole. Also: a v3 database with data upgrades to v4 keeping every record.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, STORES, openAppDb } from '../../../src/lib/persistence/db';
import { StorageFullError } from '../../../src/lib/persistence/errors';
import {
	PresetsRepository,
	RESEARCH_INTERRUPTED,
	RecommendationsRepository,
	ResearchJobsRepository,
	ResearchStoreError,
	presetKey,
	type StoredResearchJob
} from '../../../src/lib/persistence/research';

let dbCount = 0;
async function open(factory = new IDBFactory()) {
	return openAppDb(`research-${++dbCount}`, factory);
}

function job(id: string, createdAt: number, status: StoredResearchJob['status'] = 'pending'): StoredResearchJob<{ markets: string[] }, { symbol: string }> {
	return {
		id,
		createdAt,
		updatedAt: createdAt,
		name: `job ${id}`,
		description: 'SMA cross over three markets',
		status,
		definition: { markets: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'] },
		progress: { done: 0, failed: 0, total: 12, trialsDone: 0, trialsTotal: 1200, elapsedMs: 0 },
		rows: [],
		failures: []
	};
}

const proto = IDBObjectStore.prototype;
const originalPut = proto.put;
afterEach(() => {
	proto.put = originalPut;
});

describe('ResearchJobsRepository', () => {
	it('keeps a job through its life cycle, lists newest first, deletes', async () => {
		const db = await open();
		const jobs = new ResearchJobsRepository<{ markets: string[] }, { symbol: string }>(db);
		await jobs.put(job('a', 1));
		await jobs.put(job('b', 2));
		await jobs.update('a', { status: 'running', progress: { done: 3, failed: 1, total: 12, trialsDone: 300, trialsTotal: 1200, elapsedMs: 900 } }, 10);
		const done = await jobs.update('a', { status: 'completed', rows: [{ symbol: 'BTCUSDT' }], failures: [{ key: 'ETHUSDT|4h|sma-cross', error: 'no candles', at: 11 }] }, 12);
		expect(done).toMatchObject({ id: 'a', createdAt: 1, updatedAt: 12, status: 'completed' });
		expect((await jobs.get('a'))?.failures[0].error).toBe('no candles');
		const listed = await jobs.list();
		expect(listed.items.map((j) => j.id)).toEqual(['b', 'a']);
		expect(listed.skipped).toEqual([]);
		expect(await jobs.delete('b')).toBe(true);
		expect(await jobs.delete('b')).toBe(false);
		await expect(jobs.update('b', { status: 'running' })).rejects.toThrow(/not stored any more/);
	});

	it('marks running and pending jobs interrupted at start-up, keeping their rows', async () => {
		const db = await open();
		const jobs = new ResearchJobsRepository(db);
		await jobs.put({ ...job('r', 1, 'running'), rows: [{ symbol: 'BTCUSDT' }] });
		await jobs.put(job('c', 2, 'completed'));
		expect(await jobs.markInterrupted(5)).toEqual(['r']);
		const r = await jobs.get('r');
		expect(r).toMatchObject({ status: 'interrupted', error: RESEARCH_INTERRUPTED, rows: [{ symbol: 'BTCUSDT' }] });
		expect((await jobs.get('c'))?.status).toBe('completed');
	});

	it('skips a damaged job with a message and returns every other one', async () => {
		const db = await open();
		const jobs = new ResearchJobsRepository(db);
		await jobs.put(job('good', 1));
		await db.put(STORES.researchJobs, { id: 'bad', createdAt: 2, name: 'x', progress: { done: 'many' } } as never);
		const listed = await jobs.list();
		expect(listed.items.map((j) => j.id)).toEqual(['good']);
		expect(listed.skipped).toHaveLength(1);
		expect(listed.skipped[0].key).toBe('bad');
		expect(listed.skipped[0].message).toMatch(/research job “bad” is damaged .*skipped, everything else is kept/);
		await expect(jobs.get('bad')).rejects.toBeInstanceOf(ResearchStoreError);
	});

	it('a full storage keeps the stored job as it was', async () => {
		const db = await open();
		const jobs = new ResearchJobsRepository(db);
		await jobs.put(job('a', 1));
		proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
			if (this.name === STORES.researchJobs) throw new DOMException('quota exceeded (simulated)', 'QuotaExceededError');
			return originalPut.apply(this, args);
		};
		const err = await jobs.update('a', { status: 'running' }).catch((e) => e);
		expect(err).toBeInstanceOf(StorageFullError);
		expect(err.message).toMatch(/storage is full.*Everything stored before is unchanged/);
		proto.put = originalPut;
		expect((await jobs.get('a'))?.status).toBe('pending');
	});
});

describe('PresetsRepository', () => {
	const btc = { symbol: 'BTCUSDT', interval: '1h', strategy: 'sma-cross' };

	it('saves a preset and logs old -> new with source and time; an unchanged save logs nothing', async () => {
		const db = await open();
		const presets = new PresetsRepository(db);
		const first = await presets.set({ ...btc, params: { fast: 10, slow: 30 }, source: 'manual' }, 100);
		expect(first).toMatchObject({ presetKey: 'BTCUSDT|1h|sma-cross', source: 'manual', at: 100, old: null, new: { params: { fast: 10, slow: 30 } } });
		const second = await presets.set({ ...btc, params: { fast: 8, slow: 40 }, settings: { stopLoss: 0.02 }, source: 'job', ref: { jobId: 'j1' }, note: 'Sharpe 0.4 → 0.8' }, 200);
		expect(second).toMatchObject({ old: { params: { fast: 10, slow: 30 } }, new: { params: { fast: 8, slow: 40 }, settings: { stopLoss: 0.02 } }, ref: { jobId: 'j1' } });
		expect(await presets.set({ ...btc, params: { slow: 40, fast: 8 }, settings: { stopLoss: 0.02 }, source: 'manual' }, 300)).toBeNull();
		const p = await presets.get('BTCUSDT', '1h', 'sma-cross');
		expect(p).toMatchObject({ params: { fast: 8, slow: 40 }, settings: { stopLoss: 0.02 }, createdAt: 100, updatedAt: 200, source: 'job' });
		const h = await presets.history(presetKey('BTCUSDT', '1h', 'sma-cross'));
		expect(h.items.map((c) => c.source)).toEqual(['job', 'manual']);
		expect((await presets.history()).items).toHaveLength(2);
	});

	it('rejects a non-finite value with a clear message and writes nothing', async () => {
		const db = await open();
		const presets = new PresetsRepository(db);
		await expect(presets.set({ ...btc, params: { fast: Number.NaN }, source: 'manual' })).rejects.toThrow(/parameter fast is NaN, which is not a finite number/);
		expect((await presets.list()).items).toEqual([]);
	});

	it('a batch is all or nothing: a full storage on the third preset writes none of them', async () => {
		const db = await open();
		const presets = new PresetsRepository(db);
		await presets.set({ ...btc, params: { fast: 10, slow: 30 }, source: 'manual' }, 1);
		let puts = 0;
		proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
			if (this.name === STORES.presets && ++puts === 3) throw new DOMException('quota exceeded (simulated)', 'QuotaExceededError');
			return originalPut.apply(this, args);
		};
		const writes = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'].map((symbol) => ({ symbol, interval: '1h', strategy: 'sma-cross', params: { fast: 5, slow: 50 }, source: 'auto-tune' as const }));
		await expect(presets.setMany(writes, 2)).rejects.toBeInstanceOf(StorageFullError);
		proto.put = originalPut;
		const listed = await presets.list();
		expect(listed.items.map((p) => [p.key, p.params])).toEqual([['BTCUSDT|1h|sma-cross', { fast: 10, slow: 30 }]]);
		expect((await presets.history()).items).toHaveLength(1);
		expect(await presets.setMany(writes, 3)).toHaveLength(3);
	});

	it('skips a damaged preset and a damaged history entry with a message; the rest is kept', async () => {
		const db = await open();
		const presets = new PresetsRepository(db);
		await presets.set({ ...btc, params: { fast: 10, slow: 30 }, source: 'manual' }, 1);
		await db.put(STORES.presets, { key: 'ETHUSDT|1h|sma-cross', params: 'fast=10' } as never);
		await db.put(STORES.presetHistory, { id: 'broken', presetKey: 'ETHUSDT|1h|sma-cross', at: 5 } as never);
		const listed = await presets.list();
		expect(listed.items.map((p) => p.key)).toEqual(['BTCUSDT|1h|sma-cross']);
		expect(listed.skipped[0].message).toMatch(/preset “ETHUSDT\|1h\|sma-cross” is damaged/);
		const h = await presets.history();
		expect(h.items).toHaveLength(1);
		expect(h.skipped.map((s) => s.key)).toEqual(['broken']);
		// Saving over the damaged preset replaces it (old = null: the damaged values are not trusted).
		const c = await presets.set({ symbol: 'ETHUSDT', interval: '1h', strategy: 'sma-cross', params: { fast: 12, slow: 26 }, source: 'manual' }, 9);
		expect(c?.old).toBeNull();
		expect((await presets.list()).skipped).toEqual([]);
	});
});

describe('RecommendationsRepository', () => {
	const base = (id: string, actionable = true) => ({ id, actionable, jobIds: ['j1'], payload: { kind: 'parameter', title: `rec ${id}` }, ...(actionable ? {} : { checkReason: 'Held out of sample in 1 of 5 windows' }) });

	it('records every status change in the audit trail; applying writes exactly its presets in the same transaction', async () => {
		const db = await open();
		const recs = new RecommendationsRepository(db);
		const presets = new PresetsRepository(db);
		await presets.set({ symbol: 'BTCUSDT', interval: '1h', strategy: 'sma-cross', params: { fast: 10, slow: 30 }, source: 'manual' }, 1);
		const added = await recs.addMany([base('r1'), base('r2', false)], 10);
		expect(added.map((r) => r.status)).toEqual(['pending', 'pending']);
		expect(await recs.addMany([base('r1')], 11)).toEqual([]); // ids already stored are kept as they are
		await expect(recs.transition('r1', 'applied', { presets: [{ symbol: 'BTCUSDT', interval: '1h', strategy: 'sma-cross', params: { fast: 8, slow: 40 }, source: 'recommendation' }] })).rejects.toThrow(/cannot become applied: accept it first/);
		await recs.transition('r1', 'accepted', { note: 'looks right' }, 20);
		const { recommendation, changes } = await recs.transition('r1', 'applied', { presets: [{ symbol: 'BTCUSDT', interval: '1h', strategy: 'sma-cross', params: { fast: 8, slow: 40 }, source: 'recommendation' }] }, 30);
		expect(recommendation.status).toBe('applied');
		expect(recommendation.audit.map((a) => [a.from, a.to, a.at])).toEqual([
			[null, 'pending', 10],
			['pending', 'accepted', 20],
			['accepted', 'applied', 30]
		]);
		expect(changes).toHaveLength(1);
		expect(recommendation.audit[2].presetChanges).toEqual([changes[0].id]);
		expect(changes[0]).toMatchObject({ source: 'recommendation', ref: { recommendationId: 'r1' }, old: { params: { fast: 10, slow: 30 } }, new: { params: { fast: 8, slow: 40 } } });
		expect((await presets.get('BTCUSDT', '1h', 'sma-cross'))?.params).toEqual({ fast: 8, slow: 40 });
		await expect(recs.transition('r1', 'rejected')).rejects.toThrow(/applied cannot become rejected/);
		// Rejected by the check: can be accepted (the user's call) but never applied.
		await recs.transition('r2', 'accepted', {}, 40);
		await expect(recs.transition('r2', 'applied', { presets: [{ symbol: 'ETHUSDT', interval: '1h', strategy: 'sma-cross', params: { fast: 1 }, source: 'recommendation' }] })).rejects.toThrow(/rejected by the out-of-sample check/);
		expect(await presets.get('ETHUSDT', '1h', 'sma-cross')).toBeUndefined();
		expect((await recs.get('r2'))?.audit.map((a) => a.to)).toEqual(['pending', 'accepted']);
	});

	it('a full storage while applying changes neither the presets nor the recommendation', async () => {
		const db = await open();
		const recs = new RecommendationsRepository(db);
		const presets = new PresetsRepository(db);
		await recs.addMany([base('r1')], 1);
		await recs.transition('r1', 'accepted', {}, 2);
		proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
			if (this.name === STORES.recommendations) throw new DOMException('quota exceeded (simulated)', 'QuotaExceededError');
			return originalPut.apply(this, args);
		};
		await expect(recs.transition('r1', 'applied', { presets: [{ symbol: 'BTCUSDT', interval: '1h', strategy: 'sma-cross', params: { fast: 8 }, source: 'recommendation' }] }, 3)).rejects.toBeInstanceOf(StorageFullError);
		proto.put = originalPut;
		expect((await recs.get('r1'))?.status).toBe('accepted');
		expect((await presets.list()).items).toEqual([]);
		expect((await presets.history()).items).toEqual([]);
	});

	it('skips a damaged recommendation with a message', async () => {
		const db = await open();
		const recs = new RecommendationsRepository(db);
		await recs.addMany([base('ok')], 1);
		await db.put(STORES.recommendations, { id: 'bad', createdAt: 2, status: 'maybe' } as never);
		const listed = await recs.list();
		expect(listed.items.map((r) => r.id)).toEqual(['ok']);
		expect(listed.skipped[0].message).toMatch(/recommendation “bad” is damaged/);
	});
});

describe('schema v4 upgrade', () => {
	it('upgrades a v3 database with runs to v4, keeping every record', async () => {
		const factory = new IDBFactory();
		const v3 = await openAppDb('upgrade', factory, { migrations: MIGRATIONS.slice(0, 3) });
		await v3.put(STORES.runs, { id: 'run-1', createdAt: 5, label: 'kept' });
		v3.close();
		const v4 = await openAppDb('upgrade', factory);
		expect(v4.version).toBeGreaterThanOrEqual(4);
		expect(await v4.get(STORES.runs, 'run-1')).toEqual({ id: 'run-1', createdAt: 5, label: 'kept' });
		for (const s of [STORES.researchJobs, STORES.presets, STORES.presetHistory, STORES.recommendations]) expect(v4.objectStoreNames.contains(s)).toBe(true);
	});
});
