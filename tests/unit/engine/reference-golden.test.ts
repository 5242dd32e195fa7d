/**
 * The reference engine reproduces every backtrader reference case of SCENARIOS.md (S1, S2 on BTCUSDT and ETHUSDT,
 * S4 on BTCUSDT) on the real S1-S4 window: identical trade lists, fills, sizes, PnL, fees, equity at every bar and
 * the summary metrics. S3 has no reference file; its trades are checked against backtrader's RSI14 column.
 */
import { describe, expect, it } from 'vitest';
import { isoUtc } from '../../../src/lib/core/timeframe';
import { runReferenceBacktest } from '../../../src/lib/engine/reference';
import {
	closeTo,
	listReferenceCases,
	loadReferenceCase,
	loadReferenceIndicators,
	maxDrawdownRatio,
	referenceWindow,
	scenarioConfig
} from '../helpers/fixtures';

const REL = 1e-7;
const ABS = 1e-4; // USDT
const PRICE_REL = 1e-12;

const cases = listReferenceCases();

describe('reference engine vs backtrader reference cases', () => {
	it('finds the five reference cases of SCENARIOS.md', () => {
		expect(cases.map(([s, sym]) => `${s}.${sym}`)).toEqual([
			'S1.BTCUSDT',
			'S1.ETHUSDT',
			'S2.BTCUSDT',
			'S2.ETHUSDT',
			'S4.BTCUSDT'
		]);
	});

	for (const [scenario, symbol] of cases) {
		describe(`${scenario} ${symbol}`, () => {
			const run = () => {
				const ohlcv = referenceWindow(symbol);
				const config = scenarioConfig(scenario);
				return { ohlcv, config, out: runReferenceBacktest(ohlcv, config), ref: loadReferenceCase(scenario, symbol) };
			};

			it('produces the identical trade list with matching fills, sizes, fees and PnL', () => {
				const { ohlcv, out, ref } = run();
				expect(out.trades.length).toBe(ref.trades.length);
				expect(out.trades.length).toBe(ref.summary.n_trades);
				out.trades.forEach((t, i) => {
					const r = ref.trades[i];
					const where = `trade ${i} (entry bar ${r.entry_bar})`;
					expect([t.direction, t.entryBar, t.exitBar, t.exitReason], where).toEqual([
						r.direction,
						r.entry_bar,
						r.exit_bar,
						r.exit_reason
					]);
					expect(isoUtc(t.entryTime), where).toBe(r.entry_time);
					expect(isoUtc(t.exitTime), where).toBe(r.exit_time);
					expect(t.entryTime).toBe(ohlcv.openTime[t.entryBar]);
					expect(closeTo(t.entryPrice, r.entry_price, PRICE_REL), `${where} entry ${t.entryPrice} vs ${r.entry_price}`).toBe(true);
					expect(closeTo(t.exitPrice, r.exit_price, PRICE_REL), `${where} exit ${t.exitPrice} vs ${r.exit_price}`).toBe(true);
					expect(closeTo(t.size, r.size, REL, 1e-12), `${where} size ${t.size} vs ${r.size}`).toBe(true);
					expect(closeTo(t.entryFee, r.entry_fee, REL, ABS), `${where} entry fee`).toBe(true);
					expect(closeTo(t.exitFee, r.exit_fee, REL, ABS), `${where} exit fee`).toBe(true);
					expect(closeTo(t.pnl, r.pnl, REL, ABS), `${where} pnl ${t.pnl} vs ${r.pnl}`).toBe(true);
					expect(t.profitRatio).toBeCloseTo(t.pnl / (t.size * t.entryPrice), 12);
				});
			});

			it('matches the equity curve at every bar', () => {
				const { out, ref } = run();
				expect(out.equity.length).toBe(8760);
				let bad = -1;
				for (let t = 0; t < out.equity.length && bad < 0; t++) {
					if (!closeTo(out.equity[t], ref.equity[t], REL, ABS)) bad = t;
				}
				expect(bad, bad >= 0 ? `bar ${bad}: ${out.equity[bad]} vs ${ref.equity[bad]}` : '').toBe(-1);
			});

			it('matches the summary: final equity, return, max drawdown, win rate, fees, PnL sum', () => {
				const { config, out, ref } = run();
				const s = ref.summary;
				const n = out.equity.length;
				const finalEquity = out.equity[n - 1];
				const wins = out.trades.filter((t) => t.pnl > 0).length;
				const fees = out.trades.reduce((a, t) => a + t.entryFee + t.exitFee, 0);
				const pnlSum = out.trades.reduce((a, t) => a + t.pnl, 0);
				expect(closeTo(finalEquity, s.final_equity, REL, ABS)).toBe(true);
				expect(closeTo((finalEquity / config.initialCash - 1) * 100, s.total_return_pct, REL)).toBe(true);
				expect(closeTo(maxDrawdownRatio(out.equity, config.initialCash) * 100, s.max_drawdown_pct, REL)).toBe(true);
				expect(wins).toBe(s.n_wins);
				expect(closeTo((100 * wins) / out.trades.length, s.win_rate_pct, 1e-12)).toBe(true);
				expect(closeTo(fees, s.total_fees, REL, ABS)).toBe(true);
				expect(closeTo(pnlSum, s.sum_trade_pnl, REL, ABS)).toBe(true);
				// Accounting identity: every USDT of change is a closed trade's net PnL (no position is left open).
				expect(closeTo(finalEquity - config.initialCash, pnlSum, 1e-9, 1e-6)).toBe(true);
			});

			it('counts exactly the ambiguous stop-loss bars of the reference trades', () => {
				const { ohlcv, config, out, ref } = run();
				let expected = 0;
				if (config.takeProfit.mode === 'fraction') {
					const y = config.takeProfit.value;
					for (const r of ref.trades) {
						if (r.exit_reason === 'stop_loss' && ohlcv.high[r.exit_bar] >= r.entry_price * (1 + y)) expected++;
					}
				}
				expect(out.ambiguousBars).toBe(expected);
			});
		});
	}

	it('S4 BTCUSDT has the exit mix of SCENARIOS.md (SL 32, TP 22, signal 114)', () => {
		const out = runReferenceBacktest(referenceWindow('BTCUSDT'), scenarioConfig('S4'));
		const count = (reason: string) => out.trades.filter((t) => t.exitReason === reason).length;
		expect([count('stop_loss'), count('take_profit'), count('signal')]).toEqual([32, 22, 114]);
		for (const t of out.trades) {
			if (t.exitReason === 'stop_loss') expect(t.exitPrice).toBeCloseTo(t.entryPrice * 0.98, 8);
			if (t.exitReason === 'take_profit') expect(t.exitPrice).toBeCloseTo(t.entryPrice * 1.04, 8);
		}
	});
});

