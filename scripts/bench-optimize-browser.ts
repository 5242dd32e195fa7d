/**
 * The 10,000-combination grid (sma-cross fast 2..101 × slow 102..201) over the bundled 17,520 real BTCUSDT 1h bars,
 * run from the app's optimisation screen in Chromium through the worker pool (Binance blocked: offline, bundled data).
 * Prints wall time and bar-evaluations per second in total and per worker. Needs `npm run build`.
 */
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/e2e/helpers/chromium';
import { freePort, serveBuild } from './bench-idb';

/** Run the grid in the browser and print the figures. @throws Error when build/ is missing or the job does not finish. */
export async function benchOptimizeBrowser(): Promise<void> {
	if (!existsSync('build/optimize/index.html')) throw new Error('build/optimize/index.html is missing: run `npm run build` first.');
	const port = await freePort();
	const server = await serveBuild(port);
	const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
	try {
		const page = await browser.newPage();
		await page.route('**/api/v3/**', (r) => r.abort('internetdisconnected'));
		await page.goto(`http://127.0.0.1:${port}/optimize/`);
		await page.getByTestId('bar-count').waitFor();
		const bars = Number((await page.getByTestId('bar-count').textContent())!.replace(/[^0-9]/g, ''));
		await page.getByTestId('opt-strategy').selectOption('sma-cross');
		for (const [name, start, end] of [['fast', 2, 101], ['slow', 102, 201]] as const) {
			await page.getByTestId(`start-${name}`).fill(String(start));
			await page.getByTestId(`end-${name}`).fill(String(end));
			await page.getByTestId(`step-${name}`).fill('1');
		}
		await page.getByTestId('opt-method').selectOption('grid');
		const workersText = (await page.locator('.workers').first().textContent()) ?? '';
		const t0 = Date.now();
		await page.getByTestId('opt-start').click();
		await page.getByTestId('opt-status').filter({ hasText: 'done' }).waitFor({ timeout: 300_000 });
		const ms = Date.now() - t0;
		const trials = Number((await page.getByTestId('opt-completed').textContent())!.replace(/[^0-9]/g, ''));
		const total0 = Number((await page.getByTestId('opt-total').textContent())!.replace(/[^0-9]/g, ''));
		if (trials !== 10_000 || total0 !== 10_000) throw new Error(`expected 10,000 combinations, got ${trials} of ${total0}`);
		const workers = Number(workersText.replace(/[^0-9]/g, '')) || 1;
		const total = (trials * bars) / (ms / 1000);
		console.log(
			`optimize (Chromium, worker pool of ${workers}): ${trials.toLocaleString('en')} combinations x ${bars.toLocaleString('en')} bars in ${ms} ms wall (UI included): ` +
				`${(total / 1e6).toFixed(1)} M bar-evaluations/s in total, ${(total / workers / 1e6).toFixed(1)} M per worker`
		);
	} finally {
		await browser.close();
		server.kill();
	}
}

if (import.meta.url === `file://${process.argv[1]}`) await benchOptimizeBrowser();
