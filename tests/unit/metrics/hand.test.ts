/**
 * Hand-computed examples with known answers (streaks, Kelly, win/loss, drawdown episodes, Calmar window,
 * SQN) and the edge cases: no trades, one trade, all wins, all losses, flat equity, a run within one day,
 * equity hitting 0, bars longer than a day, malformed input. Bar times are real: the first bars of the
 * BTCUSDT reference window (2025-07-25T17:00Z on, 1h).
 */
import { describe, expect, it } from 'vitest';
import type { Trade } from '../../../src/lib/engine/types';
import { ValidationError } from '../../../src/lib/core/errors';
import {
	annualisedSharpe,
	barReturns,
	calmarRatio,
	computeMetrics,
	dailyEquity,
	drawdownEpisodes,
	exposureRatio,
	kellyCriterion,
	maxConsecutiveLosses,
	maxConsecutiveWins,
	profitFactor,
	sqn,
	winLossRatio,
	type MetricsInput
} from '../../../src/lib/metrics';
import { loadReference } from './reference-data';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const ref = loadReference('S1.BTCUSDT').input;

/** The first `n` real bars of the reference window with the given equity curve. */
function input(equity: number[], trades: Trade[] = [], initialCash = 100): MetricsInput {
	const n = equity.length;
	return {
		openTime: ref.openTime.slice(0, n),
		close: ref.close.slice(0, n),
		equity: Float64Array.from(equity),
		trades,
		initialCash,
		intervalMs: HOUR,
		ambiguousBars: 0
	};
}

/** A trade with the given pnl and profit ratio over bars `entryBar..exitBar`. */
function trade(pnl: number, entryBar = 0, exitBar = 0, profitRatio = pnl / 100): Trade {
	return {
		direction: 'long',
		entryBar,
		exitBar,
		entryTime: ref.openTime[entryBar],
		exitTime: ref.openTime[exitBar],
		entryPrice: 100,
		exitPrice: 100 + pnl,
		size: 1,
		entryFee: 0.1,
		exitFee: 0.1,
		pnl,
		profitRatio,
		exitReason: 'signal'
	};
}

describe('hand-computed trade statistics', () => {
	it('streaks: a break-even trade ends both runs', () => {
		const trades = [1, 2, -1, 0, -3, -4, -5, 1, 1, 1, 1, -2].map((p) => trade(p));
		expect(maxConsecutiveWins(trades)).toBe(4);
		expect(maxConsecutiveLosses(trades)).toBe(3);
	});

	it('win/loss ratio, Kelly, profit factor, expectancy', () => {
		// wins 10, 20 (avg 15); losses -5, -5, -10 (avg -20/3); win rate 2/5.
		const trades = [10, -5, 20, -5, -10].map((p) => trade(p));
		expect(winLossRatio(trades)).toBeCloseTo(15 / (20 / 3), 14); // 2.25
		expect(kellyCriterion(trades)).toBeCloseTo(0.4 - 0.6 / 2.25, 14); // 2/15
		expect(profitFactor(trades)).toBeCloseTo(30 / 20, 14);
		const m = computeMetrics(input([100, 100, 110], trades));
		expect(m.expectancy).toBeCloseTo(2, 14); // (10 - 5 + 20 - 5 - 10) / 5
		expect(m.averageWinAmount).toBe(15);
		expect(m.averageLossAmount).toBeCloseTo(-20 / 3, 14);
		expect(m.totalFees).toBeCloseTo(1, 14); // 5 trades x 2 fills x 0.1
	});

	it('SQN = sqrt(n) mean(R) / std(R, ddof 1) on trade returns', () => {
		// R = 0.1, -0.05, 0.02: mean 0.07/3, sample variance 0.0112667/2 -> SQN = 7/13 exactly.
		const trades = [0.1, -0.05, 0.02].map((r) => trade(r * 100, 0, 0, r));
		expect(sqn(trades)).toBeCloseTo(7 / 13, 12);
	});

	it('exposure counts entry..exit bars inclusive, a shared reversal bar once', () => {
		const trades = [trade(1, 2, 4), trade(-1, 4, 6), trade(1, 8, 8)];
		expect(exposureRatio(trades, 10)).toBe(6 / 10); // bars 2,3,4,5,6,8
	});
});

