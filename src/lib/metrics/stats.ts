/**
 * Small numeric helpers shared by the metric functions. Plain loops over array-likes, no allocation
 * beyond what is returned.
 */

/** Arithmetic mean of `values`; NaN when empty. */
export function mean(values: ArrayLike<number>): number {
	const n = values.length;
	if (n === 0) return NaN;
	let s = 0;
	for (let i = 0; i < n; i++) s += values[i];
	return s / n;
}

/**
 * Sample standard deviation (ddof = 1, i.e. divided by n - 1) of `values`.
 * @returns NaN when fewer than 2 values.
 */
export function sampleStd(values: ArrayLike<number>): number {
	const n = values.length;
	if (n < 2) return NaN;
	const m = mean(values);
	let ss = 0;
	for (let i = 0; i < n; i++) {
		const d = values[i] - m;
		ss += d * d;
	}
	return Math.sqrt(ss / (n - 1));
}

/**
 * `numerator / denominator` with the conventions of this module for a zero denominator:
 * `x / 0` is `+Infinity` or `-Infinity` for `x != 0` and NaN for `0 / 0`; NaN inputs give NaN.
 */
export function ratioOrInfinity(numerator: number, denominator: number): number {
	if (Number.isNaN(numerator) || Number.isNaN(denominator)) return NaN;
	if (denominator === 0) return numerator === 0 ? NaN : numerator > 0 ? Infinity : -Infinity;
	return numerator / denominator;
}

/** Milliseconds in one day. */
export const DAY_MS = 86_400_000;
/** Milliseconds in one 365-day year (the annualisation year of every metric here). */
export const YEAR_MS = 365 * DAY_MS;
