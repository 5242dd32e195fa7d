/**
 * Import of kline files: CSVs and the monthly/daily ZIP archives of https://data.binance.vision
 * (several at once), merged into one sorted, duplicate-free series with a report per file.
 */
import { allocateOhlcv, inferIntervalMs, isTimeframe, timeframeMs } from '../core/timeframe';
import type { Bar, OhlcvColumns, Timeframe, UnixMs } from '../core/types';
import { KlineImportError } from './errors';
import { findGaps, safeIso, type Gap } from './gaps';
import { parseKlineCsv, type KlineCsvFormat } from './kline-csv';
import { IMPORT_LIMITS, readZipCsvEntries, type ByteBudget, type ImportLimits } from './zip-safe';

export { IMPORT_LIMITS } from './zip-safe';

/** A file handed to the importer (e.g. from `<input type=file>`: `new Uint8Array(await file.arrayBuffer())`). */
export interface KlineFile {
	name: string;
	data: Uint8Array;
}

/** What happened to one imported file (a CSV, or one CSV inside a ZIP: name `archive.zip/entry.csv`). */
export interface FileImportResult {
	name: string;
	/** Candles read from this file (0 when it failed). */
	rows: number;
	/** First and last candle open time, Unix ms UTC; NaN when no rows. */
	firstOpenTime: UnixMs;
	lastOpenTime: UnixMs;
	format?: KlineCsvFormat;
	timeUnit?: 'ms' | 'us';
	/** Why the file (or part of it) was not imported; empty when it was imported. */
	errors: string[];
	/** Non-fatal facts: gaps inside the file, halt candles, conflicting duplicates with earlier files. */
	warnings: string[];
}

/** Two different candles with the same open time; the later one (`kept`) replaced the earlier one. */
export interface OhlcvConflict {
	openTime: UnixMs;
	kept: Bar;
	replaced: Bar;
	/** File whose candle was kept (set by {@link importKlineFiles}). */
	file?: string;
}

/** Result of {@link importKlineFiles}. */
export interface ImportKlineFilesResult {
	/** All imported candles, ascending by open time, unique. */
	ohlcv: OhlcvColumns;
	/** Candle interval, ms (given, from the file names, or inferred). */
	intervalMs: number;
	/** Symbol from the Binance file names (e.g. `BTCUSDT-1h-2023-03.zip`), when they follow that pattern. */
	symbol?: string;
	/** Interval name from the file names, when they follow the Binance pattern. */
	interval?: Timeframe;
	files: FileImportResult[];
	conflicts: OhlcvConflict[];
	/** Missing candles in the merged series. */
	gaps: Gap[];
}

/** Options of {@link importKlineFiles}. */
export interface ImportKlineFilesOptions {
	/** Candle interval, ms; otherwise taken from the Binance file names or inferred from the data. */
	intervalMs?: number;
	/** Called after each file (or ZIP entry) is read: files done, files given, bytes read so far. */
	onProgress?: (p: { done: number; total: number; name: string }) => void;
	/** Limits of this import (default {@link IMPORT_LIMITS}; tests lower them). */
	limits?: Partial<ImportLimits>;
}

/** Parts of a data.binance.vision file name. */
export interface ArchiveName {
	symbol: string;
	interval: Timeframe;
	/** `YYYY-MM` (monthly) or `YYYY-MM-DD` (daily). */
	period: string;
}

/**
 * Read symbol, interval and period from a data.binance.vision kline file name.
 *
 * @param name - file name or path, e.g. `BTCUSDT-1h-2023-03.zip` or `spot/monthly/klines/BTCUSDT/1h/BTCUSDT-1h-2023-03.csv`.
 * @returns the parts, or undefined when the name does not follow the pattern `SYMBOL-INTERVAL-YYYY-MM[-DD].csv|zip`
 *   with a supported interval.
 */
