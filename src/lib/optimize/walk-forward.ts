/**
 * Walk-forward validation: split the bars into consecutive train/test windows, optimise on each training window,
 * run the winner on the test window that follows, and stitch the test windows into one out-of-sample equity curve.
 *
 * {@link walkForwardWindows} is the pure window arithmetic; {@link runWalkForward} runs the whole procedure on one
 * engine (in Node, or inside one worker), loading each window's candles in turn.
 */
import { DataError, ValidationError } from '../core/errors';
import { sliceOhlcv } from '../core/timeframe';
import type { OhlcvColumns } from '../core/types';
import type { BacktestConfig, Trade } from '../engine/types';
import type { BacktestResult } from '../engine/wasm-engine';
import { cagr, maxDrawdownRatio, sharpeRatio } from '../metrics';
import { evaluateBatch, trialConfig, type OptimizationJob, type TrialEngine, type TrialResult } from './evaluate';
import type { SearchMethod } from './methods';
import { dataSpanMs, trialStats, type ObjectiveSpec, type TrialStats } from './objective';
import { runOptimization } from './runner';
import type { AxisSpec } from './space';

/** How the bars are split. */
export interface WalkForwardSpec {
	/**
	 * `rolling`: every training window has the same length and slides forward by one test window.
	 * `anchored`: every training window starts at the first used bar and grows by one test window per split.
	 */
	mode: 'rolling' | 'anchored';
	/** Number of train/test splits (= test windows), whole number >= 1. */
	splits: number;
	/** Share of the first split's bars used for training: train / (train + test), 0 < ratio < 1 (0.75 = 3:1). */
	trainRatio: number;
	/** Fewest bars a training window may have (default 100: indicators need warm-up). */
	minTrainBars?: number;
	/** Fewest bars a test window may have (default 24). */
	minTestBars?: number;
}

/** A half-open bar range `[start, end)`. */
export interface BarRange {
	start: number;
	end: number;
}

/** The windows of a walk-forward run. */
export interface WalkForwardWindows {
	mode: 'rolling' | 'anchored';
	/** Bars per test window (all equal). */
	testBars: number;
	/** Bars of the first training window (all training windows when rolling). */
	trainBars: number;
	/** Oldest bars left unused so that the last test window ends at the last bar (< splits + 1 bars typically). */
	unusedBars: number;
	splits: { train: BarRange; test: BarRange }[];
}

/**
 * Window arithmetic: with `T` test bars and `L = floor(T · r / (1 - r))` first-training bars (r = trainRatio), the
 * used bars are `L + splits · T`, aligned so the last test window ends at the last bar; `T` is the largest length
 * that fits in `bars`. Split i (0-based) tests `[u + L + i·T, u + L + (i+1)·T)` with u = unused bars; it trains on
 * `[u + i·T, u + L + i·T)` (rolling) or `[u, u + L + i·T)` (anchored). Test windows are consecutive and never overlap
 * their training window.
 * @param bars - number of bars available (whole number >= 0).
 * @param spec - mode, splits, train ratio and minimum window lengths.
 * @returns the windows, oldest split first.
 * @throws ValidationError for splits < 1 or not whole, or a ratio outside (0, 1); DataError when the bars are too few
 *   for the minimum window lengths (the message says how many bars are needed).
 */
