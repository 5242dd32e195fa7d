/**
 * The plain-TypeScript reference engine: a straightforward bar loop that implements
 * `src/lib/engine/SEMANTICS.md` rule by rule. It exists only so that parity tests can check the WASM core
 * (the app never runs it). Clarity over speed: allocations in the loop are fine here.
 */
import { DataError } from '../../core/errors';
import { isoUtc } from '../../core/timeframe';
import type { OhlcvColumns } from '../../core/types';
import { getStrategy, validateConfig } from '../strategies';
import type { BacktestConfig, ExitReason, LevelSpec, SimulationOutput, Trade } from '../types';
import { atrWilder, ema, rsiWilder, sma } from './indicators';
import { referencePolyBands } from './polybands';

/** The four per-bar strategy signals, evaluated at each bar's close (1 = true). */
export interface ReferenceSignals {
	enterLong: Uint8Array;
	exitLong: Uint8Array;
	enterShort: Uint8Array;
	exitShort: Uint8Array;
}

type Side = 1 | -1;

interface Position {
	side: Side;
	units: number;
	entryBar: number;
	entryPrice: number;
	entryFee: number;
	/** Stop-loss level, NaN when not set. */
	sl: number;
	/** Take-profit level, NaN when not set. */
	tp: number;
}

type OrderKind = 'open-long' | 'open-short' | 'close' | 'reverse-to-long' | 'reverse-to-short';

interface PendingOrder {
	kind: OrderKind;
	/** ATR of the level series at the signal bar (NaN when undefined or not needed). */
	atr: number;
}

const COLUMNS = ['openTime', 'open', 'high', 'low', 'close', 'volume'] as const;

function timeLabel(ms: number): string {
	return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? isoUtc(ms) : `open time ${ms}`;
}

/**
 * Check candles for the engine: non-empty, equal column lengths, finite values, strictly ascending open times.
 * @param ohlcv - candle columns (Float64Array each, equal length).
 * @throws DataError naming the first bad bar (index and ISO time) and how to fix it.
 */
export function validateOhlcv(ohlcv: OhlcvColumns): void {
	if (!ohlcv || !ohlcv.openTime) throw new DataError('No candle data: load or import candles before running a backtest.');
	const n = ohlcv.openTime.length;
	if (n === 0) throw new DataError('No candles in the selected range: choose a longer range or load data first.');
	for (const c of COLUMNS) {
		const col = ohlcv[c];
		if (!col || col.length !== n) {
			throw new DataError(
				`Candle columns have different lengths: openTime has ${n} values, ${c} has ${col ? col.length : 'none'}; reload the data.`
			);
		}
	}
	for (let t = 0; t < n; t++) {
		for (const c of COLUMNS) {
			const v = ohlcv[c][t];
			if (!Number.isFinite(v)) {
				throw new DataError(
					`Bar ${t} (${timeLabel(ohlcv.openTime[t])}): ${c} is ${v}; every value must be a finite number. Repair or remove this candle and import again.`
				);
			}
		}
		if (t > 0 && !(ohlcv.openTime[t] > ohlcv.openTime[t - 1])) {
			const what = ohlcv.openTime[t] === ohlcv.openTime[t - 1] ? 'duplicates' : 'is earlier than';
			throw new DataError(
				`Bar ${t} (${timeLabel(ohlcv.openTime[t])}): open time ${what} bar ${t - 1} (${timeLabel(ohlcv.openTime[t - 1])}); candles must be in strictly ascending time order. Sort and de-duplicate them.`
			);
		}
	}
}

/** `a` crosses above `b` at t: `a[t-1] <= b[t-1]` and `a[t] > b[t]`, all four defined. */
function crossesAbove(aPrev: number, aNow: number, bPrev: number, bNow: number): boolean {
	if (Number.isNaN(aPrev) || Number.isNaN(aNow) || Number.isNaN(bPrev) || Number.isNaN(bNow)) return false;
	return aPrev <= bPrev && aNow > bNow;
}

/** `a` crosses below `b` at t: `a[t-1] >= b[t-1]` and `a[t] < b[t]`, all four defined. */
function crossesBelow(aPrev: number, aNow: number, bPrev: number, bNow: number): boolean {
	if (Number.isNaN(aPrev) || Number.isNaN(aNow) || Number.isNaN(bPrev) || Number.isNaN(bNow)) return false;
	return aPrev >= bPrev && aNow < bNow;
}

/** Resolved parameters by name, from validateConfig's schema-ordered values. */
function paramsByName(config: BacktestConfig, values: number[]): Record<string, number> {
	const def = getStrategy(config.strategy);
	return Object.fromEntries(def.params.map((p, i) => [p.name, values[i]]));
}

