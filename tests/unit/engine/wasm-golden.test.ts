/**
 * Golden tests: the WASM core reproduces every reference case of tests/fixtures/reference/ (backtrader and
 * backtesting.py agree on them) on real Binance 1h data: identical trade lists, fills, sizes, PnL, equity and metrics
 * within the tolerances of SCENARIOS.md ("Tolerances for a new engine").
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../../src/lib/engine/node';
import type { WasmEngine } from '../../../src/lib/engine/wasm-engine';
import { computeMetrics } from '../../../src/lib/metrics';
import {
	closeTo,
	listReferenceCases,
	loadReferenceCase,
	maxDrawdownRatio,
	referenceWindow,
	scenarioConfig,
	type RefSymbol
} from '../helpers/fixtures';

const cases = listReferenceCases();
const engines = new Map<RefSymbol, WasmEngine>();

beforeAll(async () => {
	for (const symbol of ['BTCUSDT', 'ETHUSDT'] as RefSymbol[]) {
		const e = await createNodeEngine();
		e.load(referenceWindow(symbol));
		engines.set(symbol, e);
	}
});

describe('WASM core vs reference backtesters', () => {
	it('has the five reference cases', () => {
		expect(cases.map((c) => c.join('.'))).toEqual(['S1.BTCUSDT', 'S1.ETHUSDT', 'S2.BTCUSDT', 'S2.ETHUSDT', 'S4.BTCUSDT']);
	});

	for (const [scenario, symbol] of cases) {
		it(`${scenario} ${symbol}: trades, equity and summary match`, () => {
			const ref = loadReferenceCase(scenario, symbol);
			const config = scenarioConfig(scenario);
			const res = engines.get(symbol)!.run(config);
			const ohlcv = referenceWindow(symbol);

			// Trade list: identical structure.
			expect(res.trades.length).toBe(ref.trades.length);
			expect(res.trades.map((t) => [t.direction, t.entryBar, t.exitBar, t.exitReason])).toEqual(
				ref.trades.map((t) => [t.direction, t.entry_bar, t.exit_bar, t.exit_reason])
			);
			for (let i = 0; i < ref.trades.length; i++) {
				const a = res.trades[i];
				const b = ref.trades[i];
				expect(new Date(a.entryTime).toISOString().replace('.000Z', 'Z')).toBe(b.entry_time);
				expect(new Date(a.exitTime).toISOString().replace('.000Z', 'Z')).toBe(b.exit_time);
				expect(closeTo(a.entryPrice, b.entry_price, 1e-12), `entry price of trade ${i}`).toBe(true);
				expect(closeTo(a.exitPrice, b.exit_price, 1e-12), `exit price of trade ${i}`).toBe(true);
				expect(closeTo(a.size, b.size, 1e-7), `size of trade ${i}: ${a.size} vs ${b.size}`).toBe(true);
				expect(closeTo(a.entryFee, b.entry_fee, 1e-7, 1e-6)).toBe(true);
				expect(closeTo(a.exitFee, b.exit_fee, 1e-7, 1e-6)).toBe(true);
				expect(closeTo(a.pnl, b.pnl, 1e-7, 1e-4), `pnl of trade ${i}: ${a.pnl} vs ${b.pnl}`).toBe(true);
			}

			// Equity at every bar.
			expect(res.equity.length).toBe(ref.equity.length);
			let worst = 0;
			for (let t = 0; t < ref.equity.length; t++) worst = Math.max(worst, Math.abs(res.equity[t] - ref.equity[t]));
			expect(worst).toBeLessThan(1e-4);

			// Summary, in the core and in the metrics module.
			const s = ref.summary;
			expect(closeTo(res.summary.finalEquity, s.final_equity, 1e-9)).toBe(true);
			expect(closeTo(res.summary.totalReturnRatio * 100, s.total_return_pct, 1e-9)).toBe(true);
			expect(closeTo(res.summary.maxDrawdownRatio * 100, s.max_drawdown_pct, 1e-9)).toBe(true);
			expect(closeTo(res.summary.maxDrawdownRatio, maxDrawdownRatio(res.equity, 10_000), 1e-12)).toBe(true);
			expect(res.summary.nTrades).toBe(s.n_trades);
			expect(res.summary.nWins).toBe(s.n_wins);
			expect(closeTo(res.summary.winRate * 100, s.win_rate_pct, 1e-12)).toBe(true);
			expect(closeTo(res.summary.totalFees, s.total_fees, 1e-9)).toBe(true);

			const m = computeMetrics({
				openTime: ohlcv.openTime,
				close: ohlcv.close,
				equity: res.equity,
				trades: res.trades,
				initialCash: 10_000,
				intervalMs: 3_600_000,
				ambiguousBars: res.ambiguousBars
			});
			expect(closeTo(m.finalEquity, s.final_equity, 1e-9)).toBe(true);
			expect(closeTo(m.maxDrawdownRatio * 100, s.max_drawdown_pct, 1e-9)).toBe(true);
			expect(m.nTrades).toBe(s.n_trades);
			expect(closeTo(m.totalFees, s.total_fees, 1e-9)).toBe(true);
			// The core's one-pass statistics agree with the metrics module's.
			expect(closeTo(res.summary.sharpeRatio, m.sharpeRatio, 1e-9)).toBe(true);
			expect(closeTo(res.summary.sortinoRatio, m.sortinoRatio, 1e-9)).toBe(true);
			expect(closeTo(res.summary.profitFactor, m.profitFactor, 1e-12)).toBe(true);
			expect(closeTo(res.summary.sqn, m.sqn, 1e-9)).toBe(true);
			expect(closeTo(res.summary.exposureRatio, m.exposureRatio, 1e-12)).toBe(true);
			expect(closeTo(res.summary.maxDrawdownAmount, m.maxDrawdownAmount, 1e-9)).toBe(true);
		});
	}

	it('S4 counts stop-loss and take-profit exits as in the reference table (SL 32, TP 22, signal 114)', () => {
		const res = engines.get('BTCUSDT')!.run(scenarioConfig('S4'));
		const count = (r: string) => res.trades.filter((t) => t.exitReason === r).length;
		expect([count('stop_loss'), count('take_profit'), count('signal')]).toEqual([32, 22, 114]);
	});

	it('runSummary (no trade records) gives the same summary as a full run', () => {
		const e = engines.get('ETHUSDT')!;
		for (const sc of ['S1', 'S2'] as const) {
			expect(e.runSummary(scenarioConfig(sc))).toEqual(e.run(scenarioConfig(sc)).summary);
		}
	});
});
