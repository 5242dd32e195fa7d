/**
 * Harness for state tests: the real RunsState over a fresh fake-indexeddb database and the real
 * pool with in-process workers (WASM engine in Node), and the S1 reference dataset.
 */
import 'fake-indexeddb/auto';
import type { Remote } from 'comlink';
import { timeframeMs } from '../../../src/lib/core/timeframe';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import type { BacktestConfig } from '../../../src/lib/engine/types';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { openAppDb } from '../../../src/lib/persistence/db';
import { RunsRepository } from '../../../src/lib/persistence/runs';
import { datasetId, type Dataset } from '../../../src/lib/state/market.svelte';
import { RunsState, type RunResult } from '../../../src/lib/state/runs.svelte';
import { BacktestClient } from '../../../src/lib/workers/backtest-client';
import { createBacktestService } from '../../../src/lib/workers/backtest-service';
import type { BacktestWorkerApi } from '../../../src/lib/workers/protocol';
import { referenceWindow } from '../helpers/fixtures';

let dbCount = 0;
/** A fresh database, pool (one in-process worker) and RunsState. */
export async function setup(timeoutMs = 60_000) {
	const db = await openAppDb(`runs-state-${dbCount++}`);
	const repo = new RunsRepository<BacktestConfig, RunResult>(db);
	const spawned: { terminated: boolean }[] = [];
	const client = new BacktestClient(1, timeoutMs, () => {
		const handle = { terminated: false };
		spawned.push(handle);
		return {
			api: createBacktestService(() => createNodeEngine()) as unknown as Remote<BacktestWorkerApi>,
			terminate: () => (handle.terminated = true),
			onError: () => {}
		};
	});
	const runs = new RunsState();
	await runs.init({ repo, client });
	return { db, repo, runs, client, spawned };
}

/** The S1 reference window (BTCUSDT 1h, 8,760 bars) as a dataset; `edit` may change the columns first. */
export function s1Dataset(edit?: (ohlcv: OhlcvColumns) => void): Dataset {
	const window = referenceWindow('BTCUSDT'); // cached and shared: edit a copy
	const ohlcv: OhlcvColumns = edit ? (Object.fromEntries(Object.entries(window).map(([k, v]) => [k, Float64Array.from(v)])) as unknown as OhlcvColumns) : window;
	edit?.(ohlcv);
	return {
		id: datasetId('BTCUSDT', '1h', ohlcv),
		symbol: 'BTCUSDT',
		interval: '1h',
		intervalMs: timeframeMs('1h'),
		ohlcv,
		gaps: [],
		missingBars: 0,
		sources: ['binance']
	};
}

