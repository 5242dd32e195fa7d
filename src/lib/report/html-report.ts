/**
 * A self-contained HTML report of one run: one file with inline CSS and inline SVG charts, no script
 * and no external reference, so it opens anywhere (offline, in a mail attachment, printed) and shows
 * exactly what the app showed: header with the data identity and fingerprints, configuration,
 * headline figures, every statistic of METRIC_INFO (label, value formatted as in the app, formula),
 * price / equity / drawdown charts, monthly returns and the full trade list.
 *
 * Plain TypeScript, no DOM: the page turns the string into a download. It sits at the state layer's
 * level (it reads the stored run type, `Run`).
 */
import { isoUtc } from '../core/timeframe';
import type { OhlcvColumns } from '../core/types';
import { strategyDefinitionOf } from '../engine/strategies';
import type { BacktestConfig, LevelSpec, SizingSpec, Trade } from '../engine/types';
import { METRIC_INFO, drawdownSeries, formatDuration, formatMetric, formatValue } from '../metrics';
import { MARKER_COLORS } from '../state/chart-data';
import type { Run } from '../state/runs.svelte';
import { escapeHtml, lineChartSvg, type ChartMarker } from './svg-chart';
import type { MonteCarloResult } from '../analysis/monte-carlo';
import { monthlyGrid, tradeReturnHistogram } from '../analysis/distributions';
import { histogramSvg, LIGHT_THEME, monteCarloSectionHtml, monthlyHeatmapHtml } from './analysis-svg';

/** Headline figures, in the order and with the labels of the run view. */
export const HEADLINE_METRICS: ReadonlyArray<{ key: string; label: string }> = Object.freeze([
	{ key: 'finalEquity', label: 'Final equity' },
	{ key: 'totalReturnRatio', label: 'Return' },
	{ key: 'buyHoldReturnRatio', label: 'Buy & hold' },
	{ key: 'maxDrawdownRatio', label: 'Max drawdown' },
	{ key: 'nTrades', label: 'Trades' },
	{ key: 'winRate', label: 'Win rate' },
	{ key: 'profitFactor', label: 'Profit factor' },
	{ key: 'sharpeRatio', label: 'Sharpe' }
]);

const UNIT_LABEL: Record<string, string> = { ratio: '%', quote: 'quote', count: '', bars: 'bars', ms: 'time', number: '', time: 'UTC' };
const EXIT_LABEL: Record<string, string> = { signal: 'Signal', stop_loss: 'Stop-loss', take_profit: 'Take-profit', end_of_data: 'End of data' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Trades drawn as markers on the price chart at most (the table always lists every trade). */
const MAX_MARKED_TRADES = 1500;

const priceFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 8 });
const moneyFmt = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const sizeFmt = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 6 });
const axisFmt = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 6 });
const pct = (v: number) => `${+(v * 100).toPrecision(10)} %`;

/**
 * A stop-loss / take-profit level in words: `none`, `2 %`, `2 × ATR(14)`.
 * @param level - the level definition.
 * @param atrPeriod - ATR period of the configuration (bars).
 */
export function describeLevel(level: LevelSpec, atrPeriod: number): string {
	if (level.mode === 'none') return 'none';
	return level.mode === 'fraction' ? pct(level.value) : `${level.value} × ATR(${atrPeriod})`;
}

/**
 * Position sizing in words: `100 % of equity`, `1,000 per trade`, `risk 1 % to stop`.
 * @param sizing - the sizing definition.
 */
export function describeSizing(sizing: SizingSpec): string {
	if (sizing.mode === 'fixed-notional') return `${sizing.amount.toLocaleString('en-US')} per trade`;
	return sizing.mode === 'risk' ? `risk ${pct(sizing.fraction)} to stop` : `${pct(sizing.fraction)} of equity`;
}

/** Strategy parameters in words: `fast 10, slow 30`. */
function describeParams(config: BacktestConfig): string {
	const def = strategyDefinitionOf(config);
	return def.params.map((p) => `${p.name} ${config.params[p.name] ?? p.default}`).join(', ');
}

