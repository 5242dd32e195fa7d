/**
 * The plain-TypeScript reference portfolio engine: a straightforward loop over the union of the markets' open times
 * that implements `src/lib/engine/SEMANTICS.md` "Portfolios" rule by rule (shared cash, K max positions with
 * symbol-order priority, fixed-notional / equity-split / equity-fraction / risk sizing, leverage and liquidation,
 * max-drawdown and consecutive-losses circuit breakers, the dust rule, end-of-data per market and at the last union
 * bar). It exists only so that golden and parity tests can check the WASM portfolio core; the app never runs it.
 * Clarity over speed: allocations in the loop are fine here.
 */
import { DataError, ValidationError } from '../../core/errors';
import { validatePortfolioConfig } from '../portfolio-config';
import { getStrategy } from '../strategies';
import type {
	BacktestConfig,
	BreakerEvent,
	ExchangeRules,
	ExitReason,
	LevelSpec,
	MarketAttribution,
	PortfolioConfig,
	PortfolioMarket,
	PortfolioSimulationOutput,
	PortfolioTrade
} from '../types';
import { referenceSignals, validateOhlcv, type ReferenceSignals } from './engine';
import { atrWilder } from './indicators';

/** Smallest cash an entry needs (SEMANTICS.md "Configuration", dust rule), quote currency. */
export const DUST_CASH = 1e-6;

type Side = 1 | -1;

interface Position {
	side: Side;
	units: number;
	/** Union bar of the entry fill. */
	entryBar: number;
	/** Entry fill price (slippage included). */
	entryPrice: number;
	entryFee: number;
	/** Stop-loss level, NaN when not set. */
	sl: number;
	/** Take-profit level, NaN when not set. */
	tp: number;
	/** Liquidation price, NaN when the position cannot be liquidated (L = 1). */
	xLiq: number;
}

/** A market's orders waiting for its next own bar's open. */
interface Pending {
	/** Exit order and its reason, or null. */
	exit: ExitReason | null;
	/** Entry order side, or 0. */
	entry: 0 | Side;
	/** Level ATR at the signal bar (NaN when undefined or not needed). */
	atr: number;
}

/** Output of the reference portfolio engine: the simulation plus the exchange-rule counters. */
export interface ReferencePortfolioOutput extends PortfolioSimulationOutput {
	/** Entries whose quantity or stop-loss / take-profit price the exchange rules changed (0 without `exchangeRules`). */
	ordersAdjusted: number;
	/** Entries skipped by the exchange rules (quantity floored to 0 or notional under the minimum). */
	ordersSkipped: number;
}

/** Per-market data and state of a run. */
interface MarketState {
	symbol: string;
	/** Exchange rules in force (all 0 = none: `exchangeRules` off or the market has none). */
	rules: ExchangeRules;
	open: Float64Array;
	high: Float64Array;
	low: Float64Array;
	close: Float64Array;
	/** Own bar at each union bar, -1 when the market has no bar there. */
	own: Int32Array;
	/** Own bar count. */
	n: number;
	sig: ReferenceSignals;
	/** Level ATR on the market's own bars (null when no level uses ATR). */
	levelAtr: Float64Array | null;
	pos: Position | null;
	pending: Pending;
	/** Last close seen (NaN before the first bar). */
	lastClose: number;
	exposedBars: number;
	attribution: MarketAttribution;
}

/**
 * Union of the markets' open times, ascending, without duplicates.
 * @returns Float64Array of open times (ms UTC).
 */
export function unionOpenTimes(markets: PortfolioMarket[]): Float64Array {
	const all = new Set<number>();
	for (const m of markets) for (const t of m.ohlcv.openTime) all.add(t);
	return Float64Array.from([...all].sort((a, b) => a - b));
}

