/**
 * Runs a research job: loads the candles of every market and timeframe (with progress), finds their common range and
 * splits it into the evidence and hold-out windows, then optimises each (market, timeframe, strategy) row in turn on
 * the evidence window (a bar belongs to the window its open time is in) with the existing optimiser (src/lib/optimize/runner.ts for the single-market path; a grid over
 * the portfolio-of-one job for leverage / breaker / risk axes), re-runs the row's best trials and the baseline (the
 * preset, or the defaults) on the hold-out window, and records the out-of-sample check.
 *
 * Memory stays flat: a row keeps its top-K trials, the optimiser's aggregates (at most `maxBins` values per axis and
 * `maxBins`² cells per pair of axes, default 20) and streamed moments, whatever the size of its grid. A failing row
 * keeps its error and the job goes on; an abort leaves a resumable state in `job.active`; `runResearch` on a
 * cancelled / failed / interrupted job continues where it stopped. No DOM or Node imports.
 */
import { RunningMoments } from '../analysis/stats';
import { DataError } from '../core/errors';
import { isoUtc, sliceOhlcv, timeframeMs } from '../core/timeframe';
import type { OhlcvColumns, Timeframe, UnixMs } from '../core/types';
import { getStrategy } from '../engine/strategies';
import type { TrialBatch, TrialResult } from '../optimize/evaluate';
import { dataSpanMs, resolveObjective, type TrialStats } from '../optimize/objective';
import { preparePortfolioJob } from '../optimize/portfolio-job';
import { runOptimization, OptimizationError } from '../optimize/runner';
import { TopK } from '../optimize/top-k';
import { oosCheck, rowDeflatedSharpe } from './improvement';
import { validatePreset } from './presets';
import {
	DEFAULT_RESEARCH_MAX_BINS,
	defaultValuesOf,
	presetId,
	presetValuesOf,
	rowJobOf,
	rowTrialEstimate,
	strategyOfRow,
	valuesJobOf
} from './spec';
import type {
	CandleSource,
	PresetStore,
	PresetValues,
	ResearchDataSlice,
	ResearchEvaluator,
	ResearchJob,
	ResearchProgress,
	ResearchRow,
	ResearchStrategySpec,
	RowJob,
	RowRunState
} from './types';

/** Options of {@link runResearch}. */
export interface RunResearchOptions {
	/** The job (pending, or cancelled / failed / running-when-interrupted to resume). Not mutated: a copy is run. */
	job: ResearchJob;
	candles: CandleSource;
	evaluator: ResearchEvaluator;
	/** Presets: the baseline of each row is its preset when there is one (else the strategy's defaults). */
	presets?: PresetStore;
	signal?: AbortSignal;
	/** Progress (throttled by `progressIntervalMs`; the last report is always sent). */
	onProgress?: (progress: ResearchProgress, job: ResearchJob) => void;
	/**
	 * A resumable snapshot to store (throttled by `saveIntervalMs`, and after every row and at the end). A rejection is
	 * recorded in `job.notes` and the job goes on.
	 */
	onSave?: (job: ResearchJob) => void | Promise<void>;
	/** Batches in flight at once (e.g. workers × 2). Default 1. */
	concurrency?: number;
	/** Trials per batch. Default 64. */
	batchSize?: number;
	progressIntervalMs?: number;
	saveIntervalMs?: number;
	/** Wall clock (ms since epoch) for record times. Default Date.now. */
	now?: () => UnixMs;
	/** Monotonic clock for rates and durations. Default performance.now. */
	clock?: () => number;
}

