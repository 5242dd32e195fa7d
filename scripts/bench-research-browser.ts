/**
 * The research job of scripts/bench-research.ts (3 markets BTCUSDT, ETHUSDT, BNBUSDT × 1h, 4h × sma-cross and
 * rsi-mean-reversion, small and large grids) run from the app's /research page in Chromium through the worker pool,
 * on the recorded real candles (Binance answered from tests/fixtures by the e2e mock; BNBUSDT 4h built from its 1h
 * candles by the app). The small job runs first (it also syncs the candles into IndexedDB); then both grids run with
 * the candles cached. Prints the wall time from "Create and run" to "completed" (UI included) and the runner's own
 * elapsed time. Needs `npm run build`. Prints figures, asserts only that the jobs complete.
 */
import { existsSync } from 'node:fs';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/e2e/helpers/chromium';
import { mockBinance } from '../tests/e2e/helpers/binance-mock';
import { freePort, serveBuild } from './bench-idb';

const GRIDS = {
	small: { sma: 'fast=5:20:5, slow=30:90:20', rsi: 'period=7|14|21, oversold=20|25|30' },
	large: { sma: 'fast=5:50:1, slow=20:200:10', rsi: 'period=5:30:1, oversold=15:35:1' }
} as const;

async function runJob(page: Page, grid: keyof typeof GRIDS): Promise<{ wallMs: number; elapsedMs: number; trials: number; rows: number; status: string; workers: number }> {
	await page.getByLabel('Name').fill(`bench ${grid}`);
	await page.getByTestId('r-markets').fill('BTCUSDT, ETHUSDT, BNBUSDT');
	await page.getByTestId('r-tf-1h').check();
	await page.getByTestId('r-tf-4h').check();
	await page.getByTestId('r-strategy-sma-cross').check();
	await page.getByTestId('r-strategy-rsi-mean-reversion').check();
	await page.getByTestId('r-axes-sma-cross').fill(GRIDS[grid].sma);
	await page.getByTestId('r-axes-rsi-mean-reversion').fill(GRIDS[grid].rsi);
	await page.getByTestId('r-days').fill('288'); // 2025-07-01 .. 2026-04-14, the Node bench's window
	await page.getByTestId('r-end').fill('2026-04-14');
	await page.getByLabel('Min trades').fill('3');
	const before = await page.getByTestId('research-job').count();
	const t0 = Date.now();
	await page.getByTestId('r-create').click();
	await page.getByTestId('research-job').nth(before).waitFor();
	const job = page.getByTestId('research-job').first();
	await job.getByTestId('job-status').filter({ hasText: /completed|failed|cancelled/ }).waitFor({ timeout: 600_000 });
	const wallMs = Date.now() - t0;
	return page.evaluate(
		({ wallMs }) => {
			const app = (window as unknown as { __backtester: { app: { poolSize: number; research: { jobs: { status: string; rows: unknown[]; progress: { elapsedMs: number; trialsDone: number } }[] } } } }).__backtester.app;
			const j = app.research.jobs[0];
			return { wallMs, elapsedMs: j.progress.elapsedMs, trials: j.progress.trialsDone, rows: j.rows.length, status: j.status, workers: app.poolSize };
		},
		{ wallMs }
	);
}

/** Run the jobs in the browser and print the figures. @throws Error when build/ is missing or a job does not complete. */
export async function benchResearchBrowser(): Promise<void> {
	if (!existsSync('build/research/index.html')) throw new Error('build/research/index.html is missing: run `npm run build` first.');
	const port = await freePort();
	const server = await serveBuild(port);
	const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
	try {
		const page = await browser.newPage();
		await mockBinance(page);
		await page.goto(`http://127.0.0.1:${port}/research/`);
		await page.getByTestId('r-create').waitFor();
		await page.waitForFunction(() => (window as unknown as { __backtester?: { app: { research: { ready: boolean } } } }).__backtester?.app.research.ready);
		const first = await runJob(page, 'small');
		if (first.status !== 'completed') throw new Error(`the research job ended ${first.status}`);
		console.log(
			`research (Chromium, worker pool of ${first.workers}): 3 markets x 2 timeframes x 2 strategies, small grids, first run with candle sync from the mocked Binance: ` +
				`${first.wallMs} ms wall (UI included), runner ${first.elapsedMs.toFixed(0)} ms, ${first.trials.toLocaleString('en-US')} trials, ${first.rows} rows (measured under load)`
		);
		for (const grid of ['small', 'large'] as const) {
			const r = await runJob(page, grid);
			if (r.status !== 'completed') throw new Error(`the research job ended ${r.status}`);
			console.log(
				`research (Chromium, worker pool of ${r.workers}): the same job, ${grid} grids, candles cached in IndexedDB: ${r.wallMs} ms wall (UI included), ` +
					`runner ${r.elapsedMs.toFixed(0)} ms, ${r.trials.toLocaleString('en-US')} trials (measured under load; compare with the Node figures above)`
			);
		}
	} finally {
		await browser.close();
		server.kill();
	}
}

if (import.meta.url === `file://${process.argv[1]}`) await benchResearchBrowser();
