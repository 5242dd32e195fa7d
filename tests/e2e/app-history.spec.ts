/**
 * Run history in IndexedDB: runs survive a reload, reopen with the same numbers, two runs compare
 * side by side (statistics and equity curves on one chart), and a run can be deleted.
 */
import { expect, test } from '@playwright/test';
import { blockBinance, REFERENCE_RANGE } from './helpers/binance-mock';
import { chartInk, metric, openApp, runBacktest, setRange, referenceCosts } from './helpers/app';

test('runs are kept across a reload, reopen with the same numbers, and compare', async ({ page }) => {
	await blockBinance(page);
	await openApp(page);
	await referenceCosts(page);
	await setRange(page, REFERENCE_RANGE.from, REFERENCE_RANGE.to);
	await expect(page.getByTestId('bar-count')).toHaveText('8,760');

	// Run 1: S1 on the bundled candles of the reference window.
	expect(await runBacktest(page)).toBe('completed');
	const first = {
		finalEquity: await metric(page, 'finalEquity'),
		nTrades: await metric(page, 'nTrades'),
		maxDrawdownRatio: await metric(page, 'maxDrawdownRatio'),
		sharpeRatio: await metric(page, 'sharpeRatio')
	};
	expect(first).toMatchObject({ finalEquity: '5,174.69', nTrades: '168', maxDrawdownRatio: '49.86%' });

	// Run 2: other parameters.
	await page.getByTestId('param-fast').fill('20');
	await page.getByTestId('param-slow').fill('50');
	expect(await runBacktest(page)).toBe('completed');
	const secondEquity = await metric(page, 'finalEquity');
	expect(secondEquity).not.toBe(first.finalEquity);

	await page.reload();
	await page.goto('./history/');
	const rows = page.getByTestId('history-row');
	await expect(rows).toHaveCount(2);
	await expect(rows.nth(0)).toContainText('SMA cross 20/50 · BTCUSDT 1h');
	await expect(rows.nth(1)).toContainText('SMA cross 10/30 · BTCUSDT 1h');
	await expect(rows.nth(1)).toContainText('completed');
	await expect(rows.nth(1)).toContainText('5,174.69');
	await expect(rows.nth(1)).toContainText('2025-07-25 17:00 → 2026-07-25 16:00');

	// Compare the two runs.
	await rows.nth(0).getByTestId('compare-toggle').check();
	await rows.nth(1).getByTestId('compare-toggle').check();
	const compare = page.getByTestId('compare');
	await expect(compare.getByTestId('stats').locator('thead').first()).toContainText('#1');
	await expect(compare.getByTestId('stats').locator('thead').first()).toContainText('#2');
	const finalRow = compare.locator('tr[data-metric="finalEquity"] td');
	await expect(finalRow).toHaveText([secondEquity, '5,174.69']);
	await expect.poll(() => chartInk(page, 'compare-chart')).toBeGreaterThan(5_000);

	// Reopen run 1: the same numbers as when it ran.
	await rows.nth(1).getByTestId('open-run').click();
	await expect(page.getByTestId('run-view')).toContainText('SMA cross 10/30');
	for (const [k, v] of Object.entries(first)) expect(await metric(page, k)).toBe(v);
	await expect(page.getByTestId('chart').locator('canvas').first()).toBeVisible();

	// Delete run 2 from the history; it stays deleted after a reload.
	await page.goto('./history/');
	await expect(rows).toHaveCount(2);
	await rows.nth(0).getByTestId('delete-run').click();
	await expect(rows).toHaveCount(1);
	await page.reload();
	await expect(rows).toHaveCount(1);
	await expect(rows.nth(0)).toContainText('SMA cross 10/30');
});
