/**
 * Monte Carlo on real runs (BTCUSDT 1h, the S1/S4 reference window, WASM core): exact invariants of each method,
 * seeded reproduction (twice in Node, and in a worker thread), monotone percentiles, independent recomputation of
 * drawdown / ruin from the paths, the execution re-runs against single engine runs, and every bad input.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import {
	MAX_SIMULATIONS,
	runTradeMonteCarlo,
	tradeReturns,
	tradeSample,
	type MonteCarloResult,
	type TradeSample
} from '../../../src/lib/analysis/monte-carlo';
import { executionPlan, runExecutionChunk, runExecutionMonteCarlo, summariseExecution, chunkRanges } from '../../../src/lib/analysis/execution';
import { PERCENTILE_LEVELS } from '../../../src/lib/analysis/stats';
import { createNodeEngine } from '../../../src/lib/engine/node';
import type { Trade } from '../../../src/lib/engine/types';
import type { WasmEngine } from '../../../src/lib/engine/wasm-engine';
import { dataSpanMs } from '../../../src/lib/optimize';
import { referenceWindow, scenarioConfig } from '../helpers/fixtures';

const HOUR = 3_600_000;
const ohlcv = referenceWindow('BTCUSDT');
const spanMs = dataSpanMs(ohlcv.openTime, HOUR);
let engine: WasmEngine;
let trades: Trade[];
let finalEquity: number;
let sample: TradeSample;

beforeAll(async () => {
	engine = await createNodeEngine();
	engine.load(ohlcv);
	const r = engine.run(scenarioConfig('S1'));
	trades = r.trades;
	finalEquity = r.summary.finalEquity;
	sample = tradeSample(trades, 10_000, spanMs);
});

function monotone(r: MonteCarloResult) {
	for (const key of ['finalEquity', 'maxDrawdownRatio', 'cagr', 'longestLosingStreak', 'longestDrawdown'] as const) {
		const d = r[key];
		const p = PERCENTILE_LEVELS.map((l) => d.percentiles[String(l) as '5']);
		for (let i = 1; i < p.length; i++) expect(p[i]).toBeGreaterThanOrEqual(p[i - 1]);
		expect(d.min).toBeLessThanOrEqual(p[0]);
		expect(d.max).toBeGreaterThanOrEqual(p[p.length - 1]);
		expect(d.lower).toBeLessThanOrEqual(d.upper);
		expect(d.histogram.counts.reduce((a, b) => a + b, 0)).toBe(r.simulations);
	}
	for (let j = 0; j < r.fan.x.length; j++) {
		const p = PERCENTILE_LEVELS.map((l) => r.fan.bands[String(l) as '5'][j]);
		for (let i = 1; i < p.length; i++) expect(p[i]).toBeGreaterThanOrEqual(p[i - 1]);
	}
}

describe('per-trade returns relative to equity at entry', () => {
	it('compound back to the run final equity (S1 BTCUSDT: 168 trades)', () => {
		expect(trades.length).toBe(168);
		let e = 10_000;
		for (const r of sample.returns) e *= 1 + r;
		expect(Math.abs(e / finalEquity - 1)).toBeLessThan(1e-12);
	});
});

describe('trade-order shuffle', () => {
	it('keeps the final equity of every path (1e-9 relative) and each path holds exactly the run trades', () => {
		const sortedReturns = Float64Array.from(sample.returns).sort();
		let paths = 0;
		const r = runTradeMonteCarlo(sample, {
			method: 'shuffle',
			simulations: 500,
			seed: 11,
			onPath: (_s, path) => {
				paths++;
				expect(Float64Array.from(path).sort()).toEqual(sortedReturns);
			}
		});
		expect(paths).toBe(500);
		expect(Math.abs(r.finalEquity.min / finalEquity - 1)).toBeLessThan(1e-9);
		expect(Math.abs(r.finalEquity.max / finalEquity - 1)).toBeLessThan(1e-9);
		expect(Math.abs(r.original.finalEquity / finalEquity - 1)).toBeLessThan(1e-12);
		expect(r.probabilityOfLoss).toBe(finalEquity < 10_000 ? 1 : 0);
		// The path moves: drawdowns differ between orders.
		expect(r.maxDrawdownRatio.max).toBeGreaterThan(r.maxDrawdownRatio.min);
		monotone(r);
	});

	it('drawdown, losing streak and ruin equal an independent recomputation from each path', () => {
		const floor = 0.9;
		const recomputed: { dd: number; streak: number; ruined: boolean }[] = [];
		const r = runTradeMonteCarlo(sample, {
			method: 'shuffle',
			simulations: 300,
			seed: 5,
			ruinFloor: floor,
			onPath: (_s, path) => {
				let e = 10_000;
				let peak = 10_000;
				let dd = 0;
				let streak = 0;
				let best = 0;
				let ruined = false;
				for (const x of path) {
					e *= 1 + x;
					peak = Math.max(peak, e);
					dd = Math.max(dd, 1 - e / peak);
					streak = x < 0 ? streak + 1 : 0;
					best = Math.max(best, streak);
					if (e < floor * 10_000) ruined = true;
				}
				recomputed.push({ dd, streak: best, ruined });
			}
		});
		const dds = Float64Array.from(recomputed.map((p) => p.dd)).sort();
		expect(r.maxDrawdownRatio.min).toBeCloseTo(dds[0], 12);
		expect(r.maxDrawdownRatio.max).toBeCloseTo(dds[dds.length - 1], 12);
		expect(r.riskOfRuin).toBe(recomputed.filter((p) => p.ruined).length / 300);
		expect(r.longestLosingStreak.max).toBe(Math.max(...recomputed.map((p) => p.streak)));
	});
});

describe('bootstrap', () => {
	it('one trade repeated gives a degenerate distribution', () => {
		const ratio = trades[0].profitRatio;
		const same: Pick<Trade, 'pnl'>[] = [];
		let e = 10_000;
		for (let i = 0; i < 40; i++) {
			same.push({ pnl: ratio * e });
			e += ratio * e;
		}
		const s = tradeSample(same, 10_000, spanMs);
		const r = runTradeMonteCarlo(s, { method: 'bootstrap', simulations: 200, seed: 3 });
		for (const key of ['finalEquity', 'maxDrawdownRatio', 'cagr', 'longestLosingStreak'] as const) {
			expect(r[key].std).toBeLessThan(1e-9 * Math.max(1, Math.abs(r[key].mean)));
			expect(r[key].percentiles['5']).toBeCloseTo(r[key].percentiles['95'], 9);
		}
		expect(r.finalEquity.mean / e).toBeCloseTo(1, 12);
	});

	it('is seeded: the same seed reproduces bit for bit, another seed differs', () => {
		const a = runTradeMonteCarlo(sample, { method: 'bootstrap', simulations: 2000, seed: 99 });
		const b = runTradeMonteCarlo(sample, { method: 'bootstrap', simulations: 2000, seed: 99 });
		const c = runTradeMonteCarlo(sample, { method: 'bootstrap', simulations: 2000, seed: 100 });
		expect(JSON.stringify(b)).toBe(JSON.stringify(a));
		expect(Object.is(a.finalEquity.mean, b.finalEquity.mean)).toBe(true);
		expect(c.finalEquity.mean).not.toBe(a.finalEquity.mean);
		monotone(a);
		expect(a.probabilityOfLoss).toBeGreaterThanOrEqual(0);
		expect(a.riskOfRuin).toBeLessThanOrEqual(1);
	});

	it('reproduces bit for bit in a worker thread', async () => {
		const options = { method: 'bootstrap' as const, simulations: 1000, seed: 2024, ruinFloor: 0.7 };
		const local = runTradeMonteCarlo(sample, options);
		const entry = new URL('./mc-thread.ts', import.meta.url).href;
		let api: string;
		try {
			api = import.meta.resolve('tsx/esm/api');
		} catch {
			api = new URL(`file://${createRequire(import.meta.url).resolve('tsx/esm/api')}`).href;
		}
		const worker = new Worker(`import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`, { eval: true });
		try {
			const remote = await new Promise<MonteCarloResult>((resolve, reject) => {
				worker.once('message', resolve);
				worker.once('error', reject);
				worker.postMessage({ sample, options });
			});
			expect(JSON.stringify(remote)).toBe(JSON.stringify(local));
		} finally {
			await worker.terminate();
		}
	});
});

describe('win-rate stress test', () => {
	it('win probability 1 draws only winners; 0 only losers', () => {
		const up = runTradeMonteCarlo(sample, { method: 'win-rate', simulations: 100, seed: 1, winRate: { min: 1, max: 1 } });
		expect(up.probabilityOfLoss).toBe(0);
		expect(up.longestLosingStreak.max).toBe(0);
		const down = runTradeMonteCarlo(sample, { method: 'win-rate', simulations: 100, seed: 1, winRate: { min: 0, max: 0 } });
		expect(down.probabilityOfLoss).toBe(1);
		expect(down.longestLosingStreak.min).toBe(trades.length);
	});
	it('default range: 10 points below the run win rate up to it; lower win rates lose more often', () => {
		const wr = trades.filter((t) => t.pnl > 0).length / trades.length;
		const r = runTradeMonteCarlo(sample, { method: 'win-rate', simulations: 1000, seed: 8 });
		expect(r.winRate!.max).toBeCloseTo(wr, 12);
		expect(r.winRate!.min).toBeCloseTo(wr - 0.1, 12);
		const boot = runTradeMonteCarlo(sample, { method: 'bootstrap', simulations: 1000, seed: 8 });
		expect(r.finalEquity.percentiles['50']).toBeLessThan(boot.finalEquity.percentiles['50']);
		monotone(r);
	});
});

describe('randomised execution (S4 re-runs on the WASM core)', () => {
	it('each simulation equals a single engine run with its drawn fee and slippage; chunking does not matter', () => {
		const config = scenarioConfig('S4');
		const plan = executionPlan(config, ohlcv.openTime.length, { simulations: 40, seed: 6, fee: { min: 0.0005, max: 0.002 }, slippage: { min: 0, max: 0.001 } });
		const base = engine.run(config);
		const whole = summariseExecution(plan, [runExecutionChunk(engine, config, plan.draws, plan.fanX)], base, config, spanMs);
		const parts = chunkRanges(plan.draws.length, 3).map(([a, b]) => runExecutionChunk(engine, config, plan.draws.slice(a, b), plan.fanX));
		const chunked = summariseExecution(plan, parts, base, config, spanMs);
		expect(JSON.stringify(chunked)).toBe(JSON.stringify(whole));
		const d = plan.draws[17];
		expect(d.fee).toBeGreaterThanOrEqual(0.0005);
		expect(d.fee).toBeLessThanOrEqual(0.002);
		const single = engine.run({ ...config, feeRate: d.fee, slippageRate: d.slippage });
		expect(parts[1].finalEquity[17 - chunkRanges(40, 3)[1][0]]).toBe(single.summary.finalEquity);
		expect(whole.original.finalEquity).toBeCloseTo(7355.81, 1);
		// Higher costs than the run's own on most draws: the median ends below the run.
		expect(whole.finalEquity.percentiles['50']).toBeLessThan(whole.original.finalEquity);
		monotone(whole);
	});
	it('degenerate ranges reproduce the run itself on every path', () => {
		const config = scenarioConfig('S4');
		const r = runExecutionMonteCarlo(engine, config, ohlcv.openTime.length, spanMs, {
			simulations: 5,
			fee: { min: 0.001, max: 0.001 },
			slippage: { min: 0, max: 0 }
		});
		expect(r.finalEquity.min).toBe(r.original.finalEquity);
		expect(r.finalEquity.max).toBe(r.original.finalEquity);
		expect(r.fan.bands['5']).toEqual(r.fan.original);
	});
});

describe('bad input', () => {
	it('0 or 1 trade: a clear message', () => {
		expect(() => tradeSample([], 10_000, spanMs)).toThrow(/at least 2 closed trades; this run has 0/);
		expect(() => tradeSample(trades.slice(0, 1), 10_000, spanMs)).toThrow(/at least 2 closed trades; this run has 1/);
	});
	it('simulations 0, over the cap or fractional; confidence and ruin floor outside (0, 1)', () => {
		const run = (o: object) => () => runTradeMonteCarlo(sample, { method: 'shuffle', ...o });
		expect(run({ simulations: 0 })).toThrow(/simulations must be a whole number from 1 to 100,000/);
		expect(run({ simulations: MAX_SIMULATIONS + 1 })).toThrow(/simulations/);
		expect(run({ simulations: 2.5 })).toThrow(/simulations/);
		for (const c of [0, 1, 1.5, -0.1, NaN]) expect(run({ confidence: c })).toThrow(/confidence must be a fraction strictly between 0 and 1/);
		for (const f of [0, 1, 2, NaN]) expect(run({ ruinFloor: f })).toThrow(/ruin floor must be a fraction/);
		expect(() => executionPlan(scenarioConfig('S4'), 100, { simulations: 10_001 })).toThrow(/1 to 10,000/);
		expect(() => executionPlan(scenarioConfig('S4'), 100, { fee: { min: 0.01, max: 0.001 } })).toThrow(/fee range/);
	});
	it('win-rate needs winners and losers', () => {
		const wins = trades.filter((t) => t.pnl > 0);
		expect(() => runTradeMonteCarlo(tradeSample(wins, 10_000, spanMs), { method: 'win-rate' })).toThrow(/0 losing trade/);
	});
	it('a ruined run has no return relative to its equity', () => {
		expect(() => tradeReturns([{ pnl: -10_000 }, { pnl: 5 }], 10_000)).toThrow(/ruined/);
	});
});

describe('walk-forward out-of-sample trades', () => {
	it('segment returns compound to the stitched out-of-sample equity', async () => {
		const { runWalkForward } = await import('../../../src/lib/optimize');
		const { segmentedTradeReturns } = await import('../../../src/lib/analysis/monte-carlo');
		const wf = await runWalkForward({
			ohlcv,
			engine,
			intervalMs: HOUR,
			config: scenarioConfig('S1'),
			axes: [
				{ name: 'fast', values: [5, 10, 15] },
				{ name: 'slow', values: [30, 50] }
			],
			objective: { key: 'sharpeRatio', minTrades: 1 },
			method: { kind: 'grid' },
			windows: { mode: 'rolling', splits: 4, trainRatio: 0.6 }
		});
		engine.load(ohlcv);
		const r = segmentedTradeReturns(wf.trades, wf.splits.map((s) => s.test), 10_000);
		expect(r.length).toBe(wf.trades.length);
		let e = 10_000;
		for (const x of r) e *= 1 + x;
		expect(e / wf.equity[wf.equity.length - 1]).toBeCloseTo(1, 9);
		const mc = runTradeMonteCarlo({ returns: r, initialCash: 10_000, spanMs: wf.openTime[wf.openTime.length - 1] + HOUR - wf.openTime[0] }, { method: 'shuffle', simulations: 200, seed: 1 });
		expect(mc.finalEquity.min / wf.equity[wf.equity.length - 1]).toBeCloseTo(1, 9);
	});
});
