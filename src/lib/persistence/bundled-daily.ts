/**
 * The bundled daily candles (static/data/daily-1d-usdt.csv.gz, see static/data/README.md): the last ≤ 1,500 daily
 * candles of 47 Binance spot USDT markets, loaded into the candle store on the first visit of the Scanner screen so that a scan works
 * with no network. The files end on different dates (delisted markets, sources saved at different times): every
 * scan row says which date it is as of.
 */
import Papa from 'papaparse';
import { gunzipSync, strFromU8 } from 'fflate';
import { DataError } from '../core/errors';
import type { OhlcvColumns, UnixMs } from '../core/types';
import type { CandleStore } from './candle-store';
import { STORES } from './db';

/** Facts about the bundled daily dataset (checked on every load). */
export const BUNDLED_DAILY = Object.freeze({
	interval: '1d' as const,
	/** Number of markets in the file. */
	markets: 47,
	/** Rows (candles) in the file. */
	rows: 54_309,
	/** Path relative to the site root (prefix SvelteKit's `base`). */
	path: 'data/daily-1d-usdt.csv.gz',
	/** sha256 of the uncompressed CSV. */
	csvSha256: 'e786c66562249a003c9f3ff7f15fcbcd0177b96caf981f7caf48c5a856cec57c'
});

/** Settings key recording that the daily bundle was loaded once (a market the user deletes later stays deleted). */
export const BUNDLED_DAILY_SETTING_KEY = 'bundledLoaded:daily-1d-usdt';

const HEADER = 'symbol,open_time,open,high,low,close,volume';
const DAY = 86_400_000;

/**
 * Parse the bundled daily file (gzip or plain CSV) into one column set per market.
 * @param bytes - file content, header `symbol,open_time,open,high,low,close,volume`, rows grouped by market.
 * @returns candles by symbol, each contiguous daily, ascending.
 * @throws DataError when the content is not that CSV, a value is not a number, a market's rows are not contiguous
 *   days, or the counts differ from {@link BUNDLED_DAILY}.
 */
export function parseBundledDaily(bytes: Uint8Array): Map<string, OhlcvColumns> {
	const raw = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
	const rows = Papa.parse<string[]>(strFromU8(raw), { skipEmptyLines: true }).data;
	if (rows.length === 0 || rows[0].join(',') !== HEADER) {
		throw new DataError(`Bundled daily data is not the expected CSV (header "${rows[0]?.join(',') ?? ''}"): the app's files are damaged; reload the page.`);
	}
	const groups = new Map<string, number[]>();
	for (let i = 1; i < rows.length; i++) {
		const sym = rows[i][0];
		let g = groups.get(sym);
		if (!g) groups.set(sym, (g = []));
		g.push(i);
	}
	if (rows.length - 1 !== BUNDLED_DAILY.rows || groups.size !== BUNDLED_DAILY.markets) {
		throw new DataError(`Bundled daily data has ${rows.length - 1} rows of ${groups.size} markets, expected ${BUNDLED_DAILY.rows} of ${BUNDLED_DAILY.markets}: the app's files are damaged.`);
	}
	const out = new Map<string, OhlcvColumns>();
	for (const [sym, idx] of groups) {
		const n = idx.length;
		const cols = Array.from({ length: 6 }, () => new Float64Array(n));
		idx.forEach((r, k) => {
			for (let c = 0; c < 6; c++) {
				const cell = rows[r][c + 1];
				const v = Number(cell);
				if (cell === undefined || cell === '' || !Number.isFinite(v)) throw new DataError(`Bundled daily data line ${r + 1} (${sym}): "${cell}" is not a number; the app's files are damaged.`);
				cols[c][k] = v;
			}
			if (k > 0 && cols[0][k] - cols[0][k - 1] !== DAY) throw new DataError(`Bundled daily data line ${r + 1} (${sym}): candles are not consecutive days.`);
		});
		const [openTime, open, high, low, close, volume] = cols;
		out.set(sym, { openTime, open, high, low, close, volume });
	}
	return out;
}

/** Result of {@link loadBundledDaily}. */
export interface BundledDailyResult {
	loaded: boolean;
	/** Candles newly stored. */
	inserted: number;
	/** Open time of each market's last bundled candle (what a scan of it is "as of"), when loaded. */
	asOf: Record<string, UnixMs>;
}

/**
 * Load the bundled daily candles into the store once (first visit). Candles merge like any other source (source
 * `bundled`); a later sync only fetches what comes after each market's last candle.
 * @param fetchFn - `fetch` or a stand-in.
 * @param options - `url` (default {@link BUNDLED_DAILY}.path; pass `${base}/…` in the app), `force` (load again).
 * @throws DataError when the file cannot be fetched or is damaged; StorageFullError when storage is full (markets
 *   stored before stay stored, and the next visit tries again).
 */
export async function loadBundledDaily(
	store: CandleStore,
	fetchFn: (url: string) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>,
	options: { url?: string; force?: boolean } = {}
): Promise<BundledDailyResult> {
	if (!options.force && (await store.db.get(STORES.settings, BUNDLED_DAILY_SETTING_KEY)) !== undefined) return { loaded: false, inserted: 0, asOf: {} };
	const url = options.url ?? BUNDLED_DAILY.path;
	const response = await fetchFn(url);
	if (!response.ok) throw new DataError(`Could not load the bundled daily candles ${url} (HTTP ${response.status}); reload the page, or let the scanner sync from Binance.`);
	const markets = parseBundledDaily(new Uint8Array(await response.arrayBuffer()));
	let inserted = 0;
	const asOf: Record<string, UnixMs> = {};
	for (const [sym, ohlcv] of markets) {
		inserted += (await store.putCandles(sym, BUNDLED_DAILY.interval, ohlcv, 'bundled')).inserted;
		asOf[sym] = ohlcv.openTime[ohlcv.openTime.length - 1];
	}
	await store.db.put(STORES.settings, Date.now(), BUNDLED_DAILY_SETTING_KEY);
	return { loaded: true, inserted, asOf };
}
