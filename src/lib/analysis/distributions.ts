/**
 * The distributions traders look at on a run: the histogram of trade returns (wins and losses in separate bins,
 * with the mean and median) and the year × month grid of monthly returns with yearly totals.
 * Plain TypeScript, no DOM or Node imports.
 */
import { ValidationError } from '../core/errors';
import { quantileSorted, type Histogram } from './stats';

/** Histogram of trade returns with its summary. */
export interface TradeReturnHistogram extends Histogram {
	mean: number;
	median: number;
	wins: number;
	losses: number;
	/** Trades with a return of exactly 0 (counted in the bin starting at 0). */
	flat: number;
}

/**
 * Histogram of per-trade returns whose bin edges fall on 0, so every bin holds only winners (>= 0) or only losers
 * (< 0) and can be coloured as such. The bin width is `(max - min) / bins` rounded so that 0 is an edge.
 * @param returns - per-trade returns (fractions, e.g. `Trade.profitRatio`); non-finite values are skipped.
 * @param bins - approximate number of bins, 1..200 (default 30).
 * @returns edges, counts, mean, median (linear interpolation), numbers of wins and losses; empty for no trade.
 * @throws ValidationError for a bad bin count.
 */
export function tradeReturnHistogram(returns: ArrayLike<number>, bins = 30): TradeReturnHistogram {
	if (!Number.isInteger(bins) || bins < 1 || bins > 200) throw new ValidationError(`bins must be a whole number from 1 to 200, got ${bins}.`);
	const x = Float64Array.from(Array.from(returns).filter((v) => Number.isFinite(v))).sort();
	const n = x.length;
	let wins = 0;
	let losses = 0;
	let flat = 0;
	let sum = 0;
	for (const v of x) {
		sum += v;
		if (v > 0) wins++;
		else if (v < 0) losses++;
		else flat++;
	}
	if (n === 0) return { edges: [], counts: [], mean: NaN, median: NaN, wins, losses, flat };
	const lo = Math.min(0, x[0]);
	const hi = Math.max(0, x[n - 1]);
	const width = hi > lo ? (hi - lo) / bins : 1e-9;
	const first = Math.floor(lo / width);
	const last = Math.max(first + 1, Math.floor(hi / width) + 1);
	const edges: number[] = [];
	for (let k = first; k <= last; k++) edges.push(k === 0 ? 0 : k * width);
	const counts = new Array<number>(last - first).fill(0);
	for (const v of x) counts[Math.min(counts.length - 1, Math.floor(v / width) - first)]++;
	return { edges, counts, mean: sum / n, median: quantileSorted(x, 0.5), wins, losses, flat };
}

/** One year row of the monthly grid. */
export interface MonthlyRow {
	year: number;
	/** Return of each calendar month (index 0 = January), null where the run has no bar. */
	months: (number | null)[];
	/** The year's months compounded: `Π(1 + r) - 1`. */
	total: number;
}

/**
 * Arrange monthly returns (as `monthlyReturns` of the report module gives them) into a year × month grid.
 * @param months - `{year, month (0-11), ratio}` in time order.
 * @returns one row per year, ascending.
 */
export function monthlyGrid(months: readonly { year: number; month: number; ratio: number }[]): MonthlyRow[] {
	const rows = new Map<number, MonthlyRow>();
	for (const m of months) {
		let row = rows.get(m.year);
		if (!row) {
			row = { year: m.year, months: new Array(12).fill(null), total: 0 };
			rows.set(m.year, row);
		}
		row.months[m.month] = m.ratio;
	}
	for (const row of rows.values()) row.total = row.months.reduce<number>((acc, r) => acc * (1 + (r ?? 0)), 1) - 1;
	return [...rows.values()].sort((a, b) => a.year - b.year);
}

/**
 * Colour scale of a heatmap of returns: the largest absolute monthly return, clipped to [2 %, 50 %], maps to full
 * intensity, so one extreme month does not wash out the rest.
 */
export function heatScale(values: readonly (number | null)[]): number {
	let m = 0;
	for (const v of values) if (v !== null && Number.isFinite(v)) m = Math.max(m, Math.abs(v));
	return Math.min(0.5, Math.max(0.02, m));
}

/**
 * Graded background of a return cell: green for gains, red for losses, opacity from 0.12 to 0.85 by `|r| / scale`.
 * @param r - the return (fraction); null or NaN gives transparent.
 * @param scale - from {@link heatScale}.
 * @param up - RGB of gains, e.g. `[46, 189, 133]`; @param down - RGB of losses.
 * @returns a CSS colour `rgba(...)`.
 */
export function heatColor(r: number | null, scale: number, up: readonly number[] = [46, 189, 133], down: readonly number[] = [246, 70, 93]): string {
	if (r === null || !Number.isFinite(r) || r === 0) return 'transparent';
	// At most 55 % opacity, so light text on the tinted cell keeps a WCAG AA contrast on the app's dark background.
	const a = 0.1 + 0.45 * Math.min(1, Math.abs(r) / scale);
	const c = r > 0 ? up : down;
	return `rgba(${c[0]},${c[1]},${c[2]},${a.toFixed(3)})`;
}
