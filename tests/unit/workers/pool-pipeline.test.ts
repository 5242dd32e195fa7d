/**
 * The pool's optimisation path: pipelined jobs (two per worker, so a worker never waits for a round trip), the
 * per-worker memo (a job sent once per worker), prewarming (every worker started and holding the dataset before the
 * first job), and a failed pipelined job that lets the job queued behind it finish before its worker is replaced.
 */
import { describe, expect, it } from 'vitest';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { WorkerPool, type DatasetWorkerApi, type WorkerHandle } from '../../../src/lib/workers/pool';

interface Api extends DatasetWorkerApi {
	exec(tag: string): Promise<string>;
}

/** A fake worker whose calls wait until the test settles them. */
class Fake implements WorkerHandle<Api> {
	static all: Fake[] = [];
	readonly n = Fake.all.length;
	loads: string[] = [];
	started: string[] = [];
	terminated = false;
	pending = new Map<string, { resolve: (v: string) => void; reject: (e: Error) => void }>();
	api: Api;
	constructor() {
		Fake.all.push(this);
		this.api = {
			loadDataset: async (id, o) => (this.loads.push(id), o.close.length),
			exec: (tag) => {
				this.started.push(tag);
				return new Promise((resolve, reject) => this.pending.set(tag, { resolve, reject }));
			}
		};
	}
	finish(tag: string) {
		this.pending.get(tag)!.resolve(`${tag}#${this.n}`);
		this.pending.delete(tag);
	}
	fail(tag: string) {
		this.pending.get(tag)!.reject(new Error(`failed ${tag}`));
		this.pending.delete(tag);
	}
	terminate() {
		this.terminated = true;
	}
	onError() {}
}

const cols = (n: number): OhlcvColumns => {
	const a = () => new Float64Array(n).map((_, i) => i + 1);
	return { openTime: a(), open: a(), high: a(), low: a(), close: a(), volume: a() };
};
const ds = { id: 'BTCUSDT:1h:A', ohlcv: cols(10) };
const tick = async (n = 3) => {
	for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0));
};
function makePool(size: number) {
	Fake.all = [];
	return new WorkerPool<Api>({ factory: () => new Fake(), size });
}

describe('WorkerPool pipelining', () => {
	it('keeps two pipelined jobs in flight per worker, loading the dataset once per worker', async () => {
		const pool = makePool(2);
		const jobs = ['b1', 'b2', 'b3', 'b4', 'b5'].map((t) => pool.submit({ dataset: ds, pipeline: true, run: (api) => api.exec(t) }));
		await tick();
		expect(Fake.all).toHaveLength(2);
		expect(Fake.all.map((w) => w.started)).toEqual([['b1', 'b3'], ['b2', 'b4']]);
		expect(Fake.all.map((w) => w.loads)).toEqual([[ds.id], [ds.id]]);
		expect(pool.stats).toMatchObject({ workers: 2, busy: 2, queued: 1 });
		Fake.all[1].finish('b2');
		await tick();
		// b5 joins worker 1 behind b4.
		expect(Fake.all[1].started).toEqual(['b2', 'b4', 'b5']);
		for (const [w, t] of [[0, 'b1'], [0, 'b3'], [1, 'b4'], [1, 'b5']] as const) Fake.all[w].finish(t);
		expect(await Promise.all(jobs.map((j) => j.promise))).toEqual(['b1#0', 'b2#1', 'b3#0', 'b4#1', 'b5#1']);
		expect(Fake.all.map((w) => w.loads.length)).toEqual([1, 1]);
		pool.dispose();
	});

	it('never queues a job that is not pipelined behind another one', async () => {
		const pool = makePool(1);
		const a = pool.submit({ dataset: ds, pipeline: true, run: (api) => api.exec('batch') });
		const b = pool.submit({ dataset: ds, run: (api) => api.exec('run') });
		await tick();
		expect(Fake.all[0].started).toEqual(['batch']);
		Fake.all[0].finish('batch');
		await a.promise;
		await tick();
		expect(Fake.all[0].started).toEqual(['batch', 'run']);
		Fake.all[0].finish('run');
		expect(await b.promise).toBe('run#0');
		pool.dispose();
	});

	it('tells a job what earlier jobs left in its worker (the memo is per worker and cleared on replacement)', async () => {
		const pool = makePool(1);
		const seen: boolean[] = [];
		const run = (tag: string) =>
			pool.submit({
				dataset: ds,
				pipeline: true,
				run: (api, memo) => {
					seen.push(memo.has('job-1'));
					memo.add('job-1');
					return api.exec(tag);
				}
			});
		const j1 = run('x1');
		const j2 = run('x2');
		await tick();
		expect(seen).toEqual([false, true]);
		Fake.all[0].finish('x1');
		Fake.all[0].finish('x2');
		await Promise.all([j1.promise, j2.promise]);
		j1.cancel();
		const j3 = run('x3');
		await tick();
		j3.cancel(); // terminates the worker
		await j3.promise.catch(() => undefined);
		const j4 = run('x4');
		await tick();
		expect(seen).toEqual([false, true, true, false]);
		Fake.all[1].finish('x4');
		await j4.promise;
		pool.dispose();
	});

	it('lets the job queued behind a failed pipelined job finish, then replaces the worker', async () => {
		const pool = makePool(1);
		const a = pool.submit({ dataset: ds, pipeline: true, run: (api) => api.exec('a') });
		const b = pool.submit({ dataset: ds, pipeline: true, run: (api) => api.exec('b') });
		await tick();
		Fake.all[0].fail('a');
		await expect(a.promise).rejects.toMatchObject({ failure: 'job_failed' });
		expect(Fake.all[0].terminated).toBe(false);
		Fake.all[0].finish('b');
		expect(await b.promise).toBe('b#0');
		expect(Fake.all[0].terminated).toBe(true);
		expect(pool.stats.replaced).toBe(1);
		pool.dispose();
	});

	it('prewarms every worker with the dataset, so the first jobs load nothing', async () => {
		const pool = makePool(2);
		await pool.prewarm(ds);
		expect(Fake.all.map((w) => w.loads)).toEqual([[ds.id], [ds.id]]);
		expect(pool.loadedDatasets).toEqual([ds.id, ds.id]);
		// Already warm: nothing to do.
		await pool.prewarm(ds);
		expect(Fake.all).toHaveLength(2);
		const jobs = ['p1', 'p2'].map((t) => pool.submit({ dataset: ds, pipeline: true, run: (api) => api.exec(t) }));
		await tick();
		Fake.all[0].finish('p1');
		Fake.all[1].finish('p2');
		await Promise.all(jobs.map((j) => j.promise));
		expect(Fake.all.map((w) => w.loads.length)).toEqual([1, 1]);
		// Another market: every worker loads it, also when one of them already holds it.
		const other = { id: 'ETHUSDT:1h:B', ohlcv: cols(12) };
		const j = pool.submit({ dataset: other, run: (api) => api.exec('e1') });
		await tick();
		Fake.all[0].finish('e1');
		await j.promise;
		expect(pool.loadedDatasets).toEqual([other.id, ds.id]);
		await pool.prewarm(other);
		expect(pool.loadedDatasets).toEqual([other.id, other.id]);
		expect(Fake.all.map((w) => w.loads)).toEqual([[ds.id, other.id], [ds.id, other.id]]);
		pool.dispose();
	});
});
