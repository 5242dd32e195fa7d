/**
 * The search space of an optimisation: a few parameters of one strategy, each with a finite sorted list of values
 * (an "axis"), the other parameters fixed. The space is the cartesian product of the axes, addressed by a
 * mixed-radix index (axis 0 outermost, i.e. slowest-changing), so a grid is never materialised: any index maps to
 * its parameter set in O(axes) and a batch of trials is just an index range.
 *
 * Every axis value is validated against the strategy's parameter schema once, up front; cross-parameter
 * constraints (fast < slow) are checked per combination, and invalid combinations are skipped, not evaluated.
 */
import { ValidationError } from '../core/errors';
import { checkParam, enumIndex, strategyDefinitionOf, type ParamSchema, type StrategyDefinition } from '../engine/strategies';
import type { RuleSource, StrategyId } from '../engine/types';

/**
 * How one parameter is searched.
 * - range: `start`, `start + step`, ... up to `end` inclusive (when `end` is on the step grid); values are rounded to
 *   the decimals of `start`/`step`, so `0.1` steps do not drift.
 * - list: the given values (sorted ascending; duplicates are an error). Enumeration parameters take their option
 *   names (or numbers); the axis holds the option numbers.
 */
export type AxisSpec =
	| { name: string; start: number; end: number; step: number }
	| { name: string; values: readonly (number | string)[] };

/** A resolved axis: the parameter, its place in the strategy's parameter list, and its sorted values. */
export interface Axis {
	name: string;
	/** Index of the parameter in the strategy schema (the WASM core's `p0..p7` slot). */
	paramIndex: number;
	type: ParamSchema['type'];
	/** Ascending values; length >= 1. */
	values: readonly number[];
}

/** Largest number of values one axis may have. */
export const MAX_AXIS_VALUES = 1_000_000;
/** Largest raw size (product of axis lengths) of a space: indices must stay exact integers. */
export const MAX_SPACE_SIZE = 2 ** 52;
/** Up to this raw size {@link SearchSpace.countValid} counts exactly; above it the count is estimated by sampling. */
export const EXACT_COUNT_LIMIT = 20_000_000;

function decimalsOf(x: number): number {
	const s = String(x);
	const e = /e-(\d+)$/.exec(s);
	if (e) return Number(e[1]) + (s.split('e')[0].split('.')[1]?.length ?? 0);
	return s.split('.')[1]?.length ?? 0;
}

/**
 * Expand and validate one axis specification against a parameter schema.
 * @param def - the strategy definition.
 * @param spec - a range or a list (see {@link AxisSpec}).
 * @returns the resolved axis with sorted values.
 * @throws ValidationError for an unknown parameter, a step <= 0, `end < start`, an empty or duplicated list, more
 *   than {@link MAX_AXIS_VALUES} values, or any value the schema rejects (type, range) — naming the parameter,
 *   the value and the allowed range.
 */
export function resolveAxis(def: StrategyDefinition, spec: AxisSpec): Axis {
	const paramIndex = def.params.findIndex((p) => p.name === spec.name);
	if (paramIndex < 0) {
		throw new ValidationError(`unknown parameter "${spec.name}" for ${def.id} (known: ${def.params.map((p) => p.name).join(', ')})`);
	}
	const schema = def.params[paramIndex];
	let values: number[];
	if ('values' in spec) {
		if (!Array.isArray(spec.values) || spec.values.length === 0) throw new ValidationError(`${spec.name}: the value list is empty; give at least one value.`);
		if (spec.values.length > MAX_AXIS_VALUES) throw new ValidationError(`${spec.name}: ${spec.values.length} values is more than ${MAX_AXIS_VALUES}.`);
		values = spec.values.map((v) => {
			if (typeof v !== 'string') return v;
			const i = schema.type === 'enum' ? enumIndex(schema, v) : -1;
			if (i >= 0) return i;
			// a number-backed choice given by its label (e.g. poly-bands exitAt=fit)
			const byLabel = schema.type !== 'enum' ? schema.options?.find((o) => o.label === v)?.value : undefined;
			if (typeof byLabel === 'number') return byLabel;
			throw new ValidationError(
				schema.options
					? `${spec.name}: '${v}' is not one of ${schema.options.map((o) => (schema.type === 'enum' ? o.value : o.label)).join(', ')}.`
					: `${spec.name}: '${v}' is not a number.`
			);
		});
		values.sort((a, b) => a - b);
		for (let i = 1; i < values.length; i++) {
			if (values[i] === values[i - 1]) throw new ValidationError(`${spec.name}: value ${values[i]} is listed twice; list each value once.`);
		}
	} else {
		const { start, end, step } = spec;
		for (const [k, v] of [['start', start], ['end', end], ['step', step]] as const) {
			if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValidationError(`${spec.name}: ${k} must be a finite number, got ${v}.`);
		}
		if (!(step > 0)) throw new ValidationError(`${spec.name}: step must be above 0, got ${step} (e.g. ${schema.name}=${schema.min}:${schema.max}:${schema.step}).`);
		if (end < start) throw new ValidationError(`${spec.name}: end ${end} is below start ${start}; give start:end:step with start <= end.`);
		const count = Math.floor((end - start) / step + 1e-9) + 1;
		if (count > MAX_AXIS_VALUES) {
			throw new ValidationError(`${spec.name}: ${start}:${end}:${step} has ${count} values, more than ${MAX_AXIS_VALUES}; use a larger step.`);
		}
		const dec = Math.min(15, Math.max(decimalsOf(start), decimalsOf(step)));
		values = new Array(count);
		for (let k = 0; k < count; k++) values[k] = Number((start + k * step).toFixed(dec));
	}
	for (const v of values) {
		const err = checkParam(schema, v);
		if (err) throw new ValidationError(`${spec.name}: ${err}.`);
	}
	return { name: spec.name, paramIndex, type: schema.type, values };
}

