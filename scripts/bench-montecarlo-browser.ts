/**
 * Randomised execution from the app in Chromium: 1,000 re-runs of S4 (sma-cross 10/30, stop-loss 2 %, take-profit
 * 4 %) on the S1 reference window of the bundled BTCUSDT 1h candles, through the page's worker pool, timed from the
 * click to the result (the panel's own figure and the wall clock). Binance blocked: offline, bundled data. Needs
 * `npm run build`.
 */
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/e2e/helpers/chromium';
import { freePort, serveBuild } from './bench-idb';

/** Run it in the browser and print the figures. @throws Error when build/ is missing or the analysis fails. */
export async function benchMonteCarloBrowser(): Promise<void> {
	if (!existsSync('build/index.html')) throw new Error('build/index.html is missing: run `npm run build` first.');
	const port = await freePort();
	const server = await serveBuild(port);
	const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
	try {
		const page = await browser.newPage();
		await page.route('**/api/v3/**', (r) => r.abort('internetdisconnected'));
		await page.goto(`http://127.0.0.1:${port}/`);
		await page.getByTestId('bar-count').waitFor();
		await page.locator('#from').fill('2025-07-25T17:00');
		await page.locator('#to').fill('2026-07-25T16:00');
		await page.locator('#stopLoss-mode').selectOption('fraction');
		await page.getByLabel('Stop-loss value').fill('2');
		await page.locator('#takeProfit-mode').selectOption('fraction');
		await page.getByLabel('Take-profit value').fill('4');
		await page.getByTestId('run').click();
		await page.getByTestId('run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 60_000 });
		const trades = (await page.getByTestId('kpi-nTrades').textContent())?.trim();
		const panel = page.getByTestId('mc-panel');
		await panel.getByTestId('mc-method').selectOption('execution');
		await panel.getByTestId('mc-simulations').fill('1000');
		const workers = Number(((await page.locator('.workers').first().textContent()) ?? '').replace(/[^0-9]/g, '')) || 1;
		const t0 = Date.now();
		await panel.getByTestId('mc-run').click();
		await panel.getByTestId('mc-meta').filter({ hasText: '1,000 simulations' }).waitFor({ timeout: 300_000 });
		const wall = Date.now() - t0;
		const meta = (await panel.getByTestId('mc-meta').textContent()) ?? '';
		const ms = meta.match(/(\d+) ms/)?.[1];
		console.log(
			`montecarlo (Chromium, worker pool of ${workers}): execution, 1,000 re-runs of S4 (${trades} trades) on 8,760 bars: ${ms} ms in the panel, ${wall} ms wall from the click (UI included)`
		);
	} finally {
		await browser.close();
		server.kill();
	}
}

if (import.meta.url === `file://${process.argv[1]}`) await benchMonteCarloBrowser();
