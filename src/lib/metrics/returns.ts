/**
 * Return and risk statistics computed from the close-marked equity curve: total return, buy-and-hold,
 * CAGR, annualised return and volatility, Sharpe and Sortino (daily-resampled and per bar).
 *
 * Annualisation uses 365-day years. Risk-free rate is 0 everywhere.
 */
import { DAY_MS, YEAR_MS, mean, ratioOrInfinity, sampleStd } from './stats';

/**
 * Net profit of the run: `finalEquity - initialCash`.
 * @param equity - Float64Array, length = bars, equity at each bar's close (quote); last value after the close-out.
 * @param initialCash - starting equity (quote).
 * @returns quote amount; NaN for an empty curve.
 */
export function totalReturnAmount(equity: ArrayLike<number>, initialCash: number): number {
	if (equity.length === 0) return NaN;
	return equity[equity.length - 1] - initialCash;
}

/**
 * Total return of the run: `finalEquity / initialCash - 1` (fraction, 0.12 = 12 %).
 * @param equity - Float64Array, length = bars, equity at each bar's close (quote).
 * @param initialCash - starting equity (quote, > 0).
 * @returns ratio; NaN for an empty curve.
 * @see SCENARIOS.md `total_return_pct = (final_equity / C0 - 1) * 100`. backtesting.py's `Return [%]` divides by
 * `equity[0]` instead of the initial cash (identical unless a fill happens on bar 0).
 */
export function totalReturnRatio(equity: ArrayLike<number>, initialCash: number): number {
	if (equity.length === 0) return NaN;
	return equity[equity.length - 1] / initialCash - 1;
}

/**
 * Buy-and-hold return over the same bars: `close[N-1] / close[0] - 1` (no fees).
 * @param close - Float64Array, length = bars, close prices.
 * @returns ratio; NaN for no bars.
 * @see backtesting.py `Buy & Hold Return [%]` (0.6.6 measures from bar 0 like here; later versions start after the
 * indicator warm-up).
 */
export function buyHoldReturnRatio(close: ArrayLike<number>): number {
	if (close.length === 0) return NaN;
	return close[close.length - 1] / close[0] - 1;
}

/**
 * Compound annual growth rate between two equity values `spanMs` apart:
 * `(end / start) ^ (1 / years) - 1` with `years = spanMs / (365 days)`.
 * @param startEquity - equity at the start (quote, > 0).
 * @param endEquity - equity at the end (quote). `<= 0` (ruin) gives -1.
 * @param spanMs - time between the two values (ms).
 * @returns ratio per year; NaN if `spanMs <= 0` or `startEquity <= 0`.
 */
export function compoundAnnualGrowth(startEquity: number, endEquity: number, spanMs: number): number {
	if (!(spanMs > 0) || !(startEquity > 0) || Number.isNaN(endEquity)) return NaN;
	if (endEquity <= 0) return -1;
	return Math.pow(endEquity / startEquity, YEAR_MS / spanMs) - 1;
}

/**
 * CAGR of the run: `(finalEquity / initialCash) ^ (1 / years) - 1`, where `years` is the span from the first
 * bar's open to the last bar's close (`openTime[N-1] + intervalMs - openTime[0]`) in 365-day years.
 * Final equity `<= 0` gives -1. Runs much shorter than a year give large (extrapolated) values: that is the formula.
 * @param openTime - Float64Array, length = bars, bar open times (ms UTC).
 * @param equity - Float64Array, length = bars, equity at each bar's close (quote).
 * @param initialCash - starting equity (quote, > 0).
 * @param intervalMs - bar length (ms).
 * @returns ratio per year; NaN for no bars.
 * @see backtesting.py `CAGR [%]` (later versions) uses the span between the first and the last bar's *open*
 * (one bar shorter) and `equity[0]` as the base.
 */
export function cagr(openTime: ArrayLike<number>, equity: ArrayLike<number>, initialCash: number, intervalMs: number): number {
	const n = equity.length;
	if (n === 0) return NaN;
	return compoundAnnualGrowth(initialCash, equity[n - 1], openTime[n - 1] + intervalMs - openTime[0]);
}

