/**
 * Determinism fingerprints of a run (SHA-256, hex): what identifies the inputs of a run and its
 * outcome, so a run reproduced elsewhere (another worker, Node, another browser through a share
 * link) can be checked bit for bit.
 *
 * - `engineVersion`: `ENGINE_SEMVER + '+' + first 12 hex of SHA-256(release.wasm bytes)` — the
 *   semantic version of the documented rules (src/lib/engine/SEMANTICS.md) plus the exact build.
 * - `dataHash`: SHA-256 over the candles used: a header `ohlcv-f64le-v1:<bars>\n`, then the six
 *   columns (openTime, open, high, low, close, volume) one after the other as IEEE-754 float64
 *   little-endian bytes.
 * - `fingerprint`: SHA-256 over `backtester-run-v1\n` + JSON `[engineVersion, symbol, interval,
 *   dataHash, canonical configuration]` (canonical = every parameter resolved with its default,
 *   booleans as 0/1, object keys sorted).
 * - `tradesHash`: SHA-256 over the trade list: header `trades-v1:<count>\n`, then per trade one
 *   byte direction (0 long, 1 short), one byte exit reason (index in {@link EXIT_REASONS}) and
 *   eleven float64 LE: entryBar, exitBar, entryTime, exitTime, entryPrice, exitPrice, size,
 *   entryFee, exitFee, pnl, profitRatio.
 *
 * SHA-256 is FIPS 180-4, computed with `@noble/hashes` (synchronous; the same in workers, pages on
 * plain http, and Node, where WebCrypto's `subtle` may be missing).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { OhlcvColumns } from '../core/types';
import { resolveParams } from './strategies';
import type { BacktestConfig, ExitReason, Trade } from './types';

/**
 * Version of the engine's documented semantics. Bump it whenever a rule in SEMANTICS.md changes
 * (a result computed under another version may legitimately differ).
 */
export const ENGINE_SEMVER = '1.0.0';

/** Exit reasons in the order their codes are hashed (append only). */
export const EXIT_REASONS: readonly ExitReason[] = ['signal', 'stop_loss', 'take_profit', 'end_of_data'];

