/**
 * Scan exports shared by the app and the `scan` CLI: JSON (`rows[{symbol, signal, close, fit, sigma, upper, lower,
 * potentialReturnRatio, targetReturnRatio, candles, asOf, error}]`, optionally with the band arrays) and CSV (one
 * line per market). Ratios are fractions; numbers that do not exist (a failed market) are `null` in JSON and empty
 * in CSV; times are ISO-8601 UTC.
 */
import Papa from 'papaparse';
import { isoUtc } from '../core/timeframe';
import type { BandRow } from './bands';

/** Fitted arrays of one market for `--bands` / "JSON with bands" (length = candles). */
export interface RowBands {
	openTime: ArrayLike<number>;
	close: ArrayLike<number>;
	fit: ArrayLike<number>;
	/** Band half-width `kstd·σ` (upper = fit + w, lower = fit − w). */
	halfWidth: number;
}

/** A row as exported (extra fields such as quoteVolume and note are kept when present). */
export type ExportRow = BandRow & { quoteVolume?: number | null; note?: string | null };

const num = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The JSON shape of one row. */
export function rowToJson(row: ExportRow, bands?: RowBands): Record<string, unknown> {
	const out: Record<string, unknown> = {
		symbol: row.symbol,
		signal: row.signal,
		close: num(row.close),
		fit: num(row.fit),
		sigma: num(row.sigma),
		upper: num(row.upper),
		lower: num(row.lower),
		potentialReturnRatio: num(row.potentialReturnRatio),
		targetReturnRatio: num(row.targetReturnRatio),
		candles: row.candles,
		asOf: row.asOf === null ? null : isoUtc(row.asOf),
		asOfMs: row.asOf,
		error: row.error
	};
	if (row.quoteVolume !== undefined) out.quoteVolume = num(row.quoteVolume);
	if (row.note !== undefined) out.note = row.note;
	if (bands) {
		const fit = Array.from(bands.fit);
		out.bands = {
			openTime: Array.from(bands.openTime),
			close: Array.from(bands.close),
			fit,
			upper: fit.map((f) => f + bands.halfWidth),
			lower: fit.map((f) => f - bands.halfWidth)
		};
	}
	return out;
}

/**
 * A whole scan as JSON text.
 * @param meta - inputs and anything else to record at the top level (e.g. `{ inputs, createdAt }`).
 * @param rows - rows in display order.
 * @param bandsOf - returns a row's arrays when they should be included (omit for rows only).
 */
export function scanToJson(meta: Record<string, unknown>, rows: readonly ExportRow[], bandsOf?: (row: ExportRow) => RowBands | undefined): string {
	// Band arrays make one number per line unreadable: indent only the rows-only document.
	return JSON.stringify({ ...meta, rows: rows.map((r) => rowToJson(r, bandsOf?.(r))) }, null, bandsOf ? undefined : 1) + '\n';
}

/** CSV columns, in order. */
export const SCAN_CSV_COLUMNS = [
	'symbol', 'signal', 'close', 'fit', 'sigma', 'upper', 'lower', 'potentialReturnRatio', 'targetReturnRatio', 'candles', 'asOf', 'quoteVolume', 'error', 'note'
] as const;

/** A scan as CSV text (header line, one line per market, RFC 4180 quoting by papaparse). */
export function scanToCsv(rows: readonly ExportRow[]): string {
	const data = rows.map((r) => {
		const j = rowToJson(r);
		return SCAN_CSV_COLUMNS.map((c) => {
			const v = j[c];
			return v === null || v === undefined ? '' : typeof v === 'number' ? String(v) : String(v);
		});
	});
	return Papa.unparse({ fields: [...SCAN_CSV_COLUMNS], data }, { newline: '\n' }) + '\n';
}
