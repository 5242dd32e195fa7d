/**
 * Edge cases of the reference portfolio engine (SEMANTICS.md "Portfolios") on real Binance 1h data: K larger than
 * the number of markets, many markets signalling on one bar with one slot free, cash exhausted, a max-drawdown trip on
 * the last bar, liquidations (on a gap and intrabar) with leverage 5-10, markets with different first/last bars and
 * holes, the portfolio of one against the single-market engine, look-ahead, and invalid configurations.
 */
import { describe, expect, it } from 'vitest';
import { DataError, ValidationError } from '../../../src/lib/core/errors';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { defaultPortfolioConfig } from '../../../src/lib/engine/portfolio-config';
import { referenceSignals, runReferenceBacktest, runReferencePortfolio } from '../../../src/lib/engine/reference';
import type { BacktestConfig, PortfolioConfig, PortfolioMarket, PortfolioSimulationOutput, PortfolioTrade } from '../../../src/lib/engine/types';
import { closeTo, loadKlinesCsv, sliceColumns } from '../helpers/fixtures';
import { holeAcrossTripScenario, loadPortfolioCase, portfolioCaseConfig, portfolioMarkets, portfolioWindow, withoutBars } from '../helpers/portfolio-fixtures';
import { PORTFOLIO_STRATEGY_IDS, randInt, randomConfig, randomPortfolioConfig, rng } from '../helpers/random-configs';

const base = defaultPortfolioConfig();

/** Markets cut to their first `n` bars (views). */
const cut = (ms: PortfolioMarket[], from: number, to: number) => ms.map((m) => ({ symbol: m.symbol, ohlcv: sliceColumns(m.ohlcv, from, to) }));

/** Union bar of each own bar of a market. */
function unionBars(out: PortfolioSimulationOutput, c: OhlcvColumns): Int32Array {
	const idx = new Map<number, number>();
	out.openTime.forEach((t, u) => idx.set(t, u));
	return Int32Array.from(c.openTime, (t) => idx.get(t)!);
}

/** Was market `sym` holding a position at the end of union bar u (after its level exits and close-outs)? */
const heldAtEnd = (trades: PortfolioTrade[], sym: string, u: number) => trades.some((t) => t.symbol === sym && t.entryBar <= u && t.exitBar > u);

describe('K and priority', () => {
	it('K larger than the number of markets never binds: K = 3 … 200 give the same run on three markets', () => {
		const ms = cut(portfolioMarkets().slice(0, 3), 0, 4000);
		const cfg = { ...base, sizing: { mode: 'fixed-notional', amount: 1000 } } as PortfolioConfig;
		const ref = runReferencePortfolio(ms, { ...cfg, maxPositions: 3 });
		expect(Math.max(...ref.openPositions)).toBe(3);
		for (const k of [4, 10, 200]) {
			const out = runReferencePortfolio(ms, { ...cfg, maxPositions: k });
			expect(out.trades).toEqual(ref.trades);
			expect(out.equity).toEqual(ref.equity);
		}
		// K = 2 binds: fewer trades, never more than 2 open.
		const k2 = runReferencePortfolio(ms, { ...cfg, maxPositions: 2 });
		expect(Math.max(...k2.openPositions)).toBe(2);
		expect(k2.trades.length).toBeLessThan(ref.trades.length);
	});

	it('identical markets signal on the same bars: the first K symbols take the slots, the others never trade', () => {
		const sol = sliceColumns(portfolioWindow('SOLUSDT'), 0, 3000);
		const ms = ['A', 'B', 'C', 'D'].map((s) => ({ symbol: `SOL-${s}`, ohlcv: sol }));
		for (const K of [1, 2, 3]) {
			const out = runReferencePortfolio(ms, { ...base, maxPositions: K, sizing: { mode: 'fixed-notional', amount: 1000 } });
			const bySym = (s: string) => out.trades.filter((t) => t.symbol === s);
			expect(bySym('SOL-A').length).toBeGreaterThan(20);
			for (let i = 0; i < 4; i++) {
				const mine = bySym(`SOL-${'ABCD'[i]}`);
				if (i < K) expect(mine.map((t) => [t.entryBar, t.exitBar, t.size])).toEqual(bySym('SOL-A').map((t) => [t.entryBar, t.exitBar, t.size]));
				else expect(mine).toEqual([]);
			}
			expect(Math.max(...out.openPositions)).toBe(K);
		}
	});

	it('five real markets, K = 2: at every bar the free slots go to the candidates in symbol order; the rest are dropped', () => {
		const ms = portfolioMarkets();
		const cfg: PortfolioConfig = { ...base, maxPositions: 2, sizing: { mode: 'fixed-notional', amount: 1000 } };
		const out = runReferencePortfolio(ms, cfg);
		const sig = ms.map((m) => referenceSignals(m.ohlcv, { ...cfg, sizing: { mode: 'equity-fraction', fraction: 1 } }));
		let contested = 0;
		let skippedFirst = 0;
		for (let u = 1; u < out.equity.length; u++) {
			const candidates = ms.map((m, i) => i).filter((i) => sig[i].enterLong[u - 1] === 1 && !heldAtEnd(out.trades, ms[i].symbol, u - 1));
			const openAfterExits = ms.filter((m) => heldAtEnd(out.trades, m.symbol, u - 1) && !out.trades.some((t) => t.symbol === m.symbol && t.exitBar === u && t.entryBar < u)).length;
			const free = Math.max(0, 2 - openAfterExits);
			const filled = ms.map((m, i) => i).filter((i) => out.trades.some((t) => t.symbol === ms[i].symbol && t.entryBar === u));
			expect(filled, `bar ${u}`).toEqual(candidates.slice(0, free));
			if (candidates.length >= 2 && free === 1) {
				contested++;
				if (candidates[0] !== 0) skippedFirst++;
			}
		}
		expect(contested).toBeGreaterThan(5);
		expect(skippedFirst).toBeGreaterThan(0);
	});
});

