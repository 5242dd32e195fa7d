import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import type { StrategyId } from '../../../src/lib/engine/types';
import {
	evaluateBatch,
	IndexPermutation,
	runOptimization,
	type AxisSpec,
	type OptimizationJob,
	type OptimizationState,
	type SearchMethod,
	type TrialResult
} from '../../../src/lib/optimize';
import { peak, SyntheticEngine } from './synthetic';

const YEAR_MS = 365 * 86_400_000;
const WIDE: AxisSpec[] = [
	{ name: 'emaPeriod', start: 2, end: 500, step: 1 },
	{ name: 'atrPeriod', start: 2, end: 200, step: 1 }
];

function makeJob(axes: AxisSpec[], strategy: StrategyId = 'ema-atr-breakout', minTrades = 1): OptimizationJob {
	return { config: defaultConfig(strategy), axes, objective: { key: 'totalReturnRatio', minTrades }, data: { bars: 1000, spanMs: YEAR_MS } };
}

async function run(job: OptimizationJob, method: SearchMethod, engine: SyntheticEngine, extra: { concurrency?: number; batchSize?: number } = {}) {
	const seen: number[] = [];
	const out = await runOptimization({
		job,
		method,
		evaluate: async (b) => evaluateBatch(engine, job, b),
		onResults: (rs) => seen.push(...rs.map((r) => r.index)),
		topK: 10,
		...extra
	});
	return { out, seen };
}

describe('IndexPermutation', () => {
	it('is a bijection of [0, n) for several sizes and seeds', () => {
		for (const n of [1, 2, 3, 7, 16, 100, 1000, 4097]) {
			for (const seed of [0, 1, 12345]) {
				const p = new IndexPermutation(n, seed);
				const s = new Set<number>();
				for (let i = 0; i < n; i++) s.add(p.at(i));
				expect(s.size).toBe(n);
				expect(Math.min(...s)).toBe(0);
				expect(Math.max(...s)).toBe(n - 1);
			}
		}
	});
});

describe('random search', () => {
	it('same seed -> same trials and best; another seed -> other trials; distinct and valid', async () => {
		const f = peak(137, 61);
		const job = makeJob(WIDE);
		const a = await run(job, { kind: 'random', trials: 500, seed: 42 }, new SyntheticEngine(f), { batchSize: 64 });
		const b = await run(job, { kind: 'random', trials: 500, seed: 42 }, new SyntheticEngine(f), { batchSize: 17, concurrency: 3 });
		const c = await run(job, { kind: 'random', trials: 500, seed: 43 }, new SyntheticEngine(f), { batchSize: 64 });
		expect(a.seen).toHaveLength(500);
		expect(new Set(a.seen).size).toBe(500);
		expect([...b.seen].sort((x, y) => x - y)).toEqual([...a.seen].sort((x, y) => x - y));
		expect(a.out.best!.index).toBe(b.out.best!.index);
		expect(a.out.top.map((t) => t.index)).toEqual(b.out.top.map((t) => t.index));
		expect(c.seen).not.toEqual(a.seen);
	});

	it('with more trials than valid combinations visits every valid one once (constraint applied)', async () => {
		const job = makeJob([{ name: 'fast', start: 5, end: 40, step: 1 }, { name: 'slow', start: 20, end: 65, step: 5 }], 'sma-cross');
		const { out, seen } = await run(job, { kind: 'random', trials: 10_000, seed: 7 }, new SyntheticEngine(peak(10, 30, 5, 5)));
		let valid = 0;
		for (let f = 5; f <= 40; f++) for (let s = 20; s <= 65; s += 5) if (f < s) valid++;
		expect(seen).toHaveLength(valid);
		expect(new Set(seen).size).toBe(valid);
		expect(out.status).toBe('done');
		expect(out.best!.values).toEqual([10, 30]);
	});
});

describe('genetic algorithm', () => {
	const method: SearchMethod = { kind: 'genetic', population: 24, generations: 25, crossoverRate: 0.8, mutationRate: 0.3, elitism: 2, seed: 2024 };

	it('same seed reproduces the run exactly; another seed differs', async () => {
		const f = peak(137, 61);
		const job = makeJob(WIDE);
		const a = await run(job, method, new SyntheticEngine(f), { batchSize: 5, concurrency: 2 });
		const b = await run(job, method, new SyntheticEngine(f), { batchSize: 100 });
		const c = await run(job, { ...method, seed: 2025 }, new SyntheticEngine(f));
		expect(b.out.top.map((t) => t.index)).toEqual(a.out.top.map((t) => t.index));
		expect([...b.seen].sort((x, y) => x - y)).toEqual([...a.seen].sort((x, y) => x - y));
		expect(c.seen).not.toEqual(a.seen);
		expect(new Set(a.seen).size).toBe(a.seen.length); // never evaluates a combination twice
		expect(a.out.state.evaluated).toBe(a.seen.length);
	});

	it('improves on its random first generation and gets near the known optimum', async () => {
		const f = peak(137, 61);
		const job = makeJob(WIDE);
		const { out, seen } = await run(job, method, new SyntheticEngine(f));
		const firstGen = seen.slice(0, 24);
		const engine = new SyntheticEngine(f);
		const firstBest = Math.max(...evaluateBatch(engine, job, { kind: 'indices', indices: firstGen }).map((r) => r.rank));
		expect(out.best!.rank).toBeGreaterThan(firstBest);
		// Within ~10 % of each axis width of the optimum (137, 61): objective > -(0.1*499/50)^2 - (0.1*199/20)^2.
		expect(out.best!.rank).toBeGreaterThan(-2);
	});
});

