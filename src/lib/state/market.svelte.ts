/**
 * State of the market selection: symbol list (exchangeInfo), symbol, interval, date range, the
 * candle sync with its progress, file imports, the data-quality report and the dataset the next
 * backtest runs on. Talks to Binance through the injected {@link BinanceClient} and to IndexedDB
 * through the {@link CandleStore}; when Binance cannot be reached, it says why and keeps working
 * with the candles already stored (bundled, synced or imported).
 */
import { AppError } from '../core/errors';
import { isoUtc, timeframeMs, TIMEFRAMES } from '../core/timeframe';
import type { OhlcvColumns, Timeframe, UnixMs } from '../core/types';
import { importKlineFiles, type FileImportResult, type ImportKlineFilesResult, type KlineFile } from '../data/archive-import';
import { BinanceClient, searchSymbols, type SymbolInfo } from '../data/binance-client';
import { BinanceRequestError } from '../data/errors';
import { countMissingBars, findGaps, type Gap } from '../data/gaps';
import { syncCandles, SyncError } from '../data/sync';
import type { CandleStore } from '../persistence/candle-store';
import type { SeriesRecord } from '../persistence/db';
import { DB_CLOSED_MESSAGE, explainDbError } from '../persistence/errors';
import type { KlineImporter } from '../workers/import-client';

/** Intervals offered in the picker (1m .. 1d). */
export const MARKET_INTERVALS: Timeframe[] = TIMEFRAMES.filter((t) => timeframeMs(t) <= 86_400_000);

/** Candles ready for a backtest, with the id the worker pool keys them by. */
export interface Dataset {
	/** `SYMBOL:interval:first:last:bars:hash` — changes whenever the candles differ. */
	id: string;
	symbol: string;
	interval: Timeframe;
	intervalMs: number;
	ohlcv: OhlcvColumns;
	gaps: Gap[];
	missingBars: number;
	/** Sources that wrote this series (`binance`, `import`, `bundled`). */
	sources: string[];
}

/** Outcome of the last file import, for the report under the drop zone. */
export interface ImportReport {
	symbol: string;
	interval: Timeframe;
	rows: number;
	inserted: number;
	files: FileImportResult[];
	gaps: Gap[];
}

/** `YYYY-MM-DDTHH:mm` in UTC (the value format of `<input type="datetime-local">`). */
export function toInputUtc(ms: UnixMs): string {
	return new Date(ms).toISOString().slice(0, 16);
}

/**
 * Parse a `datetime-local` value as UTC.
 * @returns Unix ms, or NaN when the text is not a date-time.
 */
export function fromInputUtc(text: string): UnixMs {
	if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text)) return NaN;
	return Date.parse(text + (text.length === 16 ? ':00Z' : 'Z'));
}

/**
 * Id of a dataset: symbol, interval, first/last open time, bar count and a 32-bit FNV-1a hash of
 * the OHLCV bytes (so re-synced or re-imported candles with other values get another id).
 */
export function datasetId(symbol: string, interval: string, ohlcv: OhlcvColumns): string {
	const n = ohlcv.openTime.length;
	let h = 0x811c9dc5;
	for (const col of [ohlcv.openTime, ohlcv.open, ohlcv.high, ohlcv.low, ohlcv.close, ohlcv.volume]) {
		const words = new Uint32Array(col.buffer, col.byteOffset, col.length * 2);
		for (let i = 0; i < words.length; i++) {
			h ^= words[i];
			h = Math.imul(h, 0x01000193) >>> 0;
		}
	}
	return `${symbol}:${interval}:${n ? ohlcv.openTime[0] : 0}:${n ? ohlcv.openTime[n - 1] : 0}:${n}:${h.toString(16)}`;
}

/** A person-readable message for an error from Binance, sync, import or storage. */
export function describeError(e: unknown): string {
	e = explainDbError(e);
	if (e instanceof SyncError && e.cause instanceof BinanceRequestError) return e.message;
	if (e instanceof SyncError && (e.cause as { name?: string })?.name === 'InvalidStateError') return DB_CLOSED_MESSAGE;
	if (e instanceof AppError || e instanceof Error) return e.message;
	return String(e);
}

/** Dependencies of {@link MarketState}, created in the browser. */
export interface MarketDeps {
	store: CandleStore;
	client: BinanceClient;
	/** Where imports are parsed (a Web Worker in the browser, see workerImporter); default: this thread. */
	importer?: KlineImporter;
}

/** In-thread importer (tests, and browsers without module workers). */
const inThreadImporter: KlineImporter = async (files, opts) => {
	opts.signal?.throwIfAborted();
	return importKlineFiles(files, opts);
};

