/**
 * The Optimise screen at 1280×800 and 390×844: its own execution settings, prefilled from the
 * Backtest form, editable and saved with the job; labels that tell jobs apart; a diverging heatmap
 * with a legend and human statistic names; results export; compare picks reset per job; the
 * genetic search says when the space is exhausted.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { blockBinance } from './helpers/binance-mock';
import { fillOptimisation, openApp } from './helpers/app';

const SIZES = [
	{ name: 'desktop', width: 1280, height: 800 },
	{ name: 'phone', width: 390, height: 844 }
] as const;

for (const size of SIZES) {
	test.describe(size.name, () => {
		test.use({ viewport: { width: size.width, height: size.height } });

		test(`optimise settings, labels, heatmap legend, export, compare reset, exhausted search (${size.name})`, async ({ page }) => {
			await blockBinance(page);
			await openApp(page);
			// Backtest form: fee 0.2 %, then go to Optimise (in-app navigation keeps the form).
			await page.locator('#fee').fill('0.2');
			await page.getByRole('link', { name: 'Optimise' }).click();
			await expect(page.getByTestId('opt-exec')).toBeVisible();
			await expect(page.getByTestId('x-fee')).toHaveValue('0.2');
			await expect(page.getByTestId('x-slippage')).toHaveValue('0.05');

			// Job 1: the prefilled settings with a 2 % stop-loss.
			await page.getByTestId('x-sl-mode').selectOption('fraction');
			await page.getByTestId('x-sl-value').fill('2');
			await fillOptimisation(page, 'sma-cross', { fast: [8, 10, 1], slow: [28, 30, 1] }, 'grid');
			await page.getByTestId('opt-start').click();
			await expect(page.getByTestId('opt-status')).toHaveText('done', { timeout: 60_000 });
			await expect(page.getByTestId('opt-job-settings')).toContainText('fee 0.2 %');
			await expect(page.getByTestId('opt-job-settings')).toContainText('SL 2 %');

			// Job 2: same strategy and ranges, other settings: the two rows read differently.
			await page.getByTestId('x-sl-mode').selectOption('none');
			await page.getByTestId('x-fee').fill('0.1');
			await page.getByTestId('opt-start').click();
			await expect(page.getByTestId('opt-job')).toHaveCount(2);
			await expect(page.getByTestId('opt-status')).toHaveText('done', { timeout: 60_000 });
			const labels = await page.getByTestId('opt-job').locator('button.link').allTextContents();
			expect(labels[0]).not.toBe(labels[1]);
			expect(labels[1]).toContain('fee 0.2 %, SL 2 %');
			expect(labels[0]).toContain('SMA cross fast 8–10 × slow 28–30 · grid');

			// Human labels in the results, the heatmap legend and a scale centred on zero.
			await expect(page.getByTestId('opt-top').locator('thead')).toContainText('Sharpe ratio');
			await expect(page.locator('body')).not.toContainText('sharpeRatio');
			await page.getByTestId('heat-run').click();
			await expect(page.getByTestId('heatmap-cell')).toHaveCount(9);
			const legend = page.getByTestId('heatmap-legend');
			await expect(legend).toContainText('Sharpe ratio');
			await expect(page.getByTestId('heatmap-centre')).toContainText('grey = 0.00; red below, green above');
			// Every cell of a losing Sharpe is red-dominant, never green.
			const fills = await page.getByTestId('heatmap-cell').evaluateAll((els) =>
				els.map((e) => ({ fill: e.getAttribute('fill')!, title: e.querySelector('title')!.textContent! }))
			);
			for (const f of fills) {
				const v = Number(f.title.split(': Sharpe ratio ')[1]);
				const [r, g] = f.fill.match(/\d+/g)!.map(Number);
				if (v < 0) expect(r).toBeGreaterThan(g);
				if (v > 0) expect(g).toBeGreaterThan(r);
			}
			await expect(page.getByTestId('impact-ranking')).toContainText('matters most');

			// Export the results.
			const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('opt-export-csv').click()]);
			const text = readFileSync((await csv.path())!, 'utf8');
			expect(text.split('\n')[0]).toMatch(/^Rank,fast,slow,Score,Final equity,Total return \(fraction\),CAGR \(fraction\),Sharpe ratio,/);
			expect(text.trim().split('\n')).toHaveLength(1 + 9);
			const [json] = await Promise.all([page.waitForEvent('download'), page.getByTestId('opt-export-json').click()]);
			const parsed = JSON.parse(readFileSync((await json.path())!, 'utf8'));
			expect(parsed.config.feeRate).toBe(0.001);
			expect(parsed.trials).toHaveLength(9);

			// Compare picks belong to a job.
			await page.getByTestId('pick').nth(0).check();
			await page.getByTestId('pick').nth(1).check();
			await expect(page.getByTestId('opt-compare')).toBeVisible();
			await page.getByTestId('opt-job').nth(1).locator('button.link').click();
			await expect(page.getByTestId('opt-compare')).toHaveCount(0);
			await expect(page.getByTestId('pick').nth(0)).not.toBeChecked();

			// Genetic search on a 9-combination space: each once, then it says the space is exhausted.
			await fillOptimisation(page, 'sma-cross', { fast: [8, 10, 1], slow: [28, 30, 1] }, 'genetic');
			await page.locator('#o-pop').fill('4');
			await page.locator('#o-gen').fill('10');
			await page.getByTestId('opt-start').click();
			await expect(page.getByTestId('opt-job')).toHaveCount(3);
			await expect(page.getByTestId('opt-status')).toHaveText('done', { timeout: 60_000 });
			await expect(page.getByTestId('opt-exhausted')).toContainText('every valid combination (9) has been evaluated');
		});
	});
}
