/**
 * Research job definitions: defaults, validation (every problem named, with how to fix it), job creation, row keys,
 * and the per-row optimisation jobs (single-market or portfolio-of-one) built on src/lib/optimize/.
 */
import { DEFAULT_FEE_RATE, DEFAULT_SLIPPAGE_RATE } from '../core/costs';
import { ValidationError } from '../core/errors';
import { isTimeframe } from '../core/timeframe';
import type { Timeframe, UnixMs } from '../core/types';
import { DEFAULT_MAINTENANCE_MARGIN_RATIO, validatePortfolioConfig } from '../engine/portfolio-config';
import { getStrategy, paramValueLabel, validateConfig } from '../engine/strategies';
import type { BacktestConfig, PortfolioConfig } from '../engine/types';
import { createPlanner, validateMethod, type SearchMethod } from '../optimize/methods';
import { resolveObjective } from '../optimize/objective';
import { preparePortfolioJob, type PortfolioOptimizationJob } from '../optimize/portfolio-job';
import { prepareJob, type OptimizationJob } from '../optimize/evaluate';
import { SearchSpace, type AxisSpec } from '../optimize/space';
import {
	RESEARCH_VERSION,
	RISK_SETTINGS,
	type PresetValues,
	type ResearchExecution,
	type ResearchJob,
	type ResearchJobSpec,
	type ResearchRow,
	type ResearchStrategySpec,
	type RiskSetting,
	type RowJob,
	type RowKey
} from './types';

/** Default share of the common range kept for the out-of-sample check. */
export const DEFAULT_HOLD_OUT_FRACTION = 0.25;
/** Default best trials kept per row. */
export const DEFAULT_RESEARCH_TOP_K = 20;
/** Largest top-K per row (memory bound). */
export const MAX_RESEARCH_TOP_K = 500;
/** Default largest number of aggregate bins per axis of a row (memory per row stays small for any grid). */
export const DEFAULT_RESEARCH_MAX_BINS = 20;

/** The app's execution defaults: long-only, fee 0.1 %, slippage 0.05 %, 10,000 USDT, all-in, no exits, L = 1. */
export function defaultResearchExecution(): ResearchExecution {
	return {
		direction: 'long',
		feeRate: DEFAULT_FEE_RATE,
		slippageRate: DEFAULT_SLIPPAGE_RATE,
		initialCash: 10_000,
		stopLoss: { mode: 'none' },
		takeProfit: { mode: 'none' },
		atrPeriod: 14,
		sizing: { mode: 'equity-fraction', fraction: 1 },
		leverage: 1,
		breakers: []
	};
}

/** Row key of a strategy entry (its `key`, default the strategy id). */
export function strategyKey(s: ResearchStrategySpec): string {
	return s.key ?? s.strategy;
}

/** Id of the preset (and row) of a key: `SYMBOL|interval|strategy`. */
export function presetId(key: RowKey): string {
	return `${key.symbol}|${key.interval}|${key.strategy}`;
}

/** Whether a name is a {@link RiskSetting}. */
export function isRiskSetting(name: string): name is RiskSetting {
	return (RISK_SETTINGS as readonly string[]).includes(name);
}

/**
 * The evaluation path of a job's rows: `portfolio` (portfolio-of-one) when it searches risk settings or uses
 * leverage ≠ 1 or a breaker; `single` (the single-market optimiser, like `npm run optimize`) otherwise.
 */
export function rowPath(spec: Pick<ResearchJobSpec, 'riskAxes' | 'execution'>): 'single' | 'portfolio' {
	const e = spec.execution;
	return spec.riskAxes.length > 0 || (e.leverage ?? 1) !== 1 || (e.breakers?.length ?? 0) > 0 ? 'portfolio' : 'single';
}

/** Base single-market configuration of a strategy entry (params: fixed values, then `params` over them). */
export function backtestConfigOf(spec: ResearchJobSpec, s: ResearchStrategySpec, params?: Record<string, number | boolean | string>): BacktestConfig {
	const e = spec.execution;
	return {
		strategy: s.strategy,
		params: { ...(s.fixed ?? {}), ...(params ?? {}) },
		direction: e.direction,
		feeRate: e.feeRate,
		slippageRate: e.slippageRate,
		initialCash: e.initialCash,
		stopLoss: e.stopLoss,
		takeProfit: e.takeProfit,
		atrPeriod: e.atrPeriod,
		sizing: e.sizing
	};
}

