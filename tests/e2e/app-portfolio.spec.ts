/**
 * The Portfolio screen end to end on recorded real data (Binance answered from tests/fixtures): a
 * 5-market portfolio (BTC, ETH, BNB, SOL, XRP 1h, 2025-04-16 → 2026-04-15, the window of the reference
 * cases P1/C1) with both circuit breakers; a sixth market whose requests fail shows its own error line
 * and the run goes on only after the user agrees. The result (every trade, the final equity, every
 * breaker event) equals what the Node engine computes on the same candles; the timeline, the
 * attribution and the market filter are shown; the run survives a reload; its share link reproduces
 * and verifies in a fresh browser. Screenshots at 1280x800 and 390x844 go to /tmp.
 */
import { DEFAULT_SLIPPAGE_RATE } from '../../src/lib/core/costs';
import { expect, test, type Page } from '@playwright/test';
import { portfolioTradesHash } from '../../src/lib/engine/fingerprint';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseExchangeInfo } from '../../src/lib/data/binance-client';
import { createNodePortfolioEngine, runPortfolioBacktest } from '../../src/lib/engine/node';
import { exchangeRulesOf } from '../../src/lib/engine/portfolio-config';
import { portfolioSharePayload, portfolioShareUrl } from '../../src/lib/share';
import { createPortfolioService } from '../../src/lib/workers/portfolio-service';
import type { PortfolioConfig, PortfolioMarket } from '../../src/lib/engine/types';
import { chartInk } from './helpers/app';
import { blockBundledDataset } from './helpers/binance-mock';
import { mockBinancePortfolio, PORTFOLIO_FIXTURES } from './helpers/binance-portfolio-mock';
import { readKlinesPlain } from './helpers/klines';

const FROM = '2025-04-16T00:00';
const TO = '2026-04-15T23:00';
const FIRST = Date.parse('2025-04-16T00:00:00Z');
const LAST = Date.parse('2026-04-15T23:00:00Z');
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT'];

/** The configuration the test sets in the form: S1 on every market, K 3, equity ÷ K, both breakers. */
const CONFIG: PortfolioConfig = {
	strategy: 'sma-cross',
	params: { fast: 10, slow: 30 },
	direction: 'long',
	feeRate: 0.001,
	slippageRate: DEFAULT_SLIPPAGE_RATE, // the app's default (0.05 %), which the form starts with
	initialCash: 10_000,
	stopLoss: { mode: 'none' },
	takeProfit: { mode: 'none' },
	atrPeriod: 14,
	sizing: { mode: 'equity-split' },
	maxPositions: 3,
	leverage: 1,
	maintenanceMarginRatio: 0.005,
	breakers: [
		{ kind: 'max-drawdown', threshold: 0.1, action: 'close-all', cooldownBars: 168 },
		{ kind: 'consecutive-losses', count: 3, action: 'reduce', factor: 0.5 }
	],
	exchangeRules: true
};

/** Each market's exchange rules from the recorded exchangeInfo the mock serves (the app applies them by default). */
function recordedRules(symbol: string) {
	const info = parseExchangeInfo(JSON.parse(gunzipSync(readFileSync('tests/fixtures/api/spot-exchangeInfo-full-2022-12-17.json.gz')).toString('utf8')));
	return exchangeRulesOf(info.symbols.find((s) => s.symbol === symbol)!);
}

/** The fixture candles of a window (default: the reference window), as the Node engine gets them. */
function marketsFromFixtures(symbols = SYMBOLS, first = FIRST, last = LAST): PortfolioMarket[] {
	return symbols.map((symbol) => {
		const k = readKlinesPlain(PORTFOLIO_FIXTURES[symbol]);
		const keep = k.openTime.map((t, i) => (t >= first && t <= last ? i : -1)).filter((i) => i >= 0);
		const col = (c: number[]) => Float64Array.from(keep.map((i) => c[i]));
		return { symbol, ohlcv: { openTime: col(k.openTime), open: col(k.open), high: col(k.high), low: col(k.low), close: col(k.close), volume: col(k.volume) } };
	});
}

