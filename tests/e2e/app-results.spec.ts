/**
 * The results view read at a glance, at 1280×800 and on a 390×844 phone: the chart opens on the
 * last 300 bars with range buttons, a crosshair legend (OHLCV in the market's tick size, indicator
 * values, equity, buy-and-hold, drawdown) and a tooltip on a trade's bars; clicking a trade scrolls
 * the chart to it and highlights it; the trades table shows every column without being cut (cards on
 * a phone), filters and totals; statistics split all / long / short and state the fees' share.
 */
import { expect, test, type Page } from '@playwright/test';
import { blockBinance } from './helpers/binance-mock';
import { openApp, runBacktest } from './helpers/app';

const SIZES = [
	{ name: 'desktop', width: 1280, height: 800 },
	{ name: 'phone', width: 390, height: 844 }
] as const;

async function visibleBars(page: Page): Promise<number> {
	const chart = page.getByTestId('chart');
	const from = Number(await chart.getAttribute('data-visible-from'));
	const to = Number(await chart.getAttribute('data-visible-to'));
	return to - from;
}

for (const size of SIZES) {
	test.describe(size.name, () => {
		test.use({ viewport: { width: size.width, height: size.height } });

		test(`chart range, hover legend, trade click and trades table (${size.name})`, async ({ page }) => {
			await blockBinance(page);
			await openApp(page);
			expect(await runBacktest(page)).toBe('completed');
			const chart = page.getByTestId('chart');
			await expect(chart.locator('canvas').first()).toBeVisible();

			// Opens on the last 300 bars, not two years of candles.
			await expect.poll(() => visibleBars(page)).toBe(300);
			await page.getByTestId('range-1M').click();
			await expect.poll(() => visibleBars(page)).toBe(720);
			await expect(page.getByTestId('range-1M')).toHaveAttribute('aria-pressed', 'true');
			await page.getByTestId('range-All').click();
			await expect.poll(() => visibleBars(page)).toBeGreaterThan(17_000);

			// Mini-map of the whole run: a click near its left end moves the window to the start, keeping its width.
			await page.getByTestId('range-1M').click();
			await expect.poll(() => visibleBars(page)).toBe(720);
			const mini = page.getByTestId('chart-minimap');
			await mini.scrollIntoViewIfNeeded();
			const mb = (await mini.boundingBox())!;
			await page.mouse.click(mb.x + 3, mb.y + mb.height / 2);
			await expect.poll(async () => Number(await chart.getAttribute('data-visible-from'))).toBeLessThan(10);
			expect(await visibleBars(page)).toBe(720);
			await mini.press('End');
			await expect.poll(async () => Number(await chart.getAttribute('data-visible-to'))).toBeGreaterThan(17_500);
			await page.getByTestId('range-All').click();

			// Crosshair legend: OHLCV with the market's 2 decimals, indicators, equity, buy-and-hold, drawdown.
			const legend = page.getByTestId('chart-legend');
			await expect(legend).toContainText('2026-07-25 16:00');
			const box = (await chart.boundingBox())!;
			await chart.scrollIntoViewIfNeeded();
			const box2 = (await chart.boundingBox())!;
			await page.mouse.move(box2.x + box2.width * 0.4, box2.y + box2.height * 0.3);
			await expect(legend).not.toContainText('2026-07-25 16:00');
			const text = (await legend.textContent()) ?? '';
			expect(text).toMatch(/O [\d,]+\.\d{2} H [\d,]+\.\d{2} L [\d,]+\.\d{2} C [\d,]+\.\d{2}/);
			expect(text).toMatch(/SMA 10 [\d,]+\.\d{2}/);
			expect(text).toMatch(/Equity [\d,]+\.\d{2} USDT/);
			expect(text).toMatch(/Buy & hold [\d,]+\.\d{2}/);
			expect(text).toMatch(/Drawdown \d+\.\d{2} %/);
			expect(box.width).toBeGreaterThan(300);

			// Clicking a trade scrolls the chart to it and highlights it (row or card).
			const picker = size.name === 'desktop' ? page.getByTestId('trade-row').nth(4) : page.getByTestId('trade-card').nth(4).locator('button');
			await picker.click();
			await expect(chart).toHaveAttribute('data-focus-trade', '4');
			// Trade #5 of this run (sma-cross 10/30 on the bundled two years) sits in the first few hundred bars. The
			// visible range attributes follow the chart's range-change callback, which can lag the click by a frame or
			// two under load: poll until the chart has settled on the trade.
			const visibleRange = async () => ({
				from: Number(await chart.getAttribute('data-visible-from')),
				to: Number(await chart.getAttribute('data-visible-to'))
			});
			await expect.poll(async () => { const r = await visibleRange(); return r.to - r.from; }).toBeLessThan(400);
			const { from, to } = await visibleRange();
			expect(to - from).toBeLessThan(400);
			expect(from).toBeLessThan(400);
			// Hovering its bars shows the trade tooltip.
			await chart.scrollIntoViewIfNeeded();
			const b = (await chart.boundingBox())!;
			const tip = page.getByTestId('trade-tip');
			let seen = false;
			for (let x = b.x + 10; x < b.x + b.width - 80 && !seen; x += 3) {
				await page.mouse.move(x, b.y + b.height * 0.3);
				seen = await tip.isVisible();
			}
			expect(seen).toBe(true);
			await expect(tip).toContainText(/Trade #\d+/);
			await expect(tip).toContainText(/P&L -?[\d,]+\.\d{2} USDT/);
			await expect(tip).toContainText('Exit reason');

			// Trades: every column visible, nothing cut.
			const trades = page.getByTestId('trades');
			if (size.name === 'desktop') {
				const wrap = trades.locator('.table-wrap');
				const fits = await wrap.evaluate((el) => el.scrollWidth <= el.clientWidth + 1);
				expect(fits).toBe(true);
				const head = await trades.locator('thead th').allTextContents();
				for (const c of ['#', 'Side', 'Entry', 'Exit', 'Size', 'P&L', 'Cum. P&L', 'Run-up / DD', 'Fees', 'R', 'Bars', 'Exit reason'])
					expect(head.map((h) => h.replace(/[▲▼]/g, '').trim())).toContain(c);
				await expect(page.getByTestId('trade-row').nth(4)).toHaveAttribute('aria-selected', 'true');
				await expect(page.getByTestId('trades-totals')).toContainText('342 trades');
			} else {
				await expect(trades.locator('table')).toBeHidden();
				const card = page.getByTestId('trade-card').first();
				const cb = (await card.boundingBox())!;
				expect(cb.x).toBeGreaterThanOrEqual(0);
				expect(cb.x + cb.width).toBeLessThanOrEqual(size.width);
				await expect(card).toContainText(/Entry\s*2024-07-28 23:00 @ \d{2},\d{3}\.\d{2} /);
				await expect(page.getByTestId('trades-totals-card')).toContainText('342 trades');
			}
			// Filter by direction and exit reason (a long-only run: no short trades).
			const totals = page.getByTestId(size.name === 'desktop' ? 'trades-totals' : 'trades-totals-card');
			await page.getByTestId('trades-filter-side').selectOption('short');
			await expect(totals).toContainText('0 trades');
			await page.getByTestId('trades-filter-side').selectOption('long');
			await page.getByTestId('trades-filter-reason').selectOption('signal');
			await expect(totals).toContainText('342 trades');

			// Statistics by side and the fees' share.
			const split = page.getByTestId('trade-split');
			await expect(split.locator('thead')).toContainText('All');
			await expect(split.locator('thead')).toContainText('Long');
			await expect(split.locator('thead')).toContainText('Short');
			await expect(page.getByTestId('fee-share')).toContainText(/Fees: [\d,]+\.\d{2} USDT, \d+ % of gross profit/);
			await expect(page.getByTestId('stats').locator('tr[data-metric="finalEquity"]')).toContainText('USDT');
		});
	});
}
