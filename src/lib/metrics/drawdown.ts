/**
 * Drawdown statistics of the close-marked equity curve (no intrabar drawdown).
 *
 * Peak convention: the running peak is `max(initialCash, max_{s<=t} equity[s])`, i.e. the initial cash counts as
 * the first peak, placed at the first bar's open (index -1 below, time `openTime[0]`). Equity value `t` is at time
 * `openTime[t] + intervalMs` (the bar's close).
 */
import { YEAR_MS, mean, ratioOrInfinity } from './stats';
import { compoundAnnualGrowth } from './returns';

/**
 * Drawdown at every bar: `dd[t] = 1 - equity[t] / max(initialCash, max_{s<=t} equity[s])`.
 * @param equity - Float64Array, length = bars (quote).
 * @param initialCash - starting equity (quote, > 0), the first peak.
 * @returns Float64Array, length = bars, fractions >= 0 (1 = wiped out; > 1 if equity went negative).
 */
export function drawdownSeries(equity: ArrayLike<number>, initialCash: number): Float64Array {
	const out = new Float64Array(equity.length);
	let peak = initialCash;
	for (let t = 0; t < equity.length; t++) {
		if (equity[t] > peak) peak = equity[t];
		out[t] = 1 - equity[t] / peak;
	}
	return out;
}

/**
 * Maximum drawdown: `max_t (1 - equity[t] / max(initialCash, max_{s<=t} equity[s]))`.
 * @param equity - Float64Array, length = bars (quote).
 * @param initialCash - starting equity (quote, > 0).
 * @returns fraction (0.25 = 25 %), positive; 0 for a curve that never falls below its peak or for no bars.
 * @see SCENARIOS.md `max_drawdown_pct`. backtesting.py reports the same on its curve with a negative sign
 * (`Max. Drawdown [%]`) and uses `equity[0]` rather than the initial cash as the first peak.
 */
export function maxDrawdownRatio(equity: ArrayLike<number>, initialCash: number): number {
	return maxDrawdownRatioFrom(equity, 0, initialCash);
}

/** {@link maxDrawdownRatio} of `equity[from..]` with `firstPeak` as the peak before bar `from`. */
function maxDrawdownRatioFrom(equity: ArrayLike<number>, from: number, firstPeak: number): number {
	let peak = firstPeak;
	let worst = 0;
	for (let t = from; t < equity.length; t++) {
		const e = equity[t];
		if (e > peak) peak = e;
		const dd = 1 - e / peak;
		if (dd > worst) worst = dd;
	}
	return worst;
}

/**
 * Maximum drawdown in quote currency: `max_t (peak[t] - equity[t])`, same peak as {@link maxDrawdownRatio}.
 * This is the largest drop in money, which can happen at a different time than the largest drop in percent.
 * @param equity - Float64Array, length = bars (quote).
 * @param initialCash - starting equity (quote).
 * @returns quote amount >= 0.
 */
export function maxDrawdownAmount(equity: ArrayLike<number>, initialCash: number): number {
	let peak = initialCash;
	let worst = 0;
	for (let t = 0; t < equity.length; t++) {
		const e = equity[t];
		if (e > peak) peak = e;
		if (peak - e > worst) worst = peak - e;
	}
	return worst;
}

/** One drawdown episode: from a peak to the first bar back at (or above) it, or to the last bar. */
export interface DrawdownEpisode {
	/** Bar index of the peak; -1 = the initial cash at the first bar's open. */
	peakBar: number;
	/** Bar of the deepest point. */
	troughBar: number;
	/** First bar with `equity >= peak` (recovery), or the last bar if not recovered. */
	endBar: number;
	recovered: boolean;
	/** Maximum drawdown inside the episode (fraction). */
	depthRatio: number;
	/** `endBar - peakBar`. */
	durationBars: number;
	/** Close time of `endBar` minus close time of the peak (the first open for the initial-cash peak), ms. */
	durationMs: number;
}

