/**
 * OptimizeState end to end in Node: the real WASM engine behind the real pool (in-process workers), jobs stored in
 * IndexedDB (fake-indexeddb). Checks the grid search against direct runs, cancel + resume after a "reload",
 * heatmap slices through the pool, trial configs and walk-forward through the worker service.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import { timeframeMs } from '../../../src/lib/core/timeframe';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { computeMetrics } from '../../../src/lib/metrics';
import type { OptimizationState } from '../../../src/lib/optimize';
import { openAppDb } from '../../../src/lib/persistence/db';
import { OPTIMISATION_INTERRUPTED, OptimisationsRepository } from '../../../src/lib/persistence/optimisations';
import { datasetId, type Dataset } from '../../../src/lib/state/market.svelte';
import { defaultRange, OptimizeState, type BestTrial } from '../../../src/lib/state/optimize.svelte';
import { BacktestClient } from '../../../src/lib/workers/backtest-client';
import { createBacktestService } from '../../../src/lib/workers/backtest-service';
import type { BacktestWorkerApi } from '../../../src/lib/workers/protocol';
import { getStrategy } from '../../../src/lib/engine/strategies';
import { referenceWindow } from '../helpers/fixtures';

let dbCount = 0;
async function setup(size = 2) {
	const db = await openAppDb(`optimize-state-${dbCount++}`);
	const repo = new OptimisationsRepository<OptimizationState, BestTrial>(db);
	const client = new BacktestClient(size, 120_000, () => ({
		api: createBacktestService(() => createNodeEngine()) as unknown as Remote<BacktestWorkerApi>,
		terminate: () => {},
		onError: () => {}
	}));
	const opt = new OptimizeState();
	await opt.init({ repo, pool: client.pool });
	return { db, repo, client, opt };
}

function dataset(): Dataset {
	const ohlcv = referenceWindow('BTCUSDT');
	return { id: datasetId('BTCUSDT', '1h', ohlcv), symbol: 'BTCUSDT', interval: '1h', intervalMs: timeframeMs('1h'), ohlcv, gaps: [], missingBars: 0, sources: ['binance'] };
}

/** The e2e search: sma-cross fast 5..14, slow 20..65 step 5 (100 combinations). */
function smaGrid(opt: OptimizeState) {
	opt.setStrategy('sma-cross');
	const fast = opt.ranges.find((r) => r.name === 'fast')!;
	const slow = opt.ranges.find((r) => r.name === 'slow')!;
	Object.assign(fast, { search: true, start: 5, end: 14, step: 1 });
	Object.assign(slow, { search: true, start: 20, end: 65, step: 5 });
	opt.method = 'grid';
	opt.objective = 'sharpeRatio';
	opt.minTrades = 5;
	opt.batchSize = 7;
}

describe('defaultRange', () => {
	it('spans five steps around the default, clamped to the schema', () => {
		const fast = getStrategy('sma-cross').params.find((p) => p.name === 'fast')!;
		const r = defaultRange(fast);
		expect(r.start).toBe(Math.max(fast.min, fast.default - 5 * fast.step));
		expect(r.end).toBe(Math.min(fast.max, fast.default + 5 * fast.step));
		expect(r.step).toBe(fast.step);
	});
});

