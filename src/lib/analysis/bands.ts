/**
 * Polynomial-regression bands over a window of closes, and the scanner's BUY / SELL / HOLD signal on the last
 * candle. Definitions: BANDS.md (project reference, copied in tests/fixtures/bands/README.md).
 *
 * - Least-squares polynomial of degree `d` through `(x_i, y_i)`, `x_i = i` (0 … n-1). The fitted values do not
 *   depend on an affine rescaling of x, so the fit runs on `x` mapped to [-1, 1] (raw powers of i up to 720^10 are
 *   hopelessly ill-conditioned). The solver is the product owner's `ml-regression-polynomial` (normal equations);
 *   one refinement step (fit the residuals again and add) brings the fitted values to ~1e-12 relative of a
 *   float64 QR / exact-rational reference (numpy `Polynomial.fit`), well inside BANDS.md's 1e-9.
 * - `σ = sqrt(Σ r_i² / n)` (population) of the residuals `r_i = y_i − fit_i`; bands `fit ± k·σ`.
 *
 * Plain TypeScript, no DOM: runs in workers, the CLI and tests.
 */
import { PolynomialRegression } from 'ml-regression-polynomial';
import { ValidationError } from '../core/errors';
import type { UnixMs } from '../core/types';

/** Defaults and allowed ranges of the scanner inputs (BANDS.md). */
export const BAND_LIMITS = Object.freeze({
	degree: { min: 2, max: 10, default: 4 },
	kstd: { min: 1, max: 3, default: 2 },
	days: { min: 1, max: 3650, default: 720 },
	/** Fewest candles any fit accepts: `max(degree + 2, MIN_CANDLES_FLOOR)`. */
	minCandlesFloor: 30
});

/** Intervals the scanner supports and how many candles one day holds. */
export const SCAN_INTERVALS: Readonly<Record<'1d' | '4h' | '1h', number>> = Object.freeze({ '1d': 1, '4h': 6, '1h': 24 });

/** A scanner interval. */
export type ScanInterval = keyof typeof SCAN_INTERVALS;

/** BUY: last close below the lower band; SELL: above the upper band; HOLD otherwise (and for markets that failed). */
export type BandSignal = 'BUY' | 'SELL' | 'HOLD';

/** Fitted curve and bands over a window (all arrays of length n, price units). */
export interface PolyBands {
	/** Fitted polynomial values `p(x_i)`. */
	fit: Float64Array;
	/** `fit + k·σ`. */
	upper: Float64Array;
	/** `fit − k·σ`. */
	lower: Float64Array;
	/** Population standard deviation of the residuals, price units. */
	sigma: number;
}

/**
 * Fewest candles a fit of degree `d` accepts: `max(d + 2, 30)` (BANDS.md).
 * @param degree - polynomial degree.
 */
export function minCandles(degree: number): number {
	return Math.max(degree + 2, BAND_LIMITS.minCandlesFloor);
}

/**
 * Candles that `days` days of an interval hold (1d: days, 4h: 6·days, 1h: 24·days).
 * @throws ValidationError for an interval other than 1d / 4h / 1h.
 */
export function candlesForDays(days: number, interval: string): number {
	const per = (SCAN_INTERVALS as Record<string, number>)[interval];
	if (!per) throw new ValidationError(`Scanner interval must be one of ${Object.keys(SCAN_INTERVALS).join(', ')}, got "${interval}".`);
	return Math.round(days * per);
}

/**
 * Check the scanner's numeric inputs.
 * @throws ValidationError naming every problem and the allowed range.
 */
export function validateBandInputs(opts: { degree: number; kstd: number; days?: number }): void {
	const problems: string[] = [];
	const { degree, kstd, days } = opts;
	const L = BAND_LIMITS;
	if (!Number.isInteger(degree) || degree < L.degree.min || degree > L.degree.max)
		problems.push(`degree must be a whole number from ${L.degree.min} to ${L.degree.max}, got ${degree}`);
	if (typeof kstd !== 'number' || !Number.isFinite(kstd) || kstd < L.kstd.min || kstd > L.kstd.max)
		problems.push(`kstd must be a number from ${L.kstd.min} to ${L.kstd.max} (band width in standard deviations), got ${kstd}`);
	if (days !== undefined && (!Number.isInteger(days) || days < L.days.min || days > L.days.max))
		problems.push(`days must be a whole number from ${L.days.min} to ${L.days.max}, got ${days}`);
	if (problems.length) throw new ValidationError(`Invalid scanner settings: ${problems.join('; ')}.`);
}

/** Coefficients (power 0 … d, ascending) of the least-squares polynomial through (x, y), by ml-regression-polynomial. */
function lsqCoefficients(x: number[], y: ArrayLike<number>, degree: number): number[] {
	const reg = new PolynomialRegression(x, Array.from(y), degree);
	const c = new Array<number>(degree + 1).fill(0);
	reg.powers.forEach((p, k) => (c[p] = reg.coefficients[k] ?? 0));
	return c;
}

