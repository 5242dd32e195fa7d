/**
 * Research jobs on real data (tests/fixtures): a job over 3 markets × 2 timeframes × 2 strategies gives per row
 * exactly the best of the single-market optimisation run on its own on the same candles; hold-out check, baseline,
 * progress, cancel and resume, a failing row kept with its error, bad input.
 */
import { describe, expect, it } from 'vitest';
import { timeframeMs } from '../../../src/lib/core/timeframe';
import type { Timeframe } from '../../../src/lib/core/types';
import { createNodeEngine, createNodePortfolioEngine } from '../../../src/lib/engine/node';
import { evaluatePortfolioBatch, portfolioTrialConfig, preparePortfolioJob } from '../../../src/lib/optimize/portfolio-job';
import { evaluateBatch, runOptimization, dataSpanMs, type OptimizationJob } from '../../../src/lib/optimize';
import { createResearchJob, defaultResearchExecution, rowJobOf } from '../../../src/lib/research/spec';
import { runResearch, sliceByTime } from '../../../src/lib/research/runner';
import type { ResearchJob, ResearchJobSpec } from '../../../src/lib/research/types';
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

describe('research job: progress, cancel and resume, failures, bad input', () => {
	const small = (): ResearchJobSpec => ({ ...spec3x2x2(), markets: ['BTCUSDT', 'ETHUSDT'], timeframes: ['4h'] });

	it('a cancelled job resumes where it stopped and ends with the same results as an uninterrupted run', async () => {
		const full = await runResearch({ job: createResearchJob(small(), { id: 'a', now: 1 }), candles: fixtureSource(), evaluator: nodeEvaluator() });
		const abort = new AbortController();
		let saved: ResearchJob | undefined;
		let batches = 0;
		const ev = nodeEvaluator();
		const counting = { evaluate: (d: never, j: never, b: never) => (++batches === 2 && abort.abort(), ev.evaluate(d, j, b)) } as unknown as typeof ev;
		const first = await runResearch({ job: createResearchJob(small(), { id: 'a', now: 1 }), candles: fixtureSource(), evaluator: counting, signal: abort.signal, batchSize: 4, onSave: (j) => void (saved = j) });
		expect(first.status).toBe('cancelled');
		expect(first.active).toBeDefined();
		expect(saved?.status).toBe('cancelled');
		// The stored snapshot survives a structured clone (IndexedDB) and resumes.
		const resumed = await runResearch({ job: structuredClone(saved!), candles: fixtureSource(), evaluator: nodeEvaluator(), batchSize: 4 });
		expect(resumed.status).toBe('completed');
		expect(resumed.active).toBeUndefined();
		for (let i = 0; i < full.rows.length; i++) {
			expect(resumed.rows[i].trials).toBe(full.rows[i].trials);
			expect(resumed.rows[i].bestStats).toEqual(full.rows[i].bestStats);
			expect(resumed.rows[i].oos).toEqual(full.rows[i].oos);
		}
	}, 60_000);

	it('a timeframe with no data fails its rows with the error and the job goes on', async () => {
		const out = await runResearch({ job: createResearchJob({ ...small(), timeframes: ['1h', '4h'] }, { now: 1 }), candles: fixtureSource(['ETHUSDT|4h']), evaluator: nodeEvaluator() });
		expect(out.status).toBe('completed');
		const failed = out.rows.filter((r) => r.status === 'failed');
		expect(failed.map((r) => `${r.symbol} ${r.interval}`)).toEqual(['ETHUSDT 4h', 'ETHUSDT 4h']);
		expect(failed[0].error).toMatch(/no 4h candles for ETHUSDT/);
		expect(out.progress.failed).toBe(2);
		expect(out.progress.done).toBe(6);
		expect(out.notes.join('\n')).toMatch(/ETHUSDT 4h/);
	}, 60_000);

	it('markets with no common range fail the job with a message naming each range', async () => {
		// BTCUSDT 4h starts 2025-01-01; a window ending before it leaves nothing in common.
		const spec = { ...small(), window: { fromMs: Date.UTC(2024, 5, 1), toMs: Date.UTC(2024, 11, 1) } };
		const candles = fixtureSource();
		const inner = candles.load.bind(candles);
		candles.load = async (s, i, w) => (s === 'BTCUSDT' ? inner(s, i, {}) : inner(s, i, w));
		const out = await runResearch({ job: createResearchJob(spec, { now: 1 }), candles, evaluator: nodeEvaluator() });
		expect(out.status).toBe('failed');
		expect(out.error).toMatch(/no common range/);
		expect(out.error).toMatch(/BTCUSDT 4h 2025-01-01/);
	});

	it('an empty parameter space, an unknown risk setting and an empty value list are refused up front', () => {
		const s = small();
		expect(() => createResearchJob({ ...s, strategies: [{ strategy: 'sma-cross', axes: [] }] })).toThrow(/empty parameter space for sma-cross/);
		expect(() => createResearchJob({ ...s, riskAxes: [{ name: 'stopLos', values: [0.01] }] })).toThrow(/unknown risk setting "stopLos"/);
		expect(() => createResearchJob({ ...s, strategies: [{ strategy: 'sma-cross', axes: [{ name: 'fast', values: [] }] }] })).toThrow(/value list is empty/);
		expect(() => createResearchJob({ ...s, markets: [] })).toThrow(/no market/);
		expect(() => createResearchJob({ ...s, timeframes: ['7h' as Timeframe] })).toThrow(/unknown timeframe 7h/);
		expect(() => createResearchJob({ ...s, strategies: [{ strategy: 'no-such' as never, axes: [{ name: 'x', values: [1] }] }] })).toThrow(/Unknown strategy "no-such"/);
	});
});

