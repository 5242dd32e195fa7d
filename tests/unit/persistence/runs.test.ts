import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { openAppDb } from '../../../src/lib/persistence/db';
import { INTERRUPTED_MESSAGE, RunsRepository, newRunId, type StoredRun } from '../../../src/lib/persistence/runs';

type Cfg = { strategy: string; params: Record<string, number> };
type Res = { equity: Float64Array; metrics: Record<string, number> };

function run(id: string, createdAt: number, status: StoredRun['status'] = 'pending'): StoredRun<Cfg, Res> {
	return {
		id,
		createdAt,
		updatedAt: createdAt,
		status,
		label: `SMA cross · ${id}`,
		config: { strategy: 'sma-cross', params: { fast: 10, slow: 30 } },
		market: {
			symbol: 'BTCUSDT',
			interval: '1h',
			datasetId: 'BTCUSDT:1h:1753462800000:1784995200000:8760',
			firstOpenTime: 1753462800000,
			lastOpenTime: 1784995200000,
			bars: 8760,
			source: 'binance',
			missingBars: 0
		}
	};
}

async function repo() {
	const db = await openAppDb('runs-test', new IDBFactory());
	return { db, runs: new RunsRepository<Cfg, Res>(db) };
}

describe('RunsRepository', () => {
	it('stores a run through its life cycle and keeps typed arrays intact', async () => {
		const { runs } = await repo();
		await runs.put(run('a', 1000));
		await runs.update('a', { status: 'running' }, 1100);
		const equity = Float64Array.of(10000, 10012.5, 9990.25);
		const done = await runs.update('a', { status: 'completed', result: { equity, metrics: { finalEquity: 9990.25 } } }, 1200);
		expect(done).toMatchObject({ id: 'a', createdAt: 1000, updatedAt: 1200, status: 'completed' });
		const back = await runs.get('a');
		expect(back?.result?.equity).toBeInstanceOf(Float64Array);
		expect(Array.from(back!.result!.equity)).toEqual([10000, 10012.5, 9990.25]);
		expect(back?.config.params).toEqual({ fast: 10, slow: 30 });
	});

	it('lists newest first, honours the limit, and deletes', async () => {
		const { runs } = await repo();
		await runs.put(run('old', 1));
		await runs.put(run('new', 3));
		await runs.put(run('mid', 2));
		expect((await runs.list()).map((r) => r.id)).toEqual(['new', 'mid', 'old']);
		expect((await runs.list(2)).map((r) => r.id)).toEqual(['new', 'mid']);
		expect(await runs.delete('mid')).toBe(true);
		expect(await runs.delete('mid')).toBe(false);
		expect((await runs.list()).map((r) => r.id)).toEqual(['new', 'old']);
	});

	it('refuses to update a deleted run and leaves the store unchanged', async () => {
		const { runs } = await repo();
		await runs.put(run('x', 1, 'completed'));
		await expect(runs.update('gone', { status: 'failed' })).rejects.toThrow(/not in the history/);
		expect((await runs.get('x'))?.status).toBe('completed');
	});

	it('marks runs left pending or running by a closed page as failed', async () => {
		const { runs } = await repo();
		await runs.put(run('p', 1, 'pending'));
		await runs.put(run('r', 2, 'running'));
		await runs.put(run('c', 3, 'completed'));
		expect((await runs.markInterrupted(50)).sort()).toEqual(['p', 'r']);
		const p = await runs.get('p');
		expect(p).toMatchObject({ status: 'failed', error: INTERRUPTED_MESSAGE, updatedAt: 50 });
		expect((await runs.get('c'))?.status).toBe('completed');
	});

	it('makes distinct ids', () => {
		const ids = new Set(Array.from({ length: 200 }, () => newRunId(1753462800000)));
		expect(ids.size).toBe(200);
		expect([...ids][0]).toMatch(/^run-[0-9a-z]+-[0-9a-z]+$/);
	});
});