/**
 * Compounded return of every UTC calendar month with bars: equity at the close of the month's last bar
 * over the previous month's (the initial cash for the first month), minus 1.
 * @param openTime - bar open times (ms UTC), length = bars.
 * @param equity - close-marked equity, length = bars.
 * @param initialCash - starting equity.
 * @returns months in time order with `year`, `month` (0-11) and `ratio`.
 */
export function monthlyReturns(openTime: ArrayLike<number>, equity: ArrayLike<number>, initialCash: number): Array<{ year: number; month: number; ratio: number }> {
	const out: Array<{ year: number; month: number; ratio: number }> = [];
	let prev = initialCash;
	let key = -1;
	let last = NaN;
	const flush = () => {
		if (key < 0) return;
		out.push({ year: Math.floor(key / 12), month: key % 12, ratio: last / prev - 1 });
		prev = last;
	};
	for (let i = 0; i < equity.length; i++) {
		const d = new Date(openTime[i]);
		const k = d.getUTCFullYear() * 12 + d.getUTCMonth();
		if (k !== key) {
			flush();
			key = k;
		}
		last = equity[i];
	}
	flush();
	return out;
}

const CSS = `
:root{color-scheme:light;--text:#17202b;--dim:#5b6675;--faint:#8a94a3;--border:#d9dee5;--sunken:#f4f6f9;--accent:#b7860b;--up:#0a8f5a;--down:#d6334a}
*{box-sizing:border-box}
body{margin:0;background:#fff;color:var(--text);font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}
main{max-width:1180px;margin:0 auto;padding:20px 16px 40px}
h1{font-size:21px;margin:0 0 2px;overflow-wrap:anywhere}
h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--dim);margin:26px 0 8px;border-bottom:1px solid var(--border);padding-bottom:4px}
h3{font-size:13px;margin:14px 0 4px;color:var(--dim);font-weight:600}
p{margin:4px 0}
.dim{color:var(--dim)}.small{font-size:12px}
.num{font-variant-numeric:tabular-nums;text-align:right;white-space:nowrap}
.up{color:var(--up)}.down{color:var(--down)}
.mono{font-family:ui-monospace,'SFMono-Regular',Menlo,Consolas,'Liberation Mono',monospace;font-size:12px;overflow-wrap:anywhere}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:3px 14px;margin:0}
dl.facts dt{color:var(--dim)}dl.facts dd{margin:0;overflow-wrap:anywhere}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(120px,1fr));gap:8px;margin:0}
.kpis div{background:var(--sunken);border:1px solid var(--border);border-radius:6px;padding:8px 10px}
.kpis dt{font-size:12px;color:var(--dim)}.kpis dd{margin:2px 0 0;font-size:17px;font-weight:650;overflow-wrap:anywhere}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,420px),1fr));gap:4px 28px}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%}
th,td{padding:4px 8px;border-bottom:1px solid var(--border);vertical-align:top}
thead th{text-align:left;font-size:12px;color:var(--dim);font-weight:600;background:var(--sunken);position:sticky;top:0}
thead th.num{text-align:right}
tbody th{text-align:left;font-weight:500}
td.formula{color:var(--dim);font-size:12px;min-width:220px}
.unit{color:var(--faint);font-size:11px;margin-left:5px}
table.trades td,table.trades th{font-size:12.5px;white-space:nowrap}
table.monthly td,table.monthly th{font-size:12.5px}
table.mc td,table.mc th{font-size:12.5px;white-space:nowrap}
svg.chart{display:block;width:100%;min-width:600px;height:auto;background:#fff}
svg.chart .grid{stroke:#e8ebf0;stroke-width:1}
svg.chart .frame{fill:none;stroke:#c9d0da;stroke-width:1}
svg.chart .axis{fill:#5b6675;font:14px system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif}
.legend{display:flex;flex-wrap:wrap;gap:2px 14px;font-size:12px;color:var(--dim);margin:2px 0 6px}
.legend i{font-style:normal}
.note{background:#fff8e5;border:1px solid #f0d58a;border-radius:6px;padding:6px 10px;font-size:13px}
footer{margin-top:30px;color:var(--faint);font-size:12px}
@media (max-width:640px){main{padding:14px 10px 30px}h1{font-size:18px}.kpis{grid-template-columns:repeat(2,minmax(0,1fr))}
table.stats thead{display:none}table.stats tr{display:grid;grid-template-columns:minmax(0,1fr) auto;border-bottom:1px solid var(--border)}table.stats th,table.stats td{border:0}table.stats td.formula{grid-column:1/-1;min-width:0;padding-top:0}}
@media print{thead th{position:static}.scroll{overflow:visible}svg.chart{min-width:0}h2{break-after:avoid}}
`;

