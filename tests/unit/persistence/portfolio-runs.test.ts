/** The portfolioRuns store (schema v3): upgrade from v1 keeps data; put, update, list newest first, interrupted sweep, delete. */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, openAppDb } from '../../../src/lib/persistence/db';
import { PortfolioRunsRepository, PORTFOLIO_RUN_KIND, type StoredPortfolioRun } from '../../../src/lib/persistence/portfolio-runs';
import { INTERRUPTED_MESSAGE, RunsRepository } from '../../../src/lib/persistence/runs';
import { freshFactory } from './helpers';

const run = (id: string, createdAt: number, status: StoredPortfolioRun['status'] = 'completed'): StoredPortfolioRun => ({
	id,
	kind: PORTFOLIO_RUN_KIND,
	createdAt,
	updatedAt: createdAt,
	status,
	label: id,
	interval: '1h',
	range: { startTime: 0, endTime: 1 },
	markets: [],
	excluded: [],
	config: { maxPositions: 3 },
	result: { equity: new Float64Array([1, 2, 3]) }
});

describe('portfolio runs store', () => {
	it('a v1 database upgrades to the current schema with its runs kept and an empty portfolioRuns store', async () => {
		const factory = freshFactory();
		const v1 = await openAppDb('t', factory, { migrations: MIGRATIONS.slice(0, 1) });
		await v1.put('runs', { id: 'r1', createdAt: 1, label: 'single' });
		v1.close();
		const db = await openAppDb('t', factory);
		expect(db.version).toBe(MIGRATIONS.length);
		expect(await db.get('runs', 'r1')).toEqual({ id: 'r1', createdAt: 1, label: 'single' });
		expect(await new PortfolioRunsRepository(db).list()).toEqual([]);
		db.close();
	});

	it('stores, updates, lists newest first, marks interrupted runs failed, deletes; single runs are separate', async () => {
		const db = await openAppDb('t2', freshFactory());
		const repo = new PortfolioRunsRepository(db);
		await repo.put(run('a', 1));
		await repo.put(run('b', 3, 'running'));
		await repo.put(run('c', 2, 'pending'));
		expect((await repo.list()).map((r) => r.id)).toEqual(['b', 'c', 'a']);
		expect((await repo.get('a'))!.result).toEqual({ equity: new Float64Array([1, 2, 3]) });
		const u = await repo.update('a', { label: 'renamed' }, 99);
		expect(u).toMatchObject({ id: 'a', kind: 'portfolio', createdAt: 1, updatedAt: 99, label: 'renamed' });
		await expect(repo.update('zz', { label: 'x' })).rejects.toThrow(/not in the history/);
		expect((await repo.markInterrupted(100)).sort()).toEqual(['b', 'c']);
		expect(await repo.get('b')).toMatchObject({ status: 'failed', error: INTERRUPTED_MESSAGE });
		expect(await repo.delete('a')).toBe(true);
		expect(await repo.delete('a')).toBe(false);
		expect(await new RunsRepository(db).list()).toEqual([]);
		db.close();
	});
});
