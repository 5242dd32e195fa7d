/**
 * Backup of all local data as one file, and its import: runs, optimisations, settings and
 * (optionally) candles with their coverage metadata, so a trader can move to another browser
 * without losing anything.
 *
 * File format (version {@link BACKUP_VERSION}): gzip (fflate) of one UTF-8 JSON document
 * ```
 * { "format": "backtester-backup", "version": 1, "schemaVersion": <DB_VERSION>, "createdAt": <Unix ms>,
 *   "includesCandles": bool, "runs": [...], "optimisations": [...], "settings": [[key, value], ...],
 *   "portfolioRuns": [...],                                  // schema v3 on; absent in older backups
 *   "researchJobs": [...], "presets": [...], "recommendations": [...], // schema v4 on; absent in older backups
 *   "ruleStrategies": [...],                                 // schema v5 on ("My strategies"); absent in older backups
 *   "candles": { "series": [...], "chunks": [...] } }        // only when includesCandles
 * ```
 * Records are the stored IndexedDB values, encoded losslessly by {@link encodeTagged}: JSON values stay
 * as they are; values JSON cannot hold become tagged objects `{"$t": tag, ...}`: typed arrays
 * (`f64`, `f32`, `i32`, ... with `b64` = base64 of their little-endian bytes, so every float comes back
 * bit-identical, NaN payloads and -0 included), non-finite numbers and -0 (`num`), `undefined`
 * (`undef`), `Date`, `Map`, `Set`, `ArrayBuffer`, and plain objects that have a `$t` key themselves
 * (`obj`). A plain JSON file (the same document, not gzipped) is accepted on import too.
 *
 * Import policy (add-only: an import never changes or deletes anything already stored):
 * - the whole file is decoded and validated before anything is written; any problem rejects it whole;
 * - a run or optimisation whose id is already stored is kept as stored and counted as skipped
 *   (so importing the same file twice adds nothing the second time);
 * - a setting whose key is already stored is kept and counted as skipped;
 * - candles are merged chunk by chunk: candles missing locally are added, a candle already stored at
 *   the same open time is kept as stored (counted as skipped); each series' coverage metadata
 *   becomes the union of both (runs recomputed, covered ranges united, known gaps recomputed);
 * - runs that were `pending`/`running` when exported are imported as `failed` (interrupted), and
 *   `running` optimisations as `interrupted` (resumable), as the app does at start-up;
 * - everything is written in one readwrite transaction over every store: a failure (e.g. the storage
 *   quota) rolls it back whole, so the database stays as it was.
 */
import { gunzipSync, gzipSync, strFromU8, strToU8 } from 'fflate';
import { z } from 'zod';
import { AppError } from '../core/errors';
import { isoUtc, timeframeMs } from '../core/timeframe';
import type { Timeframe, UnixMs } from '../core/types';
import { addRange, countRuns, knownGaps, mergeRuns, normalizeRanges, runsFromOpenTimes } from '../data/sync-ranges';
import { CHUNK_BARS } from './candle-store';
import { DB_VERSION, STORES, type AppDb, type CandleChunk, type OptimisationRecord, type RunRecord, type SeriesRecord } from './db';
import { StorageFullError, isQuotaError } from './errors';
import { OPTIMISATION_INTERRUPTED, type StoredOptimisation } from './optimisations';
import type { StoredPortfolioRun } from './portfolio-runs';
import { INTERRUPTED_MESSAGE, type StoredRun } from './runs';
import { presetShape, recommendationShape, researchJobShape } from './research';
import { ruleStrategyShape, type RuleStrategyRecord } from './rule-strategies';

/** Stored error of a research job imported while it was running (as the app marks it at start-up). */
const RESEARCH_JOB_INTERRUPTED = 'Interrupted: the job was running when the backup was made. Resume it to continue; finished rows are kept.';
/** Research records of a backup (schema v4 on), keyed by store. */
type ResearchStoreName = 'researchJobs' | 'presets' | 'recommendations';
const RESEARCH_STORES: readonly ResearchStoreName[] = ['researchJobs', 'presets', 'recommendations'];
const RESEARCH_SHAPES: Record<ResearchStoreName, z.ZodType> = { researchJobs: researchJobShape, presets: presetShape, recommendations: recommendationShape };

/** Value of the document's `format` field. */
export const BACKUP_FORMAT = 'backtester-backup';
/** Version of the backup document layout written by this app (and the newest it reads). */
export const BACKUP_VERSION = 1;

/** A backup file that cannot be imported: the message says what is wrong and how to fix it. Nothing was written. */
export class BackupError extends AppError {
	constructor(message: string, options?: { cause?: unknown }) {
		super('invalid_backup', message, options);
	}
}

// ---------------------------------------------------------------------------------------------
// Lossless JSON encoding of stored values

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type TypedArray =
	| Float64Array
	| Float32Array
	| Int32Array
	| Uint32Array
	| Int16Array
	| Uint16Array
	| Int8Array
	| Uint8Array
	| Uint8ClampedArray
	| BigInt64Array
	| BigUint64Array;
type TypedArrayCtor = { new (buffer: ArrayBuffer): TypedArray; readonly BYTES_PER_ELEMENT: number };

/** Tag of each typed-array type (stable names: part of the file format). */
const TYPED: ReadonlyArray<[string, TypedArrayCtor]> = [
	['f64', Float64Array],
	['f32', Float32Array],
	['i32', Int32Array],
	['u32', Uint32Array],
	['i16', Int16Array],
	['u16', Uint16Array],
	['i8', Int8Array],
	['u8', Uint8Array],
	['u8c', Uint8ClampedArray],
	['i64', BigInt64Array],
	['u64', BigUint64Array]
];
const TAG_OF = new Map<TypedArrayCtor, string>(TYPED.map(([t, c]) => [c, t]));
const CTOR_OF = new Map<string, TypedArrayCtor>(TYPED);

