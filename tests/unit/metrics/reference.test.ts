/**
 * Metrics on the backtrader reference runs (real Binance 1h data, 2025-07-25T17:00Z .. 2026-07-25T16:00Z):
 * golden values from the reference summaries, and independent re-implementations of each convention
 * written differently here (ISO-date grouping, Welford statistics, brute-force drawdown scans, the
 * backtesting.py drawdown algorithm).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
	averageDrawdownRatio,
	calmarRatio,
	computeMetrics,
	cagr,
	drawdownEpisodes,
	marRatio,
	maxDrawdownDurationBars,
	maxDrawdownDurationMs,
	maxDrawdownRatio,
	sharpeRatio,
	sharpeRatioPerBar,
	sortinoRatio,
	sortinoRatioPerBar,
	annualReturnRatio,
	annualVolatilityRatio,
	totalReturnRatio,
	type Metrics
} from '../../../src/lib/metrics';
import { REFERENCE_CASES, closeRel, loadReference, type ReferenceRun } from './reference-data';

const HOUR = 3_600_000;
const YEAR = 365 * 86_400_000;

function expectRel(actual: number, expected: number, rel = 1e-9, what = ''): void {
	expect(closeRel(actual, expected, rel), `${what}: ${actual} vs ${expected}`).toBe(true);
}

/** Mean and sample std (ddof 1) by Welford's online algorithm. */
function welford(xs: number[]): { mean: number; std: number } {
	let m = 0;
	let s = 0;
	xs.forEach((x, i) => {
		const d = x - m;
		m += d / (i + 1);
		s += d * (x - m);
	});
	return { mean: m, std: Math.sqrt(s / (xs.length - 1)) };
}

/** Daily closes by grouping the CSV's ISO date strings (YYYY-MM-DD of the bar open time). */
function dailyCloses(iso: string[], equity: Float64Array): number[] {
	const byDay = new Map<string, number>();
	iso.forEach((t, i) => byDay.set(t.slice(0, 10), equity[i]));
	return [...byDay.values()];
}

function pctChanges(v: ArrayLike<number>): number[] {
	const out: number[] = [];
	for (let i = 1; i < v.length; i++) out.push((v[i] - v[i - 1]) / v[i - 1]);
	return out;
}

/** Longest drawdown by brute force: from every running high, scan forward to the first value back at it. */
function bruteMaxDrawdownDuration(run: ReferenceRun): { bars: number; ms: number } {
	const { equity, initialCash } = run.input;
	const n = equity.length;
	const value = (i: number) => (i < 0 ? initialCash : equity[i]);
	const closeMs = (i: number) => (i < 0 ? Date.parse(run.isoOpenTime[0]) : Date.parse(run.isoOpenTime[i]) + HOUR);
	let best = { bars: 0, ms: 0 };
	let high = -Infinity;
	for (let i = -1; i < n - 1; i++) {
		if (value(i) < high) continue;
		high = value(i);
		if (equity[i + 1] >= high) continue; // no dip after this high
		let j = i + 1;
		while (j < n && equity[j] < high) j++;
		const end = Math.min(j, n - 1);
		if (end - i > best.bars) best = { bars: end - i, ms: closeMs(end) - closeMs(i) };
	}
	return best;
}

/** backtesting.py `compute_drawdown_duration_peaks`: episodes between indices where dd == 0 (plus the last bar). */
function backtestingPyDrawdowns(run: ReferenceRun): { maxDurationMs: number; averageDepth: number } {
	const eq = run.input.equity;
	const dd: number[] = [];
	let runMax = -Infinity;
	for (const e of eq) {
		runMax = Math.max(runMax, e);
		dd.push(1 - e / runMax);
	}
	const zeros = [...new Set([...dd.flatMap((d, i) => (d === 0 ? [i] : [])), dd.length - 1])].sort((a, b) => a - b);
	let maxDurationMs = 0;
	const depths: number[] = [];
	for (let k = 1; k < zeros.length; k++) {
		const [prev, iloc] = [zeros[k - 1], zeros[k]];
		if (iloc > prev + 1) {
			maxDurationMs = Math.max(maxDurationMs, run.input.openTime[iloc] - run.input.openTime[prev]);
			depths.push(Math.max(...dd.slice(prev, iloc + 1)));
		}
	}
	return { maxDurationMs, averageDepth: depths.reduce((a, b) => a + b, 0) / depths.length };
}

