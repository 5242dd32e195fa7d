/**
 * Search methods as planners: pure, main-thread objects that decide which trials to run next and learn from the
 * results. A planner hands out {@link TrialBatch}es, receives their results through `tell`, and can be serialised at
 * any time (`state()`) and recreated from that state to resume exactly where it stopped.
 *
 * - grid: every combination, in index order (axis 0 outermost), as index ranges; nothing is materialised.
 * - random: `trials` distinct combinations in a seeded pseudo-random order (a keyed permutation of the indices, so no
 *   memory of what was drawn is needed).
 * - genetic: seeded genetic algorithm over the axes' value positions (tournament selection, uniform crossover,
 *   creep mutation, elitism); a combination is evaluated at most once per run (results are cached by index), every
 *   bred child is a combination not evaluated yet (a fresh random one when breeding keeps finding known ones), and
 *   the search stops early, marked `exhausted`, once every valid combination has been evaluated.
 * - adaptive: adaptive grid refinement: a coarse grid of `pointsPerAxis` values per axis, then `iterations - 1`
 *   zooms, each around the best trial so far with the window's half-width multiplied by `refinementFactor`.
 */
import { ValidationError } from '../core/errors';
import type { TrialBatch, TrialResult } from './evaluate';
import { IndexPermutation, Rng, type RngState } from './rng';
import type { SearchSpace } from './space';

/** A search method and its settings (plain data, stored with the optimisation state). */
export type SearchMethod =
	| { kind: 'grid' }
	| {
			kind: 'random';
			/** Number of distinct combinations to evaluate (capped at the number of valid combinations). */
			trials: number;
			seed: number;
	  }
	| {
			kind: 'genetic';
			/** Individuals per generation, >= 2. */
			population: number;
			/** Number of generations, >= 1 (the first is random). */
			generations: number;
			/** Probability that a child is a uniform crossover of two parents (else a copy of the first), 0..1. */
			crossoverRate: number;
			/** Probability that each gene (parameter) of a child is mutated, 0..1. */
			mutationRate: number;
			/** Best individuals copied unchanged into the next generation, 0..population-1. */
			elitism: number;
			seed: number;
			/** Tournament size for parent selection (default 3). */
			tournamentSize?: number;
	  }
	| {
			kind: 'adaptive';
			/** Number of grids (the coarse one plus refinements), >= 1. */
			iterations: number;
			/** Each refinement multiplies the search window's half-width by this, 0 < f < 1 (0.5 halves it). */
			refinementFactor: number;
			/** Values per axis in each grid, >= 2. */
			pointsPerAxis: number;
	  };

/** Progress of a planner, in trials. */
export interface PlannerProgress {
	completed: number;
	total: number;
	/** True when `total` is an estimate (adaptive refinement, constraint counts of huge spaces). */
	totalIsEstimate: boolean;
	/** Genetic search only: true when it stopped because every valid combination had been evaluated. */
	exhausted?: boolean;
}

/** Serialisable planner state (method-specific; opaque to callers). */
export type PlannerState =
	| { kind: 'grid'; cursor: number; completed: number }
	| { kind: 'random'; cursor: number; issued: number; completed: number }
	| {
			kind: 'genetic';
			rng: RngState;
			generation: number;
			/** Current generation's members (indices). */
			members: number[];
			/** Evaluated combinations: [index, rank (NaN = not ranked)]. */
			cache: [number, number][];
			/** Members' indices already handed out in this generation. */
			issued: number[];
			completed: number;
			/** Stopped early: every valid combination has been evaluated. */
			exhausted?: boolean;
	  }
	| {
			kind: 'adaptive';
			iteration: number;
			center: number[];
			halfWidth: number[];
			/** This iteration's points still to evaluate (not yet handed out). */
			queue: number[];
			/** Points handed out and not yet told. */
			outstanding: number;
			cache: [number, number][];
			best: { index: number; rank: number } | null;
			firstIterationSize: number;
			done: boolean;
	  };

