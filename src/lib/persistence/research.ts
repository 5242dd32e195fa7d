/**
 * Repositories of the research screen (issue #14), schema v4: research jobs, presets ("the settings I trade with")
 * with their change history, and recommendations with their audit trail.
 *
 * Error policy, the same for every repository here:
 * - a write the browser refuses for lack of space throws {@link StorageFullError}; the transaction is rolled back
 *   whole, so nothing stored before is changed (a preset and its history entry, or a recommendation, the presets it
 *   changes and its audit entry, are written in one transaction);
 * - a stored record that does not have the shape this module writes (damaged by an extension, a manual edit, an
 *   older bug) is skipped when listing, with a message naming it in `skipped`; every other record is returned.
 *
 * The persistence layer does not know the research core's types: job definitions, rows, resumable state and
 * recommendation payloads are type parameters that the state layer fills in.
 */
import { z } from 'zod';
import type { UnixMs } from '../core/types';
import { AppError } from '../core/errors';
import { STORES, type AppDb, type RunRecord } from './db';
import { StorageFullError, isQuotaError } from './errors';

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/** A record skipped because it is damaged: its key (when readable) and what is wrong. */
export interface SkippedRecord {
	store: string;
	key: string;
	/** Plain-language reason, e.g. `research job "x": progress.done is not a number`. */
	message: string;
}

/** Records read from a store, and the damaged ones that were skipped. */
export interface Listed<T> {
	items: T[];
	skipped: SkippedRecord[];
}

/** A state change that is not allowed (e.g. applying a rejected recommendation). Nothing was written. */
export class ResearchStoreError extends AppError {
	constructor(message: string) {
		super('research_store', message);
	}
}

function zodReason(error: z.ZodError): string {
	const i = error.issues[0];
	return `${i.path.length ? i.path.join('.') : 'the record'}: ${i.message}`;
}

/** Validate stored values one by one: good ones to `items`, damaged ones to `skipped` with a message. */
function sift<T>(values: unknown[], schema: z.ZodType, store: string, what: string, keyOf: (v: unknown) => string): Listed<T> {
	const items: T[] = [];
	const skipped: SkippedRecord[] = [];
	for (const v of values) {
		const r = schema.safeParse(v);
		if (r.success) items.push(v as T);
		else {
			const key = keyOf(v);
			skipped.push({
				store,
				key,
				message: `The stored ${what} “${key}” is damaged (${zodReason(r.error)}); it was skipped, everything else is kept. Delete it to stop this message.`
			});
		}
	}
	return { items, skipped };
}

function keyField(field: string): (v: unknown) => string {
	return (v) => {
		const k = (v as Record<string, unknown> | null)?.[field];
		return typeof k === 'string' ? k : '(no id)';
	};
}