/** Reverse the bytes of every `size`-byte element in place (big-endian hosts only). */
function swapBytes(bytes: Uint8Array, size: number): void {
	if (size === 1) return;
	for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

function toBase64(bytes: Uint8Array): string {
	let s = '';
	for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000) as unknown as number[]);
	return btoa(s);
}

function fromBase64(b64: string): Uint8Array {
	const s = atob(b64);
	const out = new Uint8Array(s.length);
	for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
	return out;
}

function isPlainObject(v: object): v is Record<string, unknown> {
	const proto = Object.getPrototypeOf(v);
	return proto === Object.prototype || proto === null;
}

/**
 * Encode a stored value (what IndexedDB holds) as JSON-safe data, losslessly (see the module comment).
 * @param value - plain data: JSON values, typed arrays, non-finite numbers, undefined, Date, Map, Set, ArrayBuffer.
 * @param path - where the value sits, for error messages.
 * @returns a JSON-serialisable value; {@link decodeTagged} gives back an equal value (typed arrays bit-identical).
 * @throws BackupError for values a backup cannot hold (functions, symbols, class instances, DataView), naming the path.
 */
export function encodeTagged(value: unknown, path = '$'): unknown {
	switch (typeof value) {
		case 'string':
		case 'boolean':
			return value;
		case 'number':
			if (Number.isNaN(value)) return { $t: 'num', v: 'NaN' };
			if (value === Infinity) return { $t: 'num', v: 'Infinity' };
			if (value === -Infinity) return { $t: 'num', v: '-Infinity' };
			if (Object.is(value, -0)) return { $t: 'num', v: '-0' };
			return value;
		case 'undefined':
			return { $t: 'undef' };
		case 'bigint':
			return { $t: 'big', v: value.toString() };
		case 'object': {
			if (value === null) return null;
			if (Array.isArray(value)) {
				const out = new Array(value.length);
				for (let i = 0; i < value.length; i++) out[i] = encodeTagged(value[i], `${path}[${i}]`);
				return out;
			}
			if (ArrayBuffer.isView(value)) {
				const tag = TAG_OF.get(value.constructor as TypedArrayCtor);
				if (!tag) throw new BackupError(`Cannot back up ${path}: a ${value.constructor.name} is not a supported typed array.`);
				const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
				let le = bytes;
				if (!LITTLE_ENDIAN) {
					le = bytes.slice();
					swapBytes(le, (value as TypedArray).BYTES_PER_ELEMENT);
				}
				return { $t: tag, b64: toBase64(le) };
			}
			if (value instanceof ArrayBuffer) return { $t: 'buf', b64: toBase64(new Uint8Array(value)) };
			if (value instanceof Date) return { $t: 'date', v: encodeTagged(value.getTime(), `${path}.time`) };
			if (value instanceof Map) {
				return { $t: 'map', v: Array.from(value, ([k, v], i) => [encodeTagged(k, `${path}<key ${i}>`), encodeTagged(v, `${path}<value ${i}>`)]) };
			}
			if (value instanceof Set) return { $t: 'set', v: Array.from(value, (v, i) => encodeTagged(v, `${path}<item ${i}>`)) };
			if (!isPlainObject(value)) {
				throw new BackupError(`Cannot back up ${path}: a ${(value as object).constructor?.name ?? 'value'} object is not plain data.`);
			}
			const out: Record<string, unknown> = {};
			for (const [k, v] of Object.entries(value)) out[k] = encodeTagged(v, `${path}.${k}`);
			return '$t' in value ? { $t: 'obj', v: out } : out;
		}
		default:
			throw new BackupError(`Cannot back up ${path}: a ${typeof value} is not plain data.`);
	}
}

/**
 * Decode a value written by {@link encodeTagged}.
 * @param value - parsed JSON.
 * @param path - where the value sits, for error messages.
 * @returns the stored value (typed arrays are new arrays with the exact bytes written).
 * @throws BackupError for an unknown tag or a malformed tagged value (bad base64, byte length not a multiple of the element size), naming the path.
 */
