/**
 * Optimising a portfolio: the search axes may be strategy parameters and portfolio settings (max positions K,
 * leverage, the sizing value, breaker thresholds, stop-loss / take-profit fractions). The space is the cartesian product
 * of the axes addressed by a mixed-radix index (axis 0 outermost), like {@link SearchSpace}; each trial is a full
 * {@link PortfolioConfig} validated by the engine's own rules (an invalid combination is skipped, not evaluated) and run
 * with {@link WasmPortfolioEngine.runSummary}.
 */
import { ValidationError } from '../core/errors';
import { validatePortfolioConfig } from '../engine/portfolio-config';
import { getStrategy } from '../engine/strategies';
import type { BreakerSpec, PortfolioConfig } from '../engine/types';
import type { CoreSummary } from '../engine/wasm-engine';
import { rankValue, resolveObjective, trialStats, type ObjectiveSpec, type ResolvedObjective, type TrialStats } from './objective';
import { resolveAxis, type AxisSpec } from './space';

/** Portfolio settings an axis may search, besides the strategy's parameters. */
export const PORTFOLIO_SETTINGS = [
	'maxPositions',
	'leverage',
	'sizingValue',
	'stopLoss',
	'takeProfit',
	'maxDrawdownThreshold',
	'maxDrawdownCooldownBars',
	'consecutiveLosses',
	'consecutiveLossesFactor'
] as const;
export type PortfolioSetting = (typeof PORTFOLIO_SETTINGS)[number];

/** Everything that defines a portfolio optimisation, as plain data (stored, posted to workers). */
export interface PortfolioOptimizationJob {
	/** Base configuration: every setting that is not searched. */
	config: PortfolioConfig;
	/** Searched strategy parameters or {@link PortfolioSetting}s (axis 0 outermost). */
	axes: AxisSpec[];
	objective: ObjectiveSpec;
	/** The markets' union bars and span (first open to last close, ms). */
	data: { bars: number; spanMs: number };
}

/** What a trial needs from the engine (WasmPortfolioEngine implements it). */
export interface PortfolioTrialEngine {
	runSummary(config: PortfolioConfig): CoreSummary;
}

/** One evaluated trial. */
export interface PortfolioTrialResult {
	index: number;
	/** Searched values, axis order. */
	values: number[];
	stats: TrialStats;
	/** Ranking value (higher is better); NaN when not ranked. */
	rank: number;
}

/** A validated job: resolved axis values and objective. */
export interface PreparedPortfolioJob {
	job: PortfolioOptimizationJob;
	names: string[];
	values: number[][];
	size: number;
	objective: ResolvedObjective;
	marketCount: number;
}

function expandSetting(spec: AxisSpec): number[] {
	if ('values' in spec) {
		if (!Array.isArray(spec.values) || spec.values.length === 0) throw new ValidationError(`${spec.name}: the value list is empty.`);
		const v = [...spec.values].sort((a, b) => a - b);
		if (v.some((x) => !Number.isFinite(x))) throw new ValidationError(`${spec.name}: every value must be a finite number.`);
		return v;
	}
	const { start, end, step } = spec;
	if (![start, end, step].every(Number.isFinite) || !(step > 0) || end < start)
		throw new ValidationError(`${spec.name}: give start:end:step with finite numbers, step > 0 and start <= end.`);
	const decimals = Math.max(...[start, step].map((x) => String(x).split('.')[1]?.length ?? 0));
	const count = Math.floor((end - start) / step + 1e-9) + 1;
	if (count > 100_000) throw new ValidationError(`${spec.name}: ${count} values is too many; use a larger step.`);
	return Array.from({ length: count }, (_, i) => Number((start + i * step).toFixed(decimals)));
}

/**
 * Validate a portfolio optimisation job.
 * @param marketCount markets the engine holds
 * @throws ValidationError for an unknown axis name (listing the strategy parameters and settings), a bad range, an
 *   axis given twice, a setting whose breaker or sizing the base configuration does not have, or no valid combination
 */
