/**
 * Research persistence (schema v4) in fake-indexeddb: jobs, presets with their history and recommendations with their
 * audit trail are stored and listed in order; a job left running by a closed page is marked; damaged records are
 * skipped with a message and nothing else is lost; a full storage rolls a write back whole (a batch of presets, or a
 * recommendation with the presets it changes); a v3 database with data upgrades to v4 keeping every record.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, STORES, openAppDb } from '../../../src/lib/persistence/db';
import { StorageFullError } from '../../../src/lib/persistence/errors';
import { PresetsRepository, RecommendationsRepository, ResearchJobsRepository, ResearchStoreError } from '../../../src/lib/persistence/research';
import { applyAutoTune } from '../../../src/lib/research/auto-tune';
import type { AutoTunePlan, Preset as CorePreset } from '../../../src/lib/research/types';

let n = 0;
const open = () => openAppDb(`research-${++n}`, new IDBFactory());

type Job = { id: string; createdAt: number; updatedAt: number; status: string; spec: { name: string; markets: string[]; timeframes: string[]; strategies: { strategy: string }[] }; progress: { done: number; failed: number; total: number }; rows: { symbol: string; interval: string; strategy: string; status: string; error?: string }[]; error?: string };
type Preset = { id: string; symbol: string; interval: string; strategy: string; strategyId: string; values: { params: Record<string, number | string | boolean>; risk?: Record<string, number> }; createdAt: number; updatedAt: number; history: { at: number; source: string; old: unknown; new: unknown }[] };
type Rec = { id: string; kind: string; title: string; status: string; actionable: boolean; createdAt: number; audit: { at: number; from: string | null; to: string }[] };

const job = (id: string, createdAt: number, status = 'pending'): Job => ({
	id,
	createdAt,
	updatedAt: createdAt,
	status,
	spec: { name: `job ${id}`, markets: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'], timeframes: ['1h', '4h'], strategies: [{ strategy: 'sma-cross' }, { strategy: 'rsi-reversion' }] },
	progress: { done: 0, failed: 0, total: 12 },
	rows: []
});
const preset = (symbol: string, params: Record<string, number>, at = 1): Preset => ({
	id: `${symbol}|1h|sma-cross`,
	symbol,
	interval: '1h',
	strategy: 'sma-cross',
	strategyId: 'sma-cross',
	values: { params },
	createdAt: at,
	updatedAt: at,
	history: [{ at, source: 'manual', old: null, new: { params } }]
});
const rec = (id: string, createdAt: number, status = 'pending', actionable = true): Rec => ({
	id,
	kind: 'parameter',
	title: `rec ${id}`,
	status,
	actionable,
	createdAt,
	audit: [{ at: createdAt, from: null, to: 'pending' }]
});

const proto = IDBObjectStore.prototype;
const originalPut = proto.put;
afterEach(() => {
	proto.put = originalPut;
});
function failPutsOn(store: string, nth = 1) {
	let puts = 0;
	proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
		if (this.name === store && ++puts === nth) throw new DOMException('quota exceeded (simulated)', 'QuotaExceededError');
		return originalPut.apply(this, args);
	};
}

describe('ResearchJobsRepository', () => {
	it('stores jobs, lists newest first, deletes', async () => {
		const jobs = new ResearchJobsRepository<Job>(await open());
		await jobs.put(job('a', 1));
		await jobs.put(job('b', 2));
		await jobs.put({ ...job('a', 1, 'completed'), rows: [{ symbol: 'BTCUSDT', interval: '1h', strategy: 'sma-cross', status: 'failed', error: 'no candles' }] });
		expect((await jobs.list()).map((j) => j.id)).toEqual(['b', 'a']);
		expect((await jobs.get('a'))?.rows[0].error).toBe('no candles');
		await jobs.delete('b');
		expect((await jobs.list()).map((j) => j.id)).toEqual(['a']);
		expect(await jobs.get('b')).toBeUndefined();
	});

	it('marks running and pending jobs of a closed page, keeping their rows', async () => {
		const jobs = new ResearchJobsRepository<Job>(await open());
		await jobs.put({ ...job('r', 1, 'running'), rows: [{ symbol: 'BTCUSDT', interval: '1h', strategy: 'sma-cross', status: 'completed' }] });
		await jobs.put(job('c', 2, 'completed'));
		expect(await jobs.markInterrupted((j) => ({ ...j, status: 'cancelled', error: 'Interrupted' }))).toEqual(['r']);
		expect(await jobs.get('r')).toMatchObject({ status: 'cancelled', error: 'Interrupted', rows: [{ status: 'completed' }] });
		expect((await jobs.get('c'))?.status).toBe('completed');
	});

	it('skips a damaged job with a message and returns every other one', async () => {
		const db = await open();
		const jobs = new ResearchJobsRepository<Job>(db);
		await jobs.put(job('good', 1));
		await db.put(STORES.researchJobs, { id: 'bad', createdAt: 2, updatedAt: 2, status: 'running', spec: { name: 'x' }, progress: { done: 'many' }, rows: [] } as never);
		const listed = await jobs.listChecked();
		expect(listed.items.map((j) => j.id)).toEqual(['good']);
		expect(listed.skipped).toHaveLength(1);
		expect(listed.skipped[0]).toMatchObject({ store: 'researchJobs', key: 'bad' });
		expect(listed.skipped[0].message).toMatch(/research job “bad” is damaged \(spec\.markets: .*\); it was skipped and everything else is kept/);
		await expect(jobs.get('bad')).rejects.toBeInstanceOf(ResearchStoreError);
		// marking interrupted changes the readable pending job and leaves the damaged running one as it is
		expect(await jobs.markInterrupted((j) => ({ ...j, status: 'cancelled' }))).toEqual(['good']);
		expect(await db.get(STORES.researchJobs, 'bad')).toMatchObject({ status: 'running', progress: { done: 'many' } });
	});

	it('a full storage keeps the stored job as it was', async () => {
		const jobs = new ResearchJobsRepository<Job>(await open());
		await jobs.put(job('a', 1));
		failPutsOn(STORES.researchJobs);
		const err = await jobs.put({ ...job('a', 1, 'running'), progress: { done: 5, failed: 0, total: 12 } }).catch((e) => e);
		expect(err).toBeInstanceOf(StorageFullError);
		expect(err.message).toMatch(/storage is full, so research job “a” was not saved\. Everything stored before is unchanged/);
		proto.put = originalPut;
		expect(await jobs.get('a')).toMatchObject({ status: 'pending', progress: { done: 0 } });
	});
});

describe('PresetsRepository', () => {
	it('stores presets with their history, sorted by id', async () => {
		const presets = new PresetsRepository<Preset>(await open());
		await presets.put(preset('ETHUSDT', { fast: 12, slow: 26 }));
		const btc = preset('BTCUSDT', { fast: 10, slow: 30 });
		await presets.put(btc);
		await presets.put({ ...btc, values: { params: { fast: 8, slow: 40 }, risk: { stopLoss: 0.02 } }, updatedAt: 5, history: [...btc.history, { at: 5, source: 'job', old: btc.values, new: { params: { fast: 8, slow: 40 }, risk: { stopLoss: 0.02 } } }] });
		const list = await presets.list();
		expect(list.map((p) => p.id)).toEqual(['BTCUSDT|1h|sma-cross', 'ETHUSDT|1h|sma-cross']);
		expect(list[0].history.map((h) => h.source)).toEqual(['manual', 'job']);
		expect(list[0].values.risk).toEqual({ stopLoss: 0.02 });
	});

	it('a batch is all or nothing: a full storage on the third preset writes none of them', async () => {
		const presets = new PresetsRepository<Preset>(await open());
		await presets.put(preset('BTCUSDT', { fast: 10, slow: 30 }));
		failPutsOn(STORES.presets, 3);
		const batch = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'].map((s) => preset(s, { fast: 5, slow: 50 }, 2));
		await expect(presets.putMany(batch)).rejects.toBeInstanceOf(StorageFullError);
		proto.put = originalPut;
		expect((await presets.list()).map((p) => [p.id, p.values.params])).toEqual([['BTCUSDT|1h|sma-cross', { fast: 10, slow: 30 }]]);
		await presets.putMany(batch);
		expect(await presets.list()).toHaveLength(3);
	});

	it("the core's auto-tune apply writes through it in one transaction: a full storage leaves every preset as it was", async () => {
		const presets = new PresetsRepository<CorePreset>(await open());
		await presets.put(preset('BTCUSDT', { fast: 10, slow: 30 }) as CorePreset);
		const change = (symbol: string, old: { params: Record<string, number> } | null) => ({
			symbol,
			interval: '1h' as const,
			strategy: 'sma-cross',
			presetId: `${symbol}|1h|sma-cross`,
			strategyId: 'sma-cross' as const,
			old,
			new: { params: { fast: 20, slow: 50 } },
			objective: 'sharpeRatio' as const,
			oldValue: 0.5,
			newValue: 1.2345678,
			improvement: 1.469,
			holdOutImprovement: 0.3,
			confidence: 0.61
		});
		const plan: AutoTunePlan = { version: 1, id: 'plan', jobId: 'job', createdAt: 1, options: { minImprovement: 0.05, filter: {} }, changes: [change('BTCUSDT', { params: { fast: 10, slow: 30 } }), change('ETHUSDT', null), change('BNBUSDT', null)], skipped: [] };
		const before = await presets.list();
		failPutsOn(STORES.presets, 3);
		await expect(applyAutoTune(plan, presets, 2)).rejects.toBeInstanceOf(StorageFullError);
		proto.put = originalPut;
		expect(await presets.list()).toEqual(before);
		const done = await applyAutoTune(plan, presets, 3);
		expect(done.written).toHaveLength(3);
		expect((await presets.list()).map((p) => [p.id, p.values.params, p.history.at(-1)!.note])).toEqual(
			['BNBUSDT', 'BTCUSDT', 'ETHUSDT'].map((s) => [`${s}|1h|sma-cross`, { fast: 20, slow: 50 }, expect.stringMatching(/sharpeRatio 0\.5 -> 1\.235 \(147 % in sample, 30 % out of sample, confidence 61 %\)$/)])
		);
	});

	it('skips a damaged preset with a message; the rest is kept and it can be replaced', async () => {
		const db = await open();
		const presets = new PresetsRepository<Preset>(db);
		await presets.put(preset('BTCUSDT', { fast: 10, slow: 30 }));
		await db.put(STORES.presets, { id: 'ETHUSDT|1h|sma-cross', values: 'fast=10' } as never);
		const listed = await presets.listChecked();
		expect(listed.items.map((p) => p.id)).toEqual(['BTCUSDT|1h|sma-cross']);
		expect(listed.skipped[0].message).toMatch(/preset “ETHUSDT\|1h\|sma-cross” is damaged/);
		await presets.put(preset('ETHUSDT', { fast: 12, slow: 26 }));
		expect((await presets.listChecked()).skipped).toEqual([]);
	});
});

describe('RecommendationsRepository', () => {
	it('adds only new recommendations (stored decisions are kept) and lists newest first', async () => {
		const recs = new RecommendationsRepository<Rec>(await open());
		expect((await recs.addNew([rec('r1', 1), rec('r2', 2, 'pending', false)])).map((r) => r.id)).toEqual(['r1', 'r2']);
		await recs.put({ ...rec('r1', 1, 'accepted'), audit: [...rec('r1', 1).audit, { at: 3, from: 'pending', to: 'accepted' }] });
		expect(await recs.addNew([rec('r1', 1), rec('r3', 4)])).toHaveLength(1);
		const list = await recs.list();
		expect(list.map((r) => [r.id, r.status])).toEqual([
			['r3', 'pending'],
			['r2', 'pending'],
			['r1', 'accepted']
		]);
		expect(list[2].audit.map((a) => a.to)).toEqual(['pending', 'accepted']);
	});

	it('commit writes the recommendation and its presets together; a full storage writes neither', async () => {
		const db = await open();
		const recs = new RecommendationsRepository<Rec, Preset>(db);
		const presets = new PresetsRepository<Preset>(db);
		await recs.addNew([rec('r1', 1, 'accepted')]);
		const applied = { ...rec('r1', 1, 'applied'), audit: [...rec('r1', 1).audit, { at: 5, from: 'accepted', to: 'applied' }] };
		failPutsOn(STORES.recommendations);
		await expect(recs.commit(applied, [preset('BTCUSDT', { fast: 8, slow: 40 }, 5)])).rejects.toBeInstanceOf(StorageFullError);
		proto.put = originalPut;
		expect((await recs.get('r1'))?.status).toBe('accepted');
		expect(await presets.list()).toEqual([]);
		await recs.commit(applied, [preset('BTCUSDT', { fast: 8, slow: 40 }, 5)]);
		expect((await recs.get('r1'))?.status).toBe('applied');
		expect((await presets.get('BTCUSDT|1h|sma-cross'))?.values.params).toEqual({ fast: 8, slow: 40 });
	});

	it('skips a damaged recommendation with a message', async () => {
		const db = await open();
		const recs = new RecommendationsRepository<Rec>(db);
		await recs.addNew([rec('ok', 1)]);
		await db.put(STORES.recommendations, { id: 'bad', createdAt: 2, status: 'maybe' } as never);
		const listed = await recs.listChecked();
		expect(listed.items.map((r) => r.id)).toEqual(['ok']);
		expect(listed.skipped[0].message).toMatch(/recommendation “bad” is damaged/);
	});
});

describe('schema v4 upgrade', () => {
	it('upgrades a v3 database with runs to v4, keeping every record', async () => {
		const factory = new IDBFactory();
		const v3 = await openAppDb('upgrade', factory, { migrations: MIGRATIONS.slice(0, 3) });
		await v3.put(STORES.runs, { id: 'run-1', createdAt: 5, label: 'kept' });
		await v3.put(STORES.settings, 'x', 'k');
		v3.close();
		const v4 = await openAppDb('upgrade', factory, { migrations: MIGRATIONS.slice(0, 4) });
		expect(v4.version).toBe(4);
		expect(await v4.get(STORES.runs, 'run-1')).toEqual({ id: 'run-1', createdAt: 5, label: 'kept' });
		expect(await v4.get(STORES.settings, 'k')).toBe('x');
		for (const s of [STORES.researchJobs, STORES.presets, STORES.recommendations]) expect(v4.objectStoreNames.contains(s)).toBe(true);
	});
});
