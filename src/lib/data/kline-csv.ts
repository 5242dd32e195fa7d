/**
 * Kline CSV reading and writing: the 6-column normalised layout and the 12-column Binance layout
 * (REST `/api/v3/klines` field order, data.binance.vision archive files), with row-level validation.
 */
import Papa from 'papaparse';
import { inferIntervalMs } from '../core/timeframe';
import type { OhlcvColumns } from '../core/types';
import { KlineImportError, type RowError } from './errors';
import { describeGaps, findGaps, safeIso, type Gap } from './gaps';

/**
 * Layout of a kline CSV file.
 * - `6-column-header`: `open_time,open,high,low,close,volume` with a header line (this project's `klines/*.csv`).
 * - `6-column`: the same six columns without header.
 * - `12-column`: the Binance layout without header (official data.binance.vision spot files):
 *   `open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore`.
 * - `12-column-header`: the same with a header line (as some people save them).
 */
export type KlineCsvFormat = '6-column-header' | '6-column' | '12-column' | '12-column-header';

/** Result of {@link parseKlineCsv}. */
export interface KlineCsvResult {
	/** The candles, open times converted to Unix ms UTC, ascending and unique. */
	ohlcv: OhlcvColumns;
	format: KlineCsvFormat;
	/** Unit of the file's timestamps: `ms` (13 digits) or `us` (16 digits, spot archive files from 2025-01-01). */
	timeUnit: 'ms' | 'us';
	/** Candle interval used for alignment and gap checks, ms (given or inferred); NaN for a one-row file without `intervalMs`. */
	intervalMs: number;
	/** Missing candles (not an error: exchange halts leave holes). */
	gaps: Gap[];
	/** Facts worth showing the user that did not stop the import (gaps, odd close times, header names). */
	warnings: string[];
}

/** Options of {@link parseKlineCsv}. */
export interface ParseKlineCsvOptions {
	/** Candle interval in ms; inferred from the most common open-time spacing when absent. */
	intervalMs?: number;
	/** File name or label used in error messages (default `CSV file`). */
	source?: string;
}

const SIX_NAMES = ['opentime', 'open', 'high', 'low', 'close', 'volume'];
const TWELVE_EXTRA_NAMES = ['closetime'];
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DAY_MS = 86_400_000;

/**
 * Parse a kline CSV file (6- or 12-column, with or without header, ms or µs timestamps) into candle columns.
 *
 * @param text - the whole file as text (UTF-8, optional BOM, `\n` or `\r\n` line ends).
 * @param opts - `intervalMs` (candle length, ms; inferred when absent), `source` (name used in messages).
 * @returns candles (open time Unix ms UTC; µs files are divided by 1000), detected format and time unit,
 *   gaps and warnings. Zero-volume halt candles and 12-column rows whose close time is not
 *   `open_time + interval - 1` are accepted (warned).
 * @throws KlineImportError for an empty file, an unknown layout or timestamp unit, or any invalid row; the message
 *   lists up to 10 rows with line numbers (wrong column count, non-numeric value, OHLC inconsistency, non-positive
 *   price, negative volume, open time unordered/duplicate/not aligned to the interval) and the total count.
 * @example parseKlineCsv(await file.text(), { source: file.name }).ohlcv.close
 */
