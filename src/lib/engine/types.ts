/**
 * Backtest configuration and result types shared by the WASM engine wrapper, the TS reference
 * engine (parity tests only), metrics, the CLI and the app.
 *
 * Semantics (see README "Engine semantics"): signal on bar t's close, market fill at open[t+1],
 * fees per side on traded notional, slippage against the trader on every fill, all-in sizing
 * `units = E / (P * (1 + f))`, stop-loss / take-profit fixed from the entry fill and checked
 * intrabar from the entry bar on (gap fills at the open, stop-loss first when both are inside
 * one bar), open position closed at the last bar's close.
 */
import type { UnixMs } from '../core/types';

/** Strategy identifiers of the built-in registry. */
export type StrategyId = 'sma-cross' | 'rsi-mean-reversion' | 'ema-atr-breakout' | 'rsi-atr-momentum' | 'poly-bands';

/** `long`: long-only; `long-short`: long and short, with reversal on opposite signals. */
export type DirectionMode = 'long' | 'long-short';

/** Why a trade was closed. */
export type ExitReason = 'signal' | 'stop_loss' | 'take_profit' | 'end_of_data';

/**
 * A stop-loss or take-profit level definition.
 * - `none`: no level.
 * - `fraction`: `value` is a fraction of the entry fill price (0.02 = 2 %).
 * - `atr`: `value` is a multiple of Wilder ATR(`atrPeriod`) taken at the signal bar's close.
 */
export type LevelSpec = { mode: 'none' } | { mode: 'fraction'; value: number } | { mode: 'atr'; value: number };

/**
 * Position sizing.
 * - `equity-fraction`: spend `fraction` (0 < fraction <= 1) of current equity, fee included: `units = fraction * E / (P * (1 + f))`.
 * - `fixed-notional`: spend `amount` quote currency per entry (capped at current equity), fee included.
 * - `risk`: risk `fraction` of equity between the entry fill and the stop-loss: `units = fraction * E / |P - SL|`, capped at all-in. Needs a stop-loss.
 */
export type SizingSpec =
	| { mode: 'equity-fraction'; fraction: number }
	| { mode: 'fixed-notional'; amount: number }
	| { mode: 'risk'; fraction: number };

/** Everything that defines one backtest run on given candles. */
export interface BacktestConfig {
	strategy: StrategyId;
	/** Strategy parameters by name (numbers; booleans as 0/1 or true/false), validated against the registry schema. Missing names take defaults. */
	params: Record<string, number | boolean>;
	direction: DirectionMode;
	/** Fee rate per fill as a fraction of traded notional (0.001 = 0.1 %). */
	feeRate: number;
	/** Slippage as a fraction of price, applied against the trader on every fill (0.0005 = 5 bp). */
	slippageRate: number;
	/** Starting equity in quote currency (e.g. USDT). */
	initialCash: number;
	stopLoss: LevelSpec;
	takeProfit: LevelSpec;
	/** ATR period (bars) used by `atr` stop-loss / take-profit levels. Default 14. */
	atrPeriod: number;
	sizing: SizingSpec;
}

/** One closed round trip. Times are bar open times (ms UTC); an end-of-data exit is labelled with the last bar. */
export interface Trade {
	direction: 'long' | 'short';
	entryBar: number;
	exitBar: number;
	entryTime: UnixMs;
	exitTime: UnixMs;
	/** Entry fill price (slippage included). */
	entryPrice: number;
	/** Exit fill price (slippage included). */
	exitPrice: number;
	/** Position size in base units (always positive). */
	size: number;
	entryFee: number;
	exitFee: number;
	/** Net profit in quote currency: `size*(exit-entry)` (long) or `size*(entry-exit)` (short) minus both fees. */
	pnl: number;
	/** `pnl / (size * entryPrice)`: net return on the position's entry notional. */
	profitRatio: number;
	exitReason: ExitReason;
}

/** Raw output of a simulation (what both engines produce). */
export interface SimulationOutput {
	trades: Trade[];
	/** Equity marked at every bar's close, length = bars; the last value is after the end-of-data close-out. */
	equity: Float64Array;
	/** Bars on which stop-loss and take-profit were both inside the bar's range (stop-loss assumed first). */
	ambiguousBars: number;
}
