/**
 * Search-method flags of `npm run optimize` (grid, seeded random, seeded genetic, adaptive grid
 * refinement, the same methods as the Optimise screen) and the saved-state file that lets a search
 * be stopped (Ctrl+C) and resumed (`--resume FILE`). Kept apart from args.ts so the backtest flags
 * stay in one place.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { ValidationError } from '../lib/core/errors';
import type { OptimizationJob, OptimizationState, SearchMethod } from '../lib/optimize';

/** parseArgs option table of the method and state flags. */
export const METHOD_OPTIONS = {
	method: { type: 'string' },
	trials: { type: 'string' },
	seed: { type: 'string' },
	population: { type: 'string' },
	generations: { type: 'string' },
	crossover: { type: 'string' },
	mutation: { type: 'string' },
	elitism: { type: 'string' },
	iterations: { type: 'string' },
	refinement: { type: 'string' },
	points: { type: 'string' },
	state: { type: 'string' },
	resume: { type: 'string' }
} as const;

/** Help lines of the method and state flags. */
export const METHOD_HELP = `Search method (the same as the Optimise screen):
  --method grid|random|genetic|adaptive   default grid (every combination).
  --trials N               random: distinct combinations to evaluate (default 200).
  --seed N                 random / genetic: seed of the pseudo-random generator (default 1); same seed, same run.
  --population N           genetic: individuals per generation (default 30).
  --generations N          genetic: generations (default 10); stops earlier when every combination is evaluated.
  --crossover R            genetic: crossover rate 0..1 (default 0.8).
  --mutation R             genetic: mutation rate 0..1 (default 0.2).
  --elitism N              genetic: best individuals kept unchanged (default 2).
  --iterations N           adaptive: refinement rounds (default 3).
  --refinement R           adaptive: window shrink per round, 0..1 exclusive (default 0.5).
  --points N               adaptive: grid points per parameter per round (default 5).
  --state FILE.json        save the resumable search state there (every few seconds, on Ctrl+C and at the end).
  --resume FILE.json       continue a saved search: give the same command (data, strategy, ranges, method) again.`;

type MethodValues = Partial<Record<keyof typeof METHOD_OPTIONS, string>>;

function int(flag: string, raw: string | undefined, dflt: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
	if (raw === undefined) return dflt;
	const v = Number(raw.trim());
	if (!/^[+-]?\d+$/.test(raw.trim()) || v < min || v > max) throw new ValidationError(`${flag} must be a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got '${raw}'.`);
	return v;
}
function rate(flag: string, raw: string | undefined, dflt: number, lo: number, hi: number, open = false): number {
	if (raw === undefined) return dflt;
	const v = Number(raw.trim());
	const ok = raw.trim() !== '' && Number.isFinite(v) && (open ? v > lo && v < hi : v >= lo && v <= hi);
	if (!ok) throw new ValidationError(`${flag} must be a number ${open ? 'strictly between' : 'from'} ${lo} ${open ? 'and' : 'to'} ${hi}, got '${raw}'.`);
	return v;
}

/**
 * The search method from the flags.
 * @throws ValidationError naming the flag for an unknown method, a bad number, or a flag of another method.
 */
export function parseMethod(v: MethodValues): SearchMethod {
	const kind = (v.method ?? 'grid').trim();
	const own: Record<string, (keyof MethodValues)[]> = {
		grid: [],
		random: ['trials', 'seed'],
		genetic: ['seed', 'population', 'generations', 'crossover', 'mutation', 'elitism'],
		adaptive: ['iterations', 'refinement', 'points']
	};
	if (!(kind in own)) throw new ValidationError(`--method must be grid, random, genetic or adaptive, got '${v.method}'.`);
	for (const k of ['trials', 'seed', 'population', 'generations', 'crossover', 'mutation', 'elitism', 'iterations', 'refinement', 'points'] as const) {
		if (v[k] !== undefined && !own[kind].includes(k)) throw new ValidationError(`--${k} does not apply to --method ${kind}; remove it or pick the method it belongs to.`);
	}
	switch (kind) {
		case 'random':
			return { kind: 'random', trials: int('--trials', v.trials, 200, 1), seed: int('--seed', v.seed, 1, 0, 2 ** 32 - 1) };
		case 'genetic': {
			const population = int('--population', v.population, 30, 2, 100_000);
			return {
				kind: 'genetic',
				population,
				generations: int('--generations', v.generations, 10, 1, 100_000),
				crossoverRate: rate('--crossover', v.crossover, 0.8, 0, 1),
				mutationRate: rate('--mutation', v.mutation, 0.2, 0, 1),
				elitism: int('--elitism', v.elitism, Math.min(2, population - 1), 0, population - 1),
				seed: int('--seed', v.seed, 1, 0, 2 ** 32 - 1)
			};
		}
		case 'adaptive':
			return {
				kind: 'adaptive',
				iterations: int('--iterations', v.iterations, 3, 1, 1000),
				refinementFactor: rate('--refinement', v.refinement, 0.5, 0, 1, true),
				pointsPerAxis: int('--points', v.points, 5, 2, 1000)
			};
		default:
			return { kind: 'grid' };
	}
}

/** JSON with NaN and ±Infinity kept (`{"$n":"NaN"}`), so a saved state restores exactly. */
export function stateToJson(state: OptimizationState): string {
	return JSON.stringify(state, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? { $n: String(v) } : v));
}

/** Inverse of {@link stateToJson}. @throws ValidationError when the text is not a saved state. */
export function stateFromJson(text: string, source: string): OptimizationState {
	let s: OptimizationState;
	try {
		s = JSON.parse(text, (_k, v) => (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof v.$n === 'string' ? Number(v.$n) : v));
	} catch (e) {
		throw new ValidationError(`--resume ${source} is not a saved optimisation state (${(e as Error).message}).`);
	}
	if (!s || s.version !== 1 || !s.job || !s.method || !s.planner) throw new ValidationError(`--resume ${source} is not a saved optimisation state (version 1 expected).`);
	return s;
}

/** Read a saved state. @throws ValidationError when the file is missing or not a state. */
export function readState(path: string): OptimizationState {
	let text: string;
	try {
		text = readFileSync(path, 'utf8');
	} catch (e) {
		throw new ValidationError(`cannot read --resume file '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
	}
	return stateFromJson(text, path);
}

/** Write a state atomically (temp file, then rename), so a crash never leaves half a file. */
export function writeState(path: string, state: OptimizationState): void {
	writeFileSync(`${path}.tmp`, stateToJson(state));
	renameSync(`${path}.tmp`, path);
}

/**
 * Check that a saved state belongs to the job and method of this command.
 * @throws ValidationError saying what differs (data, configuration, ranges, objective or method).
 */
export function checkResumable(state: OptimizationState, job: OptimizationJob, method: SearchMethod, source: string): void {
	const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
	const diffs: string[] = [];
	if (!same(state.job.data, job.data)) diffs.push(`data (${state.job.data.bars} bars saved, ${job.data.bars} now)`);
	if (!same(state.job.config, job.config)) diffs.push('strategy or execution settings');
	if (!same(state.job.axes, job.axes)) diffs.push('parameter ranges');
	if (!same(state.job.objective, job.objective)) diffs.push('objective or --min-trades');
	if (!same(state.method, method)) diffs.push(`method (${state.method.kind} saved, ${method.kind} now)`);
	if (diffs.length) throw new ValidationError(`--resume ${source} is for another search: ${diffs.join(', ')} differ; give the same command that started it.`);
}
