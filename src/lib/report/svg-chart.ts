/**
 * Static line charts as inline SVG strings for the self-contained HTML report: min/max decimation so
 * a long series stays small, "nice" axis ticks, UTC date labels, and trade markers. Plain TypeScript,
 * no DOM: the output is markup text.
 */
import { isoUtc } from '../core/timeframe';

/** Escape text for HTML/SVG element content and attribute values (`& < > " '`). */
export function escapeHtml(text: unknown): string {
	return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Indices of the points to draw so that a series of any length keeps its shape with at most
 * `maxPoints` points: the index range is cut into `maxPoints / 2` equal buckets and each bucket keeps
 * its minimum and its maximum (in index order). Non-finite values are never chosen.
 * @param values - the series, any length.
 * @param maxPoints - upper bound of the result's length (>= 2).
 * @returns ascending indices into `values` (all finite indices when there are at most `maxPoints`).
 */
export function decimateMinMax(values: ArrayLike<number>, maxPoints = 2000): number[] {
	const n = values.length;
	const out: number[] = [];
	if (n <= maxPoints) {
		for (let i = 0; i < n; i++) if (Number.isFinite(values[i])) out.push(i);
		return out;
	}
	const buckets = Math.max(1, Math.floor(maxPoints / 2));
	for (let b = 0; b < buckets; b++) {
		const s = Math.floor((b * n) / buckets);
		const e = Math.floor(((b + 1) * n) / buckets);
		let lo = -1;
		let hi = -1;
		for (let i = s; i < e; i++) {
			const v = values[i];
			if (!Number.isFinite(v)) continue;
			if (lo < 0 || v < values[lo]) lo = i;
			if (hi < 0 || v > values[hi]) hi = i;
		}
		if (lo < 0) continue;
		if (lo === hi) out.push(lo);
		else out.push(Math.min(lo, hi), Math.max(lo, hi));
	}
	return out;
}

/**
 * About `count` round tick values covering `[min, max]` (steps of 1, 2 or 5 × 10^k).
 * @returns ascending ticks inside the range (empty when the range is not finite).
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
	if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
	if (max === min) return [min];
	const raw = (max - min) / Math.max(1, count);
	const mag = 10 ** Math.floor(Math.log10(raw));
	const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
	const out: number[] = [];
	for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : +v.toPrecision(12));
	return out;
}

/** One line of a chart. */
export interface ChartLine {
	/** x values (Unix ms UTC), same length as `y`. */
	x: ArrayLike<number>;
	y: ArrayLike<number>;
	color: string;
	/** Fill the area between the line and `fillTo` (a y value). */
	fillTo?: number;
	/** Dashed line (e.g. a reference level). */
	dashed?: boolean;
	width?: number;
}

/** A marker at a data point. */
export interface ChartMarker {
	x: number;
	y: number;
	shape: 'up' | 'down' | 'circle' | 'square';
	color: string;
}

/** Options of {@link lineChartSvg}. */
export interface LineChartOptions {
	/** Accessible name (also the `<title>`). */
	title: string;
	lines: ChartLine[];
	markers?: ChartMarker[];
	/** Formats a y tick label. */
	yFormat: (v: number) => string;
	/** Height in SVG units (width is 1000). Default 300. */
	height?: number;
	/** Max points drawn per line (min/max decimation). Default 2000. */
	maxPoints?: number;
	/** Force the y range to include these values (e.g. 0 for a drawdown). */
	include?: number[];
}

const W = 1000;
const PAD = { left: 86, right: 14, top: 12, bottom: 30 };
const r1 = (v: number) => Math.round(v * 10) / 10;

/**
 * A line chart as an inline `<svg>` element (no `xmlns` needed inside HTML, no script, no external
 * reference). Text inside is escaped.
 * @param o - lines, markers, formatting, see {@link LineChartOptions}.
 * @returns SVG markup; width 1000 units, scaled to its container by CSS.
 */
export function lineChartSvg(o: LineChartOptions): string {
	const H = o.height ?? 300;
	const maxPoints = o.maxPoints ?? 2000;
	const picked = o.lines.map((l) => decimateMinMax(l.y, maxPoints));
	let xMin = Infinity;
	let xMax = -Infinity;
	let yMin = Infinity;
	let yMax = -Infinity;
	o.lines.forEach((l, k) => {
		for (const i of picked[k]) {
			if (l.x[i] < xMin) xMin = l.x[i];
			if (l.x[i] > xMax) xMax = l.x[i];
			if (l.y[i] < yMin) yMin = l.y[i];
			if (l.y[i] > yMax) yMax = l.y[i];
		}
	});
	for (const m of o.markers ?? []) {
		if (m.y < yMin) yMin = m.y;
		if (m.y > yMax) yMax = m.y;
	}
	for (const v of o.include ?? []) {
		if (v < yMin) yMin = v;
		if (v > yMax) yMax = v;
	}
	const title = `<title>${escapeHtml(o.title)}</title>`;
	if (!Number.isFinite(xMin) || !Number.isFinite(yMin)) {
		return `<svg class="chart" viewBox="0 0 ${W} 60" role="img" aria-label="${escapeHtml(o.title)}">${title}<text x="${W / 2}" y="34" text-anchor="middle" class="axis">no data</text></svg>`;
	}
	if (yMax === yMin) {
		yMax += Math.abs(yMax) * 0.01 || 1;
		yMin -= Math.abs(yMin) * 0.01 || 1;
	}
	const padY = (yMax - yMin) * 0.04;
	yMin -= padY;
	yMax += padY;
	if (xMax === xMin) xMax = xMin + 1;
	const pw = W - PAD.left - PAD.right;
	const ph = H - PAD.top - PAD.bottom;
	const sx = (x: number) => r1(PAD.left + ((x - xMin) / (xMax - xMin)) * pw);
	const sy = (y: number) => r1(PAD.top + (1 - (y - yMin) / (yMax - yMin)) * ph);

	const parts: string[] = [];
	// Grid and y labels.
	for (const t of niceTicks(yMin, yMax, 5)) {
		const y = sy(t);
		parts.push(`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}"/>`);
		parts.push(`<text class="axis" x="${PAD.left - 8}" y="${r1(y + 5)}" text-anchor="end">${escapeHtml(o.yFormat(t))}</text>`);
	}
	// x labels: about 6 UTC dates.
	const xTicks = 6;
	for (let k = 0; k <= xTicks; k++) {
		const t = xMin + ((xMax - xMin) * k) / xTicks;
		const x = sx(t);
		const anchor = k === 0 ? 'start' : k === xTicks ? 'end' : 'middle';
		parts.push(`<line class="grid" x1="${x}" x2="${x}" y1="${PAD.top}" y2="${PAD.top + ph}"/>`);
		parts.push(`<text class="axis" x="${x}" y="${H - 8}" text-anchor="${anchor}">${Number.isFinite(t) && Math.abs(t) <= 8.64e15 ? isoUtc(t).slice(0, 10) : '—'}</text>`);
	}
	o.lines.forEach((l, k) => {
		const idx = picked[k];
		if (idx.length === 0) return;
		let d = '';
		for (let q = 0; q < idx.length; q++) d += `${q === 0 ? 'M' : 'L'}${sx(l.x[idx[q]])} ${sy(l.y[idx[q]])}`;
		if (l.fillTo !== undefined) {
			const base = sy(Math.min(Math.max(l.fillTo, yMin), yMax));
			const area = `${d}L${sx(l.x[idx[idx.length - 1]])} ${base}L${sx(l.x[idx[0]])} ${base}Z`;
			parts.push(`<path d="${area}" fill="${escapeHtml(l.color)}" fill-opacity="0.18" stroke="none"/>`);
		}
		parts.push(
			`<path d="${d}" fill="none" stroke="${escapeHtml(l.color)}" stroke-width="${l.width ?? 1.4}"${l.dashed ? ' stroke-dasharray="6 5"' : ''} stroke-linejoin="round"/>`
		);
	});
	// Markers: one path per shape and colour keeps the file small.
	const groups = new Map<string, string>();
	for (const m of o.markers ?? []) {
		const x = sx(m.x);
		const y = sy(m.y);
		let d: string;
		if (m.shape === 'up') d = `M${x} ${r1(y + 2)}l5 9h-10z`;
		else if (m.shape === 'down') d = `M${x} ${r1(y - 2)}l5 -9h-10z`;
		else if (m.shape === 'square') d = `M${r1(x - 3.5)} ${r1(y - 3.5)}h7v7h-7z`;
		else d = `M${r1(x - 3.5)} ${y}a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0 -7 0`;
		const key = `${m.shape} ${m.color}`;
		groups.set(key, (groups.get(key) ?? '') + d);
	}
	for (const [key, d] of groups) {
		const color = key.split(' ')[1];
		parts.push(`<path d="${d}" fill="${escapeHtml(color)}" stroke="#fff" stroke-width="0.6"/>`);
	}
	parts.push(`<rect class="frame" x="${PAD.left}" y="${PAD.top}" width="${pw}" height="${ph}"/>`);
	return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(o.title)}">${title}${parts.join('')}</svg>`;
}