/** Base portfolio-of-one configuration (K = 1, the job's leverage and breakers), risk values applied. */
export function portfolioConfigOf(
	spec: ResearchJobSpec,
	s: ResearchStrategySpec,
	params?: Record<string, number | boolean | string>,
	risk?: Partial<Record<RiskSetting, number>>
): PortfolioConfig {
	const c: PortfolioConfig = {
		...backtestConfigOf(spec, s, params),
		maxPositions: 1,
		leverage: spec.execution.leverage ?? 1,
		maintenanceMarginRatio: DEFAULT_MAINTENANCE_MARGIN_RATIO,
		breakers: structuredClone(spec.execution.breakers ?? [])
	};
	for (const [k, v] of Object.entries(risk ?? {})) if (v !== undefined) applyRisk(c, k as RiskSetting, v);
	return c;
}

/** Set one risk setting on a configuration (the portfolio optimiser's rules: src/lib/optimize/portfolio-job.ts). */
export function applyRisk(c: PortfolioConfig, name: RiskSetting, v: number): void {
	switch (name) {
		case 'stopLoss':
			c.stopLoss = { mode: 'fraction', value: v };
			return;
		case 'takeProfit':
			c.takeProfit = { mode: 'fraction', value: v };
			return;
		case 'leverage':
			c.leverage = v;
			return;
		case 'sizingValue':
			if (c.sizing.mode === 'fixed-notional') c.sizing = { mode: 'fixed-notional', amount: v };
			else if (c.sizing.mode !== 'equity-split') c.sizing = { mode: c.sizing.mode, fraction: v };
			return;
		default: {
			const md = c.breakers.find((b) => b.kind === 'max-drawdown');
			const cl = c.breakers.find((b) => b.kind === 'consecutive-losses');
			if (name === 'maxDrawdownThreshold' && md?.kind === 'max-drawdown') md.threshold = v;
			if (name === 'maxDrawdownCooldownBars' && md?.kind === 'max-drawdown') md.cooldownBars = v;
			if (name === 'consecutiveLosses' && cl?.kind === 'consecutive-losses') cl.count = v;
			if (name === 'consecutiveLossesFactor' && cl?.kind === 'consecutive-losses') cl.factor = v;
		}
	}
}

/** The job's own values of the risk settings a row searches (for a baseline without preset risk values). */
export function executionRiskValue(spec: ResearchJobSpec, name: RiskSetting): number | undefined {
	const e = spec.execution;
	const md = e.breakers?.find((b) => b.kind === 'max-drawdown');
	const cl = e.breakers?.find((b) => b.kind === 'consecutive-losses');
	switch (name) {
		case 'stopLoss':
			return e.stopLoss.mode === 'fraction' ? e.stopLoss.value : undefined;
		case 'takeProfit':
			return e.takeProfit.mode === 'fraction' ? e.takeProfit.value : undefined;
		case 'leverage':
			return e.leverage ?? 1;
		case 'sizingValue':
			return e.sizing.mode === 'fixed-notional' ? e.sizing.amount : e.sizing.fraction;
		case 'maxDrawdownThreshold':
			return md?.kind === 'max-drawdown' ? md.threshold : undefined;
		case 'maxDrawdownCooldownBars':
			return md?.kind === 'max-drawdown' ? md.cooldownBars : undefined;
		case 'consecutiveLosses':
			return cl?.kind === 'consecutive-losses' ? cl.count : undefined;
		case 'consecutiveLossesFactor':
			return cl?.kind === 'consecutive-losses' ? cl.factor : undefined;
	}
}

/** Axes of a strategy entry's rows: its own axes, then the job's risk axes on the portfolio path. */
export function rowAxes(spec: ResearchJobSpec, s: ResearchStrategySpec): AxisSpec[] {
	return rowPath(spec) === 'portfolio' ? [...s.axes, ...spec.riskAxes] : [...s.axes];
}