/**
 * Run a portfolio backtest with the reference engine (SEMANTICS.md "Portfolios").
 *
 * Bar `u` of the union of open times: (1) fills at each market's own open, exits (symbol order) then entries
 * (symbol order, while fewer than K positions are open, entries are not blocked by a max-drawdown cooldown, cash >
 * 1e-6 and the sizing rule gives finite units > 0, units × the consecutive-losses factor in force); (2) stop-loss /
 * liquidation / take-profit per open position with a bar at `u`; (3) equity marked at the closes (last close for
 * markets without a bar); (4) circuit breakers; (5) signals at each market's close → orders for its next own bar,
 * end-of-data close-outs at a market's own last bar and at the last union bar, equity re-marked.
 *
 * `openPositions[u]` counts the positions open at the end of bar `u` (after its fills, level exits and end-of-data
 * close-outs: 0 at the last bar), as in the reference fixtures (`tests/fixtures/reference/portfolio/*.equity.csv`).
 * @param markets - 1 … 200 markets of one interval, in priority (symbol) order; each with its own candles
 *   (finite, strictly ascending open times; timelines may differ and have holes).
 * @param config - portfolio configuration (validated by {@link validatePortfolioConfig}).
 * @returns trades in closing order with their symbol (bars are union bars), equity and open positions per union bar,
 *   breaker events, per-market attribution, the ambiguous-bar count, the symbols and the union open times.
 * @throws ValidationError for an invalid configuration, a missing or repeated symbol.
 * @throws DataError for unusable candles (the message names the market and the bar).
 */