describe('cash', () => {
	it('fixed-notional 4,000 with K = 5: entries take min(4000, cash); with cash exhausted (<= 1e-6) entries are dropped, no dust positions', () => {
		const ms = portfolioMarkets();
		const cfg: PortfolioConfig = { ...base, maxPositions: 5, sizing: { mode: 'fixed-notional', amount: 4000 } };
		const out = runReferencePortfolio(ms, cfg);
		const sig = ms.map((m) => referenceSignals(m.ohlcv, { ...cfg, sizing: { mode: 'equity-fraction', fraction: 1 } }));
		const f = cfg.feeRate;
		let cash = cfg.initialCash;
		let capped = 0;
		let dropped = 0;
		const T = out.equity.length;
		for (let u = 1; u < T; u++) {
			// Exits at the open (long-only, no levels: every exit is a signal exit at the open, or the last bar's close-out).
			for (const t of out.trades) if (t.exitBar === u && t.exitReason === 'signal') cash += t.size * t.exitPrice - t.exitFee;
			for (const [i, m] of ms.entries()) {
				if (!(sig[i].enterLong[u - 1] === 1 && !heldAtEnd(out.trades, m.symbol, u - 1))) continue;
				const tr = out.trades.find((t) => t.symbol === m.symbol && t.entryBar === u);
				if (cash > 1e-6) {
					expect(tr, `bar ${u} ${m.symbol}: cash ${cash}`).toBeDefined();
					const spend = tr!.size * tr!.entryPrice + tr!.entryFee;
					expect(closeTo(spend, Math.min(4000, cash), 1e-9, 1e-9), `bar ${u} ${m.symbol}: spend ${spend}, cash ${cash}`).toBe(true);
					expect(closeTo(tr!.size, Math.min(4000, cash) / (tr!.entryPrice * (1 + f)), 1e-12)).toBe(true);
					if (cash < 4000) capped++;
					cash -= spend;
				} else {
					expect(tr, `bar ${u} ${m.symbol}: cash ${cash} must not open`).toBeUndefined();
					dropped++;
				}
			}
		}
		expect(capped).toBeGreaterThan(0);
		expect(dropped).toBeGreaterThan(0);
		expect(Math.min(...out.trades.map((t) => t.size * t.entryPrice))).toBeGreaterThan(1);
		expect(Math.max(...out.openPositions)).toBeLessThanOrEqual(5);
	});
});