describe('adaptive grid refinement', () => {
	it('converges on a known optimum of a synthetic objective', async () => {
		const engine = new SyntheticEngine(peak(137, 61));
		const job = makeJob(WIDE);
		const { out, seen } = await run(job, { kind: 'adaptive', iterations: 12, refinementFactor: 0.5, pointsPerAxis: 5 }, engine);
		expect(out.best!.values).toEqual([137, 61]);
		expect(out.best!.rank === 0).toBe(true);
		expect(seen.length).toBeLessThan(12 * 25); // far fewer than the 99,301 grid combinations
		expect(new Set(seen).size).toBe(seen.length);
	});

	it('stops early when the window is narrower than one step', async () => {
		const engine = new SyntheticEngine(peak(7, 40, 3, 10));
		const job = makeJob([{ name: 'emaPeriod', start: 2, end: 12, step: 1 }, { name: 'atrPeriod', start: 20, end: 60, step: 10 }]);
		const { out } = await run(job, { kind: 'adaptive', iterations: 50, refinementFactor: 0.5, pointsPerAxis: 3 }, engine);
		expect(out.status).toBe('done');
		expect(out.best!.values).toEqual([7, 40]);
		expect(out.state.planner.kind === 'adaptive' && out.state.planner.iteration).toBeLessThan(10);
	});
});

describe('minimum-trades filter', () => {
	it('never ranks a trial with fewer trades', async () => {
		// The peak itself has only 3 trades: with minTrades 5 the best must be another combination.
		const f = peak(7, 40, 3, 10);
		const engine = new SyntheticEngine(f, (p) => (p[0] === 7 && p[1] === 40 ? 3 : 20));
		const axes: AxisSpec[] = [{ name: 'emaPeriod', start: 2, end: 12, step: 1 }, { name: 'atrPeriod', start: 20, end: 60, step: 10 }];
		const { out } = await run(makeJob(axes, 'ema-atr-breakout', 5), { kind: 'grid' }, engine);
		expect(out.best!.values).not.toEqual([7, 40]);
		expect(out.aggregates.ranked).toBe(out.aggregates.evaluated - 1);
		const plain = await run(makeJob(axes, 'ema-atr-breakout', 1), { kind: 'grid' }, new SyntheticEngine(f, () => 3));
		expect(plain.out.best!.values).toEqual([7, 40]);
	});
});

describe('cancel and resume', () => {
	const methods: SearchMethod[] = [
		{ kind: 'grid' },
		{ kind: 'random', trials: 700, seed: 5 },
		{ kind: 'genetic', population: 20, generations: 10, crossoverRate: 0.7, mutationRate: 0.2, elitism: 2, seed: 9 },
		{ kind: 'adaptive', iterations: 6, refinementFactor: 0.5, pointsPerAxis: 6 }
	];
	const axes: AxisSpec[] = [{ name: 'emaPeriod', start: 2, end: 80, step: 1 }, { name: 'atrPeriod', start: 2, end: 40, step: 1 }];

	for (const method of methods) {
		it(`${method.kind}: an aborted run resumed from its (cloned) state ends like an uninterrupted one`, async () => {
			const f = peak(37, 11, 20, 8);
			const job = makeJob(axes);
			const full = await run(job, method, new SyntheticEngine(f), { batchSize: 40, concurrency: 2 });

			const engine = new SyntheticEngine(f);
			const ctl = new AbortController();
			let calls = 0;
			const first = await runOptimization({
				job,
				method,
				batchSize: 40,
				concurrency: 2,
				topK: 10,
				signal: ctl.signal,
				evaluate: async (b) => {
					if (++calls === 4) ctl.abort();
					// Batches issued after the abort reject, as a terminated worker would.
					if (calls > 5) throw new Error('worker terminated');
					return evaluateBatch(engine, job, b);
				}
			});
			expect(first.status).toBe('cancelled');
			expect(first.state.evaluated).toBeGreaterThan(0);
			expect(first.state.evaluated).toBeLessThan(full.out.state.evaluated);
			const stored: OptimizationState = JSON.parse(JSON.stringify(structuredClone(first.state)));
			const seenAfter: TrialResult[] = [];
			const second = await runOptimization({
				job,
				method,
				resume: stored,
				batchSize: 40,
				concurrency: 2,
				evaluate: async (b) => evaluateBatch(engine, job, b),
				onResults: (rs) => seenAfter.push(...rs)
			});
			expect(second.status).toBe('done');
			expect(second.top.map((t) => t.index)).toEqual(full.out.top.map((t) => t.index));
			expect(second.state.evaluated).toBe(full.out.state.evaluated);
			expect(first.state.evaluated + seenAfter.length).toBe(full.out.state.evaluated);
			const a = second.aggregates.view();
			const b = full.out.aggregates.view();
			expect(a.axes.map((x) => x.count)).toEqual(b.axes.map((x) => x.count));
			for (let d = 0; d < a.axes.length; d++) {
				a.axes[d].sum.forEach((v, i) => expect(v).toBeCloseTo(b.axes[d].sum[i], 9));
			}
			expect(a.pairs[0].bestIndex).toEqual(b.pairs[0].bestIndex);
		});
	}
});
