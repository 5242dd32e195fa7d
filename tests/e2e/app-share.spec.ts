/**
 * Share links across browsers: a run and an optimisation shared in one browser context open in a
 * fresh one (empty storage, Binance answered from recorded real klines) and are verified identical;
 * the browser's fingerprint equals one computed in Node from the same candles; damaged, cut and
 * oversized links each give a clear message and store nothing.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { candleDataHash, fingerprintRun } from '../../src/lib/engine/fingerprint';
import { createNodeEngine } from '../../src/lib/engine/node';
import { MAX_TOKEN_CHARS, readShareLink, type RunSharePayload } from '../../src/lib/share';
import { fillOptimisation, metric, openApp, runBacktest, setRange, referenceCosts } from './helpers/app';
import { blockBinance, blockBundledDataset, mockBinance, REFERENCE_RANGE } from './helpers/binance-mock';
import { readKlinesPlain } from './helpers/klines';

const KPIS = ['finalEquity', 'totalReturnRatio', 'maxDrawdownRatio', 'nTrades', 'winRate', 'profitFactor', 'sharpeRatio'];

/** Headline figures of the shown run, as displayed. */
async function kpis(page: Page): Promise<Record<string, string>> {
	const out: Record<string, string> = {};
	for (const k of KPIS) out[k] = await metric(page, k);
	return out;
}

/** Number of stored runs and candle chunks in the app's IndexedDB. */
async function storedCounts(page: Page): Promise<{ runs: number; chunks: number }> {
	return page.evaluate(
		() =>
			new Promise<{ runs: number; chunks: number }>((resolve, reject) => {
				const req = indexedDB.open('backtester');
				req.onerror = () => reject(req.error);
				req.onsuccess = () => {
					const db = req.result;
					const tx = db.transaction(['runs', 'candleChunks']);
					const runs = tx.objectStore('runs').count();
					const chunks = tx.objectStore('candleChunks').count();
					tx.oncomplete = () => resolve({ runs: runs.result, chunks: chunks.result });
				};
			})
	);
}

/** A fresh context (empty storage) whose Binance is the recorded mock and whose bundled candles are withheld. */
async function freshReceiver(browser: Browser) {
	const context = await browser.newContext();
	const page = await context.newPage();
	await blockBundledDataset(page);
	const log = await mockBinance(page);
	return { context, page, log };
}

test('a shared run reproduces in a fresh browser from Binance data and is verified identical', async ({ page, browser }) => {
	// Sender: bundled candles, Binance unreachable; sma-cross 12/40 with a stop-loss over the reference year.
	await blockBinance(page);
	await openApp(page);
	await referenceCosts(page);
	await setRange(page, REFERENCE_RANGE.from, REFERENCE_RANGE.to);
	await expect(page.getByTestId('bar-count')).toHaveText('8,760');
	await page.getByTestId('param-fast').fill('12');
	await page.getByTestId('param-slow').fill('40');
	expect(await runBacktest(page)).toBe('completed');
	const sent = await kpis(page);
	const fingerprintText = await page.getByTestId('fingerprint').textContent();
	await page.getByTestId('share').click();
	const link = await page.getByTestId('share-link').inputValue();
	expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/share\/#v1\.[A-Za-z0-9_-]+$/);

	// The link's fingerprint and trades hash equal the ones Node computes on the same candles (bit-identical engine).
	const payload = readShareLink(link) as RunSharePayload;
	const plain = readKlinesPlain('tests/fixtures/klines/BTCUSDT-1h.csv');
	const from = plain.openTime.indexOf(payload.market.firstOpenTime);
	const cols = Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, Float64Array.from(v.slice(from, from + payload.market.bars))]));
	const ohlcv = cols as unknown as Parameters<typeof candleDataHash>[0];
	expect(ohlcv.openTime[ohlcv.openTime.length - 1]).toBe(payload.market.lastOpenTime);
	const engine = await createNodeEngine();
	engine.load(ohlcv);
	const node = fingerprintRun({ engineVersion: engine.version, symbol: 'BTCUSDT', interval: '1h', dataHash: candleDataHash(ohlcv), config: payload.config, trades: engine.run(payload.config).trades });
	expect({ engineVersion: payload.engineVersion, ...payload.expected, metrics: undefined }).toEqual({ ...node, metrics: undefined });

	// Receiver: empty storage; the candles come from (recorded) Binance.
	const r = await freshReceiver(browser);
	await r.page.goto(link);
	// The label names what differs from the app's defaults (the reference scenarios have no slippage).
	await expect(r.page.getByTestId('share-label')).toHaveText('SMA cross 12/40 · BTCUSDT 1h · slippage 0 %');
	await expect(r.page.getByTestId('share-verdict')).toContainText('Verified identical', { timeout: 60_000 });
	expect(r.log.requests.filter((u) => u.pathname.endsWith('/klines')).length).toBe(9);
	expect(await kpis(r.page)).toEqual(sent);
	await expect(r.page.getByTestId('fingerprint')).toHaveText(fingerprintText!);
	await expect(r.page.getByTestId('share-compare').locator('tr.differs')).toHaveCount(0);
	await r.page.screenshot({ path: 'test-results/share-verified-1280.png', fullPage: true });
	// The reproduction is kept in the receiver's history.
	expect((await storedCounts(r.page)).runs).toBe(1);
	await r.context.close();
});

