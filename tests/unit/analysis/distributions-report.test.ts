/**
 * Trade-return histogram and monthly grid on a real run (S1 BTCUSDT, WASM core), and the report's analysis
 * sections: trade-return histogram, graded monthly heatmap with yearly totals, Monte Carlo summary — still one
 * self-contained file (no script, no external URL).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { heatColor, heatScale, monthlyGrid, tradeReturnHistogram } from '../../../src/lib/analysis/distributions';
import { runTradeMonteCarlo, tradeSample } from '../../../src/lib/analysis/monte-carlo';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { computeMetrics } from '../../../src/lib/metrics';
import { dataSpanMs } from '../../../src/lib/optimize';
import { monthlyReturns, runReportHtml } from '../../../src/lib/report';
import { fanChartSvg, histogramSvg } from '../../../src/lib/report/analysis-svg';
import type { Run } from '../../../src/lib/state/runs.svelte';
import { referenceWindow, scenarioConfig } from '../helpers/fixtures';

const H = 3_600_000;
const ohlcv = referenceWindow('BTCUSDT');
let run: Run;

beforeAll(async () => {
	const engine = await createNodeEngine();
	engine.load(ohlcv);
	const config = scenarioConfig('S1');
	const r = engine.run(config);
	const metrics = computeMetrics({ openTime: ohlcv.openTime, close: ohlcv.close, equity: r.equity, trades: r.trades, initialCash: 10_000, intervalMs: H, ambiguousBars: 0 }) as unknown as Record<string, number>;
	const n = ohlcv.openTime.length;
	run = {
		id: 'r1',
		createdAt: 0,
		updatedAt: 0,
		status: 'completed',
		label: 'S1',
		config,
		market: { symbol: 'BTCUSDT', interval: '1h', datasetId: 'd', firstOpenTime: ohlcv.openTime[0], lastOpenTime: ohlcv.openTime[n - 1], bars: n, source: 'test', missingBars: 0 },
		result: { trades: r.trades, equity: r.equity, openTime: ohlcv.openTime, metrics, ambiguousBars: 0, indicators: [], elapsedMs: 0 }
	};
});

describe('trade-return histogram', () => {
	it('counts every trade once, never mixes wins and losses in a bin, and reports mean and median', () => {
		const trades = run.result!.trades;
		const h = tradeReturnHistogram(trades.map((t) => t.profitRatio));
		expect(h.counts.reduce((a, b) => a + b, 0)).toBe(trades.length);
		expect(h.wins + h.losses + h.flat).toBe(trades.length);
		expect(h.edges).toContain(0);
		for (let i = 0; i < h.counts.length; i++) {
			const inBin = trades.filter((t) => t.profitRatio >= h.edges[i] && (t.profitRatio < h.edges[i + 1] || (i === h.counts.length - 1 && t.profitRatio <= h.edges[i + 1])));
			expect(inBin.length, `bin ${i}`).toBe(h.counts[i]);
			expect(inBin.every((t) => t.profitRatio >= 0) || inBin.every((t) => t.profitRatio < 0)).toBe(true);
		}
		const mean = trades.reduce((a, t) => a + t.profitRatio, 0) / trades.length;
		expect(h.mean).toBeCloseTo(mean, 14);
		const sorted = trades.map((t) => t.profitRatio).sort((a, b) => a - b);
		expect(h.median).toBeCloseTo((sorted[83] + sorted[84]) / 2, 14);
		expect(tradeReturnHistogram([]).counts).toEqual([]);
	});
});

describe('monthly grid', () => {
	it('has one row per year and compounds the months into the yearly total; all years compound to the run return', () => {
		const months = monthlyReturns(ohlcv.openTime, run.result!.equity, 10_000);
		const rows = monthlyGrid(months);
		expect(rows.map((r) => r.year)).toEqual([2025, 2026]);
		expect(rows[0].months.slice(0, 6)).toEqual([null, null, null, null, null, null]);
		const total = rows.reduce((acc, r) => acc * (1 + r.total), 1) - 1;
		const equity = run.result!.equity;
		expect(total).toBeCloseTo(equity[equity.length - 1] / 10_000 - 1, 12);
		const scale = heatScale(rows.flatMap((r) => r.months));
		expect(heatColor(0.001, scale)).toMatch(/^rgba\(46,189,133,0\.1/);
		expect(heatColor(-scale, scale)).toBe('rgba(246,70,93,0.550)');
		expect(heatColor(null, scale)).toBe('transparent');
	});
});

describe('report analysis sections', () => {
	it('adds the trade-return histogram and the graded monthly heatmap; the Monte Carlo summary when given', () => {
		const plain = runReportHtml(run, ohlcv);
		expect(plain).toContain('id="trade-returns"');
		expect(plain).toContain('data-testid="monthly-heatmap"');
		expect(plain).toMatch(/style="background:rgba\(/);
		expect(plain).not.toContain('id="montecarlo"');
		const mc = runTradeMonteCarlo(tradeSample(run.result!.trades, 10_000, dataSpanMs(ohlcv.openTime, H)), { method: 'bootstrap', simulations: 300, seed: 4 });
		const html = runReportHtml(run, ohlcv, { monteCarlo: mc });
		expect(html).toContain('id="montecarlo"');
		expect(html).toContain('bootstrap (trades drawn with replacement), 300 simulations, seed 4');
		expect(html.match(/<svg /g)).toHaveLength(4 + 3); // + fan, final-equity and drawdown histograms
		expect(html).not.toMatch(/<script/i);
		expect(html).not.toMatch(/https?:\/\//i);
		expect(html).not.toMatch(/\son[a-z]+=/i);
	});

	it('draws the fan bands and the histogram bars from the data', () => {
		const mc = runTradeMonteCarlo(tradeSample(run.result!.trades, 10_000, dataSpanMs(ohlcv.openTime, H)), { method: 'shuffle', simulations: 200, seed: 4 });
		const fan = fanChartSvg(mc.fan, { title: 'fan <test>' });
		expect(fan.match(/<polygon /g)).toHaveLength(2);
		expect(fan.match(/<polyline /g)).toHaveLength(2);
		expect(fan).toContain('fan &lt;test&gt;');
		const bars = histogramSvg(mc.maxDrawdownRatio.histogram, { title: "h" }).match(/<rect x=/g)!.length - 1; // minus the plot frame
		expect(bars).toBe(mc.maxDrawdownRatio.histogram.counts.filter((c) => c > 0).length);
	});
});