describe('circuit breakers', () => {
	it('a max-drawdown trip on the last bar: event recorded, positions close at the last close (end_of_data), no release', () => {
		const full = runReferencePortfolio(portfolioMarkets(), portfolioCaseConfig('C1'));
		const trip = full.events[0];
		expect(trip.action).toBe('trip');
		const u = trip.bar; // 3037 in C1
		const out = runReferencePortfolio(cut(portfolioMarkets(), 0, u + 1), portfolioCaseConfig('C1'));
		expect(out.events).toEqual([trip]);
		expect(out.equity.subarray(0, u)).toEqual(full.equity.subarray(0, u));
		const before = full.trades.filter((t) => t.exitBar < u);
		expect(out.trades.slice(0, before.length)).toEqual(before);
		const last = out.trades.slice(before.length);
		expect(last.length).toBe(full.openPositions[u]);
		expect(last.length).toBeGreaterThan(0);
		for (const t of last) {
			expect(t.exitBar).toBe(u);
			expect(t.exitReason).toBe('end_of_data');
		}
		expect(out.openPositions[u]).toBe(0);
		expect(closeTo(out.equity[u], 10_000 + out.trades.reduce((a, t) => a + t.pnl, 0), 1e-12, 1e-9)).toBe(true);
		// The trip value is measured on the close-marked equity before the close-out.
		expect(trip.value).toBeGreaterThanOrEqual(0.1);
	});

	it('consecutive-losses: trips at the N-th loss in a row, reduces later entries by the factor, releases at the next win', () => {
		const ms = portfolioMarkets();
		const P1 = loadPortfolioCase('P1');
		const cfg: PortfolioConfig = { ...base, breakers: [{ kind: 'consecutive-losses', count: 3, action: 'reduce', factor: 0.5 }] };
		const out = runReferencePortfolio(ms, cfg);
		// Replay the counter over the trades in closing order.
		let streak = 0;
		let tripped = false;
		const expected: { bar: number; action: string; value: number }[] = [];
		for (const t of out.trades) {
			if (t.pnl < 0) {
				streak++;
				if (!tripped && streak === 3) {
					tripped = true;
					expected.push({ bar: t.exitBar, action: 'trip', value: 3 });
				}
			} else if (t.pnl > 0) {
				if (tripped) expected.push({ bar: t.exitBar, action: 'release', value: streak });
				tripped = false;
				streak = 0;
			}
		}
		expect(out.events.map((e) => ({ bar: e.bar, action: e.action, value: e.value }))).toEqual(expected);
		expect(expected.length).toBeGreaterThan(10);
		// Sizes: entries while tripped get half the fixed notional (cash permitting).
		let halved = 0;
		for (const t of out.trades) {
			const active = out.events.filter((e) => e.bar <= t.entryBar).at(-1); // no levels: a bar's events come from its exits at the open, before its entries
			const spend = t.size * t.entryPrice + t.entryFee;
			if (active?.action === 'trip' && spend < 1999) {
				expect(closeTo(spend, 1000, 1e-9)).toBe(true);
				halved++;
			}
		}
		expect(halved).toBeGreaterThan(10);
		// The run differs from P1 (which has no breaker) only after the first trip.
		const firstTrip = out.events[0].bar;
		for (let u = 0; u <= firstTrip; u++) expect(Math.abs(out.equity[u] - P1.equity[u])).toBeLessThan(1e-4);
	});
});

describe('a max-drawdown trip while an entry order waits in a hole of its market', () => {
	it('a trip cancels it even when the market\'s next bar comes after the cooldown (a trip clears the book)', () => {
		const sc = holeAcrossTripScenario(true);
		const out = runReferencePortfolio(sc.markets, sc.config);
		expect(out.events[0]).toMatchObject({ bar: sc.tripBar, action: 'trip' });
		expect(out.events[1]).toMatchObject({ bar: sc.tripBar + sc.cooldownBars, action: 'release' });
		expect(sc.signalBar).toBeLessThan(sc.tripBar);
		expect(sc.nextBar).toBeGreaterThan(sc.tripBar + sc.cooldownBars);
		const sol = out.trades.filter((t) => t.symbol === 'SOLUSDT');
		expect(sol.some((t) => t.entryBar === sc.nextBar)).toBe(false);
		// Without the trip the order would have filled there: the same market alone (no breaker) enters at nextBar.
		const alone = runReferencePortfolio([sc.markets[3]], { ...sc.config, breakers: [] });
		expect(alone.trades[0].entryTime).toBe(out.openTime[sc.nextBar]);
	});

	it('a trip cancels it when the market\'s next bar falls inside the cooldown', () => {
		const sc = holeAcrossTripScenario(false);
		const out = runReferencePortfolio(sc.markets, sc.config);
		expect(out.events[0]).toMatchObject({ bar: sc.tripBar, action: 'trip' });
		expect(sc.nextBar).toBeLessThanOrEqual(sc.tripBar + sc.cooldownBars);
		const sol = out.trades.filter((t) => t.symbol === 'SOLUSDT');
		expect(sol.some((t) => t.entryBar === sc.nextBar)).toBe(false);
		expect(sol.every((t) => t.entryBar > sc.tripBar + sc.cooldownBars)).toBe(true);
	});
});