describe.each(REFERENCE_CASES)('reference run %s', (name) => {
	const run = loadReference(name);
	const { summary } = run;
	const m: Metrics = computeMetrics(run.input);

	it('matches the reference summary (rel 1e-9)', () => {
		expectRel(m.finalEquity, summary.final_equity, 1e-9, 'finalEquity');
		expectRel(m.totalReturnRatio, summary.total_return_pct / 100, 1e-9, 'totalReturnRatio');
		expectRel(m.maxDrawdownRatio, summary.max_drawdown_pct / 100, 1e-9, 'maxDrawdownRatio');
		expect(m.nTrades).toBe(summary.n_trades);
		expect(m.nWins).toBe(summary.n_wins);
		expectRel(m.winRate, summary.win_rate_pct / 100, 1e-9, 'winRate');
		expectRel(m.totalFees, summary.total_fees, 1e-9, 'totalFees');
		const sumPnl = run.input.trades.reduce((s, t) => s + t.pnl, 0);
		expectRel(sumPnl, summary.sum_trade_pnl, 1e-9, 'sum of pnl');
		// Accounting identity: trade pnl adds up to the equity change (peers agree to ~1e-8 USDT).
		expectRel(m.totalReturnAmount, sumPnl, 1e-9, 'net profit vs sum of pnl');
		// Every trade is a win or a loss here (no break-even trade in the reference runs).
		expect(m.nWins + m.nLosses).toBe(m.nTrades);
	});

	it('agrees with the peer_native block of backtrader', () => {
		// backtrader leaves the last position open (marked at the close, no exit fee): its value exceeds our
		// final equity by exactly the close-out exit fee, and it counts one closed trade fewer.
		const last = run.input.trades[run.input.trades.length - 1];
		const open = run.peerNative.open_position_size_at_end !== 0;
		expect(last.exitReason === 'end_of_data').toBe(open);
		expect(m.nTrades).toBe(run.peerNative.closed_trades + (open ? 1 : 0));
		expectRel(m.finalEquity + (open ? last.exitFee : 0), run.peerNative.final_value_marked_at_close, 1e-12, 'peer final value');
		// backtesting.py's stats (Sharpe, Sortino, Calmar, volatility, Avg. Trade, Profit Factor, SQN) are not in
		// the fixtures (only backtrader is). Where they differ by convention, see the TSDoc of each metric:
		// its Sharpe/volatility use a compounded geometric form, its profit factor and average trade use returns
		// (geometric mean), its SQN uses pnl; its exposure and drawdown episodes match ours (checked below).
	});

	it('daily Sharpe, Sortino, volatility and annual return match a second implementation', () => {
		const daily = dailyCloses(run.isoOpenTime, run.input.equity);
		expect(daily.length).toBe(366); // 8,760 hourly bars starting at 17:00 cover 366 UTC dates
		const r = pctChanges(daily);
		const { mean, std } = welford(r);
		const downside = Math.sqrt(r.reduce((s, x) => s + (x < 0 ? x * x : 0), 0) / r.length);
		expectRel(m.sharpeRatio, (mean / std) * Math.sqrt(365), 1e-9, 'sharpe');
		expectRel(m.sortinoRatio, (mean / downside) * Math.sqrt(365), 1e-9, 'sortino');
		expectRel(m.annualVolatilityRatio, std * Math.sqrt(365), 1e-9, 'volatility');
		expectRel(m.annualReturnRatio, mean * 365, 1e-9, 'annual return');
		// The single-metric functions give the same numbers as computeMetrics.
		const { openTime, equity, intervalMs } = run.input;
		expect(sharpeRatio(openTime, equity, intervalMs)).toBe(m.sharpeRatio);
		expect(sortinoRatio(openTime, equity, intervalMs)).toBe(m.sortinoRatio);
		expect(annualVolatilityRatio(openTime, equity, intervalMs)).toBe(m.annualVolatilityRatio);
		expect(annualReturnRatio(openTime, equity, intervalMs)).toBe(m.annualReturnRatio);
	});

	it('per-bar Sharpe and Sortino match a second implementation', () => {
		const r = pctChanges(run.input.equity);
		const { mean, std } = welford(r);
		const downside = Math.sqrt(r.reduce((s, x) => s + Math.min(x, 0) ** 2, 0) / r.length);
		expectRel(m.sharpeRatioPerBar, (mean / std) * Math.sqrt(8760), 1e-9, 'sharpe per bar');
		expectRel(m.sortinoRatioPerBar, (mean / downside) * Math.sqrt(8760), 1e-9, 'sortino per bar');
		expect(sharpeRatioPerBar(run.input.equity, HOUR)).toBe(m.sharpeRatioPerBar);
		expect(sortinoRatioPerBar(run.input.equity, HOUR)).toBe(m.sortinoRatioPerBar);
	});

	it('CAGR, MAR, Calmar and recovery factor match a second implementation', () => {
		const spanMs = Date.parse(run.isoOpenTime[run.isoOpenTime.length - 1]) + HOUR - Date.parse(run.isoOpenTime[0]);
		expect(spanMs).toBe(YEAR); // 8,760 hourly bars are exactly one 365-day year...
		expectRel(m.cagr, summary.final_equity / summary.initial_cash - 1, 1e-12, 'cagr'); // ...so CAGR = total return
		expectRel(m.cagr, Math.exp((Math.log(summary.final_equity / 10_000) * YEAR) / spanMs) - 1, 1e-9, 'cagr (log form)');
		expectRel(m.marRatio, m.cagr / (summary.max_drawdown_pct / 100), 1e-9, 'mar');
		expect(m.calmarRatio).toBe(m.marRatio); // a one-year run is shorter than the 36-month Calmar window
		expectRel(m.recoveryFactor, (summary.final_equity - 10_000) / m.maxDrawdownAmount, 1e-12, 'recovery factor');
		expect(cagr(run.input.openTime, run.input.equity, 10_000, HOUR)).toBe(m.cagr);
	});

	it('max drawdown amount and durations match a brute-force scan and backtesting.py\'s algorithm', () => {
		let peak = 10_000;
		let amount = 0;
		for (const e of run.input.equity) {
			peak = Math.max(peak, e);
			amount = Math.max(amount, peak - e);
		}
		expect(m.maxDrawdownAmount).toBe(amount);
		const brute = bruteMaxDrawdownDuration(run);
		expect(brute.bars).toBeGreaterThan(100); // real losing runs: long drawdowns
		expect(m.maxDrawdownDurationBars).toBe(brute.bars);
		expect(m.maxDrawdownDurationMs).toBe(brute.ms);
		expect(m.maxDrawdownDurationMs).toBe(brute.bars * HOUR); // no gaps in this window
		expect(maxDrawdownDurationBars(run.input.equity, 10_000)).toBe(m.maxDrawdownDurationBars);
		expect(maxDrawdownDurationMs(run.input.openTime, run.input.equity, 10_000, HOUR)).toBe(m.maxDrawdownDurationMs);
		// backtesting.py uses equity[0] as the first peak; equity[0] = initial cash here, so episodes coincide.
		expect(run.input.equity[0]).toBe(10_000);
		const bt = backtestingPyDrawdowns(run);
		expect(m.maxDrawdownDurationMs).toBe(bt.maxDurationMs);
		expectRel(m.averageDrawdownRatio, bt.averageDepth, 1e-12, 'average drawdown');
		const episodes = drawdownEpisodes(run.input.openTime, run.input.equity, 10_000, HOUR);
		expectRel(Math.max(...episodes.map((e) => e.depthRatio)), m.maxDrawdownRatio, 0, 'deepest episode = max drawdown');
	});

	it('trade statistics match a second implementation', () => {
		const pnl = run.input.trades.map((t) => t.pnl);
		const ret = run.input.trades.map((t) => t.profitRatio);
		const wins = pnl.filter((p) => p > 0);
		const losses = pnl.filter((p) => p < 0);
		const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
		expectRel(m.profitFactor, sum(wins) / -sum(losses), 1e-12, 'profit factor');
		const { mean, std } = welford(ret);
		expectRel(m.sqn, (Math.sqrt(ret.length) * mean) / std, 1e-9, 'sqn');
		const wl = sum(wins) / wins.length / (-sum(losses) / losses.length);
		expectRel(m.winLossRatio, wl, 1e-12, 'win/loss');
		const p = wins.length / pnl.length;
		expectRel(m.kellyCriterion, p - (1 - p) / wl, 1e-12, 'kelly');
		expectRel(m.expectancy, p * (sum(wins) / wins.length) + (1 - p) * (sum(losses) / losses.length), 1e-9, 'expectancy');
		expect(m.bestTradeAmount).toBe(Math.max(...pnl));
		expect(m.worstTradeRatio).toBe(Math.min(...ret));
		// Exposure: bars entryBar..exitBar inclusive (backtesting.py "Exposure Time"), union via a set.
		const held = new Set<number>();
		for (const t of run.input.trades) for (let b = t.entryBar; b <= t.exitBar; b++) held.add(b);
		expectRel(m.exposureRatio, held.size / 8760, 1e-15, 'exposure');
		expectRel(m.averageTradeDurationMs, m.averageTradeDurationBars * HOUR, 1e-12, 'duration ms vs bars');
		// Streaks by string scanning of the win/loss sequence.
		const seq = pnl.map((x) => (x > 0 ? 'W' : x < 0 ? 'L' : '0')).join('');
		const longest = (c: string) => Math.max(0, ...(seq.match(new RegExp(`${c}+`, 'g')) ?? []).map((s) => s.length));
		expect(m.maxConsecutiveWins).toBe(longest('W'));
		expect(m.maxConsecutiveLosses).toBe(longest('L'));
	});
});