/** Horner evaluation of ascending coefficients at x. */
function horner(c: number[], x: number): number {
	let v = 0;
	for (let k = c.length - 1; k >= 0; k--) v = v * x + c[k];
	return v;
}

/**
 * Least-squares polynomial fit of `y` on `x_i = i`, evaluated at every `i` (x mapped to [-1, 1] for the solve),
 * with one refinement step: fit the residuals again and add.
 *
 * @param y - values, length n ≥ degree + 1, all finite.
 * @param degree - polynomial degree ≥ 0.
 * @returns fitted values, Float64Array of length n.
 * @throws ValidationError when n ≤ degree or a value is not finite.
 */
export function polyfitValues(y: ArrayLike<number>, degree: number): Float64Array {
	const n = y.length;
	if (!Number.isInteger(degree) || degree < 0) throw new ValidationError(`degree must be a whole number ≥ 0, got ${degree}`);
	if (n <= degree) throw new ValidationError(`A degree-${degree} fit needs more than ${degree} points, got ${n}.`);
	for (let i = 0; i < n; i++) {
		if (!Number.isFinite(y[i])) throw new ValidationError(`Value ${i} is ${y[i]}: every close must be a finite number.`);
	}
	const x = new Array<number>(n);
	for (let i = 0; i < n; i++) x[i] = n === 1 ? 0 : (2 * i - (n - 1)) / (n - 1);
	const fit = new Float64Array(n);
	const c1 = lsqCoefficients(x, y, degree);
	const r = new Float64Array(n);
	for (let i = 0; i < n; i++) {
		fit[i] = horner(c1, x[i]);
		r[i] = y[i] - fit[i];
	}
	// Refinement: the normal equations lose accuracy with conditioning; the residual fit corrects it.
	const c2 = lsqCoefficients(x, r, degree);
	for (let i = 0; i < n; i++) fit[i] += horner(c2, x[i]);
	return fit;
}

/**
 * Polynomial-regression bands over a window of closes (BANDS.md "Bands over a window").
 *
 * @param closes - closes of the window, oldest first, length n ≥ degree + 2, finite.
 * @param degree - polynomial degree (the scanner uses 2–10).
 * @param kstd - band half-width in population standard deviations of the residuals.
 * @returns fit, upper, lower (length n) and σ.
 * @throws ValidationError when there are too few points or a close is not finite.
 * @see BANDS.md; numpy `Polynomial.fit` is the reference implementation.
 */
export function polyBands(closes: ArrayLike<number>, degree: number, kstd: number): PolyBands {
	const n = closes.length;
	const fit = polyfitValues(closes, degree);
	let ss = 0;
	for (let i = 0; i < n; i++) {
		const r = closes[i] - fit[i];
		ss += r * r;
	}
	const sigma = Math.sqrt(ss / n);
	const upper = new Float64Array(n);
	const lower = new Float64Array(n);
	const w = kstd * sigma;
	for (let i = 0; i < n; i++) {
		upper[i] = fit[i] + w;
		lower[i] = fit[i] - w;
	}
	return { fit, upper, lower, sigma };
}

/**
 * Signal and return ratios at the last candle (BANDS.md "Scanner signal").
 * @returns BUY (`close < lower`), SELL (`close > upper`) or HOLD; `potentialReturnRatio` BUY `(upper−lower)/lower`,
 *   SELL `(upper−lower)/upper`; `targetReturnRatio` BUY `(upper−close)/close`, SELL `(close−lower)/close`; both 0 for HOLD.
 */
export function bandSignal(close: number, upper: number, lower: number): {
	signal: BandSignal;
	potentialReturnRatio: number;
	targetReturnRatio: number;
} {
	if (close < lower) return { signal: 'BUY', potentialReturnRatio: (upper - lower) / lower, targetReturnRatio: (upper - close) / close };
	if (close > upper) return { signal: 'SELL', potentialReturnRatio: (upper - lower) / upper, targetReturnRatio: (close - lower) / close };
	return { signal: 'HOLD', potentialReturnRatio: 0, targetReturnRatio: 0 };
}

/** One scanner row: a market's bands at its last candle, or the reason it could not be fitted. */
export interface BandRow {
	symbol: string;
	signal: BandSignal;
	/** Last close (price units); NaN when the market failed. */
	close: number;
	fit: number;
	sigma: number;
	upper: number;
	lower: number;
	potentialReturnRatio: number;
	targetReturnRatio: number;
	/** Candles fitted (min(wanted, available)); 0 when none were usable. */
	candles: number;
	/** Open time of the last fitted candle, Unix ms UTC (the scan is "as of" this candle's close); null when unknown. */
	asOf: UnixMs | null;
	/** Why the market is not fitted (HOLD then), null when fitted. */
	error: string | null;
}

