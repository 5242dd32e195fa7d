/**
 * Shared domain types. Plain TypeScript, no DOM or Svelte imports.
 *
 * Units: every time is Unix epoch **milliseconds** UTC (`UnixMs`); prices are in the quote
 * asset (e.g. USDT); volume is base-asset volume, as in Binance klines.
 */

/** Unix epoch time in milliseconds, UTC. Binance REST and CSV times are in this unit (archive files from 2025 on use microseconds: convert on import). */
export type UnixMs = number;

/** One candle (kline) as an object; use {@link OhlcvColumns} for bulk data. */
export interface Bar {
	openTime: UnixMs;
	open: number;
	high: number;
	low: number;
	close: number;
	volume: number;
}

/**
 * Candles as columns, the layout every engine and store uses.
 * All arrays have the same length (number of bars), strictly ascending `openTime`.
 */
export interface OhlcvColumns {
	openTime: Float64Array;
	open: Float64Array;
	high: Float64Array;
	low: Float64Array;
	close: Float64Array;
	volume: Float64Array;
}

/** Binance kline intervals supported by the app. */
export type Timeframe = '1m' | '3m' | '5m' | '15m' | '30m' | '1h' | '2h' | '4h' | '6h' | '8h' | '12h' | '1d' | '3d' | '1w';