it('S2 (long and short, always in the market) is exposed on every bar from its first entry', () => {
	const run = loadReference('S2.BTCUSDT');
	const m = computeMetrics(run.input);
	const first = run.input.trades[0].entryBar;
	expect(m.exposureRatio).toBeCloseTo((8760 - first) / 8760, 15);
});

describe('Calmar over the last 36 months on real BTCUSDT 1h data (buy-and-hold equity)', () => {
	// Last contiguous run of tests/fixtures/klines/BTCUSDT-1h.csv (after the 2023-03-24 halt, > 3 years).
	const csv = readFileSync(fileURLToPath(new URL('../../fixtures/klines/BTCUSDT-1h.csv', import.meta.url)), 'utf8');
	const rows = csv.trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
	let start = rows.length - 1;
	while (start > 0 && Number(rows[start][0]) - Number(rows[start - 1][0]) === HOUR) start--;
	const bars = rows.slice(start);
	const openTime = Float64Array.from(bars, (r) => Number(r[0]));
	const close = Float64Array.from(bars, (r) => Number(r[4]));
	const equity = close.map((c) => (10_000 * c) / close[0]);

	it('uses the last 3 x 365 days, starting from the equity before the window', () => {
		expect(bars.length).toBeGreaterThan(3 * 8760);
		const end = openTime[openTime.length - 1] + HOUR;
		const inWindow = [...openTime.keys()].filter((i) => openTime[i] >= end - 3 * YEAR);
		const k = inWindow[0];
		expect(inWindow.length).toBe(3 * 8760);
		const startEquity = equity[k - 1];
		let peak = startEquity;
		let dd = 0;
		for (const i of inWindow) {
			peak = Math.max(peak, equity[i]);
			dd = Math.max(dd, (peak - equity[i]) / peak);
		}
		const growth = Math.pow(equity[equity.length - 1] / startEquity, 1 / 3) - 1;
		expectRel(calmarRatio(openTime, equity, 10_000, HOUR), growth / dd, 1e-9, 'calmar');
		// MAR uses the whole history instead, a different number here.
		const m = computeMetrics({ openTime, close, equity, trades: [], initialCash: 10_000, intervalMs: HOUR, ambiguousBars: 0 });
		expectRel(m.marRatio, m.cagr / maxDrawdownRatio(equity, 10_000), 1e-12, 'mar');
		expect(marRatio(m.cagr, m.maxDrawdownRatio)).toBe(m.marRatio);
		expect(Math.abs(m.calmarRatio - m.marRatio)).toBeGreaterThan(1e-3);
		expectRel(m.buyHoldReturnRatio, totalReturnRatio(equity, 10_000), 1e-12, 'buy & hold = buy-and-hold equity return');
		expectRel(averageDrawdownRatio(equity, 10_000), m.averageDrawdownRatio, 0, 'avg dd');
	});
});