/** Run a write; a quota error becomes a {@link StorageFullError} saying what is kept. */
async function guardedWrite<T>(what: string, write: () => Promise<T>): Promise<T> {
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
 * Run `body` in an open transaction and commit; on any error abort the transaction (so a write that already
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

function newId(prefix: string, now: UnixMs): string {
	return `${prefix}-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

const finite = z.number().refine((x) => Number.isFinite(x), 'must be a finite number');
const paramsSchema = z.record(z.string(), z.number());

// ---------------------------------------------------------------------------------------------
// Research jobs
// ---------------------------------------------------------------------------------------------

/**
 * Life cycle of a research job: `pending` (created, candles not synced yet) → `running` → `completed` / `failed` /
 * `cancelled`. A job found `running` at start-up (its page was closed) becomes `interrupted`: its completed runs are
 * kept and it can be resumed.
 */
export type ResearchJobStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

/** Progress over all runs of a job (one run = one (market, timeframe, strategy) optimisation). */
export interface ResearchProgress {
	/** Runs finished successfully. */
	done: number;
	/** Runs that failed (their errors are in `failures`). */
	failed: number;
	/** Runs in the job. */
	total: number;
	/** Trials evaluated over all runs (for throughput), and the trials planned. */
	trialsDone: number;
	trialsTotal: number;
	/** Time spent running, ms (sums over resumed sessions). */
	elapsedMs: number;
}

/** A run of a job that failed, with its error in words. */
export interface ResearchFailure {
	/** `symbol|interval|strategy`, or `symbol|interval` for a market whose candles could not be loaded. */
	key: string;
	error: string;
	at: UnixMs;
}

/** One stored research job. `Definition`, `Row` and `Extra` are the research core's payloads. */
export interface StoredResearchJob<Definition = unknown, Row = unknown, Extra = unknown> extends RunRecord {
	id: string;
	createdAt: UnixMs;
	updatedAt: UnixMs;
	name: string;
	description: string;
	status: ResearchJobStatus;
	/** Why the job as a whole failed or stopped, in words. */
	error?: string;
	definition: Definition;
	progress: ResearchProgress;
	/** Finished rows (one per (market, timeframe, strategy)), in job order. */
	rows: Row[];
	failures: ResearchFailure[];
	/** Whatever else the state layer keeps (e.g. per-market sync notes). */
	extra?: Extra;
}

/** Message of a job found running at start-up. */
export const RESEARCH_INTERRUPTED = 'Interrupted: the page was closed or reloaded while the job ran. Resume it to run the remaining markets; finished rows are kept.';

const progressSchema = z.object({ done: finite, failed: finite, total: finite, trialsDone: finite, trialsTotal: finite, elapsedMs: finite });
const jobSchema = z.object({
	id: z.string().min(1),
	createdAt: finite,
	updatedAt: finite,
	name: z.string(),
	description: z.string(),
	status: z.enum(['pending', 'running', 'completed', 'failed', 'cancelled', 'interrupted']),
	definition: z.object({}).passthrough(),
	progress: progressSchema,
	rows: z.array(z.unknown()),
	failures: z.array(z.object({ key: z.string(), error: z.string(), at: finite }))
});

/**
 * New research job id, sortable by time.
 * @param now - Unix ms. @returns `research-<base36 time>-<random>`.
 */
export function newResearchJobId(now: UnixMs = Date.now()): string {
	return newId('research', now);
}

/** Research jobs in the `researchJobs` store. */
export class ResearchJobsRepository<Definition = unknown, Row = unknown, Extra = unknown> {
	readonly #db: AppDb;
	/** @param db - the opened app database (`openAppDb()`). */
	constructor(db: AppDb) {
		this.#db = db;
	}

	/**
	 * Insert or replace a job.
	 * @throws StorageFullError when the browser's storage is full (nothing is written).
	 */
	async put(job: StoredResearchJob<Definition, Row, Extra>): Promise<void> {
		await guardedWrite(`research job “${job.name}”`, () => this.#db.put(STORES.researchJobs, job as RunRecord));
	}

	/**
	 * One job.
	 * @returns the job, or undefined when absent.
	 * @throws ResearchStoreError when the stored record is damaged (message says which field).
	 */
	async get(id: string): Promise<StoredResearchJob<Definition, Row, Extra> | undefined> {
		const v = await this.#db.get(STORES.researchJobs, id);
		if (v === undefined) return undefined;
		const { items, skipped } = sift<StoredResearchJob<Definition, Row, Extra>>([v], jobSchema, STORES.researchJobs, 'research job', keyField('id'));
		if (skipped.length) throw new ResearchStoreError(skipped[0].message);
		return items[0];
	}

	/** Every job, newest first; damaged records are skipped with a message. */
	async list(): Promise<Listed<StoredResearchJob<Definition, Row, Extra>>> {
		const all = await this.#db.getAllFromIndex(STORES.researchJobs, 'by-createdAt');
		const out = sift<StoredResearchJob<Definition, Row, Extra>>(all, jobSchema, STORES.researchJobs, 'research job', keyField('id'));
		out.items.reverse();
		return out;
	}

	/**
	 * Change a job's fields in one transaction (`updatedAt` = `now`).
	 * @returns the updated job.
	 * @throws ResearchStoreError when the job was deleted meanwhile; StorageFullError when storage is full.
	 */
	async update(
		id: string,
		patch: Partial<Omit<StoredResearchJob<Definition, Row, Extra>, 'id' | 'createdAt'>>,
		now: UnixMs = Date.now()
	): Promise<StoredResearchJob<Definition, Row, Extra>> {
		return guardedWrite('the research job’s progress', async () => {
			const tx = this.#db.transaction(STORES.researchJobs, 'readwrite');
			const current = (await tx.store.get(id)) as StoredResearchJob<Definition, Row, Extra> | undefined;
			if (!current) {
				tx.abort();
				await tx.done.catch(() => undefined);
				throw new ResearchStoreError(`Research job ${id} is not stored any more (it was deleted).`);
			}
			const next = { ...current, ...patch, id: current.id, createdAt: current.createdAt, updatedAt: now } as StoredResearchJob<Definition, Row, Extra>;
			await tx.store.put(next as RunRecord);
			await tx.done;
			return next;
		});
	}

	/** Delete a job. @returns whether it existed. */
	async delete(id: string): Promise<boolean> {
		const tx = this.#db.transaction(STORES.researchJobs, 'readwrite');
		const exists = (await tx.store.getKey(id)) !== undefined;
		if (exists) await tx.store.delete(id);
		await tx.done;
		return exists;
	}

	/**
	 * Mark jobs left `running` (or `pending`) by a closed page as `interrupted` (call once at start-up).
	 * @returns ids of the jobs changed.
	 */
	async markInterrupted(now: UnixMs = Date.now()): Promise<string[]> {
		const tx = this.#db.transaction(STORES.researchJobs, 'readwrite');
		const changed: string[] = [];
		let cursor = await tx.store.openCursor();
		while (cursor) {
			const job = cursor.value as StoredResearchJob;
			if (job && (job.status === 'running' || job.status === 'pending')) {
				await cursor.update({ ...job, status: 'interrupted', error: RESEARCH_INTERRUPTED, updatedAt: now } as RunRecord);
				changed.push(job.id);
			}
			cursor = await cursor.continue();
		}
		await tx.done;
		return changed;
	}
}

// ---------------------------------------------------------------------------------------------
// Presets and their history
// ---------------------------------------------------------------------------------------------

/** What changed a preset: by hand (the backtest form), applied from a job row, from a recommendation, by auto-tune. */
export type PresetChangeSource = 'manual' | 'job' | 'recommendation' | 'auto-tune';

/**
 * The values a preset holds: the strategy's parameters and the settings that can be research axes (stop-loss,
 * take-profit as fractions, sizing value, leverage, breaker thresholds), keyed by axis name.
 */
export interface PresetValues {
	params: Record<string, number>;
	/** Optional execution settings, e.g. `{ stopLoss: 0.02, takeProfit: 0.04 }` (fractions). */
	settings?: Record<string, number>;
}

/** One preset: the settings a trader uses for (market, timeframe, strategy). */
export interface StoredPreset extends PresetValues {
	/** `symbol|interval|strategy` (see {@link presetKey}). */
	key: string;
	symbol: string;
	interval: string;
	strategy: string;
	createdAt: UnixMs;
	updatedAt: UnixMs;
	/** What made the last change. */
	source: PresetChangeSource;
	[field: string]: unknown;
}

/** Reference to what caused a preset change (a job row, a recommendation, an auto-tune batch). */
export interface PresetChangeRef {
	jobId?: string;
	recommendationId?: string;
	autoTuneId?: string;
}

/** One entry of a preset's history: old and new values, who/what, when. */
export interface PresetChange {
	id: string;
	presetKey: string;
	symbol: string;
	interval: string;
	strategy: string;
	/** Unix ms UTC. */
	at: UnixMs;
	source: PresetChangeSource;
	ref?: PresetChangeRef;
	/** Values before the change; null when the preset did not exist. */
	old: PresetValues | null;
	new: PresetValues;
	/** Plain-language note, e.g. `Sharpe 0.41 → 0.77 on BTCUSDT 1h (job “weekly”)`. */
	note?: string;
	[field: string]: unknown;
}

/** A preset write: where and what. */
export interface PresetWrite extends PresetValues {
	symbol: string;
	interval: string;
	strategy: string;
	source: PresetChangeSource;
	ref?: PresetChangeRef;
	note?: string;
}

/**
 * Key of a preset.
 * @returns `symbol|interval|strategy`, e.g. `BTCUSDT|1h|sma-cross`.
 */
export function presetKey(symbol: string, interval: string, strategy: string): string {
	return `${symbol}|${interval}|${strategy}`;
}

const valuesSchema = z.object({ params: paramsSchema, settings: paramsSchema.optional() });
const presetSchema = valuesSchema.extend({
	key: z.string().min(1),
	symbol: z.string().min(1),
	interval: z.string().min(1),
	strategy: z.string().min(1),
	createdAt: finite,
	updatedAt: finite,
	source: z.enum(['manual', 'job', 'recommendation', 'auto-tune'])
});
const changeSchema = z.object({
	id: z.string().min(1),
	presetKey: z.string().min(1),
	symbol: z.string(),
	interval: z.string(),
	strategy: z.string(),
	at: finite,
	source: z.enum(['manual', 'job', 'recommendation', 'auto-tune']),
	old: valuesSchema.nullable(),
	new: valuesSchema
});

function sameValues(a: PresetValues | null, b: PresetValues): boolean {
	if (!a) return false;
	const eq = (x: Record<string, number> = {}, y: Record<string, number> = {}) => {
		const kx = Object.keys(x).sort();
		const ky = Object.keys(y).sort();
		return kx.length === ky.length && kx.every((k, i) => k === ky[i] && Object.is(x[k], y[k]));
	};
	return eq(a.params, b.params) && eq(a.settings, b.settings);
}

function checkValues(w: PresetValues, where: string): void {
	for (const [group, rec] of [['parameter', w.params], ['setting', w.settings ?? {}]] as const) {
		for (const [k, v] of Object.entries(rec)) {
			if (typeof v !== 'number' || !Number.isFinite(v)) {
				throw new ResearchStoreError(`The preset of ${where} was not saved: ${group} ${k} is ${String(v)}, which is not a finite number. Correct it and save again.`);
			}
		}
	}
}

/** Write presets + history entries inside an open transaction over both stores. @returns the history entries written. */
async function writePresets(
	tx: { objectStore(name: typeof STORES.presets | typeof STORES.presetHistory): { get(k: string): Promise<unknown>; put(v: unknown): Promise<unknown> } },
	writes: PresetWrite[],
	now: UnixMs
): Promise<PresetChange[]> {
	const changes: PresetChange[] = [];
	for (const w of writes) {
		const key = presetKey(w.symbol, w.interval, w.strategy);
		const current = (await tx.objectStore(STORES.presets).get(key)) as StoredPreset | undefined;
		const valid = current && presetSchema.safeParse(current).success ? current : undefined;
		const old: PresetValues | null = valid ? { params: { ...valid.params }, ...(valid.settings ? { settings: { ...valid.settings } } : {}) } : null;
		const next: PresetValues = { params: { ...w.params }, ...(w.settings ? { settings: { ...w.settings } } : {}) };
		if (sameValues(old, next)) continue;
		const preset: StoredPreset = {
			key,
			symbol: w.symbol,
			interval: w.interval,
			strategy: w.strategy,
			...next,
			createdAt: valid?.createdAt ?? now,
			updatedAt: now,
			source: w.source
		};
		const change: PresetChange = {
			id: newId('preset-change', now),
			presetKey: key,
			symbol: w.symbol,
			interval: w.interval,
			strategy: w.strategy,
			at: now,
			source: w.source,
			...(w.ref ? { ref: w.ref } : {}),
			old,
			new: next,
			...(w.note ? { note: w.note } : {})
		};
		await tx.objectStore(STORES.presets).put(preset);
		await tx.objectStore(STORES.presetHistory).put(change);
		changes.push(change);
	}
	return changes;
}

/** Presets and their history in the `presets` and `presetHistory` stores. */
export class PresetsRepository {
	readonly #db: AppDb;
	/** @param db - the opened app database. */
	constructor(db: AppDb) {
		this.#db = db;
	}

	/**
	 * The preset of (market, timeframe, strategy).
	 * @returns the preset, or undefined when none is stored.
	 * @throws ResearchStoreError when the stored preset is damaged (message says which field; nothing is changed).
	 */
	async get(symbol: string, interval: string, strategy: string): Promise<StoredPreset | undefined> {
		const v = await this.#db.get(STORES.presets, presetKey(symbol, interval, strategy));
		if (v === undefined) return undefined;
		const r = sift<StoredPreset>([v], presetSchema, STORES.presets, 'preset', keyField('key'));
		if (r.skipped.length) throw new ResearchStoreError(r.skipped[0].message);
		return r.items[0];
	}

	/** Every preset, sorted by key; damaged ones skipped with a message. */
	async list(): Promise<Listed<StoredPreset>> {
		const all = await this.#db.getAll(STORES.presets);
		return sift<StoredPreset>(all, presetSchema, STORES.presets, 'preset', keyField('key'));
	}

	/**
	 * Set one preset and log the change (one transaction). A write with the same values as stored changes nothing.
	 * @returns the history entry, or null when nothing changed.
	 * @throws ResearchStoreError for a non-finite value; StorageFullError when storage is full (nothing written).
	 */
	async set(write: PresetWrite, now: UnixMs = Date.now()): Promise<PresetChange | null> {
		const [c] = await this.setMany([write], now);
		return c ?? null;
	}

	/**
	 * Set several presets and log each change, all in one transaction (auto-tune applies a batch at once: all or none).
	 * @returns the history entries written (writes equal to the stored values are left out).
	 * @throws as {@link set}.
	 */
	async setMany(writes: PresetWrite[], now: UnixMs = Date.now()): Promise<PresetChange[]> {
		for (const w of writes) checkValues(w, `${w.symbol} ${w.interval} ${w.strategy}`);
		return guardedWrite(writes.length === 1 ? `the preset of ${writes[0].symbol} ${writes[0].interval} ${writes[0].strategy}` : `${writes.length} presets`, async () => {
			const tx = this.#db.transaction([STORES.presets, STORES.presetHistory], 'readwrite');
			return atomically(tx, () => writePresets(tx as never, writes, now));
		});
	}

	/** Delete a preset (its history stays, as the record of what was used). @returns whether it existed. */
	async delete(symbol: string, interval: string, strategy: string): Promise<boolean> {
		const key = presetKey(symbol, interval, strategy);
		const tx = this.#db.transaction(STORES.presets, 'readwrite');
		const exists = (await tx.store.getKey(key)) !== undefined;
		if (exists) await tx.store.delete(key);
		await tx.done;
		return exists;
	}

	/**
	 * History of changes, newest first.
	 * @param key - one preset's key ({@link presetKey}); all presets when omitted.
	 * @param limit - at most this many entries.
	 */
	async history(key?: string, limit = Infinity): Promise<Listed<PresetChange>> {
		const all = key === undefined ? await this.#db.getAllFromIndex(STORES.presetHistory, 'by-at') : await this.#db.getAllFromIndex(STORES.presetHistory, 'by-preset', key);
		const out = sift<PresetChange>(all, changeSchema, STORES.presetHistory, 'preset history entry', keyField('id'));
		out.items.sort((a, b) => b.at - a.at || (a.id < b.id ? 1 : -1));
		if (out.items.length > limit) out.items.length = limit;
		return out;
	}
}

// ---------------------------------------------------------------------------------------------
// Recommendations and their audit trail
// ---------------------------------------------------------------------------------------------

/** Status of a recommendation: pending → accepted / rejected → applied (accepted ones only). */
export type RecommendationStatus = 'pending' | 'accepted' | 'rejected' | 'applied';

/** One entry of a recommendation's audit trail. */
export interface RecommendationAudit {
	at: UnixMs;
	/** Status before (null for creation) and after. */
	from: RecommendationStatus | null;
	to: RecommendationStatus;
	/** Plain-language note (the reason for a rejection, what was applied). */
	note?: string;
	/** Preset history entries written by applying it (ids in `presetHistory`). */
	presetChanges?: string[];
}

/** One stored recommendation. `Payload` is the analysis layer's recommendation (kind, title, numbers, confidence). */
export interface StoredRecommendation<Payload = unknown> extends RunRecord {
	id: string;
	createdAt: UnixMs;
	updatedAt: UnixMs;
	status: RecommendationStatus;
	/** False when the out-of-sample check rejected it (listed as "rejected by the check" with `checkReason`). */
	actionable: boolean;
	checkReason?: string;
	/** The job(s) whose runs are its evidence. */
	jobIds: string[];
	payload: Payload;
	audit: RecommendationAudit[];
}

const recSchema = z.object({
	id: z.string().min(1),
	createdAt: finite,
	updatedAt: finite,
	status: z.enum(['pending', 'accepted', 'rejected', 'applied']),
	actionable: z.boolean(),
	jobIds: z.array(z.string()),
	payload: z.unknown(),
	audit: z.array(z.object({ at: finite, from: z.string().nullable(), to: z.string() }))
});

/** Allowed status changes (an applied recommendation is final: its preset changes are in the presets' history). */
const TRANSITIONS: Record<RecommendationStatus, readonly RecommendationStatus[]> = {
	pending: ['accepted', 'rejected'],
	accepted: ['rejected', 'applied'],
	rejected: ['accepted'],
	applied: []
};

/**
 * New recommendation id.
 * @returns `rec-<base36 time>-<random>`.
 */
export function newRecommendationId(now: UnixMs = Date.now()): string {
	return newId('rec', now);
}

/** Recommendations in the `recommendations` store; applying one writes presets in the same transaction. */
export class RecommendationsRepository<Payload = unknown> {
	readonly #db: AppDb;
	/** @param db - the opened app database. */
	constructor(db: AppDb) {
		this.#db = db;
	}

	/**
	 * Store new recommendations (status `pending`, one creation audit entry each); ids already stored are kept as
	 * they are (their status and trail are the user's decisions).
	 * @returns the records added.
	 * @throws StorageFullError when storage is full (nothing written).
	 */
	async addMany(recs: Array<Omit<StoredRecommendation<Payload>, 'createdAt' | 'updatedAt' | 'status' | 'audit'>>, now: UnixMs = Date.now()): Promise<StoredRecommendation<Payload>[]> {
		return guardedWrite(`${recs.length} recommendations`, async () => {
			const tx = this.#db.transaction(STORES.recommendations, 'readwrite');
			const added: StoredRecommendation<Payload>[] = [];
			return atomically(tx, async () => {
				for (const r of recs) {
					if ((await tx.store.getKey(r.id)) !== undefined) continue;
					const rec: StoredRecommendation<Payload> = {
						...r,
						createdAt: now,
						updatedAt: now,
						status: 'pending',
						audit: [{ at: now, from: null, to: 'pending', note: r.actionable ? 'Generated; passed the out-of-sample check.' : `Generated; rejected by the out-of-sample check: ${r.checkReason ?? 'no reason given'}.` }]
					};
					await tx.store.put(rec as RunRecord);
					added.push(rec);
				}
				return added;
			});
		});
	}

	/** One recommendation, or undefined. @throws ResearchStoreError when it is damaged. */
	async get(id: string): Promise<StoredRecommendation<Payload> | undefined> {
		const v = await this.#db.get(STORES.recommendations, id);
		if (v === undefined) return undefined;
		const r = sift<StoredRecommendation<Payload>>([v], recSchema, STORES.recommendations, 'recommendation', keyField('id'));
		if (r.skipped.length) throw new ResearchStoreError(r.skipped[0].message);
		return r.items[0];
	}

	/** Every recommendation, newest first; damaged ones skipped with a message. */
	async list(): Promise<Listed<StoredRecommendation<Payload>>> {
		const all = await this.#db.getAllFromIndex(STORES.recommendations, 'by-createdAt');
		const out = sift<StoredRecommendation<Payload>>(all, recSchema, STORES.recommendations, 'recommendation', keyField('id'));
		out.items.reverse();
		return out;
	}

	/**
	 * Change a recommendation's status and append the audit entry (one transaction). Applying also writes the given
	 * presets and their history entries in the same transaction and records their ids in the audit entry.
	 * @param to - `accepted`, `rejected` or `applied` (applied only from accepted, and only when actionable).
	 * @param options - `note`; `presets`: the preset writes applying makes (required, non-empty, for `applied`).
	 * @returns the updated recommendation and the preset history entries written.
	 * @throws ResearchStoreError for a change the life cycle does not allow or an unknown id (nothing written);
	 *   StorageFullError when storage is full (nothing written).
	 */
	async transition(
		id: string,
		to: Exclude<RecommendationStatus, 'pending'>,
		options: { note?: string; presets?: PresetWrite[] } = {},
		now: UnixMs = Date.now()
	): Promise<{ recommendation: StoredRecommendation<Payload>; changes: PresetChange[] }> {
		const writes = options.presets ?? [];
		if (to === 'applied' && writes.length === 0) throw new ResearchStoreError('Applying a recommendation needs the preset(s) it changes; nothing was written.');
		for (const w of writes) checkValues(w, `${w.symbol} ${w.interval} ${w.strategy}`);
		return guardedWrite('the recommendation’s new status', async () => {
			const tx = this.#db.transaction([STORES.recommendations, STORES.presets, STORES.presetHistory], 'readwrite');
			const store = tx.objectStore(STORES.recommendations);
			return atomically(tx, async () => {
				const current = (await store.get(id)) as StoredRecommendation<Payload> | undefined;
				if (!current || !recSchema.safeParse(current).success) throw new ResearchStoreError(`Recommendation ${id} is not stored (or is damaged); nothing was changed.`);
				if (!TRANSITIONS[current.status].includes(to)) {
					throw new ResearchStoreError(
						`A recommendation that is ${current.status} cannot become ${to}${current.status === 'pending' && to === 'applied' ? ': accept it first' : ''}. Nothing was changed.`
					);
				}
				if (to === 'applied' && !current.actionable) {
					throw new ResearchStoreError(`This recommendation was rejected by the out-of-sample check (${current.checkReason ?? 'no reason'}), so it cannot be applied.`);
				}
				const changes = writes.length
					? await writePresets(tx as never, writes.map((w) => ({ ...w, source: 'recommendation' as const, ref: { ...w.ref, recommendationId: id } })), now)
					: [];
				const entry: RecommendationAudit = {
					at: now,
					from: current.status,
					to,
					...(options.note ? { note: options.note } : {}),
					...(to === 'applied' ? { presetChanges: changes.map((c) => c.id) } : {})
				};
				const next: StoredRecommendation<Payload> = { ...current, status: to, updatedAt: now, audit: [...current.audit, entry] };
				await store.put(next as RunRecord);
				return { recommendation: next, changes };
			});
		});
	}

	/** Delete a recommendation (with its trail). @returns whether it existed. */
	async delete(id: string): Promise<boolean> {
		const tx = this.#db.transaction(STORES.recommendations, 'readwrite');
		const exists = (await tx.store.getKey(id)) !== undefined;
		if (exists) await tx.store.delete(id);
		await tx.done;
		return exists;
	}
}