describe('leverage and liquidation', () => {
	it('a bar opening beyond the liquidation price exits at the open (ETHUSDT 2017-08-22T00:00Z prints 144.21 after a 280 close, L = 5)', () => {
		const btc = loadKlinesCsv('klines/BTCUSDT-1h.csv');
		const eth = loadKlinesCsv('klines/ETHUSDT-1h.csv');
		const ms = [
			{ symbol: 'BTCUSDT', ohlcv: sliceColumns(btc, 0, 400) },
			{ symbol: 'ETHUSDT', ohlcv: sliceColumns(eth, 0, 400) }
		];
		const cfg: PortfolioConfig = { ...base, params: { fast: 14, slow: 29 }, leverage: 5, maxPositions: 2, slippageRate: 0.0005 };
		const out = runReferencePortfolio(ms, cfg);
		const liq = out.trades.filter((t) => t.exitReason === 'liquidation');
		expect(liq.length).toBe(1);
		const t = liq[0];
		expect(t.symbol).toBe('ETHUSDT');
		expect(t.exitBar).toBe(120);
		const o = eth.open[120];
		const xLiq = (t.entryPrice * (1 - 1 / 5)) / (1 - 0.005);
		// A gap, not a slide: the bar before stays well above x_liq, this one opens far below it.
		expect(t.entryBar).toBe(73);
		for (let b = 73; b < 120; b++) expect(eth.low[b]).toBeGreaterThan(xLiq);
		expect(eth.close[119]).toBeGreaterThan(xLiq * 1.2);
		expect(o).toBeLessThan(xLiq);
		expect(t.exitPrice).toBe(o * (1 - 0.0005));
		expect(t.exitFee).toBe(t.size * t.exitPrice * 0.001);
		// The loss exceeds the position's margin (1/L of its notional): the gap went past the liquidation price.
		expect(t.profitRatio).toBeLessThan(-1 / 5);
		// The first entry of the run took L × the fixed 2,000 as notional (fee included).
		const first = out.trades.reduce((a, b) => (b.entryBar < a.entryBar ? b : a));
		expect(closeTo(first.size * first.entryPrice * 1.001, 10_000, 1e-12)).toBe(true);
	});

	it('intrabar liquidation fills at x_liq = P (1 - 1/L) / (1 - mmr) (longs) and P (1 + 1/L) / (1 + mmr) (shorts), L = 5 … 10', () => {
		const markets = ['SOLUSDT', 'XRPUSDT', 'ETHUSDT'].map((s) => ({ symbol: s, ohlcv: portfolioWindow(s as 'SOLUSDT') }));
		const seen = { long: 0, short: 0 };
		for (const [L, period, direction, mmr] of [
			[5, 5, 'long', 0.005],
			[8, 10, 'long-short', 0.01],
			[10, 14, 'long-short', 0]
		] as const) {
			const cfg: PortfolioConfig = {
				...base,
				strategy: 'rsi-mean-reversion',
				params: { period, oversold: 30, overbought: 70, exitOnMid: false },
				direction,
				leverage: L,
				maintenanceMarginRatio: mmr,
				maxPositions: 3,
				sizing: { mode: 'equity-split' }
			};
			const out = runReferencePortfolio(markets, cfg);
			for (const t of out.trades.filter((x) => x.exitReason === 'liquidation')) {
				const c = markets.find((m) => m.symbol === t.symbol)!.ohlcv;
				const own = unionBars(out, c);
				const tb = own.indexOf(t.exitBar);
				const long = t.direction === 'long';
				const xLiq = long ? (t.entryPrice * (1 - 1 / L)) / (1 - mmr) : (t.entryPrice * (1 + 1 / L)) / (1 + mmr);
				if (long ? c.open[tb] > xLiq : c.open[tb] < xLiq) {
					expect(t.exitPrice).toBe(xLiq);
					expect(long ? c.low[tb] <= xLiq : c.high[tb] >= xLiq).toBe(true);
				} else expect(t.exitPrice).toBe(c.open[tb]);
				// Not reached on any earlier bar of the position.
				for (let b = own.indexOf(t.entryBar); b < tb; b++) expect(long ? c.low[b] > xLiq : c.high[b] < xLiq).toBe(true);
				// Marked equity at x_liq equals the maintenance margin.
				const margin = (t.size * t.entryPrice) / L + t.size * (long ? xLiq - t.entryPrice : t.entryPrice - xLiq);
				expect(closeTo(margin, mmr * t.size * xLiq, 1e-9, 1e-9)).toBe(true);
				seen[t.direction]++;
			}
		}
		expect(seen.long).toBeGreaterThan(3);
		expect(seen.short).toBeGreaterThan(0);
	});

	it('the adverse level nearer the entry wins: a 10 % stop-loss pre-empts liquidation at L = 5, a 30 % one does not; L = 1 never liquidates', () => {
		const ms = [{ symbol: 'SOLUSDT', ohlcv: portfolioWindow('SOLUSDT') }];
		const cfg: PortfolioConfig = {
			...base,
			strategy: 'rsi-mean-reversion',
			params: { period: 10, oversold: 30, overbought: 70, exitOnMid: false },
			leverage: 5,
			maxPositions: 1
		};
		const liq = runReferencePortfolio(ms, { ...cfg, stopLoss: { mode: 'fraction', value: 0.3 } });
		const tight = runReferencePortfolio(ms, { ...cfg, stopLoss: { mode: 'fraction', value: 0.1 } });
		expect(liq.trades.filter((t) => t.exitReason === 'liquidation').length).toBeGreaterThan(0);
		expect(liq.trades.filter((t) => t.exitReason === 'stop_loss').length).toBe(0);
		expect(tight.trades.filter((t) => t.exitReason === 'liquidation').length).toBe(0);
		expect(tight.trades.filter((t) => t.exitReason === 'stop_loss').length).toBeGreaterThan(0);
		const spot = runReferencePortfolio(ms, { ...cfg, leverage: 1, direction: 'long-short' });
		expect(spot.trades.filter((t) => t.exitReason === 'liquidation')).toEqual([]);
	});

	it('leverage L multiplies the notional of every sizing rule (cash goes negative for a long)', () => {
		const ms = [{ symbol: 'BTCUSDT', ohlcv: sliceColumns(portfolioWindow('BTCUSDT'), 0, 1500) }];
		const one = runReferencePortfolio(ms, { ...base, maxPositions: 1, sizing: { mode: 'equity-fraction', fraction: 1 } });
		const three = runReferencePortfolio(ms, { ...base, maxPositions: 1, leverage: 3, sizing: { mode: 'equity-fraction', fraction: 1 } });
		expect(closeTo(three.trades[0].size, 3 * one.trades[0].size, 1e-12)).toBe(true);
		expect(three.trades[0].entryBar).toBe(one.trades[0].entryBar);
		// The PnL of the first trade scales with L (fees included).
		expect(closeTo(three.trades[0].pnl, 3 * one.trades[0].pnl, 1e-9)).toBe(true);
	});
});