function computeSignals(ohlcv: OhlcvColumns, config: BacktestConfig, p: Record<string, number>): ReferenceSignals {
	const n = ohlcv.close.length;
	const s: ReferenceSignals = {
		enterLong: new Uint8Array(n),
		exitLong: new Uint8Array(n),
		enterShort: new Uint8Array(n),
		exitShort: new Uint8Array(n)
	};
	const { close, high, low, volume } = ohlcv;
	const set = (t: number, eL: boolean, xL: boolean, eS: boolean, xS: boolean) => {
		s.enterLong[t] = eL ? 1 : 0;
		s.exitLong[t] = xL ? 1 : 0;
		s.enterShort[t] = eS ? 1 : 0;
		s.exitShort[t] = xS ? 1 : 0;
	};
	switch (config.strategy) {
		case 'sma-cross': {
			const fast = sma(close, p.fast);
			const slow = sma(close, p.slow);
			for (let t = 1; t < n; t++) {
				const up = crossesAbove(fast[t - 1], fast[t], slow[t - 1], slow[t]);
				const down = crossesBelow(fast[t - 1], fast[t], slow[t - 1], slow[t]);
				set(t, up, down, down, up);
			}
			break;
		}
		case 'rsi-mean-reversion': {
			const r = rsiWilder(close, p.period);
			const os = p.oversold;
			const ob = p.overbought;
			const mid = p.exitOnMid === 1;
			for (let t = 1; t < n; t++) {
				const a0 = r[t - 1];
				const a1 = r[t];
				const enterLong = crossesBelow(a0, a1, os, os);
				const exitLong = crossesAbove(a0, a1, ob, ob) || (mid && crossesAbove(a0, a1, 50, 50));
				const enterShort = crossesAbove(a0, a1, ob, ob);
				const exitShort = crossesBelow(a0, a1, os, os) || (mid && crossesBelow(a0, a1, 50, 50));
				set(t, enterLong, exitLong, enterShort, exitShort);
			}
			break;
		}
		case 'ema-atr-breakout': {
			const e = ema(close, p.emaPeriod);
			const atr = atrWilder(high, low, close, p.atrPeriod);
			const k = p.atrMultiplier;
			const volSma = p.volumeFilter === 1 ? sma(volume, p.volumePeriod) : null;
			for (let t = 1; t < n; t++) {
				const up0 = e[t - 1] + k * atr[t - 1];
				const up1 = e[t] + k * atr[t];
				const lo0 = e[t - 1] - k * atr[t - 1];
				const lo1 = e[t] - k * atr[t];
				// volume[t] > NaN is false, so volOk is false while the volume SMA is undefined.
				const volOk = volSma === null || volume[t] > volSma[t];
				const enterLong = crossesAbove(close[t - 1], close[t], up0, up1) && volOk;
				const exitLong = crossesBelow(close[t - 1], close[t], e[t - 1], e[t]);
				const enterShort = crossesBelow(close[t - 1], close[t], lo0, lo1) && volOk;
				const exitShort = crossesAbove(close[t - 1], close[t], e[t - 1], e[t]);
				set(t, enterLong, exitLong, enterShort, exitShort);
			}
			break;
		}
		case 'rsi-atr-momentum': {
			const r = rsiWilder(close, p.rsiPeriod);
			const inL = (v: number) => p.longRsiMin <= v && v <= p.longRsiMax;
			const inS = (v: number) => p.shortRsiMin <= v && v <= p.shortRsiMax;
			for (let t = 1; t < n; t++) {
				const defined = !Number.isNaN(r[t - 1]) && !Number.isNaN(r[t]);
				const entersL = defined && inL(r[t]) && !inL(r[t - 1]);
				const entersS = defined && inS(r[t]) && !inS(r[t - 1]);
				set(t, entersL, entersS, entersS, entersL);
			}
			break;
		}
		case 'poly-bands': {
			// BANDS.md "Band strategy": bands from the trailing window only; NaN (t < W-1) compares false.
			const { mid, sigma } = referencePolyBands(close, p.window, p.degree);
			const opposite = p.exitAt === 1;
			for (let t = 0; t < n; t++) {
				const m = mid[t];
				const lo = m - p.kstd * sigma[t];
				const up = m + p.kstd * sigma[t];
				const c = close[t];
				set(t, c < lo, opposite ? c > up : c > m, c > up, opposite ? c < lo : c < m);
			}
			break;
		}
	}
	return s;
}

