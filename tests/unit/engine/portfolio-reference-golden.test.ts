/**
 * The reference portfolio engine reproduces the visible PORTFOLIO.md cases (backtrader peer, cross-checked by a
 * plain-Python implementation) on the five real 1h markets cut to the P/C window (8,760 bars each):
 * P1 (fixed-notional 2,000, K 3) and C1 (equity-split, K 3, max-drawdown:0.10:close-all:168).
 * Trade lists exact in structure, prices to 1e-12 relative, sizes / PnL / fees to the SCENARIOS.md gate
 * (1e-7 relative or 1e-4 USDT), equity at every bar within 1e-4 USDT, open positions per bar exact, events exact.
 */
import { describe, expect, it } from 'vitest';
import { isoUtc } from '../../../src/lib/core/timeframe';
import { runReferencePortfolio } from '../../../src/lib/engine/reference';
import type { PortfolioSimulationOutput } from '../../../src/lib/engine/types';
import { closeTo, maxDrawdownRatio } from '../helpers/fixtures';
import {
	PORTFOLIO_SYMBOLS,
	PORTFOLIO_WINDOW,
	loadPortfolioCase,
	portfolioCaseConfig,
	portfolioMarkets,
	type PortfolioCaseId
} from '../helpers/portfolio-fixtures';

const REL = 1e-7;
const ABS = 1e-4; // USDT
const PRICE_REL = 1e-12;