export function decodeTagged(value: unknown, path = '$'): unknown {
	if (value === null || typeof value !== 'object') return value;
	if (Array.isArray(value)) return value.map((v, i) => decodeTagged(v, `${path}[${i}]`));
	const obj = value as Record<string, unknown>;
	if (!('$t' in obj)) {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(obj)) out[k] = decodeTagged(v, `${path}.${k}`);
		return out;
	}
	const tag = obj.$t;
	const bad = (what: string) => new BackupError(`${path}: ${what}`);
	const ctor = typeof tag === 'string' ? CTOR_OF.get(tag) : undefined;
	if (ctor || tag === 'buf') {
		if (typeof obj.b64 !== 'string') throw bad(`tagged value "${tag}" has no base64 "b64" string.`);
		let bytes: Uint8Array;
		try {
			bytes = fromBase64(obj.b64);
		} catch {
			throw bad(`the base64 data of a "${tag}" array is not valid base64.`);
		}
		if (tag === 'buf') return bytes.buffer;
		const size = ctor!.BYTES_PER_ELEMENT;
		if (bytes.length % size !== 0) throw bad(`a "${tag}" array has ${bytes.length} bytes, not a multiple of ${size}.`);
		if (!LITTLE_ENDIAN) swapBytes(bytes, size);
		return new ctor!(bytes.buffer as ArrayBuffer);
	}
	switch (tag) {
		case 'num':
			if (obj.v === 'NaN') return NaN;
			if (obj.v === 'Infinity') return Infinity;
			if (obj.v === '-Infinity') return -Infinity;
			if (obj.v === '-0') return -0;
			throw bad(`unknown special number ${JSON.stringify(obj.v)}.`);
		case 'undef':
			return undefined;
		case 'big':
			if (typeof obj.v !== 'string' || !/^-?\d+$/.test(obj.v)) throw bad('a bigint must be a string of digits.');
			return BigInt(obj.v);
		case 'date': {
			const t = decodeTagged(obj.v, `${path}.time`);
			if (typeof t !== 'number') throw bad('a date needs a numeric time.');
			return new Date(t);
		}
		case 'map':
			if (!Array.isArray(obj.v) || !obj.v.every((e) => Array.isArray(e) && e.length === 2)) throw bad('a map must be a list of [key, value] pairs.');
			return new Map((obj.v as unknown[][]).map(([k, v], i) => [decodeTagged(k, `${path}<key ${i}>`), decodeTagged(v, `${path}<value ${i}>`)]));
		case 'set':
			if (!Array.isArray(obj.v)) throw bad('a set must be a list.');
			return new Set(obj.v.map((v, i) => decodeTagged(v, `${path}<item ${i}>`)));
		case 'obj': {
			if (obj.v === null || typeof obj.v !== 'object' || Array.isArray(obj.v)) throw bad('an escaped object must hold an object.');
			const out: Record<string, unknown> = {};
			for (const [k, v] of Object.entries(obj.v as Record<string, unknown>)) out[k] = decodeTagged(v, `${path}.${k}`);
			return out;
		}
		default:
			throw bad(`unknown tagged value ${JSON.stringify(tag)} (this file may come from a newer app version).`);
	}
}

// ---------------------------------------------------------------------------------------------
// Document schema

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
/** Any number, NaN and ±Infinity included (statistics use them: an undefined ratio is NaN). */
const anyNumber = z.custom<number>((v) => typeof v === 'number', 'must be a number');
const f64 = z.instanceof(Float64Array, { message: 'must be a Float64Array (tag "f64")' });
const RUN_STATUS = ['pending', 'running', 'completed', 'failed'] as const;
const OPT_STATUS = ['running', 'interrupted', 'cancelled', 'failed', 'done'] as const;
const SOURCES = ['binance', 'import', 'bundled'] as const;

const marketSchema = z.looseObject({
	symbol: z.string().min(1),
	interval: z.string().min(1),
	datasetId: z.string(),
	firstOpenTime: finite,
	lastOpenTime: finite,
	bars: z.number().int().min(0),
	source: z.string(),
	missingBars: z.number().int().min(0)
});

const runSchema = z.looseObject({
	id: z.string().min(1).max(200),
	createdAt: finite,
	updatedAt: finite,
	status: z.enum(RUN_STATUS),
	error: z.string().optional(),
	label: z.string(),
	config: z.record(z.string(), z.unknown()),
	market: marketSchema,
	result: z
		.looseObject({
			trades: z.array(z.record(z.string(), z.unknown())),
			equity: f64,
			openTime: f64,
			metrics: z.record(z.string(), anyNumber),
			indicators: z.array(z.looseObject({ id: z.string(), label: z.string(), pane: z.string(), values: f64 })).optional()
		})
		.refine((r) => r.equity.length === r.openTime.length, 'equity and openTime must have the same length')
		.optional()
});

const portfolioRunSchema = z.looseObject({
	id: z.string().min(1).max(200),
	kind: z.literal('portfolio'),
	createdAt: finite,
	updatedAt: finite,
	status: z.enum(RUN_STATUS),
	error: z.string().optional(),
	label: z.string(),
	interval: z.string().min(1),
	range: z.looseObject({ startTime: finite, endTime: finite }),
	markets: z.array(z.looseObject({ symbol: z.string().min(1), datasetId: z.string(), firstOpenTime: finite, lastOpenTime: finite, bars: z.number().int().min(0) })),
	excluded: z.array(z.looseObject({ symbol: z.string(), reason: z.string() })),
	config: z.record(z.string(), z.unknown()),
	result: z
		.looseObject({
			trades: z.array(z.record(z.string(), z.unknown())),
			events: z.array(z.record(z.string(), z.unknown())),
			equity: f64,
			openTime: f64,
			openPositions: f64,
			metrics: z.record(z.string(), anyNumber)
		})
		.refine((r) => r.equity.length === r.openTime.length && r.openPositions.length === r.openTime.length, 'equity, openPositions and openTime must have the same length')
		.optional()
});

const optimisationSchema = z.looseObject({
	id: z.string().min(1).max(200),
	createdAt: finite,
	updatedAt: finite,
	status: z.enum(OPT_STATUS),
	error: z.string().optional(),
	label: z.string(),
	market: marketSchema,
	total: z.number().min(0),
	totalIsEstimate: z.boolean(),
	completed: z.number().int().min(0),
	failed: z.number().int().min(0),
	best: z.unknown(),
	state: z.record(z.string(), z.unknown())
});

const intervalSchema = z.string().refine((s) => {
	try {
		timeframeMs(s);
		return true;
	} catch {
		return false;
	}
}, 'is not a Binance interval (1m, 5m, 15m, 1h, 4h, 1d, 1w, ...)');
const symbolSchema = z.string().regex(/^[A-Z0-9]{2,30}$/, 'must be a Binance spot symbol in capitals, e.g. BTCUSDT');

