/**
 * Monte Carlo analysis of a run's trades: trade-order shuffle, bootstrap (trades drawn with replacement) and a
 * win-rate stress test, all seeded (same seed → bit-identical result in Node and in every worker). The randomised
 * execution method (re-runs of the backtest) lives in ./execution.ts and shares the summary code here.
 *
 * Every path compounds **per-trade returns relative to the equity at entry**, never absolute PnL:
 * `r_i = pnl_i / E_{i-1}` with `E_0 = initialCash` and `E_i = E_{i-1} + pnl_i` (trades in exit order; the engine
 * holds one position at a time, so each trade starts from the equity the previous one left). A path is
 * `E_k = initialCash · Π_{j<=k} (1 + r_{π(j)})`: a shuffle keeps the final equity and moves only the path, and no
 * path can fall below 0 (a return of -100 % or worse ruins the path, which then stays at 0).
 *
 * Path statistics are measured on the equity at trade boundaries (closed-trade equity): the drawdown inside a
 * trade is not visible to a reordering of whole trades. The run's own closed-trade figures are reported as
 * `original` with the same definitions so the distribution and the run compare like with like.
 *
 * Plain TypeScript, no DOM or Node imports.
 */
import { ValidationError } from '../core/errors';
import { Rng } from '../core/rng';
import type { Trade } from '../engine/types';
import { compoundAnnualGrowth } from '../metrics/returns';
import { histogram, percentilesSorted, quantileSorted, PERCENTILE_LEVELS, type Histogram, type PercentileKey } from './stats';

/** Methods that resample the run's own trades. */
export type TradeMethod = 'shuffle' | 'bootstrap' | 'win-rate';
/** Every Monte Carlo method (`execution` re-runs the backtest, see ./execution.ts). */
export type MonteCarloMethod = TradeMethod | 'execution';
export const MONTE_CARLO_METHODS: readonly MonteCarloMethod[] = Object.freeze(['shuffle', 'bootstrap', 'execution', 'win-rate']);

/** Largest number of simulations of the trade methods (memory and time stay bounded: ~10 MB, well under a second). */
export const MAX_SIMULATIONS = 100_000;
/** Largest number of simulations of the execution method (each one is a full backtest). */
export const MAX_EXECUTION_SIMULATIONS = 10_000;
/** Most stored fan values (simulations × fan points): caps the fan buffer at 16 MB. */
const MAX_FAN_VALUES = 2_000_000;

/** A closed interval `[min, max]` of fractions. */
export interface Range {
	min: number;
	max: number;
}

/** Options shared by every method. */
export interface MonteCarloOptions {
	/** Number of simulated paths, whole number 1..{@link MAX_SIMULATIONS} (execution: ..{@link MAX_EXECUTION_SIMULATIONS}). Default 1,000. */
	simulations?: number;
	/** Seed of the generator (any number; its low 32 bits are used). Default 1. */
	seed?: number;
	/** Confidence level of the reported interval, strictly between 0 and 1. Default 0.95. */
	confidence?: number;
	/** Ruin floor as a fraction of the initial equity, strictly between 0 and 1. Default 0.5. */
	ruinFloor?: number;
	/** Histogram bins, 1..1000. Default 30. */
	bins?: number;
	/** Points of the fan chart (evenly spaced trades or bars; fewer when simulations × points exceed 2,000,000). Default 100. */
	fanPoints?: number;
}

/** Options of {@link runTradeMonteCarlo}. */
export interface TradeMonteCarloOptions extends MonteCarloOptions {
	method: TradeMethod;
	/**
	 * `win-rate` only: range the probability of a win is drawn from, once per simulation (uniform). Default: from
	 * 10 points below the run's own win rate to the run's win rate (a stress test: the same trades, fewer winners).
	 */
	winRate?: Range;
	/**
	 * Test/inspection hook: called after each simulated path with its index and the trade returns of the path in
	 * path order (a reused buffer: copy what you keep).
	 */
	onPath?: (simulation: number, path: Float64Array) => void;
}

