/**
 * What a user feels when optimising in the browser: the 10,000-combination grid (sma-cross fast 2..101 × slow
 * 102..201) over the bundled 17,520 real BTCUSDT 1h bars, started from the app's optimisation screen in Chromium and
 * run through the worker pool (Binance blocked: offline, bundled data), timed inside the page with
 * `performance.now()` from the click on "Start optimisation" to the moment the page shows the job `done` (a
 * MutationObserver, so no Playwright polling rounds the time up). Run with 1 and with 2 workers (the pool size is set
 * through `navigator.hardwareConcurrency`; the workers the page actually starts are counted), interleaved with the
 * same grid in one Node thread with the same WASM kernel (in-process `evaluateBatch`), and prints medians and the
 * browser's throughput per worker as a fraction of Node's single thread. Needs `npm run build`.
 *
 * `npx tsx scripts/bench-optimize-browser.ts [--build DIR[,DIR2...]] [--repeats N] [--workers 1,2]`: other builds of the
 * app (e.g. of an older commit) are run interleaved with the first, to compare; the Node figure uses this checkout's
 * kernel.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/e2e/helpers/chromium';
import { freePort } from './bench-idb';
import { createNodeEngine } from '../src/lib/engine/node';
import { defaultConfig } from '../src/lib/engine/strategies';
import { dataSpanMs, evaluateBatch, runOptimization, type AxisSpec, type OptimizationJob } from '../src/lib/optimize';
import { loadSymbolKlines, sliceColumns } from '../tests/unit/helpers/fixtures';

const HOUR = 3_600_000;
const GRID = { fast: [2, 101], slow: [102, 201] } as const;
const COMBINATIONS = 10_000;

/** Serve an app build directory (any path) with sirv as a single-page app; resolves once it answers. */
async function serveApp(port: number, dir: string): Promise<ChildProcess> {
	const child = spawn('node_modules/.bin/sirv', [dir, '--port', String(port), '--host', '127.0.0.1', '--single', '404.html'], { stdio: 'ignore' });
	const deadline = Date.now() + 30_000;
	while (Date.now() < deadline) {
		try {
			if ((await fetch(`http://127.0.0.1:${port}/`)).ok) return child;
		} catch {
			// not up yet
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	child.kill();
	throw new Error(`sirv did not start on port ${port} within 30 s`);
}

/** One browser run. */
interface BrowserRun {
	ms: number;
	workers: number;
	bars: number;
	/** Time the workers spent inside batches, summed, ms (builds that report it: `OptimizeState.workerBusyMs`). */
	busyMs: number | null;
}

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The grid in one Node thread (same kernel, same runner, 256-trial batches). @returns wall ms and bars. */
async function nodeRun(): Promise<{ ms: number; bars: number }> {
	const all = loadSymbolKlines('BTCUSDT');
	const n = all.openTime.length;
	const ohlcv = sliceColumns(all, n - 17_520, n);
	const engine = await createNodeEngine();
	engine.load(ohlcv);
	const bars = ohlcv.openTime.length;
	const axes: AxisSpec[] = [
		{ name: 'fast', start: GRID.fast[0], end: GRID.fast[1], step: 1 },
		{ name: 'slow', start: GRID.slow[0], end: GRID.slow[1], step: 1 }
	];
	const job: OptimizationJob = { config: defaultConfig('sma-cross'), axes, objective: { key: 'sharpeRatio' }, data: { bars, spanMs: dataSpanMs(ohlcv.openTime, HOUR) } };
	const t0 = performance.now();
	const out = await runOptimization({ job, method: { kind: 'grid' }, evaluate: async (b) => evaluateBatch(engine, job, b), batchSize: 256 });
	const ms = performance.now() - t0;
	if (out.state.evaluated !== COMBINATIONS) throw new Error(`Node evaluated ${out.state.evaluated} combinations, expected ${COMBINATIONS}`);
	return { ms, bars };
}

/**
 * One run of the grid on the optimisation screen with `workers` workers (a fresh browser context: empty IndexedDB).
 * @throws Error when the job does not finish or the page starts another number of workers.
 */
async function browserRun(browser: Browser, port: number, workers: number): Promise<BrowserRun> {
	const context = await browser.newContext();
	try {
		// Pool size: the app sizes its pool from hardwareConcurrency (one per core, or one per core minus one in older
		// builds); count the backtest workers the page really starts.
		// (A string, not a function: tsx would add its __name helper, which the page does not have.)
		await context.addInitScript(`
			Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => ${workers}, configurable: true });
			window.__backtestWorkers = 0;
			const W = window.Worker;
			window.Worker = class extends W {
				constructor(url, options) {
					super(url, options);
					if (options && options.name === 'backtest') window.__backtestWorkers++;
				}
			};`);
		const page = await context.newPage();
		await page.route('**/api/v3/**', (r) => r.abort('internetdisconnected'));
		await page.goto(`http://127.0.0.1:${port}/optimize/`);
		await page.getByTestId('bar-count').waitFor();
		const bars = Number((await page.getByTestId('bar-count').textContent())!.replace(/[^0-9]/g, ''));
		await page.getByTestId('opt-strategy').selectOption('sma-cross');
		for (const [name, [start, end]] of Object.entries(GRID)) {
			await page.getByTestId(`start-${name}`).fill(String(start));
			await page.getByTestId(`end-${name}`).fill(String(end));
			await page.getByTestId(`step-${name}`).fill('1');
		}
		await page.getByTestId('opt-method').selectOption('grid');
		// A user takes longer than this between choosing the market and starting: let the page settle.
		await page.waitForTimeout(500);
		await page.evaluate(() => {
			const w = window as unknown as { __bench: { t0: number; ms: number | null } };
			w.__bench = { t0: NaN, ms: null };
			const button = document.querySelector('[data-testid="opt-start"]')!;
			button.addEventListener('click', () => (w.__bench.t0 = performance.now()), { capture: true, once: true });
			const observer = new MutationObserver(() => {
				const status = document.querySelector('[data-testid="opt-status"]')?.textContent?.trim();
				if (Number.isFinite(w.__bench.t0) && status === 'done' && w.__bench.ms === null) {
					w.__bench.ms = performance.now() - w.__bench.t0;
					observer.disconnect();
				}
			});
			observer.observe(document.body, { subtree: true, childList: true, characterData: true });
		});
		await page.getByTestId('opt-start').click();
		await page.waitForFunction(() => (window as unknown as { __bench: { ms: number | null } }).__bench.ms !== null, undefined, { timeout: 300_000, polling: 250 });
		const ms = await page.evaluate(() => (window as unknown as { __bench: { ms: number } }).__bench.ms);
		const trials = Number((await page.getByTestId('opt-completed').textContent())!.replace(/[^0-9]/g, ''));
		const total = Number((await page.getByTestId('opt-total').textContent())!.replace(/[^0-9]/g, ''));
		if (trials !== COMBINATIONS || total !== COMBINATIONS) throw new Error(`expected ${COMBINATIONS} combinations, got ${trials} of ${total}`);
		const started = await page.evaluate(() => (window as unknown as { __backtestWorkers: number }).__backtestWorkers);
		const busyMs = await page.evaluate(() => (window as unknown as { __optimize?: { workerBusyMs?: number } }).__optimize?.workerBusyMs ?? null);
		return { ms, workers: started, bars, busyMs };
	} finally {
		await context.close();
	}
}

/** Options of {@link benchOptimizeBrowser}. */
export interface BenchOptimizeBrowserOptions {
	/** Build directories to serve and compare (default [`build`]). */
	dirs?: string[];
	/** Interleaved rounds (default 3). */
	repeats?: number;
	/** Pool sizes to run (default [1, 2]). */
	workers?: number[];
}

/**
 * Run the grid in the browser (each pool size) and in Node, interleaved, and print medians.
 * @throws Error when the build is missing or a job does not finish.
 */
export async function benchOptimizeBrowser(o: BenchOptimizeBrowserOptions = {}): Promise<void> {
	const dirs = o.dirs ?? ['build'];
	const repeats = o.repeats ?? 3;
	const sizes = o.workers ?? [1, 2];
	for (const dir of dirs) if (!existsSync(`${dir}/optimize/index.html`)) throw new Error(`${dir}/optimize/index.html is missing: run \`npm run build\` first.`);
	const servers: { dir: string; port: number; server: ChildProcess }[] = [];
	const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
	const node: { ms: number; bars: number }[] = [];
	const runs = new Map<string, BrowserRun[]>();
	try {
		for (const dir of dirs) {
			const port = await freePort();
			servers.push({ dir, port, server: await serveApp(port, dir) });
		}
		for (let r = 0; r < repeats; r++) {
			node.push(await nodeRun());
			for (const s of sizes) {
				for (const { dir, port } of servers) {
					// Ask for `s` workers: builds that keep a core for the page need one more.
					let run = await browserRun(browser, port, s);
					if (run.workers < s) run = await browserRun(browser, port, s + 1);
					const key = `${dir}|${s}`;
					runs.set(key, [...(runs.get(key) ?? []), run]);
				}
			}
		}
	} finally {
		await browser.close();
		for (const { server } of servers) server.kill();
	}
	const nodeMs = median(node.map((x) => x.ms));
	const nodeRate = (COMBINATIONS * node[0].bars) / (nodeMs / 1000);
	console.log(
		`optimize (Node, one thread, same kernel): ${COMBINATIONS.toLocaleString('en')} combinations x ${node[0].bars.toLocaleString('en')} bars in ${nodeMs.toFixed(0)} ms ` +
			`(median of ${repeats}, fastest ${Math.min(...node.map((x) => x.ms)).toFixed(0)} ms; ${node.map((x) => x.ms.toFixed(0)).join(', ')}): ${(nodeRate / 1e6).toFixed(1)} M bar-evaluations/s`
	);
	for (const s of sizes) {
		for (const dir of dirs) {
			const list = runs.get(`${dir}|${s}`)!;
			const ms = median(list.map((x) => x.ms));
			const workers = list[0].workers;
			const rate = (COMBINATIONS * list[0].bars) / (ms / 1000);
			console.log(
				`optimize (Chromium, ${dir}/, worker pool of ${workers}, timed in the page from the click to "done"): ${COMBINATIONS.toLocaleString('en')} combinations x ${list[0].bars.toLocaleString('en')} bars ` +
					`in ${ms.toFixed(0)} ms wall (median of ${repeats}, fastest ${Math.min(...list.map((x) => x.ms)).toFixed(0)} ms; ${list.map((x) => x.ms.toFixed(0)).join(', ')}): ${(rate / 1e6).toFixed(1)} M bar-evaluations/s in total, ` +
					`${(rate / workers / 1e6).toFixed(1)} M per worker = ${((rate / workers / nodeRate) * 100).toFixed(0)} % of Node's single thread` +
					(list.every((x) => x.busyMs !== null) ? `; workers busy ${(median(list.map((x) => x.busyMs! / (x.ms * x.workers))) * 100).toFixed(0)} % of the wall time` : '')
			);
		}
	}
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const arg = (name: string) => {
		const i = process.argv.indexOf(`--${name}`);
		return i > 0 ? process.argv[i + 1] : undefined;
	};
	await benchOptimizeBrowser({
		dirs: arg('build')?.split(','),
		repeats: arg('repeats') ? Number(arg('repeats')) : undefined,
		workers: arg('workers')?.split(',').map(Number)
	});
}