const seriesSchema = z.looseObject({
	symbol: symbolSchema,
	interval: intervalSchema,
	intervalMs: z.number().int().positive(),
	covered: z.array(z.object({ from: finite, to: finite })),
	lastSync: finite.nullable(),
	source: z.enum(SOURCES),
	sources: z.array(z.enum(SOURCES))
});

const chunkSchema = z.object({
	symbol: symbolSchema,
	interval: intervalSchema,
	chunkStart: finite,
	count: z.number().int().min(1).max(CHUNK_BARS),
	openTime: f64,
	open: f64,
	high: f64,
	low: f64,
	close: f64,
	volume: f64
});

/** Envelope of the document (records are checked one by one after decoding, for precise messages). */
const envelopeSchema = z.object({
	format: z.literal(BACKUP_FORMAT),
	version: z.literal(BACKUP_VERSION),
	schemaVersion: z.number().int().min(1),
	createdAt: finite,
	includesCandles: z.boolean(),
	runs: z.array(z.unknown()),
	optimisations: z.array(z.unknown()),
	settings: z.array(z.tuple([z.string(), z.unknown()])),
	portfolioRuns: z.array(z.unknown()).optional(),
	researchJobs: z.array(z.unknown()).optional(),
	presets: z.array(z.unknown()).optional(),
	recommendations: z.array(z.unknown()).optional(),
	ruleStrategies: z.array(z.unknown()).optional(),
	candles: z.object({ series: z.array(z.unknown()), chunks: z.array(z.unknown()) }).optional()
});

/** A decoded, validated backup document. */
export interface BackupDocument {
	format: typeof BACKUP_FORMAT;
	version: number;
	/** IndexedDB schema version of the app that wrote it. */
	schemaVersion: number;
	/** When the backup was made, Unix ms UTC. */
	createdAt: UnixMs;
	includesCandles: boolean;
	runs: StoredRun[];
	optimisations: StoredOptimisation[];
	settings: Array<[string, unknown]>;
	/** Portfolio runs (schema v3 on; empty for older backups). */
	portfolioRuns: StoredPortfolioRun[];
	/** Research jobs, presets (with their history) and recommendations (with their audit trail); schema v4 on, empty for older backups. */
	research: Record<ResearchStoreName, Array<{ id: string; [field: string]: unknown }>>;
	/** Saved rule strategies ("My strategies": name and rule text); schema v5 on, empty for older backups. */
	ruleStrategies: RuleStrategyRecord[];
	candles?: { series: SeriesRecord[]; chunks: CandleChunk[] };
}

/** Options of {@link exportAll}. */
export interface ExportOptions {
	/** Also write every stored candle chunk and series' coverage metadata (large). Default false. */
	includeCandles?: boolean;
	/** Clock for `createdAt` (Unix ms); default `Date.now()`. */
	now?: UnixMs;
}

/** What {@link importAll} did. "skipped" items were already stored and were kept as they are. */
export interface ImportReport {
	/** When the imported backup was made (Unix ms UTC). */
	backupCreatedAt: UnixMs;
	runs: { added: number; skipped: number };
	optimisations: { added: number; skipped: number };
	settings: { added: number; skipped: number };
	candles: { series: number; added: number; skipped: number };
	/** Portfolio runs (present when the backup holds any). */
	portfolioRuns?: { added: number; skipped: number };
	/** Research jobs, presets and recommendations (present when the backup holds any). */
	research?: Record<ResearchStoreName, { added: number; skipped: number }>;
	/** Saved rule strategies (present when the backup holds any). */
	ruleStrategies?: { added: number; skipped: number };
	/** Runs/optimisations that were still active when exported, imported as interrupted. */
	interrupted: number;
}

/** Options of {@link importAll} and {@link readBackup}. */
export interface ImportOptions {
	/**
	 * Extra check of each run (the layers above know the configuration and result types); returns a
	 * problem description or null. A problem rejects the whole file, naming the run.
	 */
	checkRun?: (run: StoredRun) => string | null;
	/** Extra check of each optimisation, as {@link checkRun}. */
	checkOptimisation?: (job: StoredOptimisation) => string | null;
	/** Clock for `updatedAt` of records imported as interrupted (Unix ms); default `Date.now()`. */
	now?: UnixMs;
}

// ---------------------------------------------------------------------------------------------
// Export

/**
 * Export every run, optimisation and setting (and optionally every candle) as one gzip file.
 * Reads everything in one read-only transaction, so the backup is a consistent snapshot.
 * @param db - the opened app database.
 * @param options - `includeCandles` and clock, see {@link ExportOptions}.
 * @returns the file's bytes (gzip of the JSON document described in the module comment).
 * @throws BackupError if a stored value is not plain data (cannot happen with this app's records).
 */