/** A distribution of one statistic over the simulated paths. */
export interface DistributionSummary {
	mean: number;
	/** Sample standard deviation (n - 1); 0 for a degenerate distribution. */
	std: number;
	min: number;
	max: number;
	/** Percentiles 5/25/50/75/95 (linear interpolation, numpy's default; see {@link quantileSorted}). */
	percentiles: Record<PercentileKey, number>;
	/** Two-sided interval at the confidence level c: the (1-c)/2 and (1+c)/2 quantiles. */
	lower: number;
	upper: number;
	/**
	 * One-sided value "how bad at c": the (1-c) quantile for statistics where higher is better (final equity, CAGR),
	 * the c quantile where lower is better (drawdown, streaks).
	 */
	worst: number;
	histogram: Histogram;
}

/** The run itself, measured like the simulated paths. */
export interface OriginalFigures {
	finalEquity: number;
	/** Closed-trade max drawdown (trade methods) or the close-marked max drawdown (execution), fraction. */
	maxDrawdownRatio: number;
	cagr: number;
	nTrades: number;
	longestLosingStreak: number;
	/** Longest stretch below a previous peak: in trades (trade methods) or bars (execution). */
	longestDrawdown: number;
}

/** Equity percentiles along the path, with the run's own curve. */
export interface FanChart {
	/** Trade count after which each point is taken (0 = start), or a bar index for the execution method. */
	x: number[];
	unit: 'trade' | 'bar';
	/** Equity (quote) at each point, per percentile band. */
	bands: Record<PercentileKey, number[]>;
	/** The run's own equity at the same points. */
	original: number[];
}

/** Result of a Monte Carlo analysis (plain data: JSON and structured-clone safe). */
export interface MonteCarloResult {
	method: MonteCarloMethod;
	simulations: number;
	seed: number;
	confidence: number;
	ruinFloor: number;
	initialCash: number;
	original: OriginalFigures;
	finalEquity: DistributionSummary;
	maxDrawdownRatio: DistributionSummary;
	cagr: DistributionSummary;
	longestLosingStreak: DistributionSummary;
	longestDrawdown: DistributionSummary;
	/** Fraction of paths ending below the initial equity. */
	probabilityOfLoss: number;
	/** Fraction of paths whose equity ever falls below `ruinFloor × initialCash`. */
	riskOfRuin: number;
	fan: FanChart;
	/** `win-rate`: the range the win probability was drawn from. */
	winRate?: Range;
	/** `execution`: the fee and slippage ranges drawn from. */
	execution?: { fee: Range; slippage: Range };
}

/** Validated common options with defaults filled in. */
export interface ResolvedOptions {
	simulations: number;
	seed: number;
	confidence: number;
	ruinFloor: number;
	bins: number;
	fanPoints: number;
}

/**
 * Validate and default the common options.
 * @param maxSimulations - the method's cap.
 * @throws ValidationError naming the option and its allowed range: simulations not a whole number in 1..cap,
 *   confidence not strictly inside (0, 1), ruin floor not strictly inside (0, 1), a non-finite seed, bad bins or fan points.
 */
export function resolveOptions(o: MonteCarloOptions, maxSimulations = MAX_SIMULATIONS): ResolvedOptions {
	const simulations = o.simulations ?? 1000;
	if (!Number.isInteger(simulations) || simulations < 1 || simulations > maxSimulations) {
		throw new ValidationError(
			`simulations must be a whole number from 1 to ${maxSimulations.toLocaleString('en-US')}, got ${simulations}; 1,000 is usually enough, 10,000 for stable tails.`
		);
	}
	const confidence = o.confidence ?? 0.95;
	if (!(confidence > 0 && confidence < 1)) {
		throw new ValidationError(`confidence must be a fraction strictly between 0 and 1 (0.95 = 95 %), got ${confidence}.`);
	}
	const ruinFloor = o.ruinFloor ?? 0.5;
	if (!(ruinFloor > 0 && ruinFloor < 1)) {
		throw new ValidationError(`ruin floor must be a fraction of the initial equity strictly between 0 and 1 (0.5 = half the starting equity), got ${ruinFloor}.`);
	}
	const seed = o.seed ?? 1;
	if (!Number.isFinite(seed)) throw new ValidationError(`seed must be a finite number, got ${seed}.`);
	const bins = o.bins ?? 30;
	if (!Number.isInteger(bins) || bins < 1 || bins > 1000) throw new ValidationError(`bins must be a whole number from 1 to 1000, got ${bins}.`);
	const fanPoints = o.fanPoints ?? 100;
	if (!Number.isInteger(fanPoints) || fanPoints < 2 || fanPoints > 2000) throw new ValidationError(`fan points must be a whole number from 2 to 2000, got ${fanPoints}.`);
	return { simulations, seed, confidence, ruinFloor, bins, fanPoints };
}

