/**
 * IndexedDB repositories of the research screen (issue #14, schema v4): research jobs, presets ("the settings I trade
 * with", each with its history of changes) and recommendations (each with its audit trail). The records are the
 * research core's types (src/lib/research/types.ts, src/lib/analysis/recommendation-types.ts); this layer checks
 * only the fields it relies on, so it does not import them (type parameters fill them in).
 *
 * Error policy, the same for every repository here:
 * - a write the browser refuses for lack of space throws {@link StorageFullError}; the transaction is rolled back
 *   whole, so nothing stored before changes (a batch of presets, or a recommendation with the presets applying it
 *   changes, is written in one transaction: all or nothing);
 * - a stored record that does not have the shape the core writes (damaged by an extension, a manual edit, an older
 *   bug) is skipped when listing, with a message naming it (`listChecked().skipped`); every other record is returned;
 *   reading it alone (`get`) throws {@link ResearchStoreError} with the same message.
 *
 * The repositories implement the core's storage interfaces (`ResearchJobStore`, `PresetStore`: get, list, put,
 * putMany (one transaction: all or nothing), delete), so the core's functions (auto-tune apply, Apply, the job
 * runner) write through them; applying a recommendation stores its presets with the recommendation's new status in
 * one transaction ({@link RecommendationsRepository.commit}, after the core's `stageRecommendation`).
 */
import { z } from 'zod';
import type { UnixMs } from '../core/types';
import { AppError } from '../core/errors';
import { STORES, type AppDb } from './db';
import { StorageFullError, isQuotaError } from './errors';

/** A record skipped because it is damaged: its store, its key (when readable) and what is wrong. */
export interface SkippedRecord {
	store: string;
	key: string;
	/** Plain-language message, e.g. `The stored preset “BTCUSDT|1h|sma-cross” is damaged (values.params: …)`. */
	message: string;
}

/** Records read from a store, and the damaged ones that were skipped. */
export interface Listed<T> {
	items: T[];
	skipped: SkippedRecord[];
}

/** A stored record that cannot be read, or a change the store refuses. Nothing was written. */
export class ResearchStoreError extends AppError {
	constructor(message: string) {
		super('research_store', message);
	}
}

const finite = z.number().refine((x) => Number.isFinite(x), 'must be a finite number');

/** Fields of a research job this layer relies on. */
export const researchJobShape = z.object({
	id: z.string().min(1),
	createdAt: finite,
	updatedAt: finite,
	status: z.enum(['pending', 'running', 'completed', 'failed', 'cancelled']),
	spec: z.object({ name: z.string(), markets: z.array(z.string()), timeframes: z.array(z.string()), strategies: z.array(z.object({ strategy: z.string() }).passthrough()) }).passthrough(),
	progress: z.object({ done: finite, failed: finite, total: finite }).passthrough(),
	rows: z.array(z.object({ symbol: z.string(), interval: z.string(), strategy: z.string(), status: z.string() }).passthrough())
});

/** Fields of a preset this layer relies on. */
export const presetShape = z.object({
	id: z.string().min(1),
	symbol: z.string().min(1),
	interval: z.string().min(1),
	strategy: z.string().min(1),
	strategyId: z.string().min(1),
	values: z.object({ params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])), risk: z.record(z.string(), z.number()).optional() }),
	createdAt: finite,
	updatedAt: finite,
	history: z.array(z.object({ at: finite, source: z.enum(['manual', 'job', 'recommendation', 'auto-tune']) }).passthrough())
});

/** Fields of a recommendation this layer relies on. */
export const recommendationShape = z.object({
	id: z.string().min(1),
	kind: z.enum(['parameter', 'market', 'timeframe', 'risk']),
	title: z.string(),
	status: z.enum(['pending', 'accepted', 'rejected', 'applied']),
	actionable: z.boolean(),
	createdAt: finite,
	audit: z.array(z.object({ at: finite, to: z.string() }).passthrough())
});

