/**
 * Speed of a research job (issue #14): 3 markets (BTCUSDT, ETHUSDT, BNBUSDT) × 2 timeframes (1h, 4h) × 2 strategies
 * (sma-cross, rsi-mean-reversion) on the repository's real candles, in Node, one thread (in-process evaluator), and the
 * same 12 optimisations run one by one with the optimiser alone (the research overhead is the ratio: candle slicing,
 * hold-out re-runs, baselines, bookkeeping). Called by scripts/bench.ts; prints figures, asserts nothing.
 * The browser-pool figure of the same job comes from the /research page (h14b's section).
 */
import { readFileSync } from 'node:fs';
import { timeframeMs } from '../src/lib/core/timeframe';
import type { OhlcvColumns, Timeframe } from '../src/lib/core/types';
import { parseKlineCsv } from '../src/lib/data/kline-csv';
import { resampleCandles } from '../src/lib/data/resample';
import { createNodeEngine, createNodePortfolioEngine } from '../src/lib/engine/node';
import { dataSpanMs, evaluateBatch, runOptimization, type OptimizationJob } from '../src/lib/optimize';
import { NodeResearchPool } from '../src/cli/research-pool';
import { backtestConfigOf, createInProcessEvaluator, createResearchJob, defaultResearchExecution, runResearch, sliceByTime, type CandleSource, type ResearchJobSpec } from '../src/lib/research';

const FILES: Record<string, string> = {
	'BTCUSDT|1h': 'tests/fixtures/klines/BTCUSDT-1h.csv',
	'ETHUSDT|1h': 'tests/fixtures/klines/ETHUSDT-1h.csv',
	'BNBUSDT|1h': 'tests/fixtures/klines/BNBUSDT-1h.csv',
	'BTCUSDT|4h': 'tests/fixtures/klines/BTCUSDT-4h-2025-2026.csv',
	'ETHUSDT|4h': 'tests/fixtures/klines/ETHUSDT-4h-2025-2026.csv'
};

function candles(symbol: string, interval: Timeframe): OhlcvColumns {
	const f = FILES[`${symbol}|${interval}`];
	if (f) return parseKlineCsv(readFileSync(f, 'utf8'), { source: f }).ohlcv;
	return resampleCandles(candles(symbol, '1h'), '1h', interval).ohlcv; // BNBUSDT 4h = its 1h candles aggregated
}

function spec(grid: 'small' | 'large'): ResearchJobSpec {
	const sma = grid === 'small' ? [{ name: 'fast', start: 5, end: 20, step: 5 }, { name: 'slow', start: 30, end: 90, step: 20 }] : [{ name: 'fast', start: 5, end: 50, step: 1 }, { name: 'slow', start: 20, end: 200, step: 10 }];
	const rsi = grid === 'small' ? [{ name: 'period', values: [7, 14, 21] }, { name: 'oversold', values: [20, 25, 30] }] : [{ name: 'period', start: 5, end: 30, step: 1 }, { name: 'oversold', start: 15, end: 35, step: 1 }];
	return {
		name: `bench ${grid}`,
		description: '',
		markets: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'],
		timeframes: ['1h', '4h'],
		strategies: [{ strategy: 'sma-cross', axes: sma }, { strategy: 'rsi-mean-reversion', axes: rsi }],
		riskAxes: [],
		objective: { key: 'sharpeRatio', minTrades: 3 },
		window: { fromMs: Date.UTC(2025, 6, 1), toMs: Date.UTC(2026, 3, 15) },
		execution: defaultResearchExecution()
	};
}

export async function benchResearch(): Promise<void> {
	const cache = new Map<string, OhlcvColumns>();
	const source: CandleSource = {
		async load(symbol, interval, w) {
			const k = `${symbol}|${interval}`;
			if (!cache.has(k)) cache.set(k, candles(symbol, interval));
			return sliceByTime(cache.get(k)!, w.fromMs ?? -Infinity, (w.toMs ?? Infinity) + 1);
		}
	};
	// Candles parsed before timing (the job reads them from memory, like the app's IndexedDB cache), engines compiled.
	for (const k of Object.keys(FILES).concat('BNBUSDT|4h')) {
		const [sym, tf] = k.split('|');
		cache.set(k, candles(sym, tf as Timeframe));
	}
	await createNodeEngine();
	for (const grid of ['small', 'large'] as const) {
		const s = spec(grid);
		const evaluator = createInProcessEvaluator({ single: () => createNodeEngine(), portfolio: () => createNodePortfolioEngine() });
		const t0 = performance.now();
		const job = await runResearch({ job: createResearchJob(s), candles: source, evaluator, batchSize: 256 });
		const ms = performance.now() - t0;
		// The 12 optimisations alone, same evidence windows, same grid, one engine.
		const engine = await createNodeEngine();
		let alone = 0;
		for (const row of job.rows) {
			const ev = sliceByTime(cache.get(`${row.symbol}|${row.interval}`)!, job.range!.fromMs, job.range!.splitMs);
			const st = s.strategies.find((x) => x.strategy === row.strategyId)!;
			const j: OptimizationJob = { config: backtestConfigOf(s, st), axes: st.axes, objective: s.objective, data: { bars: ev.openTime.length, spanMs: dataSpanMs(ev.openTime, timeframeMs(row.interval)) } };
			const t1 = performance.now();
			engine.load(ev);
			await runOptimization({ job: j, method: { kind: 'grid' }, evaluate: async (b) => evaluateBatch(engine, j, b), batchSize: 256 });
			alone += performance.now() - t1;
		}
		const bars = job.rows.reduce((a, r) => a + r.trials * r.bars.evidence, 0);
		console.log(
			`research: 3 markets x 2 timeframes x 2 strategies (${grid} grids, candles in memory, ${job.progress.trialsDone.toLocaleString('en-US')} trials, ${job.rows.length} rows, status ${job.status}), Node one thread: ` +
				`${ms.toFixed(0)} ms wall (${Math.round(bars / (ms / 1000)).toLocaleString('en-US')} bar-evaluations/s); the same 12 optimisations alone ${alone.toFixed(0)} ms ` +
				`(research / alone = ${(ms / alone).toFixed(2)}; measured under load)`
		);
		if (grid === 'large') {
			const pool = new NodeResearchPool(2);
			try {
				const t2 = performance.now();
				const j2 = await runResearch({ job: createResearchJob(s), candles: source, evaluator: pool, batchSize: 64, concurrency: 4 });
				const ms2 = performance.now() - t2;
				console.log(
					`research: the same large job on 2 worker threads (npm run research --threads 2 path): ${ms2.toFixed(0)} ms wall incl. worker start-up, ` +
						`status ${j2.status}, ${(ms / ms2).toFixed(2)} x one thread (2 cores shared with other work: measured under load)`
				);
			} finally {
				await pool.close();
			}
		}
	}
}