/** A run's trades as the Monte Carlo methods see them. */
export interface TradeSample {
	/** Per-trade return relative to the equity at entry, exit order (see the module comment). */
	returns: Float64Array;
	initialCash: number;
	/** Time span of the run (ms) used for CAGR: first bar's open to last bar's close. */
	spanMs: number;
}

/**
 * Per-trade returns relative to the equity at entry: `r_i = pnl_i / E_{i-1}`, `E_0 = initialCash`, `E_i = E_{i-1} + pnl_i`.
 * `initialCash · Π(1 + r_i)` equals the run's closed-trade final equity (to rounding).
 * @param trades - closed trades in exit order (the engine's order).
 * @param initialCash - starting equity (quote, > 0).
 * @returns Float64Array, length = trades.
 * @throws ValidationError when the equity before a trade is not positive (the run was already ruined).
 */
export function tradeReturns(trades: readonly Pick<Trade, 'pnl'>[], initialCash: number): Float64Array {
	if (!(initialCash > 0)) throw new ValidationError(`initial cash must be > 0, got ${initialCash}.`);
	const r = new Float64Array(trades.length);
	let e = initialCash;
	for (let i = 0; i < trades.length; i++) {
		if (!(e > 0)) throw new ValidationError(`equity before trade ${i + 1} is ${e}: the run was ruined, a return relative to it is undefined.`);
		r[i] = trades[i].pnl / e;
		e += trades[i].pnl;
	}
	return r;
}

/**
 * Per-trade returns of stitched out-of-sample trades (walk-forward): trades are grouped by the segment (test window)
 * holding their entry bar; inside a segment each return is relative to the equity at entry with the segment starting
 * from `initialCash` (as each test window's run does), so compounding the returns in order gives the stitched curve.
 * @param trades - out-of-sample trades in time order, `entryBar` indices into the full candles.
 * @param segments - half-open bar ranges `[start, end)` of the test windows, ascending.
 * @param initialCash - starting equity of every segment's run (quote, > 0).
 * @returns Float64Array, one return per trade that lies in a segment (in order).
 * @throws ValidationError when a segment's equity is not positive before one of its trades.
 */
export function segmentedTradeReturns(
	trades: readonly Pick<Trade, 'pnl' | 'entryBar'>[],
	segments: readonly { start: number; end: number }[],
	initialCash: number
): Float64Array {
	const out: number[] = [];
	for (const seg of segments) {
		const inSeg = trades.filter((t) => t.entryBar >= seg.start && t.entryBar < seg.end);
		for (const r of tradeReturns(inSeg, initialCash)) out.push(r);
	}
	return Float64Array.from(out);
}

/**
 * Build the sample of a run.
 * @param trades - closed trades, exit order.
 * @param initialCash - starting equity (quote).
 * @param spanMs - run span in ms (> 0).
 * @throws ValidationError for fewer than 2 trades (a clear message, never a NaN result), a bad span or cash.
 */
export function tradeSample(trades: readonly Pick<Trade, 'pnl'>[], initialCash: number, spanMs: number): TradeSample {
	if (trades.length < 2) {
		throw new ValidationError(
			`Monte Carlo needs at least 2 closed trades; this run has ${trades.length}. Use a longer date range or parameters that trade more often.`
		);
	}
	if (!(spanMs > 0)) throw new ValidationError(`the run's time span must be > 0 ms, got ${spanMs}.`);
	return { returns: tradeReturns(trades, initialCash), initialCash, spanMs };
}

/**
 * Per-path figures of a set of simulations, filled by the trade methods or by the execution re-runs, then
 * summarised by {@link summarise}. Memory: 6 Float64Arrays of `simulations` and one fan buffer of
 * `simulations × fanX.length` (bounded by 2,000,000 values).
 */
export class PathCollector {
	readonly simulations: number;
	readonly finalEquity: Float64Array;
	readonly maxDrawdown: Float64Array;
	readonly longestLosing: Float64Array;
	readonly longestDrawdown: Float64Array;
	/** Lowest equity of each path (quote). */
	readonly minEquity: Float64Array;
	/** Equity at the fan points, point-major: point k of path s at `k * simulations + s` (each point's values contiguous). */
	readonly fan: Float64Array;
	readonly fanX: number[];