describe('hand-computed drawdowns', () => {
	it('episodes, depths, amounts and durations of a written curve', () => {
		// peak 110 at bar 1, trough 99 (bar 2), recovered at bar 4 (110 >= 110): 3 bars, depth 0.1.
		// peak 120 at bar 5, trough 90 (bar 6), not recovered by bar 7: 2 bars, depth 0.25.
		const m = computeMetrics(input([100, 110, 99, 105, 110, 120, 90, 95]));
		expect(m.maxDrawdownRatio).toBe(0.25);
		expect(m.maxDrawdownAmount).toBe(30);
		expect(m.maxDrawdownDurationBars).toBe(3);
		expect(m.maxDrawdownDurationMs).toBe(3 * HOUR);
		expect(m.averageDrawdownRatio).toBeCloseTo((0.1 + 0.25) / 2, 15);
		const eps = drawdownEpisodes(ref.openTime, Float64Array.from([100, 110, 99, 105, 110, 120, 90, 95]), 100, HOUR);
		expect(eps.map((e) => [e.peakBar, e.troughBar, e.endBar, e.recovered])).toEqual([
			[1, 2, 4, true],
			[5, 6, 7, false]
		]);
		expect(m.recoveryFactor).toBeCloseTo(-5 / 30, 15);
	});

	it('the initial cash is the first peak, at the first bar\'s open', () => {
		// 90 < 100 at bar 0: episode from the initial cash (bar -1, time = first open) to bar 2 (100 >= 100).
		const m = computeMetrics(input([90, 95, 100, 80]));
		expect(m.maxDrawdownRatio).toBeCloseTo(0.2, 15); // 80 vs peak 100
		expect(m.maxDrawdownDurationBars).toBe(3);
		expect(m.maxDrawdownDurationMs).toBe(3 * HOUR); // first open .. close of bar 2
	});

	it('a curve that only rises has no drawdown (0, not NaN)', () => {
		const m = computeMetrics(input([100, 101, 102, 103]));
		expect([m.maxDrawdownRatio, m.maxDrawdownDurationMs, m.averageDrawdownRatio]).toEqual([0, 0, 0]);
		expect(m.recoveryFactor).toBe(Infinity);
		expect(m.sortinoRatioPerBar).toBe(Infinity); // no losing bar, positive mean
	});

	it('Calmar uses the last 3 x 365 days from the equity before the window; MAR the whole run', () => {
		// Daily bars over 4 x 365 days. Year 1 halves the equity (bar 0 = 50). From bar 365 it doubles smoothly to
		// 100 over the last 1,095 days, with one dip at bar 800 to 10 % below the previous bar. Window starts at bar 365 (equity before = 50).
		const n = 4 * 365;
		const t0 = Date.UTC(2020, 0, 1);
		const openTime = Float64Array.from({ length: n }, (_, i) => t0 + i * DAY);
		const equity = Float64Array.from({ length: n }, (_, i) => (i < 365 ? 50 : 50 * 2 ** ((i - 364) / 1095)));
		equity[800] = 0.9 * equity[799]; // 10 % below the peak at bar 799
		expect(equity[n - 1]).toBeCloseTo(100, 12);
		expect(calmarRatio(openTime, equity, 100, DAY)).toBeCloseTo((2 ** (1 / 3) - 1) / 0.1, 9);
		const m = computeMetrics({ openTime, close: equity, equity, trades: [], initialCash: 100, intervalMs: DAY, ambiguousBars: 0 });
		expect(m.cagr).toBeCloseTo(0, 12); // 100 -> 100
		expect(m.maxDrawdownRatio).toBe(0.5);
		expect(m.marRatio).toBeCloseTo(0, 11);
	});
});