export function parseKlineCsv(text: string, opts: ParseKlineCsvOptions = {}): KlineCsvResult {
	const source = opts.source ?? 'CSV file';
	if (opts.intervalMs !== undefined && !(Number.isSafeInteger(opts.intervalMs) && opts.intervalMs > 0)) {
		throw new KlineImportError(source, `the candle interval must be a positive whole number of milliseconds, got ${opts.intervalMs}.`);
	}
	if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
	if (text.trim() === '') {
		throw new KlineImportError(
			source,
			'the file is empty. Expected Binance kline rows: open_time,open,high,low,close,volume[,close_time,...].'
		);
	}
	const parsed = Papa.parse<string[]>(text, { delimiter: ',', skipEmptyLines: false, header: false });
	const lines = parsed.data;
	// The CSV parser's own errors (an unterminated quote swallows every later line into one field) reject the file:
	// rows must never disappear silently.
	if (parsed.errors.length > 0) {
		const syntax = parsed.errors.map((e) => ({
			line: (e.row ?? 0) + 1,
			message: `CSV syntax error: ${e.message}${e.code === 'MissingQuotes' ? ' (a " opens a field that never closes, so the lines after it would be lost)' : ''}`
		}));
		throw new KlineImportError(
			source,
			`${syntax.length} CSV syntax error(s); nothing was imported from this file. Kline files have no quotes: remove them and import again.`,
			syntax,
			syntax.length
		);
	}

	// Layout: the first non-empty line decides (header or data, 6 or 12 columns).
	let first = 0;
	while (first < lines.length && isBlank(lines[first])) first++;
	const firstRow = lines[first];
	const hasHeader = !DECIMAL.test(firstRow[0].trim());
	const columns = firstRow.length;
	if (columns !== 6 && columns !== 12) {
		throw new KlineImportError(
			source,
			`line ${first + 1} has ${columns} column(s); a kline file has 6 (open_time,open,high,low,close,volume) or ` +
				`12 (the Binance layout) comma-separated columns.`
		);
	}
	const format: KlineCsvFormat = `${columns === 6 ? '6' : '12'}-column${hasHeader ? '-header' : ''}` as KlineCsvFormat;
	const warnings: string[] = [];
	if (hasHeader) {
		const names = firstRow.map((n) => n.toLowerCase().replace(/[^a-z]/g, ''));
		const expected = columns === 6 ? SIX_NAMES : [...SIX_NAMES, ...TWELVE_EXTRA_NAMES];
		const differs = expected.some((e, i) => names[i] !== e);
		if (differs) {
			warnings.push(
				`Header "${firstRow.join(',')}" differs from ${expected.join(',')}; columns were read by position as open time, open, high, low, close, volume.`
			);
		}
	}
	const dataStart = hasHeader ? first + 1 : first;

	// Pass 1: values.
	const n = lines.length - dataStart;
	const t = new Float64Array(n);
	const o = new Float64Array(n);
	const h = new Float64Array(n);
	const l = new Float64Array(n);
	const c = new Float64Array(n);
	const v = new Float64Array(n);
	const ct = new Float64Array(n);
	const lineOf = new Int32Array(n);
	const errors: RowError[] = [];
	let errorCount = 0;
	const addError = (line: number, message: string) => {
		errorCount++;
		if (errors.length < 10) errors.push({ line, message });
	};
	let timeUnit: 'ms' | 'us' | undefined;
	let rows = 0;
	for (let li = dataStart; li < lines.length; li++) {
		const row = lines[li];
		if (isBlank(row)) continue;
		const line = li + 1;
		if (row.length !== columns) {
			addError(line, `expected ${columns} columns, found ${row.length}`);
			continue;
		}
		const nums: number[] = [];
		let bad = '';
		const numeric = columns === 12 ? 7 : 6;
		for (let k = 0; k < numeric; k++) {
			const s = row[k].trim();
			const x = DECIMAL.test(s) ? Number(s) : NaN;
			if (!Number.isFinite(x)) {
				bad =
					`${COLUMN_LABELS[k]} "${row[k]}" is not a number` +
					(k === 0 ? ' (expected a Unix timestamp in milliseconds or microseconds)' : '');
				break;
			}
			nums.push(x);
		}
		if (bad) {
			addError(line, bad);
			continue;
		}
		const unit = timestampUnit(nums[0]);
		if (unit === undefined) {
			addError(
				line,
				`open time ${row[0].trim()} is neither Unix milliseconds (13 digits) nor microseconds (16 digits)` +
					(nums[0] >= 1e9 && nums[0] < 1e10 ? '; it looks like seconds: multiply by 1000' : '')
			);
			continue;
		}
		if (timeUnit === undefined) timeUnit = unit;
		else if (unit !== timeUnit) {
			addError(line, `open time ${row[0].trim()} is in ${unit === 'us' ? 'microseconds' : 'milliseconds'} but earlier rows use ${timeUnit === 'us' ? 'microseconds' : 'milliseconds'}`);
			continue;
		}
		const [ot, op, hi, lo, cl, vol] = nums;
		const problem = ohlcProblem(op, hi, lo, cl, vol);
		if (problem) {
			addError(line, problem);
			continue;
		}
		const div = unit === 'us' ? 1000 : 1;
		t[rows] = Math.floor(ot / div);
		o[rows] = op;
		h[rows] = hi;
		l[rows] = lo;
		c[rows] = cl;
		v[rows] = vol;
		ct[rows] = columns === 12 ? Math.floor(nums[6] / div) : NaN;
		lineOf[rows] = line;
		rows++;
	}
	if (rows === 0 && errorCount === 0) {
		throw new KlineImportError(source, 'the file has a header but no candle rows.');
	}

	// Pass 2: order, duplicates, alignment.
	const openTime = t.subarray(0, rows);
	const intervalMs = opts.intervalMs ?? inferIntervalMs(openTime);
	const gridOrigin = intervalMs <= DAY_MS && DAY_MS % intervalMs === 0 ? 0 : openTime[0];
	const checkAlignment = Number.isFinite(intervalMs) && intervalMs > 0;
	for (let i = 0; i < rows; i++) {
		if (i > 0 && openTime[i] <= openTime[i - 1]) {
			addError(
				lineOf[i],
				openTime[i] === openTime[i - 1]
					? `duplicate open time ${safeIso(openTime[i])} (same as line ${lineOf[i - 1]})`
					: `open time ${safeIso(openTime[i])} is before the previous row's ${safeIso(openTime[i - 1])}; rows must be in ascending time order`
			);
		} else if (checkAlignment && (openTime[i] - gridOrigin) % intervalMs !== 0) {
			addError(
				lineOf[i],
				`open time ${safeIso(openTime[i])} is not on the ${formatInterval(intervalMs)} candle grid` +
					(opts.intervalMs === undefined ? ' (interval inferred from the file)' : '')
			);
		}
	}
	if (errorCount > 0) {
		throw new KlineImportError(
			source,
			`${errorCount} invalid row(s)${errorCount > errors.length ? ` (first ${errors.length} shown)` : ''}. Fix or remove them and import again; nothing was imported from this file.`,
			errors,
			errorCount
		);
	}

	// Warnings: odd close times (exchange halts) and gaps.
	let gaps: Gap[] = [];
	if (checkAlignment) {
		if (columns === 12) {
			const odd: number[] = [];
			for (let i = 0; i < rows; i++) if (ct[i] !== openTime[i] + intervalMs - 1) odd.push(i);
			if (odd.length > 0) {
				warnings.push(
					`${odd.length} candle(s) have a close time other than open time + interval - 1 (usually an exchange halt); kept: ` +
						odd
							.slice(0, 5)
							.map((i) => `line ${lineOf[i]} (${safeIso(openTime[i])})`)
							.join(', ') +
						(odd.length > 5 ? ', ...' : '')
				);
			}
		}
		gaps = findGaps(openTime, intervalMs);
		if (gaps.length > 0) warnings.push(`Missing candles: ${describeGaps(gaps)}.`);
	}
	return {
		ohlcv: {
			openTime: openTime.slice(),
			open: o.slice(0, rows),
			high: h.slice(0, rows),
			low: l.slice(0, rows),
			close: c.slice(0, rows),
			volume: v.slice(0, rows)
		},
		format,
		timeUnit: timeUnit ?? 'ms',
		intervalMs,
		gaps,
		warnings
	};
}

