/**
 * Candle repository over IndexedDB: chunked Float64Array columns plus per-series coverage metadata.
 *
 * Storage layout (see {@link CandleChunk}): a series' time axis is cut into epoch-aligned spans of
 * {@link CHUNK_BARS} candle intervals; each span is one record holding the six columns of the candles
 * stored there. 5,000 bars keeps a chunk near 240 KB (6 x 5,000 x 8 bytes): large enough that a
 * full 78,000-candle 1h history is 16 records (one `getAll`), small enough that merging a
 * 1,000-candle sync page rewrites at most two chunks.
 *
 * Semantics:
 * - Candles are keyed by open time: a series never holds two candles with the same `openTime`.
 * - Re-putting candles that are already stored with identical values writes nothing.
 * - A candle that is already stored with different values is replaced by the new one (the most
 *   recent closed value from the source wins: e.g. Binance's 2022-08-08 archive correction).
 * - Every write (candles + coverage metadata) is one readwrite transaction over both stores: a
 *   failure, including a storage-quota error, rolls it back whole, so stored data stays intact.
 */
import { DataError, ValidationError } from '../core/errors';
import { isoUtc, timeframeMs } from '../core/timeframe';
import type { OhlcvColumns, Timeframe, UnixMs } from '../core/types';
import { addRange, countRuns, knownGaps, mergeRuns, runsFromOpenTimes, type TimeRange } from '../data/sync-ranges';
import { STORES, openAppDb, type AppDb, type CandleChunk, type OpenAppDbOptions, type SeriesRecord, type SeriesSource } from './db';
import { StorageFullError, isQuotaError } from './errors';

/** Candle intervals per chunk span (see the module comment for why 5,000). */
export const CHUNK_BARS = 5000;

const COLUMNS = ['openTime', 'open', 'high', 'low', 'close', 'volume'] as const;

/** Outcome of {@link CandleStore.putCandles}: how each given candle was handled. */
export interface PutResult {
	/** Candles that were not stored before. */
	inserted: number;
	/** Candles stored before with different values, now replaced by the given ones. */
	updated: number;
	/** Candles already stored with identical values (nothing written for them). */
	unchanged: number;
}

/** Options of {@link CandleStore.putCandles}. */
export interface PutOptions {
	/**
	 * Open-time range the source was asked for and answered completely (half-open, ms). Default:
	 * `[first openTime, last openTime + intervalMs)`. Missing candles inside it are recorded as
	 * known gaps; sync does not fetch the range again.
	 */
	covered?: TimeRange;
	/** Clock for `lastSync` (Unix ms); default `Date.now`. */
	now?: UnixMs;
	/**
	 * When the job writing these candles started (wall clock, Unix ms). If the series was deleted after that (in
	 * this tab or another), nothing is written and {@link SeriesDeletedError} is thrown: a sync that was running
	 * during a delete does not bring the series back.
	 */
	startedAt?: UnixMs;
}

/** The series was deleted while the job writing to it was running; nothing of the job's write was stored. */
export class SeriesDeletedError extends DataError {
	constructor(symbol: string, interval: string) {
		super(`${symbol} ${interval} was deleted while candles were being written to it; they were not stored. Sync or import again to store it anew.`);
	}
}

/** Settings key of a series' deletion time (Unix ms). */
const deletedKey = (symbol: string, interval: string) => `deleted:${symbol}:${interval}`;

/** Range filter of {@link CandleStore.getCandles}; both bounds are inclusive open times (Unix ms UTC). */
export interface CandleRange {
	from?: UnixMs;
	to?: UnixMs;
}

/** Empty OHLCV columns. */
function emptyColumns(): OhlcvColumns {
	return {
		openTime: new Float64Array(0),
		open: new Float64Array(0),
		high: new Float64Array(0),
		low: new Float64Array(0),
		close: new Float64Array(0),
		volume: new Float64Array(0)
	};
}

