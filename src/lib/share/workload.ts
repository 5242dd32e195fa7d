/**
 * How much work a share link asks for, computed arithmetically from the link (never by scanning its search
 * space), and the limits a link must respect before the app may start anything.
 *
 * Decoding a link must stay fast on any input (the share page decodes it on the page's thread): the search
 * space's size is the product of the axis lengths `floor((end - start) / step) + 1`; the best trials a link
 * names are checked by computing their axis values from their index; when a link names none, at most
 * {@link SATISFIABILITY_PROBES} combinations are tried to show that the strategy's constraints can be met.
 * Above {@link CONFIRM_TRIALS} trials or {@link CONFIRM_BARS} candles the share page asks before it fetches or
 * runs anything.
 */
import { strategyDefinitionOf, checkParam } from '../engine/strategies';
import type { StrategyId } from '../engine/types';
import { MAX_AXIS_VALUES } from '../optimize/space';
import type { OptimisationSharePayload, SharePayload } from './schema';

/** Largest raw search space (product of axis lengths) a share link may carry. */
export const MAX_LINK_SPACE = 1_000_000_000;
/** Most trials (backtests) a share link may start. */
export const MAX_LINK_TRIALS = 10_000_000;
/** Above this many trials the share page asks for confirmation before it starts. */
export const CONFIRM_TRIALS = 100_000;
/** Above this many candles the share page asks for confirmation before it loads or fetches them. */
export const CONFIRM_BARS = 250_000;
/** Combinations tried (first ones, then seeded random ones) to show a link's constraints can be met. */
export const SATISFIABILITY_PROBES = 20_000;

/** Work a validated share link asks for. */
export interface LinkWorkload {
	/** Candles the link's market range holds. */
	bars: number;
	/** Backtests the link starts (1 for a run; an upper bound for an optimisation). */
	trials: number;
	/** Raw search-space size (1 for a run). */
	spaceSize: number;
	/** Whether the share page must ask before it loads candles or runs anything. */
	needsConfirmation: boolean;
}

function decimalsOf(x: number): number {
	const s = String(x);
	const e = /e-(\d+)$/.exec(s);
	if (e) return Number(e[1]) + (s.split('e')[0].split('.')[1]?.length ?? 0);
	return s.split('.')[1]?.length ?? 0;
}

interface ArithmeticAxis {
	name: string;
	start: number;
	step: number;
	count: number;
	dec: number;
}

/** Value `k` of an axis, exactly as `resolveAxis` (src/lib/optimize/space.ts) expands it. */
function axisValue(a: ArithmeticAxis, k: number): number {
	return Number((a.start + k * a.step).toFixed(a.dec));
}

/**
 * Check an optimisation link's search arithmetically and measure it.
 * @param p - a schema-valid optimisation payload.
 * @returns raw space size and the number of trials its method runs at most.
 * @throws Error (message for the user) for an unknown parameter, a value outside its schema, a space or trial count
 *   above the link limits, best trials that do not lie in the space or break the constraints, or constraints that no
 *   probed combination satisfies.
 */