function reason(error: z.ZodError): string {
	const i = error.issues[0];
	return `${i.path.length ? i.path.join('.') : 'the record'}: ${i.message}`;
}

/** Check stored values one by one: good ones to `items`, damaged ones to `skipped` with a message. */
function sift<T>(values: unknown[], schema: z.ZodType, store: string, what: string): Listed<T> {
	const items: T[] = [];
	const skipped: SkippedRecord[] = [];
	for (const v of values) {
		const r = schema.safeParse(v);
		if (r.success) {
			items.push(v as T);
			continue;
		}
		const id = (v as { id?: unknown } | null)?.id;
		const key = typeof id === 'string' ? id : '(no id)';
		skipped.push({
			store,
			key,
			message: `The stored ${what} “${key}” is damaged (${reason(r.error)}); it was skipped and everything else is kept. Delete it to stop this message.`
		});
	}
	return { items, skipped };
}

/** Run a write; a quota error becomes a {@link StorageFullError} saying that nothing changed. */
async function guarded<T>(what: string, write: () => Promise<T>): Promise<T> {
	try {
		return await write();
	} catch (e) {
		if (isQuotaError(e) || isQuotaError((e as { cause?: unknown })?.cause)) {
			throw new StorageFullError(
				`The browser's storage is full, so ${what} was not saved. Everything stored before is unchanged. ` +
					'Free space by deleting old runs, optimisations or research jobs (History, Research), or candles you no longer need, then try again.',
				{ attempted: 1, kept: 'every research job, preset and recommendation stored before this write', cause: e }
			);
		}
		throw e;
	}
}

/**
 * Run `body` in an open transaction and wait for the commit; on any error abort it (so a write that already
 * succeeded inside it is rolled back too) and rethrow.
 */
async function atomically<T>(tx: { abort(): void; done: Promise<void> }, body: () => Promise<T>): Promise<T> {
	try {
		const out = await body();
		await tx.done;
		return out;
	} catch (e) {
		try {
			tx.abort();
		} catch {
			// already finished or aborted
		}
		await tx.done.catch(() => undefined);
		throw e;
	}
}

type Store = typeof STORES.researchJobs | typeof STORES.presets | typeof STORES.recommendations;

/** get / list / put / delete over one keyPath-`id` store, with the checks of the module comment. */
class CheckedStore<T extends { id: string }> {
	constructor(
		protected readonly db: AppDb,
		protected readonly store: Store,
		protected readonly schema: z.ZodType,
		protected readonly what: string,
		private readonly order: (a: T, b: T) => number
	) {}

	/**
	 * One record.
	 * @returns it, or undefined when absent.
	 * @throws ResearchStoreError when it is damaged (the message names the field).
	 */
	async get(id: string): Promise<T | undefined> {
		const v = await this.db.get(this.store, id);
		if (v === undefined) return undefined;
		const r = sift<T>([v], this.schema, this.store, this.what);
		if (r.skipped.length) throw new ResearchStoreError(r.skipped[0].message);
		return r.items[0];
	}

	/** Every readable record (damaged ones left out; {@link listChecked} says which). */
	async list(): Promise<T[]> {
		return (await this.listChecked()).items;
	}

	/** Every readable record in display order, and the damaged ones skipped with a message. */
	async listChecked(): Promise<Listed<T>> {
		const out = sift<T>(await this.db.getAll(this.store), this.schema, this.store, this.what);
		out.items.sort(this.order);
		return out;
	}

	/**
	 * Insert or replace a record.
	 * @throws StorageFullError when the browser's storage is full (nothing written).
	 */
	async put(record: T): Promise<void> {
		await guarded(`${this.what} “${record.id}”`, () => this.db.put(this.store, record as never));
	}