const monotonic = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** First index with `openTime >= t`. */
function lowerBound(openTime: ArrayLike<number>, t: number): number {
	let lo = 0;
	let hi = openTime.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (openTime[mid] < t) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** Bars of `ohlcv` with open time in `[fromMs, toMs)`. */
export function sliceByTime(ohlcv: OhlcvColumns, fromMs: number, toMs: number): OhlcvColumns {
	return sliceOhlcv(ohlcv, lowerBound(ohlcv.openTime, fromMs), lowerBound(ohlcv.openTime, toMs));
}

/**
 * Common range of several candle series: the latest first open time and the earliest last open time, clipped to
 * the window, and the split time of the hold-out (`from + (1 − fraction)·(to − from)`, floored to the ms).
 * @param series - loaded series (label for messages and open times).
 * @throws DataError "no common range" naming each series' range when they do not overlap inside the window.
 */
export function commonRange(
	series: { label: string; openTime: ArrayLike<number> }[],
	window: { fromMs?: UnixMs; toMs?: UnixMs },
	holdOutFraction: number
): { fromMs: UnixMs; toMs: UnixMs; splitMs: UnixMs } {
	if (series.length === 0) throw new DataError('no candles for any market and timeframe of the job: sync the markets first.');
	let from = window.fromMs ?? -Infinity;
	let to = window.toMs ?? Infinity;
	for (const s of series) {
		const n = s.openTime.length;
		from = Math.max(from, n ? s.openTime[0] : Infinity);
		to = Math.min(to, n ? s.openTime[n - 1] : -Infinity);
	}
	if (!(from < to)) {
		const ranges = series.map((s) => (s.openTime.length ? `${s.label} ${isoUtc(s.openTime[0])} .. ${isoUtc(s.openTime[s.openTime.length - 1])}` : `${s.label} no candles`));
		throw new DataError(
			`no common range: the markets' candles do not overlap${window.fromMs !== undefined || window.toMs !== undefined ? ' inside the chosen window' : ''} (${ranges.join('; ')}); pick markets whose history overlaps or change the window.`
		);
	}
	const splitMs = Math.floor(from + (1 - holdOutFraction) * (to - from));
	return { fromMs: from, toMs: to, splitMs };
}

/** A deep copy safe to hand out (structured clone). */
function snapshot(job: ResearchJob): ResearchJob {
	return structuredClone(job);
}

function message(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}

/**
 * Run (or resume) a research job to the end, or until `signal` aborts.
 * @returns the job as it ended: `completed` (rows may have failed individually, each with its error), `failed`
 *   (bad input: no candles at all, no common range; `error` says what and how to fix it), or `cancelled` (resumable:
 *   pass the returned job again).
 * @throws only for programming errors; data and evaluation problems are recorded in the job.
 */
export async function runResearch(o: RunResearchOptions): Promise<ResearchJob> {
	const job = snapshot(o.job);
	const now = o.now ?? Date.now;
	const clock = o.clock ?? monotonic;
	const spec = job.spec;
	const objective = resolveObjective(spec.objective);
	const concurrency = Math.max(1, Math.floor(o.concurrency ?? 1));
	const batchSize = Math.max(1, Math.floor(o.batchSize ?? 64));
	const progressInterval = o.progressIntervalMs ?? 200;
	const saveInterval = o.saveIntervalMs ?? 2000;
	const t0 = clock();
	const elapsedBefore = job.progress.elapsedMs;
	let sessionTrials = 0;
	let lastReport = -Infinity;
	let lastSave = clock();

	job.status = 'running';
	job.error = undefined;
	job.startedAt ??= now();
	job.updatedAt = now();

	const estimates = new Map<string, number>();
	const estimateOf = (s: ResearchStrategySpec) => {
		const k = s.key ?? s.strategy;
		if (!estimates.has(k)) estimates.set(k, rowTrialEstimate(spec, s));
		return estimates.get(k)!;
	};

	const progress = (force: boolean, current?: ResearchRow, currentTrials = 0) => {
		const t = clock();
		job.progress.elapsedMs = elapsedBefore + (t - t0);
		let done = 0;
		let failed = 0;
		let trialsDone = currentTrials;
		let trialsTotal = 0;
		for (const r of job.rows) {
			const est = estimateOf(strategyOfRow(spec, r));
			if (r.status === 'completed') {
				done++;
				trialsDone += r.trials;
				trialsTotal += r.trials;
			} else if (r.status === 'failed') {
				failed++;
				trialsDone += r.trials;
				trialsTotal += r.trials;
			} else trialsTotal += est;
		}
		const secs = (t - t0) / 1000;
		const rate = secs > 0 ? sessionTrials / secs : 0;
		Object.assign(job.progress, {
			done,
			failed,
			total: job.rows.length,
			trialsDone,
			trialsTotal: Math.max(trialsTotal, trialsDone),
			etaMs: rate > 0 ? (Math.max(0, trialsTotal - trialsDone) / rate) * 1000 : NaN,
			current: current ? { symbol: current.symbol, interval: current.interval, strategy: current.strategy } : undefined
		});
		if (!o.onProgress) return;
		if (!force && t - lastReport < progressInterval) return;
		lastReport = t;
		o.onProgress(structuredClone(job.progress), job);
	};
	const save = async (force: boolean) => {
		if (!o.onSave) return;
		if (!force && clock() - lastSave < saveInterval) return;
		lastSave = clock();
		job.updatedAt = now();
		try {
			await o.onSave(snapshot(job));
		} catch (e) {
			// A failed save (storage full, closed database) must not stop the job; the next save tries again.
			const note = `could not save the job's progress: ${message(e)}`;
			if (!job.notes.includes(note)) job.notes.push(note);
		}
	};

	// 1. Candles of every market and timeframe.
	job.progress.phase = 'candles';
	const series = new Map<string, OhlcvColumns>();
	const seriesError = new Map<string, string>();
	const keyOf = (symbol: string, interval: string) => `${symbol}|${interval}`;
	const pairs: [string, Timeframe][] = [];
	for (const symbol of spec.markets) for (const interval of spec.timeframes) pairs.push([symbol, interval]);
	job.progress.candles = { done: 0, total: pairs.length };
	progress(true);
	for (const [symbol, interval] of pairs) {
		if (o.signal?.aborted) break;
		const k = keyOf(symbol, interval);
		try {
			const ohlcv = await o.candles.load(symbol, interval, spec.window, () => progress(false));
			if (ohlcv.openTime.length === 0) throw new DataError(`no ${interval} candles for ${symbol}: sync ${symbol} ${interval} first, or drop the timeframe.`);
			series.set(k, ohlcv);
		} catch (e) {
			seriesError.set(k, message(e));
		}
		job.progress.candles.done++;
		progress(false);
	}
	if (o.signal?.aborted) return finishCancelled();

	// 2. Common range (kept from an earlier session so a resumed job uses the same windows).
	if (!job.range) {
		try {
			const loaded = [...series.entries()].map(([label, s]) => ({ label: label.replace('|', ' '), openTime: s.openTime }));
			job.range = commonRange(loaded, spec.window, spec.validation?.fraction ?? 0.25);
		} catch (e) {
			return finishFailed(message(e));
		}
	}
	const range = job.range;
	for (const [k, e] of seriesError) {
		const note = `${k.replace('|', ' ')}: ${e}`;
		if (!job.notes.includes(note)) job.notes.push(note);
	}

	const slices = new Map<string, { evidence: ResearchDataSlice; holdOut: ResearchDataSlice; intervalMs: number }>();
	const sliceOf = (symbol: string, interval: Timeframe) => {
		const k = keyOf(symbol, interval);
		let s = slices.get(k);
		if (s) return s;
		const ohlcv = series.get(k)!;
		const ev = sliceByTime(ohlcv, range.fromMs, range.splitMs);
		const ho = sliceByTime(ohlcv, range.splitMs, range.toMs + 1);
		s = {
			evidence: { id: `${k}|${range.fromMs}|${range.splitMs}`, symbol, interval, ohlcv: ev },
			holdOut: { id: `${k}|${range.splitMs}|${range.toMs}`, symbol, interval, ohlcv: ho },
			intervalMs: timeframeMs(interval)
		};
		slices.set(k, s);
		return s;
	};

	// 3. Rows.
	job.progress.phase = 'optimising';
	for (let i = 0; i < job.rows.length; i++) {
		const row = job.rows[i];
		if (row.status === 'completed' || row.status === 'failed') continue;
		if (o.signal?.aborted) return finishCancelled();
		const k = keyOf(row.symbol, row.interval);
		if (!series.has(k)) {
			failRow(row, seriesError.get(k) ?? `no ${row.interval} candles for ${row.symbol}.`);
			progress(true);
			await save(true);
			continue;
		}
		const strat = strategyOfRow(spec, row);
		const sl = sliceOf(row.symbol, row.interval);
		const evBars = sl.evidence.ohlcv.openTime.length;
		const hoBars = sl.holdOut.ohlcv.openTime.length;
		row.bars = { evidence: evBars, holdOut: hoBars };
		if (evBars < 2 || hoBars < 2) {
			failRow(row, `${row.symbol} ${row.interval} has ${evBars} evidence and ${hoBars} hold-out bar(s) in the common range: too few; widen the window or use a shorter timeframe.`);
			progress(true);
			await save(true);
			continue;
		}
		row.status = 'running';
		const rowStart = clock();
		const before = row.durationMs;
		const resume = job.active?.row === i ? job.active.state : undefined;
		const evData = { bars: evBars, spanMs: dataSpanMs(sl.evidence.ohlcv.openTime, sl.intervalMs) };
		const hoData = { bars: hoBars, spanMs: dataSpanMs(sl.holdOut.ohlcv.openTime, sl.intervalMs) };
		const rj = rowJobOf(spec, strat, evData);
		let outcome: { status: 'done' | 'cancelled'; top: TrialResult[]; state: RowRunState; evaluated: number; ranked: number; aggregates: ResearchRow['aggregates']; moments: ResearchRow['moments']; spaceSize: number };
		try {
			outcome = await optimiseRow(rj, sl.evidence, resume, (trials) => {
				progress(false, row, trials);
				return save(false);
			}, (state) => {
				job.active = { row: i, state };
			});
		} catch (e) {
			row.durationMs = before + (clock() - rowStart);
			failRow(row, `optimisation failed: ${message(e)}`);
			job.active = undefined;
			o.evaluator.release?.(sl.evidence.id);
			progress(true);
			await save(true);
			continue;
		}
		row.durationMs = before + (clock() - rowStart);
		if (outcome.status === 'cancelled') {
			job.active = { row: i, state: outcome.state };
			row.status = 'pending';
			return finishCancelled();
		}
		job.active = undefined;
		row.trials = outcome.evaluated;
		row.ranked = outcome.ranked;
		row.spaceSize = outcome.spaceSize;
		row.aggregates = outcome.aggregates;
		row.moments = outcome.moments;
		try {
			await validateRow(row, strat, outcome.top, sl.evidence, sl.holdOut, evData, hoData);
			row.status = 'completed';
		} catch (e) {
			failRow(row, `out-of-sample check failed to run: ${message(e)}`);
		}
		row.durationMs = before + (clock() - rowStart);
		o.evaluator.release?.(sl.evidence.id);
		o.evaluator.release?.(sl.holdOut.id);
		progress(true);
		await save(true);
	}
	job.progress.phase = 'done';
	job.status = job.rows.every((r) => r.status === 'failed') ? 'failed' : 'completed';
	if (job.status === 'failed') job.error = `every row failed: ${job.rows[0]?.error ?? 'no rows'}`;
	job.finishedAt = now();
	progress(true);
	await save(true);
	return snapshot(job);

	function failRow(row: ResearchRow, error: string) {
		row.status = 'failed';
		row.error = error;
	}

	async function finishCancelled(): Promise<ResearchJob> {
		job.status = 'cancelled';
		job.error = 'Cancelled: resume to continue from the last saved point.';
		progress(true);
		await save(true);
		return snapshot(job);
	}

	async function finishFailed(error: string): Promise<ResearchJob> {
		job.status = 'failed';
		job.error = error;
		job.progress.phase = 'done';
		job.finishedAt = now();
		progress(true);
		await save(true);
		return snapshot(job);
	}

	/** Optimise one row on its evidence slice (single path: the optimiser's runner; portfolio path: a grid). */
	async function optimiseRow(
		rj: RowJob,
		data: ResearchDataSlice,
		resume: RowRunState | undefined,
		onTrials: (trials: number) => Promise<void> | void,
		onState: (state: RowRunState) => void
	) {
		const topK = spec.topK ?? 20;
		if (rj.path === 'single') {
			const resumeState = resume?.path === 'single' ? resume.state : undefined;
			const out = await runOptimization({
				job: rj.job,
				method: spec.method ?? { kind: 'grid' },
				resume: resumeState ? { ...resumeState, job: rj.job } : undefined,
				evaluate: (b) => o.evaluator.evaluate(data, rj, b),
				signal: o.signal,
				concurrency,
				batchSize,
				topK,
				maxBins: spec.maxBins ?? DEFAULT_RESEARCH_MAX_BINS,
				progressIntervalMs: progressInterval,
				onResults: (r) => {
					sessionTrials += r.length;
				},
				onProgress: (p) => {
					onState({ path: 'single', state: p.snapshot() });
					void onTrials(p.completed);
				}
			}).catch((e) => {
				if (e instanceof OptimizationError) throw new Error(e.message, { cause: e });
				throw e;
			});
			const agg = out.aggregates;
			const m = out.state.moments ?? { sharpe: { n: 0, mean: 0, m2: 0 }, rank: { n: 0, mean: 0, m2: 0 } };
			return {
				status: out.status,
				top: out.top,
				state: { path: 'single', state: out.state } as RowRunState,
				evaluated: out.state.evaluated,
				ranked: agg.ranked,
				aggregates: agg.state(),
				moments: m,
				spaceSize: agg.space.countValid().count
			};
		}
		const p = preparePortfolioJob(rj.job, 1);
		const st = resume?.path === 'portfolio' ? resume : undefined;
		const top = new TopK(topK, st?.top ?? []);
		const sharpe = new RunningMoments(st?.moments.sharpe);
		const rank = new RunningMoments(st?.moments.rank);
		let next = st?.next ?? 0;
		let evaluated = st?.evaluated ?? 0;
		let ranked = top.size;
		const start = clock();
		const state = (): RowRunState => ({
			path: 'portfolio',
			next,
			top: structuredClone(top.sorted()),
			evaluated,
			moments: { sharpe: sharpe.state(), rank: rank.state() },
			elapsedMs: (st?.elapsedMs ?? 0) + (clock() - start)
		});
		while (next < p.size) {
			if (o.signal?.aborted) return { status: 'cancelled' as const, top: top.sorted(), state: state(), evaluated, ranked, aggregates: null, moments: { sharpe: sharpe.state(), rank: rank.state() }, spaceSize: p.size };
			const batches: TrialBatch[] = [];
			for (let c = 0; c < concurrency && next < p.size; c++) {
				const to = Math.min(p.size, next + batchSize);
				batches.push({ kind: 'range', from: next, to });
				next = to;
			}
			const results = await Promise.all(batches.map((b) => o.evaluator.evaluate(data, rj, b)));
			for (const rs of results) {
				for (const r of rs) {
					top.add(r);
					sharpe.add(r.stats.sharpeRatio);
					if (Number.isFinite(r.rank)) {
						rank.add(r.rank);
					}
				}
				evaluated += rs.length;
				sessionTrials += rs.length;
			}
			ranked = rank.n;
			onState(state());
			await onTrials(evaluated);
		}
		return { status: 'done' as const, top: top.sorted(), state: state(), evaluated, ranked, aggregates: null, moments: { sharpe: sharpe.state(), rank: rank.state() }, spaceSize: p.size };
	}

	/** Hold-out re-runs of the best trials and the baseline, then the out-of-sample check. */
	async function validateRow(
		row: ResearchRow,
		strat: ResearchStrategySpec,
		top: TrialResult[],
		evidence: ResearchDataSlice,
		holdOut: ResearchDataSlice,
		evData: { bars: number; spanMs: number },
		hoData: { bars: number; spanMs: number }
	) {
		const axes = row.axes;
		const hoJob: RowJob = rowJobOf(spec, strat, hoData);
		const hoStats = new Map<number, TrialStats>();
		if (top.length) {
			// Portfolio rows are evaluated in ranges only (ResearchEvaluator's contract): one one-trial range per index.
			const batches: TrialBatch[] = hoJob.path === 'single' ? [{ kind: 'indices', indices: top.map((t) => t.index) }] : top.map((t) => ({ kind: 'range', from: t.index, to: t.index + 1 }));
			for (const b of batches) for (const r of await o.evaluator.evaluate(holdOut, hoJob, b)) hoStats.set(r.index, r.stats);
		}
		row.top = top.map((t) => ({
			index: t.index,
			values: Object.fromEntries(axes.map((n, d) => [n, t.values[d]])),
			stats: t.stats,
			rank: t.rank,
			holdOut: hoStats.get(t.index)
		}));
		const best = top[0];
		row.bestParams = best ? presetValuesOf(spec, strat, axes, best.values) : null;
		row.bestStats = best ? best.stats : null;

		// Baseline: the preset's values, or the strategy's defaults.
		let baseValues: PresetValues = defaultValuesOf(spec, strat);
		let source: 'preset' | 'defaults' = 'defaults';
		if (o.presets) {
			const preset = await o.presets.get(presetId(row));
			if (preset) {
				const problem = validatePreset(preset);
				if (problem) job.notes.push(`preset ${preset.id} not used as baseline: ${problem}`);
				else if (preset.strategyId !== row.strategyId) job.notes.push(`preset ${preset.id} is for ${preset.strategyId}, not ${row.strategyId}: not used as baseline`);
				else {
					baseValues = { params: { ...baseValues.params, ...preset.values.params }, ...(preset.values.risk ? { risk: { ...preset.values.risk } } : {}) };
					source = 'preset';
				}
			}
		}
		row.baseline = null;
		try {
			const [e] = await o.evaluator.evaluate(evidence, valuesJobOf(spec, strat, baseValues, evData), { kind: 'range', from: 0, to: 1 });
			const [h] = await o.evaluator.evaluate(holdOut, valuesJobOf(spec, strat, baseValues, hoData), { kind: 'range', from: 0, to: 1 });
			if (e && h) row.baseline = { values: baseValues, evidence: e.stats, holdOut: h.stats, source };
			else job.notes.push(`${row.symbol} ${row.interval} ${row.strategy}: the ${source} values break a ${getStrategy(strat.strategy).id} rule; no baseline.`);
		} catch (e) {
			job.notes.push(`${row.symbol} ${row.interval} ${row.strategy}: the ${source} values could not be evaluated (${message(e)}); no baseline.`);
		}
		const ho = holdOut.ohlcv.openTime;
		const window = { fromMs: ho[0], toMs: ho[ho.length - 1], bars: ho.length };
		if (best) {
			row.oos = oosCheck(objective, window, { evidence: best.stats, holdOut: hoStats.get(best.index) }, row.baseline);
			const days = evData.spanMs / 86_400_000;
			row.deflated = rowDeflatedSharpe(best.stats.sharpeRatio, row.moments.sharpe, days);
		} else {
			row.oos = {
				method: 'hold-out',
				window,
				evidence: { best: NaN, baseline: NaN },
				holdOut: { best: NaN, baseline: NaN },
				evidenceImprovement: NaN,
				holdOutImprovement: NaN,
				passed: false,
				reason: `no trial was ranked on the evidence window (every combination had fewer than ${objective.minTrades} trade(s))`
			};
			row.deflated = null;
		}
	}
}
