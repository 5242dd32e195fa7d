/**
 * Seeded randomness shared by the search methods (src/lib/optimize) and the Monte Carlo analysis (src/lib/analysis): a small PRNG whose whole state is one 32-bit integer (so it can be
 * stored in a resumable optimisation state) and a keyed pseudo-random permutation of `[0, n)` (random search
 * without replacement and without remembering what was drawn).
 */

/** Serialisable state of a {@link Rng}: one unsigned 32-bit integer. */
export interface RngState {
	s: number;
}

/**
 * Mulberry32 pseudo-random generator (Tommy Ettinger's public-domain generator; period 2^32).
 * The same seed gives the same sequence on every JS engine (integer arithmetic only until the final division).
 */
export class Rng {
	private s: number;

	/** @param seed - any number; its low 32 bits seed the generator. */
	constructor(seed: number) {
		this.s = seed >>> 0;
	}

	/** Recreate a generator from {@link Rng.state}. */
	static fromState(state: RngState): Rng {
		const r = new Rng(0);
		r.s = state.s >>> 0;
		return r;
	}

	/** The generator's state (resume with {@link Rng.fromState}). */
	state(): RngState {
		return { s: this.s };
	}

	/** Next uniform number in [0, 1) (32 bits of randomness). */
	next(): number {
		this.s = (this.s + 0x6d2b79f5) >>> 0;
		let t = this.s;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	}

	/**
	 * Fill `out[0..count)` with the next `count` uniform numbers in [0, 1): exactly the values `count` calls of
	 * {@link Rng.next} would return, in order (one tight loop, for the Monte Carlo hot paths).
	 * @param out - destination, length >= count.
	 * @param count - how many (default `out.length`).
	 */
	fill(out: Float64Array, count = out.length): void {
		let s = this.s;
		for (let i = 0; i < count; i++) {
			s = (s + 0x6d2b79f5) >>> 0;
			let t = s;
			t = Math.imul(t ^ (t >>> 15), t | 1);
			t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
			out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
		}
		this.s = s;
	}

	/** Uniform integer in [0, n) for 1 <= n <= 2^53 (two draws when n > 2^32). */
	int(n: number): number {
		if (n <= 4294967296) return Math.floor(this.next() * n);
		const x = Math.floor(this.next() * 2097152) * 4294967296 + Math.floor(this.next() * 4294967296);
		return Math.floor((x / 9007199254740992) * n);
	}
}

/** 32-bit integer hash (lowbias32 by Chris Wellons): a good avalanche, used as the Feistel round function. */
export function hash32(x: number): number {
	x = (x ^ (x >>> 16)) >>> 0;
	x = Math.imul(x, 0x7feb352d) >>> 0;
	x = (x ^ (x >>> 15)) >>> 0;
	x = Math.imul(x, 0x846ca68b) >>> 0;
	return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A keyed bijection of `[0, n)` onto itself: a 4-round balanced Feistel network on the smallest even number of
 * bits covering `n`, with cycle walking (values >= n are permuted again until they land below n; on average fewer
 * than 4 steps). Lets random search visit `perm(0), perm(1), ...` — distinct indices in a seed-dependent order —
 * with O(1) memory and a resumable cursor.
 * @see Black & Rogaway, "Ciphers with Arbitrary Finite Domains" (2002), cycle walking.
 */
export class IndexPermutation {
	readonly n: number;
	private readonly halfBits: number;
	private readonly mask: number;
	private readonly keys: number[];

	/**
	 * @param n - domain size, 1 <= n <= 2^52.
	 * @param seed - any number (low 32 bits used).
	 * @throws RangeError when n is not an integer in 1..2^52.
	 */
	constructor(n: number, seed: number) {
		if (!Number.isInteger(n) || n < 1 || n > 2 ** 52) throw new RangeError(`permutation size must be a whole number from 1 to 2^52, got ${n}`);
		this.n = n;
		let bits = 2;
		while (2 ** bits < n) bits += 2;
		this.halfBits = bits / 2;
		this.mask = 2 ** this.halfBits - 1;
		const rng = new Rng(seed);
		this.keys = [0, 1, 2, 3].map(() => Math.floor(rng.next() * 4294967296) >>> 0);
	}

	/** Image of `i` (0 <= i < n) under the permutation. */
	at(i: number): number {
		let x = i;
		do x = this.round(x);
		while (x >= this.n);
		return x;
	}

	private round(x: number): number {
		const h = 2 ** this.halfBits;
		let left = Math.floor(x / h);
		let right = x % h;
		// halfBits <= 26, so both halves and the round output fit in 32-bit integer operations.
		for (const k of this.keys) {
			const next = ((left ^ hash32((right ^ k) >>> 0)) >>> 0) & this.mask;
			left = right;
			right = next;
		}
		return left * h + right;
	}
}
