/**
 * Per-trade figures for the trades table (Strategy Tester's "List of trades") and the all / long /
 * short split of the trade statistics. Pure functions of the trades, the run's candles and its
 * stop-loss definition. Amounts are in the quote asset, ratios are fractions of the entry price.
 */
import type { OhlcvColumns } from '../core/types';
import type { BacktestConfig, LevelSpec, Trade } from '../engine/types';

/** Id of the per-bar stop-distance line a run carries when its stop-loss is an ATR multiple. */
export const STOP_DISTANCE_ID = 'stop-atr';

/**
 * The ATR stop-loss of a configuration: the form's `× ATR` stop (`atrPeriod`, `stopLoss.value`) or a
 * strategy's own ATR stop (rsi-atr-momentum: `atrPeriod`, `slAtrMultiplier`).
 * @returns period (bars) and multiple, or null when the stop is not an ATR multiple.
 */
export function atrStopSpec(config: BacktestConfig): { period: number; multiple: number } | null {
	const p = config.params as Record<string, number>;
	if (config.strategy === 'rsi-atr-momentum') {
		const period = Number(p.atrPeriod ?? 14);
		const multiple = Number(p.slAtrMultiplier ?? 1.5);
		return Number.isFinite(period) && multiple > 0 ? { period, multiple } : null;
	}
	return config.stopLoss.mode === 'atr' ? { period: config.atrPeriod, multiple: config.stopLoss.value } : null;
}

/** One row of the trades table. */
export interface TradeRow {
	/** 1-based number in closing order. */
	n: number;
	trade: Trade;
	/** Entry fee + exit fee (quote asset). */
	fees: number;
	/** Sum of `pnl` of this and every earlier trade (quote asset). */
	cumPnl: number;
	/** Maximum favourable excursion (run-up) while open: best price reached against the entry fill, times size (quote asset, >= 0); NaN without candles. */
	mfe: number;
	/** MFE as a fraction of the entry price. */
	mfeRatio: number;
	/** Maximum adverse excursion (drawdown within the trade), as a positive amount (quote asset, >= 0); NaN without candles. */
	mae: number;
	/** MAE as a fraction of the entry price. */
	maeRatio: number;
	/** `pnl / initial risk`, initial risk = size × stop distance (entry price × stop fraction, or the ATR stop distance at the signal bar); null without a stop-loss. */
	rMultiple: number | null;
	/** exit bar − entry bar. */
	barsHeld: number;
}

/**
 * Build the trades table rows.
 *
 * Excursions use the bars the position was held through: every bar from the entry bar (filled at its
 * open) to the bar before the exit bar in full, plus the entry and exit fill prices; the exit bar
 * counts in full only for an end-of-data exit (closed at that bar's close). Bars are found by open
 * time, so candles of another range (or none) are safe: without candles MFE/MAE are NaN.
 *
 * @param trades - closed trades in closing order.
 * @param ohlcv - the run's candles, or null when they are no longer stored.
 * @param stopLoss - the run's stop-loss definition (R multiple for `fraction`; for `atr` with `stopDistance`).
 * @param stopDistance - per-bar stop distance in price units for an ATR stop (multiple × ATR, length = bars); the
 *   distance at the signal bar (entry bar − 1: the order fills at the next open) sets the trade's initial risk.
 * @returns one row per trade, same order.
 * @see TradingView Strategy Tester "List of trades" (run-up / drawdown per trade); Van Tharp's R multiple.
 */