export function preparePortfolioJob(job: PortfolioOptimizationJob, marketCount: number): PreparedPortfolioJob {
	const def = getStrategy(job.config.strategy);
	const names = job.axes.map((a) => a.name);
	const dup = names.find((n, i) => names.indexOf(n) !== i);
	if (dup) throw new ValidationError(`${dup} is searched twice: give each axis once.`);
	const values = job.axes.map((spec) => {
		if ((PORTFOLIO_SETTINGS as readonly string[]).includes(spec.name)) return expandSetting(spec);
		if (def.params.some((p) => p.name === spec.name)) return [...resolveAxis(def, spec).values];
		throw new ValidationError(
			`unknown axis "${spec.name}": use a parameter of ${def.id} (${def.params.map((p) => p.name).join(', ')}) or a portfolio setting (${PORTFOLIO_SETTINGS.join(', ')}).`
		);
	});
	for (const n of names) {
		if (n.startsWith('maxDrawdown') && !job.config.breakers.some((b) => b.kind === 'max-drawdown'))
			throw new ValidationError(`${n} needs a max-drawdown breaker in the base configuration.`);
		if (n.startsWith('consecutiveLosses') && !job.config.breakers.some((b) => b.kind === 'consecutive-losses'))
			throw new ValidationError(`${n} needs a consecutive-losses breaker in the base configuration.`);
		if (n === 'sizingValue' && job.config.sizing.mode === 'equity-split') throw new ValidationError('sizingValue cannot be searched with equity-split sizing (it has no value).');
	}
	const size = values.reduce((a, v) => a * v.length, 1);
	const p: PreparedPortfolioJob = { job, names, values, size, objective: resolveObjective(job.objective), marketCount };
	let any = false;
	for (let i = 0; i < Math.min(size, 10_000) && !any; i++) any = portfolioTrialConfig(p, i) !== null;
	if (!any) throw new ValidationError('no combination of the axes gives a valid portfolio configuration; check the ranges.');
	return p;
}

/**
 * The configuration of combination `index`, or null when it is not valid (fails a strategy constraint or a portfolio rule).
 * @param p prepared job; @param index 0 <= index < p.size
 */
export function portfolioTrialConfig(p: PreparedPortfolioJob, index: number): PortfolioConfig | null {
	const c: PortfolioConfig = structuredClone(p.job.config);
	let rest = index;
	for (let d = p.values.length - 1; d >= 0; d--) {
		const len = p.values[d].length;
		const v = p.values[d][rest % len];
		rest = Math.floor(rest / len);
		applySetting(c, p.names[d], v);
	}
	try {
		validatePortfolioConfig(c, p.marketCount);
	} catch (e) {
		if (e instanceof ValidationError) return null;
		throw e;
	}
	return c;
}

function applySetting(c: PortfolioConfig, name: string, v: number): void {
	const md = c.breakers.find((b): b is Extract<BreakerSpec, { kind: 'max-drawdown' }> => b.kind === 'max-drawdown');
	const cl = c.breakers.find((b): b is Extract<BreakerSpec, { kind: 'consecutive-losses' }> => b.kind === 'consecutive-losses');
	switch (name) {
		case 'maxPositions':
			c.maxPositions = v;
			return;
		case 'leverage':
			c.leverage = v;
			return;
		case 'sizingValue':
			if (c.sizing.mode === 'fixed-notional') c.sizing = { mode: 'fixed-notional', amount: v };
			else if (c.sizing.mode !== 'equity-split') c.sizing = { mode: c.sizing.mode, fraction: v };
			return;
		case 'stopLoss':
			c.stopLoss = { mode: 'fraction', value: v };
			return;
		case 'takeProfit':
			c.takeProfit = { mode: 'fraction', value: v };
			return;
		case 'maxDrawdownThreshold':
			if (md) md.threshold = v;
			return;
		case 'maxDrawdownCooldownBars':
			if (md) md.cooldownBars = v;
			return;
		case 'consecutiveLosses':
			if (cl) cl.count = v;
			return;
		case 'consecutiveLossesFactor':
			if (cl) cl.factor = v;
			return;
		default:
			c.params = { ...c.params, [name]: v };
	}
}

/**
 * Evaluate trials `[from, to)` of a portfolio job on an engine holding its markets (invalid combinations are skipped).
 * @returns one result per valid combination, in index order
 */
export function evaluatePortfolioBatch(engine: PortfolioTrialEngine, p: PreparedPortfolioJob, from: number, to: number): PortfolioTrialResult[] {
	const out: PortfolioTrialResult[] = [];
	for (let i = Math.max(0, from); i < Math.min(to, p.size); i++) {
		const config = portfolioTrialConfig(p, i);
		if (!config) continue;
		const stats = trialStats(engine.runSummary(config), config.initialCash, p.job.data.spanMs);
		let rest = i;
		const values = new Array<number>(p.values.length);
		for (let d = p.values.length - 1; d >= 0; d--) {
			values[d] = p.values[d][rest % p.values[d].length];
			rest = Math.floor(rest / p.values[d].length);
		}
		out.push({ index: i, values, stats, rank: rankValue(stats, p.objective) });
	}
	return out;
}