/**
 * Split the equity curve into drawdown episodes. An episode starts at the last bar at the running peak before
 * equity falls below it and ends at the first bar whose equity is back at or above that peak (recovery), or at
 * the last bar if it never recovers. Bars that sit exactly at the peak are not in a drawdown.
 * @param openTime - Float64Array, length = bars, bar open times (ms UTC).
 * @param equity - Float64Array, length = bars (quote).
 * @param initialCash - starting equity (quote, > 0), the peak before the first bar.
 * @param intervalMs - bar length (ms), to place the equity values at bar closes.
 * @returns episodes in time order (empty if equity never falls below its running peak).
 * @see backtesting.py `compute_drawdown_duration_peaks` (same episodes, spans measured between bar open times).
 */
export function drawdownEpisodes(
	openTime: ArrayLike<number>,
	equity: ArrayLike<number>,
	initialCash: number,
	intervalMs: number
): DrawdownEpisode[] {
	return episodesOf(equity, initialCash, (bar) => (bar < 0 ? openTime[0] : openTime[bar] + intervalMs));
}

/** Drawdown episodes with equity value `bar` placed at `closeTime(bar)` (bar -1 = the initial cash). */
function episodesOf(equity: ArrayLike<number>, initialCash: number, closeTime: (bar: number) => number): DrawdownEpisode[] {
	const n = equity.length;
	const episodes: DrawdownEpisode[] = [];
	let peak = initialCash;
	let peakBar = -1;
	let inDrawdown = false;
	let troughBar = -1;
	let depth = 0;
	const close = (endBar: number, recovered: boolean): void => {
		episodes.push({
			peakBar,
			troughBar,
			endBar,
			recovered,
			depthRatio: depth,
			durationBars: endBar - peakBar,
			durationMs: closeTime(endBar) - closeTime(peakBar)
		});
	};
	for (let t = 0; t < n; t++) {
		const e = equity[t];
		if (e >= peak) {
			if (inDrawdown) {
				close(t, true);
				inDrawdown = false;
			}
			peak = e;
			peakBar = t;
		} else {
			const dd = 1 - e / peak;
			if (!inDrawdown) {
				inDrawdown = true;
				depth = dd;
				troughBar = t;
			} else if (dd > depth) {
				depth = dd;
				troughBar = t;
			}
		}
	}
	if (inDrawdown) close(n - 1, false);
	return episodes;
}

/**
 * Longest drawdown duration in time: the longest span from a peak to the recovery to that peak, or to the last
 * bar's close if not recovered (see {@link drawdownEpisodes}).
 * @param openTime - Float64Array, length = bars (ms UTC).
 * @param equity - Float64Array, length = bars (quote).
 * @param initialCash - starting equity (quote, > 0).
 * @param intervalMs - bar length (ms).
 * @returns ms; 0 when there is no drawdown (backtesting.py gives NaN there).
 */
export function maxDrawdownDurationMs(
	openTime: ArrayLike<number>,
	equity: ArrayLike<number>,
	initialCash: number,
	intervalMs: number
): number {
	let best = 0;
	for (const ep of drawdownEpisodes(openTime, equity, initialCash, intervalMs)) if (ep.durationMs > best) best = ep.durationMs;
	return best;
}

/**
 * Longest drawdown duration in bars (`endBar - peakBar` of the longest episode; the initial-cash peak is bar -1).
 * Differs from `maxDrawdownDurationMs / intervalMs` only when the data has gaps.
 * @param equity - Float64Array, length = bars (quote).
 * @param initialCash - starting equity (quote, > 0).
 * @returns bars; 0 when there is no drawdown.
 */
export function maxDrawdownDurationBars(equity: ArrayLike<number>, initialCash: number): number {
	let best = 0;
	for (const ep of episodesOf(equity, initialCash, (bar) => bar)) if (ep.durationBars > best) best = ep.durationBars;
	return best;
}