export function tradeRows(trades: readonly Trade[], ohlcv: OhlcvColumns | null, stopLoss: LevelSpec, stopDistance?: ArrayLike<number> | null): TradeRow[] {
	let cum = 0;
	const times = ohlcv?.openTime;
	const find = (t: number): number => {
		if (!times) return -1;
		let lo = 0;
		let hi = times.length - 1;
		while (lo <= hi) {
			const mid = (lo + hi) >> 1;
			if (times[mid] === t) return mid;
			if (times[mid] < t) lo = mid + 1;
			else hi = mid - 1;
		}
		return -1;
	};
	return trades.map((t, k) => {
		cum += t.pnl;
		let hi = Math.max(t.entryPrice, t.exitPrice);
		let lo = Math.min(t.entryPrice, t.exitPrice);
		const a = find(t.entryTime);
		const b = find(t.exitTime);
		const known = !!ohlcv && a >= 0 && b >= a;
		if (known) {
			const last = t.exitReason === 'end_of_data' ? b : b - 1;
			for (let i = a; i <= last; i++) {
				if (ohlcv!.high[i] > hi) hi = ohlcv!.high[i];
				if (ohlcv!.low[i] < lo) lo = ohlcv!.low[i];
			}
		}
		const long = t.direction === 'long';
		const favour = long ? hi - t.entryPrice : t.entryPrice - lo;
		const adverse = long ? t.entryPrice - lo : hi - t.entryPrice;
		const atrRisk = stopDistance && t.entryBar >= 1 ? t.size * stopDistance[t.entryBar - 1] : NaN;
		const risk = stopLoss.mode === 'fraction' ? t.size * t.entryPrice * stopLoss.value : atrRisk;
		return {
			n: k + 1,
			trade: t,
			fees: t.entryFee + t.exitFee,
			cumPnl: cum,
			mfe: known ? Math.max(0, favour) * t.size : NaN,
			mfeRatio: known ? Math.max(0, favour) / t.entryPrice : NaN,
			mae: known ? Math.max(0, adverse) * t.size : NaN,
			maeRatio: known ? Math.max(0, adverse) / t.entryPrice : NaN,
			rMultiple: risk > 0 ? t.pnl / risk : null,
			barsHeld: t.exitBar - t.entryBar
		};
	});
}

/** Trade statistics of one side (all, long or short): Strategy Tester's "Performance summary" columns. */
export interface SideStats {
	trades: number;
	wins: number;
	losses: number;
	/** wins / trades (NaN with no trade). */
	winRate: number;
	/** Sum of pnl (fees included). */
	netProfit: number;
	/** Sum of pnl of winning trades. */
	grossProfit: number;
	/** Sum of pnl of losing trades (negative). */
	grossLoss: number;
	/** grossProfit / |grossLoss| (Infinity with no loss, NaN with neither). */
	profitFactor: number;
	/** Sum of entry and exit fees. */
	fees: number;
	/** fees / grossProfit (NaN when there is no gross profit). */
	feeShareOfGrossProfit: number;
	/** netProfit + fees: what the trades made before fees. */
	profitBeforeFees: number;
	/** Mean pnl per trade. */
	averageTrade: number;
	/** Mean pnl / entry notional. */
	averageTradeRatio: number;
	averageWin: number;
	averageLoss: number;
	largestWin: number;
	largestLoss: number;
	/** Mean bars held. */
	averageBarsHeld: number;
}

/**
 * Trade statistics of a subset of trades (e.g. longs only).
 * @param trades - closed trades.
 * @returns {@link SideStats}; NaN for means of an empty set.
 */
export function sideStats(trades: readonly Trade[]): SideStats {
	let wins = 0,
		losses = 0,
		gp = 0,
		gl = 0,
		fees = 0,
		net = 0,
		ratio = 0,
		bars = 0,
		best = -Infinity,
		worst = Infinity;
	for (const t of trades) {
		net += t.pnl;
		fees += t.entryFee + t.exitFee;
		ratio += t.profitRatio;
		bars += t.exitBar - t.entryBar;
		if (t.pnl > 0) {
			wins++;
			gp += t.pnl;
		} else if (t.pnl < 0) {
			losses++;
			gl += t.pnl;
		}
		if (t.pnl > best) best = t.pnl;
		if (t.pnl < worst) worst = t.pnl;
	}
	const n = trades.length;
	return {
		trades: n,
		wins,
		losses,
		winRate: n ? wins / n : NaN,
		netProfit: net,
		grossProfit: gp,
		grossLoss: gl,
		profitFactor: gl < 0 ? gp / -gl : gp > 0 ? Infinity : NaN,
		fees,
		feeShareOfGrossProfit: gp > 0 ? fees / gp : NaN,
		profitBeforeFees: net + fees,
		averageTrade: n ? net / n : NaN,
		averageTradeRatio: n ? ratio / n : NaN,
		averageWin: wins ? gp / wins : NaN,
		averageLoss: losses ? gl / losses : NaN,
		largestWin: best > 0 ? best : NaN,
		largestLoss: worst < 0 ? worst : NaN,
		averageBarsHeld: n ? bars / n : NaN
	};
}

/**
 * All / long / short split of {@link sideStats}.
 * @param trades - closed trades.
 */
export function splitBySide(trades: readonly Trade[]): { all: SideStats; long: SideStats; short: SideStats } {
	return {
		all: sideStats(trades),
		long: sideStats(trades.filter((t) => t.direction === 'long')),
		short: sideStats(trades.filter((t) => t.direction === 'short'))
	};
}
