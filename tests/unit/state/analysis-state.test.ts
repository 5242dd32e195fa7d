/**
 * The app's analysis state in Node with the real pool (in-process workers, WASM core) and real candles (S1/S4
 * reference window): the Monte Carlo panel's execution method through the pool equals the direct computation bit
 * for bit, its trade methods equal the library, bad input and too few trades give readable errors; the overfitting
 * card's worker re-runs give the report the CLI computes directly; an optimisation keeps 200 best trials.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import { runExecutionMonteCarlo } from '../../../src/lib/analysis/execution';
import { runTradeMonteCarlo, tradeSample } from '../../../src/lib/analysis/monte-carlo';
import { timeframeMs } from '../../../src/lib/core/timeframe';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { computeMetrics } from '../../../src/lib/metrics';
import {
	dataSpanMs,
	optimizationOverfitting,
	overfittingEvidence,
	overfittingRequest,
	preparedJob,
	type OptimizationState
} from '../../../src/lib/optimize';
import { openAppDb } from '../../../src/lib/persistence/db';
import { OptimisationsRepository } from '../../../src/lib/persistence/optimisations';
import { datasetId, type Dataset } from '../../../src/lib/state/market.svelte';
import { monteCarloDigest, MonteCarloState } from '../../../src/lib/state/montecarlo.svelte';
import { OptimizeState, type BestTrial } from '../../../src/lib/state/optimize.svelte';
import { OverfittingState } from '../../../src/lib/state/overfitting.svelte';
import type { Run } from '../../../src/lib/state/runs.svelte';
import { BacktestClient } from '../../../src/lib/workers/backtest-client';
import { createBacktestService } from '../../../src/lib/workers/backtest-service';
import type { BacktestWorkerApi } from '../../../src/lib/workers/protocol';
import { referenceWindow, scenarioConfig } from '../helpers/fixtures';

const H = timeframeMs('1h');
const ohlcv = referenceWindow('BTCUSDT');
const ds: Dataset = { id: datasetId('BTCUSDT', '1h', ohlcv), symbol: 'BTCUSDT', interval: '1h', intervalMs: H, ohlcv, gaps: [], missingBars: 0, sources: ['binance'] };

function client(size = 2) {
	return new BacktestClient(size, 120_000, () => ({
		api: createBacktestService(() => createNodeEngine()) as unknown as Remote<BacktestWorkerApi>,
		terminate: () => {},
		onError: () => {}
	}));
}

async function s4Run(): Promise<Run> {
	const engine = await createNodeEngine();
	engine.load(ohlcv);
	const config = scenarioConfig('S4');
	const r = engine.run(config);
	const metrics = computeMetrics({ openTime: ohlcv.openTime, close: ohlcv.close, equity: r.equity, trades: r.trades, initialCash: 10_000, intervalMs: H, ambiguousBars: r.ambiguousBars }) as unknown as Record<string, number>;
	const n = ohlcv.openTime.length;
	return {
		id: 'run-s4',
		createdAt: 0,
		updatedAt: 0,
		status: 'completed',
		label: 'S4',
		config,
		market: { symbol: 'BTCUSDT', interval: '1h', datasetId: ds.id, firstOpenTime: ohlcv.openTime[0], lastOpenTime: ohlcv.openTime[n - 1], bars: n, source: 'binance', missingBars: 0 },
		result: { trades: r.trades, equity: r.equity, openTime: ohlcv.openTime, metrics, ambiguousBars: r.ambiguousBars, indicators: [], elapsedMs: 0 }
	};
}

const library = { monteCarlo: async (s: Parameters<typeof runTradeMonteCarlo>[0], o: Parameters<typeof runTradeMonteCarlo>[1]) => runTradeMonteCarlo(s, o), cancel: () => {} };

describe('Monte Carlo panel state', () => {
	it('execution through the pool (chunks over workers) equals the direct computation bit for bit', async () => {
		const run = await s4Run();
		const c = client(2);
		const mc = new MonteCarloState(run);
		expect(mc.feeMinPct).toBe(0.1);
		expect(mc.feeMaxPct).toBe(0.15);
		mc.method = 'execution';
		mc.simulations = 60;
		mc.seed = 9;
		await mc.start(run, { ohlcv, identical: true }, { analysis: library, pool: c.pool });
		expect(mc.error).toBeNull();
		const engine = await createNodeEngine();
		engine.load(ohlcv);
		const direct = runExecutionMonteCarlo(engine, run.config, ohlcv.openTime.length, dataSpanMs(ohlcv.openTime, H), {
			simulations: 60,
			seed: 9,
			confidence: 0.95,
			ruinFloor: 0.5,
			fee: { min: 0.001, max: 0.0015 },
			slippage: { min: 0, max: 0.001 }
		});
		expect(mc.digest).toBe(monteCarloDigest(direct));
		expect(JSON.stringify(mc.result)).toBe(JSON.stringify(direct));
		c.dispose();
	});

	it('trade methods: the library result; bad input and too few trades: readable errors, no result', async () => {
		const run = await s4Run();
		const mc = new MonteCarloState(run);
		mc.method = 'win-rate';
		await mc.start(run, null, { analysis: library, pool: null });
		expect(mc.error).toBeNull();
		const wr = run.result!.trades.filter((t) => t.pnl > 0).length / run.result!.trades.length;
		expect(mc.result!.winRate!.max).toBeCloseTo(wr, 4);
		const direct = runTradeMonteCarlo(tradeSample(run.result!.trades, 10_000, dataSpanMs(ohlcv.openTime, H)), { method: 'win-rate', simulations: 1000, seed: 1, winRate: mc.result!.winRate });
		expect(mc.digest).toBe(monteCarloDigest(direct));

		const bad = new MonteCarloState(run);
		bad.confidencePct = 100;
		await bad.start(run, null, { analysis: library, pool: null });
		expect(bad.error).toMatch(/confidence must be a fraction strictly between 0 and 1/);
		expect(bad.result).toBeNull();
		bad.confidencePct = 95;
		bad.method = 'execution';
		await bad.start(run, { ohlcv, identical: false }, { analysis: library, pool: client(1).pool });
		expect(bad.error).toMatch(/run’s own candles/);

		const thin: Run = { ...run, result: { ...run.result!, trades: run.result!.trades.slice(0, 1) } };
		const one = new MonteCarloState(thin);
		await one.start(thin, null, { analysis: library, pool: null });
		expect(one.error).toMatch(/at least 2 closed trades; this run has 1/);
	});
});

describe('overfitting card state', () => {
	it('a finished optimisation keeps 200 best trials; the worker re-runs give the directly computed report', async () => {
		const c = client(2);
		const db = await openAppDb('analysis-state-1');
		const opt = new OptimizeState();
		await opt.init({ repo: new OptimisationsRepository<OptimizationState, BestTrial>(db), pool: c.pool });
		opt.setStrategy('sma-cross');
		Object.assign(opt.ranges.find((r) => r.name === 'fast')!, { search: true, start: 3, end: 30, step: 1 });
		Object.assign(opt.ranges.find((r) => r.name === 'slow')!, { search: true, start: 35, end: 80, step: 5 });
		opt.minTrades = 5;
		await opt.start(scenarioConfig('S1'), ds);
		const job = opt.current!;
		expect(job.status).toBe('done');
		expect(job.state.topKSize).toBe(200);
		expect(job.state.topK.length).toBe(Math.min(200, job.state.evaluated));
		const of = new OverfittingState();
		await of.compute(job, ds, c.pool);
		expect(of.error).toBeNull();
		const engine = await createNodeEngine();
		engine.load(ohlcv);
		const ev = overfittingEvidence(engine, job.state.job, overfittingRequest(preparedJob(job.state.job).space, job.state.topK), ohlcv.openTime, H);
		const direct = optimizationOverfitting(job.state, job.state.topK, ev);
		expect(of.report!.dsr).toBe(direct.dsr);
		expect(of.report!.pbo).toBe(direct.pbo);
		expect(of.report!.plateau).toBe(direct.plateau);
		expect(of.report!.trials).toBe(280);
		// Another dataset: a readable message, nothing computed.
		const other = new OverfittingState();
		await other.compute(job, { ...ds, id: 'other' }, c.pool);
		expect(other.error).toMatch(/select BTCUSDT 1h over the same range/);
		c.dispose();
	});
});