export function parseArchiveName(name: string): ArchiveName | undefined {
	const base = name.split(/[\\/]/).pop() ?? name;
	const m = /^([A-Z0-9]+)-([0-9]+[smhdwM])-(\d{4}-\d{2}(?:-\d{2})?)\.(?:csv|zip)$/i.exec(base);
	if (!m || !isTimeframe(m[2])) return undefined;
	return { symbol: m[1].toUpperCase(), interval: m[2], period: m[3] };
}

/**
 * Import several kline files at once: `.csv` files and `.zip` archives (each holding one or more CSVs),
 * in any mix of the layouts {@link parseKlineCsv} reads.
 *
 * One bad file does not stop the others: its error is reported in its {@link FileImportResult} and its rows are left
 * out. Files whose symbol or interval (from the Binance file name, or the data) differs from the majority are left
 * out with an error. Identical duplicate candles across files merge silently; for conflicting duplicates (same open
 * time, different values) the file later in `files` wins and the conflict is reported.
 *
 * Limits ({@link IMPORT_LIMITS}): decompressed bytes and candle rows of all files together, entries per ZIP and files
 * per import. They are checked before decompressing or parsing (a ZIP's declared sizes, a file's line count), so a
 * zip bomb or a huge archive is refused at once; every ZIP entry's CRC-32 is verified (a corrupted download is refused,
 * never imported with wrong prices). Merging is a balanced tree of two-way merges, O(N log files).
 *
 * @param files - file names and bytes; ZIPs are recognised by their `PK` signature or a `.zip` name.
 * @param opts - `intervalMs` to force the candle interval (ms); `onProgress` after each file; `limits` to lower the
 *   limits.
 * @returns merged candles (Unix ms UTC, ascending, unique), interval, per-file results, conflicts and gaps.
 * @throws KlineImportError if no file yields any candle (the message lists each file's problem), or more files than
 *   the limit are given.
 */