/** What defines a space: the strategy, its searched axes and the values of the other parameters. */
export interface SearchSpaceSpec {
	strategy: StrategyId;
	/** The rule text when `strategy` is `rules` (its declared parameters are the axes' names). */
	rules?: RuleSource;
	axes: readonly AxisSpec[];
	/** Values of parameters that are not searched (defaults fill the rest); entries for searched names are ignored. */
	fixed?: Readonly<Record<string, number | boolean | string>>;
}

/**
 * The cartesian product of a strategy's parameter axes (see the module comment).
 * @example
 * const space = new SearchSpace({ strategy: 'sma-cross', axes: [{ name: 'fast', start: 5, end: 14, step: 1 }, { name: 'slow', start: 20, end: 65, step: 5 }] });
 * space.size;            // 100
 * space.paramsAt(37);    // { fast: 8, slow: 55 }
 */
export class SearchSpace {
	readonly strategy: StrategyId;
	readonly def: StrategyDefinition;
	readonly axes: readonly Axis[];
	/** Raw number of combinations (constraints not applied). */
	readonly size: number;
	/** Full parameter values by name for the non-searched parameters (defaults filled). */
	readonly fixed: Readonly<Record<string, number>>;
	private readonly radix: number[];
	private readonly scratch: Record<string, number>;
	private readonly tmp: number[] = [];
	private validCount: { count: number; exact: boolean } | null = null;

	/**
	 * @throws ValidationError when there is no axis, a parameter appears twice, an axis is invalid (see
	 *   {@link resolveAxis}), a fixed value is invalid, or the space has more than {@link MAX_SPACE_SIZE} combinations.
	 *   (A space where every combination fails a constraint is valid here; {@link countValid} returns 0.)
	 */
	constructor(spec: SearchSpaceSpec) {
		this.def = strategyDefinitionOf(spec);
		this.strategy = this.def.id;
		if (!spec.axes || spec.axes.length === 0) throw new ValidationError('no parameter to search: give at least one axis (e.g. fast=5:14:1).');
		const seen = new Set<string>();
		for (const a of spec.axes) {
			if (seen.has(a.name)) throw new ValidationError(`parameter ${a.name} is searched twice; give one range or list per parameter.`);
			seen.add(a.name);
		}
		this.axes = spec.axes.map((a) => resolveAxis(this.def, a));
		const fixed: Record<string, number> = {};
		const problems: string[] = [];
		for (const p of this.def.params) {
			if (seen.has(p.name)) continue;
			let raw = spec.fixed?.[p.name] ?? p.default;
			// a number-backed choice given by its label (e.g. exitAt=fit)
			if (typeof raw === 'string' && p.type !== 'enum') raw = (p.options?.find((o) => o.label === raw)?.value as number | undefined) ?? raw;
			const err = checkParam(p, raw);
			if (err) problems.push(err);
			fixed[p.name] =
				typeof raw === 'boolean' ? (raw ? 1 : 0)
				: typeof raw === 'string' ? enumIndex(p, raw)
				: raw;
		}
		for (const name of Object.keys(spec.fixed ?? {})) {
			if (!this.def.params.some((p) => p.name === name)) problems.push(`unknown parameter "${name}" for ${this.strategy}`);
		}
		if (problems.length) throw new ValidationError(`Invalid fixed parameters: ${problems.join('; ')}`);
		this.fixed = fixed;
		this.radix = this.axes.map((a) => a.values.length);
		let size = 1;
		for (const r of this.radix) size *= r;
		if (size > MAX_SPACE_SIZE) {
			throw new ValidationError(`the space has ${size.toExponential(2)} combinations, more than 2^52: use fewer values (larger steps) or random/genetic search.`);
		}
		this.size = size;
		this.scratch = { ...fixed };
		for (const a of this.axes) this.scratch[a.name] = a.values[0];
	}

