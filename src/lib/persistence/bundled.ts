/**
 * The dataset shipped with the app (static/data/BTCUSDT-1h-2y.csv.gz, see static/data/README.md):
 * two years of Binance spot BTCUSDT 1h candles, loaded into the candle store on first run so the app
 * works offline and before any sync.
 */
import Papa from 'papaparse';
import { gunzipSync, strFromU8 } from 'fflate';
import { DataError } from '../core/errors';
import { isoUtc } from '../core/timeframe';
import type { OhlcvColumns, Timeframe, UnixMs } from '../core/types';
import type { CandleStore } from './candle-store';
import { STORES } from './db';

/** Facts about the bundled dataset (checked on every load). */
export const BUNDLED_DATASET = Object.freeze({
	symbol: 'BTCUSDT',
	interval: '1h' as Timeframe,
	/** Open time of the first candle: 2024-07-25T17:00:00Z. */
	firstOpenTime: 1_721_926_800_000 as UnixMs,
	/** Open time of the last candle: 2026-07-25T16:00:00Z. */
	lastOpenTime: 1_784_995_200_000 as UnixMs,
	/** Number of candles (contiguous, no exchange gap in this period). */
	count: 17_520,
	/** Path of the file relative to the site root (prefix SvelteKit's `base` when fetching). */
	path: 'data/BTCUSDT-1h-2y.csv.gz',
	/** sha256 of the uncompressed CSV (see static/data/README.md). */
	csvSha256: '30d5ad75a5d877c21829735977199018ebaacb413d62dc00bff4f872914294e6'
});

/** Settings key recording that the bundled dataset was loaded once (so deleting the series later is respected). */
export const BUNDLED_SETTING_KEY = `bundledLoaded:${BUNDLED_DATASET.symbol}-${BUNDLED_DATASET.interval}`;

const HEADER = ['open_time', 'open', 'high', 'low', 'close', 'volume'];

/**
 * Parse the bundled file's bytes (gzip or, if a host already decompressed it, plain CSV) into columns.
 *
 * @param bytes - file content: gzip (magic `1f 8b`) of, or plain, CSV with header `open_time,open,high,low,close,volume`.
 * @returns candle columns (length = rows).
 * @throws DataError if the content is not that CSV, a value is not a finite number, or the rows do not
 *   match {@link BUNDLED_DATASET} (count, first/last open time, contiguity).
 */
export function parseBundledDataset(bytes: Uint8Array): OhlcvColumns {
	const raw = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
	const parsed = Papa.parse<string[]>(strFromU8(raw), { skipEmptyLines: true });
	const rows = parsed.data;
	if (rows.length === 0 || rows[0].join(',') !== HEADER.join(',')) {
		throw new DataError(
			`Bundled dataset is not the expected kline CSV (header "${rows[0]?.join(',') ?? ''}"): the app's files are damaged; reload the page or reinstall the app.`
		);
	}
	const n = rows.length - 1;
	const cols = HEADER.map(() => new Float64Array(n));
	for (let i = 0; i < n; i++) {
		const row = rows[i + 1];
		for (let c = 0; c < 6; c++) {
			const v = Number(row[c]);
			if (row[c] === '' || !Number.isFinite(v)) {
				throw new DataError(`Bundled dataset line ${i + 2}: column ${HEADER[c]} is "${row[c]}", not a number; the app's files are damaged.`);
			}
			cols[c][i] = v;
		}
	}
	const [openTime, open, high, low, close, volume] = cols;
	const d = BUNDLED_DATASET;
	if (n !== d.count || openTime[0] !== d.firstOpenTime || openTime[n - 1] !== d.lastOpenTime) {
		throw new DataError(
			`Bundled dataset has ${n} candles ${n > 0 ? `${isoUtc(openTime[0])} .. ${isoUtc(openTime[n - 1])}` : ''}, expected ${d.count} from ${isoUtc(d.firstOpenTime)} to ${isoUtc(d.lastOpenTime)}; the app's files are damaged.`
		);
	}
	for (let i = 1; i < n; i++) {
		if (openTime[i] - openTime[i - 1] !== 3_600_000) {
			throw new DataError(`Bundled dataset line ${i + 2}: open time ${isoUtc(openTime[i])} does not follow the previous candle by 1h.`);
		}
	}
	return { openTime, open, high, low, close, volume };
}

/** Result of {@link loadBundledDataset}. */
export interface BundledLoadResult {
	/** True if the candles were written by this call. */
	loaded: boolean;
	/** Why nothing was loaded: `'already-loaded'` (done on an earlier run) or `'series-exists'` (the series was already stored). */
	skipped?: 'already-loaded' | 'series-exists';
	/** Candles newly stored by this call. */
	inserted: number;
}

/**
 * Load the bundled BTCUSDT 1h dataset into the store on first run.
 *
 * Idempotent: runs only when the series is absent and the dataset was never loaded before (a settings
 * flag, so a series the user deleted is not brought back). Candles are merged like any other source
 * (source `'bundled'`), so a later Binance sync only fetches what is after or before it.
 *
 * @param store - the candle store (its database's `settings` store holds the flag).
 * @param fetchFn - `fetch` (or a stand-in returning a Response-like object with `ok`, `status`, `arrayBuffer()`).
 * @param options - `url`: where to fetch the file (default {@link BUNDLED_DATASET}.path; in the app pass
 *   `${base}/${BUNDLED_DATASET.path}`); `force`: load even if already loaded (still merges without duplicates).
 * @returns whether it loaded and how many candles were inserted.
 * @throws DataError if the file cannot be fetched (HTTP status) or is damaged (see {@link parseBundledDataset}).
 * @throws StorageFullError if the browser's storage is full (nothing of the dataset is stored then).
 */
export async function loadBundledDataset(
	store: CandleStore,
	fetchFn: (url: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>,
	options: { url?: string; force?: boolean } = {}
): Promise<BundledLoadResult> {
	const { symbol, interval } = BUNDLED_DATASET;
	if (!options.force) {
		if ((await store.db.get(STORES.settings, BUNDLED_SETTING_KEY)) !== undefined) {
			return { loaded: false, skipped: 'already-loaded', inserted: 0 };
		}
		if ((await store.getCoverage(symbol, interval)) !== undefined) {
			await store.db.put(STORES.settings, Date.now(), BUNDLED_SETTING_KEY);
			return { loaded: false, skipped: 'series-exists', inserted: 0 };
		}
	}
	const url = options.url ?? BUNDLED_DATASET.path;
	const response = await fetchFn(url);
	if (!response.ok) {
		throw new DataError(`Could not load the bundled dataset ${url} (HTTP ${response.status}); reload the page, or sync or import candles instead.`);
	}
	const ohlcv = parseBundledDataset(new Uint8Array(await response.arrayBuffer()));
	const result = await store.putCandles(symbol, interval, ohlcv, 'bundled');
	await store.db.put(STORES.settings, Date.now(), BUNDLED_SETTING_KEY);
	return { loaded: true, inserted: result.inserted };
}