/**
 * A question the import must have answered before it writes anything:
 * - `market`: the file names do not name a market (Binance names them `SYMBOL-INTERVAL-YYYY-MM.csv`), so the candles
 *   are not imported into the selected symbol without the user saying so;
 * - `conflict`: some candles differ from candles already stored for that market at the same open time (another
 *   market's prices, or a corrected file); they are not replaced without the user saying so.
 */
export interface ImportQuestion {
	kind: 'market' | 'conflict';
	/** What the user is asked, in words. */
	message: string;
	/** The market the candles would go to. */
	symbol: string;
	interval: Timeframe;
	/** For `conflict`: stored candles in the file's range, how many differ, and the first difference. */
	conflict?: { overlap: number; differ: number; first: { openTime: UnixMs; stored: number; file: number } };
}

/** Rune-backed market state; see the module comment. */
export class MarketState {
	symbols = $state<SymbolInfo[]>([]);
	symbol = $state('BTCUSDT');
	interval = $state<Timeframe>('1h');
	/** Range inputs (`YYYY-MM-DDTHH:mm`, UTC), open times inclusive. */
	from = $state('');
	to = $state('');
	/** Stored series (coverage) for the picker and the quality report. */
	series = $state<SeriesRecord[]>([]);
	/** Why Binance could not be reached (null while it answers or before the first request). */
	offlineReason = $state<string | null>(null);
	binanceOk = $state<boolean | null>(null);
	syncing = $state(false);
	progress = $state<{ fetched: number; expected: number } | null>(null);
	syncMessage = $state<string | null>(null);
	syncError = $state<string | null>(null);
	importing = $state(false);
	importReport = $state<ImportReport | null>(null);
	importError = $state<string | null>(null);
	loadingDataset = $state(false);
	dataset = $state.raw<Dataset | null>(null);
	datasetError = $state<string | null>(null);
	#deps: MarketDeps | null = null;
	#abort: AbortController | null = null;

	/** Range problems (null when the range is usable). */
	get rangeError(): string | null {
		const a = fromInputUtc(this.from);
		const b = fromInputUtc(this.to);
		if (!Number.isFinite(a)) return 'Start is not a valid date and time (UTC)';
		if (!Number.isFinite(b)) return 'End is not a valid date and time (UTC)';
		if (b < a) return 'End must not be before start';
		return null;
	}

	/** Start and end open times of the range (ms UTC, inclusive). */
	get range(): { startTime: UnixMs; endTime: UnixMs } {
		return { startTime: fromInputUtc(this.from), endTime: fromInputUtc(this.to) };
	}

	/** Candles the range can hold (for the progress bar). */
	get expectedBars(): number {
		const { startTime, endTime } = this.range;
		if (!(endTime >= startTime)) return 0;
		return Math.floor((endTime - startTime) / timeframeMs(this.interval)) + 1;
	}

	/** Coverage record of the selected series, if stored. */
	get selectedSeries(): SeriesRecord | undefined {
		return this.series.find((s) => s.symbol === this.symbol && s.interval === this.interval);
	}

	/** Symbols matching a search text (exchange symbols, or stored series when offline). */
	search(query: string, limit = 30): string[] {
		if (this.symbols.length) return searchSymbols(this.symbols, query, limit).map((s) => s.symbol);
		const q = query.toUpperCase().replace(/[^A-Z0-9]/g, '');
		const known = [...new Set(['BTCUSDT', ...this.series.map((s) => s.symbol)])];
		return known.filter((s) => s.includes(q)).slice(0, limit);
	}

	/**
	 * Connect to storage and Binance (browser only), load the stored series and the symbol list,
	 * and load the dataset of the default selection.
	 */
	async init(deps: MarketDeps): Promise<void> {
		this.#deps = deps;
		await this.refreshSeries();
		this.#defaultRange();
		await this.loadDataset();
		void this.loadSymbols();
	}