export function walkForwardWindows(bars: number, spec: WalkForwardSpec): WalkForwardWindows {
	const { mode, splits, trainRatio: r } = spec;
	if (mode !== 'rolling' && mode !== 'anchored') throw new ValidationError(`walk-forward mode must be rolling or anchored, got ${JSON.stringify(mode)}.`);
	if (!Number.isInteger(splits) || splits < 1) throw new ValidationError(`walk-forward splits must be a whole number >= 1, got ${splits}.`);
	if (!(typeof r === 'number' && r > 0 && r < 1)) throw new ValidationError(`walk-forward trainRatio must be between 0 and 1 (0.75 = 75 % train), got ${r}.`);
	if (!Number.isInteger(bars) || bars < 0) throw new ValidationError(`bars must be a whole number >= 0, got ${bars}.`);
	const minTrain = spec.minTrainBars ?? 100;
	const minTest = spec.minTestBars ?? 24;
	const k = r / (1 - r);
	let testBars = Math.floor(bars / (splits + k));
	while (testBars > 0 && Math.floor(testBars * k) + splits * testBars > bars) testBars--;
	const trainBars = Math.floor(testBars * k);
	if (testBars < minTest || trainBars < minTrain) {
		const needT = Math.max(minTest, Math.ceil(minTrain / k));
		const needed = Math.floor(needT * k) + splits * needT;
		throw new DataError(
			`too few bars for walk-forward: ${bars} bars with ${splits} split(s) and train ratio ${r} give ${trainBars} training and ${testBars} test bars per split, ` +
				`but at least ${minTrain} training and ${minTest} test bars are needed (${needed} bars in all). Use fewer splits, a longer range or smaller minimums.`
		);
	}
	const unusedBars = bars - trainBars - splits * testBars;
	const out: WalkForwardWindows['splits'] = [];
	for (let i = 0; i < splits; i++) {
		const testStart = unusedBars + trainBars + i * testBars;
		out.push({
			train: { start: mode === 'rolling' ? unusedBars + i * testBars : unusedBars, end: testStart },
			test: { start: testStart, end: testStart + testBars }
		});
	}
	return { mode, testBars, trainBars, unusedBars, splits: out };
}

/** The engine walk-forward needs: trials, full runs, and loading each window's candles. */
export interface WalkForwardEngine extends TrialEngine {
	load(ohlcv: OhlcvColumns): void;
	run(config: BacktestConfig): BacktestResult;
}

/** Options of {@link runWalkForward}. */
export interface WalkForwardOptions {
	ohlcv: OhlcvColumns;
	/** Bar length, ms. */
	intervalMs: number;
	/** Base configuration (fees, exits, sizing, non-searched parameters). */
	config: BacktestConfig;
	axes: AxisSpec[];
	objective: ObjectiveSpec;
	method: SearchMethod;
	windows: WalkForwardSpec;
	engine: WalkForwardEngine;
	signal?: AbortSignal;
	/** Trials per batch (default 256). */
	batchSize?: number;
}

/** One split's outcome. */
export interface WalkForwardSplit {
	train: BarRange;
	test: BarRange;
	/** The winning trial on the training window; undefined when no trial was ranked (then the test window stays in cash). */
	best: TrialResult | undefined;
	/** Parameters used on the test window (all strategy parameters), or null. */
	params: Record<string, number> | null;
	/** Winner's statistics in sample (training window). */
	inSample: TrialStats | null;
	/** Winner's statistics out of sample (test window alone, starting from initialCash). */
	outOfSample: TrialStats | null;
	/** outOfSample.cagr / inSample.cagr (NaN unless inSample.cagr > 0). */
	efficiency: number;
}

/** The whole walk-forward outcome. */
export interface WalkForwardResult {
	windows: WalkForwardWindows;
	splits: WalkForwardSplit[];
	/** Open times of the stitched test bars (ms UTC), consecutive test windows. */
	openTime: Float64Array;
	/**
	 * Stitched out-of-sample equity (quote): each test window's equity curve compounded onto the previous window's
	 * end, i.e. the account that traded each window's winner in turn, starting from initialCash.
	 */
	equity: Float64Array;
	/**
	 * Out-of-sample trades, bar indices into the full `ohlcv`; amounts (pnl, fees, size) are in each test window's own
	 * scale (every window's run starts from initialCash), ratios (profitRatio) compare directly.
	 */
	trades: Trade[];
	/** Statistics of the stitched curve. */
	outOfSample: {
		totalReturnRatio: number;
		cagr: number;
		maxDrawdownRatio: number;
		sharpeRatio: number;
		nTrades: number;
		winRate: number;
	};
	/** Mean in-sample CAGR of the splits' winners (splits without a winner excluded). */
	inSampleCagr: number;
	/**
	 * Walk-forward efficiency: out-of-sample CAGR of the stitched curve / mean in-sample CAGR of the winners
	 * (annualised returns, so windows of different lengths compare). NaN when the in-sample mean is not positive
	 * (the ratio has no meaning then). Values near 1 mean the optimisation generalised; near 0 or negative, it overfit.
	 * @see Pardo, "The Evaluation and Optimization of Trading Strategies" (2008), ch. 11 (walk-forward efficiency).
	 */
	efficiency: number;
	status: 'done' | 'cancelled';
}

