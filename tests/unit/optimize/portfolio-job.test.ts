/**
 * Portfolio optimisation job format: axes over strategy parameters and portfolio settings (K, breaker threshold,
 * sizing value, leverage) on the five real reference markets; each trial equals a direct engine run of its
 * configuration, invalid combinations are skipped, and the job's errors name the fix.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodePortfolioEngine } from '../../../src/lib/engine/node';
import { defaultPortfolioConfig } from '../../../src/lib/engine/portfolio-config';
import type { WasmPortfolioEngine } from '../../../src/lib/engine/portfolio-engine';
import type { PortfolioConfig } from '../../../src/lib/engine/types';
import { dataSpanMs } from '../../../src/lib/optimize/objective';
import { evaluatePortfolioBatch, portfolioTrialConfig, preparePortfolioJob, type PortfolioOptimizationJob } from '../../../src/lib/optimize/portfolio-job';
import { portfolioMarkets } from '../helpers/portfolio';

let engine: WasmPortfolioEngine;
let data: PortfolioOptimizationJob['data'];
beforeAll(async () => {
	engine = await createNodePortfolioEngine();
	const markets = portfolioMarkets();
	engine.load(markets);
	data = { bars: 8760, spanMs: dataSpanMs(markets[0].ohlcv.openTime, 3_600_000) };
});

const base: PortfolioConfig = {
	...defaultPortfolioConfig(),
	sizing: { mode: 'equity-split' },
	breakers: [{ kind: 'max-drawdown', threshold: 0.1, action: 'close-all', cooldownBars: 168 }]
};

describe('portfolio optimisation job', () => {
	it('K x max-drawdown threshold x slow: every trial equals a direct run; C1 is one of them', () => {
		const job: PortfolioOptimizationJob = {
			config: base,
			axes: [
				{ name: 'maxPositions', values: [1, 2, 3, 5] },
				{ name: 'maxDrawdownThreshold', start: 0.05, end: 0.15, step: 0.05 },
				{ name: 'slow', values: [30, 50] }
			],
			objective: { key: 'sharpeRatio' },
			data
		};
		const p = preparePortfolioJob(job, 5);
		expect(p.size).toBe(24);
		const trials = evaluatePortfolioBatch(engine, p, 0, p.size);
		expect(trials).toHaveLength(24);
		for (const t of trials) {
			const direct = engine.runSummary(portfolioTrialConfig(p, t.index)!);
			expect(t.stats.finalEquity).toBe(direct.finalEquity);
			expect(t.stats.nTrades).toBe(direct.nTrades);
		}
		const c1 = trials.find((t) => t.values[0] === 3 && t.values[1] === 0.1 && t.values[2] === 30)!;
		expect(c1.stats.finalEquity).toBeCloseTo(9130.211226899284, 4);
		expect(new Set(trials.map((t) => t.stats.finalEquity)).size).toBeGreaterThan(15);
	});
	it('invalid combinations are skipped (fast >= slow); settings need their breaker; unknown axes are named', () => {
		const p = preparePortfolioJob({ config: base, axes: [{ name: 'fast', values: [10, 40] }, { name: 'slow', values: [30] }], objective: { key: 'finalEquity' }, data }, 5);
		expect(evaluatePortfolioBatch(engine, p, 0, p.size).map((t) => t.values)).toEqual([[10, 30]]);
		expect(() => preparePortfolioJob({ config: base, axes: [{ name: 'consecutiveLosses', values: [2, 3] }], objective: { key: 'finalEquity' }, data }, 5)).toThrow(
			/needs a consecutive-losses breaker/
		);
		expect(() => preparePortfolioJob({ config: base, axes: [{ name: 'maxPosition', values: [2] }], objective: { key: 'finalEquity' }, data }, 5)).toThrow(
			/unknown axis "maxPosition".*maxPositions/
		);
		expect(() => preparePortfolioJob({ config: base, axes: [{ name: 'leverage', values: [20, 30] }], objective: { key: 'finalEquity' }, data }, 5)).toThrow(/no combination/);
	});
});