/** The planner interface shared by all methods. */
export interface SearchPlanner {
	/**
	 * Next batch of trials to evaluate, of at most `maxTrials` combinations (raw indices for grid ranges).
	 * @returns null when nothing can be handed out now: the search is finished, or it waits for results (a
	 *   genetic generation or a refinement step needs all its results first).
	 */
	next(maxTrials: number): TrialBatch | null;
	/** Results of a batch handed out by `next` (in any order relative to other batches). */
	tell(batch: TrialBatch, results: readonly TrialResult[]): void;
	/** True when every trial has been handed out and told. */
	readonly done: boolean;
	progress(): PlannerProgress;
	state(): PlannerState;
}

function requireInt(name: string, v: number, min: number, max = Infinity): void {
	if (!Number.isInteger(v) || v < min || v > max) {
		throw new ValidationError(`${name} must be a whole number${max === Infinity ? ` >= ${min}` : ` from ${min} to ${max}`}, got ${v}.`);
	}
}
function requireRate(name: string, v: number, lo: number, hi: number, open = false): void {
	if (typeof v !== 'number' || !Number.isFinite(v) || (open ? !(v > lo && v < hi) : !(v >= lo && v <= hi))) {
		throw new ValidationError(`${name} must be a number ${open ? 'strictly between' : 'from'} ${lo} ${open ? 'and' : 'to'} ${hi}, got ${v}.`);
	}
}

/**
 * Check a method's settings.
 * @throws ValidationError naming the setting and its allowed range.
 */
export function validateMethod(method: SearchMethod): void {
	switch (method?.kind) {
		case 'grid':
			return;
		case 'random':
			requireInt('random trials', method.trials, 1);
			requireInt('random seed', method.seed, 0, 2 ** 32 - 1);
			return;
		case 'genetic':
			requireInt('genetic population', method.population, 2);
			requireInt('genetic generations', method.generations, 1);
			requireRate('genetic crossoverRate', method.crossoverRate, 0, 1);
			requireRate('genetic mutationRate', method.mutationRate, 0, 1);
			requireInt('genetic elitism', method.elitism, 0, method.population - 1);
			requireInt('genetic seed', method.seed, 0, 2 ** 32 - 1);
			if (method.tournamentSize !== undefined) requireInt('genetic tournamentSize', method.tournamentSize, 1, method.population);
			return;
		case 'adaptive':
			requireInt('adaptive iterations', method.iterations, 1);
			requireRate('adaptive refinementFactor', method.refinementFactor, 0, 1, true);
			requireInt('adaptive pointsPerAxis', method.pointsPerAxis, 2);
			return;
		default:
			throw new ValidationError(`unknown search method ${JSON.stringify((method as { kind?: unknown })?.kind)}: use grid, random, genetic or adaptive.`);
	}
}

/** Number of raw indices in a batch. */
export function batchSize(batch: TrialBatch): number {
	return batch.kind === 'range' ? batch.to - batch.from : batch.indices.length;
}

class GridPlanner implements SearchPlanner {
	private cursor: number;
	private completed: number;
	private outstanding = 0;
	constructor(private readonly space: SearchSpace, state?: Extract<PlannerState, { kind: 'grid' }>) {
		this.cursor = state?.cursor ?? 0;
		this.completed = state?.completed ?? 0;
	}
	next(maxTrials: number): TrialBatch | null {
		if (this.cursor >= this.space.size) return null;
		const from = this.cursor;
		const to = Math.min(this.space.size, from + Math.max(1, maxTrials));
		this.cursor = to;
		this.outstanding++;
		return { kind: 'range', from, to };
	}
	tell(_batch: TrialBatch, results: readonly TrialResult[]): void {
		this.outstanding--;
		this.completed += results.length;
	}
	get done(): boolean {
		return this.cursor >= this.space.size && this.outstanding <= 0;
	}
	progress(): PlannerProgress {
		const v = this.space.countValid();
		return { completed: this.completed, total: v.count, totalIsEstimate: !v.exact };
	}
	state(): PlannerState {
		return { kind: 'grid', cursor: this.cursor, completed: this.completed };
	}
}

