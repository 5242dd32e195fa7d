/**
 * "Is it real or luck?" in Chromium, offline on the bundled BTCUSDT 1h candles: a run shows its trade-return
 * histogram and monthly heatmap; Monte Carlo (bootstrap in the analysis worker) draws the fan chart, the
 * histograms and the risk of ruin, and its result is bit-identical to the same analysis in Node on the run's
 * exported trades; the same seed reproduces, randomised execution runs through the pool, bad input and a run
 * with too few trades give clear messages (no NaN); the HTML report carries the Monte Carlo summary; a finished
 * optimisation shows the overfitting card, and its walk-forward an out-of-sample Monte Carlo. Screenshots at 1280x800 and 390x844.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { runTradeMonteCarlo, tradeSample } from '../../src/lib/analysis/monte-carlo';
import { blockBinance, REFERENCE_RANGE } from './helpers/binance-mock';
import { fillOptimisation, openApp, runBacktest, setRange } from './helpers/app';

/** The digest the page shows: first 16 hex of SHA-256 of the result's JSON (NaN/Infinity as null), by node:crypto. */
function digest(result: unknown): string {
	const text = JSON.stringify(result, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
	return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

async function runMonteCarlo(page: Page, o: { method: string; simulations: number; seed: number }): Promise<void> {
	const panel = page.getByTestId('mc-panel');
	await panel.getByTestId('mc-method').selectOption(o.method);
	await panel.getByTestId('mc-simulations').fill(String(o.simulations));
	await panel.getByTestId('mc-seed').fill(String(o.seed));
	await panel.getByTestId('mc-run').click();
}

test('Monte Carlo on a bundled-data run: fan chart, histograms, risk of ruin; same numbers as Node', async ({ page }) => {
	await blockBinance(page);
	const pageErrors: string[] = [];
	page.on('pageerror', (e) => pageErrors.push(e.message));
	await openApp(page);
	await setRange(page, REFERENCE_RANGE.from, REFERENCE_RANGE.to);
	expect(await runBacktest(page)).toBe('completed');

	// Distributions of the run itself.
	await expect(page.getByTestId('trade-histogram').locator('svg rect').first()).toBeVisible();
	await expect(page.getByTestId('monthly-heatmap').locator('tbody tr')).toHaveCount(2);
	await expect(page.getByTestId('monthly-heatmap').locator('td[data-total]')).toHaveCount(2);

	// Bootstrap in the worker.
	await runMonteCarlo(page, { method: 'bootstrap', simulations: 2000, seed: 7 });
	const panel = page.getByTestId('mc-panel');
	await expect(panel.getByTestId('mc-digest')).toHaveText(/^[0-9a-f]{16}$/, { timeout: 60_000 });
	await expect(panel.getByTestId('mc-fan').locator('polygon')).toHaveCount(2);
	await expect(panel.getByTestId('mc-fan').locator('polyline')).toHaveCount(2);
	expect(await panel.getByTestId('mc-hist-final').locator('rect').count()).toBeGreaterThan(5);
	expect(await panel.getByTestId('mc-hist-dd').locator('rect').count()).toBeGreaterThan(5);
	await expect(panel.getByTestId('mc-ruin')).toHaveText(/^\d+\.\d\d%$/);
	await expect(panel.getByTestId('mc-percentiles').locator('tbody tr')).toHaveCount(5);
	const shown = (await panel.getByTestId('mc-digest').textContent())!.trim();

	// The same analysis in Node on the run's exported trades gives the same bits.
	const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-json').click()]);
	const runPath = test.info().outputPath('run.json');
	await dl.saveAs(runPath);
	const run = JSON.parse(readFileSync(runPath, 'utf8'));
	const spanMs = run.market.lastOpenTime + 3_600_000 - run.market.firstOpenTime;
	const node = runTradeMonteCarlo(tradeSample(run.result.trades, run.config.initialCash, spanMs), {
		method: 'bootstrap',
		simulations: 2000,
		seed: 7,
		confidence: 0.95,
		ruinFloor: 0.5
	});
	expect(digest(node)).toBe(shown);
	await expect(panel.getByTestId('mc-ruin')).toHaveText(`${(node.riskOfRuin * 100).toFixed(2)}%`);

	// The same seed again: identical; another seed: different.
	await runMonteCarlo(page, { method: 'bootstrap', simulations: 2000, seed: 7 });
	await expect(panel.getByTestId('mc-run')).toBeVisible();
	await expect(panel.getByTestId('mc-digest')).toHaveText(shown);
	await runMonteCarlo(page, { method: 'bootstrap', simulations: 2000, seed: 8 });
	await expect(panel.getByTestId('mc-digest')).not.toHaveText(shown);

	await page.setViewportSize({ width: 1280, height: 800 });
	await panel.scrollIntoViewIfNeeded();
	await page.screenshot({ path: test.info().outputPath('montecarlo-1280.png'), fullPage: true });
	await panel.screenshot({ path: test.info().outputPath('montecarlo-panel-1280.png') });
	await page.getByTestId('trade-histogram').screenshot({ path: test.info().outputPath('trade-histogram-1280.png') });
	await page.setViewportSize({ width: 390, height: 844 });
	await panel.scrollIntoViewIfNeeded();
	await page.screenshot({ path: test.info().outputPath('montecarlo-390.png'), fullPage: true });
	await panel.screenshot({ path: test.info().outputPath('montecarlo-panel-390.png') });
	await page.getByTestId('monthly-heatmap').screenshot({ path: test.info().outputPath('heatmap-390.png') });
	await page.setViewportSize({ width: 1280, height: 800 });

	// Randomised execution re-runs the backtest in the worker pool.
	await runMonteCarlo(page, { method: 'execution', simulations: 100, seed: 3 });
	await expect(panel.getByTestId('mc-meta')).toContainText('Randomised execution, 100 simulations, seed 3', { timeout: 60_000 });
	await expect(panel.getByTestId('mc-meta')).toContainText('fee 0.10%–0.15%');
	await expect(panel.getByTestId('mc-fan').locator('polygon')).toHaveCount(2);

	// The HTML report carries the last Monte Carlo summary.
	const [rep] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-report').click()]);
	const repPath = test.info().outputPath('report.html');
	await rep.saveAs(repPath);
	const html = readFileSync(repPath, 'utf8');
	expect(html).toContain('id="montecarlo"');
	expect(html).toContain('randomised execution');
	expect(html).toContain('id="trade-returns"');
	expect(html).not.toMatch(/<script/i);

	// Bad input: a clear message.
	await panel.getByTestId('mc-method').selectOption('shuffle');
	await panel.getByTestId('mc-simulations').fill('0');
	await panel.getByTestId('mc-run').click();
	await expect(panel.getByTestId('mc-error')).toContainText('simulations must be a whole number from 1 to 100,000');
	await panel.getByTestId('mc-simulations').fill('100');
	await panel.getByTestId('mc-confidence').fill('100');
	await panel.getByTestId('mc-run').click();
	await expect(panel.getByTestId('mc-error')).toContainText('confidence must be a fraction strictly between 0 and 1');
	await panel.getByTestId('mc-confidence').fill('95');
	await panel.getByTestId('mc-ruin-floor').fill('0');
	await panel.getByTestId('mc-run').click();
	await expect(panel.getByTestId('mc-error')).toContainText('ruin floor must be a fraction');
	expect(pageErrors).toEqual([]);
});

test('a run with too few trades: a clear message, no NaN on screen', async ({ page }) => {
	await blockBinance(page);
	await openApp(page);
	await setRange(page, '2026-07-01T00:00', '2026-07-02T00:00');
	expect(await runBacktest(page)).toBe('completed');
	await page.getByTestId('mc-panel').getByTestId('mc-run').click();
	await expect(page.getByTestId('mc-error')).toContainText(/Monte Carlo needs at least 2 closed trades; this run has [01]\./);
	await expect(page.getByTestId('trade-histogram')).toBeVisible();
	expect(await page.getByTestId('run-view').innerText()).not.toMatch(/NaN/);
});

test('overfitting card on a finished optimisation; out-of-sample Monte Carlo after walk-forward', async ({ page }) => {
	await blockBinance(page);
	const pageErrors: string[] = [];
	page.on('pageerror', (e) => pageErrors.push(e.message));
	await page.goto('./optimize/');
	await expect(page.getByTestId('bar-count')).toBeVisible();
	await fillOptimisation(page, 'sma-cross', { fast: [5, 14, 1], slow: [20, 65, 5] }, 'grid');
	await page.getByTestId('opt-start').click();
	await expect(page.getByTestId('opt-status')).toHaveText('done', { timeout: 60_000 });
	const card = page.getByTestId('overfit-card');
	await expect(card.getByTestId('overfit-reading')).toContainText(/^The best of 100 trials; after deflation the chance its Sharpe ratio is above 0 is \d+ %; probability of overfitting \d+ %/, {
		timeout: 60_000
	});
	for (const id of ['overfit-dsr', 'overfit-psr', 'overfit-pbo']) await expect(card.getByTestId(id)).toHaveText(/^\d+\.\d\d%$/);
	await expect(card.getByTestId('overfit-plateau')).toHaveText(/^(0|1)\.\d\d$/);
	// Walk-forward gains an out-of-sample Monte Carlo on the stitched test trades.
	await page.getByTestId('wf-run').click();
	await expect(page.getByTestId('wf-summary')).toBeVisible({ timeout: 60_000 });
	const wfmc = page.getByTestId('wf-mc');
	await wfmc.getByTestId('mc-method').selectOption('shuffle');
	await wfmc.getByTestId('mc-run').click();
	await expect(wfmc.getByTestId('mc-digest')).toHaveText(/^[0-9a-f]{16}$/, { timeout: 60_000 });
	await expect(wfmc.getByTestId('mc-fan').locator('polygon')).toHaveCount(2);
	await expect(wfmc.getByTestId('mc-loss')).toHaveText(/^(0\.00|100\.00)%$/); // a shuffle keeps the final equity
	await wfmc.screenshot({ path: test.info().outputPath('wf-mc-1280.png') });

	await card.scrollIntoViewIfNeeded();
	await page.screenshot({ path: test.info().outputPath('overfitting-1280.png'), fullPage: true });
	await card.screenshot({ path: test.info().outputPath('overfitting-card-1280.png') });
	await page.setViewportSize({ width: 390, height: 844 });
	await card.scrollIntoViewIfNeeded();
	await page.screenshot({ path: test.info().outputPath('overfitting-390.png'), fullPage: true });
	await card.screenshot({ path: test.info().outputPath('overfitting-card-390.png') });
	expect(pageErrors).toEqual([]);
});
