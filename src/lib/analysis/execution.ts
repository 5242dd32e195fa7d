/**
 * Randomised execution: re-run the backtest many times with the fee rate and the slippage drawn per simulation
 * (uniformly) from user ranges, through the same engine API the app and the CLI use (a {@link WasmEngine} in Node,
 * the worker pool in the app, which splits the draws into chunks). The draws are made once from the seed on the
 * caller's side, so the result does not depend on how the chunks were spread over workers.
 *
 * Each path is the close-marked equity of a full backtest: drawdown is the engine's close-marked max drawdown,
 * the longest drawdown is in bars, ruin means the close-marked equity fell below the floor at some bar.
 * Plain TypeScript, no DOM or Node imports.
 */
import { ValidationError } from '../core/errors';
import { Rng } from '../core/rng';
import type { BacktestConfig, Trade } from '../engine/types';
import { compoundAnnualGrowth } from '../metrics/returns';
import {
	fanPointBudget,
	fanPositions,
	MAX_EXECUTION_SIMULATIONS,
	PathCollector,
	resolveOptions,
	summarise,
	type MonteCarloOptions,
	type MonteCarloResult,
	type OriginalFigures,
	type Range,
	type ResolvedOptions
} from './monte-carlo';

/** The part of the engine the re-runs need ({@link WasmEngine.run} satisfies it). */
export interface ExecutionEngine {
	run(config: BacktestConfig): { equity: Float64Array; trades: Trade[]; summary: { finalEquity: number; maxDrawdownRatio: number } };
}

/** Options of the execution method. */
export interface ExecutionOptions extends MonteCarloOptions {
	/** Fee rate range per fill (fractions). Default: from the run's fee to the run's fee + 0.0005 (5 bp). */
	fee?: Range;
	/** Slippage range (fractions of price). Default: from the run's slippage to the run's slippage + 0.001 (10 bp). */
	slippage?: Range;
}

/** Fee and slippage of one simulation. */
export interface ExecutionDraw {
	fee: number;
	slippage: number;
}

/** Everything the re-runs need, decided once from the seed (plain data: can be posted to workers). */
export interface ExecutionPlan {
	options: ResolvedOptions;
	fee: Range;
	slippage: Range;
	draws: ExecutionDraw[];
	/** Bar indices of the fan points. */
	fanX: number[];
}

/** Per-simulation figures of a chunk of draws (plain arrays: JSON and structured-clone safe). */
export interface ExecutionChunk {
	finalEquity: number[];
	maxDrawdown: number[];
	longestLosing: number[];
	longestDrawdown: number[];
	minEquity: number[];
	/** Equity at the fan bars, row-major (draw i, point k at `i * fanX.length + k`). */
	fan: number[];
}

function checkRange(name: string, r: Range): Range {
	if (!(Number.isFinite(r?.min) && Number.isFinite(r?.max) && r.min >= 0 && r.max < 0.5 && r.min <= r.max)) {
		throw new ValidationError(`${name} range must satisfy 0 <= min <= max < 0.5 (fractions, 0.001 = 0.1 %), got ${r?.min}..${r?.max}.`);
	}
	return { min: r.min, max: r.max };
}

/**
 * Validate the options and draw every simulation's fee and slippage from the seed (fee first, then slippage, per
 * simulation, uniform in each range).
 * @param config - the run's configuration (defaults of the ranges).
 * @param bars - number of bars of the run (fan positions).
 * @param o - options.
 * @throws ValidationError for bad options (simulations up to {@link MAX_EXECUTION_SIMULATIONS}) or ranges.
 */
export function executionPlan(config: BacktestConfig, bars: number, o: ExecutionOptions = {}): ExecutionPlan {
	const options = resolveOptions(o, MAX_EXECUTION_SIMULATIONS);
	if (!Number.isInteger(bars) || bars < 2) throw new ValidationError(`the run needs at least 2 bars, got ${bars}.`);
	const fee = checkRange('fee', o.fee ?? { min: config.feeRate, max: config.feeRate + 0.0005 });
	const slippage = checkRange('slippage', o.slippage ?? { min: config.slippageRate, max: config.slippageRate + 0.001 });
	const rng = new Rng(options.seed);
	const draws: ExecutionDraw[] = new Array(options.simulations);
	for (let i = 0; i < options.simulations; i++) {
		const f = fee.min + rng.next() * (fee.max - fee.min);
		const s = slippage.min + rng.next() * (slippage.max - slippage.min);
		draws[i] = { fee: f, slippage: s };
	}
	return { options, fee, slippage, draws, fanX: fanPositions(bars - 1, fanPointBudget(options.simulations, options.fanPoints)) };
}

/** Path figures of one full backtest. */
function runFigures(equity: Float64Array, trades: readonly Trade[], initialCash: number) {
	let peak = initialCash;
	let len = 0;
	let maxLen = 0;
	let min = initialCash;
	for (let i = 0; i < equity.length; i++) {
		const e = equity[i];
		if (e >= peak) {
			peak = e;
			len = 0;
		} else if (++len > maxLen) maxLen = len;
		if (e < min) min = e;
	}
	let losing = 0;
	let maxLosing = 0;
	for (const t of trades) {
		if (t.pnl < 0) {
			if (++losing > maxLosing) maxLosing = losing;
		} else losing = 0;
	}
	return { longestDrawdown: maxLen, minEquity: min, longestLosing: maxLosing };
}