test('damaged, cut and oversized links give a clear message and store nothing', async ({ page, browser }) => {
	await blockBinance(page);
	await openApp(page);
	expect(await runBacktest(page)).toBe('completed');
	await page.getByTestId('share').click();
	const link = await page.getByTestId('share-link').inputValue();
	const hash = link.indexOf('#') + 1;
	const at = hash + Math.floor((link.length - hash) / 2);
	const changed = link.slice(0, at) + (link[at] === 'Q' ? 'R' : 'Q') + link.slice(at + 1);

	const r = await freshReceiver(browser);
	const cases: [string, RegExp][] = [
		[changed, /damaged: its content does not match its checksum/],
		[link.slice(0, link.length - 25), /cut short/],
		[link.slice(0, hash) + 'v1.' + 'A'.repeat(MAX_TOKEN_CHARS + 10), /too long \(6,013 characters/],
		[link.slice(0, hash) + 'v1.%3Cscript%3Ealert(1)%3C/script%3E', /characters a share link cannot contain/]
	];
	for (const [bad, message] of cases) {
		await r.page.goto(bad);
		await expect(r.page.getByTestId('share-error')).toHaveText(message);
		await expect(r.page.getByTestId('share-verdict')).toHaveCount(0);
	}
	expect(r.log.requests.filter((u) => u.pathname.endsWith('/klines'))).toHaveLength(0);
	expect(await storedCounts(r.page)).toEqual({ runs: 0, chunks: 0 });
	await r.page.screenshot({ path: 'test-results/share-invalid-1280.png', fullPage: true });
	await r.context.close();
});

test('a shared optimisation (seeded random search) reproduces its best trials in a fresh browser', async ({ page, browser }) => {
	await blockBinance(page);
	await page.goto('./optimize/');
	await expect(page.getByTestId('bar-count')).toBeVisible();
	await setRange(page, REFERENCE_RANGE.from, REFERENCE_RANGE.to);
	await expect(page.getByTestId('bar-count')).toHaveText('8,760');
	await fillOptimisation(page, 'sma-cross', { fast: [5, 30, 1], slow: [20, 120, 2] }, 'random');
	await page.locator('#o-seed').fill('7');
	await page.getByTestId('opt-start').click();
	await expect(page.getByTestId('opt-status')).toHaveText('done', { timeout: 60_000 });
	await page.getByTestId('share').click();
	const link = await page.getByTestId('share-link').inputValue();
	const payload = readShareLink(link);
	expect(payload.kind).toBe('optimisation');
	if (payload.kind !== 'optimisation') return;
	expect(payload.method).toMatchObject({ kind: 'random', seed: 7 });
	expect(payload.expected.best).toHaveLength(5);

	const r = await freshReceiver(browser);
	await r.page.goto(link);
	await expect(r.page.getByTestId('share-verdict')).toContainText('Verified identical', { timeout: 90_000 });
	const rows = r.page.getByTestId('share-trials').locator('tbody tr');
	await expect(rows).toHaveCount(5);
	await expect(r.page.getByTestId('share-trials').locator('tr.differs')).toHaveCount(0);
	await expect(rows.first().locator('td').nth(1)).toHaveText(String(payload.expected.best[0].values[0]));
	await r.page.screenshot({ path: 'test-results/share-optimisation-1280.png', fullPage: true });
	await r.context.close();
});
