/** Backups carry portfolio runs (schema v3): exported, imported bit-identical into a fresh browser, skipped when already stored. */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openAppDb } from '../../../src/lib/persistence/db';
import { exportAll, importAll, readBackup } from '../../../src/lib/persistence/backup';
import { PortfolioRunsRepository, type StoredPortfolioRun } from '../../../src/lib/persistence/portfolio-runs';
import { INTERRUPTED_MESSAGE } from '../../../src/lib/persistence/runs';
import { freshFactory } from './helpers';

const run = (id: string, status: StoredPortfolioRun['status']): StoredPortfolioRun => ({
	id,
	kind: 'portfolio',
	createdAt: 1_700_000_000_000,
	updatedAt: 1_700_000_000_000,
	status,
	label: 'SMA cross 10/30 · 2 markets 1h · K 1',
	interval: '1h',
	range: { startTime: 0, endTime: 3_600_000 },
	markets: [{ symbol: 'BTCUSDT', datasetId: 'd', firstOpenTime: 0, lastOpenTime: 3_600_000, bars: 2, missingBars: 0, source: 'binance' }],
	excluded: [{ symbol: 'DOGEUSDT', reason: 'network error' }],
	config: { strategy: 'sma-cross', maxPositions: 1 },
	result:
		status === 'completed'
			? {
					trades: [{ symbol: 'BTCUSDT', pnl: -0 }],
					events: [{ bar: 1, type: 'max-drawdown', action: 'trip', value: 0.1 }],
					equity: new Float64Array([10_000, 9_876.5]),
					openTime: new Float64Array([0, 3_600_000]),
					openPositions: new Float64Array([0, 1]),
					metrics: { finalEquity: 9_876.5, profitFactor: NaN, sharpeRatio: Infinity }
				}
			: undefined
});

describe('backup of portfolio runs', () => {
	it('round-trips them exactly, marks active ones interrupted, and skips them on a second import', async () => {
		const src = await openAppDb('a', freshFactory());
		const repo = new PortfolioRunsRepository(src);
		await repo.put(run('p1', 'completed'));
		await repo.put(run('p2', 'running'));
		const bytes = await exportAll(src, { now: 5 });
		expect(readBackup(bytes).portfolioRuns.map((r) => r.id)).toEqual(['p1', 'p2']);
		const dst = await openAppDb('b', freshFactory());
		const report = await importAll(dst, bytes, { now: 9 });
		expect(report.portfolioRuns).toEqual({ added: 2, skipped: 0 });
		expect(report.interrupted).toBe(1);
		const back = new PortfolioRunsRepository(dst);
		expect(await back.get('p1')).toEqual(run('p1', 'completed'));
		expect(Object.is(((await back.get('p1'))!.result as { trades: { pnl: number }[] }).trades[0].pnl, -0)).toBe(true);
		expect(await back.get('p2')).toMatchObject({ status: 'failed', error: INTERRUPTED_MESSAGE, updatedAt: 9 });
		expect((await importAll(dst, bytes)).portfolioRuns).toEqual({ added: 0, skipped: 2 });
		src.close();
		dst.close();
	});

	it('a malformed portfolio run rejects the whole file, naming it', async () => {
		const src = await openAppDb('c', freshFactory());
		const bad = { ...run('p1', 'completed'), result: { ...(run('p1', 'completed').result as object), openPositions: new Float64Array([1]) } };
		await new PortfolioRunsRepository(src).put(bad);
		const bytes = await exportAll(src);
		expect(() => readBackup(bytes)).toThrow(/portfolioRuns\[0\].*same length/);
		src.close();
	});
});