/**
 * Per-bar strategy signals of the reference engine, for look-ahead and signal tests.
 *
 * Each value at bar t is computed from bars `0..t` only. Values exist for `t = 1 … N-1`; bar 0 is always 0 and
 * the engine ignores the last bar's signals (there is no next open to fill at).
 * @param ohlcv - candle columns, equal lengths N >= 1, finite, strictly ascending `openTime`.
 * @param config - backtest configuration (only strategy and params matter here).
 * @returns four Uint8Array (0/1), length N each: enterLong, exitLong, enterShort, exitShort.
 * @throws ValidationError for an invalid configuration; DataError for unusable candles.
 */
export function referenceSignals(ohlcv: OhlcvColumns, config: BacktestConfig): ReferenceSignals {
	const values = validateConfig(config);
	validateOhlcv(ohlcv);
	return computeSignals(ohlcv, config, paramsByName(config, values));
}

/**
 * Run one backtest with the reference engine.
 *
 * Semantics (SEMANTICS.md): signals at bar t's close, market fill at `open[t+1]` (close first, then open;
 * a reversal is two trades), fees per fill, slippage against the trader on every fill, equity-fraction /
 * fixed-notional / risk sizing, stop-loss and take-profit fixed from the entry fill (fraction or ATR multiple),
 * checked intrabar from the entry bar on (gap fills at the open, stop-loss first), equity marked at every close,
 * an open position closed at the last close (`end_of_data`).
 * @param ohlcv - candle columns, equal lengths N >= 1 (bars), finite values, strictly ascending `openTime` (ms UTC).
 * @param config - backtest configuration; parameters are resolved through the registry.
 * @returns closed trades in exit order, equity (Float64Array, length N, quote currency) and the ambiguous-bar count.
 * @throws ValidationError when the configuration is invalid (message lists every problem).
 * @throws DataError when the candles are empty, of unequal length, non-finite or not strictly ascending (names the bar).
 */