export function importKlineFiles(files: readonly KlineFile[], opts: ImportKlineFilesOptions = {}): ImportKlineFilesResult {
	if (files.length === 0) throw new KlineImportError('import', 'no files were given.');
	const decoder = new TextDecoder('utf-8');
	interface Parsed {
		result: FileImportResult;
		ohlcv?: OhlcvColumns;
		intervalMs: number;
		name?: ArchiveName;
	}
	const parsed: Parsed[] = [];
	const parseOne = (name: string, bytes: Uint8Array, nameInfo: ArchiveName | undefined) => {
		const result: FileImportResult = { name, rows: 0, firstOpenTime: NaN, lastOpenTime: NaN, errors: [], warnings: [] };
		const intervalMs = opts.intervalMs ?? (nameInfo ? timeframeMs(nameInfo.interval) : undefined);
		try {
			const csv = parseKlineCsv(decoder.decode(bytes), { source: name, intervalMs });
			const t = csv.ohlcv.openTime;
			Object.assign(result, {
				rows: t.length,
				firstOpenTime: t[0],
				lastOpenTime: t[t.length - 1],
				format: csv.format,
				timeUnit: csv.timeUnit,
				warnings: csv.warnings
			});
			parsed.push({ result, ohlcv: csv.ohlcv, intervalMs: csv.intervalMs, name: nameInfo });
		} catch (e) {
			result.errors.push(e instanceof Error ? e.message : String(e));
			parsed.push({ result, intervalMs: NaN, name: nameInfo });
		}
	};

	const limits: ImportLimits = { ...IMPORT_LIMITS, ...opts.limits };
	if (opts.intervalMs !== undefined && !(Number.isSafeInteger(opts.intervalMs) && opts.intervalMs > 0)) {
		throw new KlineImportError('import', `the candle interval must be a positive whole number of milliseconds, got ${opts.intervalMs}.`);
	}
	if (files.length > limits.maxFiles) {
		throw new KlineImportError('import', `${files.length.toLocaleString('en-US')} files were given; one import reads at most ${limits.maxFiles.toLocaleString('en-US')}.`);
	}
	const budget: ByteBudget = { left: limits.maxBytes };
	let rowsLeft = limits.maxRows;
	let entriesRead = 0;
	const readCsv = (name: string, bytes: Uint8Array, nameInfo: ArchiveName | undefined) => {
		if (++entriesRead > limits.maxFiles) {
			parsed.push({ result: failed(name, `${name}: more than ${limits.maxFiles.toLocaleString('en-US')} files in one import; import the rest separately.`), intervalMs: NaN, name: nameInfo });
			return;
		}
		// Rows are bounded before parsing: a line per candle.
		const lines = countLines(bytes);
		if (lines > rowsLeft + 1) {
			parsed.push({
				result: failed(
					name,
					`${name} has ${lines.toLocaleString('en-US')} lines; one import reads at most ${limits.maxRows.toLocaleString('en-US')} candles` +
						(rowsLeft < limits.maxRows ? ` (${rowsLeft.toLocaleString('en-US')} left after the other files)` : '') +
						'. Import fewer files at a time.'
				),
				intervalMs: NaN,
				name: nameInfo
			});
			return;
		}
		parseOne(name, bytes, nameInfo);
		rowsLeft -= parsed[parsed.length - 1].result.rows;
	};
	let done = 0;
	for (const file of files) {
		const info = parseArchiveName(file.name);
		if (isZip(file)) {
			let entries: Array<{ name: string; bytes: Uint8Array }>;
			try {
				entries = readZipCsvEntries(file.name, file.data, budget, limits);
			} catch (e) {
				parsed.push({ result: failed(file.name, e instanceof Error ? e.message : String(e)), intervalMs: NaN, name: info });
				opts.onProgress?.({ done: ++done, total: files.length, name: file.name });
				continue;
			}
			if (entries.length === 0) {
				parsed.push({
					result: failed(file.name, `${file.name} contains no .csv file; a Binance kline archive holds one CSV.`),
					intervalMs: NaN,
					name: info
				});
			}
			for (const entry of entries) readCsv(`${file.name}/${entry.name}`, entry.bytes, parseArchiveName(entry.name) ?? info);
		} else if (file.data.length > budget.left) {
			parsed.push({
				result: failed(
					file.name,
					`${file.name} is ${(file.data.length / 1024 / 1024).toFixed(1)} MiB, more than the ${limits.maxBytes / 1024 / 1024} MiB one import reads; split it or import it alone.`
				),
				intervalMs: NaN,
				name: info
			});
		} else {
			budget.left -= file.data.length;
			readCsv(file.name, file.data, info);
		}
		opts.onProgress?.({ done: ++done, total: files.length, name: file.name });
	}

	// Consistency across files: one symbol, one interval.
	const symbol = majority(parsed.filter((p) => p.ohlcv && p.name).map((p) => p.name!.symbol));
	for (const p of parsed) {
		if (p.ohlcv && symbol && p.name && p.name.symbol !== symbol) {
			exclude(p, `${p.result.name} holds ${p.name.symbol} candles but the other files hold ${symbol}; import one symbol at a time.`);
		}
	}
	const intervalMs =
		opts.intervalMs ?? majority(parsed.filter((p) => p.ohlcv && Number.isFinite(p.intervalMs)).map((p) => p.intervalMs));
	if (intervalMs !== undefined) {
		for (const p of parsed) {
			if (p.ohlcv && Number.isFinite(p.intervalMs) && p.intervalMs !== intervalMs) {
				exclude(
					p,
					`${p.result.name} has ${p.intervalMs / 60_000}-minute candles but the other files have ${intervalMs / 60_000}-minute candles; import one interval at a time.`
				);
			}
		}
	}

	const usable = parsed.filter((p) => p.ohlcv);
	if (usable.length === 0) {
		throw new KlineImportError(
			files.length === 1 ? files[0].name : 'import',
			`no candles could be imported:\n` + parsed.map((p) => `  ${p.result.errors.join(' ')}`).join('\n')
		);
	}

	// Balanced pairwise merge (O(N log files), not O(N x files)); a later file wins a conflict, as in mergeOhlcv.
	const { ohlcv: merged, conflicts } = mergeMany(
		usable.map((p) => p.ohlcv!),
		usable.map((p) => p.result.name)
	);
	const conflictsByFile = new Map<string, OhlcvConflict[]>();
	for (const c of conflicts) {
		const list = conflictsByFile.get(c.file!) ?? [];
		list.push(c);
		conflictsByFile.set(c.file!, list);
	}
	for (const p of usable) {
		const list = conflictsByFile.get(p.result.name);
		if (list && list.length > 0) {
			p.result.warnings.push(
				`${list.length} candle(s) differ from earlier files at the same open time (first ${safeIso(list[0].openTime)}); this file's values were kept.`
			);
		}
	}
	const finalInterval = intervalMs ?? inferIntervalMs(merged.openTime);
	const names = usable.map((p) => p.name).filter((x): x is ArchiveName => x !== undefined);
	const intervals = new Set(names.map((x) => x.interval));
	return {
		ohlcv: merged,
		intervalMs: finalInterval,
		symbol,
		interval: intervals.size === 1 ? [...intervals][0] : undefined,
		files: parsed.map((p) => p.result),
		conflicts,
		gaps: Number.isFinite(finalInterval) ? findGaps(merged.openTime, finalInterval) : []
	};

	function exclude(p: Parsed, message: string) {
		p.ohlcv = undefined;
		p.result.errors.push(message);
		p.result.rows = 0;
		p.result.firstOpenTime = p.result.lastOpenTime = NaN;
	}
}