describe('markets with different first/last bars and holes', () => {
	// Real slices: BTC whole window, ETH from bar 500, BNB to bar 8000, SOL with holes, XRP from 200 to 8500 with holes.
	const r = rng(5150);
	const holes = (n: number, count: number) => {
		const s = new Set<number>([1000, 1001, 1002, 1003, 1004, 1005, 3000]);
		while (s.size < count) s.add(randInt(r, 1, n - 2));
		return s;
	};
	const w = (s: 'BTCUSDT') => portfolioWindow(s);
	const markets: PortfolioMarket[] = [
		{ symbol: 'BTCUSDT', ohlcv: w('BTCUSDT') },
		{ symbol: 'ETHUSDT', ohlcv: sliceColumns(w('ETHUSDT' as 'BTCUSDT'), 500, 8760) },
		{ symbol: 'BNBUSDT', ohlcv: sliceColumns(w('BNBUSDT' as 'BTCUSDT'), 0, 8000) },
		{ symbol: 'SOLUSDT', ohlcv: withoutBars(w('SOLUSDT' as 'BTCUSDT'), holes(8760, 80)) },
		{ symbol: 'XRPUSDT', ohlcv: withoutBars(sliceColumns(w('XRPUSDT' as 'BTCUSDT'), 200, 8500), holes(8300, 40)) }
	];

	it('with K and cash never binding, each market trades exactly as alone (bars mapped to the union), and equity adds up', () => {
		const single: BacktestConfig = {
			...base,
			direction: 'long-short',
			slippageRate: 0.0005,
			initialCash: 1_000_000,
			stopLoss: { mode: 'fraction', value: 0.03 },
			takeProfit: { mode: 'atr', value: 3 },
			sizing: { mode: 'fixed-notional', amount: 1000 }
		};
		const cfg: PortfolioConfig = { ...base, ...single, sizing: single.sizing, maxPositions: 5, leverage: 1 };
		const out = runReferencePortfolio(markets, cfg);
		expect(out.openTime.length).toBe(8760);
		let expectEquity = new Float64Array(out.equity.length).fill(cfg.initialCash);
		let ambiguous = 0;
		for (const [i, m] of markets.entries()) {
			const alone = runReferenceBacktest(m.ohlcv, single);
			ambiguous += alone.ambiguousBars;
			const own = unionBars(out, m.ohlcv);
			const mine = out.trades.filter((t) => t.symbol === m.symbol).map(({ symbol, ...t }) => t);
			expect(mine, m.symbol).toEqual(alone.trades.map((t) => ({ ...t, entryBar: own[t.entryBar], exitBar: own[t.exitBar] })));
			expect(out.attribution[i].bars).toBe(m.ohlcv.openTime.length);
			// Equity: before its first bar the market adds nothing; in a hole and after its last bar, its last value.
			let t = -1;
			for (let u = 0; u < out.equity.length; u++) {
				while (t + 1 < own.length && own[t + 1] <= u) t++;
				if (t >= 0) expectEquity[u] += alone.equity[t] - single.initialCash;
			}
			expect(mine.length).toBeGreaterThan(50);
		}
		let worst = 0;
		for (let u = 0; u < out.equity.length; u++) worst = Math.max(worst, Math.abs(out.equity[u] - expectEquity[u]));
		expect(worst).toBeLessThan(1e-6);
		expect(out.ambiguousBars).toBe(ambiguous);
		expectEquity = new Float64Array(0);
		// No fill and no exit of a market at a union bar where it has no bar.
		const ownSets = new Map(markets.map((m) => [m.symbol, new Set(unionBars(out, m.ohlcv))]));
		for (const t of out.trades) expect(ownSets.get(t.symbol)!.has(t.entryBar) && ownSets.get(t.symbol)!.has(t.exitBar)).toBe(true);
		// BNB ends early: its last position (if any) closes at its own last bar; ETH never trades before bar 500.
		const bnbLast = unionBars(out, markets[2].ohlcv)[7999];
		for (const t of out.trades.filter((x) => x.symbol === 'BNBUSDT')) expect(t.exitBar).toBeLessThanOrEqual(bnbLast);
		for (const t of out.trades.filter((x) => x.symbol === 'ETHUSDT')) expect(t.entryBar).toBeGreaterThanOrEqual(500);
	});

	it('trades are listed in closing order: bar, then exits at the open, levels, end of data, each in symbol order', () => {
		const out = runReferencePortfolio(markets, { ...base, direction: 'long-short', stopLoss: { mode: 'fraction', value: 0.02 }, takeProfit: { mode: 'fraction', value: 0.04 }, maxPositions: 3, sizing: { mode: 'equity-split' } });
		const phase = (t: PortfolioTrade) => (t.exitReason === 'signal' || t.exitReason === 'circuit_breaker' ? 0 : t.exitReason === 'end_of_data' ? 2 : 1);
		const idx = (t: PortfolioTrade) => markets.findIndex((m) => m.symbol === t.symbol);
		for (let i = 1; i < out.trades.length; i++) {
			const a = out.trades[i - 1];
			const b = out.trades[i];
			const ka = [a.exitBar, phase(a), idx(a)];
			const kb = [b.exitBar, phase(b), idx(b)];
			const less = ka[0] < kb[0] || (ka[0] === kb[0] && (ka[1] < kb[1] || (ka[1] === kb[1] && ka[2] < kb[2])));
			expect(less, `trades ${i - 1}, ${i}: ${ka} then ${kb}`).toBe(true);
		}
		expect(Math.max(...out.openPositions)).toBe(3);
		expect(out.openPositions[out.openPositions.length - 1]).toBe(0);
	});

	it('look-ahead: changing any market after union bar k changes nothing before k', () => {
		const rr = rng(77);
		const cfg: PortfolioConfig = {
			...base,
			direction: 'long-short',
			leverage: 4,
			sizing: { mode: 'equity-split' },
			stopLoss: { mode: 'atr', value: 2 },
			breakers: [
				{ kind: 'max-drawdown', threshold: 0.08, action: 'close-all', cooldownBars: 48 },
				{ kind: 'consecutive-losses', count: 2, action: 'reduce', factor: 0.5 }
			]
		};
		const a = runReferencePortfolio(markets, cfg);
		for (let trial = 0; trial < 4; trial++) {
			const m = randInt(rr, 0, markets.length - 1);
			const k = randInt(rr, 1000, 8000);
			const c = markets[m].ohlcv;
			const changed: OhlcvColumns = { ...c, open: c.open.slice(), high: c.high.slice(), low: c.low.slice(), close: c.close.slice(), volume: c.volume.slice() };
			const from = c.openTime.findIndex((t) => t >= a.openTime[k]);
			for (let t = from; t < c.openTime.length; t++) {
				const s = 0.7 + rr() * 0.6;
				changed.open[t] *= s;
				changed.high[t] *= s * 1.01;
				changed.low[t] *= s * 0.99;
				changed.close[t] *= s;
				changed.volume[t] *= 2;
			}
			const b = runReferencePortfolio(markets.map((x, i) => (i === m ? { ...x, ohlcv: changed } : x)), cfg);
			expect(b.equity.subarray(0, k)).toEqual(a.equity.subarray(0, k));
			expect(b.openPositions.subarray(0, k)).toEqual(a.openPositions.subarray(0, k));
			expect(b.trades.filter((t) => t.exitBar < k)).toEqual(a.trades.filter((t) => t.exitBar < k));
			expect(b.events.filter((e) => e.bar < k)).toEqual(a.events.filter((e) => e.bar < k));
			expect(b.equity).not.toEqual(a.equity);
		}
	});
});

