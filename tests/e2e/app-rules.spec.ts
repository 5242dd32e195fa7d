/**
 * "My strategies": write a rule in the editor, see an inline error with "did you mean", fix it, save it, run it on
 * the bundled BTCUSDT 1h candles (look-ahead check passed), optimise two declared parameters on the Optimise screen,
 * then share the run: a fresh browser reproduces it from (recorded) Binance data and verifies it identical.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { readShareLink, type RunSharePayload } from '../../src/lib/share';
import { setRange } from './helpers/app';
import { blockBinance, blockBundledDataset, mockBinance, REFERENCE_RANGE } from './helpers/binance-mock';

const BROKEN = `fast = 8 [2..50 step 1]
slow = 30 [5..200 step 1]
require fast < slow
trend = close > ema(close, 100)
enterLong = crossover(sma(close, fast), sma(clsoe, slow)) and trend
exitLong = crossunder(sma(close, fast), sma(close, slow))
`;
const FIXED = BROKEN.replace('clsoe', 'close');

async function setEditor(page: Page, text: string): Promise<void> {
	const editor = page.getByTestId('rule-editor');
	await editor.click();
	await page.keyboard.press('Control+A');
	await page.keyboard.press('Delete');
	await editor.fill(text);
}

async function freshReceiver(browser: Browser) {
	const context = await browser.newContext();
	const page = await context.newPage();
	await blockBundledDataset(page);
	const log = await mockBinance(page);
	return { context, page, log };
}

test('write, fix, save, run, optimise and share a rule strategy', async ({ page, browser }) => {
	await blockBinance(page);
	const pageErrors: string[] = [];
	page.on('pageerror', (e) => pageErrors.push(e.message));
	await page.goto('./strategies/');
	await expect(page.getByRole('link', { name: 'My strategies' })).toHaveAttribute('aria-current', 'page');
	await expect(page.getByTestId('bar-count')).toBeVisible();
	await setRange(page, REFERENCE_RANGE.from, REFERENCE_RANGE.to);
	await expect(page.getByTestId('bar-count')).toHaveText('8,760');

	// An example loads and is valid.
	await page.getByTestId('example-ema-atr-breakout').click();
	await expect(page.getByTestId('rule-ok')).toContainText('5 parameters');

	// A typo: an inline error with its position and a suggestion; Run is blocked.
	await setEditor(page, BROKEN);
	await expect(page.getByTestId('rule-problem')).toHaveText('Line 5, column 45: unknown name `clsoe`: did you mean `close`?');
	await expect(page.locator('.cm-lintRange-error')).toHaveCount(1);
	await expect(page.getByTestId('run-rule')).toBeDisabled();
	await page.screenshot({ path: 'test-results/rules-error-1280.png', fullPage: true });

	// Fixed: valid, two parameters with their declared defaults; save it under a name.
	await setEditor(page, FIXED);
	await expect(page.getByTestId('rule-ok')).toContainText('2 parameters');
	await expect(page.getByTestId('param-fast')).toHaveValue('8');
	await expect(page.getByTestId('param-slow')).toHaveValue('30');
	await page.getByTestId('rule-name').fill('SMA cross with trend');
	await page.getByTestId('save-rule').click();
	await expect(page.getByTestId('saved-rules').getByTestId('open-rule')).toHaveText(['SMA cross with trend']);
	await expect(page.getByTestId('unsaved')).toHaveCount(0);

	// Run on the current market: a result with trades and the look-ahead verdict.
	await page.getByTestId('param-fast').fill('10');
	await expect(page.getByTestId('param-slow')).toHaveValue('30');
	await page.getByTestId('run-rule').click();
	await expect(page.getByTestId('rule-result')).toBeVisible({ timeout: 60_000 });
	expect(Number(await page.getByTestId('rule-trades').textContent())).toBeGreaterThan(5);
	await expect(page.getByTestId('rule-audit')).toHaveText('✓ look-ahead check passed (3 cuts; warm-up respected)');
	await page.screenshot({ path: 'test-results/rules-run-1280.png', fullPage: true });
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
	await page.setViewportSize({ width: 390, height: 844 });
	await page.screenshot({ path: 'test-results/rules-run-390.png', fullPage: true });
	await page.setViewportSize({ width: 1280, height: 800 });

	// The saved rule survives a reload; the full result opens in the Backtest view with the audit and the rule text.
	await page.reload();
	await expect(page.getByTestId('saved-rules').getByTestId('open-rule')).toHaveText(['SMA cross with trend']);
	await page.getByTestId('open-rule').click();
	await expect(page.getByTestId('rule-name')).toHaveValue('SMA cross with trend');

	// Optimise two declared parameters on the Optimise screen.
	await page.getByTestId('optimise-rule').click();
	await expect(page).toHaveURL(/\/optimize\/\?rule=rule-/);
	await expect(page.getByTestId('opt-strategy')).toHaveValue('rules');
	await expect(page.getByTestId('search-fast')).toBeChecked();
	await expect(page.getByTestId('search-slow')).toBeChecked();
	for (const [name, [a, b, s]] of Object.entries({ fast: [5, 9, 2], slow: [20, 40, 10] })) {
		await page.getByTestId(`start-${name}`).fill(String(a));
		await page.getByTestId(`end-${name}`).fill(String(b));
		await page.getByTestId(`step-${name}`).fill(String(s));
	}
	await page.getByTestId('opt-start').click();
	await expect(page.getByTestId('opt-status')).toHaveText('done', { timeout: 60_000 });
	await expect(page.getByTestId('opt-completed')).toHaveText('9');
	await expect(page.getByTestId('opt-row').first()).toBeVisible();
	await page.screenshot({ path: 'test-results/rules-optimise-1280.png', fullPage: true });

	// Open the best trial as a backtest, then share it.
	await page.getByTestId('open-backtest').first().click();
	await expect(page.getByTestId('run-status')).toHaveText('completed', { timeout: 60_000 });
	await expect(page.getByTestId('audit')).toHaveAttribute('data-passed', 'true');
	await expect(page.getByTestId('run-rule')).toContainText('SMA cross with trend');
	await page.getByTestId('share').click();
	const link = await page.getByTestId('share-link').inputValue();
	const payload = readShareLink(link) as RunSharePayload;
	expect(payload.config.strategy).toBe('rules');
	expect(payload.config.rules?.source).toBe(FIXED);

	const r = await freshReceiver(browser);
	await r.page.goto(link);
	await expect(r.page.getByTestId('share-rule')).toContainText('SMA cross with trend');
	await expect(r.page.getByTestId('share-verdict')).toContainText('Verified identical', { timeout: 60_000 });
	await r.page.screenshot({ path: 'test-results/rules-share-verified-1280.png', fullPage: true });
	await r.context.close();
	expect(pageErrors).toEqual([]);
});

for (const size of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
	test(`My strategies has no serious axe violations, with an error shown (${size.width}×${size.height})`, async ({ page }) => {
		await page.setViewportSize(size);
		await blockBinance(page);
		await page.goto('./strategies/');
		await expect(page.getByTestId('bar-count')).toBeVisible();
		await setEditor(page, BROKEN);
		await expect(page.getByTestId('rule-problem')).toHaveCount(1);
		await page.getByText('Language reference').click();
		const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
		const serious = r.violations
			.filter((v) => v.impact === 'serious' || v.impact === 'critical')
			.map((v) => `${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
		expect(serious, serious.join('\n')).toEqual([]);
		// The editor column fits the screen (the top bar's connectivity badge is the layout's own, measured elsewhere).
		const editorRight = await page.getByTestId('rule-editor').evaluate((el) => el.getBoundingClientRect().right);
		expect(editorRight).toBeLessThanOrEqual(size.width);
		await page.screenshot({ path: `test-results/rules-editor-${size.width}.png`, fullPage: true });
	});
}