describe('S3 (RSI mean reversion, no reference file)', () => {
	for (const symbol of ['BTCUSDT', 'ETHUSDT'] as const) {
		it(`${symbol}: entries and exits follow backtrader's RSI14 crosses of 30 / 70 exactly`, () => {
			const ohlcv = referenceWindow(symbol);
			const rsi = loadReferenceIndicators(symbol).rsi14;
			const out = runReferenceBacktest(ohlcv, scenarioConfig('S3'));
			// Independent state machine on backtrader's RSI column (values at least 8e-4 away from 30/70).
			const expected: [number, number][] = [];
			let entry = -1;
			for (let t = 15; t < ohlcv.close.length - 1; t++) {
				if (entry < 0 && rsi[t - 1] >= 30 && rsi[t] < 30) entry = t + 1;
				else if (entry >= 0 && rsi[t - 1] <= 70 && rsi[t] > 70) {
					expected.push([entry, t + 1]);
					entry = -1;
				}
			}
			if (entry >= 0) expected.push([entry, ohlcv.close.length - 1]);
			expect(expected.length).toBeGreaterThan(3);
			expect(out.trades.map((t) => [t.entryBar, t.exitBar])).toEqual(expected);
			for (const t of out.trades) {
				expect(t.direction).toBe('long');
				expect(t.entryPrice).toBe(ohlcv.open[t.entryBar]);
				expect(t.exitPrice).toBe(t.exitReason === 'end_of_data' ? ohlcv.close[t.exitBar] : ohlcv.open[t.exitBar]);
			}
			const pnlSum = out.trades.reduce((a, t) => a + t.pnl, 0);
			expect(out.equity[out.equity.length - 1] - 10_000).toBeCloseTo(pnlSum, 6);
		});
	}
});