	constructor(simulations: number, fanX: number[]) {
		this.simulations = simulations;
		this.finalEquity = new Float64Array(simulations);
		this.maxDrawdown = new Float64Array(simulations);
		this.longestLosing = new Float64Array(simulations);
		this.longestDrawdown = new Float64Array(simulations);
		this.minEquity = new Float64Array(simulations);
		this.fanX = fanX;
		this.fan = new Float64Array(simulations * fanX.length);
	}
}

/**
 * Evenly spaced integer positions from 0 to `last` inclusive (at most `points`, all distinct, ascending).
 * @param last - last position (>= 0).
 * @param points - wanted number of positions (>= 2).
 */
export function fanPositions(last: number, points: number): number[] {
	if (last + 1 <= points) return Array.from({ length: last + 1 }, (_, i) => i);
	const out: number[] = [];
	for (let k = 0; k < points; k++) {
		const x = Math.round((k * last) / (points - 1));
		if (out.length === 0 || out[out.length - 1] !== x) out.push(x);
	}
	return out;
}

/** Number of fan points for a simulation count, within the fan buffer cap. */
export function fanPointBudget(simulations: number, wanted: number): number {
	return Math.max(2, Math.min(wanted, Math.floor(MAX_FAN_VALUES / simulations)));
}

/** Statistics of one closed-trade path (normalised equity, start 1). */
interface PathFigures {
	final: number;
	maxDrawdown: number;
	longestLosing: number;
	longestDrawdown: number;
	min: number;
}

/**
 * Walk one path of returns given in `order` (indices into `returns`), or `returns` in its own order when `order` is
 * null; write the fan values (normalised equity times `scale`) at `fanX` into `fanOut[k * stride + at]`.
 */
function walkPath(
	returns: Float64Array,
	order: Int32Array | null,
	scale: number,
	fanX: readonly number[],
	fanOut: Float64Array,
	at: number,
	stride: number
): PathFigures {
	const n = returns.length;
	let e = 1;
	let peak = 1;
	let maxDd = 0;
	let ddLen = 0;
	let maxDdLen = 0;
	let losing = 0;
	let maxLosing = 0;
	let min = 1;
	let f = 0;
	let next = fanX[0];
	if (next === 0) {
		fanOut[at] = scale;
		f = 1;
		next = f < fanX.length ? fanX[f] : -1;
	}
	for (let i = 0; i < n; i++) {
		const r = order ? returns[order[i]] : returns[i];
		e = e > 0 ? e * (1 + r) : 0;
		if (e < 0) e = 0;
		if (r < 0) {
			losing++;
			if (losing > maxLosing) maxLosing = losing;
		} else losing = 0;
		if (e >= peak) {
			peak = e;
			ddLen = 0;
		} else {
			ddLen++;
			if (ddLen > maxDdLen) maxDdLen = ddLen;
			const dd = 1 - e / peak;
			if (dd > maxDd) maxDd = dd;
		}
		if (e < min) min = e;
		if (next === i + 1) {
			fanOut[f * stride + at] = e * scale;
			f++;
			next = f < fanX.length ? fanX[f] : -1;
		}
	}
	return { final: e, maxDrawdown: maxDd, longestLosing: maxLosing, longestDrawdown: maxDdLen, min };
}

/**
 * Run a trade-resampling Monte Carlo analysis.
 * - `shuffle`: each path is a uniformly random permutation of the run's trade returns (Fisher–Yates with the seeded
 *   generator): final equity is the run's for every path; drawdowns, streaks and the path move.
 * - `bootstrap`: each path draws n returns with replacement (Efron's bootstrap; n = the run's number of trades).
 * - `win-rate`: each path draws a win probability p from `winRate` (uniform), then each of its n trades is a
 *   winner with probability p (a return drawn uniformly from the run's winning trades) else a loser (from its
 *   losing trades, return <= 0).
 * @param sample - the run's trades ({@link tradeSample}).
 * @param o - method and options (see {@link TradeMonteCarloOptions}).
 * @returns distributions, percentiles, probability of loss, risk of ruin and the fan chart.
 * @throws ValidationError for bad options (see {@link resolveOptions}); for `win-rate`, when the run has no winning
 *   or no losing trade or the range is outside [0, 1].
 * @see Efron & Tibshirani, "An Introduction to the Bootstrap" (1993); R. Vince, "The Handbook of Portfolio
 *   Mathematics" (2007) on trade-order resampling and risk of ruin.
 */
