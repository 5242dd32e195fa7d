/**
 * The market scanner in Chromium against recorded real Binance answers: a top-N scan (ticker/24hr + exchangeInfo +
 * daily klines from fixtures, one market answered with HTTP 451 mid-scan), the alerts view, a market's chart with
 * its bands and the repaint note, the causal poly-bands backtest opened from it, the scan reopened after a reload;
 * and an offline first visit scanning the bundled daily candles, each market as of its own last candle.
 */
import { expect, test } from '@playwright/test';
import { chartInk } from './helpers/app';
import { blockBinance, blockBundledDataset } from './helpers/binance-mock';
import { blockBundledDaily, mockBinanceForScanner } from './helpers/scanner-mock';

test('top-N scan, alerts view, bands chart, causal backtest, reopened after reload', async ({ page }) => {
	const log = await mockBinanceForScanner(page, { fail451: ['DOGEUSDT'] });
	await blockBundledDaily(page);
	await page.goto('./scanner/');
	await expect(page.getByTestId('scan-run')).toBeEnabled();
	await page.getByTestId('scan-top-n').fill('40');
	await page.getByTestId('scan-run').click();
	await expect(page.getByTestId('scan-history').locator('li')).toHaveCount(1, { timeout: 60_000 });
	await expect(page.getByTestId('scan-table').locator('tbody tr')).toHaveCount(40);
	await expect(page.getByTestId('scan-progress')).toContainText('40 / 40 markets');
	const fetched = Number(((await page.getByTestId('scan-progress').textContent()) ?? '').match(/([\d,]+) candles fetched/)![1].replace(/,/g, ''));
	expect(fetched).toBeGreaterThan(2000);
	expect(log.other.some((u) => u.pathname.endsWith('/ticker/24hr'))).toBe(true);
	// Counts add up; the 451 and the markets without recorded candles fail alone, with their reason.
	const n = async (id: string) => Number(await page.getByTestId(id).textContent());
	expect((await n('count-buy')) + (await n('count-sell')) + (await n('count-hold')) + (await n('count-failed'))).toBe(40);
	await expect(page.locator('tr[data-symbol="DOGEUSDT"]')).toContainText('HTTP 451');
	await expect(page.locator('tr[data-symbol="BTCUSDT"]')).toContainText('2026-03-01');
	await expect(page.locator('tr.failed').first()).toContainText(/not enough data|HTTP 451/);
	await expect(page.getByTestId('top-buy')).toBeVisible();
	await expect(page.getByTestId('top-sell')).toBeVisible();
	// Sorting by a column.
	await page.getByRole('button', { name: /^Market/ }).click();
	const firstSymbols = await page.locator('tbody tr').evaluateAll((rows) => rows.slice(0, 3).map((r) => r.getAttribute('data-symbol')));
	expect([...firstSymbols].sort()).toEqual(firstSymbols);

	// A market's chart with the fitted curve and bands, and the hindsight note.
	await page.locator('tr[data-symbol="BTCUSDT"] button.link').click();
	await expect(page.getByTestId('repaint-note')).toContainText('hindsight');
	await expect.poll(() => chartInk(page, 'bands-chart')).toBeGreaterThan(5000);
	await page.screenshot({ path: '/tmp/scanner-desktop.png', fullPage: false });
	await page.getByTestId('scan-detail').screenshot({ path: '/tmp/scanner-detail.png' });

	// The causal band strategy on that market.
	await page.getByTestId('scan-backtest').click();
	await expect(page).toHaveURL(/\?run=/);
	await expect(page.getByTestId('run-status')).toHaveText(/completed/, { timeout: 60_000 });
	await expect(page.locator('#strategy')).toHaveValue('poly-bands');
	await expect.poll(() => chartInk(page, 'chart')).toBeGreaterThan(5000);
	await page.screenshot({ path: '/tmp/scanner-backtest.png' });
	await expect(page.getByTestId('param-exitAt')).toHaveValue('0');
	await expect(page.getByTestId('param-exitAt').locator('option:checked')).toHaveText('fit');
	await page.getByTestId('param-exitAt').scrollIntoViewIfNeeded();
	await page.screenshot({ path: '/tmp/scanner-backtest-form.png' });

	// Reopened after a reload: the stored scan comes back with every row.
	await page.goto('./scanner/');
	await page.reload();
	await expect(page.getByTestId('scan-table').locator('tbody tr')).toHaveCount(40);
	await expect(page.getByTestId('scan-history').locator('li')).toHaveCount(1);
	await expect(page.locator('tr[data-symbol="DOGEUSDT"]')).toContainText('HTTP 451');

	// Phone layout.
	await page.setViewportSize({ width: 390, height: 844 });
	await page.locator('tr[data-symbol="BTCUSDT"] button.link').click();
	await expect.poll(() => chartInk(page, 'bands-chart')).toBeGreaterThan(2000);
	await page.screenshot({ path: '/tmp/scanner-phone.png', fullPage: false });
	await page.evaluate(() => window.scrollTo(0, document.querySelector('[data-testid="scan-summary"]')!.getBoundingClientRect().top + window.scrollY - 60));
	await page.screenshot({ path: '/tmp/scanner-phone-top.png', fullPage: false });
	await page.locator('[data-testid="scan-table"]').scrollIntoViewIfNeeded();
	await page.screenshot({ path: '/tmp/scanner-phone-table.png', fullPage: false });
});

test('offline first visit: the bundled daily candles are scanned, each market as of its last candle', async ({ page }) => {
	await blockBinance(page);
	await blockBundledDataset(page);
	await page.goto('./scanner/');
	await expect(page.getByTestId('scan-run')).toBeEnabled();
	await page.getByTestId('scan-run').click();
	await expect(page.getByTestId('scan-history').locator('li')).toHaveCount(1, { timeout: 60_000 });
	await expect(page.getByTestId('scan-note').first()).toContainText('could not be reached');
	await expect(page.getByTestId('scan-note').nth(1)).toContainText('47 1d USDT markets stored on this device are scanned instead of the top 100');
	await expect(page.getByTestId('scan-table').locator('tbody tr')).toHaveCount(47);
	await expect(page.locator('tr[data-symbol="MATICUSDT"]')).toContainText('2024-09-10');
	await expect(page.locator('tr[data-symbol="BTCUSDT"]')).toContainText('2026-03-01');
	await expect(page.locator('tr[data-symbol="ETHUSDT"]')).toContainText('2022-06-30');
	expect(await page.locator('tr.failed').count()).toBe(0);
	await page.screenshot({ path: '/tmp/scanner-offline.png' });
	// A warm scan (every candle cached): the time the page shows for the whole scan, fits in the worker included.
	await page.getByTestId('scan-run').click();
	await expect(page.getByTestId('scan-history').locator('li')).toHaveCount(2, { timeout: 60_000 });
	const secs = Number(((await page.getByTestId('scan-summary').textContent()) ?? '').match(/([\d.]+) s/)![1]);
	console.log(`warm scan of 47 cached markets (720 daily candles, degree 4), measured under load: ${secs.toFixed(2)} s`);
	expect(secs).toBeLessThan(10);
	await expect(page.getByTestId('scan-changes')).toContainText('No signal changed since');
	// CSV export of the shown scan.
	const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
	const csv = await (await import('node:fs')).promises.readFile((await download.path())!, 'utf8');
	expect(csv.split('\n')[0]).toBe('symbol,signal,close,fit,sigma,upper,lower,potentialReturnRatio,targetReturnRatio,candles,asOf,quoteVolume,error,note');
	expect(csv).toContain('MATICUSDT,');
});
