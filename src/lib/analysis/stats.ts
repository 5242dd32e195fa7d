/**
 * Small statistics toolkit for the Monte Carlo and overfitting analysis: percentiles, histograms, moments and the
 * standard normal distribution. Plain TypeScript, no DOM or Node imports.
 */
import { ValidationError } from '../core/errors';

/** Percentile levels reported everywhere (fan chart bands, the percentile tables, the CLI JSON). */
export const PERCENTILE_LEVELS = Object.freeze([5, 25, 50, 75, 95] as const);
export type PercentileKey = '5' | '25' | '50' | '75' | '95';

/**
 * Percentile of an ascending-sorted sample by linear interpolation between closest ranks — numpy's default
 * (`numpy.percentile(x, q, method='linear')`, Hyndman & Fan 1996 definition 7, also Excel `PERCENTILE.INC`):
 * `h = (n - 1)·q`, `x[floor(h)] + (h - floor(h))·(x[floor(h)+1] - x[floor(h)])`.
 * @param sorted - values sorted ascending (NaN-free), length >= 1.
 * @param q - quantile as a fraction, 0 <= q <= 1 (0.05 = 5th percentile).
 * @returns the interpolated value; NaN for an empty sample.
 * @see Hyndman & Fan, "Sample Quantiles in Statistical Packages", The American Statistician 50(4), 1996.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
	const n = sorted.length;
	if (n === 0) return NaN;
	if (n === 1 || q <= 0) return sorted[0];
	if (q >= 1) return sorted[n - 1];
	const h = (n - 1) * q;
	const lo = Math.floor(h);
	const hi = Math.min(lo + 1, n - 1);
	const a = sorted[lo];
	const b = sorted[hi];
	// a + t·(b - a) is monotone in t for a <= b, so percentiles of one sample never decrease with q.
	return a === b ? a : a + (h - lo) * (b - a);
}

/** The {@link PERCENTILE_LEVELS} of an ascending-sorted sample, keyed `"5"`, `"25"`, `"50"`, `"75"`, `"95"`. */
export function percentilesSorted(sorted: ArrayLike<number>): Record<PercentileKey, number> {
	const out = {} as Record<PercentileKey, number>;
	for (const p of PERCENTILE_LEVELS) out[String(p) as PercentileKey] = quantileSorted(sorted, p / 100);
	return out;
}

/** A histogram over equal-width bins. */
export interface Histogram {
	/** Bin edges, length = bins + 1, ascending; bin i is `[edges[i], edges[i+1])`, the last bin closed. */
	edges: number[];
	/** Count per bin, length = bins; the counts add up to the number of finite values. */
	counts: number[];
}

/**
 * Equal-width histogram between the smallest and largest finite value.
 * @param values - sample (non-finite values are skipped).
 * @param bins - number of bins, whole number 1..1000 (default 30). A sample whose values are all equal (to 1e-12
 *   relative) gets one bin from its smallest to its largest value.
 * @returns edges and counts (both empty when no value is finite).
 * @throws ValidationError for a bad bin count.
 */
export function histogram(values: ArrayLike<number>, bins = 30): Histogram {
	if (!Number.isInteger(bins) || bins < 1 || bins > 1000) throw new ValidationError(`histogram bins must be a whole number from 1 to 1000, got ${bins}.`);
	let min = Infinity;
	let max = -Infinity;
	let n = 0;
	for (let i = 0; i < values.length; i++) {
		const v = values[i];
		if (!Number.isFinite(v)) continue;
		n++;
		if (v < min) min = v;
		if (v > max) max = v;
	}
	if (n === 0) return { edges: [], counts: [] };
	// Equal up to rounding (e.g. a shuffle's final equities, the same product in another order): one bin, not a
	// spread of float noise.
	if (max - min <= 1e-12 * Math.max(Math.abs(min), Math.abs(max))) return { edges: [min, max], counts: [n] };
	const width = (max - min) / bins;
	const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
	const counts = new Array<number>(bins).fill(0);
	for (let i = 0; i < values.length; i++) {
		const v = values[i];
		if (!Number.isFinite(v)) continue;
		counts[Math.min(bins - 1, Math.floor((v - min) / width))]++;
	}
	return { edges, counts };
}

/** Mean, sample standard deviation and the biased (population) third and fourth standardised moments. */
export interface Moments {
	n: number;
	mean: number;
	/** Sample standard deviation (divides by n - 1); NaN for n < 2. */
	std: number;
	/** Skewness `m3 / m2^1.5` with population central moments (scipy.stats.skew default, bias=True); NaN when m2 = 0. */
	skewness: number;
	/** Kurtosis `m4 / m2^2`, NOT excess (normal = 3; scipy.stats.kurtosis(fisher=False)); NaN when m2 = 0. */
	kurtosis: number;
}

/**
 * Moments of a sample, two passes (mean first, then central sums: no cancellation).
 * @param x - values (all used; pass finite values).
 * @returns see {@link Moments}; every field NaN for an empty sample.
 * @see Bailey & López de Prado (2012) "The Sharpe Ratio Efficient Frontier", who use these moments (γ3, γ4) in the PSR.
 */
export function moments(x: ArrayLike<number>): Moments {
	const n = x.length;
	if (n === 0) return { n, mean: NaN, std: NaN, skewness: NaN, kurtosis: NaN };
	let s = 0;
	for (let i = 0; i < n; i++) s += x[i];
	const mean = s / n;
	let m2 = 0;
	let m3 = 0;
	let m4 = 0;
	for (let i = 0; i < n; i++) {
		const d = x[i] - mean;
		const d2 = d * d;
		m2 += d2;
		m3 += d2 * d;
		m4 += d2 * d2;
	}
	const std = n > 1 ? Math.sqrt(m2 / (n - 1)) : NaN;
	m2 /= n;
	m3 /= n;
	m4 /= n;
	return { n, mean, std, skewness: m2 > 0 ? m3 / Math.pow(m2, 1.5) : NaN, kurtosis: m2 > 0 ? m4 / (m2 * m2) : NaN };
}