/**
 * Merge two candle series into their sorted union by open time.
 *
 * @param a - earlier/base candles, open times strictly ascending (Unix ms UTC).
 * @param b - later/newer candles, open times strictly ascending.
 * @returns merged columns (new arrays) and the conflicts: open times present in both with different values
 *   (any of O/H/L/C/V differs). On a conflict **`b` wins** (later data replaces earlier, e.g. a corrected archive
 *   file); identical duplicates merge silently.
 * @throws KlineImportError if `a` or `b` is not strictly ascending.
 */
export function mergeOhlcv(a: OhlcvColumns, b: OhlcvColumns): { ohlcv: OhlcvColumns; conflicts: OhlcvConflict[] } {
	assertAscending(a, 'first series');
	assertAscending(b, 'second series');
	const na = a.openTime.length;
	const nb = b.openTime.length;
	const out = allocateOhlcv(na + nb);
	const conflicts: OhlcvConflict[] = [];
	let i = 0;
	let j = 0;
	let k = 0;
	while (i < na || j < nb) {
		const ta = i < na ? a.openTime[i] : Infinity;
		const tb = j < nb ? b.openTime[j] : Infinity;
		if (ta < tb) copyBar(a, i++, out, k++);
		else if (tb < ta) copyBar(b, j++, out, k++);
		else {
			if (!sameBar(a, i, b, j)) conflicts.push({ openTime: tb, kept: barAt(b, j), replaced: barAt(a, i) });
			copyBar(b, j++, out, k++);
			i++;
		}
	}
	return { ohlcv: trim(out, k), conflicts };
}

const COLS = ['openTime', 'open', 'high', 'low', 'close', 'volume'] as const;

/**
 * Merge several ascending candle series: a balanced tree of two-way merges, O(N log k) for k series of N candles in
 * all. On equal open times the series later in the list wins (as {@link mergeOhlcv}); each conflict names the file
 * whose candle was kept and is reported in open-time order.
 */