export function runReferenceBacktest(ohlcv: OhlcvColumns, config: BacktestConfig): SimulationOutput {
	const values = validateConfig(config);
	validateOhlcv(ohlcv);
	const def = getStrategy(config.strategy);
	const p = paramsByName(config, values);
	const n = ohlcv.close.length;
	const { open, high, low, close, openTime } = ohlcv;
	const f = config.feeRate;
	const s = config.slippageRate;
	const longShort = config.direction === 'long-short';

	// Stop-loss / take-profit definitions: the strategy's own ATR levels, or the config's.
	let slSpec: LevelSpec = config.stopLoss;
	let tpSpec: LevelSpec = config.takeProfit;
	let levelAtrPeriod = config.atrPeriod;
	if (def.ownsExitLevels) {
		slSpec = { mode: 'atr', value: p.slAtrMultiplier };
		tpSpec = { mode: 'atr', value: p.tpAtrMultiplier };
		levelAtrPeriod = p.atrPeriod;
	}
	const needsAtr = slSpec.mode === 'atr' || tpSpec.mode === 'atr';
	const levelAtr = needsAtr ? atrWilder(high, low, close, levelAtrPeriod) : null;

	const sig = computeSignals(ohlcv, config, p);

	const trades: Trade[] = [];
	const equity = new Float64Array(n);
	let ambiguousBars = 0;
	let cash = config.initialCash;
	let pos = null as Position | null; // `as`: assigned inside the closures below, keep TS from narrowing to null
	let pending: PendingOrder | null = null;

	const buyPrice = (price: number) => price * (1 + s);
	const sellPrice = (price: number) => price * (1 - s);

	/** Close the open position at raw price `price` (slippage applied here) on bar t. */
	const closePosition = (t: number, price: number, reason: ExitReason) => {
		const q = pos!;
		const x = q.side === 1 ? sellPrice(price) : buyPrice(price);
		const exitFee = q.units * x * f;
		if (q.side === 1) cash += q.units * x - exitFee;
		else cash -= q.units * x + exitFee;
		const gross = q.side === 1 ? q.units * (x - q.entryPrice) : q.units * (q.entryPrice - x);
		const pnl = gross - q.entryFee - exitFee;
		trades.push({
			direction: q.side === 1 ? 'long' : 'short',
			entryBar: q.entryBar,
			exitBar: t,
			entryTime: openTime[q.entryBar],
			exitTime: openTime[t],
			entryPrice: q.entryPrice,
			exitPrice: x,
			size: q.units,
			entryFee: q.entryFee,
			exitFee,
			pnl,
			profitRatio: pnl / (q.units * q.entryPrice),
			exitReason: reason
		});
		pos = null;
	};

	/** Level from a spec at entry fill price P: `sign` +1 above the entry, -1 below. NaN when not set. */
	const level = (spec: LevelSpec, P: number, sign: 1 | -1, atr: number): number => {
		if (spec.mode === 'fraction') return P * (1 + sign * spec.value);
		if (spec.mode === 'atr') return Number.isNaN(atr) ? NaN : P + sign * (spec.value * atr);
		return NaN;
	};

	/** Open a position of `side` at raw price `price` on bar t (flat; equity = cash). */
	const openPosition = (t: number, side: Side, price: number, atr: number) => {
		const P = side === 1 ? buyPrice(price) : sellPrice(price);
		// Long: SL below, TP above; short mirrored.
		const sl = level(slSpec, P, side === 1 ? -1 : 1, atr);
		const tp = level(tpSpec, P, side === 1 ? 1 : -1, atr);
		const E = cash;
		if (!(E > 0)) return;
		const allIn = E / (P * (1 + f));
		let units: number;
		const sz = config.sizing;
		if (sz.mode === 'equity-fraction') units = (sz.fraction * E) / (P * (1 + f));
		else if (sz.mode === 'fixed-notional') units = Math.min(sz.amount, E) / (P * (1 + f));
		else {
			const dist = Math.abs(P - sl);
			units = dist > 0 && Number.isFinite(dist) ? Math.min((sz.fraction * E) / dist, allIn) : allIn;
		}
		if (!(units > 0) || !Number.isFinite(units)) return;
		const fee = units * P * f;
		if (side === 1) cash -= units * P + fee;
		else cash += units * P - fee;
		pos = { side, units, entryBar: t, entryPrice: P, entryFee: fee, sl, tp };
	};

	/** Intrabar stop-loss / take-profit check of the open position on bar t (SEMANTICS order). */
	const checkLevels = (t: number) => {
		const q = pos!;
		const { sl, tp } = q;
		const hasSl = !Number.isNaN(sl);
		const hasTp = !Number.isNaN(tp);
		if (!hasSl && !hasTp) return;
		const o = open[t];
		if (q.side === 1) {
			if (hasSl && o <= sl) closePosition(t, o, 'stop_loss');
			else if (hasSl && low[t] <= sl) {
				if (hasTp && high[t] >= tp) ambiguousBars++;
				closePosition(t, sl, 'stop_loss');
			} else if (hasTp && o >= tp) closePosition(t, o, 'take_profit');
			else if (hasTp && high[t] >= tp) closePosition(t, tp, 'take_profit');
		} else {
			if (hasSl && o >= sl) closePosition(t, o, 'stop_loss');
			else if (hasSl && high[t] >= sl) {
				if (hasTp && low[t] <= tp) ambiguousBars++;
				closePosition(t, sl, 'stop_loss');
			} else if (hasTp && o <= tp) closePosition(t, o, 'take_profit');
			else if (hasTp && low[t] <= tp) closePosition(t, tp, 'take_profit');
		}
	};

	/** Order at bar t's close from the position after this bar's SL/TP exits. */
	const decide = (t: number): OrderKind | null => {
		const side = pos ? pos.side : 0;
		const eL = sig.enterLong[t] === 1;
		const xL = sig.exitLong[t] === 1;
		const eS = sig.enterShort[t] === 1;
		const xS = sig.exitShort[t] === 1;
		if (!longShort) {
			if (side === 0 && eL) return 'open-long';
			if (side === 1 && xL) return 'close';
			return null;
		}
		if (side === 1) return eS ? 'reverse-to-short' : xL ? 'close' : null;
		if (side === -1) return eL ? 'reverse-to-long' : xS ? 'close' : null;
		return eL ? 'open-long' : eS ? 'open-short' : null;
	};

	for (let t = 0; t < n; t++) {
		// 1. Fill the pending order at open[t]: close first, then open.
		if (pending) {
			const { kind, atr } = pending;
			pending = null;
			if ((kind === 'close' || kind.startsWith('reverse')) && pos) closePosition(t, open[t], 'signal');
			if (kind === 'open-long' || kind === 'reverse-to-long') openPosition(t, 1, open[t], atr);
			else if (kind === 'open-short' || kind === 'reverse-to-short') openPosition(t, -1, open[t], atr);
		}
		// 2. Stop-loss / take-profit on this bar (including the entry bar).
		if (pos) checkLevels(t);
		// 3. Mark equity at the close.
		equity[t] = pos ? cash + pos.side * pos.units * close[t] : cash;
		// 4. Decide (signal bars 1 … N-2) or close out at the end of data.
		if (t < n - 1) {
			const kind = t >= 1 ? decide(t) : null;
			if (kind) pending = { kind, atr: levelAtr ? levelAtr[t] : NaN };
		} else if (pos) {
			closePosition(t, close[t], 'end_of_data');
			equity[t] = cash;
		}
	}
	return { trades, equity, ambiguousBars };
}
