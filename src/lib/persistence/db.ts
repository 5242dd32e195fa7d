/**
 * IndexedDB schema of the app, opened with `idb`, with versioned upgrades.
 *
 * Version history lives in {@link MIGRATIONS}: entry `k` upgrades a database from version `k` to
 * `k + 1`. The current version is `MIGRATIONS.length`. To change the schema, append a migration;
 * never edit or remove a shipped one (users' browsers hold data written under it).
 *
 * Stores (all created in v1):
 * - `candleChunks`: candles in chunks of columns, key `[symbol, interval, chunkStart]` (see {@link CandleChunk}).
 * - `series`: coverage metadata per `[symbol, interval]` (see {@link SeriesRecord}).
 * - `runs`: backtest runs, keyPath `id`, index `by-createdAt`.
 * - `optimisations`: optimisation jobs and results, keyPath `id`, index `by-createdAt`.
 * - `settings`: key-value settings (out-of-line string keys).
 *
 * Added in v2: `scans` (market scanner results without their fitted arrays, keyPath `id`, index `by-createdAt`)
 * and `scanBands` (each scan's fitted arrays, keyPath `id` = the scan's id), so listing scans reads no arrays.
 *
 * Added in v3: `portfolioRuns` (portfolio backtests: many markets, one account), keyPath `id`, index `by-createdAt`.
 *
 * Added in v4 (research, issue #14; see src/lib/persistence/research.ts): `researchJobs` (research jobs: definition,
 * status, progress, best-parameter rows; keyPath `id`, index `by-createdAt`), `presets` (the parameters a trader uses
 * per market, timeframe and strategy, each with its history of changes; keyPath `id` = `SYMBOL|interval|strategy`),
 * `recommendations` (with their audit trail, keyPath `id`, index `by-createdAt`).
 *
 * Added by {@link vRuleStrategies} in v5 (after the research stores): `ruleStrategies` (traders' own rule
 * strategies: name and rule text), keyPath `id`, index `by-updatedAt`.
 *
 * Plain TypeScript (no DOM types needed beyond the IndexedDB API); IndexedDB only exists in the
 * browser, tests inject `fake-indexeddb`.
 */
