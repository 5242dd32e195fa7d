/**
 * The best-parameters table of a job (one row per market × timeframe × strategy: best values and statistics, the
 * preset's values and statistics on the same data, the improvement, the out-of-sample check, the confidence),
 * Apply (write a row's best values to its preset, logged), and Compare (two parameter sets on one market, side by
 * side statistics and equity).
 */
import { ValidationError } from '../core/errors';
import { timeframeMs } from '../core/timeframe';
import type { BacktestConfig, PortfolioConfig } from '../engine/types';
import type { CoreSummary } from '../engine/wasm-engine';
import { dataSpanMs, trialStats } from '../optimize/objective';
import { formatFigure } from './format';
import { rowConfidence } from './improvement';
import { mergeBest, sameValuesFor, setPreset } from './presets';
import { backtestConfigOf, portfolioConfigOf, presetId, rowPath, strategyOfRow } from './spec';
import type { BestParamsRow, ParameterComparison, Preset, PresetChange, PresetStore, PresetValues, ResearchDataSlice, ResearchJob } from './types';

/**
 * Rows of the best-parameters table, in job order.
 * @param job - a job (any status; rows not completed show their status and error).
 * @param presets - the presets now (e.g. `await store.list()`).
 */
export function bestParamsTable(job: ResearchJob, presets: readonly Preset[]): BestParamsRow[] {
	const byId = new Map(presets.map((p) => [p.id, p]));
	return job.rows.map((r) => {
		const preset = byId.get(presetId(r));
		const current = r.baseline;
		const currentIsPreset = current ? (current.source === 'preset' ? !!preset && sameValuesFor(r.strategyId, preset.values, current.values) : !preset) : false;
		const out: BestParamsRow = {
			symbol: r.symbol,
			interval: r.interval,
			strategy: r.strategy,
			status: r.status,
			best: r.bestParams,
			bestStats: r.bestStats,
			preset: preset ? preset.values : null,
			current,
			currentIsPreset,
			improvement: r.oos?.evidenceImprovement ?? NaN,
			oos: r.oos,
			confidence: rowConfidence(r),
			upToDate: !!preset && !!r.bestParams && sameValuesFor(r.strategyId, preset.values, mergeBest(preset.values, r.bestParams))
		};
		if (r.error) out.error = r.error;
		return out;
	});
}

/**
 * Apply a row's best values to its preset (source `job`, logged in the preset's history).
 * @param job - the job; @param row - row index; @param store - presets.
 * @returns the change written, or null when the preset already had these values.
 * @throws ValidationError when the row has no best values (not completed, nothing ranked) or they cannot be saved
 *   (out of range, or a preset the engine would not run, e.g. sma-cross fast not below slow: nothing written).
 */
export async function applyRowBest(job: ResearchJob, row: number, store: PresetStore, at = Date.now()): Promise<PresetChange | null> {
	const r = job.rows[row];
	if (!r) throw new ValidationError(`the job has no row ${row}.`);
	if (r.status !== 'completed' || !r.bestParams) throw new ValidationError(`${r.symbol} ${r.interval} ${r.strategy} has no best parameters to apply (${r.error ?? r.status}).`);
	const imp = r.oos?.evidenceImprovement;
	const note = `best of job "${job.spec.name}" (${job.spec.objective.key}${Number.isFinite(imp) ? ` ${formatFigure((imp as number) * 100, 3)} % over the baseline in sample` : ''}; out-of-sample check ${r.oos?.passed ? 'passed' : 'failed'})`;
	const old = (await store.get(presetId(r)))?.values ?? null;
	const { change } = await setPreset(store, r, r.strategyId, mergeBest(old, r.bestParams), { source: 'job', sourceId: job.id, note, at });
	return change;
}

/** What a full run needs to return (WasmEngine.run / WasmPortfolioEngine.run both give it). */
export interface FullRunResult {
	summary: CoreSummary;
	equity: Float64Array;
}

/** Runs one configuration on a slice with its equity curve (the app: a worker; Node: an engine in-process). */
export interface FullRunner {
	run(data: ResearchDataSlice, run: { path: 'single'; config: BacktestConfig } | { path: 'portfolio'; config: PortfolioConfig }): Promise<FullRunResult>;
}

/** An in-process {@link FullRunner} on two engines (created on first use). */
export function createInProcessFullRunner(engines: {
	single: () => Promise<{ load(o: ResearchDataSlice['ohlcv']): void; run(c: BacktestConfig): FullRunResult }>;
	portfolio: () => Promise<{ load(m: { symbol: string; ohlcv: ResearchDataSlice['ohlcv'] }[]): void; run(c: PortfolioConfig): FullRunResult }>;
}): FullRunner {
	let single: Awaited<ReturnType<typeof engines.single>> | null = null;
	let portfolio: Awaited<ReturnType<typeof engines.portfolio>> | null = null;
	let sId = '';
	let pId = '';
	return {
		async run(data, run) {
			if (run.path === 'single') {
				single ??= await engines.single();
				if (sId !== data.id) (single.load(data.ohlcv), (sId = data.id));
				return single.run(run.config);
			}
			portfolio ??= await engines.portfolio();
			if (pId !== data.id) (portfolio.load([{ symbol: data.symbol, ohlcv: data.ohlcv }]), (pId = data.id));
			return portfolio.run(run.config);
		}
	};
}

/**
 * Compare two parameter sets of a job's strategy on one market's candles (e.g. a row's best and the preset).
 * @param job - the job (execution settings, strategy entry); @param strategy - the strategy key.
 * @param data - the candles (any window, e.g. the hold-out); @param a, b - the two sets.
 * @returns statistics (optimize's TrialStats) and equity per bar of both.
 * @throws ValidationError for a strategy the job does not have or values the schema rejects.
 */
export async function compareParameterSets(job: ResearchJob, strategy: string, data: ResearchDataSlice, a: PresetValues, b: PresetValues, runner: FullRunner): Promise<ParameterComparison> {
	const spec = job.spec;
	const s = strategyOfRow(spec, { symbol: data.symbol, interval: data.interval, strategy });
	const t = data.ohlcv.openTime;
	if (t.length < 2) throw new ValidationError(`${data.symbol} ${data.interval}: too few candles to compare (${t.length}).`);
	const spanMs = dataSpanMs(t, timeframeMs(data.interval));
	const one = async (v: PresetValues) => {
		const r =
			rowPath(spec) === 'portfolio'
				? await runner.run(data, { path: 'portfolio', config: portfolioConfigOf(spec, s, v.params, v.risk) })
				: await runner.run(data, { path: 'single', config: backtestConfigOf(spec, s, v.params) });
		return { values: structuredClone(v), stats: trialStats(r.summary, spec.execution.initialCash, spanMs), equity: r.equity };
	};
	return {
		symbol: data.symbol,
		interval: data.interval,
		window: { fromMs: t[0], toMs: t[t.length - 1], bars: t.length },
		a: await one(a),
		b: await one(b),
		openTime: Float64Array.from(t)
	};
}
