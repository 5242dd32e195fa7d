/** HTML report and CSV/JSON exports of a real portfolio run (5 markets, both breakers). */
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { createNodePortfolioEngine } from '../../../src/lib/engine/node';
import { defaultPortfolioConfig } from '../../../src/lib/engine/portfolio-config';
import type { PortfolioConfig } from '../../../src/lib/engine/types';
import { portfolioReportHtml } from '../../../src/lib/report';
import {
	portfolioAttributionCsv,
	portfolioEquityCsv,
	portfolioEventsCsv,
	portfolioExportName,
	portfolioRunJson,
	portfolioTradesCsv
} from '../../../src/lib/state/portfolio-export';
import type { PortfolioRun } from '../../../src/lib/state/portfolio.svelte';
import { createPortfolioService } from '../../../src/lib/workers/portfolio-service';
import { windowMarkets } from '../helpers/portfolio-markets';

const CONFIG: PortfolioConfig = {
	...defaultPortfolioConfig(),
	sizing: { mode: 'equity-split' },
	breakers: [
		{ kind: 'max-drawdown', threshold: 0.1, action: 'close-all', cooldownBars: 168 },
		{ kind: 'consecutive-losses', count: 3, action: 'reduce', factor: 0.5 }
	]
};

async function realRun(label = 'SMA cross 10/30 · 5 markets 1h · K 3'): Promise<PortfolioRun> {
	const markets = windowMarkets();
	const api = createPortfolioService(async () => {
		const engine = await createNodePortfolioEngine();
		return { engine, version: engine.version };
	});
	const result = await api.runPortfolio({ markets, config: CONFIG, interval: '1h', intervalMs: 3_600_000 });
	return {
		id: 'run-x',
		kind: 'portfolio',
		createdAt: Date.UTC(2026, 11, 1),
		updatedAt: Date.UTC(2026, 11, 1),
		status: 'completed',
		label,
		interval: '1h',
		range: { startTime: markets[0].ohlcv.openTime[0], endTime: markets[0].ohlcv.openTime[8759] },
		markets: markets.map((m) => ({ symbol: m.symbol, datasetId: m.symbol, firstOpenTime: m.ohlcv.openTime[0], lastOpenTime: m.ohlcv.openTime[8759], bars: 8760, missingBars: 0, source: 'binance' })),
		excluded: [{ symbol: 'DOGEUSDT', reason: 'network <error>' }],
		config: CONFIG,
		result
	};
}

describe('portfolio report and exports', () => {
	it('the report is one self-contained file with every trade, every event, attribution and escaped text', async () => {
		const run = await realRun('<img src=x onerror=alert(1)> portfolio');
		const html = portfolioReportHtml(run, { generatedAt: Date.UTC(2026, 11, 1) });
		expect(html.startsWith('<!doctype html>')).toBe(true);
		expect(html).not.toMatch(/<script|<img|https?:\/\//);
		expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
		expect(html).toContain('network &lt;error&gt;');
		const r = run.result!;
		const tradesTable = html.slice(html.indexOf('data-testid="report-trades"'));
		expect(tradesTable.split('<tr>').length - 2).toBe(r.trades.length);
		const eventsTable = html.slice(html.indexOf('data-testid="report-events"'), html.indexOf('</table>', html.indexOf('data-testid="report-events"')));
		expect(eventsTable.split('<tr>').length - 2).toBe(r.events.length);
		for (const s of ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT']) expect(html).toContain(`<th scope="row">${s}</th>`);
		expect(html).toContain('max-drawdown:0.1:close-all:168');
		expect(html).toContain(r.fingerprint.eventsHash);
		expect((html.match(/<svg/g) ?? []).length).toBe(3);
	});

	it('CSV and JSON exports hold every trade with its market, every bar, every event', async () => {
		const run = await realRun();
		const r = run.result!;
		const trades = Papa.parse<Record<string, string>>(portfolioTradesCsv(run), { header: true }).data;
		expect(trades).toHaveLength(r.trades.length);
		expect(trades[0].symbol).toBe(r.trades[0].symbol);
		expect(Number(trades[5].pnl)).toBe(r.trades[5].pnl);
		const eq = Papa.parse<Record<string, string>>(portfolioEquityCsv(run), { header: true }).data;
		expect(eq).toHaveLength(8760);
		expect(Number(eq[8759].equity)).toBe(r.equity[8759]);
		expect(Number(eq[100].open_positions)).toBe(r.openPositions[100]);
		const ev = Papa.parse<Record<string, string>>(portfolioEventsCsv(run), { header: true }).data;
		expect(ev.map((e) => [Number(e.bar), e.type, e.action])).toEqual(r.events.map((e) => [e.bar, e.type, e.action]));
		expect(Papa.parse(portfolioAttributionCsv(run), { header: true }).data).toHaveLength(5);
		const json = JSON.parse(portfolioRunJson(run));
		expect(json.result.equity).toHaveLength(8760);
		expect(json.result.trades).toHaveLength(r.trades.length);
		expect(portfolioExportName(run)).toBe('portfolio-5m-1h-sma-cross-run-x');
	});
});
