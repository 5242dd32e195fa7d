/**
 * Reference indicators for the plain-TS reference engine (parity tests only).
 *
 * Each function follows `src/lib/engine/SEMANTICS.md` ("Indicators") to the letter, including the order of
 * floating-point operations, so that the WASM core (written from the same text) can be compared bit for bit.
 * Every function takes `Float64Array` columns of length N (bars) and returns a new `Float64Array` of length N
 * that holds NaN wherever the indicator is not yet defined. Inputs are expected to be finite (the engine
 * validates candles first); a NaN input propagates into the affected outputs.
 *
 * Alignment against the `technicalindicators` package (which returns shorter arrays holding only the defined
 * values): its output array ends at the same bar as ours, so `ours[t] === theirs[t - (N - theirs.length)]`.
 */
import { ValidationError } from '../../core/errors';

function checkPeriod(name: string, n: number): void {
	if (!Number.isInteger(n) || n < 1) {
		throw new ValidationError(`${name} period must be a whole number of bars >= 1, got ${n}`);
	}
}

function nanArray(length: number): Float64Array {
	return new Float64Array(length).fill(NaN);
}

/**
 * Simple moving average with a running sum.
 *
 * `SMA_n[t] = mean(x[t-n+1..t])`, computed as `sum += x[t]; if (t >= n) sum -= x[t-n]; if (t >= n-1) sma[t] = sum / n`.
 * @param x - series, Float64Array, length = bars.
 * @param n - period in bars (integer >= 1).
 * @returns Float64Array, length = bars; the first `n - 1` values are NaN.
 * @throws ValidationError when `n` is not an integer >= 1.
 * @see SEMANTICS.md "Indicators"; equals `technicalindicators` SMA (its array starts at bar n-1).
 */
export function sma(x: Float64Array, n: number): Float64Array {
	checkPeriod('SMA', n);
	const out = nanArray(x.length);
	let sum = 0;
	for (let t = 0; t < x.length; t++) {
		sum += x[t];
		if (t >= n) sum -= x[t - n];
		if (t >= n - 1) out[t] = sum / n;
	}
	return out;
}

/**
 * Exponential moving average seeded with the SMA.
 *
 * `alpha = 2 / (n + 1)`; `ema[n-1] = SMA_n[n-1]` (the running-sum SMA above); then
 * `ema[t] = ema[t-1] + alpha * (x[t] - ema[t-1])`.
 * @param x - series, Float64Array, length = bars.
 * @param n - period in bars (integer >= 1).
 * @returns Float64Array, length = bars; the first `n - 1` values are NaN.
 * @throws ValidationError when `n` is not an integer >= 1.
 * @see SEMANTICS.md "Indicators"; TA-Lib / `technicalindicators` EMA convention (SMA seed; its array starts at bar n-1).
 */
export function ema(x: Float64Array, n: number): Float64Array {
	checkPeriod('EMA', n);
	const out = nanArray(x.length);
	if (x.length < n) return out;
	const alpha = 2 / (n + 1);
	let sum = 0;
	for (let t = 0; t < n; t++) sum += x[t];
	let prev = sum / n;
	out[n - 1] = prev;
	for (let t = n; t < x.length; t++) {
		prev = prev + alpha * (x[t] - prev);
		out[t] = prev;
	}
	return out;
}

/**
 * Relative strength index with Wilder smoothing.
 *
 * `d[i] = close[i] - close[i-1]`, `gain = max(d, 0)`, `loss = max(-d, 0)`;
 * seed `avgG[n] = (gain[1] + ... + gain[n]) / n` (summed left to right), likewise `avgL[n]`;
 * then `avg[t] = (avg[t-1] * (n-1) + x[t]) / n`; `RSI = 100 - 100 / (1 + avgG / avgL)`, `= 100` when `avgL = 0`.
 * @param close - close prices, Float64Array, length = bars.
 * @param n - period in bars (integer >= 1).
 * @returns Float64Array in RSI units (0-100), length = bars; the first `n` values are NaN (first defined at t = n).
 * @throws ValidationError when `n` is not an integer >= 1.
 * @see J. W. Wilder, "New Concepts in Technical Trading Systems" (1978); SEMANTICS.md "Indicators".
 *   `technicalindicators` RSI uses the same averages but rounds the RSI to 2 decimals (`toFixed(2)`); its
 *   `averagegain` / `averageloss` equal `avgG` / `avgL` here (arrays start at bar n).
 */
export function rsiWilder(close: Float64Array, n: number): Float64Array {
	checkPeriod('RSI', n);
	const out = nanArray(close.length);
	if (close.length <= n) return out;
	const rsiOf = (g: number, l: number) => (l === 0 ? 100 : 100 - 100 / (1 + g / l));
	let sumG = 0;
	let sumL = 0;
	for (let i = 1; i <= n; i++) {
		const d = close[i] - close[i - 1];
		sumG += d > 0 ? d : 0;
		sumL += d < 0 ? -d : 0;
	}
	let avgG = sumG / n;
	let avgL = sumL / n;
	out[n] = rsiOf(avgG, avgL);
	for (let t = n + 1; t < close.length; t++) {
		const d = close[t] - close[t - 1];
		const gain = d > 0 ? d : 0;
		const loss = d < 0 ? -d : 0;
		avgG = (avgG * (n - 1) + gain) / n;
		avgL = (avgL * (n - 1) + loss) / n;
		out[t] = rsiOf(avgG, avgL);
	}
	return out;
}