export function runTradeMonteCarlo(sample: TradeSample, o: TradeMonteCarloOptions): MonteCarloResult {
	if (o.method !== 'shuffle' && o.method !== 'bootstrap' && o.method !== 'win-rate') {
		throw new ValidationError(`method must be shuffle, bootstrap or win-rate here (execution re-runs the backtest), got ${JSON.stringify(o.method)}.`);
	}
	const opt = resolveOptions(o);
	const { returns, initialCash } = sample;
	const n = returns.length;
	if (n < 2) throw new ValidationError(`Monte Carlo needs at least 2 closed trades; this run has ${n}.`);
	let winners: Float64Array | null = null;
	let losers: Float64Array | null = null;
	let winRange: Range | undefined;
	if (o.method === 'win-rate') {
		winners = returns.filter((r) => r > 0);
		losers = returns.filter((r) => !(r > 0));
		if (winners.length === 0 || losers.length === 0) {
			throw new ValidationError(
				`the win-rate stress test redraws trades from the run's own winners and losers; this run has ${winners.length} winning and ${losers.length} losing trade(s). Use shuffle or bootstrap.`
			);
		}
		const wr = winners.length / n;
		winRange = o.winRate ?? { min: Math.max(0, wr - 0.1), max: wr };
		if (!(winRange.min >= 0 && winRange.max <= 1 && winRange.min <= winRange.max)) {
			throw new ValidationError(`win-rate range must satisfy 0 <= min <= max <= 1 (fractions), got ${winRange.min}..${winRange.max}.`);
		}
	}
	const fanX = fanPositions(n, fanPointBudget(opt.simulations, opt.fanPoints));
	const k = fanX.length;
	const acc = new PathCollector(opt.simulations, fanX);
	const rng = new Rng(opt.seed);
	const order = new Int32Array(n);
	const drawn = new Float64Array(n);
	// Uniform draws of one path, taken from the generator in one batch (the same sequence as one next() per draw).
	const u = new Float64Array(2 * n + 1);
	for (let s = 0; s < opt.simulations; s++) {
		let p: PathFigures;
		if (o.method === 'shuffle') {
			// Fisher–Yates: draw k swaps position i = n-1-k with a uniform j in [0, i].
			rng.fill(u, n - 1);
			for (let i = 0; i < n; i++) order[i] = i;
			for (let i = n - 1, k = 0; i > 0; i--, k++) {
				const j = Math.floor(u[k] * (i + 1));
				const t = order[i];
				order[i] = order[j];
				order[j] = t;
			}
			p = walkPath(returns, order, initialCash, fanX, acc.fan, s, opt.simulations);
		} else if (o.method === 'bootstrap') {
			rng.fill(u, n);
			for (let i = 0; i < n; i++) order[i] = Math.floor(u[i] * n);
			p = walkPath(returns, order, initialCash, fanX, acc.fan, s, opt.simulations);
		} else {
			// One draw for the path's win probability, then two per trade: win or loss, and which one.
			const w = winners!;
			const l = losers!;
			rng.fill(u, 2 * n + 1);
			const prob = winRange!.min + u[0] * (winRange!.max - winRange!.min);
			for (let i = 0; i < n; i++) drawn[i] = u[1 + 2 * i] < prob ? w[Math.floor(u[2 + 2 * i] * w.length)] : l[Math.floor(u[2 + 2 * i] * l.length)];
			p = walkPath(drawn, null, initialCash, fanX, acc.fan, s, opt.simulations);
		}
		if (o.onPath) {
			if (o.method !== 'win-rate') for (let i = 0; i < n; i++) drawn[i] = returns[order[i]];
			o.onPath(s, drawn);
		}
		acc.finalEquity[s] = p.final * initialCash;
		acc.maxDrawdown[s] = p.maxDrawdown;
		acc.longestLosing[s] = p.longestLosing;
		acc.longestDrawdown[s] = p.longestDrawdown;
		acc.minEquity[s] = p.min * initialCash;
	}
	const originalFan = new Float64Array(k);
	const o0 = walkPath(returns, null, initialCash, fanX, originalFan, 0, 1);
	const original: OriginalFigures = {
		finalEquity: o0.final * initialCash,
		maxDrawdownRatio: o0.maxDrawdown,
		cagr: compoundAnnualGrowth(initialCash, o0.final * initialCash, sample.spanMs),
		nTrades: n,
		longestLosingStreak: o0.longestLosing,
		longestDrawdown: o0.longestDrawdown
	};
	return summarise(acc, {
		method: o.method,
		options: opt,
		initialCash,
		spanMs: sample.spanMs,
		original,
		originalFan: Array.from(originalFan),
		fanUnit: 'trade',
		winRate: winRange
	});
}

