/**
 * The optimisation pool as the page runs it (offline, bundled BTCUSDT 1h candles): one worker per core starts and
 * loads the candles as soon as the market is selected (prewarm, before any run), a grid streams through them with
 * the job posted once per worker, and the progress bar is scaled without any animation (no per-frame repaint).
 */
import { expect, test } from '@playwright/test';
import { blockBinance } from './helpers/binance-mock';
import { fillOptimisation } from './helpers/app';

test('workers are prewarmed on market selection; a grid runs through them; the progress bar never animates', async ({ page }) => {
	await blockBinance(page);
	// Two cores, and a count of the backtest workers the page starts and of the optimisation jobs posted to them.
	await page.addInitScript(`
		Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 2, configurable: true });
		window.__workers = 0;
		window.__jobsPosted = 0;
		const W = window.Worker;
		window.Worker = class extends W {
			constructor(url, options) {
				super(url, options);
				if (options && options.name === 'backtest') window.__workers++;
			}
			postMessage(message, transfer) {
				const args = message && message.type === 'APPLY' && Array.isArray(message.argumentList) ? message.argumentList : [];
				for (const a of args) if (a && a.value && a.value.jobKey && a.value.job) window.__jobsPosted++;
				return super.postMessage(message, transfer);
			}
		};`);
	await page.goto('./optimize/');
	await expect(page.getByTestId('bar-count')).toBeVisible();
	// Prewarm: both workers are up before anything is run.
	await expect.poll(() => page.evaluate(() => (window as unknown as { __workers: number }).__workers)).toBe(2);

	// A grid large enough for several batches per worker (10 × 200 = 2,000 combinations on 17,520 bars).
	await fillOptimisation(page, 'sma-cross', { fast: [5, 14, 1], slow: [20, 219, 1] }, 'grid');
	// Record the progress bar's style the moment it appears (the run may be over before a locator could look).
	await page.evaluate(() => {
		const w = window as unknown as { __bar: { transition: string; width: string; transform: string } | null };
		w.__bar = null;
		const observer = new MutationObserver(() => {
			const el = document.querySelector<HTMLElement>('.opt-bar > div');
			if (!el || w.__bar) return;
			w.__bar = { transition: getComputedStyle(el).transitionDuration, width: el.style.width, transform: el.style.transform };
			observer.disconnect();
		});
		observer.observe(document.body, { subtree: true, childList: true });
	});
	await page.getByTestId('opt-start').click();
	await expect.poll(() => page.evaluate(() => (window as unknown as { __bar: unknown }).__bar)).not.toBeNull();
	const style = await page.evaluate(() => (window as unknown as { __bar: { transition: string; width: string; transform: string } }).__bar);
	expect(style.transition.split(',').every((d) => parseFloat(d) === 0)).toBe(true);
	expect(style.width).toBe('');
	expect(style.transform).toMatch(/^scaleX\(/);
	await expect(page.getByTestId('opt-status')).toHaveText('done', { timeout: 60_000 });
	await expect(page.getByTestId('opt-completed')).toHaveText('2,000');
	const counts = await page.evaluate(() => {
		const w = window as unknown as { __workers: number; __jobsPosted: number; __optimize: { workerBusyMs: number } };
		return { workers: w.__workers, jobsPosted: w.__jobsPosted, busy: w.__optimize.workerBusyMs };
	});
	// No worker was started for the run itself, and the job went to each worker once (not with every batch).
	expect(counts.workers).toBe(2);
	expect(counts.jobsPosted).toBeGreaterThanOrEqual(1);
	expect(counts.jobsPosted).toBeLessThanOrEqual(2);
	expect(counts.busy).toBeGreaterThan(0);
});