function mergeMany(parts: OhlcvColumns[], names: string[]): { ohlcv: OhlcvColumns; conflicts: OhlcvConflict[] } {
	type Tagged = { ohlcv: OhlcvColumns; src: Int32Array };
	let level: Tagged[] = parts.map((ohlcv, i) => {
		assertAscending(ohlcv, names[i]);
		return { ohlcv, src: new Int32Array(ohlcv.openTime.length).fill(i) };
	});
	const conflicts: OhlcvConflict[] = [];
	while (level.length > 1) {
		const next: Tagged[] = [];
		for (let q = 0; q + 1 < level.length; q += 2) {
			const a = level[q];
			const b = level[q + 1];
			const na = a.ohlcv.openTime.length;
			const nb = b.ohlcv.openTime.length;
			const out = allocateOhlcv(na + nb);
			const src = new Int32Array(na + nb);
			let i = 0;
			let j = 0;
			let k = 0;
			while (i < na || j < nb) {
				const ta = i < na ? a.ohlcv.openTime[i] : Infinity;
				const tb = j < nb ? b.ohlcv.openTime[j] : Infinity;
				if (ta < tb) {
					copyBar(a.ohlcv, i, out, k);
					src[k++] = a.src[i++];
				} else if (tb < ta) {
					copyBar(b.ohlcv, j, out, k);
					src[k++] = b.src[j++];
				} else {
					if (!sameBar(a.ohlcv, i, b.ohlcv, j)) {
						conflicts.push({ openTime: tb, kept: barAt(b.ohlcv, j), replaced: barAt(a.ohlcv, i), file: names[b.src[j]] });
					}
					copyBar(b.ohlcv, j, out, k);
					src[k++] = b.src[j++];
					i++;
				}
			}
			next.push({ ohlcv: trim(out, k), src: src.subarray(0, k) });
		}
		if (level.length % 2 === 1) next.push(level[level.length - 1]);
		level = next;
	}
	conflicts.sort((x, y) => x.openTime - y.openTime);
	return { ohlcv: level[0].ohlcv, conflicts };
}

/** Line breaks in a file (an upper bound of its rows, minus one when the last line has no break). */
function countLines(bytes: Uint8Array): number {
	let n = 1;
	for (let i = 0; i < bytes.length; i++) if (bytes[i] === 10) n++;
	return n;
}


function trim(x: OhlcvColumns, n: number): OhlcvColumns {
	if (x.openTime.length === n) return x;
	const r = {} as OhlcvColumns;
	for (const c of COLS) r[c] = x[c].slice(0, n);
	return r;
}

function copyBar(src: OhlcvColumns, i: number, dst: OhlcvColumns, k: number): void {
	for (const c of COLS) dst[c][k] = src[c][i];
}

function sameBar(a: OhlcvColumns, i: number, b: OhlcvColumns, j: number): boolean {
	for (const c of COLS) if (!Object.is(a[c][i], b[c][j])) return false;
	return true;
}

function barAt(x: OhlcvColumns, i: number): Bar {
	return { openTime: x.openTime[i], open: x.open[i], high: x.high[i], low: x.low[i], close: x.close[i], volume: x.volume[i] };
}

function assertAscending(x: OhlcvColumns, label: string): void {
	const t = x.openTime;
	for (let i = 1; i < t.length; i++) {
		if (!(t[i] > t[i - 1])) {
			throw new KlineImportError(
				'merge',
				`the ${label} is not in strictly ascending time order at bar ${i} (${safeIso(t[i])} after ${safeIso(t[i - 1])}).`
			);
		}
	}
}

function isZip(file: KlineFile): boolean {
	const d = file.data;
	const pk = d.length >= 2 && d[0] === 0x50 && d[1] === 0x4b;
	return pk || /\.zip$/i.test(file.name);
}

function failed(name: string, message: string): FileImportResult {
	return { name, rows: 0, firstOpenTime: NaN, lastOpenTime: NaN, errors: [message], warnings: [] };
}

/** Most frequent value (first seen wins ties); undefined for an empty list. */
function majority<T>(values: T[]): T | undefined {
	const counts = new Map<T, number>();
	let best: T | undefined;
	let bestCount = 0;
	for (const v of values) {
		const c = (counts.get(v) ?? 0) + 1;
		counts.set(v, c);
		if (c > bestCount) (best = v), (bestCount = c);
	}
	return best;
}