function facts(rows: Array<[string, string, string?]>): string {
	return `<dl class="facts">${rows.map(([k, v, cls]) => `<dt>${escapeHtml(k)}</dt><dd${cls ? ` class="${cls}"` : ''}>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

function tone(key: string, v: number): string {
	if (!Number.isFinite(v) || v === 0) return '';
	if (['totalReturnRatio', 'buyHoldReturnRatio', 'totalReturnAmount', 'cagr', 'averageTradeRatio', 'expectancy', 'averageTradeAmount'].includes(key)) return v > 0 ? ' up' : ' down';
	return '';
}

function charts(run: Run, candles: OhlcvColumns | undefined, maxPoints: number): string {
	const r = run.result!;
	const out: string[] = [];
	if (candles && candles.openTime.length > 0) {
		const shown = r.trades.slice(0, MAX_MARKED_TRADES);
		const markers: ChartMarker[] = [];
		for (const t of shown) {
			markers.push({ x: t.entryTime, y: t.entryPrice, shape: t.direction === 'long' ? 'up' : 'down', color: t.direction === 'long' ? MARKER_COLORS.longEntry : MARKER_COLORS.shortEntry });
			const color =
				t.exitReason === 'stop_loss' ? MARKER_COLORS.stopLoss : t.exitReason === 'take_profit' ? MARKER_COLORS.takeProfit : t.exitReason === 'end_of_data' ? MARKER_COLORS.endOfData : MARKER_COLORS.signalExit;
			markers.push({ x: t.exitTime, y: t.exitPrice, shape: t.exitReason === 'stop_loss' || t.exitReason === 'take_profit' ? 'square' : 'circle', color });
		}
		const reasons = new Set(shown.map((t) => t.exitReason));
		const legend = [
			['▲', MARKER_COLORS.longEntry, 'Long entry', shown.some((t) => t.direction === 'long')],
			['▼', MARKER_COLORS.shortEntry, 'Short entry', shown.some((t) => t.direction === 'short')],
			['●', MARKER_COLORS.signalExit, 'Signal exit', reasons.has('signal')],
			['■', MARKER_COLORS.stopLoss, 'Stop-loss exit', reasons.has('stop_loss')],
			['■', MARKER_COLORS.takeProfit, 'Take-profit exit', reasons.has('take_profit')],
			['●', MARKER_COLORS.endOfData, 'End of data', reasons.has('end_of_data')]
		]
			.filter((l) => l[3])
			.map(([g, c, label]) => `<span><i style="color:${c}">${g}</i> ${escapeHtml(label)}</span>`)
			.join('');
		out.push(`<h3>Price (close) with trades</h3><div class="legend"><span><i style="color:#3d5a80">━</i> Close</span>${legend}</div>`);
		if (r.trades.length > MAX_MARKED_TRADES) out.push(`<p class="small dim">Markers of the first ${MAX_MARKED_TRADES.toLocaleString('en-US')} of ${r.trades.length.toLocaleString('en-US')} trades are drawn; the table lists all.</p>`);
		out.push(
			`<div class="scroll" data-chart="price">${lineChartSvg({ title: `${run.market.symbol} ${run.market.interval} close price with trade entries and exits`, lines: [{ x: candles.openTime, y: candles.close, color: '#3d5a80', width: 1.2 }], markers, yFormat: (v) => axisFmt.format(v), maxPoints })}</div>`
		);
	}
	const cash = run.config.initialCash;
	const flat = new Float64Array(2).fill(cash);
	const ends = Float64Array.of(r.openTime[0], r.openTime[r.openTime.length - 1]);
	out.push(`<h3>Equity</h3><div class="legend"><span><i style="color:#b7860b">━</i> Equity (close-marked)</span><span><i style="color:#8a94a3">┅</i> Initial cash</span></div>`);
	out.push(
		`<div class="scroll" data-chart="equity">${lineChartSvg({
			title: 'Equity curve',
			lines: [
				{ x: ends, y: flat, color: '#8a94a3', dashed: true, width: 1 },
				{ x: r.openTime, y: r.equity, color: '#b7860b', width: 1.5 }
			],
			yFormat: (v) => moneyFmt.format(v),
			maxPoints
		})}</div>`
	);
	const dd = drawdownSeries(r.equity, cash).map((v) => -v);
	out.push(`<h3>Drawdown</h3>`);
	out.push(
		`<div class="scroll" data-chart="drawdown">${lineChartSvg({ title: 'Drawdown from the running peak', lines: [{ x: r.openTime, y: dd, color: '#d6334a', fillTo: 0, width: 1.2 }], yFormat: (v) => formatValue('ratio', v).replace('.00%', '%'), include: [0], height: 200, maxPoints })}</div>`
	);
	return out.join('');
}

function monthlyTable(run: Run): string {
	const r = run.result!;
	const rows = monthlyGrid(monthlyReturns(r.openTime, r.equity, run.config.initialCash));
	if (rows.length === 0) return '';
	return `<section id="monthly"><h2>Monthly returns</h2><p class="small dim">Equity at the close of each UTC month's last bar over the previous month's (initial cash for the first month); the year column compounds its months. Cell colours grade gains (green) and losses (red).</p><div class="scroll">${monthlyHeatmapHtml(rows, (v) => formatValue('ratio', v))}</div></section>`;
}

function tradeHistogram(trades: readonly Trade[]): string {
	if (trades.length === 0) return '';
	const h = tradeReturnHistogram(trades.map((t) => t.profitRatio));
	const f = (v: number) => formatValue('ratio', v);
	const svg = histogramSvg(h, {
		title: `Trade returns: ${h.wins} winning, ${h.losses} losing`,
		theme: LIGHT_THEME,
		xFormat: f,
		width: 900,
		height: 230,
		binColor: (lo, _hi, t) => (lo >= 0 ? t.up : t.down),
		markers: [
			{ x: h.mean, label: `mean ${f(h.mean)}`, color: LIGHT_THEME.original },
			{ x: h.median, label: `median ${f(h.median)}`, color: LIGHT_THEME.median, dashed: true }
		]
	});
	return `<section id="trade-returns"><h2>Trade returns</h2><p class="small dim">Return of each trade on its entry notional, fees included; winning bins green, losing bins red.</p><div class="scroll" data-chart="trade-returns">${svg}</div></section>`;
}

function tradesTable(trades: readonly Trade[]): string {
	if (trades.length === 0) return '<p class="dim">No trades in this run.</p>';
	const when = (ms: number) => escapeHtml(safeUtc(ms).slice(0, 16).replace('T', ' '));
	const body = trades
		.map((t, i) => {
			const pnlTone = t.pnl > 0 ? ' up' : t.pnl < 0 ? ' down' : '';
			const retTone = t.profitRatio > 0 ? ' up' : t.profitRatio < 0 ? ' down' : '';
			return `<tr><td class="num dim">${i + 1}</td><td class="${t.direction === 'long' ? 'up' : 'down'}">${escapeHtml(String(t.direction))}</td><td class="num">${when(t.entryTime)}</td><td class="num">${priceFmt.format(t.entryPrice)}</td><td class="num">${when(t.exitTime)}</td><td class="num">${priceFmt.format(t.exitPrice)}</td><td class="num">${sizeFmt.format(t.size)}</td><td class="num">${moneyFmt.format(t.entryFee + t.exitFee)}</td><td class="num${pnlTone}">${moneyFmt.format(t.pnl)}</td><td class="num${retTone}">${(t.profitRatio * 100).toFixed(2)}%</td><td class="num">${formatDuration(t.exitTime - t.entryTime)}</td><td>${escapeHtml(String(EXIT_LABEL[t.exitReason] ?? t.exitReason))}</td></tr>`;
		})
		.join('');
	const head = ['#', 'Side', 'Entry (UTC)', 'Entry price', 'Exit (UTC)', 'Exit price', 'Size', 'Fees', 'P&L', 'Return', 'Held', 'Exit'];
	const numCol = new Set([0, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
	return `<div class="scroll"><table class="trades" data-testid="report-trades"><thead><tr>${head.map((h, i) => `<th scope="col"${numCol.has(i) ? ' class="num"' : ''}>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/**
 * Content-Security-Policy of the report file: nothing may load or run (no script, no request, no frame, no form);
 * only its inline styles and `data:` images. A value that slipped past escaping still could not execute.
 */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** ISO UTC time of `ms`, or `—` when it is not a valid time (a damaged backup must not stop the report). */
function safeUtc(ms: unknown): string {
	return typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? isoUtc(ms) : '—';
}

/** Options of {@link runReportHtml}. */
export interface RunReportOptions {
	/** Time the report is generated (Unix ms), shown in the footer; default `Date.now()`. */
	generatedAt?: number;
	/** False when the candles given are not the ones the run used (re-synced since): a note says so. Default true. */
	candlesIdentical?: boolean;
	/** Max points drawn per chart line (min/max decimation). Default 2000. */
	maxPoints?: number;
	/** A Monte Carlo analysis of the run, when one was computed: its summary, fan chart and histograms are included. */
	monteCarlo?: MonteCarloResult | null;
}

/**
 * The HTML report of a run as one self-contained file (inline CSS and SVG, no script, no external URL;
 * every text escaped).
 * @param run - a stored run; a run that is not completed gets the header, configuration and its status only.
 * @param candles - the candles of the run's range (columns, ascending `openTime`), for the price chart with
 *   trade markers; without them the price chart is left out.
 * @param options - generation time, candle identity note, decimation, see {@link RunReportOptions}.
 * @returns the complete HTML document (UTF-8 text).
 */
export function runReportHtml(run: Run, candles?: OhlcvColumns, options: RunReportOptions = {}): string {
	const generatedAt = options.generatedAt ?? Date.now();
	const m = run.market;
	const c = run.config;
	const def = strategyDefinitionOf(c);
	const r = run.result;
	const fp = (r as { fingerprint?: { engineVersion: string; dataHash: string; fingerprint: string; tradesHash: string } } | undefined)?.fingerprint;

	const header: Array<[string, string, string?]> = [
		['Market', `${m.symbol} ${m.interval} (Binance spot)`],
		['Range (UTC)', `${safeUtc(m.firstOpenTime)} → ${safeUtc(m.lastOpenTime)} (bar open times)`],
		['Bars', `${m.bars.toLocaleString('en-US')}${m.missingBars ? ` (${m.missingBars.toLocaleString('en-US')} missing inside the range: exchange halts)` : ''}`],
		['Data source', String(m.source)],
		['Created (UTC)', safeUtc(run.createdAt)],
		['Status', String(run.status)],
		['Run id', String(run.id), 'mono']
	];
	if (fp) {
		header.push(['Engine version', fp.engineVersion, 'mono'], ['Data hash (SHA-256)', fp.dataHash, 'mono'], ['Fingerprint (SHA-256)', fp.fingerprint, 'mono'], ['Trades hash (SHA-256)', fp.tradesHash, 'mono']);
	}
	const config: Array<[string, string]> = [
		['Strategy', def.name],
		['Parameters', describeParams(c)],
		['Direction', c.direction === 'long' ? 'long only' : 'long & short (reversal on opposite signals)'],
		['Fee', `${pct(c.feeRate)} of traded notional per fill`],
		['Slippage', `${pct(c.slippageRate)} against the trader on every fill`],
		['Stop-loss', describeLevel(c.stopLoss, c.atrPeriod)],
		['Take-profit', describeLevel(c.takeProfit, c.atrPeriod)],
		['Sizing', describeSizing(c.sizing)],
		['Initial cash', `${c.initialCash.toLocaleString('en-US')} (quote currency)`],
		['ATR period', `${c.atrPeriod} bars`]
	];

	const parts: string[] = [];
	parts.push(`<header><h1>${escapeHtml(run.label)}</h1><p class="dim">Backtest report · ${escapeHtml(def.name)} on ${escapeHtml(`${m.symbol} ${m.interval}`)}</p></header>`);
	parts.push(`<div class="cols"><section id="run"><h2>Run</h2>${facts(header)}</section><section id="config"><h2>Configuration</h2>${facts(config)}</section></div>`);
	if (c.strategy === 'rules' && c.rules) {
		parts.push(`<section id="rule"><h2>Rule “${escapeHtml(c.rules.name)}”</h2><p class="small dim">The strategy's own rules (rule language), as run.</p><pre class="rule" data-testid="report-rule">${escapeHtml(c.rules.source)}</pre></section>`);
	}
	const audit = (r as { audit?: { passed: boolean; summary: string } } | undefined)?.audit;
	if (audit) parts.push(`<p class="note" id="audit" data-testid="report-audit">${audit.passed ? '✓' : '⚠'} ${escapeHtml(audit.summary)}</p>`);

	if (run.status !== 'completed' || !r) {
		parts.push(`<p class="note">This run has no results (status: ${escapeHtml(run.status)}${run.error ? `: ${escapeHtml(run.error)}` : ''}).</p>`);
	} else {
		parts.push(
			`<section id="headline"><h2>Headline figures</h2><dl class="kpis">${HEADLINE_METRICS.map(
				(k) => `<div><dt>${escapeHtml(k.label)}</dt><dd class="num${k.key === 'maxDrawdownRatio' ? ' down' : tone(k.key, r.metrics[k.key])}" data-kpi="${k.key}">${escapeHtml(formatMetric(k.key, r.metrics[k.key]))}</dd></div>`
			).join('')}</dl></section>`
		);
		if (candles && options.candlesIdentical === false) {
			parts.push('<p class="note">The stored candles of this range changed since the run (re-synced or re-imported); the price chart shows the current ones.</p>');
		}
		parts.push(`<section id="charts"><h2>Charts</h2>${charts(run, candles, options.maxPoints ?? 2000)}</section>`);
		const rows = METRIC_INFO.map((info) => {
			const v = r.metrics[info.key];
			const unit = UNIT_LABEL[info.unit] ? `<span class="unit">${escapeHtml(UNIT_LABEL[info.unit])}</span>` : '';
			return `<tr data-metric="${info.key}"><th scope="row">${escapeHtml(info.label)}${unit}</th><td class="num${v === undefined ? '' : tone(info.key, v)}">${escapeHtml(v === undefined ? '—' : formatMetric(info.key, v))}</td><td class="formula">${escapeHtml(info.formula)}</td></tr>`;
		});
		parts.push(
			`<section id="stats"><h2>Statistics</h2><p class="small dim">Ratios are shown in percent; amounts in the quote currency; annualisation uses 365-day years; undefined values show as —.</p><div class="scroll"><table class="stats" data-testid="report-stats"><thead><tr><th scope="col">Metric</th><th scope="col" class="num">Value</th><th scope="col">Formula / convention</th></tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`
		);
		parts.push(tradeHistogram(r.trades));
		parts.push(monthlyTable(run));
		if (options.monteCarlo) parts.push(monteCarloSectionHtml(options.monteCarlo));
		parts.push(`<section id="trades"><h2>Trades (${r.trades.length.toLocaleString('en-US')})</h2>${tradesTable(r.trades)}</section>`);
		if (r.ambiguousBars) parts.push(`<p class="small dim">${r.ambiguousBars} bar(s) had both stop-loss and take-profit inside the range (stop-loss assumed first).</p>`);
	}
	parts.push(
		`<footer>Generated ${escapeHtml(safeUtc(generatedAt))} by the browser backtester. Engine rules: signals on a bar's close fill at the next bar's open; fees on entry and exit; slippage against the trader; stop-loss before take-profit when both are inside one bar; an open position is closed at the last close; equity is marked at every close.</footer>`
	);
	return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="generator" content="backtester run report v1">
<title>${escapeHtml(run.label)} · backtest report</title>
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

/**
 * File name of a run's report: `<exportName>-report.html`.
 * @param stem - the run's export stem (`exportName(run)` from run-export).
 */
export function reportFileName(stem: string): string {
	return `${stem}-report.html`;
}