for (const id of ['P1', 'C1'] as PortfolioCaseId[]) {
	describe(`portfolio reference case ${id}`, () => {
		let cached: { out: PortfolioSimulationOutput; ref: ReturnType<typeof loadPortfolioCase> } | null = null;
		const run = () => (cached ??= { out: runReferencePortfolio(portfolioMarkets(), portfolioCaseConfig(id)), ref: loadPortfolioCase(id) });

		it('uses the case configuration of the fixture', () => {
			const { ref } = run();
			const cfg = portfolioCaseConfig(id);
			expect(ref.config.max_positions).toBe(cfg.maxPositions);
			expect(ref.config.fee).toBe(cfg.feeRate);
			expect(ref.config.initial_cash).toBe(cfg.initialCash);
			expect(ref.config.sizing).toBe(cfg.sizing.mode === 'fixed-notional' ? `fixed-notional:${cfg.sizing.amount}` : cfg.sizing.mode);
			expect(ref.config.breakers.length).toBe(cfg.breakers.length);
		});

		it('aligns the five markets on one 8,760-bar timeline', () => {
			const { out } = run();
			expect(out.symbols).toEqual([...PORTFOLIO_SYMBOLS]);
			expect(out.openTime.length).toBe(PORTFOLIO_WINDOW.bars);
			expect(out.openTime[0]).toBe(PORTFOLIO_WINDOW.firstOpenTime);
			expect(out.openTime[out.openTime.length - 1]).toBe(PORTFOLIO_WINDOW.lastOpenTime);
		});

		it('produces the identical trade list: symbol, direction, bars, reasons exact; prices, sizes, fees, PnL to tolerance', () => {
			const { out, ref } = run();
			expect(out.trades.length).toBe(ref.trades.length);
			expect(out.trades.length).toBe(ref.summary.n_trades);
			out.trades.forEach((t, i) => {
				const r = ref.trades[i];
				const where = `trade ${i} (${r.symbol} entry bar ${r.entry_bar})`;
				expect([t.symbol, t.direction, t.entryBar, t.exitBar, t.exitReason], where).toEqual([
					r.symbol,
					r.direction,
					r.entry_bar,
					r.exit_bar,
					r.exit_reason
				]);
				expect(isoUtc(t.entryTime), where).toBe(r.entry_time);
				expect(isoUtc(t.exitTime), where).toBe(r.exit_time);
				expect(closeTo(t.entryPrice, r.entry_price, PRICE_REL), `${where} entry ${t.entryPrice} vs ${r.entry_price}`).toBe(true);
				expect(closeTo(t.exitPrice, r.exit_price, PRICE_REL), `${where} exit ${t.exitPrice} vs ${r.exit_price}`).toBe(true);
				expect(closeTo(t.size, r.size, REL, 1e-12), `${where} size ${t.size} vs ${r.size}`).toBe(true);
				expect(closeTo(t.entryFee, r.entry_fee, REL, ABS), `${where} entry fee`).toBe(true);
				expect(closeTo(t.exitFee, r.exit_fee, REL, ABS), `${where} exit fee`).toBe(true);
				expect(closeTo(t.pnl, r.pnl, REL, ABS), `${where} pnl ${t.pnl} vs ${r.pnl}`).toBe(true);
				expect(t.profitRatio).toBeCloseTo(t.pnl / (t.size * t.entryPrice), 12);
			});
		});

		it('matches the equity at every bar within 1e-4 USDT', () => {
			const { out, ref } = run();
			expect(out.equity.length).toBe(ref.equity.length);
			let bad = -1;
			for (let u = 0; u < out.equity.length && bad < 0; u++) if (!(Math.abs(out.equity[u] - ref.equity[u]) <= ABS)) bad = u;
			expect(bad, bad >= 0 ? `bar ${bad}: ${out.equity[bad]} vs ${ref.equity[bad]}` : '').toBe(-1);
		});

		it('matches the open-positions count at every bar exactly (0 after the final close-out)', () => {
			const { out, ref } = run();
			let bad = -1;
			for (let u = 0; u < out.openPositions.length && bad < 0; u++) if (out.openPositions[u] !== ref.openPositions[u]) bad = u;
			expect(bad, bad >= 0 ? `bar ${bad}: ${out.openPositions[bad]} vs ${ref.openPositions[bad]}` : '').toBe(-1);
			expect(Math.max(...out.openPositions)).toBe(3);
		});

		it('matches the breaker events exactly (bar, time, type, action; value to 1e-8 relative)', () => {
			const { out, ref } = run();
			expect(out.events.length).toBe(ref.events.length);
			expect(out.events.length).toBe(ref.summary.n_events);
			out.events.forEach((e, i) => {
				const r = ref.events[i];
				expect([e.bar, isoUtc(e.time), e.type, e.action], `event ${i}`).toEqual([r.bar, r.time, r.type, r.action]);
				expect(closeTo(e.value, r.value, 1e-8), `event ${i} value ${e.value} vs ${r.value}`).toBe(true);
			});
		});

		it('matches the summary: final equity, max drawdown, wins, fees, exits by reason, per-market PnL and trades', () => {
			const { out, ref } = run();
			const S = ref.summary;
			expect(closeTo(out.equity[out.equity.length - 1], S.final_equity, REL, ABS)).toBe(true);
			expect(closeTo(maxDrawdownRatio(out.equity, S.initial_cash) * 100, S.max_drawdown_pct, REL)).toBe(true);
			expect(out.trades.filter((t) => t.pnl > 0).length).toBe(S.n_wins);
			const fees = out.trades.reduce((a, t) => a + t.entryFee + t.exitFee, 0);
			expect(closeTo(fees, S.total_fees, REL, ABS)).toBe(true);
			const pnl = out.trades.reduce((a, t) => a + t.pnl, 0);
			expect(closeTo(pnl, S.sum_trade_pnl, REL, ABS)).toBe(true);
			// One account: the PnL of all trades is the change of equity.
			expect(closeTo(pnl, out.equity[out.equity.length - 1] - S.initial_cash, 1e-9, 1e-6)).toBe(true);
			for (const [reason, count] of Object.entries(S.exits_by_reason))
				expect(out.trades.filter((t) => t.exitReason === reason).length, reason).toBe(count);
			for (const a of out.attribution) {
				expect(a.trades, a.symbol).toBe(S.per_symbol_trades[a.symbol]);
				expect(closeTo(a.pnl, S.per_symbol_pnl[a.symbol], REL, ABS), `${a.symbol} pnl ${a.pnl}`).toBe(true);
				const mine = out.trades.filter((t) => t.symbol === a.symbol);
				expect(a.wins).toBe(mine.filter((t) => t.pnl > 0).length);
				expect(a.winRate).toBe(a.wins / a.trades);
				expect(closeTo(a.fees, mine.reduce((x, t) => x + t.entryFee + t.exitFee, 0), 1e-12)).toBe(true);
				expect(a.bars).toBe(PORTFOLIO_WINDOW.bars);
				expect(a.exposureRatio).toBeGreaterThan(0);
				expect(a.exposureRatio).toBeLessThan(1);
			}
			expect(out.ambiguousBars).toBe(0);
		});

		it('exposure counts each bar a market held a position at any moment (entry bar through exit bar)', () => {
			const { out } = run();
			for (const a of out.attribution) {
				const held = new Set<number>();
				for (const t of out.trades) if (t.symbol === a.symbol) for (let u = t.entryBar; u <= t.exitBar; u++) held.add(u);
				expect(a.exposureRatio, a.symbol).toBe(held.size / a.bars);
			}
		});
	});
}

describe('C1 circuit-breaker mechanics', () => {
	it('every trip closes all positions at the next open (circuit_breaker) and blocks entries for 168 bars', () => {
		const out = runReferencePortfolio(portfolioMarkets(), portfolioCaseConfig('C1'));
		const trips = out.events.filter((e) => e.action === 'trip');
		expect(trips.length).toBeGreaterThan(0);
		for (const e of trips) {
			expect(e.value).toBeGreaterThanOrEqual(0.1);
			const release = out.events.find((r) => r.action === 'release' && r.bar === e.bar + 168);
			if (e.bar + 168 < out.equity.length) expect(release, `release of the trip at ${e.bar}`).toBeDefined();
			// No entry fills in bars e.bar+1 … e.bar+168.
			expect(out.trades.some((t) => t.entryBar > e.bar && t.entryBar <= e.bar + 168)).toBe(false);
			// Everything open at the trip exits at the next open with reason circuit_breaker.
			const cb = out.trades.filter((t) => t.exitBar === e.bar + 1 && t.exitReason === 'circuit_breaker');
			expect(cb.length).toBe(out.openPositions[e.bar]);
			for (let u = e.bar + 1; u <= Math.min(e.bar + 168, out.equity.length - 1); u++) expect(out.openPositions[u]).toBe(0);
		}
	});
});
