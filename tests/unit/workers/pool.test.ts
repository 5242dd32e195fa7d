import { describe, expect, it } from 'vitest';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import {
	PoolJobError,
	WorkerPool,
	defaultPoolSize,
	type DatasetWorkerApi,
	type WorkerHandle
} from '../../../src/lib/workers/pool';

/** A controllable stand-in for a Web Worker: records calls, can hang, throw, or raise an uncaught error. */
interface FakeApi extends DatasetWorkerApi {
	exec(job: string): Promise<string>;
}
class FakeWorker implements WorkerHandle<FakeApi> {
	static spawned: FakeWorker[] = [];
	readonly n: number;
	loads: Array<{ id: string; bars: number }> = [];
	runs: string[] = [];
	terminated = false;
	dataset: string | null = null;
	pending = new Map<string, { resolve: (v: string) => void; reject: (e: Error) => void }>();
	errorListeners: Array<(m: string) => void> = [];
	api: FakeApi;
	constructor() {
		this.n = FakeWorker.spawned.length;
		FakeWorker.spawned.push(this);
		this.api = {
			loadDataset: async (id, ohlcv) => {
				this.loads.push({ id, bars: ohlcv.close.length });
				this.dataset = id;
				return ohlcv.close.length;
			},
			exec: (job) => {
				this.runs.push(job);
				if (job.startsWith('throw')) return Promise.reject(new Error(`boom in ${job}`));
				if (job.startsWith('auto')) return Promise.resolve(`${job}@${this.dataset}#${this.n}`);
				return new Promise((resolve, reject) => this.pending.set(job, { resolve, reject }));
			}
		};
	}
	finish(job: string) {
		this.pending.get(job)!.resolve(`${job}@${this.dataset}#${this.n}`);
	}
	crash(message: string) {
		for (const l of this.errorListeners) l(message);
	}
	terminate() {
		this.terminated = true;
	}
	onError(listener: (m: string) => void) {
		this.errorListeners.push(listener);
	}
}

function columns(bars: number): OhlcvColumns {
	const a = () => Float64Array.from({ length: bars }, (_, i) => 100 + i);
	return { openTime: Float64Array.from({ length: bars }, (_, i) => i * 3_600_000), open: a(), high: a(), low: a(), close: a(), volume: a() };
}
const dsA = { id: 'BTCUSDT:1h:A', ohlcv: columns(50) };
const dsB = { id: 'ETHUSDT:1h:B', ohlcv: columns(70) };