describe('edge cases never throw', () => {
	it('no trades, flat equity', () => {
		const m = computeMetrics(input(new Array(72).fill(100)));
		expect(m.nTrades).toBe(0);
		expect(m.totalReturnRatio).toBe(0);
		for (const k of ['winRate', 'profitFactor', 'sqn', 'kellyCriterion', 'winLossRatio', 'averageTradeRatio', 'bestTradeAmount', 'averageTradeDurationMs', 'expectancy'] as const) {
			expect(m[k], k).toBeNaN();
		}
		// Flat equity: zero deviation, Sharpe/Sortino undefined (NaN), not 0.
		for (const k of ['sharpeRatio', 'sortinoRatio', 'sharpeRatioPerBar', 'sortinoRatioPerBar', 'calmarRatio', 'marRatio', 'recoveryFactor'] as const) {
			expect(m[k], k).toBeNaN();
		}
		expect(m.annualVolatilityRatio).toBe(0);
		expect([m.exposureRatio, m.totalFees, m.maxConsecutiveWins, m.maxDrawdownRatio]).toEqual([0, 0, 0, 0]);
	});

	it('one trade', () => {
		const m = computeMetrics(input([100, 100, 105, 105], [trade(5, 1, 2)]));
		expect([m.nTrades, m.nWins, m.winRate, m.maxConsecutiveWins]).toEqual([1, 1, 1, 1]);
		expect(m.sqn).toBeNaN(); // std of one value is undefined
		expect(m.profitFactor).toBe(Infinity);
		expect(m.exposureRatio).toBe(0.5);
		expect(m.averageTradeDurationBars).toBe(1);
		expect(m.averageTradeDurationMs).toBe(HOUR);
	});

	it('all wins and all losses', () => {
		const wins = computeMetrics(input([100, 110], [trade(4), trade(6)]));
		expect([wins.profitFactor, wins.winLossRatio, wins.kellyCriterion, wins.maxConsecutiveLosses]).toEqual([Infinity, Infinity, 1, 0]);
		expect(wins.averageLossAmount).toBeNaN();
		const losses = computeMetrics(input([100, 90], [trade(-4), trade(-6)]));
		expect([losses.profitFactor, losses.winLossRatio, losses.winRate, losses.maxConsecutiveLosses]).toEqual([0, 0, 0, 2]);
		expect(losses.kellyCriterion).toBeNaN();
	});

	it('a run within one UTC day has no daily return (NaN) but per-bar statistics', () => {
		// Bars 7..16 of the window open 2025-07-26T00:00Z .. 09:00Z (one UTC day); reuse their times.
		const equity = [100, 101, 99, 102, 103, 101, 104, 105, 103, 106];
		const m = computeMetrics({ ...input(equity), openTime: ref.openTime.slice(7, 17) });
		expect(m.sharpeRatio).toBeNaN();
		expect(m.sortinoRatio).toBeNaN();
		expect(m.annualReturnRatio).toBeNaN();
		expect(Number.isFinite(m.sharpeRatioPerBar)).toBe(true);
		expect(m.sharpeRatioPerBar).toBe(annualisedSharpe(barReturns(equity), 8760));
	});

	it('equity hitting 0', () => {
		const m = computeMetrics(input([100, 50, 0, 0, 0], [trade(-100, 0, 2)]));
		expect(m.maxDrawdownRatio).toBe(1);
		expect(m.cagr).toBe(-1);
		expect(m.totalReturnRatio).toBe(-1);
		expect(barReturns(Float64Array.from([100, 50, 0, 0, 0]))).toEqual(Float64Array.from([-0.5, -1])); // no 0/0
		expect(Number.isNaN(m.sharpeRatioPerBar)).toBe(false);
	});

	it('bars longer than a day use one return per bar and 365/7 periods per year (1w)', () => {
		const week = 7 * DAY;
		const openTime = Float64Array.from({ length: 6 }, (_, i) => Date.UTC(2024, 0, 1) + i * week);
		const equity = Float64Array.from([100, 102, 101, 104, 103, 107]);
		expect(dailyEquity(openTime, equity, week).equity).toEqual(equity);
		const m = computeMetrics({ openTime, close: equity, equity, trades: [], initialCash: 100, intervalMs: week, ambiguousBars: 0 });
		expect(m.sharpeRatio).toBeCloseTo(annualisedSharpe(barReturns(equity), 365 / 7), 14);
		expect(m.sharpeRatio).toBe(m.sharpeRatioPerBar);
	});
});

describe('malformed input is rejected with a clear error', () => {
	it('length mismatch, no bars, bad cash, trades outside the bars', () => {
		const ok = input([100, 101, 102]);
		expect(() => computeMetrics({ ...ok, equity: Float64Array.from([100, 101]) })).toThrow(/Length mismatch.*equity 2/);
		expect(() => computeMetrics({ ...ok, openTime: new Float64Array(0), close: new Float64Array(0), equity: new Float64Array(0) })).toThrow(ValidationError);
		expect(() => computeMetrics({ ...ok, initialCash: 0 })).toThrow(/initialCash/);
		expect(() => computeMetrics({ ...ok, trades: [trade(1, 1, 5)] })).toThrow(/Trade 0 .*exitBar 5/);
		expect(() => computeMetrics({ ...ok, openTime: Float64Array.from([3, 2, 1]) })).toThrow(/strictly ascending/);
	});
});
