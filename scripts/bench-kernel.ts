/**
 * The WASM kernel against the machine's limit, in Node, one thread (issue #18): run() over optimisation grids of the
 * four built-in strategies on 17,520 real BTCUSDT 1h bars, and the minimal-loop probe (assembly/probe.ts) on the
 * 10,000-combination sma-cross grid with SL 2 % / TP 4 %; prints M bar-evaluations/s and kernel / probe.
 * Called by scripts/bench.ts; prints figures, asserts nothing.
 *
 * A/B mode (interleaved rounds, medians, ratios to the first build):
 *   npx tsx scripts/bench-kernel.ts [--rounds 5] [--best] [--only sma-levels,rsi-mr,probe] old.wasm assembly/build/release.wasm
 * (--best: the fastest round instead of the median; --cpu: process CPU time instead of wall time; both steadier when
 * other processes share the cores)
 */
import { readFileSync } from 'node:fs';
import { wasmPath } from '../src/lib/engine/node';
import { instantiateCore } from '../src/lib/engine/wasm-engine';
import { kernelBars, kernelGrids, type KernelGrid } from './kernel-workload';
import { loadCore, runGrid, runProbe, type KernelCore } from '../src/bench-routes/dev/kernel-bench/runner';

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function core(path: string, cols: number[][]): Promise<KernelCore> {
	const { exports } = await instantiateCore(new Uint8Array(readFileSync(path)));
	const c = exports as unknown as KernelCore;
	loadCore(c, cols);
	return c;
}

/** Clock of the timings: wall time, or this process's CPU time (steadier while other processes share the cores). */
let clock: 'wall' | 'cpu' = 'wall';

function timed(f: () => number): { ms: number; sum: number } {
	if (clock === 'cpu') {
		const c0 = process.cpuUsage();
		const sum = f();
		const c = process.cpuUsage(c0);
		return { ms: (c.user + c.system) / 1000, sum };
	}
	const t0 = performance.now();
	const sum = f();
	return { ms: performance.now() - t0, sum };
}

const mevals = (trials: number, bars: number, ms: number) => (trials * bars) / ms / 1000;

/**
 * Time builds (paths of release.wasm files) on every grid and the probe, `rounds` interleaved rounds after a warm-up.
 * @returns per build, per grid id (and 'probe'), the median milliseconds; checksums must agree across builds.
 */
export async function timeKernels(
	paths: string[], rounds: number, only?: string[], pick: (xs: number[]) => number = median
): Promise<{ bars: number; grids: KernelGrid[]; ms: Map<string, number>[] }> {
	const bars = kernelBars();
	const cols = [bars.openTime, bars.open, bars.high, bars.low, bars.close, bars.volume].map((c) => Array.from(c));
	const { grids: all, probe } = kernelGrids();
	const grids = all.filter((g) => !only || only.includes(g.id));
	const cores = await Promise.all(paths.map((p) => core(p, cols)));
	const times = paths.map(() => new Map<string, number[]>());
	const sums = new Map<string, number>();
	for (let r = -1; r < rounds; r++) {
		for (let k = 0; k < cores.length; k++) {
			const c = cores[(k + Math.max(r, 0)) % cores.length]; // rotate the order: no build always goes first
			const t = times[(k + Math.max(r, 0)) % cores.length];
			const jobs: [string, () => number][] = grids.map((g) => [g.id, () => runGrid(c, g)]);
			if (c.probeSmaCross && (!only || only.includes('probe'))) jobs.push(['probe', () => runProbe(c, probe)]);
			for (const [id, f] of jobs) {
				const { ms, sum } = timed(f);
				if (r < 0) {
					const key = `${id}`;
					if (id !== 'probe' && sums.has(key) && sums.get(key) !== sum) console.log(`  WARNING: ${id}: results differ between builds (${sums.get(key)} vs ${sum})`);
					sums.set(key, sum);
					continue;
				}
				if (!t.has(id)) t.set(id, []);
				t.get(id)!.push(ms);
			}
		}
	}
	return { bars: bars.openTime.length, grids, ms: times.map((t) => new Map([...t].map(([k, v]) => [k, pick(v)]))) };
}

/** `npm run bench` section: the current build's kernel on every grid, the probe, and kernel / probe. */
export async function benchKernel(rounds = 3): Promise<void> {
	const { bars, grids, ms } = await timeKernels([wasmPath('release')], rounds);
	const m = ms[0];
	console.log(`kernel (Node, one thread, median of ${rounds}; measured under load): run() on ${bars.toLocaleString('en')} real BTCUSDT 1h bars`);
	for (const g of grids) console.log(`  ${g.label.padEnd(36)} ${mevals(g.count, bars, m.get(g.id)!).toFixed(0).padStart(5)} M bar-evaluations/s`);
	const probe = mevals(grids[0].count, bars, m.get('probe')!);
	const kernel = mevals(grids[0].count, bars, m.get(grids[0].id)!);
	console.log(`  minimal-loop probe, same sma grid      ${probe.toFixed(0).padStart(5)} M bar-evaluations/s (the machine's limit)`);
	console.log(`  kernel / limit (sma-cross SL/TP grid)  ${(kernel / probe).toFixed(2).padStart(5)}`);
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	let rounds = 5;
	let only: string[] | undefined;
	let best = false;
	const paths: string[] = [];
	for (let i = 0; i < args.length; i++) {
		if (args[i] === '--rounds') rounds = Number(args[++i]);
		else if (args[i] === '--only') only = args[++i].split(',');
		else if (args[i] === '--best') best = true;
		else if (args[i] === '--cpu') clock = 'cpu';
		else paths.push(args[i]);
	}
	if (paths.length < 2) {
		await benchKernel(rounds);
		return;
	}
	const { bars, grids, ms } = await timeKernels(paths, rounds, only, best ? (xs) => Math.min(...xs) : median);
	console.log(`kernel A/B (Node, ${clock} time, ${best ? 'best' : 'median'} of ${rounds} interleaved rounds), M bar-evaluations/s and ratio to ${paths[0]}:`);
	const ids = [...grids.map((g) => [g.id, g.label, g.count] as const), ['probe', 'probe (sma SL/TP grid)', grids[0]?.count ?? 10_000] as const];
	for (const [id, label, count] of ids) {
		if (!ms.some((m) => m.has(id))) continue;
		const cells = ms.map((m) => (m.has(id) ? mevals(count, bars, m.get(id)!) : NaN));
		console.log(`  ${label.padEnd(36)} ${cells.map((v) => v.toFixed(0).padStart(5)).join(' ')}   ratios ${cells.map((v) => (v / cells[0]).toFixed(2)).join(' ')}`);
	}
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
