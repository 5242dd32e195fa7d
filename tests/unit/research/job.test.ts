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
import { createResearchJob, defaultResearchExecution, rerunResearchJob, rowJobOf } from '../../../src/lib/research/spec';
import { runResearch, sliceByTime } from '../../../src/lib/research/runner';
import type { ResearchJob, ResearchJobSpec } from '../../../src/lib/research/types';
import { FROM, fixtureCandles, fixtureSource, nodeEvaluator, spec3x2x2 } from './helpers';

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
		// The evaluator contract: portfolio rows are evaluated in ranges only (the app's workers refuse index lists).
		const inner = nodeEvaluator();
		const rangesOnly = {
			evaluate: (d: Parameters<typeof inner.evaluate>[0], j: Parameters<typeof inner.evaluate>[1], b: Parameters<typeof inner.evaluate>[2]) => {
				if (j.path === 'portfolio' && b.kind !== 'range') throw new Error('portfolio rows take ranges only');
				return inner.evaluate(d, j, b);
			}
		};
		const out = await runResearch({ job: createResearchJob(spec, { now: 1 }), candles: fixtureSource(), evaluator: rangesOnly, batchSize: 5 });
		expect(out.status).toBe('completed');
		expect(out.rows.every((r) => r.status === 'completed' && r.top.every((t) => t.holdOut))).toBe(true);
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

describe('research job: pattern types, re-run, bounded rows, progress', () => {
	it('pattern types are rows of their own (pattern-zones with its pattern fixed), and a re-run gives the same results', async () => {
		const spec: ResearchJobSpec = {
			...spec3x2x2(),
			markets: ['BTCUSDT'],
			timeframes: ['4h'],
			strategies: [
				{ strategy: 'pattern-zones', key: 'pattern-zones:fvg', fixed: { pattern: 'fvg' }, axes: [{ name: 'rrTarget', values: [1.5, 2, 3] }] },
				{ strategy: 'pattern-zones', key: 'pattern-zones:order-block', fixed: { pattern: 'order-block' }, axes: [{ name: 'rrTarget', values: [1.5, 2, 3] }] }
			],
			objective: { key: 'totalReturnRatio', minTrades: 1 }
		};
		const job = createResearchJob(spec, { id: 'pz', now: 1 });
		const out = await runResearch({ job, candles: fixtureSource(), evaluator: nodeEvaluator() });
		expect(out.rows.map((r) => r.strategy)).toEqual(['pattern-zones:fvg', 'pattern-zones:order-block']);
		expect(out.rows.every((r) => r.status === 'completed' && r.trials === 3)).toBe(true);
		expect(out.rows[0].bestParams!.params.pattern).toBe('fvg');
		expect(out.rows[1].bestParams!.params.pattern).toBe('order-block');
		expect(out.rows[0].bestStats).not.toEqual(out.rows[1].bestStats);
		const again = await runResearch({ job: rerunResearchJob(out, { id: 'pz2', now: 2 }), candles: fixtureSource(), evaluator: nodeEvaluator() });
		expect(again.id).toBe('pz2');
		expect(again.rows.map((r) => [r.bestStats, r.oos])).toEqual(out.rows.map((r) => [r.bestStats, r.oos]));
	}, 60_000);

	it('rows keep at most top-K trials and report progress with an ETA while they run', async () => {
		const spec: ResearchJobSpec = { ...spec3x2x2(), markets: ['BTCUSDT'], timeframes: ['1h'], strategies: [{ strategy: 'sma-cross', axes: [{ name: 'fast', start: 2, end: 40, step: 1 }, { name: 'slow', start: 50, end: 140, step: 10 }] }], topK: 7 };
		const seen: { done: number; eta: number }[] = [];
		let t = 0;
		const out = await runResearch({
			job: createResearchJob(spec, { now: 1 }),
			candles: fixtureSource(),
			evaluator: nodeEvaluator(),
			batchSize: 16,
			progressIntervalMs: 0,
			clock: () => (t += 5),
			onProgress: (p) => seen.push({ done: p.trialsDone, eta: p.etaMs })
		});
		const row = out.rows[0];
		expect(row.trials).toBe(39 * 10);
		expect(row.top).toHaveLength(7);
		expect(row.top.every((x) => x.holdOut !== undefined)).toBe(true);
		// 39 fast values are binned into the default 20 bins: memory per row does not grow with the grid.
		expect(row.aggregates!.axes[0].count.length).toBe(20);
		expect(row.aggregates!.axes[1].count.length).toBe(10);
		expect(row.aggregates!.pairs[0].count.length).toBe(200);
		expect(row.aggregates!.axes[0].count.reduce((a, b) => a + b, 0)).toBe(row.ranked);
		for (let i = 1; i < seen.length; i++) expect(seen[i].done).toBeGreaterThanOrEqual(seen[i - 1].done);
		expect(seen.some((s) => Number.isFinite(s.eta) && s.eta > 0)).toBe(true);
		expect(seen.at(-1)!.done).toBe(390);
	}, 60_000);
});

