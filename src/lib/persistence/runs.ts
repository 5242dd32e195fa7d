/**
 * Repository of backtest runs in the `runs` store: every run is stored when it is submitted
 * (`pending`), updated when a worker picks it up (`running`) and when it ends (`completed` with
 * its results, or `failed` with the reason). Typed arrays (equity, open times) are stored as they
 * are (IndexedDB clones them), so a reopened run shows exactly the numbers it showed when it ran.
 *
 * The persistence layer does not know the engine's types: the configuration and result payloads
 * are type parameters that the state layer fills in.
 */
import type { UnixMs } from '../core/types';
import { STORES, type AppDb, type RunRecord } from './db';

/** Life cycle of a run. */
export type RunStatus = 'pending' | 'running' | 'completed' | 'failed';

/** Market and candle range a run used. */
export interface RunMarket {
	symbol: string;
	interval: string;
	/** Id of the dataset (symbol, interval, range and content) the run was computed on. */
	datasetId: string;
	/** Open time of the first and last bar used (Unix ms UTC). */
	firstOpenTime: UnixMs;
	lastOpenTime: UnixMs;
	bars: number;
	/** Where the candles came from (`binance`, `import`, `bundled`). */
	source: string;
	/** Missing candles inside the range (exchange halts), for the record. */
	missingBars: number;
}

/** A stored run. `Config` and `Result` are the engine's configuration and result payloads. */
export interface StoredRun<Config = unknown, Result = unknown> extends RunRecord {
	id: string;
	createdAt: UnixMs;
	/** Last status change, Unix ms UTC. */
	updatedAt: UnixMs;
	status: RunStatus;
	/** Human-readable reason when `status` is `failed`. */
	error?: string;
	/** Short title, e.g. `SMA cross 10/30 · BTCUSDT 1h`. */
	label: string;
	config: Config;
	market: RunMarket;
	/** Present when `status` is `completed`. */
	result?: Result;
}

/** Reason stored for runs that were pending or running when the page went away. */
export const INTERRUPTED_MESSAGE = 'Interrupted: the page was closed or reloaded before the run finished. Run it again.';

/**
 * A new run id: time-ordered and unique enough for one browser (`run-<ms base36>-<random>`).
 * @param now - Unix ms (default `Date.now()`).
 */
export function newRunId(now: UnixMs = Date.now()): string {
	return `run-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** CRUD over the `runs` store; see the module comment. */
export class RunsRepository<Config = unknown, Result = unknown> {
	readonly #db: AppDb;

	/** @param db - the opened app database (`openAppDb()`). */
	constructor(db: AppDb) {
		this.#db = db;
	}

	/**
	 * Store (insert or replace) a run.
	 * @throws DOMException from IndexedDB (e.g. QuotaExceededError) — nothing is written then.
	 */
	async put(run: StoredRun<Config, Result>): Promise<void> {
		await this.#db.put(STORES.runs, run as RunRecord);
	}

	/** The run with `id`, or undefined. */
	async get(id: string): Promise<StoredRun<Config, Result> | undefined> {
		return (await this.#db.get(STORES.runs, id)) as StoredRun<Config, Result> | undefined;
	}

	/**
	 * Change a stored run's fields in one transaction.
	 * @param patch - fields to set; `updatedAt` is set to `now`.
	 * @returns the updated run.
	 * @throws Error when no run has this id (it was deleted meanwhile).
	 */
	async update(id: string, patch: Partial<Omit<StoredRun<Config, Result>, 'id' | 'createdAt'>>, now: UnixMs = Date.now()): Promise<StoredRun<Config, Result>> {
		const tx = this.#db.transaction(STORES.runs, 'readwrite');
		const current = (await tx.store.get(id)) as StoredRun<Config, Result> | undefined;
		if (!current) {
			tx.abort();
			await tx.done.catch(() => undefined);
			throw new Error(`Run ${id} is not in the history any more (it was deleted).`);
		}
		const next = { ...current, ...patch, id: current.id, createdAt: current.createdAt, updatedAt: now } as StoredRun<Config, Result>;
		await tx.store.put(next as RunRecord);
		await tx.done;
		return next;
	}

	/**
	 * Every stored run, newest first.
	 * @param limit - at most this many (default all).
	 */
	async list(limit = Infinity): Promise<StoredRun<Config, Result>[]> {
		const out: StoredRun<Config, Result>[] = [];
		let cursor = await this.#db.transaction(STORES.runs).store.index('by-createdAt').openCursor(null, 'prev');
		while (cursor && out.length < limit) {
			out.push(cursor.value as StoredRun<Config, Result>);
			cursor = await cursor.continue();
		}
		return out;
	}

	/** Delete one run. @returns false when it did not exist. */
	async delete(id: string): Promise<boolean> {
		const tx = this.#db.transaction(STORES.runs, 'readwrite');
		const exists = (await tx.store.getKey(id)) !== undefined;
		if (exists) await tx.store.delete(id);
		await tx.done;
		return exists;
	}

	/**
	 * Mark runs left `pending` or `running` by a previous page session as failed
	 * ({@link INTERRUPTED_MESSAGE}); call once at start-up, before submitting new runs.
	 * @returns ids of the runs changed.
	 */
	async markInterrupted(now: UnixMs = Date.now()): Promise<string[]> {
		const tx = this.#db.transaction(STORES.runs, 'readwrite');
		const changed: string[] = [];
		let cursor = await tx.store.openCursor();
		while (cursor) {
			const run = cursor.value as StoredRun<Config, Result>;
			if (run.status === 'pending' || run.status === 'running') {
				await cursor.update({ ...run, status: 'failed', error: INTERRUPTED_MESSAGE, updatedAt: now } as RunRecord);
				changed.push(run.id);
			}
			cursor = await cursor.continue();
		}
		await tx.done;
		return changed;
	}
}
