/**
 * Batch sizing never changes what an optimisation finds: on real candles (BTCUSDT 1h, the S1 reference window) with
 * the WASM core, every method (grid, seeded random, seeded genetic, adaptive, walk-forward) evaluates the same trials
 * with the same numbers and returns the same best trials whether batches hold 1, 16 (the former app default) or 256
 * trials, or are sized by the cost-based {@link BatchSizer} from (here synthetic, jittery) measured times, with one
 * batch in flight or eight completing out of order (the runner applies results in issue order, so even the
 * floating-point sums of the aggregates and the overfitting moments are bit-identical).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import type { WasmEngine } from '../../../src/lib/engine/wasm-engine';
import {
	BatchSizer,
	dataSpanMs,
	evaluateBatch,
	Rng,
	runOptimization,
	runWalkForward,
	type AxisSpec,
	type OptimizationJob,
	type SearchMethod,
	type TrialBatch,
	type TrialResult
} from '../../../src/lib/optimize';
import { referenceWindow } from '../helpers/fixtures';

const HOUR = 3_600_000;
const ohlcv = referenceWindow('BTCUSDT');
const data = { bars: ohlcv.openTime.length, spanMs: dataSpanMs(ohlcv.openTime, HOUR) };
let engine: WasmEngine;
beforeAll(async () => {
	engine = await createNodeEngine();
	engine.load(ohlcv);
});

const AXES: AxisSpec[] = [
	{ name: 'fast', start: 3, end: 20, step: 1 },
	{ name: 'slow', start: 20, end: 80, step: 5 }
];
const job = (): OptimizationJob => ({ config: defaultConfig('sma-cross'), axes: AXES, objective: { key: 'sharpeRatio', minTrades: 3 }, data });

type Sizing = { label: string; batchSize: number | 'sizer'; concurrency: number };
const SIZINGS: Sizing[] = [
	{ label: '16 trials, 1 in flight', batchSize: 16, concurrency: 1 },
	{ label: '1 trial, 1 in flight', batchSize: 1, concurrency: 1 },
	{ label: '256 trials, 1 in flight', batchSize: 256, concurrency: 1 },
	{ label: 'cost-sized, 1 in flight', batchSize: 'sizer', concurrency: 1 },
	{ label: 'cost-sized, 8 in flight, out of order', batchSize: 'sizer', concurrency: 8 },
	{ label: '5 trials, 4 in flight, out of order', batchSize: 5, concurrency: 4 }
];

/** Run a search with a sizing; batches in flight complete in a seeded shuffled order. */
async function search(method: SearchMethod, s: Sizing) {
	const j = job();
	const rng = new Rng(42);
	const sizer = new BatchSizer({ bars: data.bars, targetMs: 2, maxTrials: 64 });
	const all: TrialResult[] = [];
	const sizes: number[] = [];
	const out = await runOptimization({
		job: j,
		method,
		topK: 20,
		concurrency: s.concurrency,
		batchSize:
			s.batchSize === 'sizer'
				? (remaining) => {
						const n = sizer.next(remaining, s.concurrency);
						sizes.push(n);
						return n;
					}
				: s.batchSize,
		evaluate: async (b: TrialBatch) => {
			const r = evaluateBatch(engine, j, b);
			// A jittery "measured" time: the sizer's choices vary from batch to batch.
			sizer.record(r.length, (0.5 + rng.next()) * r.length * 0.05);
			if (s.concurrency > 1) for (let k = rng.int(4); k > 0; k--) await new Promise((res) => setTimeout(res, 0));
			return r;
		},
		onResults: (r) => all.push(...r)
	});
	all.sort((a, b) => a.index - b.index);
	return { out, all, sizes };
}

const METHODS: { name: string; method: SearchMethod }[] = [
	{ name: 'grid', method: { kind: 'grid' } },
	{ name: 'random (seeded)', method: { kind: 'random', trials: 60, seed: 7 } },
	{ name: 'genetic (seeded)', method: { kind: 'genetic', population: 12, generations: 4, crossoverRate: 0.8, mutationRate: 0.3, elitism: 2, seed: 11 } },
	{ name: 'adaptive', method: { kind: 'adaptive', iterations: 3, refinementFactor: 0.5, pointsPerAxis: 4 } }
];

describe('batch sizing does not change results', () => {
	for (const { name, method } of METHODS) {
		it(`${name}: same trials, same numbers, same best trials for every batch sizing`, async () => {
			const base = await search(method, SIZINGS[0]);
			expect(base.all.length).toBeGreaterThan(10);
			for (const s of SIZINGS.slice(1)) {
				const r = await search(method, s);
				expect(r.out.status, s.label).toBe('done');
				expect(r.all, s.label).toEqual(base.all);
				expect(r.out.top, s.label).toEqual(base.out.top);
				expect(r.out.state.evaluated, s.label).toBe(base.out.state.evaluated);
				// Results are applied in issue order: the aggregates' and moments' floating-point sums are identical too.
				expect(r.out.aggregates.state(), s.label).toEqual(base.out.aggregates.state());
				expect(r.out.state.moments, s.label).toEqual(base.out.state.moments);
				expect(r.out.state.planner, s.label).toEqual(base.out.state.planner);
				if (s.batchSize === 'sizer') expect(new Set(r.sizes).size, `${s.label}: sizes vary`).toBeGreaterThan(1);
			}
		}, 120_000);
	}

	it('walk-forward: the same splits, winners and stitched equity for every batch size', async () => {
		const wf = (batchSize: number) =>
			runWalkForward({
				ohlcv,
				intervalMs: HOUR,
				config: defaultConfig('sma-cross'),
				axes: AXES,
				objective: { key: 'totalReturnRatio' },
				method: { kind: 'random', trials: 40, seed: 3 },
				windows: { mode: 'rolling', splits: 3, trainRatio: 0.7 },
				engine,
				batchSize
			});
		const a = await wf(16);
		for (const n of [1, 7, 300]) {
			const b = await wf(n);
			expect(b.splits).toEqual(a.splits);
			expect(Array.from(b.equity)).toEqual(Array.from(a.equity));
		}
		engine.load(ohlcv);
	}, 120_000);
});

describe('BatchSizer', () => {
	it('starts from the job cost, follows measured times, and spreads the tail over the batches in flight', () => {
		const s = new BatchSizer({ bars: 10_000, targetMs: 30, assumedRate: 100e6 });
		// 30 ms at 100 M bar-evaluations/s = 3 M bar-evaluations = 300 trials of 10,000 bars.
		expect(s.next()).toBe(300);
		// Measured: 100 trials in 5 ms = 200 M/s -> 600 trials per 30 ms.
		s.record(100, 5);
		expect(s.next()).toBe(600);
		expect(s.rate).toBeCloseTo(200e6, -3);
		// Smoothed: a slower batch (50 M/s) moves the estimate 30 % of the way.
		s.record(100, 20);
		expect(s.next()).toBe(Math.floor(30 / (1000 / 200e6 + 0.3 * (1000 / 50e6 - 1000 / 200e6)) / 10_000));
		expect(s.next(40, 4)).toBe(10);
		expect(s.next(1, 4)).toBe(1);
		// Never below 1 nor above maxTrials; nonsense measurements are ignored.
		const t = new BatchSizer({ bars: 1e9, maxTrials: 50 });
		expect(t.next()).toBe(1);
		const u = new BatchSizer({ bars: 1, maxTrials: 50 });
		expect(u.next()).toBe(50);
		u.record(0, 5);
		u.record(10, NaN);
		expect(u.measured).toBe(0);
		expect(() => new BatchSizer({ bars: 0 })).toThrow(RangeError);
	});
});
