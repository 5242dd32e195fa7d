/**
 * Speed of the optimiser on real candles (BTCUSDT 1h), one thread, WASM core, through the same runner and
 * evaluateBatch the app and the CLI use. Called by scripts/bench.ts (owned by the lead); prints figures, asserts nothing.
 */
import { createNodeEngine } from '../src/lib/engine/node';
import { defaultConfig } from '../src/lib/engine/strategies';
import { dataSpanMs, evaluateBatch, runOptimization, SearchSpace, type AxisSpec, type OptimizationJob } from '../src/lib/optimize';
import { loadSymbolKlines, referenceWindow, sliceColumns } from '../tests/unit/helpers/fixtures';
import type { OhlcvColumns } from '../src/lib/core/types';

const HOUR = 3_600_000;

async function timeGrid(label: string, ohlcv: OhlcvColumns, axes: AxisSpec[]): Promise<void> {
	const engine = await createNodeEngine();
	engine.load(ohlcv);
	const bars = ohlcv.openTime.length;
	const job: OptimizationJob = { config: defaultConfig('sma-cross'), axes, objective: { key: 'sharpeRatio' }, data: { bars, spanMs: dataSpanMs(ohlcv.openTime, HOUR) } };
	const t0 = performance.now();
	const out = await runOptimization({ job, method: { kind: 'grid' }, evaluate: async (b) => evaluateBatch(engine, job, b), batchSize: 256 });
	const ms = performance.now() - t0;
	const n = out.state.evaluated;
	console.log(
		`optimize: ${label}: ${n.toLocaleString('en-US')} combinations x ${bars.toLocaleString('en-US')} bars in ${ms.toFixed(0)} ms (one thread), ` +
			`${((ms * 1000) / n).toFixed(1)} us per trial, ${Math.round((n * bars) / (ms / 1000)).toLocaleString('en-US')} bar-evaluations/s`
	);
}

/** Time the 100-combination S1 grid on 8,760 bars and a 10,000-combination sma-cross grid on the last 17,520 bars. */
export async function benchOptimize(): Promise<void> {
	await timeGrid('S1 grid fast 5..14 x slow 20..65/5', referenceWindow('BTCUSDT'), [
		{ name: 'fast', start: 5, end: 14, step: 1 },
		{ name: 'slow', start: 20, end: 65, step: 5 }
	]);
	const all = loadSymbolKlines('BTCUSDT');
	const n = all.openTime.length;
	// A 100 x 100 list grid: fast 2..101 x slow 102..201. The fast < slow constraint is checked for every combination
	// and removes none, so exactly 10,000 combinations are evaluated.
	const axes: AxisSpec[] = [{ name: 'fast', start: 2, end: 101, step: 1 }, { name: 'slow', start: 102, end: 201, step: 1 }];
	const valid = new SearchSpace({ strategy: 'sma-cross', axes }).countValid().count;
	await timeGrid(`sma-cross fast 2..101 x slow 102..201 (${valid.toLocaleString('en-US')} valid)`, sliceColumns(all, n - 17_520, n), axes);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchOptimize();
