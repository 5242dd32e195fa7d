/**
 * Price-action patterns in the app: a pattern-zones run (case Z1 of PATTERNS.md: fvg, long-only, zone-edge entry,
 * fixed-rr 2, defaults) on the bundled BTCUSDT 1h candles over the reference window reproduces the reference result,
 * the enumeration parameters are selects with help text, and the zones are drawn on the chart. Screenshots at
 * 1280×800 and 390×844 go to test-results/.
 */
import { expect, test } from '@playwright/test';
import { blockBinance, REFERENCE_RANGE } from './helpers/binance-mock';
import { chartInk, metric, openApp, referenceCosts, runBacktest, setRange } from './helpers/app';

test('pattern-zones run: Z1 result, enumeration selects, zones drawn on the chart', async ({ page }, info) => {
	test.setTimeout(120_000);
	await page.setViewportSize({ width: 1280, height: 800 });
	await blockBinance(page);
	await openApp(page);
	await setRange(page, REFERENCE_RANGE.from, REFERENCE_RANGE.to);
	await expect(page.getByTestId('bar-count')).toHaveText('8,760');
	await page.locator('#strategy').selectOption('pattern-zones');
	await referenceCosts(page); // PATTERNS.md: fee 0.1 %, no slippage (the app's default slippage is 0.05 %)
	const entry = page.getByTestId('param-entryMethod');
	await expect(entry).toHaveValue('0');
	await entry.selectOption({ label: 'Zone middle' });
	await expect(page.locator('#param-entryMethod-option')).toContainText('middle of the zone');
	await entry.selectOption({ label: 'Zone edge' });
	await expect(page.getByTestId('param-pattern').locator('option')).toHaveText(['Fair value gap', 'Order block', 'Liquidity sweep']);
	expect(await runBacktest(page)).toBe('completed');
	await expect.poll(() => metric(page, 'finalEquity')).toBe('5,106.54');
	await expect(page.getByTestId('zone-legend')).toContainText('Zones (387');
	// the zone list under the trades: Z1's counts, 332 traded zones
	await expect(page.getByTestId('zone-counts')).toContainText('Detected 859 · kept 387 · duplicates 0 · active 387 · traded 332 · skipped at the open 0 · invalidated 34 · expired 21');
	await page.getByTestId('zone-filter').selectOption('traded');
	await expect(page.getByTestId('zone-row')).toHaveCount(332);
	expect(await chartInk(page, 'chart')).toBeGreaterThan(5000);
	await page.getByTestId('chart').scrollIntoViewIfNeeded();
	// zoom into the last weeks so that the zones are visible as rectangles
	const box = (await page.getByTestId('chart').boundingBox())!;
	await page.mouse.move(box.x + box.width * 0.85, box.y + box.height * 0.25);
	for (let i = 0; i < 40; i++) await page.mouse.wheel(0, -600);
	await page.waitForTimeout(300);
	expect(await chartInk(page, 'chart')).toBeGreaterThan(5000);
	await page.screenshot({ path: info.outputPath('patterns-1280.png') });
	await page.setViewportSize({ width: 390, height: 844 });
	await page.getByTestId('chart').scrollIntoViewIfNeeded();
	await page.screenshot({ path: info.outputPath('patterns-390.png') });
});

test('the 960-run seed grid preset runs through the worker pool; win-rate heatmap by rrTarget × slBufferRatio with the best cell', async ({ page }, info) => {
	test.setTimeout(180_000);
	await page.setViewportSize({ width: 1280, height: 800 });
	await blockBinance(page);
	await openApp(page, './optimize/');
	await setRange(page, REFERENCE_RANGE.from, REFERENCE_RANGE.to);
	await expect(page.getByTestId('bar-count')).toHaveText('8,760');
	await page.getByTestId('opt-preset-seed').click();
	await expect(page.getByTestId('opt-strategy')).toHaveValue('pattern-zones');
	await expect(page.getByTestId('opt-direction-override')).toContainText('long only');
	await expect(page.getByTestId('fixed-pattern')).toHaveValue('0');
	await page.getByTestId('opt-start').click();
	await expect(page.getByTestId('opt-total')).toHaveText('960');
	await expect(page.getByTestId('opt-status')).toHaveText('done', { timeout: 150_000 });
	await expect(page.getByTestId('opt-completed')).toHaveText('960');
	await page.getByTestId('heat-x').selectOption('rrTarget');
	await page.getByTestId('heat-y').selectOption('slBufferRatio');
	await page.getByTestId('heat-stat').selectOption('winRate');
	await page.getByTestId('heat-run').click();
	await expect(page.getByTestId('heatmap-cell')).toHaveCount(20);
	await expect(page.getByTestId('heatmap-best')).toHaveCount(1);
	// enumeration axes are shown by option name in the best-trials table
	await expect(page.getByTestId('opt-row').first().locator('td[data-col="p:tpMethod"]')).toHaveText(/^(fixed-rr|atr-multiple|swing-target)$/);
	await page.getByTestId('heatmap').scrollIntoViewIfNeeded();
	await page.screenshot({ path: info.outputPath('seed-grid-1280.png') });
});

test('Patterns view: counts per pattern and direction with duplicates and size distribution match npm run patterns', async ({ page }, info) => {
	test.setTimeout(90_000);
	await page.setViewportSize({ width: 1280, height: 800 });
	await blockBinance(page);
	await openApp(page, './patterns/');
	await expect(page.getByRole('link', { name: 'Patterns' })).toHaveAttribute('aria-current', 'page');
	await setRange(page, REFERENCE_RANGE.from, REFERENCE_RANGE.to);
	await expect(page.getByTestId('bar-count')).toHaveText('8,760');
	await page.getByTestId('pat-run').click();
	await expect(page.getByTestId('pat-summary')).toContainText('2,854 zones on 8,760 candles');
	const rows = page.getByTestId('pat-row');
	await expect(rows).toHaveCount(6);
	// the same figures as detections.BTCUSDT.csv / npm run patterns: fvg bullish 859 detected, 387 kept, 9 duplicates
	await expect(rows.nth(0)).toContainText(/fvg\s*bullish\s*859\s*387\s*9\s*2\.3 %/);
	await expect(rows.nth(4)).toContainText(/liquidity-sweep\s*bullish\s*438\s*375\s*54/);
	await expect(page.getByTestId('pat-hist')).toHaveCount(3);
	await page.screenshot({ path: info.outputPath('patterns-view-1280.png'), fullPage: true });
	await page.getByTestId('pat-overlap').uncheck();
	await page.getByTestId('pat-run').click();
	await expect(rows.nth(0)).toContainText(/fvg\s*bullish\s*859\s*387\s*0\s*0\.0 %/);
	await page.setViewportSize({ width: 390, height: 844 });
	await page.screenshot({ path: info.outputPath('patterns-view-390.png'), fullPage: true });
});
