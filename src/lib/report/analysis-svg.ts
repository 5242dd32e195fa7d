/**
 * Pictures of the Monte Carlo and distribution analysis as self-contained SVG / HTML strings: the equity fan chart,
 * histograms (with coloured bins and marker lines) and the monthly-returns heatmap. One source for the app (dark
 * theme, via {@html}) and the HTML report (light theme). Plain TypeScript, no DOM; every text is escaped.
 */
import type { FanChart } from '../analysis/monte-carlo';
import type { Histogram } from '../analysis/stats';
import { heatColor, heatScale, type MonthlyRow } from '../analysis/distributions';
import { escapeHtml, niceTicks } from './svg-chart';

/** Colours of a chart. */
export interface SvgTheme {
	background: string;
	grid: string;
	frame: string;
	text: string;
	up: string;
	down: string;
	/** Outer fan band (5-95), inner band (25-75), median. */
	bandOuter: string;
	bandInner: string;
	median: string;
	/** The run's own curve. */
	original: string;
	neutral: string;
	font: string;
}

/** Theme of the app (dark). */
export const DARK_THEME: SvgTheme = Object.freeze({
	background: '#0b0e13',
	grid: '#1d2430',
	frame: '#35404f',
	text: '#9aa5b4',
	up: '#2ebd85',
	down: '#f6465d',
	bandOuter: 'rgba(90,169,255,0.16)',
	bandInner: 'rgba(90,169,255,0.34)',
	median: '#5aa9ff',
	original: '#f0b90b',
	neutral: '#9aa5b4',
	font: "system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif"
});

/** Theme of the HTML report (light). */
export const LIGHT_THEME: SvgTheme = Object.freeze({
	background: '#ffffff',
	grid: '#e8ebf0',
	frame: '#c9d0da',
	text: '#5b6675',
	up: '#0a8f5a',
	down: '#d6334a',
	bandOuter: 'rgba(61,90,128,0.14)',
	bandInner: 'rgba(61,90,128,0.32)',
	median: '#3d5a80',
	original: '#b7860b',
	neutral: '#5b6675',
	font: "system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif"
});

const PAD = { left: 70, right: 16, top: 14, bottom: 34 };

interface Frame {
	w: number;
	h: number;
	x: (v: number) => number;
	y: (v: number) => number;
}

function frame(width: number, height: number, x0: number, x1: number, y0: number, y1: number): Frame {
	const iw = width - PAD.left - PAD.right;
	const ih = height - PAD.top - PAD.bottom;
	const dx = x1 > x0 ? x1 - x0 : 1;
	const dy = y1 > y0 ? y1 - y0 : 1;
	return {
		w: width,
		h: height,
		x: (v) => PAD.left + ((v - x0) / dx) * iw,
		y: (v) => PAD.top + ih - ((v - y0) / dy) * ih
	};
}

const r2 = (v: number) => Math.round(v * 100) / 100;

function axes(f: Frame, t: SvgTheme, xTicks: number[], yTicks: number[], xFormat: (v: number) => string, yFormat: (v: number) => string, xLabel?: string): string {
	const out: string[] = [];
	const bottom = f.h - PAD.bottom;
	for (const v of yTicks) {
		const y = r2(f.y(v));
		out.push(`<line x1="${PAD.left}" x2="${f.w - PAD.right}" y1="${y}" y2="${y}" stroke="${t.grid}"/>`);
		out.push(`<text x="${PAD.left - 6}" y="${y + 4}" text-anchor="end">${escapeHtml(yFormat(v))}</text>`);
	}
	for (const v of xTicks) {
		const x = r2(f.x(v));
		out.push(`<line x1="${x}" x2="${x}" y1="${PAD.top}" y2="${bottom}" stroke="${t.grid}"/>`);
		out.push(`<text x="${x}" y="${bottom + 15}" text-anchor="middle">${escapeHtml(xFormat(v))}</text>`);
	}
	if (xLabel) out.push(`<text x="${f.w - PAD.right}" y="${f.h - 3}" text-anchor="end">${escapeHtml(xLabel)}</text>`);
	out.push(`<rect x="${PAD.left}" y="${PAD.top}" width="${f.w - PAD.left - PAD.right}" height="${bottom - PAD.top}" fill="none" stroke="${t.frame}"/>`);
	return out.join('');
}

function open(width: number, height: number, t: SvgTheme, title: string, testId?: string, compact = false): string {
	return `<svg class="chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${escapeHtml(title)}"${testId ? ` data-testid="${escapeHtml(testId)}"` : ''} style="display:block;max-width:100%;${compact ? 'min-width:0;' : ''}height:auto;background:${t.background};font:12px ${t.font};fill:${t.text}"><title>${escapeHtml(title)}</title>`;
}

