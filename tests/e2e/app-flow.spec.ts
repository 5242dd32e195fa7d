/**
 * The Backtest screen's flow and messages at 1280×800 and on a 390×844 phone: Run stays reachable,
 * a finished run brings its figures into sight, a reload reopens the last run and the form of the
 * market, date presets, a skip link, one compact connectivity badge with details, a sync error that
 * belongs to its market, ranked symbol search, and 4h candles built from stored 1h ones offline.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { expect, test, type Page } from '@playwright/test';
import { blockBinance, mockBinance } from './helpers/binance-mock';
import { openApp, runBacktest } from './helpers/app';

const SIZES = [
	{ name: 'desktop', width: 1280, height: 800 },
	{ name: 'phone', width: 390, height: 844 }
] as const;

async function inViewport(page: Page, testId: string): Promise<boolean> {
	return page.getByTestId(testId).first().evaluate((el) => {
		const r = el.getBoundingClientRect();
		return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0;
	});
}

for (const size of SIZES) {
	test.describe(size.name, () => {
		test.use({ viewport: { width: size.width, height: size.height } });

		test(`run reachable, result in sight, reload restores, presets, skip link (${size.name})`, async ({ page }) => {
			await blockBinance(page);
			await openApp(page);
			// Run is on screen without scrolling (sticky on desktop, floating on a phone).
			expect(await inViewport(page, 'run')).toBe(true);
			await page.mouse.wheel(0, 600);
			await expect.poll(() => inViewport(page, 'run')).toBe(true);

			// Date presets: 1Y of the stored candles = the reference window (8,760 1h bars).
			await page.getByTestId('preset-1Y').click();
			await expect(page.getByTestId('bar-count')).toHaveText('8,760');
			await expect(page.locator('#from')).toHaveValue('2025-07-25T17:00');

			await page.getByTestId('param-fast').fill('12');
			expect(await runBacktest(page)).toBe('completed');
			// The headline figures are brought into sight.
			await expect.poll(() => inViewport(page, 'kpis')).toBe(true);
			const equity = await page.getByTestId('kpi-finalEquity').textContent();

			// A reload reopens the run and restores the form of this market.
			await page.reload();
			await expect(page.getByTestId('run-view')).toContainText('SMA cross 12/30');
			await expect(page.getByTestId('kpi-finalEquity')).toHaveText(equity!);
			await expect(page.getByTestId('param-fast')).toHaveValue('12');

			// Skip link: the first tab stop, visible when focused, moves focus to the content.
			await page.keyboard.press('Tab');
			const skip = page.getByRole('link', { name: 'Skip to content' });
			await expect(skip).toBeFocused();
			expect(await skip.evaluate((el) => el.getBoundingClientRect().top >= 0)).toBe(true);
			await page.keyboard.press('Enter');
			await expect(page.locator('main#main')).toBeFocused();
		});

		test(`compact offline status, sync error per market, 4h from stored 1h (${size.name})`, async ({ page }) => {
			await mockBinance(page, [{ path: '/api/v3/klines', status: 400, times: 1, body: { code: -1121, msg: 'Invalid symbol.' } }]);
			await openApp(page);
			// Sync a symbol Binance rejects: the error shows, then goes when another market is picked.
			await page.locator('#symbol').fill('NOPEUSDT');
			await page.locator('#symbol').press('Enter');
			await page.getByTestId('sync').click();
			await expect(page.getByTestId('sync-error')).toBeVisible();
			await page.locator('#symbol').fill('BTCUSDT');
			await page.locator('#symbol').press('Enter');
			await expect(page.getByTestId('sync-error')).toHaveCount(0);
			await expect(page.getByTestId('bar-count')).toHaveText('17,520');

			// Binance goes away: one compact badge in a one-line top bar, details on demand.
			await page.unrouteAll({ behavior: 'ignoreErrors' });
			await blockBinance(page);
			await page.reload();
			await expect(page.getByTestId('bar-count')).toBeVisible();
			const badge = page.getByTestId('conn-badge');
			await expect(badge).toContainText(size.name === 'desktop' ? 'Offline: cached data' : 'Cached');
			const bar = (await page.locator('header.topbar').boundingBox())!;
			// On a phone the section links take their own row under the brand and status: the status row stays one line.
			const navBox = (await page.getByRole('navigation', { name: 'Main' }).boundingBox())!;
			const statusRow = navBox.y > bar.y + 10 ? navBox.y - bar.y : bar.height;
			expect(statusRow).toBeLessThanOrEqual(49);
			expect((await badge.boundingBox())!.y + (await badge.boundingBox())!.height).toBeLessThanOrEqual(bar.y + statusRow);
			const note = (await page.getByTestId('offline-reason').boundingBox())!;
			expect(note.height).toBeLessThan(60);
			await badge.click();
			await expect(page.getByTestId('conn-details')).toContainText('Could not reach Binance');
			await page.keyboard.press('Escape');
			await expect(page.getByTestId('conn-details')).toHaveCount(0);
			await expect(page.getByTestId('search-offline')).toContainText('BTCUSDT');

			// 4h candles from the stored 1h ones, marked derived, and they backtest.
			await page.locator('#interval').selectOption('4h');
			await expect(page.getByTestId('derived-note')).toContainText('built from the stored 1h candles');
			await expect(page.getByTestId('data-source')).toHaveText('derived from 1h');
			const bars = Number((await page.getByTestId('bar-count').textContent())!.replace(/,/g, ''));
			expect(bars).toBe(17_520 / 4 - 1);
			expect(await runBacktest(page)).toBe('completed');
			await expect(page.getByTestId('run-view')).toContainText('BTCUSDT 4h');
			await expect(page.getByTestId('chart').locator('canvas').first()).toBeVisible();
		});

		test(`symbol search ranks exact and prefix matches, then 24h volume (${size.name})`, async ({ page }) => {
			await mockBinance(page);
			const info = gunzipSync(readFileSync('tests/fixtures/api/spot-exchangeInfo-full-2022-12-17.json.gz')).toString('utf8');
			const tickers = gunzipSync(readFileSync('tests/fixtures/api/spot-ticker-24hr-all-2024-03-10.json.gz')).toString('utf8');
			const headers = { 'access-control-allow-origin': '*', 'content-type': 'application/json' };
			await page.route('**/api/v3/exchangeInfo', (r) => r.fulfill({ status: 200, headers, body: info }));
			await page.route('**/api/v3/ticker/24hr', (r) => r.fulfill({ status: 200, headers, body: tickers }));
			await openApp(page);
			await expect(page.getByTestId('quote-filter')).toBeVisible();
			await page.locator('#symbol').focus();
			await page.locator('#symbol').fill('eth');
			const options = page.getByTestId('symbol-suggestions').locator('option');
			await expect(options.first()).toHaveAttribute('value', 'ETHUSDT');
			const values = await options.evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
			expect(values.slice(0, 5).every((v) => v.startsWith('ETH') && v.endsWith('USDT'))).toBe(true);
			await page.getByTestId('quote-filter').selectOption('BTC');
			await expect(options.first()).toHaveAttribute('value', 'ETHBTC');
		});
	});
}