/**
 * Average drawdown: mean over drawdown episodes of each episode's maximum depth.
 * @param equity - Float64Array, length = bars (quote).
 * @param initialCash - starting equity (quote, > 0).
 * @returns fraction; 0 when there is no drawdown (backtesting.py gives NaN there).
 * @see backtesting.py `Avg. Drawdown [%]` (same definition, negative sign).
 */
export function averageDrawdownRatio(equity: ArrayLike<number>, initialCash: number): number {
	const depths: number[] = [];
	let peak = initialCash;
	let depth = -1;
	for (let t = 0; t < equity.length; t++) {
		const e = equity[t];
		if (e >= peak) {
			if (depth >= 0) depths.push(depth);
			depth = -1;
			peak = e;
		} else {
			const dd = 1 - e / peak;
			if (dd > depth) depth = dd;
		}
	}
	if (depth >= 0) depths.push(depth);
	return depths.length === 0 ? 0 : mean(depths);
}

/**
 * Recovery factor: net profit over the largest drawdown in money, `(finalEquity - initialCash) / maxDrawdownAmount`.
 * @param equity - Float64Array, length = bars (quote).
 * @param initialCash - starting equity (quote).
 * @returns dimensionless; Infinity for a profit without drawdown, NaN for a flat curve.
 */
export function recoveryFactor(equity: ArrayLike<number>, initialCash: number): number {
	if (equity.length === 0) return NaN;
	return ratioOrInfinity(equity[equity.length - 1] - initialCash, maxDrawdownAmount(equity, initialCash));
}

/**
 * MAR ratio over the full history: `cagr / maxDrawdownRatio`.
 * @param cagrValue - CAGR of the run (ratio per year), see `cagr`.
 * @param maxDrawdown - maximum drawdown (fraction > 0), see {@link maxDrawdownRatio}.
 * @returns dimensionless; Infinity for a positive CAGR without drawdown; NaN if both are 0.
 * @see Managed Account Reports (MAR) definition: CAGR since inception / max drawdown since inception.
 */
export function marRatio(cagrValue: number, maxDrawdown: number): number {
	return ratioOrInfinity(cagrValue, maxDrawdown);
}

/** Length of the Calmar window: 36 months, taken as 3 x 365 days. */
export const CALMAR_WINDOW_MS = 3 * YEAR_MS;

/**
 * Calmar ratio: CAGR over max drawdown of the **last 36 months** (3 x 365 days) when the run is longer than that,
 * otherwise equal to the MAR ratio (full history).
 * In the window (bars whose open time is >= `endTime - 3 years`), the start equity is the equity at the close of
 * the bar before the window, which is also the window's first peak; the window CAGR spans from the first window
 * bar's open to the last bar's close.
 * @param openTime - Float64Array, length = bars (ms UTC).
 * @param equity - Float64Array, length = bars (quote).
 * @param initialCash - starting equity (quote, > 0).
 * @param intervalMs - bar length (ms).
 * @returns dimensionless; Infinity for a positive CAGR without drawdown; NaN for no bars.
 * @see Young (1991), "Calmar Ratio: A Smoother Tool" (36 months, monthly data). backtesting.py's `Calmar Ratio`
 * uses its full-history geometric annual return instead (no 36-month window), i.e. ~ our MAR ratio.
 */
export function calmarRatio(
	openTime: ArrayLike<number>,
	equity: ArrayLike<number>,
	initialCash: number,
	intervalMs: number
): number {
	const n = equity.length;
	if (n === 0) return NaN;
	const endTime = openTime[n - 1] + intervalMs;
	const windowStart = endTime - CALMAR_WINDOW_MS;
	let k = 0;
	if (openTime[0] < windowStart) {
		while (k < n - 1 && openTime[k] < windowStart) k++;
	}
	const startEquity = k === 0 ? initialCash : equity[k - 1];
	const g = compoundAnnualGrowth(startEquity, equity[n - 1], endTime - openTime[k]);
	return marRatio(g, maxDrawdownRatioFrom(equity, k, startEquity));
}