class RandomPlanner implements SearchPlanner {
	private readonly perm: IndexPermutation;
	private cursor: number;
	private issued: number;
	private completed: number;
	private outstanding = 0;
	constructor(
		private readonly space: SearchSpace,
		private readonly method: Extract<SearchMethod, { kind: 'random' }>,
		state?: Extract<PlannerState, { kind: 'random' }>
	) {
		this.perm = new IndexPermutation(space.size, method.seed);
		this.cursor = state?.cursor ?? 0;
		this.issued = state?.issued ?? 0;
		this.completed = state?.completed ?? 0;
	}
	private get target(): number {
		return Math.min(this.method.trials, this.space.countValid().count);
	}
	next(maxTrials: number): TrialBatch | null {
		const indices: number[] = [];
		const want = Math.min(Math.max(1, maxTrials), this.method.trials - this.issued);
		while (indices.length < want && this.cursor < this.space.size) {
			const i = this.perm.at(this.cursor++);
			if (this.space.isValid(i)) indices.push(i);
		}
		if (indices.length === 0) return null;
		this.issued += indices.length;
		this.outstanding++;
		return { kind: 'indices', indices };
	}
	tell(_batch: TrialBatch, results: readonly TrialResult[]): void {
		this.outstanding--;
		this.completed += results.length;
	}
	get done(): boolean {
		return (this.issued >= this.method.trials || this.cursor >= this.space.size) && this.outstanding <= 0;
	}
	progress(): PlannerProgress {
		const exhausted = this.cursor >= this.space.size;
		return {
			completed: this.completed,
			total: exhausted ? this.issued : this.target,
			totalIsEstimate: !exhausted && !this.space.countValid().exact
		};
	}
	state(): PlannerState {
		return { kind: 'random', cursor: this.cursor, issued: this.issued, completed: this.completed };
	}
}

/** A random combination passing the constraints (up to 10,000 tries). @throws ValidationError when none is found. */
function randomValidIndex(space: SearchSpace, rng: Rng): number {
	for (let t = 0; t < 10_000; t++) {
		const i = rng.int(space.size);
		if (space.isValid(i)) return i;
	}
	throw new ValidationError('could not draw a combination that satisfies the strategy constraints in 10,000 tries: widen the ranges.');
}

class GeneticPlanner implements SearchPlanner {
	private readonly rng: Rng;
	private generation: number;
	private members: number[];
	private readonly cache: Map<number, number>;
	private issued: Set<number>;
	private completed: number;
	private readonly m: Extract<SearchMethod, { kind: 'genetic' }>;
	private exhausted = false;
	/** Valid combinations when counted exactly (null when estimated: exhaustion is then detected by breeding). */
	private readonly validTotal: number | null;
	constructor(private readonly space: SearchSpace, method: Extract<SearchMethod, { kind: 'genetic' }>, state?: Extract<PlannerState, { kind: 'genetic' }>) {
		this.m = method;
		const v = space.countValid();
		this.validTotal = v.exact ? v.count : null;
		if (state) {
			this.rng = Rng.fromState(state.rng);
			this.generation = state.generation;
			this.members = [...state.members];
			this.cache = new Map(state.cache.map(([i, r]) => [i, r ?? NaN]));
			this.issued = new Set(state.issued);
			this.completed = state.completed;
			this.exhausted = state.exhausted ?? false;
		} else {
			this.rng = new Rng(method.seed);
			this.generation = 0;
			this.cache = new Map();
			this.issued = new Set();
			this.completed = 0;
			this.members = [];
			const distinct = new Set<number>();
			for (let k = 0; k < method.population; k++) {
				let i = randomValidIndex(space, this.rng);
				for (let t = 0; t < 50 && distinct.has(i); t++) i = randomValidIndex(space, this.rng);
				if (distinct.has(i)) i = this.freshIndex(distinct);
				if (i < 0) break; // a space smaller than the population: every combination is in it
				distinct.add(i);
				this.members.push(i);
			}
		}
	}
	private get totalSlots(): number {
		return this.m.population + (this.m.generations - 1) * (this.m.population - this.m.elitism);
	}
	next(maxTrials: number): TrialBatch | null {
		if (this.done) return null;
		const indices: number[] = [];
		for (const i of this.members) {
			if (indices.length >= Math.max(1, maxTrials)) break;
			if (this.cache.has(i) || this.issued.has(i)) continue;
			this.issued.add(i);
			indices.push(i);
		}
		return indices.length ? { kind: 'indices', indices } : null;
	}
	tell(batch: TrialBatch, results: readonly TrialResult[]): void {
		const got = new Map(results.map((r) => [r.index, r.rank]));
		const idx = batch.kind === 'indices' ? batch.indices : [];
		for (const i of idx) this.cache.set(i, got.get(i) ?? NaN);
		this.maybeAdvance();
	}
	private maybeAdvance(): void {
		if (!this.members.every((i) => this.cache.has(i))) return;
		const isFirst = this.generation === 0;
		this.completed += isFirst ? this.members.length : this.members.length - Math.min(this.m.elitism, this.members.length);
		if (this.generation + 1 >= this.m.generations) {
			this.generation = this.m.generations;
			return;
		}
		const next = this.validTotal !== null && this.cache.size >= this.validTotal ? null : this.breed();
		if (!next) {
			// Every valid combination has been evaluated: nothing new can be bred.
			this.exhausted = true;
			this.generation = this.m.generations;
			return;
		}
		this.members = next;
		this.generation++;
		this.issued = new Set();
		// Elites are already evaluated: the cache answers for them.
		this.maybeAdvance();
	}