/**
 * The optimisation job of a row on a data window.
 * @param spec - the job definition (validated).
 * @param s - the row's strategy entry.
 * @param data - bars and span (first open to last close, ms) of the window.
 */
export function rowJobOf(spec: ResearchJobSpec, s: ResearchStrategySpec, data: { bars: number; spanMs: number }): RowJob {
	const objective = { ...spec.objective };
	if (rowPath(spec) === 'portfolio') {
		const job: PortfolioOptimizationJob = { config: portfolioConfigOf(spec, s), axes: rowAxes(spec, s), objective, data };
		return { path: 'portfolio', job };
	}
	const job: OptimizationJob = { config: backtestConfigOf(spec, s), axes: [...s.axes], objective, data };
	return { path: 'single', job };
}

/**
 * A one-combination job that evaluates exactly `values` (every strategy parameter and risk setting given) on a data
 * window: index 0 of its space is the parameter set.
 * @throws ValidationError when a value is not allowed by the strategy's schema or rules.
 */
export function valuesJobOf(spec: ResearchJobSpec, s: ResearchStrategySpec, values: PresetValues, data: { bars: number; spanMs: number }): RowJob {
	const objective = { ...spec.objective };
	const def = getStrategy(s.strategy);
	if (rowPath(spec) === 'portfolio') {
		const config = portfolioConfigOf(spec, s, values.params, values.risk);
		validatePortfolioConfig(config, 1);
		return { path: 'portfolio', job: { config, axes: [], objective, data } };
	}
	const config = backtestConfigOf(spec, s, values.params);
	validateConfig({ ...config, params: { ...config.params } });
	const p0 = def.params[0];
	const raw = values.params[p0.name] ?? config.params[p0.name] ?? p0.default;
	return { path: 'single', job: { config, axes: [{ name: p0.name, values: [typeof raw === 'boolean' ? (raw ? 1 : 0) : raw] }], objective, data } };
}

/**
 * Full parameter values of a trial: strategy parameters (enumerations by option name) and, on the portfolio path,
 * the risk settings among the axes.
 * @param spec - job definition; @param s - strategy entry; @param axes - the row's axis names; @param values - the
 *   trial's values in axis order.
 */
export function presetValuesOf(spec: ResearchJobSpec, s: ResearchStrategySpec, axes: readonly string[], values: readonly number[]): PresetValues {
	const def = getStrategy(s.strategy);
	const byName: Record<string, number | boolean | string> = {};
	for (const p of def.params) byName[p.name] = p.default;
	for (const [k, v] of Object.entries(s.fixed ?? {})) byName[k] = v;
	const risk: Partial<Record<RiskSetting, number>> = {};
	axes.forEach((n, d) => {
		if (isRiskSetting(n)) risk[n] = values[d];
		else byName[n] = values[d];
	});
	const params: Record<string, number | boolean | string> = {};
	for (const p of def.params) params[p.name] = paramValueLabel(p, byName[p.name]);
	return Object.keys(risk).length ? { params, risk } : { params };
}

/** Default values of a strategy entry (defaults, then its fixed values; the job's own risk settings). */
export function defaultValuesOf(spec: ResearchJobSpec, s: ResearchStrategySpec): PresetValues {
	const def = getStrategy(s.strategy);
	const params: Record<string, number | boolean | string> = {};
	for (const p of def.params) params[p.name] = paramValueLabel(p, s.fixed?.[p.name] ?? p.default);
	return { params };
}

/**
 * Validate a job definition and fill its defaults.
 * @returns a normalised copy (validation, method, topK filled; symbols upper-case).
 * @throws ValidationError listing every problem: no name, no market / timeframe / strategy, duplicates, an unknown
 *   timeframe or strategy, an empty parameter space, an axis the schema rejects, an unknown risk setting, a bad
 *   objective or method, a window that ends before it starts, bad execution settings, a hold-out share outside (0, 1).
 */
