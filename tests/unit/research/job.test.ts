/**
 * Research jobs on real data (tests/fixtures): a job over 3 markets × 2 timeframes × 2 strategies gives per row
 * exactly the best of the single-market optimisation run on its own on the same candles; hold-out check, baseline,
 * progress, cancel and resume, a failing row kept with its error, bad input.
 */
import { describe, expect, it } from 'vitest';
import { timeframeMs } from '../../../src/lib/core/timeframe';
import type { Timeframe } from '../../../src/lib/core/types';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { evaluateBatch, runOptimization, dataSpanMs, type OptimizationJob } from '../../../src/lib/optimize';
import { createResearchJob, defaultResearchExecution } from '../../../src/lib/research/spec';
import { runResearch, sliceByTime } from '../../../src/lib/research/runner';
import type { ResearchJobSpec } from '../../../src/lib/research/types';
import { fixtureCandles, fixtureSource, nodeEvaluator } from './helpers';

const FROM = Date.UTC(2025, 6, 1);
const TO = Date.UTC(2026, 3, 15);

export function spec3x2x2(): ResearchJobSpec {
	return {
		name: '3 markets x 2 timeframes x 2 strategies',
		description: 'SMA cross and RSI mean reversion on BTC, ETH, BNB, 1h and 4h',
		markets: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'],
		timeframes: ['1h', '4h'],
		strategies: [
			{ strategy: 'sma-cross', axes: [{ name: 'fast', start: 5, end: 20, step: 5 }, { name: 'slow', start: 30, end: 90, step: 20 }] },
			{ strategy: 'rsi-mean-reversion', axes: [{ name: 'period', values: [7, 14, 21] }, { name: 'oversold', values: [20, 25, 30] }] }
		],
		riskAxes: [],
		objective: { key: 'sharpeRatio', minTrades: 3 },
		window: { fromMs: FROM, toMs: TO },
		execution: defaultResearchExecution()
	};
}

describe('research job 3 × 2 × 2 on real data', () => {
	it('each row is exactly the best of the single-market optimisation on the same evidence candles', async () => {
		const job = createResearchJob(spec3x2x2(), { id: 'job-1', now: 1 });
		expect(job.rows).toHaveLength(12);
		const progress: number[] = [];
		const out = await runResearch({ job, candles: fixtureSource(), evaluator: nodeEvaluator(), onProgress: (p) => progress.push(p.trialsDone), progressIntervalMs: 0 });
		expect(out.status).toBe('completed');
		expect(out.rows.every((r) => r.status === 'completed')).toBe(true);
		expect(out.progress.done).toBe(12);
		expect(out.progress.trialsDone).toBe(out.progress.trialsTotal);
		expect(progress.length).toBeGreaterThan(12);
		const range = out.range!;
		expect(range.fromMs).toBe(FROM);
		const engine = await createNodeEngine();
		for (const row of out.rows) {
			// Independent single-market optimisation: the same candles cut by hand, npm run optimize's path.
			const all = fixtureCandles(row.symbol, row.interval)!;
			const ev = sliceByTime(all, range.fromMs, range.splitMs);
			engine.load(ev);
			const s = out.spec.strategies.find((x) => x.strategy === row.strategyId)!;
			const job1: OptimizationJob = {
				config: { ...defaultResearchExecution(), strategy: s.strategy, params: {} } as OptimizationJob['config'],
				axes: s.axes,
				objective: { key: 'sharpeRatio', minTrades: 3 },
				data: { bars: ev.openTime.length, spanMs: dataSpanMs(ev.openTime, timeframeMs(row.interval as Timeframe)) }
			};
			const single = await runOptimization({ job: job1, method: { kind: 'grid' }, evaluate: async (b) => evaluateBatch(engine, job1, b) });
			expect(row.trials).toBe(single.state.evaluated);
			expect(row.bestStats).toEqual(single.best!.stats);
			expect(row.top[0].index).toBe(single.best!.index);
			expect(row.top.map((t) => t.index)).toEqual(single.top.slice(0, row.top.length).map((t) => t.index));
			expect(row.oos).not.toBeNull();
			expect(row.baseline?.source).toBe('defaults');
			expect(row.bars.evidence).toBe(ev.openTime.length);
		}
	}, 120_000);
});
