/**
 * Rule strategies at engine speed: a rule with three indicators (EMA, ATR and the volume SMA: ema-atr-breakout with
 * its volume filter on, static/rules/ema-atr-breakout.rules) beside the same strategy built in, on 17,520 real
 * BTCUSDT 1h bars: one full run (trades and equity copied out) and a 10,000-trial grid through `evaluateBatch`, the
 * path the app's workers and the CLI use. Prints figures and the ratio; asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { lastContiguousRun, parseKlineCsv } from '../src/lib/data';
import { sliceOhlcv } from '../src/lib/core/timeframe';
import { createNodeEngine } from '../src/lib/engine/node';
import { defaultConfig } from '../src/lib/engine/strategies';
import type { BacktestConfig } from '../src/lib/engine/types';
import { dataSpanMs, evaluateBatch, type OptimizationJob } from '../src/lib/optimize';
import '../src/lib/rules';

const BARS = 17_520;

/** Print one-run and 10,000-trial grid throughput of the rule and the built-in, and their ratio. */
export async function benchRules(): Promise<void> {
	const { ohlcv } = parseKlineCsv(readFileSync('tests/fixtures/klines/BTCUSDT-1h.csv', 'utf8'));
	const run = lastContiguousRun(ohlcv.openTime, 3_600_000);
	const data = sliceOhlcv(ohlcv, run.end - BARS, run.end);
	const builtin: BacktestConfig = { ...defaultConfig('ema-atr-breakout'), direction: 'long-short', params: { volumeFilter: 1 } };
	const rules: BacktestConfig = { ...builtin, strategy: 'rules', rules: { name: 'ema-atr-breakout', source: readFileSync('static/rules/ema-atr-breakout.rules', 'utf8') } };
	// 100 EMA periods × 100 ATR multiples: each EMA computed once per 100 trials (axis 0 is the outermost).
	const axes = [{ name: 'emaPeriod', start: 10, end: 109, step: 1 }, { name: 'atrMultiplier', start: 0.1, end: 10, step: 0.1 }];
	console.log(`rules: ema-atr-breakout with the volume filter (EMA, ATR, volume SMA), long-short, ${BARS.toLocaleString('en')} bars; best of repeats, one thread, measured under load`);
	const figures: Record<string, { one: number; grid: number; trials: number }> = {};
	const setups = await Promise.all(
		([['built-in', builtin], ['rule', rules]] as const).map(async ([label, config]) => {
			const engine = await createNodeEngine();
			const job: OptimizationJob = { config, axes, objective: { key: 'sharpeRatio' }, data: { bars: BARS, spanMs: dataSpanMs(data.openTime, 3_600_000) } };
			figures[label] = { one: Infinity, grid: Infinity, trials: 0 };
			return { label, config, engine, job };
		})
	);
	// Interleaved repeats (built-in, rule, built-in, rule, ...), best of each: fairer on a loaded machine.
	for (let rep = 0; rep < 3; rep++) {
		for (const { label, config, engine, job } of setups) {
			const f = figures[label];
			// One run from cold caches (indicators, rule registers): the data is reloaded before the timed run.
			engine.load(data);
			let t0 = performance.now();
			engine.run(config);
			f.one = Math.min(f.one, performance.now() - t0);
			engine.load(data);
			t0 = performance.now();
			f.trials = evaluateBatch(engine, { ...job }, { kind: 'range', from: 0, to: 10_000 }).length;
			f.grid = Math.min(f.grid, performance.now() - t0);
		}
	}
	for (const [label, { one, grid, trials }] of Object.entries(figures)) {
		console.log(
			`  ${label.padEnd(9)} one run (cold) ${one.toFixed(2).padStart(6)} ms   grid of ${trials.toLocaleString('en')} trials ${(grid / 1000).toFixed(2).padStart(6)} s ` +
				`(${((trials * BARS) / grid / 1000).toFixed(1)} M bar-evals/s, ${(trials / (grid / 1000)).toFixed(0)} trials/s)`
		);
	}
	const r = figures.rule;
	const b = figures['built-in'];
	console.log(`  rule / built-in time: one run ${(r.one / b.one).toFixed(2)}×, grid ${(r.grid / b.grid).toFixed(2)}× (target: within 2×)`);
}