describe('a single market is the portfolio of one', () => {
	it('equals runReferenceBacktest exactly (trades and equity) for 120 random configurations of every strategy', () => {
		const r = rng(0x5eed1);
		const symbols = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT'] as const;
		let trades = 0;
		for (let k = 0; k < 120; k++) {
			const id = PORTFOLIO_STRATEGY_IDS[k % PORTFOLIO_STRATEGY_IDS.length];
			const sym = symbols[randInt(r, 0, 4)];
			const all = portfolioWindow(sym);
			const from = randInt(r, 0, 6000);
			const c = sliceColumns(all, from, from + randInt(r, 300, 2700));
			const single = randomConfig(id, r);
			const cfg: PortfolioConfig = { ...single, maxPositions: randInt(r, 1, 3), leverage: 1, maintenanceMarginRatio: 0.005, breakers: [] };
			const a = runReferenceBacktest(c, single);
			const p = runReferencePortfolio([{ symbol: sym, ohlcv: c }], cfg);
			const ctx = `#${k} ${sym} ${from}: ${JSON.stringify(single)}`;
			expect(p.trades.map(({ symbol, ...t }) => t), ctx).toEqual(a.trades);
			expect(p.equity, ctx).toEqual(a.equity);
			expect(p.ambiguousBars, ctx).toBe(a.ambiguousBars);
			expect(p.openTime).toEqual(Float64Array.from(c.openTime));
			trades += a.trades.length;
		}
		expect(trades).toBeGreaterThan(120 * 5);
	});
});