describe('OptimizeState', () => {
	it('runs a grid through the pool, stores it, and its best trial equals a full backtest of trialConfig', async () => {
		const { repo, opt, client } = await setup();
		const ds = dataset();
		smaGrid(opt);
		await opt.start(defaultConfig('sma-cross'), ds);
		expect(opt.error).toBeNull();
		const job = opt.current!;
		expect(job.status).toBe('done');
		expect(job.completed).toBe(100);
		expect(job.total).toBe(100);
		expect(job.failed).toBe(0);
		const stored = await repo.get(job.id);
		expect(stored?.status).toBe('done');
		expect(stored?.best).toEqual(job.best);

		const rows = opt.topRows;
		expect(rows.length).toBeGreaterThan(10);
		for (let i = 1; i < rows.length; i++) expect(rows[i - 1].objective).toBeGreaterThanOrEqual(rows[i].objective);
		expect(job.best!.params).toEqual(rows[0].params);

		// Full backtest of the best trial (fresh engine, full metrics) gives the same statistics.
		const cfg = opt.trialConfig(rows[0].index);
		expect(cfg.params.fast).toBe(rows[0].params.fast);
		const engine = await createNodeEngine();
		engine.load(ds.ohlcv);
		const res = engine.run(cfg);
		const m = computeMetrics({ openTime: ds.ohlcv.openTime, close: ds.ohlcv.close, equity: res.equity, trades: res.trades, initialCash: cfg.initialCash, intervalMs: ds.intervalMs, ambiguousBars: res.ambiguousBars });
		expect(m.finalEquity).toBeCloseTo(rows[0].stats.finalEquity, 6);
		expect(m.nTrades).toBe(rows[0].stats.nTrades);
		expect(m.sharpeRatio).toBeCloseTo(rows[0].stats.sharpeRatio, 9);

		// Impact covers both searched parameters, ranked 1 and 2.
		expect(opt.impact.map((p) => p.rank).sort()).toEqual([1, 2]);

		// Heatmap slice through the pool: at the best trial's cell it shows the best trial's Sharpe.
		await opt.computeHeatmap(ds, 'fast', 'slow', 'sharpeRatio');
		const h = opt.heatmap!;
		expect(h.x.values).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
		expect(h.y.values).toEqual([20, 25, 30, 35, 40, 45, 50, 55, 60, 65]);
		const cell = h.y.values.indexOf(rows[0].params.slow) * h.x.values.length + h.x.values.indexOf(rows[0].params.fast);
		expect(h.values[cell]).toBeCloseTo(rows[0].stats.sharpeRatio, 12);
		client.dispose();
	}, 120_000);

	it('cancels, is found interrupted after a reload, and resumes to the same result as an uninterrupted run', async () => {
		const { db, repo, opt, client } = await setup(1);
		const ds = dataset();
		smaGrid(opt);
		opt.batchDelayMs = 50;
		const started = opt.start(defaultConfig('sma-cross'), ds);
		// The first progress report comes with the first batch (later ones at most every 250 ms).
		for (let i = 0; i < 500 && !(opt.progress && opt.progress.completed >= 7); i++) await new Promise((r) => setTimeout(r, 5));
		opt.cancel();
		await started;
		const cancelled = opt.current!;
		expect(cancelled.status).toBe('cancelled');
		expect(cancelled.completed).toBeGreaterThan(0);
		expect(cancelled.completed).toBeLessThan(100);
		expect(opt.resumable).toBe(true);

		// A page that closed mid-run leaves "running" behind: the next start marks it interrupted.
		await repo.put({ ...cancelled, status: 'running' });
		const again = new OptimizeState();
		await again.init({ repo: new OptimisationsRepository<OptimizationState, BestTrial>(db), pool: client.pool });
		expect(again.current?.id).toBe(cancelled.id);
		expect(again.current?.status).toBe('interrupted');
		expect(again.current?.error).toBe(OPTIMISATION_INTERRUPTED);
		expect(again.resumable).toBe(true);

		// Resuming needs the same candles.
		const other = { ...ds, id: 'other' };
		await again.resume(cancelled.id, other);
		expect(again.error).toMatch(/select that market and range/);

		await again.resume(cancelled.id, ds);
		const done = again.current!;
		expect(done.status).toBe('done');
		expect(done.completed).toBe(100);

		const { opt: fresh } = await setup(1);
		smaGrid(fresh);
		await fresh.start(defaultConfig('sma-cross'), ds);
		expect(again.topRows.map((r) => [r.index, r.objective])).toEqual(fresh.topRows.map((r) => [r.index, r.objective]));
		client.dispose();
	}, 120_000);

	it('saves a job whose batch fails in a worker as failed with the failed trial count, and resumes it', async () => {
		const db = await openAppDb(`optimize-state-${dbCount++}`);
		const repo = new OptimisationsRepository<OptimizationState, BestTrial>(db);
		let failNext = 2; // the second batch fails once
		const client = new BacktestClient(1, 120_000, () => {
			const service = createBacktestService(() => createNodeEngine());
			return {
				api: {
					...service,
					evaluateBatch: (req: Parameters<BacktestWorkerApi['evaluateBatch']>[0]) => {
						if (--failNext === 0) return Promise.reject(new Error('test fault: batch failed'));
						return service.evaluateBatch(req);
					}
				} as unknown as Remote<BacktestWorkerApi>,
				terminate: () => {},
				onError: () => {}
			};
		});
		const opt = new OptimizeState();
		await opt.init({ repo, pool: client.pool });
		const ds = dataset();
		smaGrid(opt);
		await opt.start(defaultConfig('sma-cross'), ds);
		const failed = opt.current!;
		expect(failed.status).toBe('failed');
		expect(failed.failed).toBe(7);
		expect(failed.error).toMatch(/test fault: batch failed/);
		expect((await repo.get(failed.id))?.status).toBe('failed');
		expect(opt.resumable).toBe(true);
		await opt.resume(failed.id, ds);
		expect(opt.current!.status).toBe('done');
		expect(opt.current!.completed).toBe(100);
		client.dispose();
	}, 120_000);

	it('runs the random and genetic methods from the form settings, reproducibly for a seed', async () => {
		const { opt, client } = await setup();
		const ds = dataset();
		smaGrid(opt);
		opt.method = 'random';
		opt.randomTrials = 30;
		opt.seed = 7;
		expect(opt.methodSpec()).toEqual({ kind: 'random', trials: 30, seed: 7 });
		await opt.start(defaultConfig('sma-cross'), ds);
		expect(opt.current!.status).toBe('done');
		expect(opt.current!.completed).toBe(30);
		const first = opt.topRows.map((r) => r.index);
		await opt.start(defaultConfig('sma-cross'), ds);
		expect(opt.topRows.map((r) => r.index)).toEqual(first);

		opt.method = 'genetic';
		Object.assign(opt, { population: 10, generations: 3, crossoverRate: 0.8, mutationRate: 0.2, elitism: 2, seed: 3 });
		await opt.start(defaultConfig('sma-cross'), ds);
		expect(opt.error).toBeNull();
		expect(opt.current!.status).toBe('done');
		expect(opt.current!.state.method.kind).toBe('genetic');
		expect(opt.current!.completed).toBeGreaterThan(0);
		expect(opt.jobs).toHaveLength(3);
		client.dispose();
	}, 120_000);

	it('runs walk-forward in a worker and leaves the worker able to run the full dataset after', async () => {
		const { opt, client } = await setup(1);
		const ds = dataset();
		smaGrid(opt);
		await opt.start(defaultConfig('sma-cross'), ds);
		const before = opt.topRows[0];
		await opt.runWalkForward(ds, { mode: 'rolling', splits: 3, trainRatio: 0.75 });
		expect(opt.walkForwardError).toBeNull();
		const wf = opt.walkForward!;
		expect(wf.splits).toHaveLength(3);
		expect(wf.equity.length).toBe(wf.openTime.length);
		expect(wf.equity.length).toBe(wf.windows.testBars * 3);
		expect(wf.openTime[wf.openTime.length - 1]).toBe(ds.ohlcv.openTime[ds.ohlcv.openTime.length - 1]);
		// Same worker, same dataset id: the heatmap cell of the best trial must still match (full data reloaded).
		await opt.computeHeatmap(ds, 'fast', 'slow', 'finalEquity');
		const h = opt.heatmap!;
		const cell = h.y.values.indexOf(before.params.slow) * h.x.values.length + h.x.values.indexOf(before.params.fast);
		expect(h.values[cell]).toBeCloseTo(before.stats.finalEquity, 6);
		client.dispose();
	}, 120_000);
});
