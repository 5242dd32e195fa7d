/**
 * Numbers in notes people read (preset history notes, auto-tune and recommendation texts): statistics to a few
 * significant digits, parameter values to the precision the strategy's step implies (a float step of 0.05 gives two
 * decimals, integers none, enumerations by option name). Plain functions, no locale.
 */
import { getStrategy, paramValueLabel, STRATEGY_IDS, type ParamSchema } from '../engine/strategies';
import type { PresetValues } from './types';

/**
 * A statistic for a note: `digits` significant digits (default 4), without exponent notation for ordinary sizes and
 * without trailing zeros; NaN as "n/a", ±Infinity as "+∞" / "−∞".
 * @example formatFigure(-3.8473933201109323) === '-3.847'
 */
export function formatFigure(x: number, digits = 4): string {
	if (Number.isNaN(x)) return 'n/a';
	if (x === Infinity) return '+∞';
	if (x === -Infinity) return '−∞';
	return String(Number(x.toPrecision(digits)));
}

/** Decimals a step implies: 1 → 0, 0.5 → 1, 0.05 → 2, 0.25 → 2 (at most 12). */
export function stepDecimals(step: number): number {
	if (!(step > 0) || !Number.isFinite(step)) return 12;
	const s = String(Number(step.toPrecision(12)));
	if (s.includes('e-')) return Math.min(12, Number(s.split('e-')[1]) + (s.split('e-')[0].split('.')[1]?.length ?? 0));
	return s.split('.')[1]?.length ?? 0;
}

/**
 * A parameter value as its schema implies: enumerations by option name, booleans on/off, integers whole, floats to
 * the decimals of their step (0.30000000000000004 with step 0.05 → "0.3").
 */
export function formatParamValue(schema: ParamSchema, v: number | boolean | string): string {
	if (schema.type === 'enum') return String(paramValueLabel(schema, v));
	if (typeof v === 'string') return v;
	const n = typeof v === 'boolean' ? (v ? 1 : 0) : v;
	if (schema.type === 'bool') return n ? 'on' : 'off';
	if (!Number.isFinite(n)) return formatFigure(n);
	return String(Number(n.toFixed(schema.type === 'int' ? 0 : stepDecimals(schema.step))));
}

/** Risk settings that are fractions shown as percentages in notes. */
const PERCENT_RISK = new Set(['stopLoss', 'takeProfit', 'maxDrawdownThreshold']);

/**
 * Preset values for a note: "fast 10, slow 30; stopLoss 2 %" (parameters in schema order, as
 * {@link formatParamValue}; fractional risk settings as percentages to 4 significant digits).
 */
export function formatPresetValues(strategyId: string, values: PresetValues): string {
	const known = (STRATEGY_IDS as string[]).includes(strategyId) ? getStrategy(strategyId).params : [];
	const parts: string[] = [];
	const seen = new Set<string>();
	for (const p of known) {
		if (values.params[p.name] === undefined) continue;
		seen.add(p.name);
		parts.push(`${p.name} ${formatParamValue(p, values.params[p.name])}`);
	}
	for (const [k, v] of Object.entries(values.params)) if (!seen.has(k)) parts.push(`${k} ${typeof v === 'number' ? formatFigure(v) : String(v)}`);
	const risk = Object.entries(values.risk ?? {})
		.filter(([, v]) => v !== undefined)
		.map(([k, v]) => `${k} ${PERCENT_RISK.has(k) ? `${formatFigure((v as number) * 100)} %` : formatFigure(v as number)}`);
	return parts.join(', ') + (risk.length ? `; ${risk.join(', ')}` : '');
}