/** A row with the fitted arrays (for charts and `--bands` exports). */
export interface BandRowWithBands extends BandRow {
	/** Open times of the fitted candles (ms UTC), and the arrays, all of length `candles`; absent for failed rows. */
	bands?: { openTime: Float64Array; close: Float64Array; fit: Float64Array; upper: Float64Array; lower: Float64Array };
}

/** Inputs of {@link scanMarket}. */
export interface ScanMarketInput {
	symbol: string;
	/** Open times, ms UTC, ascending, one per close. */
	openTime: ArrayLike<number>;
	close: ArrayLike<number>;
}

/** Settings of {@link scanMarket}. */
export interface ScanSettings {
	days: number;
	degree: number;
	kstd: number;
	interval: ScanInterval;
	/** Keep the fitted arrays on the row. */
	includeBands?: boolean;
}

/** A row for a market that could not be fitted. */
export function errorRow(symbol: string, error: string, candles = 0, asOf: UnixMs | null = null): BandRow {
	return {
		symbol, signal: 'HOLD', close: NaN, fit: NaN, sigma: NaN, upper: NaN, lower: NaN,
		potentialReturnRatio: 0, targetReturnRatio: 0, candles, asOf, error
	};
}

/**
 * Fit one market: the last `candlesForDays(days, interval)` closes (all it has when fewer, at least
 * `max(degree + 2, 30)`), its bands, the signal at the last candle and both return ratios.
 *
 * Never throws for bad market data: too few candles, a non-finite close or unordered times give a HOLD row with
 * `error` saying what is wrong ("not enough data: 12 candles, need 30").
 * @throws ValidationError for invalid settings (degree, kstd, days, interval): those concern the whole scan.
 */
export function scanMarket(input: ScanMarketInput, settings: ScanSettings): BandRowWithBands {
	validateBandInputs(settings);
	const wanted = candlesForDays(settings.days, settings.interval);
	const { symbol, openTime, close } = input;
	const total = close.length;
	if (openTime.length !== total) return errorRow(symbol, `${openTime.length} open times but ${total} closes: the candles are damaged; sync or import them again.`);
	const n = Math.min(wanted, total);
	const need = minCandles(settings.degree);
	const asOf = total > 0 ? openTime[total - 1] : null;
	if (n < need) {
		return errorRow(
			symbol,
			`not enough data: ${n} candle${n === 1 ? '' : 's'}, need ${need}` +
				(settings.degree + 2 > BAND_LIMITS.minCandlesFloor ? ` (degree ${settings.degree} needs at least degree + 2)` : ''),
			n,
			asOf
		);
	}
	const from = total - n;
	for (let i = from; i < total; i++) {
		if (!Number.isFinite(close[i]) || !(close[i] > 0)) {
			const when = Number.isFinite(openTime[i]) ? ` (${new Date(openTime[i]).toISOString()})` : '';
			return errorRow(symbol, `close of candle ${i}${when} is ${close[i]}: every close must be a positive number; re-import or re-sync this market.`, n, asOf);
		}
		if (i > from && !(openTime[i] > openTime[i - 1])) {
			return errorRow(symbol, `candle ${i} is not after candle ${i - 1}: candles must be sorted by open time without duplicates.`, n, asOf);
		}
	}
	const closes = Float64Array.from({ length: n }, (_, i) => close[from + i]);
	const b = polyBands(closes, settings.degree, settings.kstd);
	const last = n - 1;
	const s = bandSignal(closes[last], b.upper[last], b.lower[last]);
	if (!Number.isFinite(b.sigma) || !Number.isFinite(b.fit[last])) {
		return errorRow(symbol, `the fit did not produce finite values (σ = ${b.sigma}); the prices may be degenerate.`, n, asOf);
	}
	const row: BandRowWithBands = {
		symbol,
		signal: s.signal,
		close: closes[last],
		fit: b.fit[last],
		sigma: b.sigma,
		upper: b.upper[last],
		lower: b.lower[last],
		potentialReturnRatio: s.potentialReturnRatio,
		targetReturnRatio: s.targetReturnRatio,
		candles: n,
		asOf,
		error: null
	};
	if (settings.includeBands) {
		row.bands = {
			openTime: Float64Array.from({ length: n }, (_, i) => openTime[from + i]),
			close: closes,
			fit: b.fit,
			upper: b.upper,
			lower: b.lower
		};
	}
	return row;
}

/**
 * Rank rows: BUY by `potentialReturnRatio` descending, SELL likewise (BANDS.md).
 * @returns `{ buy, sell }` (new arrays; rows with an error are never BUY/SELL).
 */
export function rankSignals<T extends BandRow>(rows: readonly T[]): { buy: T[]; sell: T[] } {
	const by = (sig: BandSignal) =>
		rows.filter((r) => r.signal === sig).sort((a, b) => b.potentialReturnRatio - a.potentialReturnRatio || (a.symbol < b.symbol ? -1 : 1));
	return { buy: by('BUY'), sell: by('SELL') };
}