/** What {@link summarise} needs besides the collected paths. */
export interface SummaryInput {
	method: MonteCarloMethod;
	options: ResolvedOptions;
	initialCash: number;
	spanMs: number;
	original: OriginalFigures;
	originalFan: number[];
	fanUnit: 'trade' | 'bar';
	winRate?: Range;
	execution?: { fee: Range; slippage: Range };
}

/**
 * Summarise one statistic's sample.
 * @param values - one value per path (finite).
 * @param confidence - c in (0, 1).
 * @param higherIsBetter - picks the side of {@link DistributionSummary.worst}.
 * @param bins - histogram bins.
 */
export function distribution(values: Float64Array, confidence: number, higherIsBetter: boolean, bins: number): DistributionSummary {
	const sorted = Float64Array.from(values).sort();
	const n = sorted.length;
	let sum = 0;
	for (let i = 0; i < n; i++) sum += sorted[i];
	const mean = sum / n;
	let ss = 0;
	for (let i = 0; i < n; i++) ss += (sorted[i] - mean) * (sorted[i] - mean);
	return {
		mean,
		std: n > 1 ? Math.sqrt(ss / (n - 1)) : 0,
		min: sorted[0],
		max: sorted[n - 1],
		percentiles: percentilesSorted(sorted),
		lower: quantileSorted(sorted, (1 - confidence) / 2),
		upper: quantileSorted(sorted, (1 + confidence) / 2),
		worst: quantileSorted(sorted, higherIsBetter ? 1 - confidence : confidence),
		histogram: histogram(sorted, bins)
	};
}

/**
 * Turn collected paths into a {@link MonteCarloResult}: distributions, probability of loss, risk of ruin, fan bands.
 * @param acc - the paths.
 * @param s - method, options, the run's own figures and fan.
 */
export function summarise(acc: PathCollector, s: SummaryInput): MonteCarloResult {
	const { simulations, confidence, ruinFloor, bins } = s.options;
	const cagr = new Float64Array(simulations);
	let losses = 0;
	let ruined = 0;
	const floor = ruinFloor * s.initialCash;
	for (let i = 0; i < simulations; i++) {
		cagr[i] = compoundAnnualGrowth(s.initialCash, acc.finalEquity[i], s.spanMs);
		if (acc.finalEquity[i] < s.initialCash) losses++;
		if (acc.minEquity[i] < floor) ruined++;
	}
	const k = acc.fanX.length;
	const bands = {} as Record<PercentileKey, number[]>;
	for (const p of PERCENTILE_LEVELS) bands[String(p) as PercentileKey] = new Array<number>(k);
	for (let j = 0; j < k; j++) {
		// Sorted in place: the fan buffer is not used after the summary.
		const column = acc.fan.subarray(j * simulations, (j + 1) * simulations).sort();
		for (const p of PERCENTILE_LEVELS) bands[String(p) as PercentileKey][j] = quantileSorted(column, p / 100);
	}
	const result: MonteCarloResult = {
		method: s.method,
		simulations,
		seed: s.options.seed,
		confidence,
		ruinFloor,
		initialCash: s.initialCash,
		original: s.original,
		finalEquity: distribution(acc.finalEquity, confidence, true, bins),
		maxDrawdownRatio: distribution(acc.maxDrawdown, confidence, false, bins),
		cagr: distribution(cagr, confidence, true, bins),
		longestLosingStreak: distribution(acc.longestLosing, confidence, false, bins),
		longestDrawdown: distribution(acc.longestDrawdown, confidence, false, bins),
		probabilityOfLoss: losses / simulations,
		riskOfRuin: ruined / simulations,
		fan: { x: [...acc.fanX], unit: s.fanUnit, bands, original: s.originalFan }
	};
	if (s.winRate) result.winRate = s.winRate;
	if (s.execution) result.execution = s.execution;
	return result;
}
