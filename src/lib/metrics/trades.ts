/**
 * Trade statistics: counts, win rate, best/worst/average trade, profit factor, expectancy, SQN, Kelly,
 * streaks, exposure, durations and fees. Inputs are closed round trips in the order they were closed.
 *
 * A trade is a win when `pnl > 0` and a loss when `pnl < 0`; a break-even trade (`pnl === 0`) is neither but
 * counts in `nTrades` (so in the win-rate denominator).
 */
import type { Trade } from '../engine/types';
import { mean, ratioOrInfinity, sampleStd } from './stats';

/** Closed trades in closing order. */
type Trades = readonly Trade[];

/**
 * Number of closed round trips (an end-of-data close-out counts; a reversal is two trades).
 * @param trades - closed trades.
 */
export function nTrades(trades: Trades): number {
	return trades.length;
}

/** Number of trades with `pnl > 0`. @param trades - closed trades. */
export function nWins(trades: Trades): number {
	let n = 0;
	for (const t of trades) if (t.pnl > 0) n++;
	return n;
}

/** Number of trades with `pnl < 0`. @param trades - closed trades. */
export function nLosses(trades: Trades): number {
	let n = 0;
	for (const t of trades) if (t.pnl < 0) n++;
	return n;
}

/**
 * Win rate: `nWins / nTrades`.
 * @param trades - closed trades.
 * @returns fraction; NaN with no trades.
 * @see SCENARIOS.md `win_rate_pct`; backtesting.py `Win Rate [%]` (same).
 */
export function winRate(trades: Trades): number {
	return trades.length === 0 ? NaN : nWins(trades) / trades.length;
}

function extreme(trades: Trades, pick: (t: Trade) => number, sign: 1 | -1): number {
	let best = NaN;
	for (const t of trades) {
		const v = pick(t);
		if (Number.isNaN(best) || sign * v > sign * best) best = v;
	}
	return best;
}

/** Best trade return: `max(profitRatio)` (net of fees, on entry notional). @returns fraction; NaN with no trades. */
export function bestTradeRatio(trades: Trades): number {
	return extreme(trades, (t) => t.profitRatio, 1);
}

/** Worst trade return: `min(profitRatio)`. @returns fraction; NaN with no trades. */
export function worstTradeRatio(trades: Trades): number {
	return extreme(trades, (t) => t.profitRatio, -1);
}

/**
 * Average trade return: arithmetic `mean(profitRatio)`.
 * @returns fraction; NaN with no trades.
 * @see backtesting.py `Avg. Trade [%]` is the *geometric* mean of trade returns (smaller when returns vary).
 */
export function averageTradeRatio(trades: Trades): number {
	return mean(trades.map((t) => t.profitRatio));
}

/** Best trade profit: `max(pnl)` (quote). @returns NaN with no trades. */
export function bestTradeAmount(trades: Trades): number {
	return extreme(trades, (t) => t.pnl, 1);
}

/** Worst trade profit: `min(pnl)` (quote). @returns NaN with no trades. */
export function worstTradeAmount(trades: Trades): number {
	return extreme(trades, (t) => t.pnl, -1);
}

/** Average trade profit: `mean(pnl)` (quote). @returns NaN with no trades. */
export function averageTradeAmount(trades: Trades): number {
	return mean(trades.map((t) => t.pnl));
}

/** Average winning trade: `mean(pnl | pnl > 0)` (quote, positive). @returns NaN with no winning trade. */
export function averageWinAmount(trades: Trades): number {
	return mean(trades.filter((t) => t.pnl > 0).map((t) => t.pnl));
}

/** Average losing trade: `mean(pnl | pnl < 0)` (quote, negative). @returns NaN with no losing trade. */
export function averageLossAmount(trades: Trades): number {
	return mean(trades.filter((t) => t.pnl < 0).map((t) => t.pnl));
}

/**
 * Win/loss ratio (payoff ratio): `averageWinAmount / |averageLossAmount|`.
 * @returns dimensionless; Infinity with wins and no loss; 0 with losses and no win; NaN with neither.
 */
export function winLossRatio(trades: Trades): number {
	const w = nWins(trades);
	const l = nLosses(trades);
	if (w === 0 && l === 0) return NaN;
	if (l === 0) return Infinity;
	if (w === 0) return 0;
	return averageWinAmount(trades) / -averageLossAmount(trades);
}

/** Gross profit: sum of `pnl` over winning trades (quote, >= 0). */
export function grossProfitAmount(trades: Trades): number {
	let s = 0;
	for (const t of trades) if (t.pnl > 0) s += t.pnl;
	return s;
}

/** Gross loss: sum of `pnl` over losing trades (quote, <= 0). */
export function grossLossAmount(trades: Trades): number {
	let s = 0;
	for (const t of trades) if (t.pnl < 0) s += t.pnl;
	return s;
}

/**
 * Profit factor: `grossProfitAmount / |grossLossAmount|` on trade pnl (quote).
 * @returns dimensionless; Infinity with some profit and no losing trade; 0 with losses only; NaN with no trades
 * (or only break-even trades).
 * @see backtesting.py `Profit Factor` sums trade *returns* (ReturnPct) instead of pnl, and gives NaN instead of
 * Infinity when there is no loss.
 */
