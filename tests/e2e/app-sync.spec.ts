/**
 * Sync from (a recorded stand-in for) Binance, then the S1 reference scenario run from the UI.
 * Reference: tests/fixtures/reference/backtrader/S1.BTCUSDT.json (backtrader on the same 8,760 bars).
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { blockBundledDataset, mockBinance, REFERENCE_RANGE } from './helpers/binance-mock';
import { metric, runBacktest, setRange, referenceCosts } from './helpers/app';

const S1 = JSON.parse(readFileSync('tests/fixtures/reference/backtrader/S1.BTCUSDT.json', 'utf8')).summary as {
	final_equity: number;
	n_trades: number;
	max_drawdown_pct: number;
};
const money = (v: number) => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

test('syncs BTCUSDT 1h over the reference window with progress, then S1 reproduces the reference', async ({ page }) => {
	// Empty store: no bundled candles, so every candle comes from the (mocked) API.
	await blockBundledDataset(page);
	const log = await mockBinance(page);
	await page.goto('./');
	await expect(page.getByText('Binance online')).toBeVisible();
	await expect(page.getByTestId('data-quality')).toContainText('No BTCUSDT 1h candles are stored');
	await expect(page.getByTestId('run')).toBeDisabled();

	await setRange(page, REFERENCE_RANGE.from, REFERENCE_RANGE.to);
	await page.getByTestId('sync').click();

	const bar = page.getByRole('progressbar', { name: 'Candles fetched' });
	await expect(bar).toBeVisible();
	await expect(bar).toHaveAttribute('aria-valuemax', '8760');
	await expect(page.getByTestId('sync-progress')).toContainText('8,760 / 8,760 candles');
	await expect(page.getByTestId('sync-message')).toContainText('Fetched 8,760 candles (8,760 new)');
	const klineCalls = log.requests.filter((u) => u.pathname.endsWith('/klines'));
	expect(klineCalls).toHaveLength(9); // 8,760 candles in pages of 1,000
	expect(klineCalls[0].searchParams.get('startTime')).toBe(String(Date.UTC(2025, 6, 25, 17)));

	await expect(page.getByTestId('bar-count')).toHaveText('8,760');
	await expect(page.getByTestId('data-quality')).toContainText('none'); // no missing candles
	await expect(page.getByTestId('data-quality')).toContainText('binance');

	// S1: sma-cross 10/30, long only, fee 0.1 %, no slippage, 10,000 cash, all-in (the form's defaults, but
	// the app's default slippage of 0.05 % set to 0).
	await expect(page.getByLabel('Fee per fill')).toHaveValue('0.1');
	await expect(page.getByLabel('Slippage')).toHaveValue('0.05');
	await referenceCosts(page);
	await expect(page.getByLabel('Slippage')).toHaveValue('0');
	await expect(page.getByLabel('Initial cash')).toHaveValue('10000');
	await expect(page.getByTestId('param-fast')).toHaveValue('10');
	await expect(page.getByTestId('param-slow')).toHaveValue('30');
	expect(await runBacktest(page)).toBe('completed');

	expect(await metric(page, 'finalEquity')).toBe(money(S1.final_equity)); // 5,174.69
	expect(await metric(page, 'nTrades')).toBe(String(S1.n_trades)); // 168
	expect(await metric(page, 'maxDrawdownRatio')).toBe(`${S1.max_drawdown_pct.toFixed(2)}%`); // 49.86%
	await expect(page.getByTestId('trades-page')).toHaveText(`1 / ${Math.ceil(S1.n_trades / 20)}`);
});
