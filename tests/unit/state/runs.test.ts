/**
 * RunsState end to end in Node: real WASM engine and metrics behind the real pool (in-process
 * workers instead of Web Workers), runs stored in IndexedDB (fake-indexeddb).
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import { timeframeMs } from '../../../src/lib/core/timeframe';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import type { BacktestConfig } from '../../../src/lib/engine/types';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { openAppDb } from '../../../src/lib/persistence/db';
import { INTERRUPTED_MESSAGE, RunsRepository } from '../../../src/lib/persistence/runs';
import { datasetId, type Dataset } from '../../../src/lib/state/market.svelte';
import { RunsState, runLabel, type RunResult } from '../../../src/lib/state/runs.svelte';
import { BacktestClient } from '../../../src/lib/workers/backtest-client';
import { createBacktestService } from '../../../src/lib/workers/backtest-service';
import type { BacktestWorkerApi } from '../../../src/lib/workers/protocol';
import { loadReferenceCase } from '../helpers/fixtures';
import { s1Dataset, setup } from './harness';

async function settled(runs: RunsState, id: string) {
	for (let i = 0; i < 500; i++) {
		const r = runs.history.find((x) => x.id === id);
		if (r && (r.status === 'completed' || r.status === 'failed')) return r;
		await new Promise((res) => setTimeout(res, 10));
	}
	throw new Error('run did not settle');
}

describe('RunsState', () => {
	it('runs S1 through the pool, reproduces the reference, and stores the run', async () => {
		const { repo, runs } = await setup();
		const ref = loadReferenceCase('S1', 'BTCUSDT');
		const id = await runs.submit(defaultConfig('sma-cross'), s1Dataset());
		expect(runs.selectedId).toBe(id);
		expect(['pending', 'running']).toContain(runs.history[0].status);
		const run = await settled(runs, id);
		expect(run.error ?? run.status).toBe("completed");
		const m = run.result!.metrics;
		expect(m.finalEquity).toBeCloseTo(ref.summary.final_equity, 6);
		expect(m.nTrades).toBe(ref.summary.n_trades);
		expect(m.maxDrawdownRatio * 100).toBeCloseTo(ref.summary.max_drawdown_pct, 6);
		expect(run.result!.indicators.map((i) => i.pane)).toEqual(['price', 'price']);
		expect(run.label).toBe(runLabel(defaultConfig('sma-cross'), 'BTCUSDT', '1h'));

		const stored = await repo.get(id);
		expect(stored?.status).toBe('completed');
		expect(stored?.result?.metrics.finalEquity).toBe(m.finalEquity);
		expect(stored?.result?.equity).toBeInstanceOf(Float64Array);
		expect(Array.from(stored!.result!.equity)).toEqual(Array.from(run.result!.equity));
		expect(stored?.market).toMatchObject({ symbol: 'BTCUSDT', interval: '1h', bars: 8760, firstOpenTime: 1753462800000 });
	});

	it('marks a run whose worker throws as failed, with the reason, and keeps running the next', async () => {
		const { repo, runs, spawned } = await setup();
		runs.testFault = 'throw';
		const bad = await runs.submit(defaultConfig('sma-cross'), s1Dataset());
		const good = await runs.submit({ ...defaultConfig('sma-cross'), params: { fast: 20, slow: 50 } }, s1Dataset());
		expect((await settled(runs, bad)).error).toMatch(/Test fault: the backtest worker threw/);
		expect((await settled(runs, good)).status).toBe('completed');
		expect((await repo.get(bad))?.status).toBe('failed');
		expect(spawned[0].terminated).toBe(true); // the failed worker was replaced
	});

	it('reloads the history and fails runs a closed page left unfinished', async () => {
		const { db, runs } = await setup();
		const id = await runs.submit(defaultConfig('sma-cross'), s1Dataset());
		await settled(runs, id);
		const repo = new RunsRepository<BacktestConfig, RunResult>(db);
		await repo.put({ ...(await repo.get(id))!, id: 'left-running', createdAt: Date.now() + 1, status: 'running', result: undefined });
		const again = new RunsState();
		await again.init({ repo, client: { run: () => { throw new Error('unused'); } } });
		expect(again.history.map((r) => r.id)).toEqual(['left-running', id]);
		expect(again.history[0]).toMatchObject({ status: 'failed', error: INTERRUPTED_MESSAGE });
		again.toggleCompare(id);
		again.toggleCompare('left-running');
		expect(again.comparePair.map((r) => r.id)).toEqual([id, 'left-running']);
		await again.remove('left-running');
		expect(again.compareIds).toEqual([id]);
		expect(await repo.get('left-running')).toBeUndefined();
	});
});
