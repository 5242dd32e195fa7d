/**
 * Page helpers for the app's end-to-end tests: waiting for the app to be ready, running a
 * backtest from the UI, and measuring that a chart actually drew something.
 */
import { expect, type Page } from '@playwright/test';

/** Open the app and wait until the candles of the selection are loaded (bundled or stored). */
export async function openApp(page: Page, path = './'): Promise<void> {
	await page.goto(path);
	await expect(page.getByTestId('bar-count')).toBeVisible();
}

/** Click Run and wait for the run to end; returns its final status. */
export async function runBacktest(page: Page): Promise<string> {
	const before = await page.getByTestId('recent-run').count();
	await page.getByTestId('run').click();
	await expect(page.getByTestId('recent-run')).toHaveCount(before + 1);
	const status = page.getByTestId('run-status');
	await expect(status).toHaveText(/completed|failed/, { timeout: 60_000 });
	return (await status.textContent())!.trim();
}

/**
 * Pixels of a chart's canvases that differ from its background colour (#0b0e13), summed over
 * every canvas lightweight-charts draws (panes, scales). 0 means a blank chart.
 */
export async function chartInk(page: Page, testId: string): Promise<number> {
	return page.getByTestId(testId).evaluate((root) => {
		let ink = 0;
		for (const canvas of root.querySelectorAll('canvas')) {
			if (!canvas.width || !canvas.height) continue;
			const ctx = (canvas as HTMLCanvasElement).getContext('2d');
			if (!ctx) continue;
			const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
			for (let i = 0; i < data.length; i += 4) {
				if (data[i + 3] === 0) continue;
				if (Math.abs(data[i] - 0x0b) + Math.abs(data[i + 1] - 0x0e) + Math.abs(data[i + 2] - 0x13) > 24) ink++;
			}
		}
		return ink;
	});
}

/** Text of a headline figure of the shown run, e.g. `metric(page, 'finalEquity')` -> `'5,174.69'`. */
export async function metric(page: Page, key: string): Promise<string> {
	return ((await page.getByTestId(`kpi-${key}`).textContent()) ?? '').trim();
}

/** Type a UTC date range into the market panel (values `YYYY-MM-DDTHH:mm`). */
export async function setRange(page: Page, from: string, to: string): Promise<void> {
	await page.locator('#from').fill(from);
	await page.locator('#to').fill(to);
}

/**
 * Fill the optimisation form: strategy, searched ranges and method (the caller clicks `opt-start`).
 * @param axes - per parameter `[start, end, step]`, e.g. `{ fast: [5, 14, 1], slow: [20, 65, 5] }`.
 */
export async function fillOptimisation(page: Page, strategy: string, axes: Record<string, [number, number, number]>, method: string): Promise<void> {
	await page.getByTestId('opt-strategy').selectOption(strategy);
	for (const [name, [start, end, step]] of Object.entries(axes)) {
		await page.getByTestId(`start-${name}`).fill(String(start));
		await page.getByTestId(`end-${name}`).fill(String(end));
		await page.getByTestId(`step-${name}`).fill(String(step));
	}
	await page.getByTestId('opt-method').selectOption(method);
}

/**
 * Set the costs of the reference scenarios (tests/fixtures/reference/SCENARIOS.md: fee 0.1 %, no
 * slippage); the app's own default slippage is 0.05 %.
 */
export async function referenceCosts(page: Page): Promise<void> {
	await page.locator('#fee').fill('0.1');
	await page.locator('#slippage').fill('0');
}
