/**
 * The share page state end to end in Node: a run and an optimisation made in one "browser" (own
 * database and pool) are shared as links and reproduced in another — real WASM engine, real
 * candles, real RunsState and pool with in-process workers — and verified identical; changed
 * candles, a tampered expectation and missing candles give the right verdict or message.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import type { BacktestConfig } from '../../../src/lib/engine/types';
import { runOptimization, dataSpanMs, type OptimizationJob } from '../../../src/lib/optimize';
import { encodeShareToken, optimisationSharePayload, readShareLink, runSharePayload, shareUrl, type OptimisationSharePayload } from '../../../src/lib/share';
import type { Dataset } from '../../../src/lib/state/market.svelte';
import { evaluateOnPool } from '../../../src/lib/state/optimize.svelte';
import { ShareState, type ShareDeps } from '../../../src/lib/state/share.svelte';
import { s1Dataset, setup } from './harness';

const PAGE = 'https://backtester.example/share/';

async function receiver(dataset: Dataset | null, loadError: string | null = null) {
	const env = await setup();
	const calls: string[] = [];
	const deps: ShareDeps = {
		openRange: async (m) => {
			calls.push(`openRange ${m.symbol} ${m.interval} ${m.bars}`);
			return dataset;
		},
		loadError: () => loadError,
		submitRun: (config, d) => env.runs.submit(config, d),
		settled: (id) => env.runs.settled(id),
		identity: (d) => env.client.identity(d),
		evaluate: (d, job, batch) => evaluateOnPool(env.client.pool, d, job, batch),
		concurrency: 1
	};
	return { ...env, calls, share: new ShareState(deps) };
}

const CONFIG: BacktestConfig = { ...defaultConfig('ema-atr-breakout'), direction: 'long-short', feeRate: 0.00075 };

async function sharedRunLink(): Promise<string> {
	const sender = await setup();
	const id = await sender.runs.submit(CONFIG, s1Dataset());
	const run = (await sender.runs.settled(id))!;
	expect(run.status).toBe('completed');
	expect(run.result!.fingerprint!.fingerprint).toMatch(/^[0-9a-f]{64}$/);
	return shareUrl(PAGE, runSharePayload(run));
}

describe('ShareState', () => {
	it('reproduces a shared run in a fresh browser and verifies it identical', async () => {
		const link = await sharedRunLink();
		const r = await receiver(s1Dataset());
		await r.share.open(link);
		expect(r.share.failure).toBeNull();
		expect(r.share.phase).toBe('done');
		expect(r.share.verification).toEqual({ status: 'identical', reasons: [], notes: [] });
		expect(r.calls).toEqual(['openRange BTCUSDT 1h 8760']);
		// The reproduction is a normal run in the receiver's history, with the sender's fingerprint.
		const run = r.runs.history.find((x) => x.id === r.share.runId)!;
		const payload = readShareLink(link);
		expect(payload.kind).toBe('run');
		if (payload.kind !== 'run') return;
		expect(run.result!.fingerprint!.fingerprint).toBe(payload.expected.fingerprint);
		expect(run.result!.metrics.finalEquity).toBe(payload.expected.metrics.finalEquity);
		expect(await r.repo.get(run.id)).toBeDefined();
	});

	it('reports different candles as a data mismatch', async () => {
		const link = await sharedRunLink();
		const r = await receiver(s1Dataset((o) => (o.high[5000] *= 1.001)));
		await r.share.open(link);
		expect(r.share.phase).toBe('done');
		expect(r.share.verification?.status).toBe('mismatch');
		expect(r.share.verification?.reasons[0]).toContain('Different data: the 8,760 candles here do not hash like the sender');
	});

	it('says why when the candles cannot be loaded, and runs nothing', async () => {
		const link = await sharedRunLink();
		const r = await receiver(null, 'Binance is not reachable (offline).');
		await r.share.open(link);
		expect(r.share.phase).toBe('failed');
		expect(r.share.failure).toBe('The candles of this result are not available: Binance is not reachable (offline).');
		expect(r.runs.history).toEqual([]);
	});

	it('reproduces a shared optimisation (seeded genetic search) and verifies its best trials', async () => {
		const sender = await setup();
		const dataset = s1Dataset();
		const o = dataset.ohlcv.openTime;
		const job: OptimizationJob = {
			config: defaultConfig('sma-cross'),
			axes: [
				{ name: 'fast', start: 5, end: 30, step: 1 },
				{ name: 'slow', start: 20, end: 120, step: 5 }
			],
			objective: { key: 'sharpeRatio', minTrades: 5 },
			data: { bars: o.length, spanMs: dataSpanMs(o, dataset.intervalMs) }
		};
		const method = { kind: 'genetic' as const, population: 12, generations: 4, crossoverRate: 0.8, mutationRate: 0.2, elitism: 2, seed: 42 };
		const outcome = await runOptimization({ job, method, evaluate: (b) => evaluateOnPool(sender.client.pool, dataset, job, b), batchSize: 8 });
		const identity = await sender.client.identity(dataset);
		const n = o.length;
		const payload = optimisationSharePayload({
			market: { symbol: 'BTCUSDT', interval: '1h', firstOpenTime: o[0], lastOpenTime: o[n - 1], bars: n },
			job,
			method,
			...identity,
			evaluated: outcome.state.evaluated,
			topK: outcome.top
		});
		expect(payload.expected.best).toHaveLength(5);

		const r = await receiver(s1Dataset());
		await r.share.open(shareUrl(PAGE, payload));
		expect(r.share.failure).toBeNull();
		expect(r.share.verification).toEqual({ status: 'identical', reasons: [], notes: [] });
		expect(r.share.optimisation!.best).toEqual(payload.expected.best);
		expect(r.share.progress?.completed).toBe(r.share.progress?.total);

		// A link whose expectation was changed (and re-encoded with a valid checksum) is a mismatch.
		const tampered: OptimisationSharePayload = structuredClone(payload);
		tampered.expected.best[0].objective = (tampered.expected.best[0].objective ?? 0) + 0.5;
		await r.share.open(PAGE + '#' + encodeShareToken(tampered));
		expect(r.share.verification?.status).toBe('mismatch');
		expect(r.share.verification?.reasons).toEqual(["Different best trials: the ranking or objective values differ from the sender's."]);
	});
});
