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
export type StrategyId = 'sma-cross' | 'rsi-mean-reversion' | 'ema-atr-breakout' | 'rsi-atr-momentum' | 'poly-bands' | 'pattern-zones' | 'rules';

/** Strategies of the built-in registry (strategies.ts STRATEGIES); `rules` strategies are defined by their text. */
export type BuiltinStrategyId = Exclude<StrategyId, 'rules'>;

/**
 * A trader's own rule strategy (`strategy: 'rules'`): its text in the rule language (src/lib/rules/syntax.ts) and a
 * display name. The text is data: it is parsed and compiled to the core's signal plan, never run as code.
 */
export interface RuleSource {
	name: string;
	source: string;
}

/** `long`: long-only; `long-short`: long and short, with reversal on opposite signals. */
export type DirectionMode = 'long' | 'long-short';

/** Why a trade was closed. */
export type ExitReason = 'signal' | 'stop_loss' | 'take_profit' | 'end_of_data' | 'circuit_breaker' | 'liquidation';

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
	/** The rule text when `strategy` is `rules` (its declared parameters are the `params`). */
	rules?: RuleSource;
	/** Strategy parameters by name (numbers; booleans as 0/1 or true/false), validated against the registry schema. Missing names take defaults. */
	params: Record<string, number | boolean | string>;
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
	/**
	 * Exit fills of a trade closed in parts (pattern-zones take-profit legs; SEMANTICS.md "Price-action patterns"),
	 * in fill order: bar index, bar open time (ms UTC), fill price, base units, fee (quote), reason. Absent for
	 * trades closed in one fill; then `exitPrice` is that fill, otherwise the units-weighted mean of the legs.
	 */
	legs?: { bar: number; time: UnixMs; price: number; units: number; fee: number; reason: 'stop_loss' | 'take_profit' | 'end_of_data' }[];
}

/** Raw output of a simulation (what both engines produce). */
export interface SimulationOutput {
	trades: Trade[];
	/** Equity marked at every bar's close, length = bars; the last value is after the end-of-data close-out. */
	equity: Float64Array;
	/** Bars on which stop-loss and take-profit were both inside the bar's range (stop-loss assumed first). */
	ambiguousBars: number;
}

/**
 * Portfolio sizing (SEMANTICS.md "Portfolios"): the single-market modes plus `equity-split`
 * (`min(E_open / K, cash)` per entry, `E_open` = equity at the bar's opens after its exits).
 */
export type PortfolioSizingSpec = SizingSpec | { mode: 'equity-split' };

/**
 * A circuit breaker (SEMANTICS.md "Circuit breakers").
 * - `max-drawdown`: when the portfolio equity is `threshold` (fraction, 0 < threshold < 1) below its peak, close every
 *   position at the next open and block entries for `cooldownBars` bars.
 * - `consecutive-losses`: after `count` losing trades in a row, multiply new entries' units by `factor` (0 < factor <= 1)
 *   until the next winning trade.
 */
export type BreakerSpec =
	| { kind: 'max-drawdown'; threshold: number; action: 'close-all'; cooldownBars: number }
	| { kind: 'consecutive-losses'; count: number; action: 'reduce'; factor: number };

/** One strategy over several markets of one interval, from one account (SEMANTICS.md "Portfolios"). */
export interface PortfolioConfig extends Omit<BacktestConfig, 'sizing'> {
	sizing: PortfolioSizingSpec;
	/** K: most markets holding a position at once (1 … 200). */
	maxPositions: number;
	/** L: leverage multiplying the notional a sizing rule may take (1 … 10). Default 1. */
	leverage: number;
	/** Maintenance margin as a fraction of notional for liquidation (positions opened with L > 1). Default 0.005. */
	maintenanceMarginRatio: number;
	/** Circuit breakers, at most one of each kind. */
	breakers: BreakerSpec[];
	/** Fee rate of limit fills (take-profit), fraction of notional; default = `feeRate` (the taker rate). */
	makerFeeRate?: number;
	/** Apply each market's {@link ExchangeRules} (LOT_SIZE, PRICE_FILTER, MIN_NOTIONAL). Default false. */
	exchangeRules?: boolean;
}

/** A market's trading rules from Binance `exchangeInfo` filters (0 = no rule). */
export interface ExchangeRules {
	/** LOT_SIZE stepSize, base units: order quantities are floored to a multiple of it. */
	stepSize: number;
	/** PRICE_FILTER tickSize, quote units: stop-loss and take-profit prices are rounded to it against the trader. */
	tickSize: number;
	/** NOTIONAL / MIN_NOTIONAL minNotional, quote units: smaller orders are skipped. */
	minNotional: number;
}

/** One market's candles for a portfolio run (its own bars; markets are aligned on the union of open times). */
export interface PortfolioMarket {
	symbol: string;
	ohlcv: import('../core/types').OhlcvColumns;
	/** Exchange rules, used when the configuration sets `exchangeRules`. */
	rules?: ExchangeRules;
}

/** A portfolio trade: a {@link Trade} with its market. Bars are union bars (indices into the portfolio's `openTime`). */
export interface PortfolioTrade extends Trade {
	symbol: string;
}

/** A circuit-breaker event. `value`: drawdown fraction (max-drawdown trip), new peak equity (its release), N (consecutive-losses trip), the ended streak's length (its release). */
export interface BreakerEvent {
	bar: number;
	time: number;
	type: BreakerSpec['kind'];
	action: 'trip' | 'release';
	value: number;
}

/** Per-market attribution of a portfolio run. */
export interface MarketAttribution {
	symbol: string;
	/** Sum of the market's trade PnL, quote currency. */
	pnl: number;
	trades: number;
	wins: number;
	/** wins / trades (NaN with no trades). */
	winRate: number;
	/** Fees paid on the market's fills, quote currency. */
	fees: number;
	/** The market's bars with a position open at any moment of the bar / the market's bars. */
	exposureRatio: number;
	/** Bars the market has in the run. */
	bars: number;
}

/** Raw output of a portfolio simulation (both engines produce it). */
export interface PortfolioSimulationOutput {
	symbols: string[];
	/** Union of the markets' open times, ms UTC, length T. */
	openTime: Float64Array;
	trades: PortfolioTrade[];
	/** Portfolio equity marked at every union bar's close, length T; the last value is after the end-of-data close-out. */
	equity: Float64Array;
	/** Positions open at the end of each bar (after its close-outs), length T. */
	openPositions: Float64Array;
	events: BreakerEvent[];
	attribution: MarketAttribution[];
	ambiguousBars: number;
}
