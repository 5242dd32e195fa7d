/**
 * Default thread count of `npm run optimize`: the estimated work (planned trials × bars) of each search method, and
 * one thread below the threshold, every core above it.
 */
import { describe, expect, it } from 'vitest';
import { autoThreads, estimatedResearchWork, estimatedWork, MIN_WORK_FOR_THREADS } from '../../../src/cli/threads';
import { parseResearchArgs } from '../../../src/cli/research-main';
import { createResearchJob, defaultResearchExecution } from '../../../src/lib/research/spec';
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

	it('research: the work is the sum over rows of trials × bars; --threads stays explicit', () => {
		const job = createResearchJob({
			name: 't',
			description: '',
			markets: ['BTCUSDT', 'ETHUSDT'],
			timeframes: ['1h', '4h'],
			strategies: [
				{ strategy: 'sma-cross', axes: [{ name: 'fast', values: [5, 10] }, { name: 'slow', values: [30, 60, 90] }] },
				{ strategy: 'rsi-mean-reversion', axes: [{ name: 'period', values: [7, 14] }] }
			],
			riskAxes: [],
			objective: { key: 'sharpeRatio' },
			window: {},
			execution: defaultResearchExecution()
		});
		const bars = (s: string, i: string) => (s === 'BTCUSDT' ? 1000 : 500) * (i === '1h' ? 4 : 1);
		// sma-cross: 6 trials per row, rsi: 2; bars per (market, timeframe): 4000, 1000, 2000, 500 → Σ 7500.
		expect(estimatedResearchWork(job.spec, bars)).toBe((6 + 2) * 7500);
		expect(estimatedResearchWork(job.spec, () => 0)).toBe(0);
		const given = parseResearchArgs(['--data', 'BTCUSDT-1h.csv', '--strategy', 'sma-cross', '--threads', '3', '--out', 'x.json']);
		const auto = parseResearchArgs(['--data', 'BTCUSDT-1h.csv', '--strategy', 'sma-cross', '--out', 'x.json']);
		expect(given.kind === 'run' && [given.options.threads, given.options.threadsGiven]).toEqual([3, true]);
		expect(auto.kind === 'run' && auto.options.threadsGiven).toBe(false);
	});
});