/** Options of {@link klinesToCsv}. */
export interface KlinesToCsvOptions {
	/** `12-column` (Binance archive layout, no header unless `header: true`) or `6-column-header`. */
	layout: '12-column' | '6-column-header';
	/** Candle interval in ms; required for `12-column` (close_time = open_time + intervalMs - 1). */
	intervalMs?: number;
	/** Write a header line in the 12-column layout (default false, like the official files). */
	header?: boolean;
}

const TWELVE_HEADER =
	'open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore';

/**
 * Write candles as a Binance-layout CSV that {@link parseKlineCsv} reads back to identical columns.
 *
 * @param ohlcv - candle columns (open time Unix ms UTC).
 * @param opts - layout, interval (ms, required for 12 columns), optional header for 12 columns.
 * @returns CSV text with `\n` line ends and a final newline. Times are written in milliseconds. Numbers are
 *   printed in their shortest exact decimal form without exponent (`42283.58`, `0.00000012`). In the
 *   12-column layout `close_time` = `open_time + intervalMs - 1`, and the fields this app does not keep
 *   (quote volume, trade count, taker-buy base and quote volume, ignore) are written as `0`.
 * @throws KlineImportError if `layout` is `12-column` and `intervalMs` is missing or not positive.
 */
export function klinesToCsv(ohlcv: OhlcvColumns, opts: KlinesToCsvOptions): string {
	const { openTime, open, high, low, close, volume } = ohlcv;
	const twelve = opts.layout === '12-column';
	const iv = opts.intervalMs ?? NaN;
	if (twelve && !(iv > 0)) {
		throw new KlineImportError('CSV export', 'the 12-column layout needs intervalMs (candle length in ms) to write close_time.');
	}
	const out: string[] = [];
	if (!twelve) out.push(SIX_NAMES.map((x, i) => (i === 0 ? 'open_time' : x)).join(','));
	else if (opts.header) out.push(TWELVE_HEADER);
	for (let i = 0; i < openTime.length; i++) {
		const base = `${openTime[i]},${plain(open[i])},${plain(high[i])},${plain(low[i])},${plain(close[i])},${plain(volume[i])}`;
		out.push(twelve ? `${base},${openTime[i] + iv - 1},0,0,0,0,0` : base);
	}
	return out.join('\n') + '\n';
}