	/** Reload the stored series list. */
	async refreshSeries(): Promise<void> {
		if (!this.#deps) return;
		this.series = await this.#deps.store.listSeries();
	}

	/** Fetch the exchange's symbol list; on failure record why Binance is unreachable. */
	async loadSymbols(): Promise<void> {
		if (!this.#deps) return;
		try {
			const info = await this.#deps.client.exchangeInfo();
			this.symbols = info.symbols.filter((s) => s.status === 'TRADING');
			this.binanceOk = true;
			this.offlineReason = null;
		} catch (e) {
			this.binanceOk = false;
			this.offlineReason = describeError(e);
		}
	}

	/** Set the range to the stored candles of the selection, else the last 365 days. */
	#defaultRange(): void {
		const s = this.selectedSeries;
		if (s && s.firstOpenTime !== null && s.lastOpenTime !== null) {
			this.from = toInputUtc(s.firstOpenTime);
			this.to = toInputUtc(s.lastOpenTime);
		} else {
			const step = timeframeMs(this.interval);
			const last = Math.floor(Date.now() / step) * step - step;
			this.from = toInputUtc(last - 365 * 86_400_000);
			this.to = toInputUtc(last);
		}
	}

	/** Change symbol/interval; the range follows the stored candles of the new selection. */
	async select(symbol: string, interval: Timeframe = this.interval, keepRange = false): Promise<void> {
		this.symbol = symbol.toUpperCase();
		this.interval = interval;
		if (!keepRange) this.#defaultRange();
		await this.loadDataset();
	}

	/** Use the whole stored range of the selected series. */
	async useStoredRange(): Promise<void> {
		this.#defaultRange();
		await this.loadDataset();
	}

	/** Read the selected range's candles from storage into {@link dataset}. */
	async loadDataset(): Promise<void> {
		if (!this.#deps) return;
		this.datasetError = null;
		if (this.rangeError) {
			this.dataset = null;
			this.datasetError = this.rangeError;
			return;
		}
		this.loadingDataset = true;
		try {
			const { startTime, endTime } = this.range;
			const ohlcv = await this.#deps.store.getCandles(this.symbol, this.interval, { from: startTime, to: endTime });
			const n = ohlcv.openTime.length;
			if (n === 0) {
				this.dataset = null;
				this.datasetError = `No ${this.symbol} ${this.interval} candles are stored between ${isoUtc(startTime)} and ${isoUtc(endTime)}. Sync them from Binance or import kline files.`;
				return;
			}
			const intervalMs = timeframeMs(this.interval);
			const gaps = findGaps(ohlcv.openTime, intervalMs);
			this.dataset = {
				id: datasetId(this.symbol, this.interval, ohlcv),
				symbol: this.symbol,
				interval: this.interval,
				intervalMs,
				ohlcv,
				gaps,
				missingBars: countMissingBars(gaps),
				sources: this.selectedSeries?.sources ?? []
			};
		} catch (e) {
			this.dataset = null;
			this.datasetError = describeError(e);
		} finally {
			this.loadingDataset = false;
		}
	}

	/** Fetch what the store lacks in the selected range from Binance, with progress, then reload the dataset. */
	async sync(): Promise<void> {
		if (!this.#deps || this.syncing) return;
		if (this.rangeError) {
			this.syncError = this.rangeError;
			return;
		}
		const { startTime, endTime } = this.range;
		this.syncing = true;
		this.syncError = null;
		this.syncMessage = null;
		this.progress = { fetched: 0, expected: this.expectedBars };
		this.#abort = new AbortController();
		try {
			const result = await syncCandles({
				store: this.#deps.store,
				source: this.#deps.client,
				symbol: this.symbol,
				interval: this.interval,
				startTime,
				endTime,
				signal: this.#abort.signal,
				onProgress: (p) => (this.progress = { fetched: p.fetched, expected: Math.max(p.expected, p.fetched) })
			});
			this.binanceOk = result.requested.length ? true : this.binanceOk;
			if (result.requested.length) this.offlineReason = null;
			this.progress = { fetched: result.fetched, expected: Math.max(result.fetched, this.progress?.expected ?? 0) };
			this.syncMessage = result.requested.length
				? `Fetched ${result.fetched.toLocaleString('en-US')} candles (${result.stored.toLocaleString('en-US')} new); ${result.count.toLocaleString('en-US')} stored in the range.`
				: `Already up to date: ${result.count.toLocaleString('en-US')} candles stored in the range.`;
			if (result.missing.length > 0) {
				this.syncMessage +=
					` Binance returned nothing for ${result.missing.map((r) => `${isoUtc(r.from)} .. ${isoUtc(r.to - 1)}`).join(', ')}` +
					` (up to ${result.missingBars.toLocaleString('en-US')} candles) and did not confirm that they do not exist:` +
					' they are not marked as stored, and the next sync asks for them again.';
			}
		} catch (e) {
			this.syncError = describeError(e);
			const cause = e instanceof SyncError ? e.cause : e;
			if (cause instanceof BinanceRequestError) {
				this.binanceOk = false;
				this.offlineReason = cause.message;
			}
		} finally {
			this.syncing = false;
			this.#abort = null;
			await this.refreshSeries();
			await this.loadDataset();
		}
	}

	/**
	 * Select an exact market and range (a share link's) and make its candles available: read them
	 * from storage, and fetch from Binance only when the stored candles differ in count or ends.
	 * @param m - symbol, interval, first and last open time (ms UTC, inclusive) and the expected bar count.
	 * @returns the loaded dataset, or null with {@link datasetError} / {@link syncError} saying why.
	 */
	async openRange(m: { symbol: string; interval: Timeframe; firstOpenTime: UnixMs; lastOpenTime: UnixMs; bars: number }): Promise<Dataset | null> {
		this.symbol = m.symbol;
		this.interval = m.interval;
		this.from = toInputUtc(m.firstOpenTime);
		this.to = toInputUtc(m.lastOpenTime);
		const complete = () => {
			const o = this.dataset?.ohlcv.openTime;
			return !!o && o.length === m.bars && o[0] === m.firstOpenTime && o[o.length - 1] === m.lastOpenTime;
		};
		await this.refreshSeries();
		await this.loadDataset();
		if (!complete()) await this.sync();
		return this.dataset;
	}

	/** Stop a running sync (candles stored so far are kept). */
	cancelSync(): void {
		this.#abort?.abort();
	}

	/** Files being imported: done / total, and the current file's name (null when no import runs). */
	importProgress = $state<{ done: number; total: number; name: string } | null>(null);
	/** What the running import needs the user to decide (see {@link ImportQuestion}); nothing is written until then. */
	importQuestion = $state.raw<ImportQuestion | null>(null);
	#importAbort: AbortController | null = null;
	#pendingImport: { files: KlineFile[]; result: ImportKlineFilesResult } | null = null;

	/**
	 * Import Binance kline CSV/ZIP files into storage, select their series and range. Files are parsed off the page's
	 * thread (the injected importer), with progress ({@link importProgress}) and {@link cancelImport}. Nothing is
	 * written while an {@link importQuestion} is open: files whose names do not name a market, and candles that would
	 * replace different stored candles, wait for {@link answerImport}.
	 * @param files - name and bytes of each file.
	 */
	async importFiles(files: KlineFile[]): Promise<void> {
		if (!this.#deps || files.length === 0) return;
		this.#importAbort?.abort();
		const abort = (this.#importAbort = new AbortController());
		this.importing = true;
		this.importError = null;
		this.importReport = null;
		this.importQuestion = null;
		this.#pendingImport = null;
		this.importProgress = { done: 0, total: files.length, name: files[0].name };
		try {
			const importer = this.#deps.importer ?? inThreadImporter;
			const result = await importer(files, { signal: abort.signal, onProgress: (p) => (this.importProgress = p) });
			if (abort.signal.aborted) return;
			this.#pendingImport = { files, result };
			await this.#write({});
		} catch (e) {
			if (!abort.signal.aborted) this.importError = describeError(e);
		} finally {
			if (this.#importAbort === abort) {
				this.importing = this.importQuestion !== null;
				this.importProgress = null;
			}
		}
	}

	/**
	 * Answer the open {@link importQuestion}.
	 * @param answer - `market`: import as this symbol (and interval); `replace`: replace differing stored candles;
	 *   `new-only`: add only candles not stored yet; `cancel`: write nothing.
	 */
	async answerImport(answer: { market: { symbol: string; interval: Timeframe } } | 'replace' | 'new-only' | 'cancel'): Promise<void> {
		const q = this.importQuestion;
		if (!q || !this.#pendingImport) return;
		this.importQuestion = null;
		if (answer === 'cancel') {
			this.cancelImport();
			return;
		}
		try {
			await this.#write(typeof answer === 'object' ? { market: answer.market } : { market: { symbol: q.symbol, interval: q.interval }, conflict: answer });
		} catch (e) {
			this.importError = describeError(e);
		} finally {
			if (!this.importQuestion) this.importing = false;
		}
	}

	/** Stop the running import (the worker is terminated) or decline its question; nothing is written. */
	cancelImport(): void {
		this.#importAbort?.abort();
		this.#importAbort = null;
		this.#pendingImport = null;
		this.importQuestion = null;
		this.importing = false;
		this.importProgress = null;
	}

	async #write(choice: { market?: { symbol: string; interval: Timeframe }; conflict?: 'replace' | 'new-only' }): Promise<void> {
		const pending = this.#pendingImport;
		if (!this.#deps || !pending) return;
		const { result, files } = pending;
		const interval =
			choice.market?.interval ?? result.interval ?? MARKET_INTERVALS.find((t) => timeframeMs(t) === result.intervalMs) ?? null;
		if (!interval) {
			throw new Error(
				`The files hold ${result.intervalMs / 60_000}-minute candles, which is not a supported interval (${MARKET_INTERVALS.join(', ')}).`
			);
		}
		if (choice.market && timeframeMs(choice.market.interval) !== result.intervalMs && Number.isFinite(result.intervalMs)) {
			throw new Error(`The files hold ${result.intervalMs / 60_000}-minute candles, not ${choice.market.interval} candles.`);
		}
		const symbol = result.symbol ?? choice.market?.symbol;
		const n = result.ohlcv.openTime.length;
		if (!symbol) {
			const names = files.map((f) => f.name).slice(0, 3).join(', ') + (files.length > 3 ? ', …' : '');
			this.importQuestion = {
				kind: 'market',
				symbol: this.symbol,
				interval,
				message:
					`The name of ${names} does not say which market these ${n.toLocaleString('en-US')} candles belong to ` +
					'(Binance names its files SYMBOL-INTERVAL-YYYY-MM.csv, e.g. BTCUSDT-1h-2023-03.csv). Nothing was imported: ' +
					`choose the market they belong to, or rename the files.`
			};
			return;
		}
		let ohlcv = result.ohlcv;
		const stored = await this.#deps.store.getCandles(symbol, interval, { from: ohlcv.openTime[0], to: ohlcv.openTime[n - 1] });
		const diff = compareWithStored(stored, ohlcv);
		if (diff.differ > 0 && !choice.conflict) {
			const f = diff.first!;
			this.importQuestion = {
				kind: 'conflict',
				symbol,
				interval,
				conflict: diff as ImportQuestion['conflict'],
				message:
					`${diff.differ.toLocaleString('en-US')} of the ${diff.overlap.toLocaleString('en-US')} ${symbol} ${interval} candles already stored in this range ` +
					`differ from the file's (first at ${isoUtc(f.openTime)}: stored close ${f.stored}, file close ${f.file})` +
					(Math.abs(f.file / f.stored - 1) > 0.2 ? ': these may be another market\'s prices' : '') +
					'. Nothing was written yet: replace the stored candles, add only the new ones, or cancel.'
			};
			return;
		}
		if (choice.conflict === 'new-only' && diff.overlap > 0) ohlcv = onlyNew(stored, ohlcv);
		const put =
			ohlcv.openTime.length > 0
				? await this.#deps.store.putCandles(symbol, interval, ohlcv, 'import')
				: { inserted: 0, updated: 0, unchanged: 0 };
		this.importReport = { symbol, interval, rows: n, inserted: put.inserted, files: result.files, gaps: result.gaps };
		this.#pendingImport = null;
		await this.refreshSeries();
		this.symbol = symbol;
		this.interval = interval;
		this.from = toInputUtc(result.ohlcv.openTime[0]);
		this.to = toInputUtc(result.ohlcv.openTime[n - 1]);
		await this.loadDataset();
	}
}

/** Stored candles of the file's range compared with the file's: overlapping open times, how many differ, the first. */
function compareWithStored(
	stored: OhlcvColumns,
	file: OhlcvColumns
): { overlap: number; differ: number; first?: { openTime: UnixMs; stored: number; file: number } } {
	let i = 0;
	let j = 0;
	let overlap = 0;
	let differ = 0;
	let first: { openTime: UnixMs; stored: number; file: number } | undefined;
	const cols = ['open', 'high', 'low', 'close', 'volume'] as const;
	while (i < stored.openTime.length && j < file.openTime.length) {
		const a = stored.openTime[i];
		const b = file.openTime[j];
		if (a < b) i++;
		else if (b < a) j++;
		else {
			overlap++;
			if (cols.some((c) => !Object.is(stored[c][i], file[c][j]))) {
				differ++;
				first ??= { openTime: a, stored: stored.close[i], file: file.close[j] };
			}
			i++;
			j++;
		}
	}
	return { overlap, differ, first };
}

/** The candles of `file` whose open time is not in `stored`. */
function onlyNew(stored: OhlcvColumns, file: OhlcvColumns): OhlcvColumns {
	const have = new Set(stored.openTime);
	const keep: number[] = [];
	for (let j = 0; j < file.openTime.length; j++) if (!have.has(file.openTime[j])) keep.push(j);
	const pick = (c: Float64Array) => Float64Array.from(keep, (j) => c[j]);
	return { openTime: pick(file.openTime), open: pick(file.open), high: pick(file.high), low: pick(file.low), close: pick(file.close), volume: pick(file.volume) };
}
