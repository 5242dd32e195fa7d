/**
 * Backup & restore across browsers: two backtests (two strategies) and an optimisation in one browser
 * context, "Export all data" with candles (a real download), then a FRESH context (empty storage,
 * Binance and the bundled dataset blocked, so only the backup can bring data) imports the file: every
 * run is in the history with the same numbers, reopens with its chart drawn from the restored candles,
 * and the optimisation is listed. Re-importing adds nothing. The HTML report downloaded from a
 * restored run shows the same statistics as the app. A broken file gives its message. Screenshots of
 * the panel and of the report at 1280 and 390 px wide go to test-results/.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { blockBinance, blockBundledDataset, REFERENCE_RANGE } from './helpers/binance-mock';
import { chartInk, fillOptimisation, metric, openApp, runBacktest, setRange, referenceCosts } from './helpers/app';

const KPIS = ['finalEquity', 'totalReturnRatio', 'buyHoldReturnRatio', 'maxDrawdownRatio', 'nTrades', 'winRate', 'profitFactor', 'sharpeRatio'];

/** Every headline figure and every statistics-table value of the shown run. */
async function shownNumbers(page: Page): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const k of KPIS) out[`kpi:${k}`] = await metric(page, k);
	const cells = page.getByTestId('run-view').locator('td[data-testid^="metric-"]');
	const n = await cells.count();
	expect(n).toBeGreaterThan(40);
	for (let i = 0; i < n; i++) {
		const cell = cells.nth(i);
		out[(await cell.getAttribute('data-testid'))!] = ((await cell.textContent()) ?? '').trim();
	}
	return out;
}