export function validateResearchSpec(input: ResearchJobSpec): ResearchJobSpec {
	const problems: string[] = [];
	const spec: ResearchJobSpec = structuredClone(input);
	spec.validation ??= { mode: 'hold-out', fraction: DEFAULT_HOLD_OUT_FRACTION };
	spec.topK ??= DEFAULT_RESEARCH_TOP_K;
	spec.maxBins ??= DEFAULT_RESEARCH_MAX_BINS;
	spec.method ??= { kind: 'grid' };
	spec.riskAxes ??= [];
	spec.window ??= {};
	spec.execution = { ...defaultResearchExecution(), ...(spec.execution ?? {}) };
	if (typeof spec.name !== 'string' || spec.name.trim() === '') problems.push('the job has no name: give it one (e.g. "Weekly SMA check")');
	spec.description ??= '';
	const dup = (xs: string[]) => xs.find((x, i) => xs.indexOf(x) !== i);
	if (!Array.isArray(spec.markets) || spec.markets.length === 0) problems.push('no market: add at least one (e.g. BTCUSDT)');
	else {
		spec.markets = spec.markets.map((m) => String(m).trim().toUpperCase());
		const bad = spec.markets.filter((m) => !/^[A-Z0-9]{2,30}$/.test(m));
		if (bad.length) problems.push(`not a market symbol: ${bad.join(', ')} (use Binance symbols like BTCUSDT)`);
		const d = dup(spec.markets);
		if (d) problems.push(`market ${d} is listed twice`);
	}
	if (!Array.isArray(spec.timeframes) || spec.timeframes.length === 0) problems.push('no timeframe: add at least one (e.g. 1h)');
	else {
		const bad = spec.timeframes.filter((t) => !isTimeframe(t));
		if (bad.length) problems.push(`unknown timeframe ${bad.join(', ')} (use 1m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h, 1d, 3d or 1w)`);
		const d = dup(spec.timeframes);
		if (d) problems.push(`timeframe ${d} is listed twice`);
	}
	try {
		resolveObjective(spec.objective);
	} catch (e) {
		problems.push((e as Error).message);
	}
	try {
		validateMethod(spec.method);
	} catch (e) {
		problems.push((e as Error).message);
	}
	const path = rowPath(spec);
	if (path === 'portfolio' && spec.method.kind !== 'grid') {
		problems.push(`risk settings (${spec.riskAxes.map((a) => a.name).join(', ') || 'leverage / breakers'}) are searched by grid only: use method grid`);
	}
	const riskNames = spec.riskAxes.map((a) => a.name);
	for (const n of riskNames) if (!isRiskSetting(n)) problems.push(`unknown risk setting "${n}": use one of ${RISK_SETTINGS.join(', ')}`);
	const dr = dup(riskNames);
	if (dr) problems.push(`risk setting ${dr} is searched twice`);
	const w = spec.window;
	if (w.fromMs !== undefined && w.toMs !== undefined && !(w.fromMs <= w.toMs)) problems.push('the data window ends before it starts: give from <= to');
	const v = spec.validation;
	if (v.mode !== 'hold-out' || !(v.fraction > 0 && v.fraction < 1)) problems.push(`hold-out share must be between 0 and 1 (0.25 = last 25 %), got ${v.fraction}`);
	if (!Number.isInteger(spec.topK) || spec.topK < 1 || spec.topK > MAX_RESEARCH_TOP_K) problems.push(`topK must be a whole number from 1 to ${MAX_RESEARCH_TOP_K}, got ${spec.topK}`);
	if (!Number.isInteger(spec.maxBins) || spec.maxBins < 2 || spec.maxBins > 1000) problems.push(`maxBins must be a whole number from 2 to 1000, got ${spec.maxBins}`);
	if (!Array.isArray(spec.strategies) || spec.strategies.length === 0) problems.push('no strategy: add at least one with the parameters to search');
	else {
		const keys = spec.strategies.map(strategyKey);
		const dk = dup(keys);
		if (dk) problems.push(`strategy ${dk} is listed twice: give each entry its own key (e.g. pattern-zones:fvg)`);
		const data = { bars: 1000, spanMs: 1000 * 3_600_000 };
		for (const s of spec.strategies) {
			s.axes ??= [];
			try {
				getStrategy(s.strategy);
			} catch (e) {
				problems.push((e as Error).message);
				continue;
			}
			const all = rowAxes(spec, s);
			if (all.length === 0) {
				problems.push(`empty parameter space for ${strategyKey(s)}: search at least one parameter (e.g. fast=5:20:5) or risk setting`);
				continue;
			}
			const clash = s.axes.find((a) => isRiskSetting(a.name));
			if (clash) problems.push(`${strategyKey(s)}: ${clash.name} is a risk setting: put it in riskAxes`);
			try {
				const rj = rowJobOf(spec, s, data);
				if (rj.path === 'single') prepareJob(rj.job);
				else preparePortfolioJob(rj.job, 1);
			} catch (e) {
				problems.push(`${strategyKey(s)}: ${(e as Error).message}`);
			}
		}
	}
	if (problems.length) throw new ValidationError(`Invalid research job: ${problems.join('; ')}.`);
	return spec;
}