/** Options of {@link fanChartSvg}. */
export interface FanChartOptions {
	title: string;
	theme?: SvgTheme;
	yFormat?: (v: number) => string;
	width?: number;
	height?: number;
	testId?: string;
}

/**
 * Equity fan chart: the 5-95 and 25-75 percentile bands, the median, and the run's own curve.
 * @param fan - from a {@link MonteCarloResult}.
 * @returns an `<svg>` element as text.
 */
export function fanChartSvg(fan: FanChart, o: FanChartOptions): string {
	const t = o.theme ?? LIGHT_THEME;
	const width = o.width ?? 800;
	const height = o.height ?? 300;
	const xs = fan.x;
	const n = xs.length;
	let lo = Infinity;
	let hi = -Infinity;
	for (const arr of [fan.bands['5'], fan.bands['95'], fan.original]) {
		for (const v of arr) {
			if (!Number.isFinite(v)) continue;
			lo = Math.min(lo, v);
			hi = Math.max(hi, v);
		}
	}
	if (!Number.isFinite(lo)) return open(width, height, t, o.title, o.testId) + '</svg>';
	if (hi === lo) {
		hi += Math.abs(hi) * 0.05 || 1;
		lo -= Math.abs(lo) * 0.05 || 1;
	}
	const yTicks = niceTicks(lo, hi, 5);
	const y0 = Math.min(lo, yTicks[0] ?? lo);
	const y1 = Math.max(hi, yTicks[yTicks.length - 1] ?? hi);
	const f = frame(width, height, xs[0], xs[n - 1], y0, y1);
	const pts = (ys: readonly number[]) => xs.map((x, i) => `${r2(f.x(x))},${r2(f.y(ys[i]))}`);
	const band = (a: readonly number[], b: readonly number[], fill: string) => `<polygon points="${[...pts(a), ...pts(b).reverse()].join(' ')}" fill="${fill}" stroke="none"/>`;
	const line = (ys: readonly number[], stroke: string, w: number, dash = '') =>
		`<polyline points="${pts(ys).join(' ')}" fill="none" stroke="${stroke}" stroke-width="${w}"${dash ? ` stroke-dasharray="${dash}"` : ''} stroke-linejoin="round"/>`;
	const yf = o.yFormat ?? ((v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 0 }));
	const xLabel = fan.unit === 'trade' ? 'trades' : 'bars';
	return (
		open(width, height, t, o.title, o.testId) +
		axes(f, t, niceTicks(xs[0], xs[n - 1], 6).filter((v) => Number.isInteger(v)), yTicks, (v) => v.toLocaleString('en-US'), yf, xLabel) +
		band(fan.bands['5'], fan.bands['95'], t.bandOuter) +
		band(fan.bands['25'], fan.bands['75'], t.bandInner) +
		line(fan.bands['50'], t.median, 1.6) +
		line(fan.original, t.original, 1.6, '5 3') +
		'</svg>'
	);
}

/** A vertical marker line on a histogram. */
export interface HistogramMarker {
	x: number;
	label: string;
	color: string;
	dashed?: boolean;
}

/** Options of {@link histogramSvg}. */
export interface HistogramOptions {
	title: string;
	theme?: SvgTheme;
	xFormat?: (v: number) => string;
	/** Colour of the bin `[lo, hi)`; default the theme's median colour. */
	binColor?: (lo: number, hi: number, theme: SvgTheme) => string;
	markers?: HistogramMarker[];
	width?: number;
	height?: number;
	testId?: string;
}

/**
 * Histogram bars with optional marker lines (mean, median, the run's own value).
 * @param h - edges and counts.
 * @returns an `<svg>` element as text.
 */