export function runReferencePortfolio(markets: PortfolioMarket[], config: PortfolioConfig): ReferencePortfolioOutput {
	if (!Array.isArray(markets)) throw new ValidationError('markets must be a list of { symbol, ohlcv }');
	const paramValues = validatePortfolioConfig(config, markets.length);
	const seen = new Set<string>();
	for (const [i, m] of markets.entries()) {
		if (!m || typeof m.symbol !== 'string' || m.symbol.trim() === '')
			throw new ValidationError(`Market ${i + 1} has no symbol: give every market a symbol such as BTCUSDT`);
		if (seen.has(m.symbol)) throw new ValidationError(`Market ${m.symbol} is given twice: list each market once`);
		seen.add(m.symbol);
		const r = m.rules;
		if (r !== undefined && ![r.stepSize, r.tickSize, r.minNotional].every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0))
			throw new ValidationError(`${m.symbol}: exchange rules must be finite numbers >= 0 (0 = no rule), got ${JSON.stringify(r)}`);
		try {
			validateOhlcv(m.ohlcv);
		} catch (e) {
			if (e instanceof DataError) throw new DataError(`${m.symbol}: ${e.message}`, { cause: e });
			throw e;
		}
	}

	const def = getStrategy(config.strategy);
	const p = Object.fromEntries(def.params.map((d, i) => [d.name, paramValues[i]])) as Record<string, number>;
	/** Taker fee: market fills (entries, signal / breaker exits), stop-loss, liquidation, end of data; and sizing's (1+f). */
	const f = config.feeRate;
	/** Maker fee: limit fills, i.e. the take-profit (SEMANTICS.md "Exchange rules and fee sides"). */
	const fMaker = config.makerFeeRate ?? config.feeRate;
	const NO_RULES: ExchangeRules = { stepSize: 0, tickSize: 0, minNotional: 0 };
	const s = config.slippageRate;
	const L = config.leverage;
	const mmr = config.maintenanceMarginRatio;
	const K = config.maxPositions;
	const longShort = config.direction === 'long-short';
	// The single-market view of the config, for the per-market signals (sizing plays no part there).
	const signalConfig: BacktestConfig = { ...config, sizing: { mode: 'equity-fraction', fraction: 1 } };

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

	// Alignment on the union of open times.
	const openTime = unionOpenTimes(markets);
	const T = openTime.length;
	const unionIndex = new Map<number, number>();
	openTime.forEach((t, u) => unionIndex.set(t, u));

	const ms: MarketState[] = markets.map((m) => {
		const o = m.ohlcv;
		const own = new Int32Array(T).fill(-1);
		for (let t = 0; t < o.openTime.length; t++) own[unionIndex.get(o.openTime[t])!] = t;
		return {
			symbol: m.symbol,
			rules: config.exchangeRules && m.rules ? m.rules : NO_RULES,
			open: o.open,
			high: o.high,
			low: o.low,
			close: o.close,
			own,
			n: o.openTime.length,
			sig: referenceSignals(o, signalConfig),
			levelAtr: needsAtr ? atrWilder(o.high, o.low, o.close, levelAtrPeriod) : null,
			pos: null,
			pending: { exit: null, entry: 0, atr: NaN },
			lastClose: NaN,
			exposedBars: 0,
			attribution: {
				symbol: m.symbol,
				pnl: 0,
				trades: 0,
				wins: 0,
				winRate: NaN,
				fees: 0,
				exposureRatio: 0,
				bars: o.openTime.length
			}
		};
	});

	const trades: PortfolioTrade[] = [];
	const events: BreakerEvent[] = [];
	const equity = new Float64Array(T);
	const openPositions = new Float64Array(T);
	let ambiguousBars = 0;
	let ordersAdjusted = 0;
	let ordersSkipped = 0;
	let cash = config.initialCash;

	// Circuit breakers (at most one of each kind, validated).
	const mdd = config.breakers.find((b) => b.kind === 'max-drawdown');
	const cl = config.breakers.find((b) => b.kind === 'consecutive-losses');
	let mddArmed = true;
	let mddPeak = config.initialCash;
	/** Union bar at which the max-drawdown breaker releases (-1 while armed). */
	let mddReleaseBar = -1;
	/** Entries filling at bars <= this are blocked (cooldown of the last trip). */
	let mddBlockedThrough = -1;
	let lossStreak = 0;
	let clTripped = false;
	let sizeFactor = 1;

	const buyPrice = (price: number) => price * (1 + s);
	const sellPrice = (price: number) => price * (1 - s);
	const openCount = () => ms.reduce((c, m) => c + (m.pos ? 1 : 0), 0);

	/** Consecutive-losses bookkeeping for a closed trade at union bar u. */
	const onTradeClosed = (pnl: number, u: number) => {
		if (!cl || cl.kind !== 'consecutive-losses') return;
		if (pnl < 0) {
			lossStreak++;
			if (!clTripped && lossStreak === cl.count) {
				clTripped = true;
				sizeFactor = cl.factor;
				events.push({ bar: u, time: openTime[u], type: 'consecutive-losses', action: 'trip', value: cl.count });
			}
		} else if (pnl > 0) {
			if (clTripped) {
				events.push({ bar: u, time: openTime[u], type: 'consecutive-losses', action: 'release', value: lossStreak });
				clTripped = false;
				sizeFactor = 1;
			}
			lossStreak = 0;
		}
	};

	/** Close market m's position at raw price `price` (slippage applied here) on union bar u. */
	const closePosition = (m: MarketState, u: number, price: number, reason: ExitReason) => {
		const q = m.pos!;
		const x = q.side === 1 ? sellPrice(price) : buyPrice(price);
		const exitFee = q.units * x * (reason === 'take_profit' ? fMaker : f);
		if (q.side === 1) cash += q.units * x - exitFee;
		else cash -= q.units * x + exitFee;
		const gross = q.side === 1 ? q.units * (x - q.entryPrice) : q.units * (q.entryPrice - x);
		const pnl = gross - q.entryFee - exitFee;
		trades.push({
			symbol: m.symbol,
			direction: q.side === 1 ? 'long' : 'short',
			entryBar: q.entryBar,
			exitBar: u,
			entryTime: openTime[q.entryBar],
			exitTime: openTime[u],
			entryPrice: q.entryPrice,
			exitPrice: x,
			size: q.units,
			entryFee: q.entryFee,
			exitFee,
			pnl,
			profitRatio: pnl / (q.units * q.entryPrice),
			exitReason: reason
		});
		const a = m.attribution;
		a.pnl += pnl;
		a.trades++;
		if (pnl > 0) a.wins++;
		a.fees += q.entryFee + exitFee;
		m.pos = null;
		onTradeClosed(pnl, u);
	};

	/** Level from a spec at entry fill price P: `sign` +1 above the entry, -1 below. NaN when not set. */
	const level = (spec: LevelSpec, P: number, sign: 1 | -1, atr: number): number => {
		if (spec.mode === 'fraction') return P * (1 + sign * spec.value);
		if (spec.mode === 'atr') return Number.isNaN(atr) ? NaN : P + sign * (spec.value * atr);
		return NaN;
	};

	/**
	 * Try to open a position of `side` for market m at raw price `price` on union bar u (SEMANTICS.md sizing).
	 * @param eOpen - portfolio equity at this bar's opens after its exits.
	 */
	const openPosition = (m: MarketState, u: number, side: Side, price: number, atr: number, eOpen: number) => {
		if (!(cash > DUST_CASH)) return;
		const P = side === 1 ? buyPrice(price) : sellPrice(price);
		let sl = level(slSpec, P, side === 1 ? -1 : 1, atr);
		let tp = level(tpSpec, P, side === 1 ? 1 : -1, atr);
		const sz = config.sizing;
		let units: number;
		switch (sz.mode) {
			case 'fixed-notional':
				units = (L * Math.min(sz.amount, cash)) / (P * (1 + f));
				break;
			case 'equity-split':
				units = (L * Math.min(eOpen / K, cash)) / (P * (1 + f));
				break;
			case 'equity-fraction':
				units = (L * Math.min(sz.fraction * eOpen, cash)) / (P * (1 + f));
				break;
			case 'risk': {
				const cap = (L * cash) / (P * (1 + f));
				const dist = Math.abs(P - sl);
				units = dist > 0 && Number.isFinite(dist) ? Math.min((sz.fraction * eOpen) / dist, cap) : cap;
				break;
			}
		}
		units *= sizeFactor;
		if (!(units > 0) || !Number.isFinite(units)) return;
		// Exchange rules (SEMANTICS.md "Exchange rules and fee sides"): LOT_SIZE floor, MIN_NOTIONAL skip, levels to
		// PRICE_FILTER against the trader (risk sizing above used the unrounded stop).
		const { stepSize, tickSize, minNotional } = m.rules;
		let adjusted = false;
		if (stepSize > 0) {
			const floored = Math.floor(units / stepSize + 1e-9) * stepSize;
			adjusted ||= floored !== units;
			units = floored;
		}
		if (stepSize > 0 || minNotional > 0) {
			if (!(units > 0) || units * P < minNotional) {
				ordersSkipped++;
				return;
			}
		}
		if (tickSize > 0) {
			// Against the trader: a long's levels down, a short's up (binary residue of 1e-9 tick absorbed, as for units).
			const toTick = (x: number) => (side === 1 ? Math.floor(x / tickSize + 1e-9) : Math.ceil(x / tickSize - 1e-9)) * tickSize;
			if (!Number.isNaN(sl)) {
				const r = toTick(sl);
				adjusted ||= r !== sl;
				sl = r;
			}
			if (!Number.isNaN(tp)) {
				const r = toTick(tp);
				adjusted ||= r !== tp;
				tp = r;
			}
		}
		if (adjusted) ordersAdjusted++;
		const fee = units * P * f;
		if (side === 1) cash -= units * P + fee;
		else cash += units * P - fee;
		const xLiq = L > 1 ? (side === 1 ? (P * (1 - 1 / L)) / (1 - mmr) : (P * (1 + 1 / L)) / (1 + mmr)) : NaN;
		m.pos = { side, units, entryBar: u, entryPrice: P, entryFee: fee, sl, tp, xLiq };
	};

	/** Stop-loss / liquidation / take-profit of market m's position on its own bar t (union bar u). */
	const checkLevels = (m: MarketState, u: number, t: number) => {
		const q = m.pos!;
		const { sl, tp, xLiq } = q;
		// The adverse level nearer the entry fills; a tie is a stop-loss.
		let adv = NaN;
		let advReason: ExitReason = 'stop_loss';
		if (!Number.isNaN(sl) && !Number.isNaN(xLiq)) {
			const slNearer = q.side === 1 ? sl >= xLiq : sl <= xLiq;
			adv = slNearer ? sl : xLiq;
			advReason = slNearer ? 'stop_loss' : 'liquidation';
		} else if (!Number.isNaN(sl)) adv = sl;
		else if (!Number.isNaN(xLiq)) {
			adv = xLiq;
			advReason = 'liquidation';
		}
		const hasAdv = !Number.isNaN(adv);
		const hasTp = !Number.isNaN(tp);
		if (!hasAdv && !hasTp) return;
		const o = m.open[t];
		const hi = m.high[t];
		const lo = m.low[t];
		if (q.side === 1) {
			if (hasAdv && o <= adv) closePosition(m, u, o, advReason);
			else if (hasAdv && lo <= adv) {
				if (hasTp && hi >= tp) ambiguousBars++;
				closePosition(m, u, adv, advReason);
			} else if (hasTp && o >= tp) closePosition(m, u, o, 'take_profit');
			else if (hasTp && hi >= tp) closePosition(m, u, tp, 'take_profit');
		} else {
			if (hasAdv && o >= adv) closePosition(m, u, o, advReason);
			else if (hasAdv && hi >= adv) {
				if (hasTp && lo <= tp) ambiguousBars++;
				closePosition(m, u, adv, advReason);
			} else if (hasTp && o <= tp) closePosition(m, u, o, 'take_profit');
			else if (hasTp && lo <= tp) closePosition(m, u, tp, 'take_profit');
		}
	};

	/** Portfolio equity: cash + Σ signedUnits × price (price(m): the market's price for this mark). */
	const markWith = (price: (m: MarketState) => number) => {
		let e = cash;
		for (const m of ms) if (m.pos) e += m.pos.side * m.pos.units * price(m);
		return e;
	};

	/** Orders at market m's own bar t close (position after this bar's level exits). */
	const decide = (m: MarketState, t: number, entriesAllowed: boolean) => {
		const side = m.pos ? m.pos.side : 0;
		const eL = m.sig.enterLong[t] === 1;
		const xL = m.sig.exitLong[t] === 1;
		const eS = m.sig.enterShort[t] === 1;
		const xS = m.sig.exitShort[t] === 1;
		let exit = false;
		let entry: 0 | Side = 0;
		if (!longShort) {
			if (side === 0 && eL) entry = 1;
			else if (side === 1 && xL) exit = true;
		} else if (side === 1) {
			if (eS) {
				exit = true;
				entry = -1;
			} else if (xL) exit = true;
		} else if (side === -1) {
			if (eL) {
				exit = true;
				entry = 1;
			} else if (xS) exit = true;
		} else if (eL) entry = 1;
		else if (eS) entry = -1;
		if (!entriesAllowed) entry = 0;
		m.pending = { exit: exit ? 'signal' : null, entry, atr: m.levelAtr && entry !== 0 ? m.levelAtr[t] : NaN };
	};

	for (let u = 0; u < T; u++) {
		const heldAtStart = ms.map((m) => m.pos !== null);
		// 1. Fills at the open: exits (symbol order), then entries (symbol order).
		for (const m of ms) {
			const t = m.own[u];
			if (t < 0 || !m.pending.exit) continue;
			const reason = m.pending.exit;
			m.pending.exit = null;
			if (m.pos) closePosition(m, u, m.open[t], reason);
		}
		const eOpen = markWith((m) => (m.own[u] >= 0 ? m.open[m.own[u]] : m.lastClose));
		for (const m of ms) {
			const t = m.own[u];
			if (t < 0 || m.pending.entry === 0) continue;
			const side = m.pending.entry;
			const atr = m.pending.atr;
			m.pending.entry = 0;
			m.pending.atr = NaN;
			if (m.pos) continue; // cannot happen (an entry is only ordered for a market that will be flat)
			if (openCount() >= K) continue;
			if (u <= mddBlockedThrough) continue;
			openPosition(m, u, side, m.open[t], atr, eOpen);
		}
		ms.forEach((m, i) => {
			if (m.own[u] >= 0 && (heldAtStart[i] || m.pos)) m.exposedBars++;
		});
		// 2. Levels: stop-loss / liquidation / take-profit, symbol order.
		for (const m of ms) {
			const t = m.own[u];
			if (t >= 0 && m.pos) checkLevels(m, u, t);
		}
		// 3. Mark at the closes (last close for markets without a bar at u).
		for (const m of ms) if (m.own[u] >= 0) m.lastClose = m.close[m.own[u]];
		equity[u] = markWith((m) => m.lastClose);
		// 4. Circuit breakers.
		let entriesAllowed = true;
		if (mdd && mdd.kind === 'max-drawdown') {
			if (!mddArmed && u === mddReleaseBar) {
				mddArmed = true;
				events.push({ bar: u, time: openTime[u], type: 'max-drawdown', action: 'release', value: equity[u] });
				mddPeak = equity[u];
			}
			if (mddArmed) {
				mddPeak = Math.max(mddPeak, equity[u]);
				const dd = 1 - equity[u] / mddPeak;
				if (dd >= mdd.threshold) {
					events.push({ bar: u, time: openTime[u], type: 'max-drawdown', action: 'trip', value: dd });
					mddArmed = false;
					mddReleaseBar = u + mdd.cooldownBars;
					mddBlockedThrough = u + mdd.cooldownBars;
					// Close everything at the next open; cancel every pending entry order (also one waiting for its
					// market's next bar in a hole of its timeline: a trip clears the book).
					for (const m of ms) {
						m.pending.entry = 0;
						m.pending.atr = NaN;
						if (m.pos) m.pending.exit = 'circuit_breaker';
					}
				}
			}
			entriesAllowed = mddArmed;
		}
		// 5. Signals at the close, end-of-data close-outs.
		let closedOut = false;
		for (const m of ms) {
			const t = m.own[u];
			const ownLast = t === m.n - 1;
			if (u === T - 1 || ownLast) {
				// End of data: the market's own last bar, or the last union bar (every market with a position has its
				// last bar there, since it would have closed out at an earlier own last bar). Orders left are void.
				if (m.pos) {
					closePosition(m, u, t >= 0 ? m.close[t] : m.lastClose, 'end_of_data');
					closedOut = true;
				}
				m.pending = { exit: null, entry: 0, atr: NaN };
				continue;
			}
			if (t < 0) continue;
			if (m.pending.exit === 'circuit_breaker') continue; // a trip at this bar replaces its signals
			decide(m, t, entriesAllowed);
		}
		if (closedOut) equity[u] = markWith((m) => m.lastClose);
		openPositions[u] = openCount();
	}

	const attribution = ms.map((m) => {
		const a = m.attribution;
		a.winRate = a.trades > 0 ? a.wins / a.trades : NaN;
		a.exposureRatio = m.n > 0 ? m.exposedBars / m.n : 0;
		return a;
	});
	return {
		symbols: markets.map((m) => m.symbol),
		openTime,
		trades,
		equity,
		openPositions,
		events,
		attribution,
		ambiguousBars,
		ordersAdjusted,
		ordersSkipped
	};
}
