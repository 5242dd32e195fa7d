/**
 * Reading an optimisation's results: top-K table rows, heatmaps (from the aggregates, or an exact slice evaluated
 * around the best trial), parameter impact, and the comparison of two trials. Pure functions.
 */
import { ValidationError } from '../core/errors';
import { metricInfo } from '../metrics';
import type { AxisBinning, AggregatesState } from './aggregates';
import type { TrialBatch, TrialResult } from './evaluate';
import { STATISTIC_KEYS, type StatisticKey, type TrialStats } from './objective';
import type { SearchSpace } from './space';

/** One row of the best-trials table. */
export interface TopKRow {
	/** 1 = best. */
	rank: number;
	index: number;
	/** Searched parameters by name. */
	params: Record<string, number>;
	/** The objective statistic's value (not negated). */
	objective: number;
	stats: TrialStats;
}

/**
 * Rows of the best-trials table.
 * @param space - the search space (for parameter names).
 * @param top - trials best first (e.g. `outcome.top` or `state.topK`).
 * @param objectiveKey - the optimised statistic.
 * @returns one row per trial, best first.
 */
export function topKRows(space: SearchSpace, top: readonly TrialResult[], objectiveKey: StatisticKey): TopKRow[] {
	return top.map((t, i) => ({
		rank: i + 1,
		index: t.index,
		params: Object.fromEntries(space.axes.map((a, d) => [a.name, t.values[d]])),
		objective: t.stats[objectiveKey],
		stats: t.stats
	}));
}

function axisIndex(space: SearchSpace, name: string): number {
	const d = space.axes.findIndex((a) => a.name === name);
	if (d < 0) throw new ValidationError(`"${name}" is not a searched parameter (searched: ${space.names.join(', ')}).`);
	return d;
}

/** A 2-D map: `values[y * x.length + x]` (rows = y axis). */
export interface Heatmap {
	x: { name: string; values: number[] };
	y: { name: string; values: number[] };
	/** Row-major, length = x.values.length × y.values.length; NaN where no value. */
	values: Float64Array;
}

/** The trials of a heatmap slice: every (x, y) of two axes with the other axes fixed at an anchor trial's values. */
export interface HeatmapSlice {
	x: { name: string; values: number[] };
	y: { name: string; values: number[] };
	/** Combination index of each cell (row-major like {@link Heatmap}); -1 where the combination fails a constraint. */
	cells: number[];
	/** The combinations to evaluate (the valid cells), as a batch for the runner's evaluate function. */
	batch: Extract<TrialBatch, { kind: 'indices' }>;
}

/**
 * Enumerate the parameter sets of a heatmap over two parameters, the others fixed at an anchor trial's values
 * (normally the best trial).
 * @param space - the search space.
 * @param anchorIndex - combination whose other parameter values are kept.
 * @param xName - parameter on the x axis (columns); @param yName - parameter on the y axis (rows); must differ.
 * @returns the cells and the batch of valid combinations (x.length × y.length at most).
 * @throws ValidationError when a name is not searched or both are the same.
 */
export function heatmapSlice(space: SearchSpace, anchorIndex: number, xName: string, yName: string): HeatmapSlice {
	const dx = axisIndex(space, xName);
	const dy = axisIndex(space, yName);
	if (dx === dy) throw new ValidationError(`the heatmap needs two different parameters, got ${xName} twice.`);
	const digits = space.digitsAt(anchorIndex);
	const xs = space.axes[dx].values;
	const ys = space.axes[dy].values;
	const cells: number[] = [];
	const indices: number[] = [];
	for (let j = 0; j < ys.length; j++) {
		for (let i = 0; i < xs.length; i++) {
			digits[dx] = i;
			digits[dy] = j;
			const index = space.indexOf(digits);
			const ok = space.isValid(index);
			cells.push(ok ? index : -1);
			if (ok) indices.push(index);
		}
	}
	return { x: { name: xName, values: [...xs] }, y: { name: yName, values: [...ys] }, cells, batch: { kind: 'indices', indices } };
}

/**
 * Fill a heatmap slice with one statistic of its evaluated trials.
 * @param slice - from {@link heatmapSlice}.
 * @param results - the results of `slice.batch` (any order; extra results are ignored).
 * @param statistic - statistic to map (any {@link StatisticKey}).
 * @returns the heatmap; NaN in cells that fail a constraint or have no result.
 */
export function heatmapFromResults(slice: HeatmapSlice, results: readonly TrialResult[], statistic: StatisticKey): Heatmap {
	if (!STATISTIC_KEYS.includes(statistic)) throw new ValidationError(`unknown statistic "${statistic}": use one of ${STATISTIC_KEYS.join(', ')}.`);
	const byIndex = new Map(results.map((r) => [r.index, r]));
	const values = new Float64Array(slice.cells.length).fill(NaN);
	slice.cells.forEach((index, c) => {
		const r = index >= 0 ? byIndex.get(index) : undefined;
		if (r) values[c] = r.stats[statistic];
	});
	return { x: slice.x, y: slice.y, values };
}

/** Bin labels of an axis: the value, or `lo..hi` midpoint for a bin of several values. */
function binCentres(b: AxisBinning): number[] {
	return b.lo.map((lo, i) => (lo === b.hi[i] ? lo : (lo + b.hi[i]) / 2));
}