/** Shortest round-trip decimal of `x` without exponent notation. */
function plain(x: number): string {
	const s = String(x);
	const e = s.indexOf('e');
	if (e < 0) return s;
	const exp = Number(s.slice(e + 1));
	let mant = s.slice(0, e);
	const neg = mant.startsWith('-');
	if (neg) mant = mant.slice(1);
	const dot = mant.indexOf('.');
	const digits = mant.replace('.', '');
	const pointAt = (dot < 0 ? mant.length : dot) + exp;
	let r: string;
	if (pointAt <= 0) r = '0.' + '0'.repeat(-pointAt) + digits;
	else if (pointAt >= digits.length) r = digits + '0'.repeat(pointAt - digits.length);
	else r = digits.slice(0, pointAt) + '.' + digits.slice(pointAt);
	return (neg ? '-' : '') + r;
}

const COLUMN_LABELS = ['open time', 'open', 'high', 'low', 'close', 'volume', 'close time'];

function isBlank(row: string[]): boolean {
	return row.length === 0 || (row.length === 1 && row[0].trim() === '');
}

function timestampUnit(t: number): 'ms' | 'us' | undefined {
	if (!Number.isInteger(t)) return undefined;
	if (t >= 1e11 && t < 1e14) return 'ms';
	if (t >= 1e14 && t < 1e17) return 'us';
	return undefined;
}

/**
 * What is wrong with one candle's prices and volume, in words; `''` when nothing is. The same rules apply to
 * imported files and to candles from Binance: prices positive, low <= open/close <= high, volume >= 0.
 */
export function ohlcProblem(o: number, h: number, l: number, c: number, v: number): string {
	if (o <= 0 || h <= 0 || l <= 0 || c <= 0) return `prices must be positive (open ${o}, high ${h}, low ${l}, close ${c})`;
	if (l > h) return `low ${l} is above high ${h}`;
	if (h < Math.max(o, c)) return `high ${h} is below ${h < o ? `open ${o}` : `close ${c}`}`;
	if (l > Math.min(o, c)) return `low ${l} is above ${l > o ? `open ${o}` : `close ${c}`}`;
	if (v < 0) return `volume ${v} is negative`;
	return '';
}

function formatInterval(ms: number): string {
	const units: [number, string][] = [
		[604_800_000, 'w'],
		[DAY_MS, 'd'],
		[3_600_000, 'h'],
		[60_000, 'm'],
		[1000, 's']
	];
	for (const [u, s] of units) if (ms % u === 0) return `${ms / u}${s}`;
	return `${ms} ms`;
}