export async function exportAll(db: AppDb, options: ExportOptions = {}): Promise<Uint8Array> {
	const includeCandles = options.includeCandles ?? false;
	const stores = includeCandles
		? [STORES.runs, STORES.optimisations, STORES.settings, STORES.portfolioRuns, ...RESEARCH_STORES, STORES.ruleStrategies, STORES.series, STORES.candleChunks]
		: [STORES.runs, STORES.optimisations, STORES.settings, STORES.portfolioRuns, ...RESEARCH_STORES, STORES.ruleStrategies];
	const tx = db.transaction(stores as (typeof STORES)[keyof typeof STORES][], 'readonly');
	const runs = await tx.objectStore(STORES.runs).getAll();
	const optimisations = await tx.objectStore(STORES.optimisations).getAll();
	const settingKeys = await tx.objectStore(STORES.settings).getAllKeys();
	const settingValues = await tx.objectStore(STORES.settings).getAll();
	const portfolioRuns = await tx.objectStore(STORES.portfolioRuns).getAll();
	const research = {} as Record<ResearchStoreName, unknown[]>;
	for (const name of RESEARCH_STORES) research[name] = await tx.objectStore(name).getAll();
	const ruleStrategies = await tx.objectStore(STORES.ruleStrategies).getAll();
	const series = includeCandles ? await tx.objectStore(STORES.series).getAll() : [];
	const chunks = includeCandles ? await tx.objectStore(STORES.candleChunks).getAll() : [];
	await tx.done;
	runs.sort((a, b) => a.createdAt - b.createdAt);
	optimisations.sort((a, b) => a.createdAt - b.createdAt);
	portfolioRuns.sort((a, b) => a.createdAt - b.createdAt);
	ruleStrategies.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
	const doc = {
		format: BACKUP_FORMAT,
		version: BACKUP_VERSION,
		schemaVersion: DB_VERSION,
		createdAt: options.now ?? Date.now(),
		includesCandles: includeCandles,
		runs: runs.map((r, i) => encodeTagged(r, `runs[${i}]`)),
		optimisations: optimisations.map((o, i) => encodeTagged(o, `optimisations[${i}]`)),
		settings: settingKeys.map((k, i) => [String(k), encodeTagged(settingValues[i], `settings.${String(k)}`)]),
		portfolioRuns: portfolioRuns.map((r, i) => encodeTagged(r, `portfolioRuns[${i}]`)),
		...Object.fromEntries(RESEARCH_STORES.map((name) => [name, research[name].map((r, i) => encodeTagged(r, `${name}[${i}]`))])),
		ruleStrategies: ruleStrategies.map((r, i) => encodeTagged(r, `ruleStrategies[${i}]`)),
		...(includeCandles
			? { candles: { series: series.map((s, i) => encodeTagged(s, `series[${i}]`)), chunks: chunks.map((c, i) => encodeTagged(c, `chunks[${i}]`)) } }
			: {})
	};
	return gzipSync(strToU8(JSON.stringify(doc)), { level: 6 });
}

/**
 * File name of a backup: `backtester-backup-2026-11-03T14-05-09Z.json.gz` (UTC, whole seconds).
 * @param createdAt - Unix ms.
 */
export function backupFileName(createdAt: UnixMs): string {
	return `backtester-backup-${isoUtc(Math.floor(createdAt / 1000) * 1000).replace(/:/g, '-')}.json.gz`;
}

// ---------------------------------------------------------------------------------------------
// Read + validate

const FIX = 'Choose the .json.gz file made by “Export all data” in this app.';
const DAMAGED = 'The file was changed or damaged; nothing was imported. Export it again from the original browser.';

function hexStart(bytes: Uint8Array): string {
	return Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function describeIssues(error: z.ZodError): string {
	return error.issues
		.slice(0, 3)
		.map((i) => `${i.path.length ? i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(record)'}: ${i.message}`)
		.join('; ');
}

/** Parse bytes into JSON: gzip or plain JSON text. */
function parseBytes(bytes: Uint8Array): unknown {
	if (!(bytes instanceof Uint8Array) || bytes.length === 0) throw new BackupError(`The file is empty. ${FIX}`);
	let text: string;
	if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
		let raw: Uint8Array;
		try {
			raw = gunzipSync(bytes);
		} catch (e) {
			throw new BackupError(
				`The backup file is damaged: its gzip data cannot be decompressed (${(e as Error).message}). It may have been cut short while downloading or copying: export it again from the original browser.`,
				{ cause: e }
			);
		}
		try {
			text = strFromU8(raw);
		} catch (e) {
			throw new BackupError(`The backup file is damaged: its content is not UTF-8 text. ${DAMAGED}`, { cause: e });
		}
	} else {
		let i = 0;
		while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09 || bytes[i] === 0xef || bytes[i] === 0xbb || bytes[i] === 0xbf)) i++;
		if (bytes[i] !== 0x7b) {
			const zip = bytes[0] === 0x50 && bytes[1] === 0x4b ? ' (it is a zip archive)' : '';
			throw new BackupError(`This file is not a backup of this app: it is neither gzip nor JSON${zip} (it starts with bytes ${hexStart(bytes)}). ${FIX}`);
		}
		text = strFromU8(bytes);
	}
	try {
		return JSON.parse(text);
	} catch (e) {
		throw new BackupError(`The backup file is damaged: its content is not complete JSON (${(e as Error).message}). ${DAMAGED}`, { cause: e });
	}
}

/** Decode + validate one record; errors name the record. */
function record<T>(raw: unknown, where: string, schema: z.ZodType, extra?: (v: T) => string | null, idOf?: (v: unknown) => string | undefined): T {
	const value = decodeValue(raw, where);
	const id = idOf?.(value);
	const name = id ? `${where} (id "${id}")` : where;
	const parsed = schema.safeParse(value);
	if (!parsed.success) throw new BackupError(`The backup is invalid at ${name}: ${describeIssues(parsed.error)}. ${DAMAGED}`);
	const problem = extra?.(value as T);
	if (problem) throw new BackupError(`The backup is invalid at ${name}: ${problem}. ${DAMAGED}`);
	return value as T;
}