/**
 * Length of the return period used for the "daily" statistics: one UTC day, or one bar when bars are longer
 * than a day (3d, 1w candles give one equity value per bar, so returns are per bar).
 * @param intervalMs - bar length (ms).
 * @returns period length (ms) = `max(1 day, intervalMs)`.
 */
export function returnPeriodMs(intervalMs: number): number {
	return Math.max(DAY_MS, intervalMs);
}

/**
 * Equity resampled to UTC days: for every UTC day that has bars, the equity at the close of its last bar
 * (days are taken from the bar's open time, so a bar opening at 23:00 closes the day at 24:00). Days without
 * bars (exchange halts) are skipped, not filled. With bars of a day or longer every bar is its own period.
 * @param openTime - Float64Array, length = bars, bar open times (ms UTC), ascending.
 * @param equity - Float64Array, length = bars.
 * @param intervalMs - bar length (ms).
 * @returns `{ dayStart, equity }`, both of length = number of periods; `dayStart` is the UTC midnight (ms)
 * of the day (or the bar's open time for bars of a day or longer).
 * @see pandas `equity.resample('D').last().dropna()` as used by backtesting.py.
 */
export function dailyEquity(
	openTime: ArrayLike<number>,
	equity: ArrayLike<number>,
	intervalMs: number
): { dayStart: Float64Array; equity: Float64Array } {
	const n = equity.length;
	const days: number[] = [];
	const values: number[] = [];
	const perBar = intervalMs >= DAY_MS;
	for (let i = 0; i < n; i++) {
		const day = perBar ? openTime[i] : Math.floor(openTime[i] / DAY_MS) * DAY_MS;
		if (days.length > 0 && days[days.length - 1] === day) values[values.length - 1] = equity[i];
		else {
			days.push(day);
			values.push(equity[i]);
		}
	}
	return { dayStart: Float64Array.from(days), equity: Float64Array.from(values) };
}

/**
 * Simple returns between consecutive values: `r[k] = v[k+1] / v[k] - 1`. A step whose starting value is
 * `<= 0` (equity wiped out) has no defined return and is left out.
 * @param values - equity values (quote), length m.
 * @returns Float64Array of length <= m - 1 (empty for m < 2).
 */
export function simpleReturns(values: ArrayLike<number>): Float64Array {
	const out: number[] = [];
	for (let i = 1; i < values.length; i++) {
		const prev = values[i - 1];
		if (prev > 0) out.push(values[i] / prev - 1);
	}
	return Float64Array.from(out);
}

/**
 * Daily simple returns of the equity curve: returns between the equity at the last bar of consecutive UTC
 * days ({@link dailyEquity}). The first day's move from the initial cash is not a return (there is no
 * previous day close); a run within one day has no daily return.
 * @param openTime - Float64Array, length = bars (ms UTC).
 * @param equity - Float64Array, length = bars (quote).
 * @param intervalMs - bar length (ms).
 * @returns Float64Array, length = days - 1 (fewer if equity reached 0).
 */
export function dailyReturns(openTime: ArrayLike<number>, equity: ArrayLike<number>, intervalMs: number): Float64Array {
	return simpleReturns(dailyEquity(openTime, equity, intervalMs).equity);
}

/**
 * Per-bar simple returns of the equity curve: `equity[t] / equity[t-1] - 1` for t = 1..N-1.
 * @param equity - Float64Array, length = bars (quote).
 * @returns Float64Array, length = bars - 1 (fewer if equity reached 0).
 */
export function barReturns(equity: ArrayLike<number>): Float64Array {
	return simpleReturns(equity);
}

/**
 * Periods per 365-day year for periods of `periodMs`.
 * @param periodMs - period length (ms), e.g. 3,600,000 for hourly bars -> 8,760.
 */
export function periodsPerYear(periodMs: number): number {
	return YEAR_MS / periodMs;
}