/** The selected portfolio run as the page holds it (plain JSON). */
async function shownRun(page: Page) {
	return page.evaluate(() => {
		const app = (window as unknown as { __backtester: { app: { portfolio: { selected: unknown } } } }).__backtester.app;
		return JSON.parse(JSON.stringify(app.portfolio.selected, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v)));
	});
}

async function setUpPortfolio(page: Page) {
	await page.goto('./portfolio/');
	await expect(page.getByTestId('pf-market')).toHaveCount(5);
	await expect(page.getByTestId('pf-run')).toBeEnabled();
	await page.locator('#pf-from').fill(FROM);
	await page.locator('#pf-to').fill(TO);
	await page.getByTestId('pf-add-dd').click();
	await page.getByTestId('pf-add-cl').click();
	await expect(page.getByTestId('pf-breaker')).toHaveCount(2);
}

test('a 5-market portfolio with both breakers on recorded Binance data equals the Node engine', async ({ page, browser }) => {
	test.setTimeout(180_000);
	await blockBundledDataset(page);
	await mockBinancePortfolio(page, { failSymbols: ['DOGEUSDT'] });
	await setUpPortfolio(page);

	// A sixth market from the exchange list whose candles cannot be fetched.
	await page.getByTestId('pf-search').fill('doge');
	await page.getByRole('option', { name: 'DOGEUSDT', exact: true }).click({ timeout: 10_000 });
	await expect(page.getByTestId('pf-market')).toHaveCount(6);

	await page.getByTestId('pf-run').click();
	// Each market has its own line; DOGEUSDT fails with a clear message and nothing runs until the user agrees.
	await expect(page.getByTestId('pf-confirm')).toBeVisible({ timeout: 90_000 });
	for (const s of SYMBOLS) await expect(page.locator(`[data-testid="pf-load"][data-symbol="${s}"]`)).toHaveAttribute('data-status', 'ready');
	await expect(page.locator('[data-testid="pf-load"][data-symbol="DOGEUSDT"]')).toHaveAttribute('data-status', 'failed');
	await expect(page.getByTestId('pf-load-error')).toContainText(/Binance|network|reach/i);
	await expect(page.locator('[data-testid="pf-load"][data-symbol="BTCUSDT"]')).toContainText('8,760 candles');
	await expect(page.getByTestId('portfolio-view')).toHaveCount(0);
	await page.getByTestId('pf-confirm').scrollIntoViewIfNeeded();
	await page.screenshot({ path: '/tmp/portfolio-confirm.png' });
	await page.getByTestId('pf-confirm-run').click();

	await expect(page.getByTestId('portfolio-status')).toHaveText('completed', { timeout: 60_000 });
	await expect(page.getByTestId('portfolio-excluded')).toContainText('DOGEUSDT');
	await expect(page.getByTestId('portfolio-markets')).toContainText('BTCUSDT · ETHUSDT · BNBUSDT · SOLUSDT · XRPUSDT');

	// Same candles, same configuration in Node.
	const node = await runPortfolioBacktest(marketsFromFixtures().map((m) => ({ ...m, rules: recordedRules(m.symbol) })), CONFIG);
	expect(node.ordersAdjusted).toBeGreaterThan(0);
	const shown = await shownRun(page);
	expect(shown.config).toEqual(CONFIG);
	expect(shown.markets.map((m: { bars: number }) => m.bars)).toEqual([8760, 8760, 8760, 8760, 8760]);
	const r = shown.result;
	expect(shown.markets.map((m: { rules?: unknown }) => m.rules)).toEqual(SYMBOLS.map(recordedRules));
	expect(r.trades.length).toBe(node.trades.length);
	expect(r.trades).toEqual(node.trades);
	expect(r.events).toEqual(node.events);
	expect(r.equity[r.equity.length - 1]).toBe(node.equity[node.equity.length - 1]);
	expect(r.openPositions).toEqual(Array.from(node.openPositions));
	expect(r.attribution).toEqual(node.attribution.map((a) => ({ ...a, winRate: Number.isFinite(a.winRate) ? a.winRate : null })));
	expect(node.events.some((e) => e.type === 'max-drawdown' && e.action === 'trip')).toBe(true);
	expect(node.events.some((e) => e.type === 'consecutive-losses' && e.action === 'trip')).toBe(true);

	// What the page shows: headline figures, the timeline, the fingerprint of the trade list.
	await expect(page.getByTestId('pkpi-finalEquity')).toHaveAttribute('data-value', String(node.equity[node.equity.length - 1]));
	await expect(page.getByTestId('pkpi-nTrades')).toHaveText(String(node.trades.length));
	await expect(page.getByTestId('pkpi-events')).toHaveText(String(node.events.length));
	await expect(page.getByTestId('breaker-event')).toHaveCount(node.events.length);
	await expect(page.getByTestId('portfolio-fingerprint')).toContainText(portfolioTradesHash(node.trades).slice(0, 16));
	await expect(page.getByTestId('portfolio-rules')).toContainText(`${node.ordersAdjusted.toLocaleString('en-US')} order`);
	await expect(page.getByTestId('attribution-row')).toHaveCount(5);
	await expect.poll(() => chartInk(page, 'portfolio-chart')).toBeGreaterThan(5000);

	// Trade list: market column and filter.
	const eth = node.trades.filter((t) => t.symbol === 'ETHUSDT').length;
	await page.getByTestId('trade-market-filter').selectOption('ETHUSDT');
	await expect(page.getByTestId('portfolio-trades-count')).toContainText(`of ${eth} trades`);
	await expect(page.getByTestId('portfolio-trade-row').first()).toContainText('ETHUSDT');

	await page.getByTestId('portfolio-view').scrollIntoViewIfNeeded();
	await page.screenshot({ path: '/tmp/portfolio-desktop.png' });
	await page.getByTestId('breaker-timeline').scrollIntoViewIfNeeded();
	await page.screenshot({ path: '/tmp/portfolio-desktop-timeline.png' });
	await page.setViewportSize({ width: 390, height: 844 });
	await page.getByTestId('portfolio-kpis').evaluate((e) => e.scrollIntoView({ block: 'start' }));
	await page.screenshot({ path: '/tmp/portfolio-phone.png' });
	await page.getByTestId('attribution').evaluate((e) => e.scrollIntoView({ block: 'start' }));
	await page.screenshot({ path: '/tmp/portfolio-phone-tables.png' });
	await page.getByTestId('portfolio-chart').scrollIntoViewIfNeeded();
	await page.screenshot({ path: '/tmp/portfolio-phone-chart.png' });
	await page.evaluate(() => window.scrollTo(0, 0));
	await page.screenshot({ path: '/tmp/portfolio-phone-form.png' });
	await page.setViewportSize({ width: 1280, height: 800 });

	// Kept in the history: listed on the History page; opening it shows the same numbers and refills the form.
	const id = shown.id as string;
	await page.goto('./history/');
	await expect(page.getByTestId('portfolio-history-row')).toHaveCount(1);
	await page.getByTestId('open-portfolio-run').click();
	await expect(page).toHaveURL(new RegExp(`portfolio/\\?run=${id}`));
	await expect(page.getByTestId('portfolio-status')).toHaveText('completed');
	await expect(page.getByTestId('pkpi-finalEquity')).toHaveAttribute('data-value', String(node.equity[node.equity.length - 1]));
	await expect(page.getByTestId('pf-breaker')).toHaveCount(2);
	await expect(page.getByTestId('pf-market')).toHaveCount(5);

	// A second run with K = 2 (candles already stored: no confirmation), then both compared.
	await page.getByTestId('pf-k').fill('2');
	await page.getByTestId('pf-run').click();
	await expect(page.getByTestId('pf-recent')).toHaveCount(2);
	await expect(page.getByTestId('portfolio-status')).toHaveText('completed', { timeout: 60_000 });
	await expect(page.locator('h2').filter({ hasText: 'K 2' })).toBeVisible();
	for (const box of await page.getByRole('checkbox', { name: /^Compare / }).all()) await box.check();
	await expect(page.getByTestId('pf-compare')).toBeVisible();
	await expect(page.getByTestId('pf-compare').getByTestId('stats')).toContainText('#2');
	await page.screenshot({ path: '/tmp/portfolio-compare.png', fullPage: false });
	await page.goto(`./portfolio/?run=${id}`);
	await expect(page.getByTestId('pkpi-finalEquity')).toHaveAttribute('data-value', String(node.equity[node.equity.length - 1]));

	// Share link: a fresh browser (empty storage) fetches the exact candles, re-runs and verifies.
	await page.getByRole('button', { name: 'Share link' }).click();
	const link = await page.locator('input[readonly]').first().inputValue();
	expect(link).toMatch(/\/portfolio\/#v1\./);
	const context = await browser.newContext();
	const receiver = await context.newPage();
	await blockBundledDataset(receiver);
	await mockBinancePortfolio(receiver);
	await receiver.goto(link);
	await expect(receiver.getByTestId('pf-share-verdict')).toHaveText('✓ Verified identical', { timeout: 90_000 });
	await expect(receiver.getByTestId('pkpi-nTrades')).toHaveText(String(node.trades.length));
	await context.close();
});

test('top N by 24h quote volume from the recorded ticker; a Node-made link opened on the share page verifies; a bad link is refused', async ({ page }) => {
	await blockBundledDataset(page);
	const log = await mockBinancePortfolio(page);
	await page.goto('./portfolio/');
	await expect(page.getByTestId('pf-market')).toHaveCount(5);
	// Under load the first click can land before the page is interactive (the prerendered list of 5 is already
	// there): click again until the top-8 list replaces it.
	await expect(async () => {
		await page.locator('#pf-topn').fill('8');
		await page.getByTestId('pf-top').click();
		await expect(page.getByTestId('pf-market')).toHaveCount(8, { timeout: 3000 });
	}).toPass({ timeout: 30_000 });
	const picked = await page.getByTestId('pf-market').evaluateAll((els) => els.map((e) => e.getAttribute('data-symbol')));
	expect(log.some((u) => u.pathname.endsWith('/api/v3/ticker/24hr'))).toBe(true);
	expect(picked.slice(0, 2)).toEqual(['BTCUSDT', 'ETHUSDT']);
	for (const s of picked) {
		expect(s).toMatch(/USDT$/);
		expect(s).not.toMatch(/^(USDC|FDUSD|TUSD|BUSD|DAI)USDT$/);
		expect(s).not.toMatch(/(UP|DOWN|BULL|BEAR)USDT$/);
	}
	// A link made in Node, opened on the share page: handed to the Portfolio screen, reproduced from Binance, verified.
	const markets = marketsFromFixtures(['SOLUSDT', 'ETHUSDT'], Date.parse('2025-10-01T00:00:00Z'), Date.parse('2025-12-31T23:00:00Z'));
	const config: PortfolioConfig = { ...CONFIG, exchangeRules: false, maxPositions: 1, breakers: [{ kind: 'max-drawdown', threshold: 0.05, action: 'close-all', cooldownBars: 48 }] };
	const service = createPortfolioService(async () => {
		const engine = await createNodePortfolioEngine();
		return { engine, version: engine.version };
	});
	const result = await service.runPortfolio({ markets, config, interval: '1h', intervalMs: 3_600_000 });
	expect(result.events.length).toBeGreaterThan(0);
	const shared = portfolioSharePayload({
		config,
		interval: '1h',
		markets: markets.map((m) => ({ symbol: m.symbol, firstOpenTime: m.ohlcv.openTime[0], lastOpenTime: m.ohlcv.openTime[m.ohlcv.openTime.length - 1], bars: m.ohlcv.openTime.length })),
		result
	});
	const url = portfolioShareUrl(new URL('/share/', page.url()), shared);
	await page.goto(url);
	await expect(page).toHaveURL(/\/portfolio\/#v1\./);
	await expect(page.getByTestId('pf-share-verdict')).toHaveText('✓ Verified identical', { timeout: 60_000 });
	await expect(page.getByTestId('pf-market')).toHaveCount(2);
	await expect(page.getByTestId('pkpi-events')).toHaveText(String(result.events.length));

	// A damaged link: nothing is fetched or run.
	const before = log.length;
	await page.goto('./portfolio/#v1.AAAA-not-a-link');
	await expect(page.getByTestId('pf-share-error')).toBeVisible();
	expect(log.slice(before).some((u) => u.pathname.endsWith('/klines'))).toBe(false);
});