/** {@link decodeTagged} with the error message completed by what to do. */
function decodeValue(raw: unknown, where: string): unknown {
	try {
		return decodeTagged(raw, where);
	} catch (e) {
		throw new BackupError(`The backup is invalid at ${(e as Error).message} ${DAMAGED}`, { cause: e });
	}
}

const idOf = (v: unknown) => (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string' ? (v as { id: string }).id : undefined);

/** Structural checks of a chunk beyond its schema: lengths, finite values, ascending open times inside its span. */
function checkChunk(c: CandleChunk): string | null {
	const intervalMs = timeframeMs(c.interval);
	const span = CHUNK_BARS * intervalMs;
	if (c.chunkStart % span !== 0) return `chunkStart ${c.chunkStart} is not a multiple of ${CHUNK_BARS} × ${c.interval}`;
	for (const col of ['openTime', 'open', 'high', 'low', 'close', 'volume'] as const) {
		if (c[col].length !== c.count) return `column ${col} has ${c[col].length} values, count is ${c.count}`;
		for (let i = 0; i < c.count; i++) if (!Number.isFinite(c[col][i])) return `${col}[${i}] is ${c[col][i]}; candle values must be finite`;
	}
	const t = c.openTime;
	if (t[0] < c.chunkStart || t[c.count - 1] >= c.chunkStart + span) return `open times fall outside the chunk's span starting ${isoUtc(c.chunkStart)}`;
	for (let i = 1; i < c.count; i++) {
		const d = t[i] - t[i - 1];
		if (d <= 0 || d % intervalMs !== 0) return `openTime[${i}] (${isoUtc(t[i])}) is not a whole number of ${c.interval} intervals after the previous candle`;
	}
	return null;
}

/**
 * Decode and validate a backup file without writing anything.
 * @param bytes - the file's bytes (gzip, or the plain JSON document).
 * @param options - extra record checks, see {@link ImportOptions}.
 * @returns the decoded document (typed arrays restored bit-identical).
 * @throws BackupError naming what is wrong and how to fix it: empty file, not gzip/JSON, corrupt or truncated
 *   gzip, incomplete JSON, another format, a newer format or schema version, a malformed record, candle
 *   chunks without series metadata or off their series' grid, duplicate ids.
 */
export function readBackup(bytes: Uint8Array, options: ImportOptions = {}): BackupDocument {
	const json = parseBytes(bytes);
	const head = (json ?? {}) as Record<string, unknown>;
	if (typeof json !== 'object' || json === null || Array.isArray(json) || head.format !== BACKUP_FORMAT) {
		const got = typeof head.format === 'string' ? ` (its format is ${JSON.stringify(head.format.slice(0, 60))})` : '';
		throw new BackupError(`This JSON file is not a backup of this app${got}: it has no "format": "${BACKUP_FORMAT}". ${FIX}`);
	}
	if (typeof head.version === 'number' && head.version > BACKUP_VERSION) {
		throw new BackupError(
			`This backup has format version ${head.version}, newer than this app reads (${BACKUP_VERSION}): update the app (reload the page to get the latest version) and import it again.`
		);
	}
	if (typeof head.schemaVersion === 'number' && head.schemaVersion > DB_VERSION) {
		throw new BackupError(
			`This backup was made by a newer app version (storage schema ${head.schemaVersion}, this app has ${DB_VERSION}): update the app (reload the page) and import it again.`
		);
	}
	const env = envelopeSchema.safeParse(json);
	if (!env.success) throw new BackupError(`The backup's header or lists are malformed: ${describeIssues(env.error)}. ${DAMAGED}`);
	const e = env.data;
	if (e.includesCandles && !e.candles) throw new BackupError(`The backup says it includes candles but has no "candles" section. ${DAMAGED}`);

	const runs = e.runs.map((r, i) => record<StoredRun>(r, `runs[${i}]`, runSchema, options.checkRun, idOf));
	const optimisations = e.optimisations.map((o, i) =>
		record<StoredOptimisation>(o, `optimisations[${i}]`, optimisationSchema, options.checkOptimisation, idOf)
	);
	const portfolioRuns = (e.portfolioRuns ?? []).map((r, i) => record<StoredPortfolioRun>(r, `portfolioRuns[${i}]`, portfolioRunSchema, undefined, idOf));
	const research = {} as BackupDocument['research'];
	for (const name of RESEARCH_STORES) research[name] = (e[name] ?? []).map((r, i) => record<{ id: string }>(r, `${name}[${i}]`, RESEARCH_SHAPES[name], undefined, idOf));
	const ruleStrategies = (e.ruleStrategies ?? []).map((r, i) => record<RuleStrategyRecord>(r, `ruleStrategies[${i}]`, ruleStrategyShape, undefined, idOf));
	for (const [list, name] of [
		[runs, 'runs'],
		[optimisations, 'optimisations'],
		[portfolioRuns, 'portfolioRuns'],
		...RESEARCH_STORES.map((n) => [research[n], n] as const),
		[ruleStrategies, 'ruleStrategies']
	] as const) {
		const seen = new Set<string>();
		for (const r of list) {
			if (seen.has(r.id)) throw new BackupError(`The backup is invalid: ${name} has two records with id "${r.id}". ${DAMAGED}`);
			seen.add(r.id);
		}
	}
	const settings = e.settings.map(([k, v]) => [k, decodeValue(v, `settings.${k}`)] as [string, unknown]);

	let candles: BackupDocument['candles'];
	if (e.candles) {
		const series = e.candles.series.map((s, i) =>
			record<SeriesRecord>(s, `candles.series[${i}]`, seriesSchema, (s) =>
				s.intervalMs === timeframeMs(s.interval) ? null : `intervalMs ${s.intervalMs} does not match interval ${s.interval}`
			)
		);
		const chunks = e.candles.chunks.map((c, i) => record<CandleChunk>(c, `candles.chunks[${i}]`, chunkSchema, checkChunk));
		const keys = new Set(series.map((s) => `${s.symbol} ${s.interval}`));
		const firstOf = new Map<string, number>();
		const chunkKeys = new Set<string>();
		chunks.forEach((c, i) => {
			const key = `${c.symbol} ${c.interval}`;
			if (!keys.has(key)) throw new BackupError(`The backup is invalid at candles.chunks[${i}]: no series metadata for ${key}. ${DAMAGED}`);
			const ck = `${key} ${c.chunkStart}`;
			if (chunkKeys.has(ck)) throw new BackupError(`The backup is invalid at candles.chunks[${i}]: ${key} has two chunks starting ${isoUtc(c.chunkStart)}. ${DAMAGED}`);
			chunkKeys.add(ck);
			const first = firstOf.get(key);
			if (first === undefined) firstOf.set(key, c.openTime[0]);
			else if ((c.openTime[0] - first) % timeframeMs(c.interval) !== 0) {
				throw new BackupError(`The backup is invalid at candles.chunks[${i}]: its open times are not on the grid of the other ${key} candles. ${DAMAGED}`);
			}
		});
		candles = { series, chunks };
	}
	return {
		format: BACKUP_FORMAT,
		version: e.version,
		schemaVersion: e.schemaVersion,
		createdAt: e.createdAt,
		includesCandles: e.includesCandles,
		runs,
		optimisations,
		settings,
		portfolioRuns,
		research,
		ruleStrategies,
		candles
	};
}

// ---------------------------------------------------------------------------------------------
// Import

const COLUMNS = ['openTime', 'open', 'high', 'low', 'close', 'volume'] as const;

/** Merge a backup chunk into a stored one, keeping stored candles on equal open times. */
function mergeKeepLocal(local: CandleChunk, add: CandleChunk): { chunk: CandleChunk; added: number } {
	const m = local.count;
	const n = add.count;
	const out = {} as Record<(typeof COLUMNS)[number], Float64Array>;
	for (const c of COLUMNS) out[c] = new Float64Array(m + n);
	let i = 0;
	let j = 0;
	let k = 0;
	let added = 0;
	while (i < m || j < n) {
		if (j >= n || (i < m && local.openTime[i] <= add.openTime[j])) {
			if (j < n && local.openTime[i] === add.openTime[j]) j++;
			for (const c of COLUMNS) out[c][k] = local[c][i];
			i++;
		} else {
			for (const c of COLUMNS) out[c][k] = add[c][j];
			j++;
			added++;
		}
		k++;
	}
	const chunk = { ...local, count: k } as CandleChunk;
	for (const c of COLUMNS) chunk[c] = out[c].slice(0, k);
	return { chunk, added };
}

/**
 * Import a backup into the database (policy in the module comment: add-only, existing records kept).
 * The file is decoded and validated completely first; then everything is written in one readwrite
 * transaction over every store.
 * @param db - the opened app database.
 * @param bytes - the backup file's bytes (from {@link exportAll}).
 * @param options - extra record checks and clock, see {@link ImportOptions}.
 * @returns counts of what was added and skipped.
 * @throws BackupError when the file is not a valid backup (see {@link readBackup}); nothing is written.
 * @throws StorageFullError when the browser's storage quota is exceeded; the transaction is rolled back, the
 *   database is as it was.
 * @throws DOMException (or Error) from IndexedDB for other storage failures; the transaction is rolled back.
 */
export async function importAll(db: AppDb, bytes: Uint8Array, options: ImportOptions = {}): Promise<ImportReport> {
	const doc = readBackup(bytes, options);
	const now = options.now ?? Date.now();
	const report: ImportReport = {
		backupCreatedAt: doc.createdAt,
		runs: { added: 0, skipped: 0 },
		optimisations: { added: 0, skipped: 0 },
		settings: { added: 0, skipped: 0 },
		candles: { series: 0, added: 0, skipped: 0 },
		interrupted: 0
	};
	const tx = db.transaction(
		[STORES.runs, STORES.optimisations, STORES.settings, STORES.portfolioRuns, ...RESEARCH_STORES, STORES.ruleStrategies, STORES.series, STORES.candleChunks],
		'readwrite'
	);
	let attempted = 0;
	try {
		const runStore = tx.objectStore(STORES.runs);
		for (const run of doc.runs) {
			if ((await runStore.getKey(run.id)) !== undefined) {
				report.runs.skipped++;
				continue;
			}
			let value: StoredRun = run;
			if (run.status === 'pending' || run.status === 'running') {
				value = { ...run, status: 'failed', error: INTERRUPTED_MESSAGE, updatedAt: now };
				report.interrupted++;
			}
			attempted++;
			await runStore.put(value as RunRecord);
			report.runs.added++;
		}
		const optStore = tx.objectStore(STORES.optimisations);
		for (const job of doc.optimisations) {
			if ((await optStore.getKey(job.id)) !== undefined) {
				report.optimisations.skipped++;
				continue;
			}
			let value: StoredOptimisation = job;
			if (job.status === 'running') {
				value = { ...job, status: 'interrupted', error: OPTIMISATION_INTERRUPTED, updatedAt: now };
				report.interrupted++;
			}
			attempted++;
			await optStore.put(value as OptimisationRecord);
			report.optimisations.added++;
		}
		if (doc.portfolioRuns.length) {
			const pr = (report.portfolioRuns = { added: 0, skipped: 0 });
			const pStore = tx.objectStore(STORES.portfolioRuns);
			for (const run of doc.portfolioRuns) {
				if ((await pStore.getKey(run.id)) !== undefined) {
					pr.skipped++;
					continue;
				}
				let value: StoredPortfolioRun = run;
				if (run.status === 'pending' || run.status === 'running') {
					value = { ...run, status: 'failed', error: INTERRUPTED_MESSAGE, updatedAt: now };
					report.interrupted++;
				}
				attempted++;
				await pStore.put(value as RunRecord);
				pr.added++;
			}
		}
		for (const name of RESEARCH_STORES) {
			if (!doc.research[name].length) continue;
			const counts = ((report.research ??= { researchJobs: { added: 0, skipped: 0 }, presets: { added: 0, skipped: 0 }, recommendations: { added: 0, skipped: 0 } })[name]);
			const store = tx.objectStore(name);
			for (const r of doc.research[name]) {
				if ((await store.getKey(r.id)) !== undefined) {
					counts.skipped++;
					continue;
				}
				let value = r;
				if (name === 'researchJobs' && (r.status === 'running' || r.status === 'pending')) {
					value = { ...r, status: 'cancelled', error: RESEARCH_JOB_INTERRUPTED, updatedAt: now };
					report.interrupted++;
				}
				attempted++;
				await store.put(value as never);
				counts.added++;
			}
		}
		if (doc.ruleStrategies.length) {
			const rs = (report.ruleStrategies = { added: 0, skipped: 0 });
			const rStore = tx.objectStore(STORES.ruleStrategies);
			for (const r of doc.ruleStrategies) {
				if ((await rStore.getKey(r.id)) !== undefined) {
					rs.skipped++;
					continue;
				}
				attempted++;
				await rStore.put(r);
				rs.added++;
			}
		}
		const settingsStore = tx.objectStore(STORES.settings);
		for (const [key, value] of doc.settings) {
			if ((await settingsStore.getKey(key)) !== undefined) {
				report.settings.skipped++;
				continue;
			}
			attempted++;
			await settingsStore.put(value, key);
			report.settings.added++;
		}
		if (doc.candles) {
			const chunkStore = tx.objectStore(STORES.candleChunks);
			const seriesStore = tx.objectStore(STORES.series);
			for (const s of doc.candles.series) {
				const intervalMs = s.intervalMs;
				const local = await seriesStore.get([s.symbol, s.interval]);
				const mine = doc.candles.chunks.filter((c) => c.symbol === s.symbol && c.interval === s.interval);
				if (local && local.runs.length > 0 && mine.length > 0 && (mine[0].openTime[0] - local.runs[0][0]) % intervalMs !== 0) {
					throw new BackupError(
						`The backup's ${s.symbol} ${s.interval} candles are not on the grid of the stored ones (stored candles open at ${isoUtc(local.runs[0][0])} + k × ${s.interval}). Delete the stored ${s.symbol} ${s.interval} series first, or import without candles.`
					);
				}
				let added = 0;
				let runs = local?.runs ?? [];
				for (const c of mine) {
					const stored = await chunkStore.get([c.symbol, c.interval, c.chunkStart]);
					let chunkAdded: number;
					if (!stored) {
						attempted += c.count;
						await chunkStore.put(c);
						chunkAdded = c.count;
					} else {
						const merged = mergeKeepLocal(stored, c);
						chunkAdded = merged.added;
						if (chunkAdded > 0) {
							attempted += chunkAdded;
							await chunkStore.put(merged.chunk);
						}
					}
					added += chunkAdded;
					report.candles.skipped += c.count - chunkAdded;
					runs = mergeRuns(runs, runsFromOpenTimes(c.openTime, intervalMs), intervalMs);
				}
				report.candles.added += added;
				let covered = normalizeRanges(local?.covered ?? []);
				for (const r of s.covered) covered = addRange(covered, r);
				const sources = [...(local?.sources ?? [])];
				for (const src of s.sources) if (!sources.includes(src)) sources.push(src);
				const changed = !local || added > 0 || JSON.stringify(covered) !== JSON.stringify(local.covered) || sources.length !== local.sources.length;
				if (!changed) continue;
				const syncs = [local?.lastSync, s.lastSync].filter((t): t is number => typeof t === 'number');
				const next: SeriesRecord = {
					symbol: s.symbol,
					interval: s.interval as Timeframe,
					intervalMs,
					covered,
					runs,
					firstOpenTime: runs.length > 0 ? runs[0][0] : null,
					lastOpenTime: runs.length > 0 ? runs[runs.length - 1][1] : null,
					count: countRuns(runs, intervalMs),
					gaps: knownGaps(runs, covered, intervalMs),
					lastSync: syncs.length ? Math.max(...syncs) : null,
					source: local?.source ?? s.source,
					sources
				};
				await seriesStore.put(next);
				report.candles.series++;
			}
		}
		await tx.done;
		return report;
	} catch (err) {
		try {
			tx.abort();
		} catch {
			// already finished or aborted
		}
		await tx.done.catch(() => undefined);
		if (isQuotaError(err) || isQuotaError(tx.error)) {
			throw new StorageFullError(
				`Browser storage is full: the backup was not imported and nothing was changed (everything stored before is kept). Free space by deleting series or runs you no longer need, or import a backup made without candles, then try again.`,
				{ attempted, kept: 'everything stored before the import', cause: isQuotaError(err) ? err : tx.error }
			);
		}
		throw err;
	}
}