export function checkSharedSearch(p: OptimisationSharePayload): { spaceSize: number; trials: number } {
	const def = strategyDefinitionOf(p.job.config as { strategy: StrategyId; rules?: { name: string; source: string } });
	const seen = new Set<string>();
	const axes: ArithmeticAxis[] = [];
	let size = 1;
	// The link schema only admits range axes ({name, start, end, step}).
	for (const a of p.job.axes as ReadonlyArray<{ name: string; start: number; end: number; step: number }>) {
		const schema = def.params.find((s) => s.name === a.name);
		if (!schema) throw new Error(`unknown parameter "${a.name}" for ${def.id}`);
		if (seen.has(a.name)) throw new Error(`parameter ${a.name} is searched twice`);
		seen.add(a.name);
		if (a.end < a.start) throw new Error(`${a.name}: end ${a.end} is below start ${a.start}`);
		const count = Math.floor((a.end - a.start) / a.step + 1e-9) + 1;
		if (!(count >= 1) || count > MAX_AXIS_VALUES) throw new Error(`${a.name}: ${a.start}:${a.end}:${a.step} has more than ${MAX_AXIS_VALUES.toLocaleString('en-US')} values`);
		const axis = { name: a.name, start: a.start, step: a.step, count, dec: Math.min(15, Math.max(decimalsOf(a.start), decimalsOf(a.step))) };
		for (const v of [axisValue(axis, 0), axisValue(axis, count - 1)]) {
			const err = checkParam(schema, v);
			if (err) throw new Error(`${a.name}: ${err}`);
		}
		if (schema.type !== 'float' && !Number.isInteger(a.step)) throw new Error(`${a.name}: step ${a.step} must be a whole number`);
		axes.push(axis);
		size *= count;
		if (size > MAX_LINK_SPACE) {
			throw new Error(
				`the search space has more than ${MAX_LINK_SPACE.toLocaleString('en-US')} combinations, more than a share link may start; use larger steps or fewer parameters`
			);
		}
	}
	const trials = methodTrials(p, size, axes.length);
	if (trials > MAX_LINK_TRIALS) {
		throw new Error(
			`the link would run ${trials.toLocaleString('en-US')} backtests, more than the ${MAX_LINK_TRIALS.toLocaleString('en-US')} a share link may start`
		);
	}

	const fixed: Record<string, number> = {};
	for (const s of def.params) {
		const raw = (p.job.config.params as Record<string, number | boolean> | undefined)?.[s.name] ?? s.default;
		fixed[s.name] = typeof raw === 'boolean' ? (raw ? 1 : 0) : raw;
	}
	const valuesAt = (index: number): number[] => {
		const out = new Array<number>(axes.length);
		let rest = index;
		for (let d = axes.length - 1; d >= 0; d--) {
			out[d] = axisValue(axes[d], rest % axes[d].count);
			rest = Math.floor(rest / axes[d].count);
		}
		return out;
	};
	const valid = (values: number[]): boolean => {
		const params = { ...fixed };
		for (let d = 0; d < axes.length; d++) params[axes[d].name] = values[d];
		return def.constraints.every((c) => c.check(params));
	};
	for (const t of p.expected.best) {
		if (t.index >= size) throw new Error(`a best trial's index ${t.index} is outside the search space of ${size} combinations`);
		const values = valuesAt(t.index);
		if (t.values.length !== values.length || values.some((v, d) => !Object.is(v, t.values[d]))) {
			throw new Error(`a best trial's values (${t.values.join(', ')}) are not those of its index ${t.index} (${values.join(', ')})`);
		}
		if (!valid(values)) throw new Error(`a best trial (${t.values.join(', ')}) breaks the ${def.id} constraints`);
	}
	if (p.expected.best.length === 0 && def.constraints.length > 0) {
		let found = false;
		const probes = Math.min(size, SATISFIABILITY_PROBES);
		for (let i = 0; i < probes && !found; i++) found = valid(valuesAt(i));
		let s = 0x9e3779b9;
		for (let k = 0; k < SATISFIABILITY_PROBES && !found && size > probes; k++) {
			s = (s + 0x6d2b79f5) >>> 0;
			const u = (Math.imul(s ^ (s >>> 15), s | 1) >>> 0) / 4294967296;
			found = valid(valuesAt(Math.floor(u * size)));
		}
		if (!found) throw new Error(`no combination tried satisfies the ${def.id} constraints (${def.constraints.map((c) => c.message).join('; ')})`);
	}
	return { spaceSize: size, trials };
}

/** Most trials a method runs on a space of `size` raw combinations and `dims` axes (an upper bound). */
function methodTrials(p: OptimisationSharePayload, size: number, dims: number): number {
	const m = p.method;
	switch (m.kind) {
		case 'grid':
			return size;
		case 'random':
			return Math.min(m.trials, size);
		case 'genetic':
			return m.population * m.generations;
		case 'adaptive':
			return m.iterations * Math.min(size, m.pointsPerAxis ** dims);
	}
}

/**
 * The work a validated link asks for and whether the page must ask before starting it.
 * @param p - a validated payload (from `readShareLink`).
 * @returns bars, trials (upper bound), raw space size and `needsConfirmation` (above {@link CONFIRM_TRIALS} trials or
 *   {@link CONFIRM_BARS} candles).
 */
export function linkWorkload(p: SharePayload): LinkWorkload {
	const bars = p.market.bars;
	const { spaceSize, trials } = p.kind === 'run' ? { spaceSize: 1, trials: 1 } : checkSharedSearch(p);
	return { bars, trials, spaceSize, needsConfirmation: trials > CONFIRM_TRIALS || bars > CONFIRM_BARS };
}