describe('exchange rules and fee sides', () => {
	it('units on the LOT_SIZE grid, levels on the tick grid against the trader, small orders skipped, maker fee on take-profits', () => {
		const rules = { BTCUSDT: { stepSize: 0.001, tickSize: 10, minNotional: 0 }, ETHUSDT: { stepSize: 0.1, tickSize: 1, minNotional: 300 } };
		const ms = portfolioMarkets()
			.slice(0, 2)
			.map((m) => ({ ...m, ohlcv: sliceColumns(m.ohlcv, 0, 4000), rules: rules[m.symbol as 'BTCUSDT'] }));
		const cfg: PortfolioConfig = {
			...base,
			direction: 'long-short',
			sizing: { mode: 'fixed-notional', amount: 1000 },
			stopLoss: { mode: 'fraction', value: 0.013 },
			takeProfit: { mode: 'fraction', value: 0.021 },
			makerFeeRate: 0.0002,
			exchangeRules: true
		};
		const out = runReferencePortfolio(ms, cfg);
		const off = runReferencePortfolio(ms, { ...cfg, exchangeRules: false });
		expect(off.ordersAdjusted + off.ordersSkipped).toBe(0);
		expect(out.ordersAdjusted).toBeGreaterThan(50);
		const onGrid = (x: number, step: number) => Math.abs(x / step - Math.round(x / step)) < 1e-6;
		for (const t of out.trades) {
			const r = rules[t.symbol as 'BTCUSDT'];
			expect(onGrid(t.size, r.stepSize), `${t.symbol} size ${t.size}`).toBe(true);
			expect(t.size * t.entryPrice).toBeGreaterThanOrEqual(r.minNotional);
			const rate = t.exitReason === 'take_profit' ? 0.0002 : 0.001;
			expect(closeTo(t.exitFee, t.size * t.exitPrice * rate, 1e-12)).toBe(true);
			expect(closeTo(t.entryFee, t.size * t.entryPrice * 0.001, 1e-12)).toBe(true);
			// An intrabar stop-loss / take-profit fills at its level, on the tick grid, never better than the unrounded one.
			if (t.exitReason === 'stop_loss' || t.exitReason === 'take_profit') {
				const raw = t.entryPrice * (1 + (t.exitReason === 'stop_loss' ? -0.013 : 0.021) * (t.direction === 'long' ? 1 : -1));
				if (onGrid(t.exitPrice, r.tickSize)) {
					if (t.direction === 'long') expect(t.exitPrice).toBeLessThanOrEqual(raw + 1e-9);
					else expect(t.exitPrice).toBeGreaterThanOrEqual(raw - 1e-9);
				}
			}
		}
		// ETH: 1,000 USDT floored to 0.1 ETH steps stays above 300 USDT in this window; a 2,000 USDT minimum skips all.
		const strict = runReferencePortfolio(
			ms.map((m) => ({ ...m, rules: { ...m.rules, minNotional: 2000 } })),
			cfg
		);
		expect(strict.trades).toEqual([]);
		expect(strict.ordersSkipped).toBeGreaterThan(50);
		expect(strict.equity.every((e) => e === cfg.initialCash)).toBe(true);
	});
});

