/**
 * The best K trials of a stream, in O(K) memory: a binary min-heap whose root is the worst kept trial.
 * Ties on the ranking value are broken by the smaller combination index, so the kept set and its order do not
 * depend on the order results arrive in (parallel workers finish batches in any order).
 */
import type { TrialResult } from './evaluate';

/** True when `a` ranks strictly better than `b` (higher rank, then smaller index). */
export function ranksBefore(a: TrialResult, b: TrialResult): boolean {
	return a.rank > b.rank || (a.rank === b.rank && a.index < b.index);
}

/** Compare for sorting best first. */
export function compareTrials(a: TrialResult, b: TrialResult): number {
	return ranksBefore(a, b) ? -1 : ranksBefore(b, a) ? 1 : 0;
}

/** Bounded best-K list of ranked trials (unranked trials, rank NaN, are ignored). */
export class TopK {
	readonly k: number;
	private readonly heap: TrialResult[] = [];

	/**
	 * @param k - how many trials to keep, whole number >= 1.
	 * @param initial - trials to start from (a resumed state).
	 * @throws RangeError for k < 1 or not whole.
	 */
	constructor(k: number, initial: readonly TrialResult[] = []) {
		if (!Number.isInteger(k) || k < 1) throw new RangeError(`top-K size must be a whole number >= 1, got ${k}`);
		this.k = k;
		for (const t of initial) this.add(t);
	}

	/** Number of trials kept (<= k). */
	get size(): number {
		return this.heap.length;
	}

	/** Offer a trial; kept when it is among the best k so far. @returns true when kept. */
	add(t: TrialResult): boolean {
		if (Number.isNaN(t.rank)) return false;
		const h = this.heap;
		if (h.length < this.k) {
			h.push(t);
			this.up(h.length - 1);
			return true;
		}
		if (!ranksBefore(t, h[0])) return false;
		h[0] = t;
		this.down(0);
		return true;
	}

	/** The best trial, or undefined when none is ranked. */
	best(): TrialResult | undefined {
		let b: TrialResult | undefined;
		for (const t of this.heap) if (!b || ranksBefore(t, b)) b = t;
		return b;
	}

	/** Kept trials, best first (a new array). */
	sorted(): TrialResult[] {
		return [...this.heap].sort(compareTrials);
	}

	// Min-heap by "worse first": parent must rank after (be worse than) its children.
	private up(i: number): void {
		const h = this.heap;
		while (i > 0) {
			const parent = (i - 1) >> 1;
			if (!ranksBefore(h[parent], h[i])) break;
			[h[parent], h[i]] = [h[i], h[parent]];
			i = parent;
		}
	}

	private down(i: number): void {
		const h = this.heap;
		for (;;) {
			const l = 2 * i + 1;
			const r = l + 1;
			let worst = i;
			if (l < h.length && ranksBefore(h[worst], h[l])) worst = l;
			if (r < h.length && ranksBefore(h[worst], h[r])) worst = r;
			if (worst === i) return;
			[h[worst], h[i]] = [h[i], h[worst]];
			i = worst;
		}
	}
}