/** What identifies a run's inputs and outcome; every field is lowercase hex SHA-256 except `engineVersion`. */
export interface RunFingerprint {
	/** `1.0.0+<12 hex of the wasm build>`. */
	engineVersion: string;
	/** SHA-256 of the candles used (see module comment). */
	dataHash: string;
	/** SHA-256 of engine version + market + data hash + canonical configuration. */
	fingerprint: string;
	/** SHA-256 of the trade list. */
	tradesHash: string;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Bytes of a Float64Array as little-endian float64 (a view when the platform is little-endian). */
function f64le(values: Float64Array): Uint8Array {
	if (LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
	const out = new Uint8Array(values.length * 8);
	const view = new DataView(out.buffer);
	for (let i = 0; i < values.length; i++) view.setFloat64(i * 8, values[i], true);
	return out;
}

/**
 * Build id of a compiled core: the first 12 hex characters of SHA-256 over the `.wasm` bytes.
 * @param wasmBytes - bytes of assembly/build/release.wasm exactly as served.
 */
export function engineBuildId(wasmBytes: Uint8Array): string {
	return bytesToHex(sha256(wasmBytes)).slice(0, 12);
}

/** `ENGINE_SEMVER+buildId`, e.g. `1.0.0+3fa9c0d1e2b4`. */
export function engineVersionOf(buildId: string): string {
	return `${ENGINE_SEMVER}+${buildId}`;
}

/**
 * SHA-256 of candle columns (see the module comment for the byte layout).
 * @param ohlcv - columns of equal length; only the first `openTime.length` values of each are hashed.
 * @returns 64 lowercase hex characters.
 */
export function candleDataHash(ohlcv: OhlcvColumns): string {
	const n = ohlcv.openTime.length;
	const h = sha256.create();
	h.update(utf8ToBytes(`ohlcv-f64le-v1:${n}\n`));
	for (const col of [ohlcv.openTime, ohlcv.open, ohlcv.high, ohlcv.low, ohlcv.close, ohlcv.volume]) h.update(f64le(col.subarray(0, n)));
	return bytesToHex(h.digest());
}

/** JSON with object keys sorted at every level (arrays keep their order). */
function sortedJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
	if (value && typeof value === 'object') {
		const o = value as Record<string, unknown>;
		return `{${Object.keys(o)
			.filter((k) => o[k] !== undefined)
			.sort()
			.map((k) => `${JSON.stringify(k)}:${sortedJson(o[k])}`)
			.join(',')}}`;
	}
	return JSON.stringify(value);
}

/**
 * Canonical text of a configuration: every strategy parameter resolved (defaults filled in,
 * booleans as 0/1), keys sorted. Two configurations that run identically have the same text.
 * @throws ValidationError when the parameters are invalid for the strategy.
 */
export function canonicalConfig(config: BacktestConfig): string {
	return sortedJson({ ...config, params: resolveParams(config.strategy, config.params, config.rules).byName });
}

/**
 * The run fingerprint (see the module comment).
 * @param input - engine version, market (symbol, interval), data hash and configuration.
 * @returns 64 lowercase hex characters.
 * @throws ValidationError when the configuration's parameters are invalid.
 */
export function runFingerprint(input: { engineVersion: string; symbol: string; interval: string; dataHash: string; config: BacktestConfig }): string {
	const text = JSON.stringify([input.engineVersion, input.symbol, input.interval, input.dataHash, canonicalConfig(input.config)]);
	return bytesToHex(sha256(utf8ToBytes(`backtester-run-v1\n${text}`)));
}

/**
 * SHA-256 of a trade list (see the module comment for the byte layout).
 * @param trades - closed trades in the order the engine produced them.
 * @returns 64 lowercase hex characters.
 */
export function tradesHash(trades: readonly Trade[]): string {
	const RECORD = 2 + 11 * 8;
	const bytes = new Uint8Array(trades.length * RECORD);
	const view = new DataView(bytes.buffer);
	trades.forEach((t, i) => {
		let o = i * RECORD;
		view.setUint8(o++, t.direction === 'long' ? 0 : 1);
		view.setUint8(o++, EXIT_REASONS.indexOf(t.exitReason));
		for (const v of [t.entryBar, t.exitBar, t.entryTime, t.exitTime, t.entryPrice, t.exitPrice, t.size, t.entryFee, t.exitFee, t.pnl, t.profitRatio]) {
			view.setFloat64(o, v, true);
			o += 8;
		}
	});
	const h = sha256.create();
	h.update(utf8ToBytes(`trades-v1:${trades.length}\n`));
	h.update(bytes);
	return bytesToHex(h.digest());
}

/**
 * Everything a run records for reproduction.
 * @param input - engine version, market, the candles' hash (compute once per dataset with {@link candleDataHash}), configuration and trades.
 */
export function fingerprintRun(input: { engineVersion: string; symbol: string; interval: string; dataHash: string; config: BacktestConfig; trades: readonly Trade[] }): RunFingerprint {
	return {
		engineVersion: input.engineVersion,
		dataHash: input.dataHash,
		fingerprint: runFingerprint(input),
		tradesHash: tradesHash(input.trades)
	};
}

// ---------------------------------------------------------------------------------------------
// Portfolio runs (SEMANTICS.md "Portfolios"): new layouts beside the single-market ones above,
// which stay unchanged.
// ---------------------------------------------------------------------------------------------

/** Exit reasons in the order their codes are hashed in portfolio trade lists (append only). */
export const PORTFOLIO_EXIT_REASONS: readonly ExitReason[] = ['signal', 'stop_loss', 'take_profit', 'end_of_data', 'circuit_breaker', 'liquidation'];

/** A market's candles as the portfolio data hash reads them. */
export interface HashedMarket {
	symbol: string;
	ohlcv: OhlcvColumns;
}

/**
 * SHA-256 over the candles of a portfolio run, market by market in the run's (priority) order: the text
 * `portfolio-ohlcv-v1:<markets>\n` followed by one line `<symbol>:<candleDataHash of its candles>\n` per market
 * (so a market's own hash, {@link candleDataHash}, can be computed once and reused across runs).
 * @param markets - symbols and candles, in the order the run uses them (order matters: it is the priority order).
 * @returns 64 lowercase hex characters.
 */
export function portfolioDataHash(markets: readonly HashedMarket[]): string {
	return portfolioDataHashOf(markets.map((m) => ({ symbol: m.symbol, dataHash: candleDataHash(m.ohlcv) })));
}

/**
 * {@link portfolioDataHash} from each market's precomputed {@link candleDataHash}.
 * @param markets - symbol and candle hash per market, in the run's order.
 */
export function portfolioDataHashOf(markets: readonly { symbol: string; dataHash: string }[]): string {
	const text = `portfolio-ohlcv-v1:${markets.length}\n${markets.map((m) => `${m.symbol}:${m.dataHash}\n`).join('')}`;
	return bytesToHex(sha256(utf8ToBytes(text)));
}

/**
 * Canonical text of a portfolio configuration: strategy parameters resolved with their defaults
 * (booleans as 0/1), every object's keys sorted, arrays (breakers) in their given order.
 * @param config - a portfolio configuration (`PortfolioConfig`); only `strategy` and `params` are interpreted.
 * @throws ValidationError when the parameters are invalid for the strategy.
 */
export function canonicalPortfolioConfig(config: Pick<BacktestConfig, 'strategy' | 'params'>): string {
	return sortedJson({ ...config, params: resolveParams(config.strategy, config.params).byName });
}

/**
 * Fingerprint of a portfolio run: SHA-256 over `backtester-portfolio-v1\n` + JSON
 * `[engineVersion, symbols, interval, dataHash, canonical portfolio configuration, rules]`, where `rules` is,
 * per market in order, `[stepSize, tickSize, minNotional]` or `null` when the market has no exchange rules.
 * `rules` is part of the input only when the configuration applies them (`exchangeRules: true`); otherwise it is `[]`.
 * @returns 64 lowercase hex characters.
 * @throws ValidationError when the configuration's parameters are invalid.
 */
export function portfolioRunFingerprint(input: {
	engineVersion: string;
	symbols: readonly string[];
	interval: string;
	dataHash: string;
	config: Pick<BacktestConfig, 'strategy' | 'params'> & { exchangeRules?: boolean };
	rules?: readonly ({ stepSize: number; tickSize: number; minNotional: number } | null | undefined)[];
}): string {
	const rules = input.config.exchangeRules ? (input.rules ?? input.symbols.map(() => null)).map((r) => (r ? [r.stepSize, r.tickSize, r.minNotional] : null)) : [];
	const text = JSON.stringify([input.engineVersion, [...input.symbols], input.interval, input.dataHash, canonicalPortfolioConfig(input.config), rules]);
	return bytesToHex(sha256(utf8ToBytes(`backtester-portfolio-v1\n${text}`)));
}

/**
 * SHA-256 of a portfolio trade list: header `portfolio-trades-v1:<count>\n`, then per trade its symbol
 * as UTF-8 followed by a 0 byte, one byte direction (0 long, 1 short), one byte exit reason (index in
 * {@link PORTFOLIO_EXIT_REASONS}) and the eleven float64 LE of {@link tradesHash}.
 * @param trades - closed trades in the order the engine produced them, each with its `symbol`.
 * @returns 64 lowercase hex characters.
 */
export function portfolioTradesHash(trades: readonly (Trade & { symbol: string })[]): string {
	const h = sha256.create();
	h.update(utf8ToBytes(`portfolio-trades-v1:${trades.length}\n`));
	const rec = new Uint8Array(2 + 11 * 8);
	const view = new DataView(rec.buffer);
	for (const t of trades) {
		h.update(utf8ToBytes(t.symbol));
		h.update(new Uint8Array([0]));
		view.setUint8(0, t.direction === 'long' ? 0 : 1);
		view.setUint8(1, PORTFOLIO_EXIT_REASONS.indexOf(t.exitReason));
		let o = 2;
		for (const v of [t.entryBar, t.exitBar, t.entryTime, t.exitTime, t.entryPrice, t.exitPrice, t.size, t.entryFee, t.exitFee, t.pnl, t.profitRatio]) {
			view.setFloat64(o, v, true);
			o += 8;
		}
		h.update(rec);
	}
	return bytesToHex(h.digest());
}

/**
 * SHA-256 of a portfolio run's circuit-breaker events: header `portfolio-events-v1:<count>\n`, then per
 * event the text `<type>:<action>\n` and three float64 LE: bar, time, value.
 * @param events - events in the order the engine produced them.
 */
export function portfolioEventsHash(events: readonly { bar: number; time: number; type: string; action: string; value: number }[]): string {
	const h = sha256.create();
	h.update(utf8ToBytes(`portfolio-events-v1:${events.length}\n`));
	const rec = new Float64Array(3);
	for (const e of events) {
		h.update(utf8ToBytes(`${e.type}:${e.action}\n`));
		rec[0] = e.bar;
		rec[1] = e.time;
		rec[2] = e.value;
		h.update(f64le(rec));
	}
	return bytesToHex(h.digest());
}

/** What a portfolio run records for reproduction (hex SHA-256 except `engineVersion`). */
export interface PortfolioRunFingerprint extends RunFingerprint {
	/** SHA-256 of the breaker events ({@link portfolioEventsHash}). */
	eventsHash: string;
}

/**
 * Everything a portfolio run records for reproduction.
 * @param input - engine version, symbols in priority order, interval, data hash ({@link portfolioDataHash}),
 *   configuration, each market's exchange rules (used when the configuration applies them), trades and events.
 */
export function fingerprintPortfolioRun(input: {
	engineVersion: string;
	symbols: readonly string[];
	interval: string;
	dataHash: string;
	config: Pick<BacktestConfig, 'strategy' | 'params'> & { exchangeRules?: boolean };
	rules?: readonly ({ stepSize: number; tickSize: number; minNotional: number } | null | undefined)[];
	trades: readonly (Trade & { symbol: string })[];
	events: readonly { bar: number; time: number; type: string; action: string; value: number }[];
}): PortfolioRunFingerprint {
	return {
		engineVersion: input.engineVersion,
		dataHash: input.dataHash,
		fingerprint: portfolioRunFingerprint(input),
		tradesHash: portfolioTradesHash(input.trades),
		eventsHash: portfolioEventsHash(input.events)
	};
}