/**
 * Arithmetic annualised return: `mean(r) * periodsPerYear`.
 * @param returns - periodic simple returns (fractions).
 * @param perYear - periods per year (365 for daily returns).
 * @returns ratio per year; NaN for no returns.
 * @see empyrical/quantstats use the geometric form `(1 + gmean(r)) ^ 365 - 1` (our {@link cagr} is the geometric
 * figure). This arithmetic form is the numerator of the Sharpe ratio: `sharpe = annualReturn / annualVolatility`.
 */
export function annualisedMeanReturn(returns: ArrayLike<number>, perYear: number): number {
	return mean(returns) * perYear;
}

/**
 * Annualised volatility: `std(r, ddof = 1) * sqrt(periodsPerYear)`.
 * @param returns - periodic simple returns (fractions).
 * @param perYear - periods per year.
 * @returns ratio; NaN for fewer than 2 returns.
 */
export function annualisedVolatility(returns: ArrayLike<number>, perYear: number): number {
	return sampleStd(returns) * Math.sqrt(perYear);
}

/**
 * Annualised Sharpe ratio with risk-free rate 0: `mean(r) / std(r, ddof = 1) * sqrt(periodsPerYear)`.
 * @param returns - periodic simple returns (fractions).
 * @param perYear - periods per year.
 * @returns dimensionless; NaN for fewer than 2 returns or zero deviation (flat equity: undefined, not 0).
 */
export function annualisedSharpe(returns: ArrayLike<number>, perYear: number): number {
	const sd = sampleStd(returns);
	if (!(sd > 0)) return NaN;
	return (mean(returns) / sd) * Math.sqrt(perYear);
}

/**
 * Downside deviation with target 0 over **all** returns: `sqrt(mean(min(r, 0)^2))` (divided by the count of
 * all returns, not only the negative ones, and not n - 1).
 * @param returns - periodic simple returns (fractions).
 * @returns per-period deviation; NaN for no returns.
 */
export function downsideDeviation(returns: ArrayLike<number>): number {
	const n = returns.length;
	if (n === 0) return NaN;
	let ss = 0;
	for (let i = 0; i < n; i++) if (returns[i] < 0) ss += returns[i] * returns[i];
	return Math.sqrt(ss / n);
}

/**
 * Annualised Sortino ratio, target 0: `mean(r) / downsideDeviation(r) * sqrt(periodsPerYear)`.
 * @param returns - periodic simple returns (fractions).
 * @param perYear - periods per year.
 * @returns dimensionless; `Infinity` when there is no negative return and the mean is positive; NaN for no
 * returns or a flat curve.
 * @see Sortino & Price (1994). Equals empyrical `sortino_ratio(r, annualization=365)` and quantstats
 * `sortino(r, periods=365)` (same downside deviation over all returns). backtesting.py uses its geometric annual
 * return as numerator; tools that divide by the count of negative returns only, or use n - 1, give larger values.
 */
export function annualisedSortino(returns: ArrayLike<number>, perYear: number): number {
	const dd = downsideDeviation(returns);
	if (Number.isNaN(dd)) return NaN;
	return ratioOrInfinity(mean(returns), dd) * Math.sqrt(perYear);
}

/**
 * Annualised return (arithmetic) from daily returns: `mean(daily r) * 365`.
 * Deliberately not the geometric figure, which would duplicate {@link cagr}; with it,
 * `sharpeRatio = annualReturnRatio / annualVolatilityRatio` exactly.
 * @param openTime - Float64Array, length = bars (ms UTC).
 * @param equity - Float64Array, length = bars (quote).
 * @param intervalMs - bar length (ms). Bars longer than a day use per-bar returns and `365 days / intervalMs` periods per year.
 * @returns ratio per year; NaN for runs within one day.
 * @see backtesting.py `Return (Ann.) [%]` is geometric `(1 + gmean(daily r)) ^ 365 - 1` (close to {@link cagr}).
 */