	/** A valid combination not evaluated yet and not in `taken`, drawn at random, else by a scan from a random start; -1 when none is left. */
	private freshIndex(taken: Set<number>): number {
		const sp = this.space;
		const fresh = (i: number) => sp.isValid(i) && !this.cache.has(i) && !taken.has(i);
		for (let t = 0; t < 64; t++) {
			const i = this.rng.int(sp.size);
			if (fresh(i)) return i;
		}
		const start = this.rng.int(sp.size);
		// Bounded scan (huge spaces are never nearly exhausted by a genetic run of practical size).
		for (let k = 0, n = Math.min(sp.size, 5_000_000); k < n; k++) {
			const i = (start + k) % sp.size;
			if (fresh(i)) return i;
		}
		return -1;
	}
	private fitness(i: number): number {
		const r = this.cache.get(i);
		return r === undefined || Number.isNaN(r) ? -Infinity : r;
	}
	private better(a: number, b: number): boolean {
		const fa = this.fitness(a);
		const fb = this.fitness(b);
		return fa > fb || (fa === fb && a < b);
	}
	private tournament(): number {
		const size = this.m.tournamentSize ?? 3;
		let best = this.members[this.rng.int(this.members.length)];
		for (let k = 1; k < size; k++) {
			const c = this.members[this.rng.int(this.members.length)];
			if (this.better(c, best)) best = c;
		}
		return best;
	}
	/**
	 * The next generation: the elites, then children that are valid, not evaluated before and not
	 * already in this generation (20 breeding attempts each, else a fresh random combination).
	 * @returns null when no combination is left to evaluate.
	 */
	private breed(): number[] | null {
		const sp = this.space;
		const ranked = [...this.members].sort((a, b) => (this.better(a, b) ? -1 : this.better(b, a) ? 1 : 0));
		const next = ranked.slice(0, this.m.elitism);
		const taken = new Set(next);
		const d1: number[] = [];
		const d2: number[] = [];
		let bred = 0;
		while (next.length < this.m.population) {
			let child = -1;
			for (let attempt = 0; attempt < 20 && child < 0; attempt++) {
				sp.digitsAt(this.tournament(), d1);
				if (this.rng.next() < this.m.crossoverRate) {
					sp.digitsAt(this.tournament(), d2);
					for (let d = 0; d < d1.length; d++) if (this.rng.next() < 0.5) d1[d] = d2[d];
				}
				for (let d = 0; d < d1.length; d++) {
					const n = sp.axes[d].values.length;
					if (n > 1 && this.rng.next() < this.m.mutationRate) {
						const reach = Math.max(1, Math.ceil(n / 10));
						const delta = (1 + this.rng.int(reach)) * (this.rng.next() < 0.5 ? -1 : 1);
						d1[d] = Math.min(n - 1, Math.max(0, d1[d] + delta));
					}
				}
				const i = sp.indexOf(d1);
				if (sp.isValid(i) && !this.cache.has(i) && !taken.has(i)) child = i;
			}
			if (child < 0) child = this.freshIndex(taken);
			if (child < 0) break; // the space holds no other unevaluated combination
			next.push(child);
			taken.add(child);
			bred++;
		}
		if (bred === 0) return null;
		// Fewer new combinations than slots left: the generation is shorter (the space is nearly exhausted).
		return next;
	}
	get done(): boolean {
		return this.generation >= this.m.generations;
	}
	progress(): PlannerProgress {
		let inGen = 0;
		if (!this.done) {
			const counted = this.generation === 0 ? this.members : this.members.slice(Math.min(this.m.elitism, this.members.length));
			for (const i of counted) if (this.cache.has(i)) inGen++;
		}
		const total = this.exhausted ? this.completed : this.validTotal !== null ? Math.min(this.totalSlots, this.validTotal) : this.totalSlots;
		return { completed: this.completed + inGen, total, totalIsEstimate: false, exhausted: this.exhausted };
	}
	state(): PlannerState {
		return {
			kind: 'genetic',
			rng: this.rng.state(),
			generation: this.generation,
			members: [...this.members],
			cache: [...this.cache.entries()],
			issued: [...this.issued],
			completed: this.completed,
			exhausted: this.exhausted
		};
	}
}

