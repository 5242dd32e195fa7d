/**
 * Streaming aggregates of an optimisation's objective, in memory that does not grow with the number of trials:
 * - per parameter value (per bin for axes with many values): count, sum, sum of squares, min, max of the objective
 *   (parameter-impact analysis);
 * - per pair of parameters: a 2-D grid of count, sum (mean) and best objective with the best trial's index
 *   (heatmaps of the whole search).
 * Only ranked trials (finite ranking value, enough trades) are aggregated; the others are counted.
 * The objective is aggregated as the raw statistic (e.g. drawdown stays positive when minimised); "best" follows
 * the objective's direction.
 */
import type { TrialResult } from './evaluate';
import type { ResolvedObjective } from './objective';
import type { SearchSpace } from './space';

/** Default largest number of bins per axis; axes with more values are binned evenly by value position. */
export const DEFAULT_MAX_BINS = 100;

/** How one axis maps onto aggregate bins. */
export interface AxisBinning {
	name: string;
	/** Number of values on the axis. */
	nValues: number;
	/** Number of bins (= nValues when the axis is not binned). */
	nBins: number;
	/** Lowest and highest axis value in each bin (equal when not binned), length = nBins. */
	lo: number[];
	hi: number[];
}

/** Aggregates of one pair of axes `a < b`: cell `(i, j)` at `i * nBins(b) + j` (i = bin of a, j = bin of b). */
export interface PairAggregate {
	a: number;
	b: number;
	count: number[];
	sum: number[];
	/** Best ranking value in the cell (NaN when empty). */
	bestRank: number[];
	/** Index of the cell's best trial (-1 when empty). */
	bestIndex: number[];
}

/** Per-bin statistics of one axis (each array has length nBins; min/max NaN where count is 0). */
export interface AxisAggregate {
	count: number[];
	sum: number[];
	sumSq: number[];
	min: number[];
	max: number[];
}

/** Serialisable aggregates (plain arrays; NaN entries may come back as null from JSON, which restore accepts). */
export interface AggregatesState {
	objective: ResolvedObjective;
	binning: AxisBinning[];
	axes: AxisAggregate[];
	pairs: PairAggregate[];
	/** Trials seen, ranked and not ranked. */
	evaluated: number;
	ranked: number;
}

function binningOf(space: SearchSpace, maxBins: number): AxisBinning[] {
	return space.axes.map((axis) => {
		const n = axis.values.length;
		const nBins = Math.min(n, maxBins);
		const lo = new Array<number>(nBins).fill(NaN);
		const hi = new Array<number>(nBins).fill(NaN);
		for (let k = 0; k < n; k++) {
			const b = binOf(k, n, nBins);
			if (Number.isNaN(lo[b])) lo[b] = axis.values[k];
			hi[b] = axis.values[k];
		}
		return { name: axis.name, nValues: n, nBins, lo, hi };
	});
}

/** Bin of value position `k` on an axis of `n` values split into `nBins` bins. */
export function binOf(k: number, n: number, nBins: number): number {
	return nBins === n ? k : Math.floor((k * nBins) / n);
}

const nanArray = (n: number) => new Array<number>(n).fill(NaN);
const zeros = (n: number) => new Array<number>(n).fill(0);
const fixNull = (a: (number | null)[]) => a.map((x) => (x === null ? NaN : x));

/** The streaming aggregator (see the module comment). */
export class Aggregates {
	readonly space: SearchSpace;
	private readonly s: AggregatesState;
	private readonly digits: number[];

	/**
	 * @param space - the search space.
	 * @param objective - the resolved objective (its key is the aggregated statistic).
	 * @param maxBins - largest number of bins per axis (default {@link DEFAULT_MAX_BINS}).
	 * @param state - a stored state to continue from (must come from the same space and objective).
	 * @throws RangeError when `state` does not match the space's axes.
	 */
	constructor(space: SearchSpace, objective: ResolvedObjective, maxBins = DEFAULT_MAX_BINS, state?: AggregatesState) {
		this.space = space;
		this.digits = new Array(space.axes.length);
		if (state) {
			if (state.binning.length !== space.axes.length || state.binning.some((b, d) => b.name !== space.axes[d].name || b.nValues !== space.axes[d].values.length)) {
				throw new RangeError('aggregates state does not match the search space (different axes)');
			}
			this.s = {
				objective: state.objective,
				binning: state.binning,
				axes: state.axes.map((a) => ({ count: [...a.count], sum: [...a.sum], sumSq: [...a.sumSq], min: fixNull(a.min), max: fixNull(a.max) })),
				pairs: state.pairs.map((p) => ({ a: p.a, b: p.b, count: [...p.count], sum: [...p.sum], bestRank: fixNull(p.bestRank), bestIndex: [...p.bestIndex] })),
				evaluated: state.evaluated,
				ranked: state.ranked
			};
			return;
		}
		const binning = binningOf(space, maxBins);
		const pairs: PairAggregate[] = [];
		for (let a = 0; a < binning.length; a++) {
			for (let b = a + 1; b < binning.length; b++) {
				const cells = binning[a].nBins * binning[b].nBins;
				pairs.push({ a, b, count: zeros(cells), sum: zeros(cells), bestRank: nanArray(cells), bestIndex: new Array<number>(cells).fill(-1) });
			}
		}
		this.s = {
			objective,
			binning,
			axes: binning.map((b) => ({ count: zeros(b.nBins), sum: zeros(b.nBins), sumSq: zeros(b.nBins), min: nanArray(b.nBins), max: nanArray(b.nBins) })),
			pairs,
			evaluated: 0,
			ranked: 0
		};
	}

	/** Add one evaluated trial. */
	add(t: TrialResult): void {
		const s = this.s;
		s.evaluated++;
		if (Number.isNaN(t.rank)) return;
		s.ranked++;
		const v = t.stats[s.objective.key];
		const dg = this.space.digitsAt(t.index, this.digits);
		const bins = dg.map((k, d) => binOf(k, s.binning[d].nValues, s.binning[d].nBins));
		for (let d = 0; d < bins.length; d++) {
			const ax = s.axes[d];
			const b = bins[d];
			ax.count[b]++;
			ax.sum[b] += v;
			ax.sumSq[b] += v * v;
			if (!(ax.min[b] <= v)) ax.min[b] = v;
			if (!(ax.max[b] >= v)) ax.max[b] = v;
		}
		for (const p of s.pairs) {
			const c = bins[p.a] * s.binning[p.b].nBins + bins[p.b];
			p.count[c]++;
			p.sum[c] += v;
			const br = p.bestRank[c];
			if (Number.isNaN(br) || t.rank > br || (t.rank === br && t.index < p.bestIndex[c])) {
				p.bestRank[c] = t.rank;
				p.bestIndex[c] = t.index;
			}
		}
	}

	/** Add many trials. */
	addAll(ts: readonly TrialResult[]): void {
		for (const t of ts) this.add(t);
	}

	/** Trials seen (ranked or not). */
	get evaluated(): number {
		return this.s.evaluated;
	}

	/** Trials that were ranked (and aggregated). */
	get ranked(): number {
		return this.s.ranked;
	}

	/** The aggregates as plain data (a deep copy, safe to store in IndexedDB or post to the page). */
	state(): AggregatesState {
		return structuredClone(this.s);
	}

	/** Read-only view of the live aggregates (no copy). */
	view(): Readonly<AggregatesState> {
		return this.s;
	}
}