/**
 * True range.
 *
 * `TR[t] = max(high[t] - low[t], |high[t] - close[t-1]|, |low[t] - close[t-1]|)` for `t >= 1`.
 * @param high - Float64Array, length = bars.
 * @param low - Float64Array, length = bars.
 * @param close - Float64Array, length = bars.
 * @returns Float64Array in price units, length = bars; `TR[0]` is NaN (no previous close).
 * @see Wilder (1978); SEMANTICS.md "Indicators". `technicalindicators` TrueRange also starts at bar 1.
 */
export function trueRange(high: Float64Array, low: Float64Array, close: Float64Array): Float64Array {
	const out = nanArray(close.length);
	for (let t = 1; t < close.length; t++) {
		const pc = close[t - 1];
		out[t] = Math.max(high[t] - low[t], Math.abs(high[t] - pc), Math.abs(low[t] - pc));
	}
	return out;
}

/**
 * Average true range with Wilder smoothing.
 *
 * `atr[n] = (TR[1] + ... + TR[n]) / n` (summed left to right), then `atr[t] = (atr[t-1] * (n-1) + TR[t]) / n`.
 * @param high - Float64Array, length = bars.
 * @param low - Float64Array, length = bars.
 * @param close - Float64Array, length = bars.
 * @param n - period in bars (integer >= 1).
 * @returns Float64Array in price units, length = bars; the first `n` values are NaN (first defined at t = n).
 * @throws ValidationError when `n` is not an integer >= 1.
 * @see Wilder (1978); SEMANTICS.md "Indicators"; TA-Lib / `technicalindicators` ATR convention (its array
 *   starts at bar n; it updates as `atr + (TR - atr) / n`, algebraically equal, may differ in the last bits).
 */
export function atrWilder(high: Float64Array, low: Float64Array, close: Float64Array, n: number): Float64Array {
	checkPeriod('ATR', n);
	const out = nanArray(close.length);
	if (close.length <= n) return out;
	const tr = trueRange(high, low, close);
	let sum = 0;
	for (let i = 1; i <= n; i++) sum += tr[i];
	let atr = sum / n;
	out[n] = atr;
	for (let t = n + 1; t < close.length; t++) {
		atr = (atr * (n - 1) + tr[t]) / n;
		out[t] = atr;
	}
	return out;
}

/**
 * Rolling population standard deviation (divide by n) with running sums.
 *
 * from `t = n-1`, two passes over the window: `mean = sum(x[t-n+1..t]) / n`, then
 * `std = sqrt(sum_{i=t-n+1..t} (x[i] - mean)^2 / n)`, both sums left to right (no cancellation or drift; O(n) per bar).
 * @param x - series, Float64Array, length = bars.
 * @param n - window in bars (integer >= 1).
 * @returns Float64Array, length = bars; the first `n - 1` values are NaN.
 * @throws ValidationError when `n` is not an integer >= 1.
 * @see SEMANTICS.md "Indicators". Same definition as `technicalindicators` SD (population, two-pass around the
 *   SMA; its array starts at bar n-1).
 */
export function rollingStd(x: Float64Array, n: number): Float64Array {
	checkPeriod('rolling std', n);
	const out = nanArray(x.length);
	for (let t = n - 1; t < x.length; t++) {
		let sum = 0;
		for (let i = t - n + 1; i <= t; i++) sum += x[i];
		const mean = sum / n;
		let ss = 0;
		for (let i = t - n + 1; i <= t; i++) {
			const d = x[i] - mean;
			ss += d * d;
		}
		out[t] = Math.sqrt(ss / n);
	}
	return out;
}

/**
 * Rolling highest value over `[t-n+1, t]` (e.g. highest high).
 * @param x - series, Float64Array, length = bars.
 * @param n - window in bars (integer >= 1).
 * @returns Float64Array, length = bars; the first `n - 1` values are NaN.
 * @throws ValidationError when `n` is not an integer >= 1.
 * @see SEMANTICS.md "Indicators"; equals `technicalindicators` highest (its array starts at bar n-1).
 */
export function rollingHighest(x: Float64Array, n: number): Float64Array {
	checkPeriod('rolling highest', n);
	const out = nanArray(x.length);
	for (let t = n - 1; t < x.length; t++) {
		let m = x[t - n + 1];
		for (let i = t - n + 2; i <= t; i++) if (x[i] > m) m = x[i];
		out[t] = m;
	}
	return out;
}

/**
 * Rolling lowest value over `[t-n+1, t]` (e.g. lowest low).
 * @param x - series, Float64Array, length = bars.
 * @param n - window in bars (integer >= 1).
 * @returns Float64Array, length = bars; the first `n - 1` values are NaN.
 * @throws ValidationError when `n` is not an integer >= 1.
 * @see SEMANTICS.md "Indicators"; equals `technicalindicators` lowest (its array starts at bar n-1).
 */
export function rollingLowest(x: Float64Array, n: number): Float64Array {
	checkPeriod('rolling lowest', n);
	const out = nanArray(x.length);
	for (let t = n - 1; t < x.length; t++) {
		let m = x[t - n + 1];
		for (let i = t - n + 2; i <= t; i++) if (x[i] < m) m = x[i];
		out[t] = m;
	}
	return out;
}
