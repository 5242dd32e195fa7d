/**
 * The optimiser on real candles (BTCUSDT 1h, the S1 reference window) with the WASM core: trials equal single
 * runs, top-K and aggregates equal a brute-force computation, heatmap slices and "open as backtest" reproduce the
 * trial numbers, adaptive refinement is at least as good as its coarse grid, walk-forward stitches consistently.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import type { BacktestConfig } from '../../../src/lib/engine/types';
import type { WasmEngine } from '../../../src/lib/engine/wasm-engine';
import {
	aggregateHeatmap,
	binOf,
	compareTrialStats,
	dataSpanMs,
	evaluateBatch,
	evenPositions,
	heatmapFromResults,
	heatmapSlice,
	parameterImpact,
	rankValue,
	resolveObjective,
	runOptimization,
	runWalkForward,
	SearchSpace,
	topKRows,
	trialConfig,
	trialStats,
	walkForwardWindows,
	type AxisSpec,
	type OptimizationJob,
	type SearchMethod,
	type TrialResult
} from '../../../src/lib/optimize';
import { referenceWindow } from '../helpers/fixtures';

const HOUR = 3_600_000;
let engine: WasmEngine;
const ohlcv = referenceWindow('BTCUSDT');
const data = { bars: ohlcv.openTime.length, spanMs: dataSpanMs(ohlcv.openTime, HOUR) };

beforeAll(async () => {
	engine = await createNodeEngine();
	engine.load(ohlcv);
});

function job(config: BacktestConfig, axes: AxisSpec[], key: OptimizationJob['objective']['key'] = 'sharpeRatio', minTrades = 1): OptimizationJob {
	return { config, axes, objective: { key, minTrades }, data };
}

async function optimise(j: OptimizationJob, method: SearchMethod, topK = 5, maxBins?: number) {
	return runOptimization({ job: j, method, topK, maxBins, batchSize: 7, evaluate: async (b) => evaluateBatch(engine, j, b) });
}

/** Every valid combination evaluated with engine.runSummary on its own full config. */
function bruteForce(j: OptimizationJob): TrialResult[] {
	const space = new SearchSpace({ strategy: j.config.strategy, axes: j.axes, fixed: j.config.params });
	const objective = resolveObjective(j.objective);
	const out: TrialResult[] = [];
	for (let i = 0; i < space.size; i++) {
		if (!space.isValid(i)) continue;
		const stats = trialStats(engine.runSummary({ ...j.config, params: space.paramsAt(i) }), j.config.initialCash, j.data.spanMs);
		out.push({ index: i, values: space.valuesAt(i), stats, rank: rankValue(stats, objective) });
	}
	return out;
}

const RSI_JOB = () =>
	job(defaultConfig('rsi-mean-reversion'), [
		{ name: 'period', values: [7, 14, 21] },
		{ name: 'oversold', values: [20, 25, 30] },
		{ name: 'overbought', values: [70, 80] }
	]);

