/**
 * A self-contained HTML report of one portfolio run (inline CSS and SVG, no script, no external
 * reference; every text escaped): data identity and fingerprints, configuration (K, sizing,
 * leverage, breakers), headline figures, the equity chart with the circuit-breaker timeline (trips,
 * releases, cooldowns), drawdown, open positions, per-market attribution, breaker events, every
 * statistic of METRIC_INFO and the full trade list with markets.
 *
 * Plain TypeScript, no DOM: the page turns the string into a download.
 */
import { isoUtc } from '../core/timeframe';
import { getStrategy } from '../engine/strategies';
import { METRIC_INFO, drawdownSeries, formatDuration, formatMetric } from '../metrics';
import { breakerArg, cooldownSpans, describeBreaker, describePortfolioSizing, EXIT_REASON_LABEL } from '../state/portfolio-text';
import type { PortfolioRun } from '../state/portfolio.svelte';
import { describeLevel, HEADLINE_METRICS } from './html-report';
import { escapeHtml, lineChartSvg, type ChartMarker } from './svg-chart';

const CSS = `
:root{color-scheme:light;--text:#17202b;--dim:#5b6675;--faint:#8a94a3;--border:#d9dee5;--sunken:#f4f6f9;--up:#0a8f5a;--down:#d6334a}
*{box-sizing:border-box}
body{margin:0;background:#fff;color:var(--text);font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:20px 16px 40px}
h1{font-size:21px;margin:0 0 2px;overflow-wrap:anywhere}
h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--dim);margin:26px 0 8px;border-bottom:1px solid var(--border);padding-bottom:4px}
h3{font-size:13px;margin:14px 0 4px;color:var(--dim);font-weight:600}
p{margin:4px 0}.dim{color:var(--dim)}.small{font-size:12px}
.num{font-variant-numeric:tabular-nums;text-align:right;white-space:nowrap}
.up{color:var(--up)}.down{color:var(--down)}
.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;overflow-wrap:anywhere}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:3px 14px;margin:0}
dl.facts dt{color:var(--dim)}dl.facts dd{margin:0;overflow-wrap:anywhere}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(120px,1fr));gap:8px;margin:0}
.kpis div{background:var(--sunken);border:1px solid var(--border);border-radius:6px;padding:8px 10px}
.kpis dt{font-size:12px;color:var(--dim)}.kpis dd{margin:2px 0 0;font-size:17px;font-weight:650}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,420px),1fr));gap:4px 28px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%}
th,td{padding:4px 8px;border-bottom:1px solid var(--border);vertical-align:top}
thead th{text-align:left;font-size:12px;color:var(--dim);font-weight:600;background:var(--sunken)}
thead th.num{text-align:right}tbody th{text-align:left;font-weight:500}
td.formula{color:var(--dim);font-size:12px;min-width:220px}
table.trades td,table.trades th{font-size:12.5px;white-space:nowrap}
svg.chart{display:block;width:100%;min-width:600px;height:auto;background:#fff}
svg.chart .grid{stroke:#e8ebf0;stroke-width:1}svg.chart .frame{fill:none;stroke:#c9d0da;stroke-width:1}
svg.chart .axis{fill:#5b6675;font:14px system-ui,sans-serif}
.legend{display:flex;flex-wrap:wrap;gap:2px 14px;font-size:12px;color:var(--dim);margin:2px 0 6px}
.note{background:#fff8e5;border:1px solid #f0d58a;border-radius:6px;padding:6px 10px;font-size:13px}
footer{margin-top:30px;color:var(--faint);font-size:12px}
@media (max-width:640px){main{padding:14px 10px 30px}.kpis{grid-template-columns:repeat(2,minmax(0,1fr))}}
`;