describe('research job: saving', () => {
	it('a failing save does not stop the job; the failure is noted', async () => {
		const out = await runResearch({
			job: createResearchJob({ ...spec3x2x2(), markets: ['ETHUSDT'], timeframes: ['4h'] }, { now: 1 }),
			candles: fixtureSource(),
			evaluator: nodeEvaluator(),
			onSave: async () => {
				throw new Error('QuotaExceededError');
			}
		});
		expect(out.status).toBe('completed');
		expect(out.notes).toContain("could not save the job's progress: QuotaExceededError");
	});
});

describe('research job: batches in flight', () => {
	it('several batches in flight on the in-process evaluator give the same rows as one at a time', async () => {
		const spec = { ...spec3x2x2(), markets: ['BTCUSDT', 'BNBUSDT'], timeframes: ['4h'] as Timeframe[] };
		const one = await runResearch({ job: createResearchJob(spec, { now: 1 }), candles: fixtureSource(), evaluator: nodeEvaluator(), concurrency: 1, batchSize: 3 });
		const four = await runResearch({ job: createResearchJob(spec, { now: 1 }), candles: fixtureSource(), evaluator: nodeEvaluator(), concurrency: 4, batchSize: 3 });
		expect(four.rows.map((r) => [r.status, r.trials, r.bestStats, r.top.map((t) => t.index), r.oos])).toEqual(one.rows.map((r) => [r.status, r.trials, r.bestStats, r.top.map((t) => t.index), r.oos]));
	});
});

describe('research job: cancel and resume on the portfolio-of-one path', () => {
	it('resumes a stop-loss / take-profit grid where it stopped, with the same results as an uninterrupted run', async () => {
		const spec: ResearchJobSpec = {
			...spec3x2x2(),
			markets: ['BTCUSDT', 'ETHUSDT'],
			timeframes: ['4h'],
			strategies: [{ strategy: 'sma-cross', axes: [{ name: 'fast', values: [10, 20] }], fixed: { slow: 50 } }],
			riskAxes: [{ name: 'stopLoss', values: [0.01, 0.03, 0.05] }, { name: 'takeProfit', values: [0.04, 0.08] }]
		};
		const full = await runResearch({ job: createResearchJob(spec, { id: 'p', now: 1 }), candles: fixtureSource(), evaluator: nodeEvaluator(), batchSize: 2 });
		const abort = new AbortController();
		const ev = nodeEvaluator();
		let n = 0;
		// Row 1 takes 6 batches, 12 one-trial hold-out ranges and 2 baseline runs; call 23 is inside row 2's grid.
		const stopping = { evaluate: (d: never, j: never, b: never) => (++n === 23 && abort.abort(), ev.evaluate(d, j, b)) } as unknown as typeof ev;
		const first = await runResearch({ job: createResearchJob(spec, { id: 'p', now: 1 }), candles: fixtureSource(), evaluator: stopping, signal: abort.signal, batchSize: 2 });
		expect(first.status).toBe('cancelled');
		expect(first.active?.state.path).toBe('portfolio');
		expect(first.active?.row).toBe(1);
		const st = first.active!.state;
		if (st.path !== 'portfolio') throw new Error('portfolio state expected');
		expect(st.next).toBeGreaterThan(0);
		expect(st.next).toBeLessThan(12);
		expect(first.rows[0].status).toBe('completed');
		const resumed = await runResearch({ job: structuredClone(first), candles: fixtureSource(), evaluator: nodeEvaluator(), batchSize: 2 });
		expect(resumed.status).toBe('completed');
		for (let i = 0; i < full.rows.length; i++) {
			expect(resumed.rows[i].trials).toBe(12);
			expect(resumed.rows[i].top.map((t) => t.index)).toEqual(full.rows[i].top.map((t) => t.index));
			expect(resumed.rows[i].bestStats).toEqual(full.rows[i].bestStats);
			expect(resumed.rows[i].oos).toEqual(full.rows[i].oos);
			expect(resumed.rows[i].moments.sharpe.n).toBe(full.rows[i].moments.sharpe.n);
		}
	}, 60_000);
});