export function profitFactor(trades: Trades): number {
	return ratioOrInfinity(grossProfitAmount(trades), -grossLossAmount(trades));
}

/**
 * Expectancy in money: mean pnl per trade (quote), which equals
 * `winRate * averageWinAmount + lossRate * averageLossAmount` (break-even trades contribute 0).
 * @returns quote amount; NaN with no trades.
 */
export function expectancy(trades: Trades): number {
	return averageTradeAmount(trades);
}

/**
 * Expectancy as a return: mean `profitRatio` per trade.
 * @returns fraction; NaN with no trades.
 * @see backtesting.py `Expectancy [%]` (same: arithmetic mean of trade returns).
 */
export function expectancyRatio(trades: Trades): number {
	return averageTradeRatio(trades);
}

/**
 * System Quality Number (Van Tharp): `sqrt(n) * mean(R) / std(R, ddof = 1)` with `R = profitRatio`.
 * Tharp's R is the trade result in multiples of the initial risk (entry-to-stop distance); runs here need not
 * have a stop, so the trade return on entry notional is used. SQN is scale-free, so this equals Tharp's value
 * whenever every trade risks the same fraction. No cap on n (Tharp later capped n at 100).
 * @returns dimensionless; NaN with fewer than 2 trades or identical returns.
 * @see Van Tharp, "The Definitive Guide to Position Sizing" (2008). backtesting.py `SQN` uses pnl in quote,
 * which compounding makes depend on the equity level.
 */
export function sqn(trades: Trades): number {
	const r = trades.map((t) => t.profitRatio);
	const sd = sampleStd(r);
	if (!(sd > 0)) return NaN;
	return (Math.sqrt(r.length) * mean(r)) / sd;
}

/**
 * Kelly criterion: `winRate - (1 - winRate) / winLossRatio` (fraction of capital to risk per trade).
 * Break-even trades count as non-wins in `1 - winRate`.
 * @returns fraction (negative = the edge is negative); `winRate` (= 1) with wins only; NaN with no trades or no
 * winning trade (win/loss ratio 0, formula undefined).
 * @see Kelly (1956); backtesting.py `Kelly Criterion` (same formula on pnl).
 */
export function kellyCriterion(trades: Trades): number {
	const w = winRate(trades);
	const wl = winLossRatio(trades);
	if (Number.isNaN(w) || !(wl > 0)) return NaN;
	return w - (1 - w) / wl;
}

function longestRun(trades: Trades, isRun: (pnl: number) => boolean): number {
	let best = 0;
	let run = 0;
	for (const t of trades) {
		run = isRun(t.pnl) ? run + 1 : 0;
		if (run > best) best = run;
	}
	return best;
}

/** Longest run of consecutive winning trades (in closing order); a break-even trade ends the run. @returns count. */
export function maxConsecutiveWins(trades: Trades): number {
	return longestRun(trades, (p) => p > 0);
}

/** Longest run of consecutive losing trades (in closing order); a break-even trade ends the run. @returns count. */
export function maxConsecutiveLosses(trades: Trades): number {
	return longestRun(trades, (p) => p < 0);
}

/**
 * Exposure: share of bars during which a position was held at some time, i.e. bars `entryBar..exitBar`
 * **inclusive** of every trade (union; a reversal bar counts once), divided by all bars. The entry bar counts
 * (filled at its open) and so does the exit bar (exit at its open, intrabar or at its close).
 * @param trades - closed trades, bar indices in `[0, nBars)`.
 * @param nBars - number of bars in the run.
 * @returns fraction in [0, 1]; NaN for `nBars = 0`.
 * @see backtesting.py `Exposure Time [%]`: `have_position[EntryBar:ExitBar + 1] = 1; mean` (same definition).
 */
export function exposureRatio(trades: Trades, nBars: number): number {
	if (!(nBars > 0)) return NaN;
	const held = new Uint8Array(nBars);
	for (const t of trades) {
		const from = Math.max(0, t.entryBar);
		const to = Math.min(nBars - 1, t.exitBar);
		held.fill(1, from, to + 1);
	}
	let n = 0;
	for (let i = 0; i < nBars; i++) n += held[i];
	return n / nBars;
}

/**
 * Average trade duration in time: `mean(exitTime - entryTime)` (ms, bar open times; an end-of-data exit is
 * labelled with the last bar's open time, so a trade entered and closed on one bar lasts 0).
 * @returns ms; NaN with no trades.
 * @see backtesting.py `Avg. Trade Duration` (same, as a Timedelta).
 */
export function averageTradeDurationMs(trades: Trades): number {
	return mean(trades.map((t) => t.exitTime - t.entryTime));
}

/** Average trade duration in bars: `mean(exitBar - entryBar)`. @returns bars; NaN with no trades. */
export function averageTradeDurationBars(trades: Trades): number {
	return mean(trades.map((t) => t.exitBar - t.entryBar));
}

/** Total fees paid: sum of `entryFee + exitFee` over all trades (quote). */
export function totalFees(trades: Trades): number {
	let s = 0;
	for (const t of trades) s += t.entryFee + t.exitFee;
	return s;
}