const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const price = new Intl.NumberFormat('en-US', { maximumFractionDigits: 8 });
const size = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 6 });
const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(2)} %` : '—');

function facts(rows: Array<[string, string, string?]>): string {
	return `<dl class="facts">${rows.map(([k, v, cls]) => `<dt>${escapeHtml(k)}</dt><dd${cls ? ` class="${cls}"` : ''}>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

function charts(run: PortfolioRun, maxPoints: number): string {
	const r = run.result!;
	const spans = cooldownSpans(r.events, r.openTime.length - 1);
	const markers: ChartMarker[] = r.events.map((e) => ({
		x: e.time,
		y: r.equity[e.bar],
		shape: e.type === 'max-drawdown' ? (e.action === 'trip' ? 'down' : 'up') : 'circle',
		color: e.type === 'max-drawdown' ? (e.action === 'trip' ? '#d6334a' : '#0a8f5a') : e.action === 'trip' ? '#e06a1b' : '#2f7fd0'
	}));
	// Cooldowns: one thick bar per span along the top of the equity range (the SVG charts draw lines only).
	let hi = -Infinity;
	let lo = Infinity;
	for (const v of r.equity) {
		if (v > hi) hi = v;
		if (v < lo) lo = v;
	}
	const lines = [
		{ x: r.openTime, y: r.equity, color: '#b7860b', width: 2 },
		...spans.map((sp) => ({ x: [r.openTime[sp.tripBar], r.openTime[sp.releaseBar]], y: [hi, hi], color: '#d6334a', width: 6 }))
	];
	const equity = lineChartSvg({ title: 'Portfolio equity with circuit-breaker events', lines, markers, yFormat: (v) => money.format(v), maxPoints, include: [lo] });
	const dd = lineChartSvg({
		title: 'Drawdown',
		lines: [{ x: r.openTime, y: drawdownSeries(r.equity, run.config.initialCash).map((v) => -v), color: '#d6334a', fillTo: 0, width: 1.2 }],
		yFormat: (v) => `${(v * 100).toFixed(0)}%`,
		height: 180,
		maxPoints,
		include: [0]
	});
	const pos = lineChartSvg({
		title: 'Open positions',
		lines: [{ x: r.openTime, y: r.openPositions, color: '#2f7fd0' }],
		yFormat: (v) => String(Math.round(v)),
		height: 150,
		maxPoints,
		include: [0, run.config.maxPositions]
	});
	return `<h3>Equity</h3><p class="legend"><span>▼ red: max-drawdown trip</span><span>▲ green: release</span><span>thick red bars at the top: cooldowns (entries blocked)</span><span>● orange/blue: losing-streak size cut / restored</span></p>${equity}<h3>Drawdown</h3>${dd}<h3>Open positions (K ${run.config.maxPositions})</h3>${pos}`;
}

/** Options of {@link portfolioReportHtml}. */
export interface PortfolioReportOptions {
	/** Time the report is generated (Unix ms); default `Date.now()`. */
	generatedAt?: number;
	/** Max points drawn per chart line. Default 2000. */
	maxPoints?: number;
}

/**
 * The HTML report of a portfolio run as one self-contained file.
 * @param run - a stored portfolio run; one that is not completed gets its header, configuration and status only.
 * @returns the complete HTML document (UTF-8 text).
 */
export function portfolioReportHtml(run: PortfolioRun, options: PortfolioReportOptions = {}): string {
	const generatedAt = options.generatedAt ?? Date.now();
	const c = run.config;
	const def = getStrategy(c.strategy);
	const r = run.result;
	const header: Array<[string, string, string?]> = [
		['Markets', `${run.markets.map((m) => m.symbol).join(', ')} (${run.interval}, Binance spot; priority in this order)`],
		['Range (UTC)', `${isoUtc(run.range.startTime)} → ${isoUtc(run.range.endTime)}`],
		['Bars', run.markets.map((m) => `${m.symbol} ${m.bars.toLocaleString('en-US')}${m.missingBars ? ` (${m.missingBars} missing)` : ''}`).join(', ')],
		['Created (UTC)', isoUtc(run.createdAt)],
		['Status', run.status],
		['Run id', run.id, 'mono']
	];
	if (run.excluded.length) header.push(['Left out', run.excluded.map((e) => `${e.symbol}: ${e.reason}`).join('; ')]);
	if (r) {
		header.push(
			['Engine version', r.fingerprint.engineVersion, 'mono'],
			['Data hash (SHA-256)', r.fingerprint.dataHash, 'mono'],
			['Fingerprint (SHA-256)', r.fingerprint.fingerprint, 'mono'],
			['Trades hash (SHA-256)', r.fingerprint.tradesHash, 'mono'],
			['Events hash (SHA-256)', r.fingerprint.eventsHash, 'mono']
		);
	}
	const config: Array<[string, string]> = [
		['Strategy', def.name],
		['Parameters', def.params.map((p) => `${p.name} ${c.params[p.name] ?? p.default}`).join(', ')],
		['Direction', c.direction === 'long' ? 'long only' : 'long & short'],
		['Max positions K', String(c.maxPositions)],
		['Sizing', describePortfolioSizing(c.sizing)],
		['Leverage', c.leverage > 1 ? `${c.leverage}× (maintenance margin ${+(c.maintenanceMarginRatio * 100).toPrecision(10)} %)` : '1× (spot)'],
		['Circuit breakers', c.breakers.length ? c.breakers.map((b) => `${describeBreaker(b)} [${breakerArg(b)}]`).join('; ') : 'none'],
		['Fee', `${+(c.feeRate * 100).toPrecision(10)} % per fill${c.makerFeeRate !== undefined ? ` (maker, limit fills: ${+(c.makerFeeRate * 100).toPrecision(10)} %)` : ''}`],
		['Exchange rules', c.exchangeRules ? `on (lot step, tick, minimum notional per market)${r ? `: ${r.ordersAdjusted} orders adjusted, ${r.ordersSkipped} skipped` : ''}` : 'off'],
		['Slippage', `${+(c.slippageRate * 100).toPrecision(10)} % against the trader`],
		['Stop-loss', describeLevel(c.stopLoss, c.atrPeriod)],
		['Take-profit', describeLevel(c.takeProfit, c.atrPeriod)],
		['Initial cash', `${c.initialCash.toLocaleString('en-US')} (quote currency, one account)`]
	];
	const parts: string[] = [];
	parts.push(`<header><h1>${escapeHtml(run.label)}</h1><p class="dim">Portfolio backtest report · ${escapeHtml(def.name)} on ${run.markets.length} markets</p></header>`);
	parts.push(`<div class="cols"><section id="run"><h2>Run</h2>${facts(header)}</section><section id="config"><h2>Configuration</h2>${facts(config)}</section></div>`);
	if (run.status !== 'completed' || !r) {
		parts.push(`<p class="note">This run has no results (status: ${escapeHtml(run.status)}${run.error ? `: ${escapeHtml(run.error)}` : ''}).</p>`);
	} else {
		parts.push(
			`<section id="headline"><h2>Headline figures</h2><dl class="kpis">${HEADLINE_METRICS.map(
				(k) => `<div><dt>${escapeHtml(k.key === 'buyHoldReturnRatio' ? 'Basket buy & hold' : k.label)}</dt><dd class="num" data-kpi="${k.key}">${escapeHtml(formatMetric(k.key, r.metrics[k.key]))}</dd></div>`
			).join('')}</dl></section>`
		);
		parts.push(`<section id="charts"><h2>Charts</h2>${charts(run, options.maxPoints ?? 2000)}</section>`);
		parts.push(
			`<section id="attribution"><h2>Per-market contribution</h2><div class="scroll"><table data-testid="report-attribution"><thead><tr><th scope="col">Market</th><th scope="col" class="num">P&amp;L</th><th scope="col" class="num">Trades</th><th scope="col" class="num">Win rate</th><th scope="col" class="num">Fees</th><th scope="col" class="num">Exposure</th></tr></thead><tbody>${r.attribution
				.map(
					(a) =>
						`<tr><th scope="row">${escapeHtml(a.symbol)}</th><td class="num ${a.pnl >= 0 ? 'up' : 'down'}">${money.format(a.pnl)}</td><td class="num">${a.trades}</td><td class="num">${pct(a.winRate)}</td><td class="num">${money.format(a.fees)}</td><td class="num">${pct(a.exposureRatio)}</td></tr>`
				)
				.join('')}</tbody></table></div></section>`
		);
		parts.push(
			`<section id="events"><h2>Circuit-breaker events (${r.events.length})</h2>${
				r.events.length
					? `<div class="scroll"><table data-testid="report-events"><thead><tr><th scope="col">Time (UTC)</th><th scope="col" class="num">Bar</th><th scope="col">Breaker</th><th scope="col">Action</th><th scope="col" class="num">Value</th></tr></thead><tbody>${r.events
							.map(
								(e) =>
									`<tr><td class="num">${escapeHtml(isoUtc(e.time).slice(0, 16))}</td><td class="num">${e.bar}</td><td>${escapeHtml(e.type)}</td><td>${escapeHtml(e.action)}</td><td class="num">${escapeHtml(e.type === 'max-drawdown' ? (e.action === 'trip' ? pct(e.value) : money.format(e.value)) : String(e.value))}</td></tr>`
							)
							.join('')}</tbody></table></div>`
					: '<p class="dim">No breaker tripped.</p>'
			}</section>`
		);
		const rows = METRIC_INFO.map((info) => {
			const v = r.metrics[info.key];
			return `<tr data-metric="${info.key}"><th scope="row">${escapeHtml(info.key === 'buyHoldReturnRatio' ? 'Basket buy & hold return (equal weight)' : info.label)}</th><td class="num">${escapeHtml(v === undefined ? '—' : formatMetric(info.key, v))}</td><td class="formula">${escapeHtml(info.formula)}</td></tr>`;
		});
		parts.push(`<section id="stats"><h2>Statistics</h2><p class="small dim">Computed on the portfolio equity and the combined trade list; ratios in percent; annualisation with 365-day years.</p><div class="scroll"><table><thead><tr><th scope="col">Metric</th><th scope="col" class="num">Value</th><th scope="col">Formula / convention</th></tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`);
		const head = ['#', 'Market', 'Side', 'Entry (UTC)', 'Entry price', 'Exit (UTC)', 'Exit price', 'Size', 'Fees', 'P&L', 'Return', 'Held', 'Exit'];
		const body = r.trades
			.map(
				(t, i) =>
					`<tr><td class="num dim">${i + 1}</td><td>${escapeHtml(t.symbol)}</td><td>${t.direction}</td><td class="num">${escapeHtml(isoUtc(t.entryTime).slice(0, 16))}</td><td class="num">${price.format(t.entryPrice)}</td><td class="num">${escapeHtml(isoUtc(t.exitTime).slice(0, 16))}</td><td class="num">${price.format(t.exitPrice)}</td><td class="num">${size.format(t.size)}</td><td class="num">${money.format(t.entryFee + t.exitFee)}</td><td class="num ${t.pnl >= 0 ? 'up' : 'down'}">${money.format(t.pnl)}</td><td class="num">${(t.profitRatio * 100).toFixed(2)}%</td><td class="num">${escapeHtml(formatDuration(t.exitTime - t.entryTime))}</td><td>${escapeHtml(EXIT_REASON_LABEL[t.exitReason] ?? t.exitReason)}</td></tr>`
			)
			.join('');
		parts.push(`<section id="trades"><h2>Trades (${r.trades.length.toLocaleString('en-US')})</h2><div class="scroll"><table class="trades" data-testid="report-trades"><thead><tr>${head.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table></div></section>`);
	}
	parts.push(
		`<footer>Generated ${escapeHtml(isoUtc(generatedAt))} by the browser backtester. Portfolio rules: one account; per bar, exits then entries at the open (symbol order), at most K positions, then stop-loss / liquidation / take-profit, mark at the close, then circuit breakers; see SEMANTICS.md "Portfolios".</footer>`
	);
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="backtester portfolio report v1">
<title>${escapeHtml(run.label)} · portfolio report</title>
<style>${CSS}</style>
</head>
<body>
<main>
${parts.join('\n')}
</main>
</body>
</html>
`;
}
