/**
 * Throughput of the price-action module of the WASM core (assembly/zones.ts), one thread, on the real BTCUSDT 1h
 * S-window (8,760 bars, 2025-07-25 .. 2026-07-25). Prints figures; asserts nothing.
 * - detectors: detector-only runs of the three patterns (zone records read back into JS objects included);
 * - strategy: pattern-zones runs (summary only, the optimiser's path), bar-evaluations/s = bars × runs / seconds;
 * - the 960-run seed grid of PATTERNS.md (rrTarget 1.5…3.5 × slBufferRatio 0.05…0.20 × minZoneRatio 0.0010…0.0025 ×
 *   3 target methods × zone-edge/zone-mid × overlap on/off, fvg long-only) through evaluateBatch (what a worker runs).
 * Targets (issue #11): the grid under 1 s, the strategy at >= 50 M bar-evaluations/s.
 */
import { readFileSync } from 'node:fs';
import { parseKlineCsv } from '../src/lib/data';
import { sliceOhlcv } from '../src/lib/core/timeframe';
import { createNodeEngine } from '../src/lib/engine/node';
import { defaultConfig } from '../src/lib/engine/strategies';
import { toRunScalars } from '../src/lib/engine/wasm-engine';
import { dataSpanMs, evaluateBatch, type OptimizationJob } from '../src/lib/optimize';
import { PATTERNS } from '../src/lib/engine/zones-types';

/**
 * Best of `reps` timings of `f`, in ms of this process's CPU time (user + system; the work is one thread): on a
 * machine shared with other jobs the CPU time is what the code costs, the wall time also counts waiting for a core.
 */
function best(reps: number, f: () => void): number {
	let min = Infinity;
	for (let r = 0; r < reps; r++) {
		const c0 = process.cpuUsage();
		f();
		const c = process.cpuUsage(c0);
		min = Math.min(min, (c.user + c.system) / 1000);
	}
	return min;
}

/** Best wall time of `reps` calls, ms. */
function bestWall(reps: number, f: () => void): number {
	let min = Infinity;
	for (let r = 0; r < reps; r++) {
		const t0 = performance.now();
		f();
		min = Math.min(min, performance.now() - t0);
	}
	return min;
}

/** The 960-run seed grid of PATTERNS.md as an optimisation job (fvg, long-only). */
export function seedGridJob(bars: number, spanMs: number): OptimizationJob {
	return {
		config: { ...defaultConfig('pattern-zones'), params: { pattern: 'fvg' } },
		axes: [
			{ name: 'rrTarget', start: 1.5, end: 3.5, step: 0.5 },
			{ name: 'slBufferRatio', start: 0.05, end: 0.2, step: 0.05 },
			{ name: 'minZoneRatio', start: 0.001, end: 0.0025, step: 0.0005 },
			{ name: 'tpMethod', values: ['fixed-rr', 'atr-multiple', 'swing-target'] },
			{ name: 'entryMethod', values: ['zone-edge', 'zone-mid'] },
			{ name: 'useOverlap', values: [0, 1] }
		],
		objective: { key: 'totalReturnRatio' },
		data: { bars, spanMs }
	};
}

/** Print detector and strategy throughput and the 960-run grid time. */
export async function benchZones(): Promise<void> {
	const all = parseKlineCsv(readFileSync('tests/fixtures/klines/BTCUSDT-1h.csv', 'utf8')).ohlcv;
	const n = 8760;
	const ohlcv = sliceOhlcv(all, all.openTime.length - n, all.openTime.length);
	const engine = await createNodeEngine();
	engine.load(ohlcv);

	console.log('zones: figures are CPU time of this process (one thread; best of several repetitions); the machine is shared, measured under load');
	// the single-market kernel on the same bars, for a ratio
	const sma = toRunScalars(defaultConfig('sma-cross'));
	const tSma = best(3, () => {
		for (let i = 0; i < 200; i++) engine.runScalars(sma, false);
	});
	console.log(`zones: reference: sma-cross 10/30 single-market kernel ${((200 * n) / tSma / 1000).toFixed(1)} M bar-evaluations/s`);
	let zones = 0;
	const tDet = best(5, () => {
		zones = engine.detectZones().zones.length;
	});
	console.log(
		`zones: detectors (fvg + order-block + liquidity-sweep, ${zones} zones, records read back) on ${n} bars: ${tDet.toFixed(2)} ms, ` +
			`${((3 * n) / tDet / 1000).toFixed(1)} M bar-evaluations/s (one thread, measured under load)`
	);

	for (const pattern of PATTERNS) {
		const config = { ...defaultConfig('pattern-zones'), direction: 'long-short' as const, params: { pattern } };
		const s = toRunScalars(config);
		const runs = 200;
		engine.runScalars(s, false);
		const t = best(3, () => {
			for (let i = 0; i < runs; i++) engine.runScalars(s, false);
		});
		const full = best(3, () => void engine.run(config));
		console.log(
			`zones: strategy ${pattern} long-short (defaults), ${runs} runs × ${n} bars: ${((runs * n) / t / 1000).toFixed(1)} M bar-evaluations/s ` +
				`(${((t / runs) * 1000).toFixed(0)} µs per run; a recorded run with trades, legs and zones read back: ${full.toFixed(2)} ms)`
		);
	}

	const job = seedGridJob(n, dataSpanMs(ohlcv.openTime, 3_600_000));
	let count = 0;
	const tGrid = best(3, () => {
		count = evaluateBatch(engine, job, { kind: 'range', from: 0, to: 960 }).length;
	});
	const wGrid = bestWall(3, () => void evaluateBatch(engine, job, { kind: 'range', from: 0, to: 960 }));
	console.log(
		`zones: seed grid ${count} runs (fvg long-only) on ${n} bars through evaluateBatch, one thread: ${(tGrid / 1000).toFixed(3)} s CPU (${(wGrid / 1000).toFixed(3)} s wall) ` +
			`(target < 1 s), ${((count * n) / tGrid / 1000).toFixed(1)} M bar-evaluations/s (target >= 50 M; measured under load)`
	);
}
