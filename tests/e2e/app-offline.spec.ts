/**
 * First visit with Binance unreachable: the bundled BTCUSDT 1h candles load into IndexedDB, an
 * sma-cross backtest runs in a worker, and the page shows statistics, a chart with trade markers,
 * equity and drawdown, and says why Binance is not reachable.
 */
import { expect, test } from '@playwright/test';
import { blockBinance } from './helpers/binance-mock';
import { METRIC_INFO } from '../../src/lib/metrics/info';
import { chartInk, metric, openApp, runBacktest } from './helpers/app';

test('offline first visit runs sma-cross on the bundled BTCUSDT 1h data', async ({ page }) => {
	await blockBinance(page);
	await openApp(page);

	await expect(page.getByTestId('offline-reason')).toContainText('Binance is not reachable');
	await expect(page.getByTestId('offline-reason')).toContainText('Could not reach Binance');
	await expect(page.getByTestId('bar-count')).toHaveText('17,520');
	await expect(page.getByTestId('data-quality')).toContainText('bundled');
	await expect(page.getByTestId('data-quality')).toContainText('2024-07-25T17:00:00Z');

	expect(await runBacktest(page)).toBe('completed');

	// Headline figures and the full statistics table.
	expect(Number((await metric(page, 'nTrades')).replace(/,/g, ''))).toBeGreaterThan(100);
	await expect(page.getByTestId('kpi-finalEquity')).toHaveText(/^\d{1,3}(,\d{3})*\.\d{2}$/);
	await expect(page.getByTestId('kpi-maxDrawdownRatio')).toHaveText(/^\d+\.\d{2}%$/);
	const stats = page.getByTestId('stats');
	await expect(stats.locator('tr[data-metric]')).toHaveCount(METRIC_INFO.length);
	await expect(stats.locator('tr[data-metric="sharpeRatio"] th')).toHaveAttribute('title', /mean\(daily return\)/);

	// Chart: candles, SMA lines, trade markers (legend lists what was drawn), equity and drawdown panes.
	const legend = page.getByRole('list', { name: 'Chart legend' });
	for (const item of ['SMA 10', 'SMA 30', 'Long entry', 'Signal exit', 'Equity', 'Drawdown']) await expect(legend).toContainText(item);
	await expect(page.getByTestId('chart').locator('canvas').first()).toBeVisible();
	await expect.poll(() => chartInk(page, 'chart')).toBeGreaterThan(20_000);
	const shot = await page.getByTestId('chart').screenshot();
	expect(shot.byteLength).toBeGreaterThan(20_000); // a blank 600-px canvas compresses to a few kB

	// Trades table: sortable and paginated.
	await expect(page.getByTestId('trades-page')).toHaveText(/^1 \/ \d+$/);
	await page.getByRole('button', { name: 'Next page' }).click();
	await expect(page.getByTestId('trades-page')).toHaveText(/^2 \/ \d+$/);
	await page.getByRole('button', { name: /^P&L/ }).click();
	await expect(page.getByTestId('trades-page')).toHaveText(/^1 \/ \d+$/);
	const pnls = await page.getByTestId('trades').locator('tbody tr td:nth-child(8)').allTextContents();
	const values = pnls.map((t) => Number(t.replace(/,/g, '')));
	expect(values).toEqual([...values].sort((a, b) => b - a));
});
