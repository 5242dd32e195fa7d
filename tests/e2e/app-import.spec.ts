/**
 * Import of Binance kline files (data.binance.vision monthly CSVs, as CSV and as ZIP) by drag and
 * drop and by the file picker, with the data-quality report of the result (the 2023-03-24 halt).
 */
import { readFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import { expect, test } from '@playwright/test';
import { blockBinance } from './helpers/binance-mock';
import { openApp, runBacktest } from './helpers/app';

const march = readFileSync('tests/fixtures/binance-archive/BTCUSDT-1h-2023-03.csv');
const april = readFileSync('tests/fixtures/binance-archive/BTCUSDT-1h-2023-04.csv');

test('dropping a Binance ZIP and a CSV imports them, reports the gap, and they backtest', async ({ page }) => {
	await blockBinance(page);
	await openApp(page);
	const zip = zipSync({ 'BTCUSDT-1h-2023-03.csv': new Uint8Array(march) });
	const files = [
		{ name: 'BTCUSDT-1h-2023-03.zip', type: 'application/zip', bytes: Array.from(zip) },
		{ name: 'BTCUSDT-1h-2023-04.csv', type: 'text/csv', bytes: Array.from(april) }
	];
	await page.getByTestId('dropzone').evaluate((zone, list) => {
		const dt = new DataTransfer();
		for (const f of list) dt.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.type }));
		zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
		zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
	}, files);

	const report = page.getByTestId('import-report');
	await expect(report).toContainText('Imported 1,463 BTCUSDT 1h candles (1,463 new) from 2 files.');
	await expect(page.getByTestId('bar-count')).toHaveText('1,463');
	const quality = page.getByTestId('data-quality');
	await expect(quality).toContainText('1 in 1 gap');
	await expect(quality).toContainText('2023-03-24T13:00:00Z');
	await expect(quality).toContainText('import');
	await expect(page.locator('#from')).toHaveValue('2023-03-01T00:00');
	await expect(page.locator('#to')).toHaveValue('2023-04-30T23:00');
	expect(await runBacktest(page)).toBe('completed');
	await expect(page.getByTestId('run-view')).toContainText('1,463 bars, 1 missing');
});

test('the file picker imports a CSV', async ({ page }) => {
	await blockBinance(page);
	await openApp(page);
	await page.getByTestId('file-input').setInputFiles({ name: 'BTCUSDT-1h-2023-04.csv', mimeType: 'text/csv', buffer: april });
	await expect(page.getByTestId('import-report')).toContainText('Imported 720 BTCUSDT 1h candles');
	await expect(page.getByTestId('bar-count')).toHaveText('720');
	await expect(page.getByTestId('data-quality')).toContainText('none');
});