function makePool(size: number, timeoutMs = 10_000) {
	FakeWorker.spawned = [];
	return new WorkerPool<FakeApi>({ factory: () => new FakeWorker(), size, timeoutMs });
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('defaultPoolSize', () => {
	it('starts one worker per core (measured to pay on 2 cores) and stays within 1..8', () => {
		expect(defaultPoolSize(undefined)).toBe(1);
		expect(defaultPoolSize(1)).toBe(1);
		expect(defaultPoolSize(2)).toBe(2);
		expect(defaultPoolSize(4)).toBe(4);
		expect(defaultPoolSize(32)).toBe(8);
	});
});

describe('WorkerPool', () => {
	it('runs jobs FIFO within the size limit and spawns workers lazily', async () => {
		const pool = makePool(2);
		expect(pool.stats.workers).toBe(0);
		const started: string[] = [];
		const jobs = ['j1', 'j2', 'j3'].map((j) =>
			pool.submit({ id: j, dataset: dsA, run: (api) => api.exec(j), onStart: () => started.push(j) })
		);
		await tick();
		expect(pool.stats).toMatchObject({ workers: 2, busy: 2, queued: 1 });
		expect(started).toEqual(['j1', 'j2']);
		FakeWorker.spawned[1].finish('j2');
		expect(await jobs[1].promise).toBe('j2@BTCUSDT:1h:A#1');
		await tick();
		// j3 went to the freed worker #1, which already holds dataset A: no second load there.
		expect(started).toEqual(['j1', 'j2', 'j3']);
		FakeWorker.spawned[1].finish('j3');
		FakeWorker.spawned[0].finish('j1');
		expect(await jobs[2].promise).toBe('j3@BTCUSDT:1h:A#1');
		expect(await jobs[0].promise).toBe('j1@BTCUSDT:1h:A#0');
		expect(FakeWorker.spawned.map((w) => w.loads.length)).toEqual([1, 1]);
		expect(pool.stats).toMatchObject({ workers: 2, busy: 0, queued: 0, replaced: 0 });
	});

	it('loads a dataset once per worker and reloads only when another dataset comes', async () => {
		const pool = makePool(1);
		for (const [j, ds] of [['auto1', dsA], ['auto2', dsA], ['auto3', dsB], ['auto4', dsB], ['auto5', dsA]] as const) {
			await pool.submit({ dataset: ds, run: (api) => api.exec(j) }).promise;
		}
		const w = FakeWorker.spawned[0];
		expect(FakeWorker.spawned).toHaveLength(1);
		expect(w.loads).toEqual([
			{ id: dsA.id, bars: 50 },
			{ id: dsB.id, bars: 70 },
			{ id: dsA.id, bars: 50 }
		]);
		expect(pool.loadedDatasets).toEqual([dsA.id]);
		// The caller's columns are copied before transfer, never detached.
		expect(dsA.ohlcv.close.length).toBe(50);
	});

	it('prefers a free worker that already holds the dataset', async () => {
		const pool = makePool(2);
		await Promise.all([
			pool.submit({ dataset: dsA, run: (api) => api.exec('auto-a') }).promise,
			pool.submit({ dataset: dsB, run: (api) => api.exec('auto-b') }).promise
		]);
		const r = await pool.submit({ dataset: dsB, run: (api) => api.exec('auto-b2') }).promise;
		expect(r).toBe('auto-b2@ETHUSDT:1h:B#1');
		expect(FakeWorker.spawned[1].loads).toHaveLength(1);
	});

	it('cancels a queued job without touching the running one', async () => {
		const pool = makePool(1);
		const j1 = pool.submit({ id: 'j1', dataset: dsA, run: (api) => api.exec('j1') });
		const j2 = pool.submit({ id: 'j2', dataset: dsA, run: (api) => api.exec('j2') });
		await tick();
		j2.cancel();
		await expect(j2.promise).rejects.toMatchObject({ failure: 'cancelled' });
		FakeWorker.spawned[0].finish('j1');
		expect(await j1.promise).toBe('j1@BTCUSDT:1h:A#0');
		expect(FakeWorker.spawned[0].runs).toEqual(['j1']);
		expect(pool.stats.replaced).toBe(0);
	});

	it('cancels a running job by terminating and replacing its worker, then runs the next job', async () => {
		const pool = makePool(1);
		const j1 = pool.submit({ id: 'j1', dataset: dsA, run: (api) => api.exec('j1') });
		const j2 = pool.submit({ id: 'j2', dataset: dsA, run: (api) => api.exec('auto-j2') });
		await tick();
		expect(pool.cancel('j1')).toBe(true);
		await expect(j1.promise).rejects.toBeInstanceOf(PoolJobError);
		expect(FakeWorker.spawned[0].terminated).toBe(true);
		expect(await j2.promise).toBe('auto-j2@BTCUSDT:1h:A#1');
		expect(FakeWorker.spawned[1].loads).toHaveLength(1);
		expect(pool.stats.replaced).toBe(1);
		expect(pool.cancel('j1')).toBe(false);
	});

	it('fails a job that throws with its message and replaces the worker', async () => {
		const pool = makePool(1);
		const bad = pool.submit({ dataset: dsA, run: (api) => api.exec('throw-now') });
		const good = pool.submit({ dataset: dsA, run: (api) => api.exec('auto-after') });
		const err = await bad.promise.catch((e) => e);
		expect(err).toBeInstanceOf(PoolJobError);
		expect(err.failure).toBe('job_failed');
		expect(err.message).toBe('boom in throw-now');
		expect(await good.promise).toBe('auto-after@BTCUSDT:1h:A#1');
		expect(FakeWorker.spawned[0].terminated).toBe(true);
	});

	it('times out a hung job, replaces its worker and keeps the queue moving', async () => {
		const pool = makePool(1, 30);
		const hung = pool.submit({ dataset: dsA, run: (api) => api.exec('never') });
		const next = pool.submit({ dataset: dsA, run: (api) => api.exec('auto-next') });
		const err = await hung.promise.catch((e) => e);
		expect(err.failure).toBe('timeout');
		expect(err.message).toMatch(/did not finish within/);
		expect(await next.promise).toBe('auto-next@BTCUSDT:1h:A#1');
		expect(pool.stats.replaced).toBe(1);
	});

	it('fails the running job when its worker raises an uncaught error', async () => {
		const pool = makePool(1);
		const job = pool.submit({ dataset: dsA, run: (api) => api.exec('waiting') });
		await tick();
		FakeWorker.spawned[0].crash('RuntimeError: unreachable');
		const err = await job.promise.catch((e) => e);
		expect(err.failure).toBe('worker_crashed');
		expect(err.message).toContain('RuntimeError: unreachable');
		// A late answer from the dead worker is ignored.
		FakeWorker.spawned[0].finish('waiting');
		expect(await pool.submit({ dataset: dsA, run: (api) => api.exec('auto-x') }).promise).toBe('auto-x@BTCUSDT:1h:A#1');
	});

	it('replaces an idle worker that crashes', async () => {
		const pool = makePool(1);
		await pool.submit({ dataset: dsA, run: (api) => api.exec('auto-1') }).promise;
		FakeWorker.spawned[0].crash('out of memory');
		expect(pool.stats.workers).toBe(0);
		expect(await pool.submit({ dataset: dsA, run: (api) => api.exec('auto-2') }).promise).toBe('auto-2@BTCUSDT:1h:A#1');
	});

	it('dispose fails running and queued jobs and terminates workers', async () => {
		const pool = makePool(1);
		const a = pool.submit({ dataset: dsA, run: (api) => api.exec('a') });
		const b = pool.submit({ dataset: dsA, run: (api) => api.exec('b') });
		await tick();
		pool.dispose();
		await expect(a.promise).rejects.toMatchObject({ failure: 'pool_disposed' });
		await expect(b.promise).rejects.toMatchObject({ failure: 'pool_disposed' });
		expect(FakeWorker.spawned.every((w) => w.terminated)).toBe(true);
		await expect(pool.submit({ dataset: dsA, run: (api) => api.exec('c') }).promise).rejects.toMatchObject({ failure: 'pool_disposed' });
	});
});
