/**
 * Accessibility of every screen with axe-core (Deque's checker, WCAG 2.x A/AA rules) at 1280×800
 * and 390×844: Backtest (empty and with a run), History, Optimise (with a finished job) and Share.
 * No serious or critical violation is allowed.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { blockBinance } from './helpers/binance-mock';
import { fillOptimisation, openApp, runBacktest } from './helpers/app';

const SIZES = [
	{ name: 'desktop', width: 1280, height: 800 },
	{ name: 'phone', width: 390, height: 844 }
] as const;

async function seriousViolations(page: Page, screen: string): Promise<string[]> {
	const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
	return r.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${screen}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

for (const size of SIZES) {
	test.describe(size.name, () => {
		test.use({ viewport: { width: size.width, height: size.height } });

		test(`no serious or critical axe violations on any screen (${size.name})`, async ({ page }) => {
			await blockBinance(page);
			await openApp(page);
			const found: string[] = [];
			found.push(...(await seriousViolations(page, 'backtest (empty)')));
			expect(await runBacktest(page)).toBe('completed');
			await expect(page.getByTestId('chart').locator('canvas').first()).toBeVisible();
			found.push(...(await seriousViolations(page, 'backtest (run)')));
			await page.getByRole('link', { name: 'History' }).click();
			await expect(page.getByTestId('history-row')).toHaveCount(1);
			found.push(...(await seriousViolations(page, 'history')));
			await page.getByRole('link', { name: 'Optimise' }).click();
			await fillOptimisation(page, 'sma-cross', { fast: [8, 10, 1], slow: [28, 30, 1] }, 'grid');
			await page.getByTestId('opt-start').click();
			await expect(page.getByTestId('opt-status')).toHaveText('done', { timeout: 60_000 });
			await page.getByTestId('heat-run').click();
			await expect(page.getByTestId('heatmap-cell')).toHaveCount(9);
			found.push(...(await seriousViolations(page, 'optimise')));
			await page.goto('./share/#v1.not-a-link');
			await expect(page.locator('main')).toBeVisible();
			await page.waitForTimeout(300);
			found.push(...(await seriousViolations(page, 'share')));
			expect(found, found.join('\n')).toEqual([]);
		});
	});
}
