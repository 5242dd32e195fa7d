/**
 * Speed of the Monte Carlo and overfitting analysis on real runs (BTCUSDT 1h, WASM core), one thread, through the
 * same functions the app's workers and the CLI call. Prints figures, asserts nothing. Targets (issue #13):
 * shuffle / bootstrap 10,000 × 500 trades under 200 ms, PBO on 200 trials × 730 daily returns under 500 ms.
 */
import type { Remote } from 'comlink';
import { chunkRanges, executionPlan, runExecutionChunk, summariseExecution, type ExecutionChunk } from '../src/lib/analysis/execution';
import { runTradeMonteCarlo, tradeSample, type TradeMethod } from '../src/lib/analysis/monte-carlo';
import { probabilityOfBacktestOverfitting } from '../src/lib/analysis/overfitting';
import { createNodeEngine } from '../src/lib/engine/node';
import { defaultConfig } from '../src/lib/engine/strategies';
import { dataSpanMs, evaluateBatch, overfittingEvidence, overfittingRequest, runOptimization, type OptimizationJob } from '../src/lib/optimize';
import { createBacktestService } from '../src/lib/workers/backtest-service';
import { WorkerPool } from '../src/lib/workers/pool';
import type { BacktestWorkerApi } from '../src/lib/workers/protocol';
import { loadSymbolKlines, referenceWindow, sliceColumns } from '../tests/unit/helpers/fixtures';

const HOUR = 3_600_000;

/**
 * Run `fn` `reps` times; wall time and this process's CPU time (user + system) of each. The machine is shared, so
 * CPU time (what the work itself costs) is the steadier figure; wall time includes waiting for a core.
 */
function measure(reps: number, fn: (k: number) => void): string {
	const wall: number[] = [];
	const cpu: number[] = [];
	for (let k = 0; k < reps; k++) {
		const c0 = process.cpuUsage();
		const t0 = performance.now();
		fn(k);
		wall.push(performance.now() - t0);
		const c = process.cpuUsage(c0);
		cpu.push((c.user + c.system) / 1000);
	}
	const lo = (a: number[]) => Math.min(...a).toFixed(0);
	const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)].toFixed(0);
	return `${lo(cpu)} ms CPU best (${med(cpu)} median), ${lo(wall)} ms wall best (${med(wall)} median) of ${reps}`;
}

/** Print every Monte Carlo / overfitting figure. */
export async function benchMonteCarlo(): Promise<void> {
	const all = loadSymbolKlines('BTCUSDT');
	const engine = await createNodeEngine();
	engine.load(all);
	// A real run with well over 500 trades (sma-cross 10/30 over all 78,221 bars); its first 500 trades.
	const run = engine.run(defaultConfig('sma-cross'));
	const trades = run.trades.slice(0, 500);
	const span = trades[trades.length - 1].exitTime + HOUR - all.openTime[0];
	const sample = tradeSample(trades, 10_000, span);
	for (const method of ['shuffle', 'bootstrap', 'win-rate'] as TradeMethod[]) {
		runTradeMonteCarlo(sample, { method, simulations: 1000, seed: 1 }); // warm-up
		const figure = measure(5, (k) => runTradeMonteCarlo(sample, { method, simulations: 10_000, seed: k + 1 }));
		console.log(`montecarlo: ${method} 10,000 simulations x 500 trades (percentiles, histograms, 100-point fan included), one thread: ${figure}`);
	}

	// PBO: the 200 best trials of a sma-cross grid over the last 730 days (17,520 bars), their real daily returns.
	const n = all.openTime.length;
	const window = sliceColumns(all, n - 17_520, n);
	const wEngine = await createNodeEngine();
	wEngine.load(window);
	const job: OptimizationJob = {
		config: defaultConfig('sma-cross'),
		axes: [{ name: 'fast', start: 2, end: 41, step: 1 }, { name: 'slow', start: 45, end: 200, step: 5 }],
		objective: { key: 'sharpeRatio', minTrades: 5 },
		data: { bars: window.openTime.length, spanMs: dataSpanMs(window.openTime, HOUR) }
	};
	const out = await runOptimization({ job, method: { kind: 'grid' }, topK: 200, evaluate: async (b) => evaluateBatch(wEngine, job, b) });
	const t1 = performance.now();
	const ev = overfittingEvidence(wEngine, job, overfittingRequest(out.aggregates.space, out.top), window.openTime, HOUR);
	const evMs = performance.now() - t1;
	let pbo = NaN;
	const figure = measure(5, () => (pbo = probabilityOfBacktestOverfitting(ev.daily, 16).pbo));
	console.log(
		`montecarlo: PBO by CSCV, ${ev.daily.length} trials x ${ev.daily[0].length} daily returns, 16 blocks (12,870 splits), one thread: ${figure} (PBO ${(pbo * 100).toFixed(1)} %); ` +
			`re-running the ${ev.daily.length} best trials for their daily returns: ${evMs.toFixed(0)} ms`
	);

	// Randomised execution: 1,000 re-runs of S4 (sma-cross 10/30, SL 2 % / TP 4 %) on the 8,760-bar reference window.
	const ref = referenceWindow('BTCUSDT');
	const rEngine = await createNodeEngine();
	rEngine.load(ref);
	const s4 = { ...defaultConfig('sma-cross'), params: { fast: 10, slow: 30 }, stopLoss: { mode: 'fraction' as const, value: 0.02 }, takeProfit: { mode: 'fraction' as const, value: 0.04 } };
	const spanMs = dataSpanMs(ref.openTime, HOUR);
	const plan = executionPlan(s4, ref.openTime.length, { simulations: 1000, seed: 1 });
	const base = rEngine.run(s4);
	const direct = measure(1, () => summariseExecution(plan, [runExecutionChunk(rEngine, s4, plan.draws, plan.fanX)], base, s4, spanMs));
	// The same through the worker pool and the worker API the app uses (in-process workers here: Node has no Web
	// Workers; the browser figure is printed by the Chromium section of the bench).
	const pool = new WorkerPool<Remote<BacktestWorkerApi>>({
		size: 2,
		factory: () => ({ api: createBacktestService(() => createNodeEngine()) as unknown as Remote<BacktestWorkerApi>, terminate: () => {}, onError: () => {} })
	});
	const t0 = performance.now();
	const chunks = await Promise.all(
		chunkRanges(plan.draws.length, 4).map(
			([a, b]) =>
				pool.submit({
					dataset: { id: 'ref', ohlcv: ref },
					run: (api) => api.executionChunk({ datasetId: 'ref', config: s4, draws: plan.draws.slice(a, b), fanX: plan.fanX }) as Promise<ExecutionChunk>
				}).promise
		)
	);
	summariseExecution(plan, chunks, base, s4, spanMs);
	const pooled = performance.now() - t0;
	pool.dispose();
	console.log(
		`montecarlo: execution, 1,000 re-runs of S4 on 8,760 bars (full backtests with trades and equity), one thread: ${direct}; ` +
			`${pooled.toFixed(0)} ms through the worker pool API with in-process workers (dataset load included)`
	);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMonteCarlo();
