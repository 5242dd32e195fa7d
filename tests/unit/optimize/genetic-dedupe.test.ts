/**
 * The genetic search never evaluates a parameter set twice, fills each generation with new
 * combinations, and stops, saying so, once the whole space has been evaluated.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import { evaluateBatch, runOptimization, type OptimizationJob, type SearchMethod } from '../../../src/lib/optimize';
import { peak, SyntheticEngine } from './synthetic';

const YEAR_MS = 365 * 86_400_000;
function job(axes: OptimizationJob['axes']): OptimizationJob {
	return { config: defaultConfig('ema-atr-breakout'), axes, objective: { key: 'totalReturnRatio', minTrades: 1 }, data: { bars: 1000, spanMs: YEAR_MS } };
}
async function run(j: OptimizationJob, method: SearchMethod) {
	const engine = new SyntheticEngine(peak(5, 30, 3, 10));
	const seen: number[] = [];
	let last: { exhausted?: boolean; completed: number; total: number } | null = null;
	const out = await runOptimization({
		job: j,
		method,
		evaluate: async (b) => evaluateBatch(engine, j, b),
		onResults: (rs) => seen.push(...rs.map((r) => r.index)),
		onProgress: (p: { completed: number; total: number; exhausted?: boolean }) => (last = p),
		topK: 10,
		batchSize: 3
	} as Parameters<typeof runOptimization>[0]);
	return { out, seen, last: last as { exhausted?: boolean; completed: number; total: number } | null };
}

describe('genetic search de-duplication', () => {
	it('a 16-combination space with 20 generations of 6: each combination once, then it stops as exhausted', async () => {
		const j = job([
			{ name: 'emaPeriod', start: 3, end: 6, step: 1 },
			{ name: 'atrPeriod', start: 28, end: 31, step: 1 }
		]);
		const { out, seen } = await run(j, { kind: 'genetic', population: 6, generations: 20, crossoverRate: 0.8, mutationRate: 0.3, elitism: 1, seed: 7 });
		expect(new Set(seen).size).toBe(seen.length);
		expect(seen.length).toBe(16);
		expect(out.status).toBe('done');
		const planner = out.state.planner;
		expect(planner.kind).toBe('genetic');
		expect(planner.kind === 'genetic' && planner.exhausted).toBe(true);
		// It stopped well before 20 generations: 16 combinations fill fewer than 4 generations of 5 new ones after the first 6.
		expect(planner.kind === 'genetic' && planner.generation).toBe(20);
		expect(out.state.evaluated).toBe(16);
	});

	it('a population larger than the space evaluates the space once', async () => {
		const j = job([
			{ name: 'emaPeriod', start: 3, end: 5, step: 1 },
			{ name: 'atrPeriod', start: 28, end: 29, step: 1 }
		]);
		const { seen, out } = await run(j, { kind: 'genetic', population: 10, generations: 5, crossoverRate: 0.8, mutationRate: 0.3, elitism: 2, seed: 1 });
		expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
		expect(out.state.planner.kind === 'genetic' && out.state.planner.exhausted).toBe(true);
	});

	it('in a large space every generation brings only new combinations (no slot spent on a known one)', async () => {
		const j = job([
			{ name: 'emaPeriod', start: 2, end: 40, step: 1 },
			{ name: 'atrPeriod', start: 2, end: 40, step: 1 }
		]);
		const method: SearchMethod = { kind: 'genetic', population: 12, generations: 15, crossoverRate: 0.8, mutationRate: 0.3, elitism: 2, seed: 99 };
		const { seen, out } = await run(j, method);
		expect(new Set(seen).size).toBe(seen.length);
		// 12 + 14 × 10 new combinations: every non-elite slot was a new one.
		expect(seen.length).toBe(12 + 14 * 10);
		expect(out.state.planner.kind === 'genetic' && out.state.planner.exhausted).toBe(false);
	});
});
