/**
 * Overfitting statistics: the Deflated Sharpe Ratio worked example of Bailey & López de Prado (2014), a PSR case
 * computed by hand (Python statistics.NormalDist), PBO by CSCV near 0 on a grid where one parameter set dominates
 * by construction on real data and high on pure-noise strategies on real data, the plateau score, and the
 * optimiser's overfitting pass on the WASM core (its daily returns reproduce the trial's own Sharpe ratio).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
	deflatedSharpe,
	expectedMaxSharpe,
	plateauScore,
	probabilisticSharpe,
	probabilityOfBacktestOverfitting
} from '../../../src/lib/analysis/overfitting';
import { moments } from '../../../src/lib/analysis/stats';
import { Rng } from '../../../src/lib/core/rng';
import { createNodeEngine } from '../../../src/lib/engine/node';
import type { WasmEngine } from '../../../src/lib/engine/wasm-engine';
import { dailyEquity } from '../../../src/lib/metrics/returns';
import {
	alignedDailyReturns,
	dataSpanMs,
	evaluateBatch,
	neighbourIndices,
	optimizationOverfitting,
	overfittingEvidence,
	overfittingRequest,
	rankValue,
	resolveObjective,
	runOptimization,
	SearchSpace,
	trialStats,
	type OptimizationJob
} from '../../../src/lib/optimize';
import { loadSymbolKlines, referenceWindow, scenarioConfig, sliceColumns } from '../helpers/fixtures';

const HOUR = 3_600_000;

describe('Deflated Sharpe Ratio', () => {
	it('reproduces the paper worked example to 4 decimals', () => {
		// Bailey & López de Prado (2014): annualised SR 2.5 over 1,250 daily returns (250 days a year), 100 trials,
		// variance of the trials' annualised SR 0.5, skewness -3, kurtosis 10 -> E[max SR] ≈ 0.1132 per day, DSR ≈ 0.9004.
		const r = deflatedSharpe({
			sharpe: 2.5 / Math.sqrt(250),
			observations: 1250,
			skewness: -3,
			kurtosis: 10,
			trials: 100,
			sharpeVariance: 0.5 / 250
		});
		expect(r.expectedMaxSharpe).toBeCloseTo(0.1132, 4);
		expect(r.dsr).toBeCloseTo(0.9004, 4);
		// Python: sr0 = 0.11317200186513214, dsr = 0.9003968344493904 (statistics.NormalDist)
		expect(r.expectedMaxSharpe).toBeCloseTo(0.11317200186513214, 12);
		expect(r.dsr).toBeCloseTo(0.9003968344493904, 12);
	});
	it('one trial is not deflated; more trials deflate more', () => {
		expect(expectedMaxSharpe(1, 0.01)).toBe(0);
		expect(expectedMaxSharpe(10_000, 0.002)).toBeGreaterThan(expectedMaxSharpe(100, 0.002));
		expect(expectedMaxSharpe(100, NaN)).toBeNaN();
	});
});

describe('Probabilistic Sharpe Ratio', () => {
	it('equals a hand-computed case', () => {
		// x below: mean 0.0096, stdev 0.023200574705525435, skew 0.9174181125079981, kurt 3.256118191020076,
		// SR = 0.4137828533063739; z = SR·sqrt(9)/sqrt(1 - skew·SR + (kurt-1)/4·SR²); Φ(z) = 0.9286816370633777;
		// against SR* = 0.1: 0.8668750374660403.
		const x = [0.01, -0.02, 0.03, 0.0, 0.015, -0.005, 0.02, -0.01, 0.06, -0.004];
		const m = moments(x);
		const sr = m.mean / m.std;
		expect(probabilisticSharpe(sr, 0, x.length, m.skewness, m.kurtosis)).toBeCloseTo(0.9286816370633777, 12);
		expect(probabilisticSharpe(sr, 0.1, x.length, m.skewness, m.kurtosis)).toBeCloseTo(0.8668750374660403, 12);
		expect(probabilisticSharpe(sr, sr, x.length, m.skewness, m.kurtosis)).toBe(0.5);
		expect(probabilisticSharpe(sr, 0, 1, 0, 3)).toBeNaN();
	});
});

describe('Probability of Backtest Overfitting (CSCV) on real data', () => {
	const btc = loadSymbolKlines('BTCUSDT');
	const n = btc.openTime.length;
	// The last 730 days (17,520 1h bars) of BTCUSDT.
	const window = sliceColumns(btc, n - 17_520, n);
	let engine: WasmEngine;
	beforeAll(async () => {
		engine = await createNodeEngine();
		engine.load(window);
	});

	it('is near 0 on a grid where one parameter set dominates by construction (same trades, rising fees)', () => {
		const cols = [0, 0.0005, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01].map((fee) =>
			alignedDailyReturns(window.openTime, engine.run({ ...scenarioConfig('S1'), feeRate: fee }).equity, HOUR)
		);
		expect(cols[0].length).toBe(730);
		const r = probabilityOfBacktestOverfitting(cols, 16);
		expect(r.combinations).toBe(12_870);
		expect(r.pbo).toBeLessThan(0.05);
		expect(r.logits.median).toBeGreaterThan(0);
	});

	it('is high (about one half) on 200 pure-noise strategies (random daily long/flat entries, one seed each)', () => {
		const closes = dailyEquity(window.openTime, window.close, HOUR).equity;
		const market = new Float64Array(closes.length - 1);
		for (let i = 1; i < closes.length; i++) market[i - 1] = closes[i] / closes[i - 1] - 1;
		const cols = Array.from({ length: 200 }, (_, s) => {
			const rng = new Rng(1000 + s);
			return market.map((r) => (rng.next() < 0.5 ? r : 0));
		});
		const r = probabilityOfBacktestOverfitting(cols, 16);
		expect(r.pbo).toBeGreaterThan(0.3);
		expect(r.pbo).toBeLessThan(0.8);
	});

	it('rejects what it cannot compute', () => {
		const a = new Float64Array(100);
		expect(() => probabilityOfBacktestOverfitting([a], 16)).toThrow(/at least 2/);
		expect(() => probabilityOfBacktestOverfitting([a, a], 15)).toThrow(/even whole number/);
		expect(() => probabilityOfBacktestOverfitting([a, new Float64Array(99)], 16)).toThrow(/same number of returns/);
		expect(() => probabilityOfBacktestOverfitting([new Float64Array(20), new Float64Array(20)], 16)).toThrow(/at least 32 returns/);
	});
});

describe('plateau score', () => {
	it('1 on a plateau, 0 on a lone spike, NaN without neighbours', () => {
		expect(plateauScore(2, [2, 2, 2], 0)).toBe(1);
		expect(plateauScore(2, [0, 0], 0)).toBe(0);
		expect(plateauScore(2, [1, 1], 0)).toBe(0.5);
		expect(plateauScore(2, [], 0)).toBeNaN();
		expect(plateauScore(-1, [0], 0)).toBeNaN();
	});
});

describe('the optimiser overfitting pass (WASM core, S1 window)', () => {
	const ohlcv = referenceWindow('BTCUSDT');
	let engine: WasmEngine;
	beforeAll(async () => {
		engine = await createNodeEngine();
		engine.load(ohlcv);
	});

	it('re-runs the best trials: daily returns reproduce each trial Sharpe ratio; neighbours reproduce their ranks', async () => {
		const job: OptimizationJob = {
			config: scenarioConfig('S1'),
			axes: [
				{ name: 'fast', start: 5, end: 20, step: 1 },
				{ name: 'slow', start: 20, end: 80, step: 5 }
			],
			objective: { key: 'sharpeRatio', minTrades: 5 },
			data: { bars: ohlcv.openTime.length, spanMs: dataSpanMs(ohlcv.openTime, HOUR) }
		};
		const out = await runOptimization({ job, method: { kind: 'grid' }, topK: 200, evaluate: async (b) => evaluateBatch(engine, job, b) });
		expect(out.state.moments!.sharpe.n).toBeGreaterThan(100);
		const request = overfittingRequest(out.aggregates.space, out.top);
		expect(request.top.length).toBe(Math.min(200, out.top.length));
		const evidence = overfittingEvidence(engine, job, request, ohlcv.openTime, HOUR);
		for (const k of [0, 3, 17]) {
			const m = moments(evidence.daily[k]);
			expect((m.mean / m.std) * Math.sqrt(365)).toBeCloseTo(out.top[k].stats.sharpeRatio, 9);
		}
		const space = new SearchSpace({ strategy: 'sma-cross', axes: job.axes, fixed: job.config.params });
		const objective = resolveObjective(job.objective);
		request.neighbours.forEach((idx, i) => {
			const stats = trialStats(engine.runSummary({ ...job.config, params: space.paramsAt(idx) }), 10_000, job.data.spanMs);
			expect(evidence.neighbourRanks[i]).toBe(rankValue(stats, objective));
		});
		const report = optimizationOverfitting(out.state, out.top, evidence);
		expect(report.trials).toBe(out.state.evaluated);
		expect(report.sharpeAnnualised).toBeCloseTo(out.best!.stats.sharpeRatio, 9);
		expect(report.dsr).toBeLessThanOrEqual(report.psr);
		expect(report.dsr).toBeGreaterThanOrEqual(0);
		expect(report.pbo).toBeGreaterThanOrEqual(0);
		expect(report.pbo).toBeLessThanOrEqual(1);
		expect(report.plateau).toBeGreaterThanOrEqual(0);
		expect(report.plateau).toBeLessThanOrEqual(1);
		expect(report.reading).toMatch(/^The best of \d+ trials; after deflation/);
	});

	it('neighbours: the Moore neighbourhood inside the grid, constraints respected', () => {
		const space = new SearchSpace({ strategy: 'sma-cross', axes: [{ name: 'fast', values: [5, 10, 15] }, { name: 'slow', values: [10, 20, 30] }], fixed: {} });
		const centre = space.indexOfParams({ fast: 10, slow: 20 });
		const nb = neighbourIndices(space, centre).map((i) => space.paramsAt(i));
		// fast 15 / slow 10 and fast 10 / slow 10 break fast < slow.
		expect(nb).toEqual([
			{ fast: 5, slow: 10 },
			{ fast: 5, slow: 20 },
			{ fast: 5, slow: 30 },
			{ fast: 10, slow: 30 },
			{ fast: 15, slow: 20 },
			{ fast: 15, slow: 30 }
		]);
	});
});