test('export all data, import into a fresh browser: same runs, same numbers, charts, optimisation, report', async ({ browser }) => {
	test.setTimeout(240_000);
	// ---- Browser A: two backtests and an optimisation on the bundled candles.
	const a = await browser.newContext();
	const pageA = await a.newPage();
	await blockBinance(pageA);
	await openApp(pageA);
	await referenceCosts(pageA);
	await setRange(pageA, REFERENCE_RANGE.from, REFERENCE_RANGE.to);
	await expect(pageA.getByTestId('bar-count')).toHaveText('8,760');
	expect(await runBacktest(pageA)).toBe('completed');
	const runA1 = { id: await pageA.getByTestId('run-view').getAttribute('data-run-id'), numbers: await shownNumbers(pageA) };
	expect(runA1.numbers['kpi:finalEquity']).toBe('5,174.69');
	await pageA.locator('#strategy').selectOption('rsi-mean-reversion');
	expect(await runBacktest(pageA)).toBe('completed');
	const runA2 = { id: await pageA.getByTestId('run-view').getAttribute('data-run-id'), numbers: await shownNumbers(pageA) };
	expect(runA2.numbers['kpi:finalEquity']).not.toBe(runA1.numbers['kpi:finalEquity']);

	await pageA.goto('./optimize/');
	await expect(pageA.getByTestId('bar-count')).toBeVisible();
	await fillOptimisation(pageA, 'sma-cross', { fast: [5, 10, 5], slow: [30, 40, 10] }, 'grid');
	await pageA.getByTestId('opt-start').click();
	await expect(pageA.getByTestId('opt-status')).toHaveText('done', { timeout: 60_000 });
	await expect(pageA.getByTestId('opt-completed')).toHaveText('4');

	// Export with candles: a real download of one .json.gz file, its size shown.
	await pageA.goto('./history/');
	await expect(pageA.getByTestId('history-row')).toHaveCount(2);
	const panelA = pageA.getByTestId('backup-panel');
	await panelA.getByTestId('backup-include-candles').check();
	const [download] = await Promise.all([pageA.waitForEvent('download'), panelA.getByTestId('backup-export').click()]);
	expect(download.suggestedFilename()).toMatch(/^backtester-backup-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.json\.gz$/);
	const backupPath = test.info().outputPath('backup.json.gz');
	await download.saveAs(backupPath);
	const size = readFileSync(backupPath).length;
	expect(size).toBeGreaterThan(100_000); // two years of 1h candles are in it
	const shown = size < 1e6 ? `${(size / 1e3).toFixed(1)} KB` : `${(size / 1e6).toFixed(2)} MB`;
	await expect(panelA.getByTestId('backup-export-size')).toContainText(`${download.suggestedFilename()} · ${shown} (with candles)`);
	await a.close();

	// ---- Browser B: empty storage; no Binance, no bundled dataset: only the backup brings data.
	const b = await browser.newContext();
	const page = await b.newPage();
	const pageErrors: string[] = [];
	page.on('pageerror', (e) => pageErrors.push(e.message));
	await blockBinance(page);
	await blockBundledDataset(page);
	await page.goto('./history/');
	await expect(page.getByText('No runs yet.')).toBeVisible();
	const panel = page.getByTestId('backup-panel');
	await page.screenshot({ path: test.info().outputPath('backup-panel-empty-1280.png'), fullPage: true });

	// A broken file first: clear message, nothing stored.
	const broken = test.info().outputPath('broken.json.gz');
	writeFileSync(broken, readFileSync(backupPath).subarray(0, 5000));
	await panel.getByTestId('backup-file').setInputFiles(broken);
	await expect(panel.getByTestId('backup-error')).toContainText(/damaged: its gzip data cannot be decompressed/);
	await expect(page.getByTestId('history-row')).toHaveCount(0);

	await panel.getByTestId('backup-file').setInputFiles(backupPath);
	const report = panel.getByTestId('backup-report');
	await expect(report).toContainText('Added 2 runs, 1 optimisation');
	await expect(report).toContainText(/\d{1,3}(,\d{3})* candles \(1 series updated\)/);
	await expect(panel.getByTestId('backup-error')).toHaveCount(0);
	const rows = page.getByTestId('history-row');
	await expect(rows).toHaveCount(2);
	await page.screenshot({ path: test.info().outputPath('backup-panel-imported-1280.png'), fullPage: true });
	await page.setViewportSize({ width: 390, height: 800 });
	await panel.scrollIntoViewIfNeeded();
	await page.screenshot({ path: test.info().outputPath('backup-panel-imported-390.png'), fullPage: true });
	await page.setViewportSize({ width: 1280, height: 800 });

	// Importing the same file again adds nothing.
	await panel.getByTestId('backup-file').setInputFiles(backupPath);
	await expect(report).toContainText('Added 0 runs, 0 optimisations, 0 settings, 0 candles.');
	await expect(rows).toHaveCount(2);

	// Every run reopens with identical numbers and a chart drawn from the restored candles.
	for (const run of [runA1, runA2]) {
		await page.goto('./history/');
		await page.locator(`[data-testid="history-row"][data-run-id="${run.id}"]`).getByTestId('open-run').click();
		await expect(page.getByTestId('run-view')).toHaveAttribute('data-run-id', run.id!);
		expect(await shownNumbers(page)).toEqual(run.numbers);
		await expect(page.getByTestId('chart').locator('canvas').first()).toBeVisible();
		await expect.poll(() => chartInk(page, 'chart')).toBeGreaterThan(5_000);
		await expect(page.getByText('The stored candles of this range changed')).toHaveCount(0);
	}

	// The HTML report of the restored run: a self-contained file whose statistics match the app.
	const [reportDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-report').click()]);
	expect(reportDownload.suggestedFilename()).toMatch(/^BTCUSDT-1h-rsi-mean-reversion-run-.*-report\.html$/);
	const reportPath = test.info().outputPath('report.html');
	await reportDownload.saveAs(reportPath);
	const html = readFileSync(reportPath, 'utf8');
	expect(html).not.toMatch(/<script/i);
	expect(html).not.toMatch(/https?:\/\//i);
	expect(html).toContain('data-chart="price"');
	const viewer = await b.newPage();
	await viewer.goto(`file://${reportPath}`);
	for (const [key, value] of Object.entries(runA2.numbers)) {
		if (key.startsWith('kpi:')) await expect(viewer.locator(`[data-kpi="${key.slice(4)}"]`)).toHaveText(value);
		else await expect(viewer.locator(`tr[data-metric="${key.slice(7)}"] td`).first()).toHaveText(value);
	}
	await expect(viewer.locator('table.trades tbody tr')).toHaveCount(Number(runA2.numbers['kpi:nTrades'].replace(/,/g, '')));
	await viewer.screenshot({ path: test.info().outputPath('report-1280.png'), fullPage: true });
	await viewer.setViewportSize({ width: 390, height: 800 });
	await viewer.screenshot({ path: test.info().outputPath('report-390.png'), fullPage: true });
	await viewer.close();

	// The optimisation is listed on /optimize with its status and counts.
	await page.goto('./optimize/');
	await expect(page.getByTestId('opt-job')).toHaveCount(1);
	await expect(page.getByTestId('opt-job-status')).toHaveText('done');
	expect(pageErrors).toEqual([]);
	await b.close();
});