/** New job id, sortable by time. */
export function newResearchId(now: UnixMs = Date.now()): string {
	return `res-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Estimated trials of one row's search (valid combinations for grid; the method's own total otherwise).
 */
export function rowTrialEstimate(spec: ResearchJobSpec, s: ResearchStrategySpec): number {
	const rj = rowJobOf(spec, s, { bars: 1000, spanMs: 1000 * 3_600_000 });
	if (rj.path === 'portfolio') return preparePortfolioJob(rj.job, 1).size;
	const space = new SearchSpace({ strategy: s.strategy, axes: rj.job.axes, fixed: rj.job.config.params });
	return createPlanner(space, spec.method as SearchMethod).progress().total;
}

/**
 * Create a pending job: validated definition, one pending row per (market, timeframe, strategy).
 * @param spec - the definition; @param options - id (default new) and creation time.
 * @throws ValidationError from {@link validateResearchSpec}.
 */
export function createResearchJob(spec: ResearchJobSpec, options: { id?: string; now?: UnixMs } = {}): ResearchJob {
	const s = validateResearchSpec(spec);
	const now = options.now ?? Date.now();
	const rows: ResearchRow[] = [];
	const path = rowPath(s);
	for (const symbol of s.markets) {
		for (const interval of s.timeframes) {
			for (const st of s.strategies) rows.push(emptyRow(s, { symbol, interval: interval as Timeframe, strategy: strategyKey(st) }, st, path));
		}
	}
	let trialsTotal = 0;
	for (const st of s.strategies) trialsTotal += rowTrialEstimate(s, st) * s.markets.length * s.timeframes.length;
	return {
		version: RESEARCH_VERSION,
		id: options.id ?? newResearchId(now),
		createdAt: now,
		updatedAt: now,
		spec: s,
		status: 'pending',
		progress: { phase: 'pending', candles: { done: 0, total: s.markets.length * s.timeframes.length }, done: 0, failed: 0, total: rows.length, trialsDone: 0, trialsTotal, elapsedMs: 0, etaMs: NaN },
		rows,
		notes: []
	};
}

/** A pending row. */
export function emptyRow(spec: ResearchJobSpec, key: RowKey, s: ResearchStrategySpec, path: 'single' | 'portfolio'): ResearchRow {
	return {
		...key,
		strategyId: s.strategy,
		status: 'pending',
		path,
		axes: rowAxes(spec, s).map((a) => a.name),
		bars: { evidence: 0, holdOut: 0 },
		trials: 0,
		ranked: 0,
		spaceSize: 0,
		bestParams: null,
		bestStats: null,
		top: [],
		aggregates: null,
		moments: { sharpe: { n: 0, mean: 0, m2: 0 }, rank: { n: 0, mean: 0, m2: 0 } },
		baseline: null,
		oos: null,
		deflated: null,
		durationMs: 0
	};
}

/**
 * A new pending job with the same definition (re-run): new id, no results.
 * @param job - the job to run again.
 */
export function rerunResearchJob(job: ResearchJob, options: { id?: string; now?: UnixMs } = {}): ResearchJob {
	return createResearchJob(job.spec, options);
}

/** The strategy entry of a row. @throws ValidationError when the job has no entry with the row's key. */
export function strategyOfRow(spec: ResearchJobSpec, row: RowKey): ResearchStrategySpec {
	const s = spec.strategies.find((x) => strategyKey(x) === row.strategy);
	if (!s) throw new ValidationError(`the job has no strategy ${row.strategy}.`);
	return s;
}
