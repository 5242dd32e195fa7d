/**
 * Repository of optimisation jobs in the IndexedDB store `optimisations`: the job's status and counts, its best
 * trial and the runner's resumable state snapshot. Upper layers define the snapshot and best-trial payloads.
 */
import type { UnixMs } from '../core/types';
import { STORES, type AppDb, type OptimisationRecord } from './db';
import type { RunMarket } from './runs';

/** `running` while a page works on it; `interrupted` when the page closed meanwhile (resumable). */
export type OptimisationStatus = 'running' | 'interrupted' | 'cancelled' | 'failed' | 'done';

/** One stored optimisation job. */
export interface StoredOptimisation<State = unknown, Best = unknown> extends OptimisationRecord {
	id: string;
	createdAt: UnixMs;
	updatedAt: UnixMs;
	status: OptimisationStatus;
	error?: string;
	label: string;
	market: RunMarket;
	/** Trials to evaluate (an estimate when `totalIsEstimate`). */
	total: number;
	totalIsEstimate: boolean;
	/** Trials evaluated so far. */
	completed: number;
	/** Trials of batches that failed in a worker (they are re-queued in the state and run again on resume). */
	failed: number;
	/** Searched parameters of the best trial so far, with its objective value, or null. */
	best: Best | null;
	/** The runner's state snapshot (resume point). */
	state: State;
}

/** Message of a job found `running` when the app starts (its page was closed or reloaded). */
export const OPTIMISATION_INTERRUPTED = 'Interrupted: the page was closed or reloaded while the optimisation ran. Resume it to continue from the last saved point.';

/**
 * New optimisation id, sortable by time.
 * @param now - creation time, Unix ms.
 * @returns an id like `opt-<base36 time>-<random>`.
 */
export function newOptimisationId(now: UnixMs = Date.now()): string {
	return `opt-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Optimisation jobs in IndexedDB. */
export class OptimisationsRepository<State = unknown, Best = unknown> {
	readonly #db: AppDb;

	/** @param db - the opened app database (see `openAppDb`). */
	constructor(db: AppDb) {
		this.#db = db;
	}

	/**
	 * Insert or replace a job.
	 * @param job - the full record.
	 * @throws DOMException when IndexedDB refuses the write (quota, closed database).
	 */
	async put(job: StoredOptimisation<State, Best>): Promise<void> {
		await this.#db.put(STORES.optimisations, job as OptimisationRecord);
	}

	/**
	 * Read one job.
	 * @param id - job id.
	 * @returns the job, or undefined when absent.
	 */
	async get(id: string): Promise<StoredOptimisation<State, Best> | undefined> {
		return (await this.#db.get(STORES.optimisations, id)) as StoredOptimisation<State, Best> | undefined;
	}

	/**
	 * Every job, newest first.
	 * @param limit - maximum number returned.
	 * @returns the jobs ordered by `createdAt` descending.
	 */
	async list(limit = Infinity): Promise<StoredOptimisation<State, Best>[]> {
		const out: StoredOptimisation<State, Best>[] = [];
		let cursor = await this.#db.transaction(STORES.optimisations).store.index('by-createdAt').openCursor(null, 'prev');
		while (cursor && out.length < limit) {
			out.push(cursor.value as StoredOptimisation<State, Best>);
			cursor = await cursor.continue();
		}
		return out;
	}

	/**
	 * Delete a job.
	 * @param id - job id.
	 * @returns whether it existed.
	 */
	async delete(id: string): Promise<boolean> {
		const tx = this.#db.transaction(STORES.optimisations, 'readwrite');
		const exists = (await tx.store.getKey(id)) !== undefined;
		if (exists) await tx.store.delete(id);
		await tx.done;
		return exists;
	}

	/**
	 * Mark every `running` job as `interrupted` (call once at start-up: no page runs them any more). Their saved
	 * state stays, so they can be resumed.
	 * @param now - update time, Unix ms.
	 * @returns ids of the jobs changed.
	 */
	async markInterrupted(now: UnixMs = Date.now()): Promise<string[]> {
		const tx = this.#db.transaction(STORES.optimisations, 'readwrite');
		const changed: string[] = [];
		let cursor = await tx.store.openCursor();
		while (cursor) {
			const job = cursor.value as StoredOptimisation<State, Best>;
			if (job.status === 'running') {
				await cursor.update({ ...job, status: 'interrupted', error: OPTIMISATION_INTERRUPTED, updatedAt: now } as OptimisationRecord);
				changed.push(job.id);
			}
			cursor = await cursor.continue();
		}
		await tx.done;
		return changed;
	}
}