describe('trials on the WASM core', () => {
	it('each trial equals a single run with the same parameters (fast path and own-exit-level strategy)', () => {
		const jobs = [
			job(defaultConfig('sma-cross'), [{ name: 'fast', values: [5, 10, 30] }, { name: 'slow', values: [20, 30, 60] }]),
			job({ ...defaultConfig('rsi-atr-momentum'), direction: 'long-short' }, [
				{ name: 'atrPeriod', values: [7, 14] },
				{ name: 'slAtrMultiplier', values: [1, 2] },
				{ name: 'tpAtrMultiplier', values: [2, 4] }
			])
		];
		for (const j of jobs) {
			const size = new SearchSpace({ strategy: j.config.strategy, axes: j.axes }).size;
			const results = evaluateBatch(engine, j, { kind: 'range', from: 0, to: size });
			expect(results.length).toBeGreaterThan(0);
			for (const r of results) {
				const full = engine.run(trialConfig(j, r.index));
				expect(r.stats.finalEquity).toBe(full.summary.finalEquity);
				expect(r.stats.nTrades).toBe(full.trades.length);
				expect(r.stats.sharpeRatio).toBe(full.summary.sharpeRatio);
				expect(r.stats.maxDrawdownRatio).toBe(full.summary.maxDrawdownRatio);
			}
			// Distinct parameter sets give distinct runs (the scalars really change between trials).
			expect(new Set(results.map((r) => r.stats.finalEquity)).size).toBeGreaterThan(1);
		}
		// The invalid combination fast 30 / slow 20 is skipped, not evaluated.
		const sma = evaluateBatch(engine, jobs[0], { kind: 'range', from: 0, to: 9 });
		expect(sma.map((r) => r.values)).not.toContainEqual([30, 20]);
		expect(sma).toHaveLength(7);
	});

	it('top-K and aggregates equal a brute-force computation on a small real grid', async () => {
		const j = RSI_JOB();
		const out = await optimise(j, { kind: 'grid' }, 5);
		const all = bruteForce(j);
		const ranked = all.filter((r) => !Number.isNaN(r.rank)).sort((a, b) => b.rank - a.rank || a.index - b.index);
		expect(out.top.map((t) => t.index)).toEqual(ranked.slice(0, 5).map((t) => t.index));
		expect(out.top[0].stats).toEqual(ranked[0].stats);
		const agg = out.aggregates.view();
		expect(agg.evaluated).toBe(all.length);
		expect(agg.ranked).toBe(ranked.length);
		const space = out.aggregates.space;
		for (let d = 0; d < 3; d++) {
			space.axes[d].values.forEach((v, k) => {
				const xs = ranked.filter((r) => r.values[d] === v).map((r) => r.stats.sharpeRatio);
				expect(agg.axes[d].count[k]).toBe(xs.length);
				expect(agg.axes[d].sum[k]).toBeCloseTo(xs.reduce((a, b) => a + b, 0), 10);
				expect(agg.axes[d].sumSq[k]).toBeCloseTo(xs.reduce((a, b) => a + b * b, 0), 10);
				expect(agg.axes[d].min[k]).toBe(Math.min(...xs));
				expect(agg.axes[d].max[k]).toBe(Math.max(...xs));
			});
		}
		// Pair (period, overbought): best and mean per cell.
		const hm = aggregateHeatmap(agg, 'period', 'overbought', 'best');
		const mean = aggregateHeatmap(agg, 'period', 'overbought', 'mean');
		expect(hm.x.values).toEqual([7, 14, 21]);
		expect(hm.y.values).toEqual([70, 80]);
		for (let yi = 0; yi < 2; yi++) {
			for (let xi = 0; xi < 3; xi++) {
				const xs = ranked.filter((r) => r.values[0] === hm.x.values[xi] && r.values[2] === hm.y.values[yi]).map((r) => r.stats.sharpeRatio);
				expect(hm.values[yi * 3 + xi]).toBe(Math.max(...xs));
				expect(mean.values[yi * 3 + xi]).toBeCloseTo(xs.reduce((a, b) => a + b, 0) / xs.length, 10);
			}
		}
		// Impact: per-value means and the ranking by their variance.
		const impact = parameterImpact(agg);
		const variance = (d: number) => {
			const means = space.axes[d].values.map((v) => {
				const xs = ranked.filter((r) => r.values[d] === v).map((r) => r.stats.sharpeRatio);
				return xs.reduce((a, b) => a + b, 0) / xs.length;
			});
			const m = means.reduce((a, b) => a + b, 0) / means.length;
			return means.reduce((a, b) => a + (b - m) ** 2, 0) / means.length;
		};
		const expected = [0, 1, 2].map((d) => ({ name: space.axes[d].name, v: variance(d) })).sort((a, b) => b.v - a.v);
		expect(impact.map((p) => p.name)).toEqual(expected.map((e) => e.name));
		impact.forEach((p, i) => expect(p.varianceOfMeans).toBeCloseTo(expected[i].v, 10));
		// Table rows.
		const rows = topKRows(space, out.top, 'sharpeRatio');
		expect(rows[0]).toMatchObject({ rank: 1, params: { period: out.top[0].values[0], oversold: out.top[0].values[1], overbought: out.top[0].values[2] } });
		expect(rows[0].objective).toBe(ranked[0].stats.sharpeRatio);
	});

	it('binned aggregates (more values than bins) equal a brute-force binning', async () => {
		const j = job(defaultConfig('sma-cross'), [{ name: 'fast', start: 5, end: 14, step: 1 }, { name: 'slow', values: [30, 60] }], 'totalReturnRatio');
		const out = await optimise(j, { kind: 'grid' }, 3, 4);
		const agg = out.aggregates.view();
		expect(agg.binning[0]).toMatchObject({ nValues: 10, nBins: 4, lo: [5, 8, 10, 13], hi: [7, 9, 12, 14] });
		const all = bruteForce(j);
		for (let b = 0; b < 4; b++) {
			const xs = all.filter((r) => binOf(r.values[0] - 5, 10, 4) === b).map((r) => r.stats.totalReturnRatio);
			expect(agg.axes[0].count[b]).toBe(xs.length);
			expect(agg.axes[0].sum[b]).toBeCloseTo(xs.reduce((a, c) => a + c, 0), 10);
		}
	});

	it('a heatmap slice around the best trial reproduces single runs; compare two trials', async () => {
		const j = RSI_JOB();
		const out = await optimise(j, { kind: 'grid' }, 3);
		const space = out.aggregates.space;
		const slice = heatmapSlice(space, out.best!.index, 'oversold', 'period');
		expect(slice.batch.indices).toHaveLength(9);
		const results = evaluateBatch(engine, j, slice.batch);
		const hm = heatmapFromResults(slice, results, 'totalReturnRatio');
		const overbought = out.best!.values[2];
		for (let yi = 0; yi < 3; yi++) {
			for (let xi = 0; xi < 3; xi++) {
				const params = { period: hm.y.values[yi], oversold: hm.x.values[xi], overbought, exitOnMid: 0 };
				expect(hm.values[yi * 3 + xi]).toBe(engine.runSummary({ ...j.config, params }).totalReturnRatio);
			}
		}
		const cmp = compareTrialStats(out.top[0].stats, out.top[1].stats);
		const sharpe = cmp.find((r) => r.key === 'sharpeRatio')!;
		expect(sharpe.better).toBe(out.top[0].stats.sharpeRatio > out.top[1].stats.sharpeRatio ? 'a' : 'equal');
		expect(cmp.find((r) => r.key === 'maxDrawdownRatio')!.better).toBe(
			out.top[0].stats.maxDrawdownRatio < out.top[1].stats.maxDrawdownRatio ? 'a' : out.top[0].stats.maxDrawdownRatio === out.top[1].stats.maxDrawdownRatio ? 'equal' : 'b'
		);
	});

	it('adaptive refinement on real data ends at least as good as its coarse grid', async () => {
		const axes: AxisSpec[] = [{ name: 'fast', start: 2, end: 100, step: 1 }, { name: 'slow', start: 10, end: 400, step: 1 }];
		const j = job(defaultConfig('sma-cross'), axes, 'totalReturnRatio', 10);
		const adaptive = await optimise(j, { kind: 'adaptive', iterations: 5, refinementFactor: 0.4, pointsPerAxis: 6 });
		const coarse = job(defaultConfig('sma-cross'), [
			{ name: 'fast', values: evenPositions(0, 98, 6).map((k) => 2 + k) },
			{ name: 'slow', values: evenPositions(0, 390, 6).map((k) => 10 + k) }
		], 'totalReturnRatio', 10);
		const grid = await optimise(coarse, { kind: 'grid' });
		expect(grid.best).toBeDefined();
		expect(adaptive.best!.rank).toBeGreaterThanOrEqual(grid.best!.rank);
		expect(adaptive.state.evaluated).toBeGreaterThan(grid.state.evaluated);
		// The reported best reproduces as a full backtest.
		const full = engine.run(trialConfig(j, adaptive.best!.index));
		expect(full.summary.totalReturnRatio).toBe(adaptive.best!.stats.totalReturnRatio);
	});
});