/**
 * Heatmap of the objective over two parameters from the streaming aggregates (every trial, all other parameters
 * varying): per cell the best objective value or the mean.
 * @param agg - aggregates state (`aggregates.view()` or a stored one).
 * @param xName - parameter on the x axis; @param yName - on the y axis.
 * @param kind - `best` (the best objective in the cell, by the objective's direction) or `mean`.
 * @returns the heatmap over the axes' bins (axis values for unbinned axes, bin centres otherwise); NaN = no trial.
 */
export function aggregateHeatmap(agg: Readonly<AggregatesState>, xName: string, yName: string, kind: 'best' | 'mean'): Heatmap {
	const names = agg.binning.map((b) => b.name);
	const dx = names.indexOf(xName);
	const dy = names.indexOf(yName);
	if (dx < 0 || dy < 0) throw new ValidationError(`heatmap parameters must be searched ones (${names.join(', ')}), got ${xName}, ${yName}.`);
	if (dx === dy) throw new ValidationError(`the heatmap needs two different parameters, got ${xName} twice.`);
	const a = Math.min(dx, dy);
	const b = Math.max(dx, dy);
	const pair = agg.pairs.find((p) => p.a === a && p.b === b)!;
	const bx = agg.binning[dx];
	const by = agg.binning[dy];
	const sign = agg.objective.direction === 'min' ? -1 : 1;
	const values = new Float64Array(bx.nBins * by.nBins).fill(NaN);
	for (let j = 0; j < by.nBins; j++) {
		for (let i = 0; i < bx.nBins; i++) {
			const c = dx === a ? i * agg.binning[b].nBins + j : j * agg.binning[b].nBins + i;
			if (!(pair.count[c] > 0)) continue;
			values[j * bx.nBins + i] = kind === 'mean' ? pair.sum[c] / pair.count[c] : sign * (pair.bestRank[c] ?? NaN);
		}
	}
	return { x: { name: xName, values: binCentres(bx) }, y: { name: yName, values: binCentres(by) }, values };
}

/** Objective distribution at one value (or bin) of a parameter. */
export interface ImpactBin {
	lo: number;
	hi: number;
	count: number;
	mean: number;
	/** Population standard deviation of the objective in the bin (NaN when empty). */
	std: number;
	min: number;
	max: number;
}

/** How much one parameter matters. */
export interface ParameterImpact {
	name: string;
	bins: ImpactBin[];
	/** Population variance of the per-value mean objective (over values with trials): the ranking key. */
	varianceOfMeans: number;
	/** Largest minus smallest per-value mean objective. */
	rangeOfMeans: number;
	/** 1 = matters most. */
	rank: number;
}

/**
 * Parameter impact: the objective's distribution per value of each parameter, and a ranking of the parameters by
 * the variance of their per-value means (a parameter whose value moves the average objective a lot matters more).
 * @param agg - aggregates state.
 * @returns one entry per searched parameter, most important first.
 * @see main effects in design-of-experiments analysis (a one-way ANOVA between-group term, unweighted).
 */
export function parameterImpact(agg: Readonly<AggregatesState>): ParameterImpact[] {
	const out: ParameterImpact[] = agg.binning.map((b, d) => {
		const ax = agg.axes[d];
		const bins: ImpactBin[] = b.lo.map((lo, i) => {
			const n = ax.count[i];
			const mean = n > 0 ? ax.sum[i] / n : NaN;
			const variance = n > 0 ? Math.max(0, ax.sumSq[i] / n - mean * mean) : NaN;
			return { lo, hi: b.hi[i], count: n, mean, std: Math.sqrt(variance), min: n > 0 ? (ax.min[i] ?? NaN) : NaN, max: n > 0 ? (ax.max[i] ?? NaN) : NaN };
		});
		const means = bins.filter((x) => x.count > 0).map((x) => x.mean);
		const m = means.reduce((s, x) => s + x, 0) / means.length;
		const varianceOfMeans = means.length > 0 ? means.reduce((s, x) => s + (x - m) * (x - m), 0) / means.length : NaN;
		const rangeOfMeans = means.length > 0 ? Math.max(...means) - Math.min(...means) : NaN;
		return { name: b.name, bins, varianceOfMeans, rangeOfMeans, rank: 0 };
	});
	out.sort((p, q) => (Number.isNaN(p.varianceOfMeans) ? 1 : Number.isNaN(q.varianceOfMeans) ? -1 : q.varianceOfMeans - p.varianceOfMeans));
	out.forEach((p, i) => (p.rank = i + 1));
	return out;
}

/** One statistic of two trials side by side. */
export interface ComparisonRow {
	key: StatisticKey;
	a: number;
	b: number;
	/** b - a. */
	difference: number;
	/** Which is better by this statistic (null when the statistic has no better direction or a value is NaN). */
	better: 'a' | 'b' | 'equal' | null;
}

/**
 * Compare two trials statistic by statistic.
 * @param a - first trial (its stats). @param b - second trial.
 * @param keys - statistics to compare (default every {@link STATISTIC_KEYS} entry).
 * @returns one row per statistic.
 */
export function compareTrialStats(a: TrialStats, b: TrialStats, keys: readonly StatisticKey[] = STATISTIC_KEYS): ComparisonRow[] {
	return keys.map((key) => {
		const va = a[key];
		const vb = b[key];
		const hib = key === 'score' ? true : key === 'grossLoss' ? true : (metricInfo(key)?.higherIsBetter ?? null);
		let better: ComparisonRow['better'] = null;
		if (hib !== null && !Number.isNaN(va) && !Number.isNaN(vb)) better = va === vb ? 'equal' : (va > vb) === hib ? 'a' : 'b';
		return { key, a: va, b: vb, difference: vb - va, better };
	});
}
