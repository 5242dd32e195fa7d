/**
 * Repository of portfolio runs in the `portfolioRuns` store (schema v3): every run is stored when it
 * is submitted (`pending`), updated when a worker picks it up (`running`) and when it ends
 * (`completed` with its results, or `failed` with the reason). Records carry `kind: 'portfolio'`.
 *
 * The persistence layer does not know the engine's types: configuration and result payloads are
 * type parameters that the state layer fills in.
 */
import type { UnixMs } from '../core/types';
import { STORES, type AppDb, type RunRecord } from './db';
import { INTERRUPTED_MESSAGE, type RunStatus } from './runs';

/** Marker of a portfolio run in the `runs` store. */
export const PORTFOLIO_RUN_KIND = 'portfolio';

/** One market of a portfolio run and the candles it used. */
export interface PortfolioRunMarket {
	symbol: string;
	/** Id of the dataset (symbol, interval, range and content) the run used for this market. */
	datasetId: string;
	/** Open time of the market's first and last bar used (Unix ms UTC). */
	firstOpenTime: UnixMs;
	lastOpenTime: UnixMs;
	bars: number;
	/** Missing candles inside the market's range (exchange halts). */
	missingBars: number;
	/** Where the candles came from (`binance`, `import`, `bundled`). */
	source: string;
	/** The market's exchange rules the run used (from Binance's exchangeInfo), when known. */
	rules?: { stepSize: number; tickSize: number; minNotional: number };
}

/** A stored portfolio run. */
export interface StoredPortfolioRun<Config = unknown, Result = unknown> extends RunRecord {
	id: string;
	kind: typeof PORTFOLIO_RUN_KIND;
	createdAt: UnixMs;
	updatedAt: UnixMs;
	status: RunStatus;
	error?: string;
	/** Short title, e.g. `SMA cross 10/30 · 5 markets 1h · K 3`. */
	label: string;
	interval: string;
	/** The range asked for (open times, ms UTC, inclusive). */
	range: { startTime: UnixMs; endTime: UnixMs };
	/** Markets run, in priority order. */
	markets: PortfolioRunMarket[];
	/** Markets asked for but left out (their candles could not be loaded) with the reason; the user agreed. */
	excluded: Array<{ symbol: string; reason: string }>;
	config: Config;
	result?: Result;
}

/** True when a stored run record is a portfolio run. */
export function isPortfolioRecord(record: { kind?: unknown }): boolean {
	return record.kind === PORTFOLIO_RUN_KIND;
}

/** CRUD over the portfolio runs of the `runs` store; see the module comment. */
export class PortfolioRunsRepository<Config = unknown, Result = unknown> {
	readonly #db: AppDb;

	/** @param db - the opened app database (`openAppDb()`). */
	constructor(db: AppDb) {
		this.#db = db;
	}

	/** Store (insert or replace) a portfolio run. @throws DOMException from IndexedDB (e.g. QuotaExceededError). */
	async put(run: StoredPortfolioRun<Config, Result>): Promise<void> {
		await this.#db.put(STORES.portfolioRuns, run as RunRecord);
	}

	/** The portfolio run with `id`, or undefined. */
	async get(id: string): Promise<StoredPortfolioRun<Config, Result> | undefined> {
		return (await this.#db.get(STORES.portfolioRuns, id)) as StoredPortfolioRun<Config, Result> | undefined;
	}

	/**
	 * Change a stored portfolio run's fields in one transaction; `updatedAt` is set to `now`.
	 * @throws Error when no portfolio run has this id (deleted meanwhile).
	 */
	async update(id: string, patch: Partial<Omit<StoredPortfolioRun<Config, Result>, 'id' | 'createdAt' | 'kind'>>, now: UnixMs = Date.now()): Promise<StoredPortfolioRun<Config, Result>> {
		const tx = this.#db.transaction(STORES.portfolioRuns, 'readwrite');
		const current = (await tx.store.get(id)) as StoredPortfolioRun<Config, Result> | undefined;
		if (!current) {
			tx.abort();
			await tx.done.catch(() => undefined);
			throw new Error(`Portfolio run ${id} is not in the history any more (it was deleted).`);
		}
		const next = { ...current, ...patch, id: current.id, kind: PORTFOLIO_RUN_KIND, createdAt: current.createdAt, updatedAt: now } as StoredPortfolioRun<Config, Result>;
		await tx.store.put(next as RunRecord);
		await tx.done;
		return next;
	}

	/** Every stored portfolio run, newest first. @param limit - at most this many (default all). */
	async list(limit = Infinity): Promise<StoredPortfolioRun<Config, Result>[]> {
		const out: StoredPortfolioRun<Config, Result>[] = [];
		let cursor = await this.#db.transaction(STORES.portfolioRuns).store.index('by-createdAt').openCursor(null, 'prev');
		while (cursor && out.length < limit) {
			out.push(cursor.value as StoredPortfolioRun<Config, Result>);
			cursor = await cursor.continue();
		}
		return out;
	}

	/**
	 * Mark runs left `pending` or `running` by a previous page session as failed (call once at start-up).
	 * @returns ids of the runs changed.
	 */
	async markInterrupted(now: UnixMs = Date.now()): Promise<string[]> {
		const tx = this.#db.transaction(STORES.portfolioRuns, 'readwrite');
		const changed: string[] = [];
		let cursor = await tx.store.openCursor();
		while (cursor) {
			const run = cursor.value as StoredPortfolioRun<Config, Result>;
			if (run.status === 'pending' || run.status === 'running') {
				await cursor.update({ ...run, status: 'failed', error: INTERRUPTED_MESSAGE, updatedAt: now } as RunRecord);
				changed.push(run.id);
			}
			cursor = await cursor.continue();
		}
		await tx.done;
		return changed;
	}

	/** Delete one portfolio run. @returns false when it did not exist. */
	async delete(id: string): Promise<boolean> {
		const tx = this.#db.transaction(STORES.portfolioRuns, 'readwrite');
		const exists = (await tx.store.getKey(id)) !== undefined;
		if (exists) await tx.store.delete(id);
		await tx.done;
		return exists;
	}
}
