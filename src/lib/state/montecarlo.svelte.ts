/**
 * State of the Monte Carlo panel of one run: the form (method, simulations, seed, confidence, ruin floor, method
 * ranges; shown in percent, kept here in the UI's units), the computation (trade methods in the analysis worker,
 * randomised execution as chunks through the backtest worker pool), its result and digest, cancel and errors.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { chunkRanges, executionPlan, summariseExecution, type ExecutionChunk } from '../analysis/execution';
import {
	MAX_EXECUTION_SIMULATIONS,
	MAX_SIMULATIONS,
	resolveOptions,
	tradeSample,
	type MonteCarloMethod,
	type MonteCarloResult,
	type TradeSample
} from '../analysis/monte-carlo';
import { timeframeMs } from '../core/timeframe';
import type { OhlcvColumns } from '../core/types';
import type { AnalysisClient } from '../workers/analysis-client';
import type { PoolJob, WorkerPool } from '../workers/pool';
import type { Remote } from 'comlink';
import type { BacktestWorkerApi } from '../workers/protocol';
import type { Run } from './runs.svelte';

/** Methods offered, with their labels and one-line explanations. */
export const MC_METHODS: readonly { id: MonteCarloMethod; label: string; help: string }[] = Object.freeze([
	{ id: 'bootstrap', label: 'Bootstrap', help: 'Trades drawn with replacement: how different could the result have been with trades like these?' },
	{ id: 'shuffle', label: 'Trade-order shuffle', help: 'Same trades, random order: final equity is unchanged, the path (drawdown, streaks) moves.' },
	{ id: 'execution', label: 'Randomised execution', help: 'The backtest re-run with fee and slippage drawn per simulation from the ranges below.' },
	{ id: 'win-rate', label: 'Win-rate stress', help: 'Each trade redrawn as a win or a loss from the run’s own winners and losers, win probability drawn from the range.' }
]);

/**
 * Stable short digest of a result: SHA-256 of its JSON text (NaN/Infinity as null), first 16 hex digits. Equal
 * digests = bit-identical numbers (JSON prints every float64 exactly).
 */
export function monteCarloDigest(r: MonteCarloResult): string {
	const text = JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v));
	return bytesToHex(sha256(utf8ToBytes(text))).slice(0, 16);
}

/**
 * The last Monte Carlo result of each run in this page session (run id → result), so the run's HTML report can
 * include it. Plain (not reactive) and bounded by the runs viewed.
 */
export const lastMonteCarlo = new Map<string, MonteCarloResult>();

/** Where the computation runs (created in the browser). */
export interface MonteCarloDeps {
	analysis: Pick<AnalysisClient, 'monteCarlo' | 'cancel'>;
	pool: WorkerPool<Remote<BacktestWorkerApi>> | null;
}

const round = (v: number, d = 6) => Number(v.toFixed(d));

/** Rune state of one run's Monte Carlo panel. */
export class MonteCarloState {
	method = $state<MonteCarloMethod>('bootstrap');
	simulations = $state(1000);
	seed = $state(1);
	/** Percent. */
	confidencePct = $state(95);
	/** Percent of the initial equity. */
	ruinFloorPct = $state(50);
	winMinPct = $state(0);
	winMaxPct = $state(0);
	feeMinPct = $state(0.1);
	feeMaxPct = $state(0.15);
	slippageMinPct = $state(0);
	slippageMaxPct = $state(0.1);

	result = $state.raw<MonteCarloResult | null>(null);
	digest = $state<string | null>(null);
	busy = $state(false);
	error = $state<string | null>(null);
	elapsedMs = $state(0);
	readonly runId: string;
	#jobs: PoolJob<ExecutionChunk>[] = [];
	#cancelled = false;

	/**
	 * @param run - the completed run; the ranges default from its own win rate, fee and slippage. For a sample that
	 *   is not a run (walk-forward out-of-sample trades), pass `{ id, trades }` and use {@link startSample}.
	 */
	constructor(run: Run | { id: string; trades: readonly { pnl: number }[] }) {
		this.runId = run.id;
		if (!('config' in run)) {
			const wr = run.trades.length ? run.trades.filter((t) => t.pnl > 0).length / run.trades.length : 0;
			this.winMaxPct = round(wr * 100, 2);
			this.winMinPct = round(Math.max(0, wr - 0.1) * 100, 2);
			return;
		}
		const trades = run.result?.trades ?? [];
		const wr = trades.length ? trades.filter((t) => t.pnl > 0).length / trades.length : 0;
		this.winMaxPct = round(wr * 100, 2);
		this.winMinPct = round(Math.max(0, wr - 0.1) * 100, 2);
		this.feeMinPct = round(run.config.feeRate * 100);
		this.feeMaxPct = round((run.config.feeRate + 0.0005) * 100);
		this.slippageMinPct = round(run.config.slippageRate * 100);
		this.slippageMaxPct = round((run.config.slippageRate + 0.001) * 100);
	}

	/** Largest number of simulations of the chosen method. */
	get cap(): number {
		return this.method === 'execution' ? MAX_EXECUTION_SIMULATIONS : MAX_SIMULATIONS;
	}

