/**
 * Optimisation batches through the real pool and worker service (in-process workers over the WASM core, real
 * candles): the job is posted to each worker once and kept there, results come back packed in typed arrays and
 * rebuild exactly the trials an in-process evaluation gives, and a worker that dropped the job gets it again.
 */
import { describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import { BatchSizer, dataSpanMs, evaluateBatch, packTrials, runOptimization, unpackTrials, type OptimizationJob, type TrialResult } from '../../../src/lib/optimize';
import { datasetId } from '../../../src/lib/state/market.svelte';
import { evaluateOnPool } from '../../../src/lib/state/optimize.svelte';
import { BacktestClient } from '../../../src/lib/workers/backtest-client';
import { createBacktestService } from '../../../src/lib/workers/backtest-service';
import type { BacktestWorkerApi, EvaluateBatchRequest } from '../../../src/lib/workers/protocol';
import { referenceWindow } from '../helpers/fixtures';

const HOUR = 3_600_000;
const ohlcv = referenceWindow('BTCUSDT');
const dataset = { id: datasetId('BTCUSDT', '1h', ohlcv), ohlcv };
const job: OptimizationJob = {
	config: defaultConfig('sma-cross'),
	axes: [
		{ name: 'fast', start: 5, end: 14, step: 1 },
		{ name: 'slow', start: 20, end: 65, step: 5 }
	],
	objective: { key: 'sharpeRatio', minTrades: 5 },
	data: { bars: ohlcv.openTime.length, spanMs: dataSpanMs(ohlcv.openTime, HOUR) }
};

describe('packed trial results', () => {
	it('round-trip bit for bit, NaN, infinities and -0 included, with the key order kept', () => {
		const trials: TrialResult[] = [
			{ index: 3, values: [5, 20], rank: NaN, stats: { finalEquity: 1, sharpeRatio: -0, profitFactor: Infinity, calmarRatio: -Infinity } as never },
			{ index: 9, values: [6.5, 25], rank: 1.25, stats: { finalEquity: 0.1 + 0.2, sharpeRatio: NaN, profitFactor: 1e-300, calmarRatio: 2 } as never }
		];
		const p = packTrials(trials, 12.5);
		expect(p).toMatchObject({ count: 2, dims: 2, elapsedMs: 12.5, statKeys: ['finalEquity', 'sharpeRatio', 'profitFactor', 'calmarRatio'] });
		const back = unpackTrials(structuredClone(p));
		expect(back).toEqual(trials);
		expect(Object.is(back[0].stats.sharpeRatio, -0)).toBe(true);
		expect(Object.keys(back[1].stats)).toEqual(Object.keys(trials[1].stats));
		expect(unpackTrials(packTrials([]))).toEqual([]);
	});
});

describe('evaluateOnPool', () => {
	it('sends the job once per worker, pipelines cost-sized batches and returns exactly the in-process trials', async () => {
		const requests: EvaluateBatchRequest[][] = [];
		const client = new BacktestClient(2, 120_000, () => {
			const service = createBacktestService(() => createNodeEngine());
			const seen: EvaluateBatchRequest[] = [];
			requests.push(seen);
			return {
				api: { ...service, evaluateBatch: (r: EvaluateBatchRequest) => (seen.push(r), service.evaluateBatch(r)) } as unknown as Remote<BacktestWorkerApi>,
				terminate: () => {},
				onError: () => {}
			};
		});
		const sizer = new BatchSizer({ bars: job.data.bars, targetMs: 1 });
		const inFlight = client.pool.size * client.pool.pipelineDepth;
		const out = await runOptimization({
			job,
			method: { kind: 'grid' },
			topK: 100,
			concurrency: inFlight,
			batchSize: (remaining) => sizer.next(remaining, inFlight),
			evaluate: (b) => evaluateOnPool(client.pool, dataset, job, b, 0, (n, ms) => sizer.record(n, ms))
		});
		expect(out.state.evaluated).toBe(100);
		expect(sizer.measured).toBeGreaterThan(1);
		expect(requests).toHaveLength(2);
		for (const seen of requests) {
			expect(seen.length).toBeGreaterThan(0);
			expect(seen.filter((r) => r.job).length).toBe(1);
			expect(seen[0].job).toBe(job);
			expect(new Set(seen.map((r) => r.jobKey)).size).toBe(1);
		}
		const engine = await createNodeEngine();
		engine.load(ohlcv);
		const direct = evaluateBatch(engine, job, { kind: 'range', from: 0, to: 100 });
		const sorted = [...out.top].sort((a, b) => a.index - b.index);
		expect(sorted).toEqual(direct.filter((r) => out.top.some((t) => t.index === r.index)));
		client.dispose();
	}, 60_000);

	it('sends the job again to a worker that no longer holds it', async () => {
		const service = createBacktestService(() => createNodeEngine());
		let forget = true;
		const client = new BacktestClient(1, 120_000, () => ({
			api: {
				...service,
				evaluateBatch: (r: EvaluateBatchRequest) => {
					if (!r.job && forget) {
						forget = false;
						return Promise.resolve({ missingJob: r.jobKey! });
					}
					return service.evaluateBatch(r);
				}
			} as unknown as Remote<BacktestWorkerApi>,
			terminate: () => {},
			onError: () => {}
		}));
		const a = await evaluateOnPool(client.pool, dataset, job, { kind: 'range', from: 0, to: 3 });
		const b = await evaluateOnPool(client.pool, dataset, job, { kind: 'range', from: 3, to: 6 });
		expect(forget).toBe(false);
		const engine = await createNodeEngine();
		engine.load(ohlcv);
		expect([...a, ...b]).toEqual(evaluateBatch(engine, job, { kind: 'range', from: 0, to: 6 }));
		client.dispose();
	});
});
