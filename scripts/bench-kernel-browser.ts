/**
 * The WASM kernel against the machine's limit in Chromium (issue #18): the grids of scripts/kernel-workload.ts and the
 * minimal-loop probe, run in the kernel-bench harness page (src/bench-routes/dev/kernel-bench, `npm run build:bench`)
 * and timed inside the page. Prints M bar-evaluations/s and kernel / probe; asserts nothing.
 *
 * A/B mode: npx tsx scripts/bench-kernel-browser.ts [--rounds 5] [--best] [--only ids] old.wasm assembly/build/release.wasm
 */
import { existsSync, readFileSync } from 'node:fs';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/e2e/helpers/chromium';
import { freePort, serveBuild } from './bench-idb';
import { kernelBars, kernelGrids, type KernelGrid, type ProbeGrid } from './kernel-workload';

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mevals = (trials: number, bars: number, ms: number) => (trials * bars) / ms / 1000;

type Timing = { ms: number; sum: number } | null;

async function withPage<T>(f: (page: Page) => Promise<T>): Promise<T> {
	if (!existsSync('build-bench/dev/kernel-bench/index.html')) throw new Error('build-bench/dev/kernel-bench/index.html is missing: run `npm run build:bench` first.');
	const port = await freePort();
	const server = await serveBuild(port, 'build-bench');
	const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
	try {
		const page = await browser.newPage();
		await page.goto(`http://127.0.0.1:${port}/dev/kernel-bench/`);
		await page.getByTestId('kernel-bench-status').filter({ hasText: 'ready' }).waitFor();
		return await f(page);
	} finally {
		await browser.close();
		server.kill();
	}
}

/**
 * Time builds (paths of wasm files; null = the bundled core) in one page, interleaved rounds after a warm-up.
 * @returns per build, per grid id (and 'probe'), the picked (median or best) milliseconds.
 */
export async function timeKernelsInChromium(
	paths: (string | null)[], rounds: number, only?: string[], pick: (xs: number[]) => number = median
): Promise<{ bars: number; grids: KernelGrid[]; ms: Map<string, number>[] }> {
	const bars = kernelBars();
	const cols = [bars.openTime, bars.open, bars.high, bars.low, bars.close, bars.volume].map((c) => Array.from(c));
	const { grids: all, probe } = kernelGrids();
	const grids = all.filter((g) => !only || only.includes(g.id));
	const times = paths.map(() => new Map<string, number[]>());
	await withPage(async (page) => {
		const ids: number[] = [];
		for (const p of paths) {
			const bytes = p ? Array.from(readFileSync(p)) : undefined;
			ids.push(await page.evaluate(([c, b]) => (window as any).__kernelBench.init(c, b), [cols, bytes] as const));
		}
		for (let r = -1; r < rounds; r++) {
			for (let k = 0; k < ids.length; k++) {
				const j = (k + Math.max(r, 0)) % ids.length;
				for (const g of grids) {
					const t: Timing = await page.evaluate(([id, gg]) => (window as any).__kernelBench.grid(id, gg), [ids[j], g] as const);
					if (r >= 0 && t) (times[j].get(g.id) ?? times[j].set(g.id, []).get(g.id)!).push(t.ms);
				}
				if (!only || only.includes('probe')) {
					const t: Timing = await page.evaluate(([id, pp]) => (window as any).__kernelBench.probe(id, pp), [ids[j], probe as ProbeGrid] as const);
					if (r >= 0 && t) (times[j].get('probe') ?? times[j].set('probe', []).get('probe')!).push(t.ms);
				}
			}
		}
	});
	return { bars: bars.openTime.length, grids, ms: times.map((t) => new Map([...t].map(([k, v]) => [k, pick(v)]))) };
}

/** `npm run bench` section: the bundled kernel in Chromium on every grid, the probe, and kernel / probe. */
export async function benchKernelBrowser(rounds = 3): Promise<void> {
	const { bars, grids, ms } = await timeKernelsInChromium([null], rounds);
	const m = ms[0];
	console.log(`kernel (Chromium, page thread, timed in the page, median of ${rounds}; measured under load): run() on ${bars.toLocaleString('en')} real BTCUSDT 1h bars`);
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
		else paths.push(args[i]);
	}
	if (paths.length < 2) {
		await benchKernelBrowser(rounds);
		return;
	}
	const { bars, grids, ms } = await timeKernelsInChromium(paths, rounds, only, best ? (xs) => Math.min(...xs) : median);
	console.log(`kernel A/B (Chromium, ${best ? 'best' : 'median'} of ${rounds} interleaved rounds), M bar-evaluations/s and ratio to ${paths[0]}:`);
	const rows = [...grids.map((g) => [g.id, g.label, g.count] as const), ['probe', 'probe (sma SL/TP grid)', 10_000] as const];
	for (const [id, label, count] of rows) {
		if (!ms.some((m) => m.has(id))) continue;
		const cells = ms.map((m) => (m.has(id) ? mevals(count, bars, m.get(id)!) : NaN));
		console.log(`  ${label.padEnd(36)} ${cells.map((v) => v.toFixed(0).padStart(5)).join(' ')}   ratios ${cells.map((v) => (v / cells[0]).toFixed(2)).join(' ')}`);
	}
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