import { wrap, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { Timeframe, UnixMs } from '../core/types';
import type { Gap } from '../data/gaps';
import type { TimeRange } from '../data/sync-ranges';
import { DatabaseError } from './errors';

export type { Gap, TimeRange };

/** Default database name used by the app. */
export const DEFAULT_DB_NAME = 'backtester';

/** Store names, one constant each (use these rather than string literals). */
export const STORES = Object.freeze({
	candleChunks: 'candleChunks',
	series: 'series',
	runs: 'runs',
	optimisations: 'optimisations',
	settings: 'settings',
	scans: 'scans',
	scanBands: 'scanBands',
	portfolioRuns: 'portfolioRuns',
	researchJobs: 'researchJobs',
	presets: 'presets',
	recommendations: 'recommendations',
	ruleStrategies: 'ruleStrategies'
} as const);

/** Where a series' candles came from. `binance`: REST sync; `import`: a user file; `bundled`: the dataset shipped with the app. */
export type SeriesSource = 'binance' | 'import' | 'bundled';

/**
 * One chunk of stored candles: columns of equal length `count`, strictly ascending `openTime`.
 *
 * Chunking: the time axis of a series is cut into fixed spans of `CHUNK_BARS` candle intervals
 * aligned to the Unix epoch (`chunkStart = floor(openTime / span) * span`, `span = CHUNK_BARS * intervalMs`).
 * A chunk holds every stored candle whose `openTime` lies in `[chunkStart, chunkStart + span)`,
 * so it holds at most `CHUNK_BARS` candles (fewer where the exchange has gaps or data is missing).
 */
export interface CandleChunk {
	symbol: string;
	interval: Timeframe;
	/** Start of the chunk's time span (Unix ms UTC), a multiple of `CHUNK_BARS * intervalMs`. */
	chunkStart: UnixMs;
	/** Number of candles in the chunk (length of every column). */
	count: number;
	openTime: Float64Array;
	open: Float64Array;
	high: Float64Array;
	low: Float64Array;
	close: Float64Array;
	volume: Float64Array;
}

/**
 * Coverage metadata of one stored series (symbol + interval).
 *
 * `covered` lists the open-time ranges that were checked against a source: every candle the
 * source has there is stored, and grid points without a stored candle are known to be missing on
 * the exchange (halts). Sync fetches only what is not covered, so an empty exchange range is not
 * fetched again.
 */
export interface SeriesRecord {
	symbol: string;
	interval: Timeframe;
	/** Candle length in ms (`timeframeMs(interval)`). */
	intervalMs: number;
	/** Sorted, disjoint, non-adjacent half-open open-time ranges covered by a source. */
	covered: TimeRange[];
	/** Sorted runs of consecutive stored candles, `[firstOpenTime, lastOpenTime]` inclusive, spaced by `intervalMs`. */
	runs: Array<[UnixMs, UnixMs]>;
	/** Open time of the first stored candle, `null` if none is stored. */
	firstOpenTime: UnixMs | null;
	/** Open time of the last stored candle, `null` if none is stored. */
	lastOpenTime: UnixMs | null;
	/** Number of stored candles. */
	count: number;
	/** Missing candles between stored candles, inside covered ranges (exchange halts), oldest first. */
	gaps: Gap[];
	/** Time of the last successful write from a source (Unix ms), `null` if never. */
	lastSync: UnixMs | null;
	/** Source of the most recent write. */
	source: SeriesSource;
	/** Every source that has written to this series. */
	sources: SeriesSource[];
}

/** A stored backtest run. Upper layers define the payload; the store needs `id` and `createdAt`. */
export interface RunRecord {
	id: string;
	/** Creation time, Unix ms UTC (indexed). */
	createdAt: UnixMs;
	[field: string]: unknown;
}

/** A stored optimisation job/result. Upper layers define the payload; the store needs `id` and `createdAt`. */
export interface OptimisationRecord {
	id: string;
	/** Creation time, Unix ms UTC (indexed). */
	createdAt: UnixMs;
	[field: string]: unknown;
}

/** A stored market scan (see src/lib/persistence/scans.ts). Upper layers define the payload. */
export interface ScanRecordBase {
	id: string;
	/** Creation time, Unix ms UTC (indexed). */
	createdAt: UnixMs;
	[field: string]: unknown;
}

/** A saved rule strategy (src/lib/persistence/rule-strategies.ts). */
export interface RuleStrategyRecord {
	id: string;
	name: string;
	/** The rule text (src/lib/rules): data, never run as code. */
	source: string;
	createdAt: UnixMs;
	/** Last save, Unix ms UTC (indexed). */
	updatedAt: UnixMs;
}

/** `idb` schema of the app database. */
export interface AppDbSchema extends DBSchema {
	candleChunks: { key: [string, string, number]; value: CandleChunk };
	series: { key: [string, string]; value: SeriesRecord };
	runs: { key: string; value: RunRecord; indexes: { 'by-createdAt': number } };
	optimisations: { key: string; value: OptimisationRecord; indexes: { 'by-createdAt': number } };
	settings: { key: string; value: unknown };
	scans: { key: string; value: ScanRecordBase; indexes: { 'by-createdAt': number } };
	scanBands: { key: string; value: { id: string; [field: string]: unknown } };
	portfolioRuns: { key: string; value: RunRecord; indexes: { 'by-createdAt': number } };
	researchJobs: { key: string; value: RunRecord; indexes: { 'by-createdAt': number } };
	presets: { key: string; value: { id: string; [field: string]: unknown } };
	recommendations: { key: string; value: RunRecord; indexes: { 'by-createdAt': number } };
	ruleStrategies: { key: string; value: RuleStrategyRecord; indexes: { 'by-updatedAt': number } };
}

/** The opened app database. */
export type AppDb = IDBPDatabase<AppDbSchema>;

/** An upgrade transaction over every store. */
export type UpgradeTransaction = IDBPTransaction<AppDbSchema, StoreNames<AppDbSchema>[], 'versionchange'>;

/**
 * One schema migration: runs inside the `versionchange` transaction.
 * @param db - the database being upgraded (create/delete stores and indexes here).
 * @param tx - the upgrade transaction (use it to read or rewrite existing records).
 */
export type Migration = (db: AppDb, tx: UpgradeTransaction) => void;

/** v0 -> v1: create every store. */
const v1: Migration = (db) => {
	db.createObjectStore(STORES.candleChunks, { keyPath: ['symbol', 'interval', 'chunkStart'] });
	db.createObjectStore(STORES.series, { keyPath: ['symbol', 'interval'] });
	const runs = db.createObjectStore(STORES.runs, { keyPath: 'id' });
	runs.createIndex('by-createdAt', 'createdAt');
	const optimisations = db.createObjectStore(STORES.optimisations, { keyPath: 'id' });
	optimisations.createIndex('by-createdAt', 'createdAt');
	db.createObjectStore(STORES.settings);
};

/** v1 -> v2: the market scanner's `scans` and `scanBands` stores (every existing store and record is kept). */
const v2: Migration = (db) => {
	const scans = db.createObjectStore(STORES.scans, { keyPath: 'id' });
	scans.createIndex('by-createdAt', 'createdAt');
	db.createObjectStore(STORES.scanBands, { keyPath: 'id' });
};

/** v2 -> v3: portfolio runs get their own store (single-market runs and their readers stay as they are). */
const v3: Migration = (db) => {
	const portfolioRuns = db.createObjectStore(STORES.portfolioRuns, { keyPath: 'id' });
	portfolioRuns.createIndex('by-createdAt', 'createdAt');
};

/** v3 -> v4: research jobs, presets with their history, recommendations (issue #14; every existing store is kept). */
const v4: Migration = (db) => {
	db.createObjectStore(STORES.researchJobs, { keyPath: 'id' }).createIndex('by-createdAt', 'createdAt');
	db.createObjectStore(STORES.presets, { keyPath: 'id' });
	db.createObjectStore(STORES.recommendations, { keyPath: 'id' }).createIndex('by-createdAt', 'createdAt');
};

/**
 * v4 -> v5: the `ruleStrategies` store ("My strategies"). It creates only what is missing, so it can follow any other migration
 * (it was written in parallel with the research stores' migration and follows it).
 */
export const vRuleStrategies: Migration = (db) => {
	if (db.objectStoreNames.contains(STORES.ruleStrategies)) return;
	const rules = db.createObjectStore(STORES.ruleStrategies, { keyPath: 'id' });
	rules.createIndex('by-updatedAt', 'updatedAt');
};

/** Ordered schema migrations; `MIGRATIONS[k]` upgrades version `k` to `k + 1`. Append only. */
export const MIGRATIONS: readonly Migration[] = Object.freeze([v1, v2, v3, v4, vRuleStrategies]);

/** Current schema version (`MIGRATIONS.length`). */
export const DB_VERSION = MIGRATIONS.length;

/** Options of {@link openAppDb}. */
export interface OpenAppDbOptions {
	/** Migrations to apply (default {@link MIGRATIONS}); tests pass a longer list to check an upgrade keeps data. */
	migrations?: readonly Migration[];
	/** Called when another tab holds an older version open and blocks the upgrade. */
	onBlocked?: () => void;
	/** Called when another tab wants to upgrade: the connection is closed so it can proceed. */
	onVersionChange?: () => void;
}

/**
 * Open (creating or upgrading as needed) the app database.
 *
 * Every migration from the stored version up to `migrations.length` runs in order inside one
 * upgrade transaction, so an upgrade either completes or leaves the old database untouched.
 * When another tab requests a newer version, this connection closes itself (and calls
 * `onVersionChange`) instead of blocking it.
 *
 * @param name - database name (default `'backtester'`).
 * @param idbFactory - IndexedDB factory (default `globalThis.indexedDB`); tests pass `fake-indexeddb`'s.
 * @param options - migrations and event callbacks, see {@link OpenAppDbOptions}.
 * @returns the opened database; close it with `db.close()` when done.
 * @throws Error if IndexedDB is unavailable (no factory and no `globalThis.indexedDB`, e.g. in
 *   Node without fake-indexeddb or a private browsing mode that disables it), or the open request fails.
 * @throws DatabaseError `db_newer_version` when the stored database is newer than this app (reload for the newest
 *   version), `db_migration_failed` when a migration throws (the whole upgrade is rolled back, with the migration's
 *   error as `cause`; no uncaught error or unhandled rejection is left behind).
 */
export async function openAppDb(
	name: string = DEFAULT_DB_NAME,
	idbFactory?: IDBFactory,
	options: OpenAppDbOptions = {}
): Promise<AppDb> {
	const factory = idbFactory ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
	if (!factory) {
		throw new Error(
			'IndexedDB is not available in this environment: use a browser with IndexedDB enabled (private modes may disable it), or pass an IDBFactory.'
		);
	}
	const migrations = options.migrations ?? MIGRATIONS;
	const version = migrations.length;
	const request = factory.open(name, version);
	let migrationError: { error: unknown; from: number; at: number } | undefined;
	request.addEventListener('upgradeneeded', (event) => {
		const db = wrap(request.result) as unknown as AppDb;
		const tx = wrap(request.transaction!) as unknown as UpgradeTransaction;
		// idb's `done` promise of the upgrade transaction rejects when it aborts; the open request reports that.
		tx.done.catch(() => undefined);
		let v = event.oldVersion;
		try {
			for (; v < version; v++) migrations[v](db, tx);
		} catch (error) {
			// Caught here (a throw from an event listener would be an uncaught error): abort the upgrade, which rolls
			// every migration of this open back, and report it from the open request below.
			migrationError = { error, from: event.oldVersion, at: v };
			try {
				request.transaction?.abort();
			} catch {
				// already aborted
			}
		}
	});
	if (options.onBlocked) request.addEventListener('blocked', () => options.onBlocked?.());
	let db: AppDb;
	try {
		db = (await wrap(request)) as unknown as AppDb;
	} catch (e) {
		if (migrationError) {
			const { error, from, at } = migrationError;
			throw new DatabaseError(
				'db_migration_failed',
				`Upgrading the local database from version ${from} to ${version} failed at step ${at} -> ${at + 1} ` +
					`(${(error as Error)?.message ?? String(error)}). The upgrade was rolled back: everything stored is as before. ` +
					'Reload the page to try again; if it keeps failing, export a backup from the History page of the previous version.',
				{ cause: error }
			);
		}
		if ((e as { name?: unknown })?.name === 'VersionError') {
			throw new DatabaseError(
				'db_newer_version',
				`This browser holds data saved by a newer version of this app (its database is newer than version ${version}, which this page knows). ` +
					'Reload the page to get the newest version; your data is kept.',
				{ cause: e }
			);
		}
		throw e;
	}
	db.addEventListener('versionchange', () => {
		db.close();
		options.onVersionChange?.();
	});
	return db;
}