	/**
	 * Insert or replace several records in one transaction: all or none.
	 * @throws StorageFullError when storage is full (none written).
	 */
	async putMany(records: readonly T[]): Promise<void> {
		if (!records.length) return;
		await guarded(`${records.length} ${this.what}s`, async () => {
			const tx = this.db.transaction(this.store, 'readwrite');
			await atomically(tx, async () => {
				for (const r of records) await tx.store.put(r as never);
			});
		});
	}

	/** Delete a record (absent ids are ignored). */
	async delete(id: string): Promise<void> {
		await this.db.delete(this.store, id);
	}
}

/** Research jobs, newest first. */
export class ResearchJobsRepository<Job extends { id: string; createdAt: UnixMs }> extends CheckedStore<Job> {
	/** @param db - the opened app database (`openAppDb()`). */
	constructor(db: AppDb) {
		super(db, STORES.researchJobs, researchJobShape, 'research job', (a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
	}

	/**
	 * Jobs left `running` or `pending` by a page that was closed: call once at start-up, before anything runs.
	 * @param mark - the record to store instead (e.g. status `cancelled` with an "interrupted, resume it" message).
	 * @returns ids of the jobs changed.
	 */
	async markInterrupted(mark: (job: Job) => Job): Promise<string[]> {
		const tx = this.db.transaction(STORES.researchJobs, 'readwrite');
		return atomically(tx, async () => {
			const changed: string[] = [];
			let cursor = await tx.store.openCursor();
			while (cursor) {
				const job = cursor.value as unknown as Job & { status?: unknown };
				if (researchJobShape.safeParse(job).success && (job.status === 'running' || job.status === 'pending')) {
					await cursor.update(mark(job) as never);
					changed.push(job.id);
				}
				cursor = await cursor.continue();
			}
			return changed;
		});
	}
}

/** Presets (with their embedded history), sorted by id (market, interval, strategy). */
export class PresetsRepository<Preset extends { id: string }> extends CheckedStore<Preset> {
	/** @param db - the opened app database. */
	constructor(db: AppDb) {
		super(db, STORES.presets, presetShape, 'preset', (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	}
}

/** Recommendations (with their audit trail), newest first. */
export class RecommendationsRepository<Rec extends { id: string; createdAt: UnixMs }, Preset extends { id: string } = { id: string }> extends CheckedStore<Rec> {
	/** @param db - the opened app database. */
	constructor(db: AppDb) {
		super(db, STORES.recommendations, recommendationShape, 'recommendation', (a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
	}

	/**
	 * Store new recommendations, keeping those already stored as they are (their status and audit trail are the
	 * user's decisions; the generator gives the same id to the same recommendation).
	 * @returns the ones added.
	 * @throws StorageFullError when storage is full (none written).
	 */
	async addNew(recs: Rec[]): Promise<Rec[]> {
		if (!recs.length) return [];
		return guarded(`${recs.length} recommendations`, async () => {
			const tx = this.db.transaction(STORES.recommendations, 'readwrite');
			return atomically(tx, async () => {
				const added: Rec[] = [];
				for (const r of recs) {
					if ((await tx.store.getKey(r.id)) !== undefined) continue;
					await tx.store.put(r as never);
					added.push(r);
				}
				return added;
			});
		});
	}

	/**
	 * Store a recommendation's new state together with the presets that changing it writes (applying it), in one
	 * transaction: all or nothing.
	 * @param rec - the recommendation after the change (status and audit entry already set by the core).
	 * @param presets - the presets after the change (history entries already appended), possibly none.
	 * @throws StorageFullError when storage is full (nothing written).
	 */
	async commit(rec: Rec, presets: Preset[] = []): Promise<void> {
		await guarded(presets.length ? `the recommendation and the ${presets.length} preset(s) it changes` : 'the recommendation', async () => {
			const tx = this.db.transaction([STORES.recommendations, STORES.presets], 'readwrite');
			await atomically(tx, async () => {
				for (const p of presets) await tx.objectStore(STORES.presets).put(p as never);
				await tx.objectStore(STORES.recommendations).put(rec as never);
			});
		});
	}
}