export function annualReturnRatio(openTime: ArrayLike<number>, equity: ArrayLike<number>, intervalMs: number): number {
	return annualisedMeanReturn(dailyReturns(openTime, equity, intervalMs), periodsPerYear(returnPeriodMs(intervalMs)));
}

/**
 * Annualised volatility of daily returns: `std(daily r, ddof = 1) * sqrt(365)`.
 * @param openTime - Float64Array, length = bars (ms UTC).
 * @param equity - Float64Array, length = bars (quote).
 * @param intervalMs - bar length (ms).
 * @returns ratio; NaN with fewer than 2 daily returns (runs under 3 days).
 * @see empyrical `annual_volatility(r, annualization=365)` is the same. backtesting.py uses a compounded form
 * `sqrt((var + (1+g)^2)^365 - (1+g)^730)` and is therefore larger.
 */
export function annualVolatilityRatio(openTime: ArrayLike<number>, equity: ArrayLike<number>, intervalMs: number): number {
	return annualisedVolatility(dailyReturns(openTime, equity, intervalMs), periodsPerYear(returnPeriodMs(intervalMs)));
}

/**
 * Sharpe ratio from daily-resampled equity: `mean(daily r) / std(daily r, ddof = 1) * sqrt(365)`, risk-free 0.
 * @param openTime - Float64Array, length = bars (ms UTC).
 * @param equity - Float64Array, length = bars (quote).
 * @param intervalMs - bar length (ms).
 * @returns dimensionless; NaN with fewer than 2 daily returns or a flat curve (std 0).
 * @see Sharpe (1994). Equals empyrical/quantstats `sharpe(r, periods=365)`. backtesting.py divides its geometric
 * annual return by its compounded volatility, which gives a different (usually smaller) number.
 */
export function sharpeRatio(openTime: ArrayLike<number>, equity: ArrayLike<number>, intervalMs: number): number {
	return annualisedSharpe(dailyReturns(openTime, equity, intervalMs), periodsPerYear(returnPeriodMs(intervalMs)));
}

/**
 * Sortino ratio from daily-resampled equity: `mean(daily r) / sqrt(mean(min(daily r, 0)^2)) * sqrt(365)`, target 0.
 * @param openTime - Float64Array, length = bars (ms UTC).
 * @param equity - Float64Array, length = bars (quote).
 * @param intervalMs - bar length (ms).
 * @returns dimensionless; Infinity if no down day and positive mean; NaN for no daily return or a flat curve.
 * @see {@link annualisedSortino} for the differences with other tools.
 */
export function sortinoRatio(openTime: ArrayLike<number>, equity: ArrayLike<number>, intervalMs: number): number {
	return annualisedSortino(dailyReturns(openTime, equity, intervalMs), periodsPerYear(returnPeriodMs(intervalMs)));
}

/**
 * Sharpe ratio from per-bar returns: `mean(r) / std(r, ddof = 1) * sqrt(bars per 365-day year)`.
 * Sensitive to intrabar-scale noise and to long flat stretches (many zero returns); prefer {@link sharpeRatio}
 * to compare runs on different timeframes.
 * @param equity - Float64Array, length = bars (quote).
 * @param intervalMs - bar length (ms); bars per year = 365 days / intervalMs.
 * @returns dimensionless; NaN for fewer than 3 bars or a flat curve.
 */
export function sharpeRatioPerBar(equity: ArrayLike<number>, intervalMs: number): number {
	return annualisedSharpe(barReturns(equity), periodsPerYear(intervalMs));
}

/**
 * Sortino ratio from per-bar returns, target 0: `mean(r) / sqrt(mean(min(r, 0)^2)) * sqrt(bars per year)`.
 * @param equity - Float64Array, length = bars (quote).
 * @param intervalMs - bar length (ms).
 * @returns dimensionless; Infinity if no losing bar and positive mean; NaN for fewer than 2 bars or a flat curve.
 */
export function sortinoRatioPerBar(equity: ArrayLike<number>, intervalMs: number): number {
	return annualisedSortino(barReturns(equity), periodsPerYear(intervalMs));
}
