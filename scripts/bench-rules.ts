/**
 * Rule strategies at engine speed: each of the four built-in strategies written as rules (static/rules/<id>.rules)
 * beside the same strategy built in, on 17,520 real BTCUSDT 1h bars: one full run (trades and equity copied out) and
 * a 10,000-trial grid through `evaluateBatch`, the path the app's workers and the CLI use. The headline case (issue
 * #15: "a rule with three indicators") is ema-atr-breakout with its volume filter on (EMA, ATR and the volume SMA).
 * Prints figures and ratios (medians of interleaved repeats); asserts nothing. `BENCH_RULES=ema-atr-breakout` (comma
 * list) limits the cases, `BENCH_REPEATS` sets the repeats (default 3).
 */
import { readFileSync } from 'node:fs';
import { lastContiguousRun, parseKlineCsv } from '../src/lib/data';
import { sliceOhlcv } from '../src/lib/core/timeframe';
import { createNodeEngine } from '../src/lib/engine/node';
import { defaultConfig } from '../src/lib/engine/strategies';
import type { BacktestConfig, StrategyId } from '../src/lib/engine/types';
import { dataSpanMs, evaluateBatch, type OptimizationJob } from '../src/lib/optimize';
import '../src/lib/rules';

const BARS = 17_520;

type Axis = OptimizationJob['axes'][number];
/** Each case: the built-in's parameters, and a grid of exactly 10,000 valid trials (the first axis is outermost). */
const CASES: { id: StrategyId; params: Record<string, number>; axes: Axis[] }[] = [
	{ id: 'sma-cross', params: {}, axes: [{ name: 'fast', start: 2, end: 101, step: 1 }, { name: 'slow', start: 110, end: 209, step: 1 }] },
	{
		id: 'rsi-mean-reversion',
		params: {},
		axes: [{ name: 'period', start: 2, end: 101, step: 1 }, { name: 'oversold', start: 20, end: 39, step: 1 }, { name: 'overbought', start: 60, end: 64, step: 1 }]
	},
	// 100 EMA periods × 100 ATR multiples: each EMA computed once per 100 trials.
	{ id: 'ema-atr-breakout', params: { volumeFilter: 1 }, axes: [{ name: 'emaPeriod', start: 10, end: 109, step: 1 }, { name: 'atrMultiplier', start: 0.1, end: 10, step: 0.1 }] },
	{ id: 'rsi-atr-momentum', params: {}, axes: [{ name: 'rsiPeriod', start: 2, end: 101, step: 1 }, { name: 'longRsiMin', start: 51, end: 60, step: 1 }, { name: 'shortRsiMax', start: 40, end: 49, step: 1 }] }
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Print one-run and 10,000-trial grid throughput of each rule and its built-in, and their ratios. */
export async function benchRules(): Promise<void> {
	const { ohlcv } = parseKlineCsv(readFileSync('tests/fixtures/klines/BTCUSDT-1h.csv', 'utf8'));
	const run = lastContiguousRun(ohlcv.openTime, 3_600_000);
	const data = sliceOhlcv(ohlcv, run.end - BARS, run.end);
	const only = process.env.BENCH_RULES?.split(',').filter(Boolean);
	const repeats = Math.max(1, Number(process.env.BENCH_REPEATS) || 3);
	console.log(`rules: the four built-ins written as rules beside the built-ins, long-short, ${BARS.toLocaleString('en')} bars; medians of ${repeats} interleaved repeats, one thread, measured under load`);
	for (const c of CASES.filter((c) => !only || only.includes(c.id))) {
		const builtin: BacktestConfig = { ...defaultConfig(c.id), direction: 'long-short', params: { ...defaultConfig(c.id).params, ...c.params } };
		const rules: BacktestConfig = { ...builtin, strategy: 'rules', rules: { name: c.id, source: readFileSync(`static/rules/${c.id}.rules`, 'utf8') } };
		const setups = await Promise.all(
			([['built-in', builtin], ['rule', rules]] as const).map(async ([label, config]) => {
				const engine = await createNodeEngine();
				const job: OptimizationJob = { config, axes: c.axes, objective: { key: 'sharpeRatio' }, data: { bars: BARS, spanMs: dataSpanMs(data.openTime, 3_600_000) } };
				return { label, config, engine, job, one: [] as number[], grid: [] as number[], trials: 0 };
			})
		);
		// Interleaved repeats (built-in, rule, built-in, rule, ...): fairer on a loaded machine.
		for (let rep = 0; rep < repeats; rep++) {
			for (const s of setups) {
				// One run from cold caches (indicators, rule registers): the data is reloaded before the timed run.
				s.engine.load(data);
				let t0 = performance.now();
				s.engine.run(s.config);
				s.one.push(performance.now() - t0);
				s.engine.load(data);
				t0 = performance.now();
				s.trials = evaluateBatch(s.engine, { ...s.job }, { kind: 'range', from: 0, to: 10_000 }).length;
				s.grid.push(performance.now() - t0);
			}
		}
		console.log(`  ${c.id}${Object.keys(c.params).length ? ' ' + JSON.stringify(c.params) : ''}, grid over ${c.axes.map((a) => a.name).join(' × ')}`);
		for (const { label, one, grid, trials } of setups) {
			const g = median(grid);
			console.log(
				`    ${label.padEnd(9)} one run (cold) ${median(one).toFixed(2).padStart(6)} ms   grid of ${trials.toLocaleString('en')} trials ${(g / 1000).toFixed(2).padStart(6)} s ` +
					`(${((trials * BARS) / g / 1000).toFixed(1)} M bar-evals/s, ${(trials / (g / 1000)).toFixed(0)} trials/s)`
			);
		}
		const [b, r] = setups;
		const ratios = r.grid.map((x, i) => x / b.grid[i]);
		console.log(
			`    rule / built-in time: one run ${(median(r.one) / median(b.one)).toFixed(2)}×, grid ${(median(r.grid) / median(b.grid)).toFixed(2)}× ` +
				`(per repeat ${ratios.map((x) => x.toFixed(2)).join(', ')}; target: within 2×)`
		);
	}
}