describe('walk-forward on real data', () => {
	it('optimises each training window, stitches the test windows and computes the efficiency', async () => {
		const wfEngine = await createNodeEngine();
		const config = defaultConfig('sma-cross');
		const axes: AxisSpec[] = [{ name: 'fast', values: [5, 10, 20] }, { name: 'slow', values: [30, 50, 100] }];
		const spec = { mode: 'rolling' as const, splits: 3, trainRatio: 0.75 };
		const wf = await runWalkForward({ ohlcv, intervalMs: HOUR, config, axes, objective: { key: 'totalReturnRatio' }, method: { kind: 'grid' }, windows: spec, engine: wfEngine });
		const windows = walkForwardWindows(ohlcv.openTime.length, spec);
		expect(wf.status).toBe('done');
		expect(wf.splits).toHaveLength(3);
		expect(wf.equity).toHaveLength(3 * windows.testBars);
		expect(wf.openTime[0]).toBe(ohlcv.openTime[windows.splits[0].test.start]);
		let level = config.initialCash;
		let pos = 0;
		const check = await createNodeEngine();
		for (const [i, s] of wf.splits.entries()) {
			// The winner is the grid best of the training window.
			const train = { openTime: ohlcv.openTime.subarray(s.train.start, s.train.end), open: ohlcv.open.subarray(s.train.start, s.train.end), high: ohlcv.high.subarray(s.train.start, s.train.end), low: ohlcv.low.subarray(s.train.start, s.train.end), close: ohlcv.close.subarray(s.train.start, s.train.end), volume: ohlcv.volume.subarray(s.train.start, s.train.end) };
			check.load(train);
			let best = -Infinity;
			for (const fast of [5, 10, 20]) for (const slow of [30, 50, 100]) {
				const r = check.runSummary({ ...config, params: { fast, slow } });
				if (r.nTrades >= 1) best = Math.max(best, r.totalReturnRatio);
			}
			expect(s.inSample!.totalReturnRatio).toBe(best);
			// Stitching: this window's curve scaled by the account level at its start.
			const test = { openTime: ohlcv.openTime.subarray(s.test.start, s.test.end), open: ohlcv.open.subarray(s.test.start, s.test.end), high: ohlcv.high.subarray(s.test.start, s.test.end), low: ohlcv.low.subarray(s.test.start, s.test.end), close: ohlcv.close.subarray(s.test.start, s.test.end), volume: ohlcv.volume.subarray(s.test.start, s.test.end) };
			check.load(test);
			const res = check.run({ ...config, params: s.params! });
			expect(s.outOfSample!.finalEquity).toBe(res.summary.finalEquity);
			for (let t = 0; t < res.equity.length; t++) expect(wf.equity[pos + t]).toBeCloseTo((res.equity[t] * level) / config.initialCash, 6);
			pos += res.equity.length;
			level = wf.equity[pos - 1];
			expect(i).toBeLessThan(3);
		}
		const product = wf.splits.reduce((p, s) => p * (1 + s.outOfSample!.totalReturnRatio), 1) - 1;
		expect(wf.outOfSample.totalReturnRatio).toBeCloseTo(product, 10);
		expect(wf.outOfSample.nTrades).toBe(wf.splits.reduce((n, s) => n + s.outOfSample!.nTrades, 0));
		const meanIs = wf.splits.reduce((a, s) => a + s.inSample!.cagr, 0) / 3;
		expect(wf.inSampleCagr).toBeCloseTo(meanIs, 12);
		expect(wf.efficiency).toBe(meanIs > 0 ? wf.outOfSample.cagr / meanIs : NaN);
	});
});