	/**
	 * Run the analysis for a completed run.
	 * @param run - the run (its trades; for execution its configuration).
	 * @param candles - the run's candles (execution only; must be the ones the run used).
	 * @param deps - the analysis worker and the backtest pool.
	 * @returns nothing; the result, digest or a readable error land in the fields.
	 */
	async start(run: Run, candles: { ohlcv: OhlcvColumns; identical: boolean } | null, deps: MonteCarloDeps): Promise<void> {
		if (this.busy) return;
		this.error = null;
		this.#cancelled = false;
		const r = run.result;
		if (run.status !== 'completed' || !r) {
			this.error = 'Monte Carlo needs a completed run.';
			return;
		}
		const common = {
			simulations: Number(this.simulations),
			seed: Number(this.seed),
			confidence: Number(this.confidencePct) / 100,
			ruinFloor: Number(this.ruinFloorPct) / 100
		};
		const spanMs = run.market.lastOpenTime + timeframeMs(run.market.interval) - run.market.firstOpenTime;
		const t0 = performance.now();
		this.busy = true;
		try {
			let result: MonteCarloResult;
			if (this.method === 'execution') {
				if (!deps.pool) throw new Error('The workers are still starting; try again in a moment.');
				if (!candles || !candles.identical) {
					throw new Error('Randomised execution re-runs the backtest on the run’s own candles: load that market and range (they changed or are not stored).');
				}
				if (r.trades.length < 2) {
					throw new Error(`Monte Carlo needs at least 2 closed trades; this run has ${r.trades.length}. Use a longer date range or parameters that trade more often.`);
				}
				const plan = executionPlan(run.config, candles.ohlcv.openTime.length, {
					...common,
					fee: { min: Number(this.feeMinPct) / 100, max: Number(this.feeMaxPct) / 100 },
					slippage: { min: Number(this.slippageMinPct) / 100, max: Number(this.slippageMaxPct) / 100 }
				});
				const pool = deps.pool;
				const dataset = { id: run.market.datasetId, ohlcv: candles.ohlcv };
				this.#jobs = chunkRanges(plan.draws.length, Math.max(1, pool.size) * 2).map(([a, b]) =>
					pool.submit({
						dataset,
						timeoutMs: 600_000,
						run: (api) => api.executionChunk({ datasetId: dataset.id, config: run.config, draws: plan.draws.slice(a, b), fanX: plan.fanX }) as Promise<ExecutionChunk>
					})
				);
				const chunks = await Promise.all(this.#jobs.map((j) => j.promise));
				const last = r.equity.length - 1;
				result = summariseExecution(
					plan,
					chunks,
					{ equity: r.equity, trades: r.trades, summary: { finalEquity: r.equity[last], maxDrawdownRatio: r.metrics.maxDrawdownRatio } },
					run.config,
					spanMs
				);
			} else {
				resolveOptions(common);
				const sample = tradeSample(r.trades, run.config.initialCash, spanMs);
				const winRate = this.method === 'win-rate' ? { min: Number(this.winMinPct) / 100, max: Number(this.winMaxPct) / 100 } : undefined;
				result = await deps.analysis.monteCarlo(sample, { ...common, method: this.method, winRate });
			}
			if (this.#cancelled) return;
			this.result = result;
			this.digest = monteCarloDigest(result);
			lastMonteCarlo.set(this.runId, result);
			this.elapsedMs = performance.now() - t0;
		} catch (e) {
			if (!this.#cancelled) this.error = (e as Error).message;
		} finally {
			this.#jobs = [];
			this.busy = false;
		}
	}

	/**
	 * Run a trade method (shuffle, bootstrap, win-rate) on a prepared sample, e.g. walk-forward out-of-sample trades.
	 * @param sample - per-trade returns, initial cash and span; fewer than 2 trades gives a readable error.
	 * @param deps - the analysis worker.
	 */
	async startSample(sample: TradeSample, deps: Pick<MonteCarloDeps, 'analysis'>): Promise<void> {
		if (this.busy) return;
		this.error = null;
		this.#cancelled = false;
		const common = {
			simulations: Number(this.simulations),
			seed: Number(this.seed),
			confidence: Number(this.confidencePct) / 100,
			ruinFloor: Number(this.ruinFloorPct) / 100
		};
		const t0 = performance.now();
		this.busy = true;
		try {
			if (this.method === 'execution') throw new Error('Randomised execution re-runs one backtest; for walk-forward trades use shuffle, bootstrap or win-rate.');
			resolveOptions(common);
			if (sample.returns.length < 2) throw new Error(`Monte Carlo needs at least 2 closed trades; there are ${sample.returns.length}.`);
			const winRate = this.method === 'win-rate' ? { min: Number(this.winMinPct) / 100, max: Number(this.winMaxPct) / 100 } : undefined;
			const result = await deps.analysis.monteCarlo(sample, { ...common, method: this.method, winRate });
			if (this.#cancelled) return;
			this.result = result;
			this.digest = monteCarloDigest(result);
			this.elapsedMs = performance.now() - t0;
		} catch (e) {
			if (!this.#cancelled) this.error = (e as Error).message;
		} finally {
			this.busy = false;
		}
	}

	/** Stop the computation in progress (nothing is kept). */
	cancel(deps: Pick<MonteCarloDeps, 'analysis'>): void {
		if (!this.busy) return;
		this.#cancelled = true;
		for (const j of this.#jobs) j.cancel();
		if (this.method !== 'execution') deps.analysis.cancel();
		this.error = 'Cancelled.';
	}
}
