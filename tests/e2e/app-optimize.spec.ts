/**
 * Optimisation screen, offline on the bundled BTCUSDT 1h candles: a grid search streams through the worker pool
 * with progress, is cancelled, resumed, interrupted by a reload, resumed to completion; the heatmap and the impact
 * view render; the best trial opened as a backtest reproduces its row; walk-forward shows the out-of-sample curve.
 */
import { expect, test, type Page } from '@playwright/test';
import { blockBinance } from './helpers/binance-mock';
import { chartInk, fillOptimisation, metric } from './helpers/app';

async function openOptimize(page: Page): Promise<void> {
	// Test hook: delay each batch of 16 trials by 800 ms so that progress, cancel and reload are observable.
	await page.goto('./optimize/?test-batch-delay=800');
	await expect(page.getByTestId('bar-count')).toBeVisible();
}

test('grid optimisation: progress, cancel, reload, resume, heatmap, impact, backtest, walk-forward', async ({ page }) => {
	await blockBinance(page);
	const pageErrors: string[] = [];
	page.on('pageerror', (e) => pageErrors.push(e.message));
	await openOptimize(page);
	await expect(page.getByRole('link', { name: 'Optimise' })).toHaveAttribute('aria-current', 'page');

	await fillOptimisation(page, 'sma-cross', { fast: [5, 14, 1], slow: [20, 65, 5] }, 'grid');
	await page.getByTestId('opt-start').click();

	// Progress: counts out of 100 and a live throughput.
	await expect(page.getByTestId('opt-total')).toHaveText('100');
	await expect.poll(async () => Number(await page.getByTestId('opt-completed').textContent())).toBeGreaterThan(0);
	await expect(page.getByTestId('opt-throughput')).not.toHaveText('0');
	await page.screenshot({ path: 'test-results/optimize-progress-1280.png', fullPage: true });

	await page.getByTestId('opt-cancel').click();
	await expect(page.getByTestId('opt-status')).toHaveText('cancelled');
	const afterCancel = Number(await page.getByTestId('opt-completed').textContent());
	expect(afterCancel).toBeGreaterThan(0);
	expect(afterCancel).toBeLessThan(100);

	// Resume, then reload while it runs: the job is saved and shows as interrupted.
	await page.getByTestId('opt-resume').click();
	await expect(page.getByTestId('opt-status')).toHaveText('running');
	// Two more batches (> 1 s: at least one periodic save), with batches left to run.
	await expect.poll(async () => Number(await page.getByTestId('opt-completed').textContent())).toBeGreaterThanOrEqual(afterCancel + 32);
	await page.reload();
	await expect(page.getByTestId('bar-count')).toBeVisible();
	await expect(page.getByTestId('opt-status')).toHaveText('interrupted');
	const saved = Number(await page.getByTestId('opt-completed').textContent());
	expect(saved).toBeGreaterThanOrEqual(afterCancel);
	await page.getByTestId('opt-resume').click();
	await expect(page.getByTestId('opt-status')).toHaveText('done', { timeout: 60_000 });
	await expect(page.getByTestId('opt-completed')).toHaveText('100');
	await expect(page.getByTestId('opt-job')).toHaveCount(1);

	// Best trials table, heatmap (100 cells, hover values) and impact (10 + 10 bars, a ranking of 2).
	const rows = page.getByTestId('opt-row');
	await expect(rows.first()).toBeVisible();
	await page.getByTestId('heat-run').click();
	await expect(page.getByTestId('heatmap-cell')).toHaveCount(100);
	await page.getByTestId('heatmap-cell').nth(37).hover();
	await expect(page.getByTestId('heatmap-hover')).toContainText(/fast \d+, slow \d+: /);
	await expect(page.getByTestId('impact-bar')).toHaveCount(20);
	await expect(page.getByTestId('impact-ranking').locator('li')).toHaveCount(2);
	await page.screenshot({ path: 'test-results/optimize-results-1280.png', fullPage: true });

	// Sorting by trade count reorders the rows (descending).
	await page.getByTestId('sort-nTrades').click();
	const trades = (await rows.locator('td[data-col="nTrades"]').allTextContents()).map((t) => Number(t.replace(/,/g, '')));
	expect(trades).toEqual([...trades].sort((a, b) => b - a));
	await page.getByTestId('sort-nTrades').click();
	await page.getByRole('button', { name: '#' }).click();

	// Compare two parameter sets: rows 1 and 3 side by side, values equal to their table rows.
	await rows.nth(0).getByTestId('pick').check();
	await rows.nth(2).getByTestId('pick').check();
	const cmp = page.getByTestId('opt-compare');
	await expect(cmp).toBeVisible();
	const eq = async (i: number) => (await rows.nth(i).locator('td[data-col="finalEquity"]').textContent())!.trim();
	const cmpEq = page.getByTestId('cmp-finalEquity').locator('td');
	await expect(cmpEq.nth(1)).toHaveText(await eq(0));
	await expect(cmpEq.nth(2)).toHaveText(await eq(2));
	await expect(page.getByTestId('cmp-sharpeRatio').locator('td.better')).toHaveCount(1);

	// Walk-forward: rolling, 3 splits, 75 % train.
	await page.getByTestId('wf-splits').fill('3');
	await page.getByTestId('wf-train').fill('75');
	await page.getByTestId('wf-run').click();
	await expect(page.getByTestId('wf-efficiency')).toBeVisible({ timeout: 60_000 });
	await expect(page.getByTestId('wf-split')).toHaveCount(3);
	await expect.poll(() => chartInk(page, 'oos-chart')).toBeGreaterThan(2_000);
	await page.screenshot({ path: 'test-results/optimize-walkforward-1280.png', fullPage: true });

	await page.setViewportSize({ width: 390, height: 844 });
	await page.screenshot({ path: 'test-results/optimize-390.png', fullPage: true });
	await page.getByRole('region', { name: 'Heatmap' }).screenshot({ path: 'test-results/optimize-390-heatmap.png' });
	await page.getByRole('region', { name: 'Best trials' }).screenshot({ path: 'test-results/optimize-390-top.png' });
	await page.getByRole('region', { name: 'Walk-forward' }).screenshot({ path: 'test-results/optimize-390-wf.png' });
	await page.getByRole('region', { name: 'Optimisation', exact: true }).screenshot({ path: 'test-results/optimize-390-form.png' });
	await page.setViewportSize({ width: 1280, height: 800 });

	// Open the best trial as a backtest: same final equity and trade count.
	const best = rows.first();
	const finalEquity = (await best.locator('td[data-col="finalEquity"]').textContent())!.trim();
	const nTrades = (await best.locator('td[data-col="nTrades"]').textContent())!.trim();
	await best.getByTestId('open-backtest').click();
	await expect(page).toHaveURL(/\?run=/);
	await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
	expect(await metric(page, 'finalEquity')).toBe(finalEquity);
	expect(await metric(page, 'nTrades')).toBe(nTrades);
	expect(pageErrors).toEqual([]);
});