/**
 * Re-run the backtest for a chunk of draws (the worker-side entry point).
 * @param engine - an engine holding the run's candles.
 * @param config - the run's configuration; each draw replaces `feeRate` and `slippageRate`.
 * @param draws - the chunk's draws, in plan order.
 * @param fanX - bar indices of the fan points.
 * @returns one entry per draw, in draw order.
 * @throws ValidationError from the engine for an invalid configuration.
 */
export function runExecutionChunk(engine: ExecutionEngine, config: BacktestConfig, draws: readonly ExecutionDraw[], fanX: readonly number[]): ExecutionChunk {
	const out: ExecutionChunk = { finalEquity: [], maxDrawdown: [], longestLosing: [], longestDrawdown: [], minEquity: [], fan: [] };
	for (const d of draws) {
		const r = engine.run({ ...config, feeRate: d.fee, slippageRate: d.slippage });
		const f = runFigures(r.equity, r.trades, config.initialCash);
		out.finalEquity.push(r.summary.finalEquity);
		out.maxDrawdown.push(r.summary.maxDrawdownRatio);
		out.longestLosing.push(f.longestLosing);
		out.longestDrawdown.push(f.longestDrawdown);
		out.minEquity.push(f.minEquity);
		for (const x of fanX) out.fan.push(r.equity[x]);
	}
	return out;
}

/**
 * Split a plan's draws into `parts` contiguous chunks (for a worker pool).
 * @returns `[from, to)` index ranges covering every draw in order.
 */
export function chunkRanges(n: number, parts: number): Array<[number, number]> {
	const p = Math.max(1, Math.min(n, Math.floor(parts)));
	const out: Array<[number, number]> = [];
	for (let i = 0; i < p; i++) out.push([Math.floor((i * n) / p), Math.floor(((i + 1) * n) / p)]);
	return out;
}

/**
 * Combine the chunks (in plan order) with the run's own backtest into the result.
 * @param plan - the plan the chunks were run from.
 * @param chunks - results of {@link runExecutionChunk} over the plan's draws, in order.
 * @param base - the run's own backtest (its configuration unchanged).
 * @param config - the run's configuration.
 * @param spanMs - run span (ms) for CAGR.
 * @throws ValidationError when the chunks do not cover the plan's draws.
 */
export function summariseExecution(
	plan: ExecutionPlan,
	chunks: readonly ExecutionChunk[],
	base: { equity: Float64Array; trades: readonly Trade[]; summary: { finalEquity: number; maxDrawdownRatio: number } },
	config: BacktestConfig,
	spanMs: number
): MonteCarloResult {
	const n = plan.options.simulations;
	const k = plan.fanX.length;
	const acc = new PathCollector(n, plan.fanX);
	let at = 0;
	for (const c of chunks) {
		for (let i = 0; i < c.finalEquity.length; i++, at++) {
			if (at >= n) break;
			acc.finalEquity[at] = c.finalEquity[i];
			acc.maxDrawdown[at] = c.maxDrawdown[i];
			acc.longestLosing[at] = c.longestLosing[i];
			acc.longestDrawdown[at] = c.longestDrawdown[i];
			acc.minEquity[at] = c.minEquity[i];
			for (let j = 0; j < k; j++) acc.fan[j * n + at] = c.fan[i * k + j];
		}
	}
	if (at !== n) throw new ValidationError(`execution chunks hold ${at} simulations, the plan has ${n}.`);
	const f = runFigures(base.equity, base.trades, config.initialCash);
	const original: OriginalFigures = {
		finalEquity: base.summary.finalEquity,
		maxDrawdownRatio: base.summary.maxDrawdownRatio,
		cagr: compoundAnnualGrowth(config.initialCash, base.summary.finalEquity, spanMs),
		nTrades: base.trades.length,
		longestLosingStreak: f.longestLosing,
		longestDrawdown: f.longestDrawdown
	};
	return summarise(acc, {
		method: 'execution',
		options: plan.options,
		initialCash: config.initialCash,
		spanMs,
		original,
		originalFan: plan.fanX.map((x) => base.equity[x]),
		fanUnit: 'bar',
		execution: { fee: plan.fee, slippage: plan.slippage }
	});
}

/**
 * The whole execution method on one engine (Node: CLI, tests, bench).
 * @param engine - engine holding the run's candles.
 * @param config - the run's configuration.
 * @param bars - number of candles loaded.
 * @param spanMs - run span (ms).
 * @param o - options.
 */
export function runExecutionMonteCarlo(engine: ExecutionEngine, config: BacktestConfig, bars: number, spanMs: number, o: ExecutionOptions = {}): MonteCarloResult {
	const plan = executionPlan(config, bars, o);
	const base = engine.run(config);
	if (base.trades.length < 2) {
		throw new ValidationError(`Monte Carlo needs at least 2 closed trades; this run has ${base.trades.length}. Use a longer date range or parameters that trade more often.`);
	}
	return summariseExecution(plan, [runExecutionChunk(engine, config, plan.draws, plan.fanX)], base, config, spanMs);
}