/**
 * Standard normal cumulative distribution Φ(x), by Marsaglia's Taylor series
 * `Φ(x) = 1/2 + φ(x)·(x + x³/3 + x⁵/(3·5) + …)` (absolute error ~1e-15 for |x| <= 8; 0 or 1 beyond ±38).
 * @see G. Marsaglia, "Evaluating the Normal Distribution", Journal of Statistical Software 11(4), 2004.
 */
export function normalCdf(x: number): number {
	if (Number.isNaN(x)) return NaN;
	if (x < -38) return 0;
	if (x > 38) return 1;
	if (x < -8) return tailCdf(x);
	if (x > 8) return 1 - tailCdf(-x);
	let s = x;
	let t = x;
	const x2 = x * x;
	for (let i = 3; i < 500; i += 2) {
		t *= x2 / i;
		const next = s + t;
		if (next === s) break;
		s = next;
	}
	return Math.min(1, Math.max(0, 0.5 + s * Math.exp(-0.5 * x2 - 0.91893853320467274178)));
}

/** Lower tail for x < -8 by the asymptotic (Laplace) continued fraction: relative accuracy far beyond 1e-10. */
function tailCdf(x: number): number {
	const z = -x;
	let f = z;
	for (let k = 60; k >= 1; k--) f = z + k / f;
	return Math.exp(-0.5 * z * z - 0.91893853320467274178) / f;
}

/**
 * Inverse of the standard normal CDF, Φ⁻¹(p), by Wichura's algorithm AS241 (PPND16, relative accuracy ~1e-16).
 * @param p - probability, 0 < p < 1 (0 gives -Infinity, 1 gives +Infinity).
 * @returns the quantile; NaN outside [0, 1].
 * @see M. J. Wichura, "Algorithm AS 241: The Percentage Points of the Normal Distribution", Applied Statistics 37(3), 1988.
 */
export function normalQuantile(p: number): number {
	if (!(p >= 0 && p <= 1)) return NaN;
	if (p === 0) return -Infinity;
	if (p === 1) return Infinity;
	const q = p - 0.5;
	if (Math.abs(q) <= 0.425) {
		const r = 0.180625 - q * q;
		return (
			(q *
				(((((((r * 2509.0809287301226727 + 33430.575583588128105) * r + 67265.770927008700853) * r + 45921.953931549871457) * r +
					13731.693765509461125) * r + 1971.5909503065514427) * r + 133.14166789178437745) * r + 3.387132872796366608)) /
			(((((((r * 5226.495278852545925 + 28729.085735721942674) * r + 39307.89580009271061) * r + 21213.794301586595867) * r +
				5394.1960214247511077) * r + 687.1870074920579083) * r + 42.313330701600911252) * r + 1)
		);
	}
	let r = q < 0 ? p : 1 - p;
	r = Math.sqrt(-Math.log(r));
	let v: number;
	if (r <= 5) {
		r -= 1.6;
		v =
			(((((((r * 7.7454501427834140764e-4 + 0.0227238449892691845833) * r + 0.24178072517745061177) * r + 1.27045825245236838258) * r +
				3.64784832476320460504) * r + 5.7694972214606914055) * r + 4.6303378461565452959) * r + 1.42343711074968357734) /
			(((((((r * 1.05075007164441684324e-9 + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r + 0.14810397642748007459) * r +
				0.68976733498510000455) * r + 1.6763848301838038494) * r + 2.05319162663775882187) * r + 1);
	} else {
		r -= 5;
		v =
			(((((((r * 2.01033439929228813265e-7 + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r + 0.026532189526576123093) * r +
				0.29656057182850489123) * r + 1.7848265399172913358) * r + 5.4637849111641143699) * r + 6.6579046435011037772) /
			(((((((r * 2.04426310338993978564e-15 + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r + 7.868691311456132591e-4) * r +
				0.0148753612908506148525) * r + 0.13692988092273580531) * r + 0.59983220655588793769) * r + 1);
	}
	return q < 0 ? -v : v;
}

/** Serialisable state of {@link RunningMoments}. */
export interface RunningMomentsState {
	n: number;
	mean: number;
	/** Sum of squared deviations from the mean. */
	m2: number;
}

/**
 * Streaming count, mean and variance (Welford's algorithm): O(1) memory for any number of values.
 * @see B. P. Welford, "Note on a method for calculating corrected sums of squares and products", Technometrics 4(3), 1962.
 */
export class RunningMoments {
	n = 0;
	mean = 0;
	m2 = 0;

	/** @param state - a stored state to continue from. */
	constructor(state?: RunningMomentsState) {
		if (state) {
			this.n = state.n;
			this.mean = state.mean;
			this.m2 = state.m2;
		}
	}

	/** Add a value (non-finite values are ignored). */
	add(x: number): void {
		if (!Number.isFinite(x)) return;
		this.n++;
		const d = x - this.mean;
		this.mean += d / this.n;
		this.m2 += d * (x - this.mean);
	}

	/** Sample variance (n - 1); NaN for n < 2. */
	get variance(): number {
		return this.n > 1 ? this.m2 / (this.n - 1) : NaN;
	}

	state(): RunningMomentsState {
		return { n: this.n, mean: this.mean, m2: this.m2 };
	}
}