/** Index of the first element of ascending `a` that is >= `x`. */
function lowerBound(a: Float64Array, x: number): number {
	let lo = 0;
	let hi = a.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (a[mid] < x) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** Index of the first element of ascending `a` that is > `x`. */
function upperBound(a: Float64Array, x: number): number {
	let lo = 0;
	let hi = a.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (a[mid] <= x) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** Check symbol and interval; returns the interval length in ms. */
function checkSeriesKey(symbol: string, interval: string): number {
	if (typeof symbol !== 'string' || !/^[A-Z0-9]{2,30}$/.test(symbol)) {
		throw new ValidationError(`Invalid symbol "${symbol}": use the Binance spot symbol in capitals, e.g. BTCUSDT.`);
	}
	return timeframeMs(interval);
}

/** Structural checks before anything is written: equal lengths, finite values, strictly ascending open times on one grid. */
function checkColumns(ohlcv: OhlcvColumns, intervalMs: number, label: string): void {
	const n = ohlcv.openTime?.length;
	for (const c of COLUMNS) {
		if (!(ohlcv[c] instanceof Float64Array)) throw new DataError(`${label}: column "${c}" is missing or not a Float64Array.`);
		if (ohlcv[c].length !== n) {
			throw new DataError(`${label}: columns have different lengths (openTime ${n}, ${c} ${ohlcv[c].length}).`);
		}
	}
	const t = ohlcv.openTime;
	for (let i = 0; i < n; i++) {
		for (const c of COLUMNS) {
			if (!Number.isFinite(ohlcv[c][i])) throw new DataError(`${label}: bar ${i} has ${c} = ${ohlcv[c][i]}; values must be finite numbers.`);
		}
		if (i > 0) {
			const d = t[i] - t[i - 1];
			if (d <= 0) {
				throw new DataError(
					`${label}: bar ${i} (${isoUtc(t[i])}) is not after the previous bar; candles must be strictly ascending without duplicates.`
				);
			}
			if (d % intervalMs !== 0) {
				throw new DataError(
					`${label}: bar ${i} (${isoUtc(t[i])}) is ${d} ms after the previous bar, not a whole number of intervals (${intervalMs} ms): is the interval right?`
				);
			}
		}
	}
}

/** Merge sorted `add` (a slice of new candles) into an existing chunk. New values win on equal open time. */
function mergeIntoChunk(
	existing: CandleChunk | undefined,
	add: OhlcvColumns,
	from: number,
	to: number,
	base: { symbol: string; interval: Timeframe; chunkStart: UnixMs }
): { chunk: CandleChunk; result: PutResult } {
	const result: PutResult = { inserted: 0, updated: 0, unchanged: 0 };
	const m = existing?.count ?? 0;
	const cap = m + (to - from);
	const out = {} as Record<(typeof COLUMNS)[number], Float64Array>;
	for (const c of COLUMNS) out[c] = new Float64Array(cap);
	let i = 0; // existing
	let j = from; // new
	let k = 0; // out
	const et = existing?.openTime;
	const nt = add.openTime;
	while (i < m || j < to) {
		if (j >= to || (i < m && et![i] < nt[j])) {
			for (const c of COLUMNS) out[c][k] = existing![c][i];
			i++;
		} else {
			if (i < m && et![i] === nt[j]) {
				let same = true;
				for (const c of COLUMNS) if (!Object.is(existing![c][i], add[c][j])) same = false;
				if (same) result.unchanged++;
				else result.updated++;
				i++;
			} else {
				result.inserted++;
			}
			for (const c of COLUMNS) out[c][k] = add[c][j];
			j++;
		}
		k++;
	}
	const chunk: CandleChunk = {
		...base,
		count: k,
		openTime: out.openTime.slice(0, k),
		open: out.open.slice(0, k),
		high: out.high.slice(0, k),
		low: out.low.slice(0, k),
		close: out.close.slice(0, k),
		volume: out.volume.slice(0, k)
	};
	return { chunk, result };
}

function describeKept(record: SeriesRecord | undefined, symbol: string, interval: string): string {
	if (!record || record.count === 0) return `no ${symbol} ${interval} candles were stored before`;
	return `${record.count.toLocaleString('en-US')} candles of ${symbol} ${interval} (${isoUtc(record.firstOpenTime!)} .. ${isoUtc(record.lastOpenTime!)})`;
}

/** Key range of every chunk of one series between two chunk starts (inclusive). */
function chunkKeyRange(symbol: string, interval: string, lo: number, hi: number): IDBKeyRange {
	return IDBKeyRange.bound([symbol, interval, lo], [symbol, interval, hi]);
}

/**
 * Repository of candles and their coverage metadata.
 *
 * @example
 * const store = await CandleStore.open();
 * await store.putCandles('BTCUSDT', '1h', ohlcv, 'import');
 * const bars = await store.getCandles('BTCUSDT', '1h', { from: Date.UTC(2025, 0, 1) });
 */
export class CandleStore {
	/** The open database (shared with other repositories). */
	readonly db: AppDb;

	/** @param db - an open app database from {@link openAppDb}. */
	constructor(db: AppDb) {
		this.db = db;
	}

	/**
	 * Open the app database and wrap it.
	 * @param name - database name (default `'backtester'`).
	 * @param idbFactory - IndexedDB factory (tests pass fake-indexeddb's).
	 * @returns a store over the opened database.
	 * @throws Error when IndexedDB is unavailable (see {@link openAppDb}).
	 */
	static async open(name?: string, idbFactory?: IDBFactory, options?: OpenAppDbOptions): Promise<CandleStore> {
		return new CandleStore(await openAppDb(name, idbFactory, options));
	}

	/** Close the database connection. */
	close(): void {
		this.db.close();
	}

	/**
	 * Merge candles into a series: inserts new ones, replaces changed ones, skips identical ones,
	 * and extends the series' coverage. One transaction: all of it is stored or none of it.
	 *
	 * @param symbol - Binance spot symbol in capitals, e.g. `'BTCUSDT'`.
	 * @param interval - Binance interval, e.g. `'1h'`.
	 * @param ohlcv - closed candles, strictly ascending `openTime` (ms UTC) on the interval's grid; may be empty
	 *   (then only `options.covered` is recorded).
	 * @param source - where the candles come from (recorded in the series metadata).
	 * @param options - covered range and clock, see {@link PutOptions}.
	 * @returns counts of inserted, updated and unchanged candles.
	 * @throws ValidationError for a bad symbol or interval.
	 * @throws DataError for unequal column lengths, non-finite values, unordered/duplicate open times, or open
	 *   times off the series' existing grid (nothing is written).
	 * @throws StorageFullError when the browser's storage quota is exceeded; nothing of this call is stored and
	 *   everything stored before is intact.
	 */
	async putCandles(
		symbol: string,
		interval: Timeframe,
		ohlcv: OhlcvColumns,
		source: SeriesSource,
		options: PutOptions = {}
	): Promise<PutResult> {
		const intervalMs = checkSeriesKey(symbol, interval);
		const label = `${symbol} ${interval}`;
		checkColumns(ohlcv, intervalMs, label);
		const n = ohlcv.openTime.length;
		const covered =
			options.covered ?? (n > 0 ? { from: ohlcv.openTime[0], to: ohlcv.openTime[n - 1] + intervalMs } : undefined);
		const total: PutResult = { inserted: 0, updated: 0, unchanged: 0 };
		if (n === 0 && !covered) return total;

		const tx = this.db.transaction([STORES.candleChunks, STORES.series, STORES.settings], 'readwrite');
		const chunks = tx.objectStore(STORES.candleChunks);
		const seriesStore = tx.objectStore(STORES.series);
		let before: SeriesRecord | undefined;
		try {
			if (options.startedAt !== undefined) {
				const deletedAt = await tx.objectStore(STORES.settings).get(deletedKey(symbol, interval));
				if (typeof deletedAt === 'number' && deletedAt >= options.startedAt) throw new SeriesDeletedError(symbol, interval);
			}
			before = await seriesStore.get([symbol, interval]);
			if (n > 0 && before && before.runs.length > 0) {
				const offset = (ohlcv.openTime[0] - before.runs[0][0]) % intervalMs;
				if (offset !== 0) {
					throw new DataError(
						`${label}: open time ${isoUtc(ohlcv.openTime[0])} is not on the stored series' grid (stored candles open at ${isoUtc(before.runs[0][0])} + k x ${intervalMs} ms).`
					);
				}
			}
			const span = CHUNK_BARS * intervalMs;
			let i = 0;
			while (i < n) {
				const chunkStart = Math.floor(ohlcv.openTime[i] / span) * span;
				const end = lowerBound(ohlcv.openTime, chunkStart + span);
				const existing = await chunks.get([symbol, interval, chunkStart]);
				const { chunk, result } = mergeIntoChunk(existing, ohlcv, i, end, { symbol, interval, chunkStart });
				total.inserted += result.inserted;
				total.updated += result.updated;
				total.unchanged += result.unchanged;
				if (result.inserted > 0 || result.updated > 0) await chunks.put(chunk);
				i = end;
			}
			const runs = mergeRuns(before?.runs ?? [], runsFromOpenTimes(ohlcv.openTime, intervalMs), intervalMs);
			const coveredRanges = covered ? addRange(before?.covered ?? [], covered) : (before?.covered ?? []);
			const sources = before?.sources.includes(source) ? before.sources : [...(before?.sources ?? []), source];
			const coverageChanged = JSON.stringify(coveredRanges) !== JSON.stringify(before?.covered ?? []);
			if (!before || total.inserted > 0 || total.updated > 0 || coverageChanged || sources !== before.sources) {
				const record: SeriesRecord = {
					symbol,
					interval,
					intervalMs,
					covered: coveredRanges,
					runs,
					firstOpenTime: runs.length > 0 ? runs[0][0] : null,
					lastOpenTime: runs.length > 0 ? runs[runs.length - 1][1] : null,
					count: countRuns(runs, intervalMs),
					gaps: knownGaps(runs, coveredRanges, intervalMs),
					lastSync: options.now ?? Date.now(),
					source,
					sources
				};
				await seriesStore.put(record);
			}
			await tx.done;
			return total;
		} catch (err) {
			throw await this.failed(tx, err, () => {
				const what =
					n > 0
						? `the ${n.toLocaleString('en-US')} new ${label} candles (${isoUtc(ohlcv.openTime[0])} .. ${isoUtc(ohlcv.openTime[n - 1])}) were not saved`
						: `the coverage of ${label} was not updated`;
				return { what, attempted: n, kept: describeKept(before, symbol, interval) };
			});
		}
	}

	/**
	 * Record that a source was asked for a range and answered completely, even if it returned no
	 * candles there (e.g. a range inside an exchange halt, or before the symbol was listed), so sync
	 * does not request it again.
	 *
	 * @param symbol - Binance spot symbol, e.g. `'BTCUSDT'`.
	 * @param interval - Binance interval, e.g. `'1h'`.
	 * @param range - half-open open-time range `[from, to)` in Unix ms UTC.
	 * @param source - the source that was asked.
	 * @param now - clock for `lastSync` (Unix ms); default `Date.now()`.
	 * @returns nothing.
	 * @throws ValidationError for a bad symbol/interval or an empty/non-finite range.
	 * @throws StorageFullError when the storage quota is exceeded (stored data intact).
	 */
	async markCovered(symbol: string, interval: Timeframe, range: TimeRange, source: SeriesSource, now?: UnixMs): Promise<void> {
		if (!(Number.isFinite(range.from) && Number.isFinite(range.to) && range.to > range.from)) {
			throw new ValidationError(`Covered range must have finite from < to (ms), got [${range.from}, ${range.to}).`);
		}
		await this.putCandles(symbol, interval, emptyColumns(), source, { covered: range, now });
	}

	/**
	 * Read stored candles of a series as columns.
	 *
	 * @param symbol - Binance spot symbol, e.g. `'BTCUSDT'`.
	 * @param interval - Binance interval, e.g. `'1h'`.
	 * @param range - optional inclusive open-time bounds `from`/`to` (Unix ms UTC).
	 * @returns new columns (length = candles in range, ascending `openTime`); empty columns when nothing is stored.
	 * @throws ValidationError for a bad symbol or interval.
	 */
	async getCandles(symbol: string, interval: Timeframe, range: CandleRange = {}): Promise<OhlcvColumns> {
		const intervalMs = checkSeriesKey(symbol, interval);
		const from = range.from ?? -Infinity;
		const to = range.to ?? Infinity;
		if (to < from) return emptyColumns();
		const span = CHUNK_BARS * intervalMs;
		const lo = Number.isFinite(from) ? Math.floor(from / span) * span : -Infinity;
		const hi = Number.isFinite(to) ? Math.floor(to / span) * span : Infinity;
		const list = await this.db.getAll(STORES.candleChunks, chunkKeyRange(symbol, interval, lo, hi));
		// Per chunk: the [start, end) slice inside the range.
		const bounds: Array<[number, number]> = [];
		let total = 0;
		for (const c of list) {
			const s = from > c.openTime[0] ? lowerBound(c.openTime, from) : 0;
			const e = to < c.openTime[c.count - 1] ? upperBound(c.openTime, to) : c.count;
			bounds.push([s, e]);
			total += Math.max(0, e - s);
		}
		const out = emptyColumns();
		for (const c of COLUMNS) out[c] = new Float64Array(total);
		let k = 0;
		for (let q = 0; q < list.length; q++) {
			const [s, e] = bounds[q];
			if (e <= s) continue;
			const chunk = list[q];
			for (const c of COLUMNS) out[c].set(s === 0 && e === chunk.count ? chunk[c] : chunk[c].subarray(s, e), k);
			k += e - s;
		}
		return out;
	}

	/**
	 * Coverage metadata of one series.
	 * @param symbol - Binance spot symbol, e.g. `'BTCUSDT'`.
	 * @param interval - Binance interval, e.g. `'1h'`.
	 * @returns the series record, or `undefined` if nothing was ever stored for it.
	 * @throws ValidationError for a bad symbol or interval.
	 */
	async getCoverage(symbol: string, interval: Timeframe): Promise<SeriesRecord | undefined> {
		checkSeriesKey(symbol, interval);
		return this.db.get(STORES.series, [symbol, interval]);
	}

	/**
	 * Every stored series' metadata, ordered by symbol then interval (as IndexedDB orders keys).
	 * @returns series records (possibly empty).
	 */
	async listSeries(): Promise<SeriesRecord[]> {
		return this.db.getAll(STORES.series);
	}

	/**
	 * Delete a series: all its candles and its metadata, in one transaction. The deletion time is kept, so that writes
	 * of jobs started before it (see {@link PutOptions.startedAt}) are refused instead of resurrecting the series.
	 * @param symbol - Binance spot symbol, e.g. `'BTCUSDT'`.
	 * @param interval - Binance interval, e.g. `'1h'`.
	 * @returns true if the series existed.
	 * @throws ValidationError for a bad symbol or interval.
	 */
	async deleteSeries(symbol: string, interval: Timeframe): Promise<boolean> {
		checkSeriesKey(symbol, interval);
		const tx = this.db.transaction([STORES.candleChunks, STORES.series, STORES.settings], 'readwrite');
		const existed = (await tx.objectStore(STORES.series).getKey([symbol, interval])) !== undefined;
		await tx.objectStore(STORES.candleChunks).delete(chunkKeyRange(symbol, interval, -Infinity, Infinity));
		await tx.objectStore(STORES.series).delete([symbol, interval]);
		// Remembered so that a job started before now (a sync in this or another tab) cannot write the series back.
		await tx.objectStore(STORES.settings).put(Date.now(), deletedKey(symbol, interval));
		await tx.done;
		return existed;
	}

	/** Abort `tx` if still active, wait for it to settle, and map the error (quota -> StorageFullError). */
	private async failed(
		tx: IDBTransaction | { abort(): void; done: Promise<void>; error: DOMException | null },
		err: unknown,
		describe: () => { what: string; attempted: number; kept: string }
	): Promise<unknown> {
		try {
			tx.abort();
		} catch {
			// already finished or aborted
		}
		await (tx as { done: Promise<void> }).done.catch(() => undefined);
		const txError = (tx as { error: DOMException | null }).error;
		if (isQuotaError(err) || isQuotaError(txError)) {
			const { what, attempted, kept } = describe();
			return new StorageFullError(
				`Browser storage is full: ${what}. Everything stored before is kept: ${kept}. ` +
					'Free space by deleting series or backtest runs you no longer need, then try again.',
				{ attempted, kept, cause: isQuotaError(err) ? err : txError }
			);
		}
		return err;
	}
}
