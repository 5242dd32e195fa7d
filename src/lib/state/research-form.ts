/**
 * Parsing of the research form's text fields into the core's job definition: market lists (`BTCUSDT, ETHUSDT`),
 * axis lists in the CLI's syntax (`fast=5:20:5, slow=20:60:10` for a range start:end:step, `mode=close|wick` for a
 * list), and risk axes where stop-loss / take-profit / breaker thresholds are typed in percent (`stopLoss=1:5:1` is
 * 1 % … 5 %). Every error names the field, the text and how to fix it. Plain TypeScript.
 */
import { ValidationError } from '../core/errors';
import { getStrategy } from '../engine/strategies';
import type { StrategyId } from '../engine/types';
import type { AxisSpec } from '../optimize';
import { RISK_SETTINGS, type ResearchStrategySpec, type RiskSetting } from '../research/types';

/** Risk settings typed in percent in the form (stored as fractions). */
export const PERCENT_RISK: ReadonlySet<string> = new Set(['stopLoss', 'takeProfit', 'maxDrawdownThreshold', 'consecutiveLossesFactor']);

/**
 * Markets from a comma/space separated list, upper-cased, unique, in order.
 * @throws ValidationError for an empty list or a name that is not a Binance symbol (letters and digits only).
 */
export function parseMarkets(text: string): string[] {
	const out: string[] = [];
	for (const raw of text.split(/[\s,;]+/)) {
		const s = raw.trim().toUpperCase();
		if (!s) continue;
		if (!/^[A-Z0-9]{2,20}$/.test(s)) throw new ValidationError(`Markets: “${raw}” is not a Binance symbol (letters and digits, e.g. BTCUSDT).`);
		if (!out.includes(s)) out.push(s);
	}
	if (!out.length) throw new ValidationError('Markets: give at least one market, e.g. BTCUSDT, ETHUSDT.');
	return out;
}

function number(text: string, field: string, item: string): number {
	const v = Number(text);
	if (text.trim() === '' || !Number.isFinite(v)) throw new ValidationError(`${field}: “${item}” has “${text}”, which is not a number.`);
	return v;
}

/**
 * Axes from `name=start:end:step` (range) or `name=a|b|c` (list) items separated by commas or spaces.
 * @param text - the field's text (empty: no axes).
 * @param field - the field's label, for messages.
 * @param scale - multiplies the numbers of the named axes (0.01 for percent fields).
 * @returns the axes in order.
 * @throws ValidationError for an item without `=`, a name given twice, or a value that is not a number (lists may hold
 *   enumeration option names).
 */
export function parseAxes(text: string, field: string, scale: (name: string) => number = () => 1): AxisSpec[] {
	const axes: AxisSpec[] = [];
	for (const item of text.split(/[\s,;]+/).filter(Boolean)) {
		const eq = item.indexOf('=');
		if (eq <= 0) throw new ValidationError(`${field}: “${item}” should be name=start:end:step or name=a|b|c (e.g. fast=5:20:5).`);
		const name = item.slice(0, eq).trim();
		const rest = item.slice(eq + 1).trim();
		if (axes.some((a) => a.name === name)) throw new ValidationError(`${field}: ${name} is given twice; give each axis once.`);
		const k = scale(name);
		const fix = (x: number) => Number((x * k).toPrecision(12));
		if (rest.includes(':')) {
			const parts = rest.split(':');
			if (parts.length !== 3) throw new ValidationError(`${field}: “${item}” should be ${name}=start:end:step (three numbers).`);
			const [start, end, step] = parts.map((p) => number(p, field, item));
			axes.push({ name, start: fix(start), end: fix(end), step: fix(step) });
		} else {
			const values = rest.split('|').map((v) => v.trim()).filter(Boolean);
			if (!values.length) throw new ValidationError(`${field}: “${item}” has no values.`);
			axes.push({ name, values: values.map((v) => (Number.isFinite(Number(v)) ? fix(Number(v)) : v)) });
		}
	}
	return axes;
}

/**
 * A strategy's axes from the form; every name must be one of its parameters.
 * @throws ValidationError naming the unknown parameter and listing the known ones.
 */
export function parseStrategyAxes(strategy: StrategyId, text: string): AxisSpec[] {
	const def = getStrategy(strategy);
	const axes = parseAxes(text, `${def.name} axes`);
	for (const a of axes) {
		if (!def.params.some((p) => p.name === a.name)) {
			throw new ValidationError(`${def.name} axes: ${a.name} is not a parameter of ${def.name} (its parameters: ${def.params.map((p) => p.name).join(', ')}).`);
		}
	}
	return axes;
}

/**
 * Risk axes from the form (percent for {@link PERCENT_RISK}, converted to fractions).
 * @throws ValidationError for a name that is not a risk setting (the message lists them).
 */
export function parseRiskAxes(text: string): AxisSpec[] {
	const axes = parseAxes(text, 'Risk axes', (n) => (PERCENT_RISK.has(n) ? 0.01 : 1));
	for (const a of axes) {
		if (!(RISK_SETTINGS as readonly string[]).includes(a.name)) {
			throw new ValidationError(`Risk axes: ${a.name} is not a risk setting (use ${RISK_SETTINGS.join(', ')}).`);
		}
	}
	return axes;
}

/** A sensible default search text for a strategy: its int/float parameters from min to max in about 4 steps (at most 2). */
export function defaultAxesText(strategy: StrategyId): string {
	const def = getStrategy(strategy);
	return def.params
		.filter((p) => (p.type === 'int' || p.type === 'float') && !p.options)
		.slice(0, 2)
		.map((p) => {
			const lo = p.default;
			const step = p.type === 'int' ? Math.max(p.step, Math.round(p.default / 4) || 1) : Number((p.default / 4).toPrecision(2));
			const hi = Math.min(p.max, lo + 2 * step);
			const start = Math.max(p.min, lo - step);
			return `${p.name}=${start}:${hi}:${step}`;
		})
		.join(', ');
}

/** Is this name a risk setting? */
export function isRisk(name: string): name is RiskSetting {
	return (RISK_SETTINGS as readonly string[]).includes(name);
}

/**
 * The strategy entries of a job from the form: one entry per ticked strategy with its axes; for `pattern-zones`, a
 * list axis over `pattern` (`pattern=fvg|order-block`) makes one entry per pattern type instead (row key
 * `pattern-zones:<type>`, the pattern fixed), so each pattern type gets its own rows, presets and recommendations.
 * @param chosen - ticked strategy ids, in order. @param axesText - the axes text of each.
 * @throws ValidationError from {@link parseStrategyAxes}, or for a `pattern` range (give a list of types).
 */
export function strategyEntries(chosen: readonly StrategyId[], axesText: Readonly<Record<string, string>>): ResearchStrategySpec[] {
	const out: ResearchStrategySpec[] = [];
	for (const id of chosen) {
		const axes = parseStrategyAxes(id, axesText[id] ?? '');
		const pattern = id === 'pattern-zones' ? axes.find((a) => a.name === 'pattern') : undefined;
		if (!pattern) {
			out.push({ strategy: id, axes });
			continue;
		}
		if (!('values' in pattern)) throw new ValidationError('Price-action zones axes: give the pattern types as a list, e.g. pattern=fvg|order-block|liquidity-sweep.');
		const rest = axes.filter((a) => a !== pattern);
		for (const v of pattern.values) out.push({ strategy: id, key: `${id}:${v}`, axes: rest, fixed: { pattern: v } });
	}
	return out;
}