export function histogramSvg(h: Histogram, o: HistogramOptions): string {
	const t = o.theme ?? LIGHT_THEME;
	const width = o.width ?? 640;
	const height = o.height ?? 220;
	if (h.counts.length === 0) return open(width, height, t, o.title, o.testId, true) + '</svg>';
	let x0 = h.edges[0];
	let x1 = h.edges[h.edges.length - 1];
	for (const m of o.markers ?? []) {
		if (!Number.isFinite(m.x)) continue;
		x0 = Math.min(x0, m.x);
		x1 = Math.max(x1, m.x);
	}
	if (x1 === x0) {
		const d = Math.abs(x0) * 0.05 || 1;
		x0 -= d;
		x1 += d;
	}
	const maxCount = Math.max(...h.counts);
	const yTicks = niceTicks(0, maxCount, 4).filter((v) => Number.isInteger(v));
	const f = frame(width, height, x0, x1, 0, Math.max(maxCount, yTicks[yTicks.length - 1] ?? 1));
	const xf = o.xFormat ?? ((v: number) => v.toPrecision(3));
	const bars: string[] = [];
	for (let i = 0; i < h.counts.length; i++) {
		const lo = h.edges[i];
		const hi = h.edges[i + 1];
		let xa = f.x(lo);
		let xb = f.x(hi);
		if (xb - xa < 2) {
			const mid = (xa + xb) / 2;
			xa = mid - 1;
			xb = mid + 1;
		}
		const y = f.y(h.counts[i]);
		const color = o.binColor ? o.binColor(lo, hi, t) : t.median;
		if (h.counts[i] > 0) {
			bars.push(
				`<rect x="${r2(xa + 0.5)}" y="${r2(y)}" width="${r2(Math.max(1, xb - xa - 1))}" height="${r2(f.y(0) - y)}" fill="${color}"><title>${escapeHtml(`${xf(lo)} to ${xf(hi)}: ${h.counts[i]}`)}</title></rect>`
			);
		}
	}
	const marks = (o.markers ?? [])
		.filter((m) => Number.isFinite(m.x))
		.map((m, i) => {
			const x = r2(f.x(m.x));
			// Labels near the right edge go to the left of their line so they stay inside the chart.
			const left = x > width - PAD.right - 130;
			return `<line x1="${x}" x2="${x}" y1="${PAD.top}" y2="${height - PAD.bottom}" stroke="${m.color}" stroke-width="1.6"${m.dashed ? ' stroke-dasharray="4 3"' : ''}/><text x="${left ? x - 4 : x + 4}" y="${PAD.top + 12 + i * 14}"${left ? ' text-anchor="end"' : ''} style="fill:${m.color}" stroke="${t.background}" stroke-width="3" paint-order="stroke">${escapeHtml(m.label)}</text>`;
		});
	return open(width, height, t, o.title, o.testId, true) + axes(f, t, niceTicks(x0, x1, 6), yTicks, xf, (v) => String(v)) + bars.join('') + marks.join('') + '</svg>';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Monthly returns heatmap as an HTML table: one row per year, graded cell colours (green gains, red losses), and the
 * compounded yearly total. Styles are inline (works in the report and in the app).
 * @param rows - from `monthlyGrid`.
 * @param format - number formatter of a return (e.g. `2.15%`).
 * @param theme - colours (its `up`/`down` are not used for cells: the graded RGB scale is).
 */
export function monthlyHeatmapHtml(rows: readonly MonthlyRow[], format: (r: number) => string, theme: SvgTheme = LIGHT_THEME): string {
	const all = rows.flatMap((r) => r.months);
	const scale = heatScale(all);
	const yearScale = heatScale(rows.map((r) => r.total));
	const cell = (v: number | null, s: number, bold = false) =>
		v === null
			? `<td class="num" style="color:${theme.text};opacity:.5">—</td>`
			: `<td class="num" style="background:${heatColor(v, s)}"${bold ? ' data-total="1"' : ''}>${bold ? '<b>' : ''}${escapeHtml(format(v))}${bold ? '</b>' : ''}</td>`;
	const body = rows.map((r) => `<tr><th scope="row">${r.year}</th>${r.months.map((v) => cell(v, scale)).join('')}${cell(r.total, yearScale, true)}</tr>`).join('');
	return `<table class="heatmap monthly" data-testid="monthly-heatmap"><thead><tr><th scope="col">Year</th>${MONTHS.map((m) => `<th scope="col" class="num">${m}</th>`).join('')}<th scope="col" class="num">Year</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** One row of the Monte Carlo percentile table. */
const MC_ROWS = [
	{ key: 'finalEquity', label: 'Final equity', unit: 'quote' },
	{ key: 'maxDrawdownRatio', label: 'Max drawdown', unit: 'ratio' },
	{ key: 'cagr', label: 'CAGR', unit: 'ratio' },
	{ key: 'longestLosingStreak', label: 'Longest losing streak (trades)', unit: 'count' },
	{ key: 'longestDrawdown', label: 'Longest drawdown', unit: 'count' }
] as const;

const METHOD_LABEL: Record<string, string> = {
	shuffle: 'trade-order shuffle',
	bootstrap: 'bootstrap (trades drawn with replacement)',
	execution: 'randomised execution (fee and slippage drawn per simulation)',
	'win-rate': 'win-rate stress test'
};

/**
 * Monte Carlo summary for the HTML report: method and settings, probability of loss, risk of ruin, the percentile
 * table, the equity fan chart and the final-equity and drawdown histograms.
 * @param r - a Monte Carlo result.
 * @param theme - colours (default light).
 * @returns an HTML `<section>` as text.
 */
export function monteCarloSectionHtml(r: import('../analysis/monte-carlo').MonteCarloResult, theme: SvgTheme = LIGHT_THEME): string {
	const ratio = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(2)}%` : '—');
	const quote = (v: number) => (Number.isFinite(v) ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : '—');
	const count = (v: number) => (Number.isFinite(v) ? (Number.isInteger(v) ? String(v) : v.toFixed(1)) : '—');
	const fmt = { quote, ratio, count } as const;
	const orig: Record<string, number> = {
		finalEquity: r.original.finalEquity,
		maxDrawdownRatio: r.original.maxDrawdownRatio,
		cagr: r.original.cagr,
		longestLosingStreak: r.original.longestLosingStreak,
		longestDrawdown: r.original.longestDrawdown
	};
	const c = `${+(r.confidence * 100).toPrecision(6)}%`;
	const rows = MC_ROWS.map((row) => {
		const d = r[row.key];
		const f = fmt[row.unit];
		const label = row.key === 'longestDrawdown' ? `Longest drawdown (${r.fan.unit === 'trade' ? 'trades' : 'bars'})` : row.label;
		return `<tr><th scope="row">${escapeHtml(label)}</th>${(['5', '25', '50', '75', '95'] as const).map((p) => `<td class="num">${escapeHtml(f(d.percentiles[p]))}</td>`).join('')}<td class="num">${escapeHtml(f(d.mean))}</td><td class="num">${escapeHtml(`${f(d.lower)} … ${f(d.upper)}`)}</td><td class="num">${escapeHtml(f(orig[row.key]))}</td></tr>`;
	}).join('');
	const settings =
		`${METHOD_LABEL[r.method] ?? r.method}, ${r.simulations.toLocaleString('en-US')} simulations, seed ${r.seed}, confidence ${c}, ruin floor ${ratio(r.ruinFloor)} of the initial equity` +
		(r.winRate ? `, win probability ${ratio(r.winRate.min)}–${ratio(r.winRate.max)}` : '') +
		(r.execution ? `, fee ${ratio(r.execution.fee.min)}–${ratio(r.execution.fee.max)}, slippage ${ratio(r.execution.slippage.min)}–${ratio(r.execution.slippage.max)}` : '');
	const hist = (d: import('../analysis/monte-carlo').DistributionSummary, title: string, f: (v: number) => string, run: number) =>
		histogramSvg(d.histogram, {
			title,
			theme,
			xFormat: f,
			width: 560,
			height: 210,
			markers: [
				{ x: d.percentiles['50'], label: `median ${f(d.percentiles['50'])}`, color: theme.median },
				{ x: run, label: `run ${f(run)}`, color: theme.original, dashed: true }
			]
		});
	return (
		`<section id="montecarlo"><h2>Monte Carlo</h2><p class="small dim">${escapeHtml(settings)}. Paths compound each trade's return relative to the equity at its entry; percentiles interpolate linearly (numpy's default).</p>` +
		`<dl class="kpis"><div><dt>Probability of loss</dt><dd class="num">${escapeHtml(ratio(r.probabilityOfLoss))}</dd></div><div><dt>Risk of ruin</dt><dd class="num">${escapeHtml(ratio(r.riskOfRuin))}</dd></div><div><dt>Max drawdown at ${escapeHtml(c)}</dt><dd class="num down">${escapeHtml(ratio(r.maxDrawdownRatio.worst))}</dd></div><div><dt>Final equity at ${escapeHtml(c)}</dt><dd class="num">${escapeHtml(quote(r.finalEquity.worst))}</dd></div></dl>` +
		`<div class="scroll"><table class="mc"><thead><tr><th scope="col">Statistic</th><th scope="col" class="num">5%</th><th scope="col" class="num">25%</th><th scope="col" class="num">50%</th><th scope="col" class="num">75%</th><th scope="col" class="num">95%</th><th scope="col" class="num">Mean</th><th scope="col" class="num">${escapeHtml(c)} interval</th><th scope="col" class="num">Run</th></tr></thead><tbody>${rows}</tbody></table></div>` +
		`<h3>Equity fan: 5–95% and 25–75% bands, median (solid), this run (dashed)</h3><div class="scroll">${fanChartSvg(r.fan, { title: 'Equity percentiles of the simulated paths', theme })}</div>` +
		`<div class="cols">${hist(r.finalEquity, 'Distribution of final equity', quote, r.original.finalEquity)}${hist(r.maxDrawdownRatio, 'Distribution of max drawdown', ratio, r.original.maxDrawdownRatio)}</div></section>`
	);
}