	/** Axis names in axis order. */
	get names(): string[] {
		return this.axes.map((a) => a.name);
	}

	/**
	 * Digits of an index: position of each axis's value in its list.
	 * @param index - 0 <= index < size.
	 * @param out - reused output array (length >= axes).
	 */
	digitsAt(index: number, out: number[] = new Array(this.axes.length)): number[] {
		let rest = index;
		for (let d = this.radix.length - 1; d >= 0; d--) {
			const r = this.radix[d];
			out[d] = rest % r;
			rest = Math.floor(rest / r);
		}
		return out;
	}

	/** Index of a combination given its digits (inverse of {@link digitsAt}). */
	indexOf(digits: readonly number[]): number {
		let index = 0;
		for (let d = 0; d < this.radix.length; d++) index = index * this.radix[d] + digits[d];
		return index;
	}

	/** Axis values of an index, in axis order. */
	valuesAt(index: number, out: number[] = new Array(this.axes.length)): number[] {
		this.digitsAt(index, out);
		for (let d = 0; d < out.length; d++) out[d] = this.axes[d].values[out[d]];
		return out;
	}

	/** All parameters (fixed + searched) of an index, by name — what `BacktestConfig.params` takes. */
	paramsAt(index: number): Record<string, number> {
		const values = this.valuesAt(index);
		const p: Record<string, number> = { ...this.fixed };
		for (let d = 0; d < values.length; d++) p[this.axes[d].name] = values[d];
		return p;
	}

	/**
	 * Index of a parameter set (values of every axis by name).
	 * @returns the index, or -1 when a value is not on its axis.
	 */
	indexOfParams(params: Readonly<Record<string, number | boolean>>): number {
		const digits: number[] = [];
		for (const a of this.axes) {
			const raw = params[a.name];
			const v = typeof raw === 'boolean' ? (raw ? 1 : 0) : raw;
			const k = a.values.indexOf(v as number);
			if (k < 0) return -1;
			digits.push(k);
		}
		return this.indexOf(digits);
	}

	/** Whether the values (axis order) pass the strategy's constraints (no allocation). */
	valuesAreValid(values: readonly number[]): boolean {
		const cs = this.def.constraints;
		if (cs.length === 0) return true;
		const p = this.scratch;
		for (let d = 0; d < values.length; d++) p[this.axes[d].name] = values[d];
		for (const c of cs) if (!c.check(p)) return false;
		return true;
	}

	/** Whether combination `index` passes the strategy's constraints. */
	isValid(index: number): boolean {
		if (this.def.constraints.length === 0) return true;
		return this.valuesAreValid(this.valuesAt(index, this.tmp));
	}

	/**
	 * Number of combinations that pass the constraints: exact up to {@link EXACT_COUNT_LIMIT} raw combinations
	 * (a scan, ~30 ns per combination), otherwise estimated from 200,000 seeded samples (and rounded). Cached.
	 * @returns `{count, exact}`.
	 */
	countValid(): { count: number; exact: boolean } {
		if (this.validCount) return this.validCount;
		if (this.def.constraints.length === 0) return (this.validCount = { count: this.size, exact: true });
		let count = 0;
		if (this.size <= EXACT_COUNT_LIMIT) {
			for (let i = 0; i < this.size; i++) if (this.isValid(i)) count++;
			return (this.validCount = { count, exact: true });
		}
		const samples = 200_000;
		let s = 0x9e3779b9;
		for (let k = 0; k < samples; k++) {
			s = (s + 0x6d2b79f5) >>> 0;
			const u = (Math.imul(s ^ (s >>> 15), s | 1) >>> 0) / 4294967296;
			if (this.isValid(Math.floor(u * this.size))) count++;
		}
		return (this.validCount = { count: Math.round((count / samples) * this.size), exact: false });
	}
}