/** `m` evenly spaced integer positions in [lo, hi] (fewer when the window is narrower), ascending, distinct. */
export function evenPositions(lo: number, hi: number, m: number): number[] {
	if (hi <= lo) return [lo];
	const out: number[] = [];
	for (let j = 0; j < m; j++) {
		const p = Math.round(lo + ((hi - lo) * j) / (m - 1));
		if (out[out.length - 1] !== p) out.push(p);
	}
	return out;
}

class AdaptivePlanner implements SearchPlanner {
	private s: Extract<PlannerState, { kind: 'adaptive' }>;
	private readonly cache: Map<number, number>;
	constructor(
		private readonly space: SearchSpace,
		private readonly m: Extract<SearchMethod, { kind: 'adaptive' }>,
		state?: Extract<PlannerState, { kind: 'adaptive' }>
	) {
		if (state) {
			this.s = { ...state, best: state.best ? { index: state.best.index, rank: state.best.rank ?? NaN } : null };
			this.cache = new Map(state.cache.map(([i, r]) => [i, r ?? NaN]));
			return;
		}
		const n = space.axes.map((a) => a.values.length);
		this.s = {
			kind: 'adaptive',
			iteration: 0,
			center: n.map((k) => (k - 1) / 2),
			halfWidth: n.map((k) => (k - 1) / 2),
			queue: [],
			outstanding: 0,
			cache: [],
			best: null,
			firstIterationSize: 0,
			done: false
		};
		this.cache = new Map();
		this.s.queue = this.gridPoints();
		this.s.firstIterationSize = this.s.queue.length;
		if (this.s.queue.length === 0) {
			throw new ValidationError('the coarse grid of the adaptive search has no combination that satisfies the constraints: add points per axis or widen the ranges.');
		}
	}
	/** Points of the current window not evaluated yet, passing the constraints. */
	private gridPoints(): number[] {
		const sp = this.space;
		const perAxis = sp.axes.map((a, d) => {
			const n = a.values.length;
			const w = Math.min(this.s.halfWidth[d], (n - 1) / 2);
			let lo = this.s.center[d] - w;
			let hi = this.s.center[d] + w;
			if (lo < 0) (hi -= lo), (lo = 0);
			if (hi > n - 1) (lo -= hi - (n - 1)), (hi = n - 1);
			return evenPositions(Math.max(0, Math.round(lo)), Math.min(n - 1, Math.round(hi)), Math.min(this.m.pointsPerAxis, n));
		});
		const out: number[] = [];
		const digits = new Array<number>(perAxis.length).fill(0);
		const pos = new Array<number>(perAxis.length).fill(0);
		for (;;) {
			for (let d = 0; d < perAxis.length; d++) digits[d] = perAxis[d][pos[d]];
			const i = sp.indexOf(digits);
			if (!this.cache.has(i) && sp.isValid(i)) out.push(i);
			let d = perAxis.length - 1;
			while (d >= 0 && ++pos[d] >= perAxis[d].length) pos[d--] = 0;
			if (d < 0) break;
		}
		return out;
	}
	next(maxTrials: number): TrialBatch | null {
		if (this.s.done || this.s.queue.length === 0) return null;
		const indices = this.s.queue.splice(0, Math.max(1, maxTrials));
		this.s.outstanding++;
		return { kind: 'indices', indices };
	}
	tell(batch: TrialBatch, results: readonly TrialResult[]): void {
		this.s.outstanding--;
		const got = new Map(results.map((r) => [r.index, r.rank]));
		for (const i of batch.kind === 'indices' ? batch.indices : []) {
			const r = got.get(i) ?? NaN;
			this.cache.set(i, r);
			const b = this.s.best;
			if (!Number.isNaN(r) && (!b || r > b.rank || (r === b.rank && i < b.index))) this.s.best = { index: i, rank: r };
		}
		this.advance();
	}
	private advance(): void {
		while (!this.s.done && this.s.queue.length === 0 && this.s.outstanding === 0) {
			if (this.s.iteration + 1 >= this.m.iterations) {
				this.s.done = true;
				return;
			}
			const sp = this.space;
			if (this.s.best) this.s.center = sp.digitsAt(this.s.best.index);
			this.s.halfWidth = this.s.halfWidth.map((w) => w * this.m.refinementFactor);
			this.s.iteration++;
			// Converged: the window is narrower than one value step on every axis.
			if (this.s.halfWidth.every((w) => w < 0.5)) {
				this.s.done = true;
				return;
			}
			this.s.queue = this.gridPoints();
		}
	}
	get done(): boolean {
		return this.s.done;
	}
	progress(): PlannerProgress {
		const completed = this.cache.size;
		if (this.s.done) return { completed, total: completed, totalIsEstimate: false };
		return { completed, total: Math.max(completed + this.s.queue.length, this.m.iterations * this.s.firstIterationSize), totalIsEstimate: true };
	}
	state(): PlannerState {
		return { ...structuredClone(this.s), cache: [...this.cache.entries()] };
	}
	/** Current iteration (0 = the coarse grid). */
	get iteration(): number {
		return this.s.iteration;
	}
}

/**
 * Create the planner of a search method, new or from a stored state.
 * @param space - the search space.
 * @param method - the method and its settings.
 * @param state - a state from `planner.state()` of the same method and space, to resume.
 * @returns the planner.
 * @throws ValidationError for invalid settings (see {@link validateMethod}) or a state of another method.
 */
export function createPlanner(space: SearchSpace, method: SearchMethod, state?: PlannerState): SearchPlanner {
	validateMethod(method);
	if (state && state.kind !== method.kind) throw new ValidationError(`cannot resume a ${state.kind} search as ${method.kind}.`);
	switch (method.kind) {
		case 'grid':
			return new GridPlanner(space, state as Extract<PlannerState, { kind: 'grid' }>);
		case 'random':
			return new RandomPlanner(space, method, state as Extract<PlannerState, { kind: 'random' }>);
		case 'genetic':
			return new GeneticPlanner(space, method, state as Extract<PlannerState, { kind: 'genetic' }>);
		case 'adaptive':
			return new AdaptivePlanner(space, method, state as Extract<PlannerState, { kind: 'adaptive' }>);
	}
}


