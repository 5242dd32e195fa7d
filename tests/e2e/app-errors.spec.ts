/**
 * Failure paths: Binance rate limiting and region blocks during sync, invalid parameters, and
 * workers that throw, hang or are cancelled. In every case the page stays usable.
 */
import { expect, test } from '@playwright/test';
import { blockBinance, blockBundledDataset, mockBinance } from './helpers/binance-mock';
import { openApp, runBacktest, setRange } from './helpers/app';

test('a 429 with Retry-After is waited out and the sync completes', async ({ page }) => {
	await blockBundledDataset(page);
	const log = await mockBinance(page, [{ path: '/api/v3/klines', status: 429, headers: { 'retry-after': '1' }, body: { code: -1003, msg: 'Too many requests.' } }]);
	await page.goto('./');
	await expect(page.getByTestId('data-quality')).toContainText('No BTCUSDT 1h candles are stored');
	await setRange(page, '2026-07-01T00:00', '2026-07-25T16:00');
	await page.getByTestId('sync').click();
	await expect(page.getByTestId('sync-message')).toContainText('Fetched 593 candles (593 new)');
	await expect(page.getByTestId('sync-error')).toHaveCount(0);
	expect(log.failuresServed).toBe(1);
	const klines = log.requests.filter((u) => u.pathname.endsWith('/klines'));
	expect(klines).toHaveLength(2); // the rate-limited request, then the same request again
	expect(klines[1].search).toBe(klines[0].search);
	await expect(page.getByTestId('bar-count')).toHaveText('593');
});

test('a 451 region block explains itself and the cached candles stay usable', async ({ page }) => {
	await mockBinance(page, [
		{ path: '/api/v3/klines', status: 451, times: Infinity, body: { code: 0, msg: 'Service unavailable from a restricted location according to b. Eligibility.' } }
	]);
	await openApp(page);
	// A range before the bundled candles, so the sync must ask Binance.
	await setRange(page, '2024-07-01T00:00', '2024-07-20T00:00');
	await page.getByTestId('sync').click();
	const error = page.getByTestId('sync-error');
	await expect(error).toContainText('Binance refuses requests from your region (HTTP 451)');
	await expect(error).toContainText('import kline files');
	await expect(page.getByText('Offline: cached data')).toBeVisible();

	await page.getByRole('button', { name: 'Use stored range' }).click();
	await expect(page.getByTestId('bar-count')).toHaveText('17,520');
	expect(await runBacktest(page)).toBe('completed');
});

test('an invalid parameter shows an inline message and blocks the run', async ({ page }) => {
	await blockBinance(page);
	await openApp(page);
	const run = page.getByTestId('run');
	await expect(run).toBeEnabled();

	await page.getByTestId('param-fast').fill('1');
	await expect(page.getByText('fast must be between 2 and 500, got 1')).toBeVisible();
	await expect(page.getByTestId('param-fast')).toHaveAttribute('aria-invalid', 'true');
	await expect(run).toBeDisabled();
	await expect(page.getByTestId('run-blocked')).toHaveText('Fix 1 field to run.');

	await page.getByTestId('param-fast').fill('40');
	await expect(page.getByTestId('constraint-error')).toHaveText('fast must be smaller than slow');
	await expect(run).toBeDisabled();

	await page.getByTestId('param-fast').fill('');
	await expect(page.getByText('fast is required (2 to 500)')).toBeVisible();

	await page.getByLabel('Fee per fill').fill('-1');
	await page.getByTestId('param-fast').fill('12');
	await expect(page.getByText('Fee must be from 0 below 50 %, got -1')).toBeVisible();
	await expect(run).toBeDisabled();
	await page.getByLabel('Fee per fill').fill('0.1');
	await expect(run).toBeEnabled();
	await expect(page.getByTestId('recent-run')).toHaveCount(0); // nothing ran while invalid
});

test('a worker that throws marks the run failed and the next run works', async ({ page }) => {
	await blockBinance(page);
	await openApp(page, './?test-crash=1');
	expect(await runBacktest(page)).toBe('failed');
	await expect(page.getByTestId('run-error')).toContainText('Run failed: Test fault: the backtest worker threw on purpose');

	expect(await runBacktest(page)).toBe('completed');
	await page.goto('./history/');
	await expect(page.getByTestId('history-row').filter({ hasText: 'failed' })).toContainText('Test fault');
	await expect(page.getByTestId('history-row').filter({ hasText: 'completed' })).toHaveCount(1);
});

test('a hung worker times out, is replaced, and the page stays responsive', async ({ page }) => {
	await blockBinance(page);
	await openApp(page, './?test-crash=hang&test-timeout=2500');
	expect(await runBacktest(page)).toBe('failed');
	await expect(page.getByTestId('run-error')).toContainText('did not finish within 3 s; its worker was stopped and replaced');
	// The page never froze: the form still reacts, and a new worker runs the next job.
	await page.getByTestId('param-fast').fill('12');
	await expect(page.getByTestId('param-fast')).toHaveValue('12');
	expect(await runBacktest(page)).toBe('completed');
});

test('a running backtest can be cancelled', async ({ page }) => {
	await blockBinance(page);
	await openApp(page);
	await page.evaluate(() => (window as unknown as { __backtester: { crashNextRun(m: string): void } }).__backtester.crashNextRun('hang'));
	await page.getByTestId('run').click();
	await expect(page.getByTestId('run-status')).toHaveText('running');
	await page.getByTestId('cancel-run').click();
	await expect(page.getByTestId('run-status')).toHaveText('failed');
	await expect(page.getByTestId('run-error')).toContainText('Cancelled by the user.');
	expect(await runBacktest(page)).toBe('completed');
});
