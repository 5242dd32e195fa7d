/** Pool jobs that carry their own data (portfolio runs): no dataset load, and a worker's loaded dataset stays warm. */
import { describe, expect, it } from 'vitest';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { WorkerPool, type DatasetWorkerApi } from '../../../src/lib/workers/pool';

interface Api extends DatasetWorkerApi {
	work(tag: string): Promise<string>;
}

const cols = (n: number): OhlcvColumns => {
	const a = () => new Float64Array(n).map((_, i) => i + 1);
	return { openTime: a(), open: a(), high: a(), low: a(), close: a(), volume: a() };
};

describe('WorkerPool jobs without a dataset', () => {
	it('run without loading anything and leave the warm dataset in place', async () => {
		const loads: string[] = [];
		let held: string | null = null;
		const pool = new WorkerPool<Api>({
			size: 1,
			factory: () => ({
				api: {
					loadDataset: async (id, o) => (loads.push(id), (held = id), o.close.length),
					work: async (tag) => `${tag}@${held}`
				},
				terminate: () => {},
				onError: () => {}
			})
		});
		expect(await pool.submit({ dataset: { id: 'A', ohlcv: cols(3) }, run: (api) => api.work('single') }).promise).toBe('single@A');
		expect(await pool.submit({ run: (api) => api.work('portfolio') }).promise).toBe('portfolio@A');
		expect(await pool.submit({ dataset: { id: 'A', ohlcv: cols(3) }, run: (api) => api.work('again') }).promise).toBe('again@A');
		expect(loads).toEqual(['A']);
		expect(pool.loadedDatasets).toEqual(['A']);
		pool.dispose();
	});
});