/**
 * Run walk-forward validation on one engine.
 * @param o - see {@link WalkForwardOptions}.
 * @returns per-split winners and statistics, the stitched out-of-sample curve and its statistics, and the
 *   walk-forward efficiency. Test windows run on their own bars (indicators warm up inside the window, as a trader
 *   starting then would).
 * @throws ValidationError / DataError from the window arithmetic, the job or the engine.
 */
export async function runWalkForward(o: WalkForwardOptions): Promise<WalkForwardResult> {
	const n = o.ohlcv.openTime.length;
	const windows = walkForwardWindows(n, o.windows);
	const cash = o.config.initialCash;
	const splits: WalkForwardSplit[] = [];
	const testLen = windows.testBars * windows.splits.length;
	const openTime = new Float64Array(testLen);
	const equity = new Float64Array(testLen);
	const trades: Trade[] = [];
	let pos = 0;
	let level = cash;
	let status: 'done' | 'cancelled' = 'done';
	for (const w of windows.splits) {
		if (o.signal?.aborted) {
			status = 'cancelled';
			break;
		}
		const train = sliceOhlcv(o.ohlcv, w.train.start, w.train.end);
		o.engine.load(train);
		const job: OptimizationJob = {
			config: o.config,
			axes: o.axes,
			objective: o.objective,
			data: { bars: train.openTime.length, spanMs: dataSpanMs(train.openTime, o.intervalMs) }
		};
		const run = await runOptimization({
			job,
			method: o.method,
			evaluate: async (batch) => evaluateBatch(o.engine, job, batch),
			signal: o.signal,
			batchSize: o.batchSize,
			topK: 1
		});
		if (run.status === 'cancelled') {
			status = 'cancelled';
			break;
		}
		const test = sliceOhlcv(o.ohlcv, w.test.start, w.test.end);
		o.engine.load(test);
		const best = run.best;
		let params: Record<string, number> | null = null;
		let outOfSample: TrialStats | null = null;
		let curve: Float64Array;
		if (best) {
			const config = trialConfig(job, best.index);
			params = config.params as Record<string, number>;
			const res = o.engine.run(config);
			outOfSample = trialStats(res.summary, cash, dataSpanMs(test.openTime, o.intervalMs));
			curve = res.equity;
			for (const t of res.trades) {
				trades.push({ ...t, entryBar: t.entryBar + w.test.start, exitBar: t.exitBar + w.test.start });
			}
		} else {
			curve = new Float64Array(test.openTime.length).fill(cash);
		}
		const factor = level / cash;
		for (let i = 0; i < curve.length; i++) {
			openTime[pos] = test.openTime[i];
			equity[pos++] = curve[i] * factor;
		}
		level = equity[pos - 1];
		const inSample = best ? best.stats : null;
		splits.push({
			train: w.train,
			test: w.test,
			best,
			params,
			inSample,
			outOfSample,
			efficiency: inSample && outOfSample && inSample.cagr > 0 ? outOfSample.cagr / inSample.cagr : NaN
		});
	}
	const ot = openTime.subarray(0, pos);
	const eq = equity.subarray(0, pos);
	const isCagrs = splits.filter((s) => s.inSample).map((s) => s.inSample!.cagr);
	const inSampleCagr = isCagrs.length ? isCagrs.reduce((a, b) => a + b, 0) / isCagrs.length : NaN;
	const oosCagr = pos > 0 ? cagr(ot, eq, cash, o.intervalMs) : NaN;
	const wins = trades.filter((t) => t.pnl > 0).length;
	return {
		windows,
		splits,
		openTime: ot,
		equity: eq,
		trades,
		outOfSample: {
			totalReturnRatio: pos > 0 ? eq[pos - 1] / cash - 1 : NaN,
			cagr: oosCagr,
			maxDrawdownRatio: pos > 0 ? maxDrawdownRatio(eq, cash) : NaN,
			sharpeRatio: pos > 0 ? sharpeRatio(ot, eq, o.intervalMs) : NaN,
			nTrades: trades.length,
			winRate: trades.length ? wins / trades.length : NaN
		},
		inSampleCagr,
		efficiency: inSampleCagr > 0 ? oosCagr / inSampleCagr : NaN,
		status
	};
}
