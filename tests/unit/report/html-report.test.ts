/**
 * The self-contained HTML report on real runs (WASM engine on the Binance fixtures): every statistic
 * with the app's formatting and its formula, headline figures, the full trade list, charts decimated
 * to at most 2,000 points per line, no script and no external reference, hostile text escaped.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isoUtc, sliceOhlcv, timeframeMs } from '../../../src/lib/core/timeframe';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import type { BacktestConfig } from '../../../src/lib/engine/types';
import { METRIC_INFO, formatMetric } from '../../../src/lib/metrics';
import { HEADLINE_METRICS, decimateMinMax, escapeHtml, monthlyReturns, niceTicks, runReportHtml } from '../../../src/lib/report';
import { datasetId } from '../../../src/lib/state/market.svelte';
import { runLabel, type Run } from '../../../src/lib/state/runs.svelte';
import { createBacktestService } from '../../../src/lib/workers/backtest-service';
import { loadKlinesCsv, referenceWindow } from '../helpers/fixtures';

const H = timeframeMs('1h');

async function realRun(config: BacktestConfig, symbol: string, ohlcv: OhlcvColumns, id = 'run-report-1'): Promise<Run> {
	const service = createBacktestService(() => createNodeEngine());
	const ds = datasetId(symbol, '1h', ohlcv);
	await service.loadDataset(ds, ohlcv);
	const r = await service.run({ datasetId: ds, config, intervalMs: H, withIndicators: true, market: { symbol, interval: '1h' } });
	const n = ohlcv.openTime.length;
	return {
		id,
		createdAt: Date.UTC(2026, 10, 3, 14, 5, 9),
		updatedAt: Date.UTC(2026, 10, 3, 14, 5, 10),
		status: 'completed',
		label: runLabel(config, symbol, '1h'),
		config,
		market: { symbol, interval: '1h', datasetId: ds, firstOpenTime: ohlcv.openTime[0], lastOpenTime: ohlcv.openTime[n - 1], bars: n, source: 'binance', missingBars: 0 },
		result: { trades: r.trades, equity: r.equity, openTime: ohlcv.openTime, metrics: r.metrics, ambiguousBars: r.ambiguousBars, indicators: r.indicators, elapsedMs: r.elapsedMs, fingerprint: r.fingerprint }
	};
}

/** Text content of an HTML fragment (tags dropped, entities kept: compare with escapeHtml). */
const text = (html: string) => html.replace(/<[^>]*>/g, '');

let s1: Run;
let s1Candles: OhlcvColumns;
let html: string;

beforeAll(async () => {
	s1Candles = referenceWindow('BTCUSDT');
	s1 = await realRun(defaultConfig('sma-cross'), 'BTCUSDT', s1Candles);
	html = runReportHtml(s1, s1Candles, { generatedAt: Date.UTC(2026, 10, 4) });
}, 60_000);