describe('research job: stop-loss / take-profit and breaker axes (portfolio-of-one path)', () => {
	it('searches SL/TP and a breaker threshold; each row equals the exhaustive portfolio-of-one optimisation', async () => {
		const spec: ResearchJobSpec = {
			...spec3x2x2(),
			markets: ['BTCUSDT', 'ETHUSDT'],
			timeframes: ['4h'],
			strategies: [{ strategy: 'sma-cross', axes: [{ name: 'fast', values: [10, 20] }], fixed: { slow: 50 } }],
			riskAxes: [
				{ name: 'stopLoss', values: [0.01, 0.03, 0.05] },
				{ name: 'takeProfit', start: 0.02, end: 0.1, step: 0.04 },
				{ name: 'maxDrawdownThreshold', values: [0.05, 0.3] }
			],
			execution: { ...defaultResearchExecution(), breakers: [{ kind: 'max-drawdown', threshold: 0.3, action: 'close-all', cooldownBars: 12 }] }
		};
		const out = await runResearch({ job: createResearchJob(spec, { now: 1 }), candles: fixtureSource(), evaluator: nodeEvaluator(), batchSize: 5 });
		expect(out.status).toBe('completed');
		const pe = await createNodePortfolioEngine();
		for (const row of out.rows) {
			expect(row.path).toBe('portfolio');
			expect(row.axes).toEqual(['fast', 'stopLoss', 'takeProfit', 'maxDrawdownThreshold']);
			expect(row.trials).toBe(2 * 3 * 3 * 2);
			const ev = sliceByTime(fixtureCandles(row.symbol, '4h')!, out.range!.fromMs, out.range!.splitMs);
			pe.load([{ symbol: row.symbol, ohlcv: ev }]);
			const rj = rowJobOf(out.spec, out.spec.strategies[0], { bars: ev.openTime.length, spanMs: dataSpanMs(ev.openTime, 4 * 3_600_000) });
			if (rj.path !== 'portfolio') throw new Error('portfolio path expected');
			const p = preparePortfolioJob(rj.job, 1);
			const all = evaluatePortfolioBatch(pe, p, 0, p.size).filter((t) => Number.isFinite(t.rank));
			all.sort((a, b) => b.rank - a.rank || a.index - b.index);
			expect(row.top[0].index).toBe(all[0].index);
			expect(row.bestStats).toEqual(all[0].stats);
			// The axes change the outcome: stop-loss exits happen, and different stops give different results.
			const bySl = new Set(all.map((t) => t.stats.finalEquity));
			expect(bySl.size).toBeGreaterThan(6);
			const best = portfolioTrialConfig(p, all[0].index)!;
			expect(best.stopLoss).toEqual({ mode: 'fraction', value: row.bestParams!.risk!.stopLoss });
			const run = pe.run(best);
			expect(run.trades.some((t) => t.exitReason === 'stop_loss' || t.exitReason === 'take_profit')).toBe(true);
			// The breaker axis: a 5 % threshold trips the breaker on these markets, 30 % gives other results.
			const tight = all.filter((t) => t.values[3] === 0.05);
			const loose = all.filter((t) => t.values[3] === 0.3);
			expect(tight.map((t) => t.stats.finalEquity)).not.toEqual(loose.map((t) => t.stats.finalEquity));
		}
	}, 60_000);
});