describe('invariants on random portfolios of real data', () => {
	it('one account (final equity = cash + all PnL), K respected, one position per market, bars and prices consistent', () => {
		const r = rng(2718);
		const all = portfolioMarkets();
		for (let k = 0; k < 30; k++) {
			const m = randInt(r, 2, 5);
			const from = randInt(r, 0, 6000);
			const ms = all.slice(0, m).map((x) => {
				const a = from + (r() < 0.5 ? 0 : randInt(r, 1, 300));
				const b = from + 2500 - (r() < 0.5 ? 0 : randInt(r, 1, 300));
				return { symbol: x.symbol, ohlcv: sliceColumns(x.ohlcv, a, b) };
			});
			const cfg = randomPortfolioConfig(PORTFOLIO_STRATEGY_IDS[k % PORTFOLIO_STRATEGY_IDS.length], r, m);
			const out = runReferencePortfolio(ms, cfg);
			const ctx = `#${k} ${JSON.stringify(cfg)}`;
			const T = out.equity.length;
			const pnl = out.trades.reduce((a, t) => a + t.pnl, 0);
			expect(closeTo(out.equity[T - 1], cfg.initialCash + pnl, 1e-9, 1e-6), ctx).toBe(true);
			expect(out.openPositions[T - 1], ctx).toBe(0);
			expect(Math.max(...out.openPositions), ctx).toBeLessThanOrEqual(cfg.maxPositions);
			for (const a of out.attribution) {
				const mine = out.trades.filter((t) => t.symbol === a.symbol);
				for (let i = 1; i < mine.length; i++) expect(mine[i].entryBar, ctx).toBeGreaterThanOrEqual(mine[i - 1].exitBar);
				expect(a.trades).toBe(mine.length);
				expect(closeTo(a.pnl, mine.reduce((x, t) => x + t.pnl, 0), 1e-12, 1e-9)).toBe(true);
			}
			// Positions held at the end of each bar, counted from the trades, equal openPositions.
			const held = new Float64Array(T);
			for (const t of out.trades) for (let u = t.entryBar; u < t.exitBar; u++) held[u]++;
			expect(held, ctx).toEqual(out.openPositions);
			for (const t of out.trades) {
				expect(t.entryBar, ctx).toBeLessThanOrEqual(t.exitBar);
				expect(t.size > 0 && Number.isFinite(t.size), ctx).toBe(true);
				expect(closeTo(t.entryFee, t.size * t.entryPrice * cfg.feeRate, 1e-12, 1e-15)).toBe(true);
				expect(closeTo(t.exitFee, t.size * t.exitPrice * cfg.feeRate, 1e-12, 1e-15)).toBe(true);
				const gross = t.direction === 'long' ? t.size * (t.exitPrice - t.entryPrice) : t.size * (t.entryPrice - t.exitPrice);
				expect(closeTo(t.pnl, gross - t.entryFee - t.exitFee, 1e-12, 1e-9)).toBe(true);
				if (cfg.leverage === 1) expect(t.exitReason).not.toBe('liquidation');
			}
			// Breaker events alternate trip / release per kind, starting with a trip.
			for (const kind of ['max-drawdown', 'consecutive-losses'] as const) {
				const ev = out.events.filter((e) => e.type === kind);
				ev.forEach((e, i) => expect(e.action, ctx).toBe(i % 2 === 0 ? 'trip' : 'release'));
				if (!cfg.breakers.some((b) => b.kind === kind)) expect(ev).toEqual([]);
			}
		}
	});
});

describe('invalid input', () => {
	const ms = cut(portfolioMarkets().slice(0, 2), 0, 200);
	it('K = 0 or negative, leverage out of range: ValidationError with the allowed range', () => {
		for (const k of [0, -1, -5]) expect(() => runReferencePortfolio(ms, { ...base, maxPositions: k })).toThrow(/Max positions \(K\) must be a whole number from 1 to 200/);
		for (const L of [0, 0.5, 10.5, 100]) expect(() => runReferencePortfolio(ms, { ...base, leverage: L })).toThrow(ValidationError);
		expect(() => runReferencePortfolio(ms, { ...base, leverage: 11 })).toThrow(/Leverage must be from 1 to 10/);
	});
	it('no markets, a repeated symbol, bad candles: clear errors', () => {
		expect(() => runReferencePortfolio([], base)).toThrow(/1 to 200 markets, got 0/);
		expect(() => runReferencePortfolio([ms[0], ms[0]], base)).toThrow(/given twice/);
		expect(() => runReferencePortfolio([{ ...ms[0], symbol: '' }], base)).toThrow(/has no symbol/);
		const bad = { ...ms[1].ohlcv, close: ms[1].ohlcv.close.slice() };
		bad.close[7] = NaN;
		const f = () => runReferencePortfolio([ms[0], { symbol: 'ETHUSDT', ohlcv: bad }], base);
		expect(f).toThrow(DataError);
		expect(f).toThrow(/^ETHUSDT: Bar 7/);
	});
});