describe('runReportHtml', () => {
	it('lists every statistic of METRIC_INFO with the value formatted as in the app and its formula', () => {
		expect(s1.result!.trades.length).toBeGreaterThan(100);
		for (const info of METRIC_INFO) {
			const row = html.match(new RegExp(`<tr data-metric="${info.key}">(.*?)</tr>`))?.[1];
			expect(row, info.key).toBeDefined();
			const cells = [...row!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((m) => m[1]);
			expect(text(cells[0])).toContain(escapeHtml(info.label));
			expect(text(cells[1])).toBe(escapeHtml(formatMetric(info.key, s1.result!.metrics[info.key])));
			expect(cells[2]).toBe(escapeHtml(info.formula));
		}
		expect(html.match(/<tr data-metric=/g)).toHaveLength(METRIC_INFO.length);
	});

	it('shows the headline figures of the run view, the configuration and the data identity', () => {
		for (const k of HEADLINE_METRICS) {
			expect(html).toMatch(new RegExp(`data-kpi="${k.key}">${escapeHtml(formatMetric(k.key, s1.result!.metrics[k.key])).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}<`));
		}
		expect(html).toContain(`data-kpi="finalEquity">${formatMetric('finalEquity', s1.result!.metrics.finalEquity)}<`);
		const t = text(html);
		expect(t).toContain('BTCUSDT 1h (Binance spot)');
		expect(t).toContain(`${isoUtc(s1Candles.openTime[0])} → ${isoUtc(s1Candles.openTime[8759])}`);
		expect(t).toContain('8,760');
		expect(t).toContain('fast 10, slow 30');
		expect(t).toContain('0.1 % of traded notional per fill');
		expect(t).toContain('100 % of equity');
		expect(t).toContain('2026-11-03T14:05:09Z');
		const fp = s1.result!.fingerprint!;
		expect(fp.fingerprint).toMatch(/^[0-9a-f]{64}$/);
		for (const v of [fp.engineVersion, fp.dataHash, fp.fingerprint, fp.tradesHash]) expect(t).toContain(v);
	});

	it('lists every trade with the trade table formats', () => {
		const rows = html.match(/<table class="trades"[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/)![1].match(/<tr>/g)!;
		expect(rows).toHaveLength(s1.result!.trades.length);
		const first = s1.result!.trades[0];
		const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
		expect(html).toContain(`<td class="num">${isoUtc(first.entryTime).slice(0, 16).replace('T', ' ')}</td>`);
		expect(html).toContain(money.format(first.pnl));
		const pnlCells = [...html.matchAll(/<td class="num (?:up|down)?">(-?[\d,]+\.\d\d)<\/td><td class="num (?:up|down)?">-?[\d.]+%<\/td>/g)].map((m) => Number(m[1].replace(/,/g, '')));
		expect(pnlCells.length).toBeGreaterThan(0);
	});

	it('is self-contained: no script, no external URL, no resource reference', () => {
		expect(html.startsWith('<!doctype html>')).toBe(true);
		expect(html).not.toMatch(/<script/i);
		expect(html).not.toMatch(/https?:\/\//i);
		expect(html).not.toMatch(/\s(src|href|xlink:href)=/i);
		expect(html).not.toMatch(/url\(/i);
		expect(html).not.toMatch(/\son[a-z]+=/i);
		expect(html.match(/<svg /g)).toHaveLength(4); // price, equity, drawdown, trade returns
	});

	it('escapes a hostile label, error and symbol text', () => {
		const hostile = `</title><script>alert(1)</script><img src=x onerror="alert(2)"> & 'q'`;
		const out = runReportHtml({ ...s1, label: hostile }, s1Candles);
		expect(out).not.toMatch(/<script/i);
		expect(out).not.toMatch(/<img/i);
		expect(out).toContain(`<h1>${escapeHtml(hostile)}</h1>`);
		expect(out).toContain('&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
		const failed = runReportHtml({ ...s1, status: 'failed', error: '<b onmouseover=alert(3)>x</b>', result: undefined });
		expect(failed).not.toMatch(/<b onmouseover/);
		expect(failed).toContain('&lt;b onmouseover=alert(3)&gt;');
		expect(failed).not.toContain('data-metric');
	});

	it('draws at most 2,000 points per line even on 78,000 bars, so the file stays small', async () => {
		const all = loadKlinesCsv('klines/BTCUSDT-1h.csv');
		// The longest gap-free stretch is enough: the run needs no contiguity, but take 60,000 bars.
		const long = sliceOhlcv(all, all.openTime.length - 60_000, all.openTime.length);
		const run = await realRun(defaultConfig('sma-cross'), 'BTCUSDT', long, 'run-long');
		const out = runReportHtml(run, long);
		const paths = [...out.matchAll(/<path d="([^"]*)" fill="none"/g)].map((m) => m[1]);
		expect(paths.length).toBe(3 + 1); // close, initial-cash line, equity, drawdown outline
		for (const d of paths) expect((d.match(/[ML]/g) ?? []).length).toBeLessThanOrEqual(2000);
		expect(out.length).toBeLessThan(2_500_000);
		expect(out.length).toBeLessThan(run.result!.trades.length * 600 + 400_000);
	}, 60_000);

	it('leaves the price chart out without candles and notes candles that changed since the run', () => {
		const noCandles = runReportHtml(s1);
		expect(noCandles.match(/<svg /g)).toHaveLength(3);
		expect(noCandles).not.toContain('data-chart="price"');
		expect(runReportHtml(s1, s1Candles, { candlesIdentical: false })).toContain('stored candles of this range changed');
	});
});

describe('report helpers', () => {
	it('decimateMinMax keeps each bucket’s extremes, in order, within the budget', () => {
		const close = referenceWindow('BTCUSDT').close;
		const idx = decimateMinMax(close, 500);
		expect(idx.length).toBeLessThanOrEqual(500);
		expect(idx.length).toBeGreaterThan(400);
		for (let i = 1; i < idx.length; i++) expect(idx[i]).toBeGreaterThan(idx[i - 1]);
		let lo = 0;
		let hi = 0;
		close.forEach((v, i) => {
			if (v < close[lo]) lo = i;
			if (v > close[hi]) hi = i;
		});
		expect(idx).toContain(lo);
		expect(idx).toContain(hi);
		expect(decimateMinMax(Float64Array.of(NaN, 1, NaN, 2), 10)).toEqual([1, 3]);
	});

	it('niceTicks gives round steps inside the range', () => {
		expect(niceTicks(0.13, 0.92, 5)).toEqual([0.2, 0.4, 0.6, 0.8]);
		expect(niceTicks(-0.5, 0, 5)).toEqual([-0.5, -0.4, -0.3, -0.2, -0.1, 0]);
	});

	it('monthly returns compound to the total return', () => {
		const r = s1.result!;
		const months = monthlyReturns(r.openTime, r.equity, s1.config.initialCash);
		expect(months).toHaveLength(13); // 2025-07 .. 2026-07
		expect(months[0]).toMatchObject({ year: 2025, month: 6 });
		const compounded = months.reduce((acc, m) => acc * (1 + m.ratio), 1) - 1;
		expect(compounded).toBeCloseTo(r.metrics.totalReturnRatio, 12);
		expect(html).toContain('<section id="monthly">');
	});
});
