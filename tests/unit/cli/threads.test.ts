/**
 * Default thread count of `npm run optimize`: the estimated work (planned trials × bars) of each search method, and
 * one thread below the threshold, every core above it.
 */
import { describe, expect, it } from 'vitest';
import { autoThreads, estimatedWork, MIN_WORK_FOR_THREADS } from '../../../src/cli/threads';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import type { OptimizationJob } from '../../../src/lib/optimize';

const job = (bars: number): OptimizationJob => ({
	config: defaultConfig('sma-cross'),
	axes: [
		{ name: 'fast', start: 5, end: 14, step: 1 },
		{ name: 'slow', start: 20, end: 65, step: 5 }
	],
	objective: { key: 'sharpeRatio' },
	data: { bars, spanMs: bars * 3_600_000 }
});

describe('thread choice by job size', () => {
	it('estimates trials × bars for every method', () => {
		expect(estimatedWork(job(8760), { kind: 'grid' })).toBe(100 * 8760);
		expect(estimatedWork(job(1000), { kind: 'random', trials: 30, seed: 1 })).toBe(30 * 1000);
		expect(estimatedWork(job(1000), { kind: 'genetic', population: 10, generations: 3, crossoverRate: 0.8, mutationRate: 0.2, elitism: 2, seed: 1 })).toBe((10 + 2 * 8) * 1000);
		expect(estimatedWork(job(1000), { kind: 'adaptive', iterations: 2, refinementFactor: 0.5, pointsPerAxis: 3 })).toBeGreaterThan(0);
	});

	it('uses one thread for the S1 100-grid and every core for the 10,000 × 17,520 grid', () => {
		expect(autoThreads(100 * 8760, 2)).toBe(1);
		expect(autoThreads(10_000 * 17_520, 2)).toBe(2);
		expect(autoThreads(MIN_WORK_FOR_THREADS - 1, 8)).toBe(1);
		expect(autoThreads(MIN_WORK_FOR_THREADS, 8)).toBe(8);
		expect(autoThreads(1e12, 1)).toBe(1);
	});
});
