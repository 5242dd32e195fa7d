/**
 * Safety of clicks and the phone layout, at 1280×800 and 390×844: deleting a run (from the results
 * or the history) or an optimisation offers Undo, which brings it back with the same numbers; on a
 * phone the Delete button sits on its own row away from Share, and the market and strategy panels fold.
 */
import { expect, test } from '@playwright/test';
import { blockBinance } from './helpers/binance-mock';
import { fillOptimisation, openApp, runBacktest } from './helpers/app';

const SIZES = [
	{ name: 'desktop', width: 1280, height: 800 },
	{ name: 'phone', width: 390, height: 844 }
] as const;

for (const size of SIZES) {
	test.describe(size.name, () => {
		test.use({ viewport: { width: size.width, height: size.height } });

		test(`delete offers undo; phone layout keeps delete apart and folds panels (${size.name})`, async ({ page }) => {
			await blockBinance(page);
			await openApp(page);
			expect(await runBacktest(page)).toBe('completed');
			const equity = await page.getByTestId('kpi-finalEquity').textContent();

			const del = page.getByTestId('delete-run-view');
			const share = page.getByTestId('share');
			const d = (await del.boundingBox())!;
			const s = (await share.boundingBox())!;
			if (size.name === 'phone') expect(d.y).toBeGreaterThan(s.y + s.height); // its own row
			else expect(d.y > s.y + s.height || d.x - (s.x + s.width) > 20).toBe(true); // set apart

			// Delete from the results, then undo: the same run comes back.
			await del.click();
			await expect(page.getByTestId('run-view')).toHaveCount(0);
			await expect(page.getByTestId('undo-toast')).toContainText('Deleted run');
			await page.getByTestId('undo-delete').click();
			await expect(page.getByTestId('run-view')).toBeVisible();
			await expect(page.getByTestId('kpi-finalEquity')).toHaveText(equity!);

			// Delete from the history, undo, and it is still there after a reload.
			await page.getByRole('link', { name: 'History' }).click();
			const rows = page.getByTestId('history-row');
			await expect(rows).toHaveCount(1);
			// The history fits the screen (cards on a phone): nothing hidden sideways.
			expect(await page.getByTestId('history-table').evaluate((el) => el.scrollWidth <= el.parentElement!.clientWidth + 1)).toBe(true);
			await rows.first().getByTestId('delete-run').click();
			await expect(rows).toHaveCount(0);
			await page.getByTestId('undo-delete').click();
			await expect(rows).toHaveCount(1);
			await page.reload();
			await expect(rows).toHaveCount(1);

			// Optimisation jobs too.
			await page.getByRole('link', { name: 'Optimise' }).click();
			await fillOptimisation(page, 'sma-cross', { fast: [8, 9, 1], slow: [28, 29, 1] }, 'grid');
			await page.getByTestId('opt-start').click();
			await expect(page.getByTestId('opt-status')).toHaveText('done', { timeout: 60_000 });
			await page.getByTestId('opt-delete').click();
			await expect(page.getByTestId('opt-job')).toHaveCount(0);
			await page.getByTestId('undo-delete').click();
			await expect(page.getByTestId('opt-job')).toHaveCount(1);
			await expect(page.getByTestId('opt-status')).toHaveText('done');

			if (size.name === 'phone') {
				await page.getByRole('link', { name: 'Backtest', exact: true }).click();
				await expect(page.locator('#symbol')).toBeVisible();
				await page.getByTestId('toggle-market').click();
				await expect(page.locator('#symbol')).toBeHidden();
				await expect(page.getByTestId('toggle-market')).toContainText('BTCUSDT 1h');
				await page.getByTestId('toggle-strategy').click();
				await expect(page.locator('#strategy')).toBeHidden();
				// The floating Run button stays.
				await expect(page.getByTestId('run')).toBeVisible();
				await page.getByTestId('toggle-market').click();
				await expect(page.locator('#symbol')).toBeVisible();
			}
		});
	});
}
