/**
 * Incremental candle sync: fetch only the open-time ranges a store does not cover yet, store each
 * page as it arrives, and report exchange gaps.
 *
 * Coverage model: a series' `covered` ranges only ever describe candles actually received, or exchange
 * gaps the server proved (a page that continues after a hole: the request started at `s` and the first
 * candle returned opens at `t > s`, so nothing exists in `[s, t)`). Every page is stored together with
 * the range it proves, in one transaction, before the next one is requested. What the source did not
 * prove (an empty page with nothing after it, the rest of a range after the source stopped early, a
 * failure) stays uncovered: the result lists it as `missing`, and the next sync requests it again.
 * So after an interruption (closed tab, network error, abort, a faulty server) the next sync plans
 * only what is still missing, and never skips candles that were not received.
 *
 * This module depends on two small interfaces ({@link KlineSource}, {@link SyncStore}) rather than on
 * the Binance client and the IndexedDB store, which satisfy them.
 */
import { AppError, ValidationError } from '../core/errors';
import { isoUtc, timeframeMs } from '../core/timeframe';
import type { OhlcvColumns, Timeframe, UnixMs } from '../core/types';
import { findGaps, type Gap } from './gaps';
import { normalizeRanges, subtractRanges, type TimeRange } from './sync-ranges';

/** Arguments of {@link KlineSource.fetchKlines} (the shape of `BinanceClient.fetchKlines`' request). */
export interface KlineFetchArgs {
	symbol: string;
	interval: Timeframe;
	/** Earliest open time, Unix ms UTC (inclusive). */
	startTime: UnixMs;
	/** End of the range, Unix ms UTC (exclusive: candles with `openTime < endTime`). */
	endTime: UnixMs;
	signal?: AbortSignal;
	/**
	 * Called (and awaited) with each page of closed candles, oldest first, before the next page is requested.
	 * `covered`, when the source gives it, is the half-open open-time range the page proves complete (see
	 * `KlineProgress.covered` of the Binance client); it may come with an empty page (a proven hole). Without it,
	 * the page is taken to prove `[end of the previous page, last candle + interval)`.
	 */
	onPage?: (
		page: OhlcvColumns,
		progress: { fetched: number; expected: number; covered?: TimeRange }
	) => void | Promise<void>;
}

/** Anything that returns closed candles of a range, paged forward (the Binance REST client satisfies it). */
export interface KlineSource {
	fetchKlines(args: KlineFetchArgs): Promise<OhlcvColumns>;
}

/** The store operations sync needs (the IndexedDB `CandleStore` satisfies it). */
export interface SyncStore {
	getCoverage(symbol: string, interval: Timeframe): Promise<{ covered: readonly TimeRange[] } | undefined>;
	putCandles(
		symbol: string,
		interval: Timeframe,
		ohlcv: OhlcvColumns,
		source: 'binance',
		options?: { covered?: TimeRange; now?: UnixMs; startedAt?: UnixMs }
	): Promise<{ inserted: number }>;
	getCandles(symbol: string, interval: Timeframe, range?: { from?: UnixMs; to?: UnixMs }): Promise<OhlcvColumns>;
}

/** Options of {@link planSync}. */
export interface PlanSyncOptions {
	/** First wanted open time, Unix ms UTC (inclusive). */
	startTime: UnixMs;
	/** Last wanted open time, Unix ms UTC (inclusive). */
	endTime: UnixMs;
	/** Candle length in ms. */
	intervalMs: number;
	/** Current time (Unix ms); when given, open times of candles not closed yet (`openTime + intervalMs > now`) are left out. */
	now?: UnixMs;
}

/**
 * The ranges of `[startTime, endTime]` that a store has not covered yet.
 *
 * @param coverage - the series' covered open-time ranges (half-open, ms), as a list or `{covered}`
 *   (a `SeriesRecord`); `undefined` when nothing is stored.
 * @param options - wanted range, interval and optional clock, see {@link PlanSyncOptions}.
 * @returns sorted, disjoint half-open ranges `[from, to)` of open times to fetch; empty when all is covered.
 * @throws ValidationError if the times are not finite, `endTime < startTime`, or `intervalMs <= 0`.
 */
export function planSync(
	coverage: readonly TimeRange[] | { covered: readonly TimeRange[] } | undefined,
	options: PlanSyncOptions
): TimeRange[] {
	const { startTime, endTime, intervalMs, now } = options;
	if (!Number.isFinite(startTime) || !Number.isFinite(endTime) || endTime < startTime) {
		throw new ValidationError(
			`Sync range must have finite startTime <= endTime (Unix ms), got ${startTime} .. ${endTime}.`
		);
	}
	if (!(intervalMs > 0) || !Number.isFinite(intervalMs)) {
		throw new ValidationError(`Candle interval must be a positive number of ms, got ${intervalMs}.`);
	}
	let to = endTime + 1;
	if (now !== undefined) to = Math.min(to, closedLimit(now, intervalMs));
	if (to <= startTime) return [];
	const covered = coverage === undefined ? [] : Array.isArray(coverage) ? coverage : (coverage as { covered: readonly TimeRange[] }).covered;
	return subtractRanges({ from: startTime, to }, normalizeRanges(covered));
}

/** Exclusive open-time bound of closed candles at `now`: a candle opening at t is closed when `t + intervalMs <= now`. */
function closedLimit(now: UnixMs, intervalMs: number): UnixMs {
	return now - intervalMs + 1;
}

/** Progress of a sync, reported after each stored page. */
export interface SyncProgress {
	/** Candles received from the source so far. */
	fetched: number;
	/** Upper bound of candles to fetch (grid points in the missing ranges; exchange gaps make the final count lower). */
	expected: number;
	/** Candles newly stored so far (not previously in the store). */
	stored: number;
}

/** Arguments of {@link syncCandles}. */
export interface SyncArgs {
	store: SyncStore;
	source: KlineSource;
	symbol: string;
	interval: Timeframe;
	/** First wanted open time, Unix ms UTC (inclusive). */
	startTime: UnixMs;
	/** Last wanted open time, Unix ms UTC (inclusive); open times of candles still open at `now` are skipped. */
	endTime: UnixMs;
	signal?: AbortSignal;
	onProgress?: (progress: SyncProgress) => void;
	/** Clock (Unix ms), default `Date.now()`. */
	now?: UnixMs;
}

/** Result of {@link syncCandles}. */
export interface SyncResult {
	/** Candles received from the source. */
	fetched: number;
	/** Candles newly stored (duplicates of stored candles are not counted). */
	stored: number;
	/** Ranges that were requested (half-open open times); empty when everything was already covered. */
	requested: TimeRange[];
	/** Missing candles between stored candles of the requested range (exchange halts), from `findGaps`. */
	gaps: Gap[];
	/**
	 * Parts of the wanted range (closed candles only) that are still not covered after the sync: the source
	 * returned nothing there and did not prove them empty (e.g. no data after a delisting, the exchange lagging
	 * behind the clock, a page cut short). Empty when the whole range is covered. The next sync requests them again.
	 */
	missing: TimeRange[];
	/** Grid points (candle open times) inside `missing`. */
	missingBars: number;
	/** Candles stored in the requested range after the sync. */
	count: number;
}

/** A sync that stopped early. Candles stored before the failure are kept; syncing again resumes. */
export class SyncError extends AppError {
	/** Candles received before the failure. */
	readonly fetched: number;
	/** Candles newly stored before the failure (they stay stored). */
	readonly stored: number;
	constructor(code: 'sync_failed' | 'sync_aborted', message: string, details: { fetched: number; stored: number; cause?: unknown }) {
		super(code, message, { cause: details.cause });
		this.fetched = details.fetched;
		this.stored = details.stored;
	}
}

/** Candles of `page` with open time in `[from, to)` (the whole page when all are inside). */
function clip(page: OhlcvColumns, from: UnixMs, to: UnixMs): OhlcvColumns {
	const t = page.openTime;
	let s = 0;
	while (s < t.length && t[s] < from) s++;
	let e = t.length;
	while (e > s && t[e - 1] >= to) e--;
	if (s === 0 && e === t.length) return page;
	return {
		openTime: page.openTime.slice(s, e),
		open: page.open.slice(s, e),
		high: page.high.slice(s, e),
		low: page.low.slice(s, e),
		close: page.close.slice(s, e),
		volume: page.volume.slice(s, e)
	};
}

/**
 * Bring a stored series up to date for `[startTime, endTime]`: fetch only uncovered ranges, store
 * each page as it arrives, and report exchange gaps in the range.
 *
 * @param args - store, source, series, inclusive open-time range (ms UTC), optional abort signal,
 *   progress callback and clock; see {@link SyncArgs}.
 * @returns counts, the ranges requested and the gaps of the requested range, see {@link SyncResult}.
 * @throws ValidationError for an unknown interval or an invalid range (nothing fetched).
 * @throws SyncError (code `sync_aborted` when `signal` aborted, else `sync_failed`, with the source's or
 *   store's error as `cause`) when fetching or storing fails; every page stored before is kept and the
 *   next sync resumes from there.
 */
export async function syncCandles(args: SyncArgs): Promise<SyncResult> {
	const { store, source, symbol, interval, startTime, endTime, signal, onProgress } = args;
	const intervalMs = timeframeMs(interval);
	const now = args.now ?? Date.now();
	// Wall clock at the start: a series deleted after this (in any tab) is not written back by this sync.
	const startedAt = Date.now();
	const requested = planSync(await store.getCoverage(symbol, interval), { startTime, endTime, intervalMs, now });
	let expected = 0;
	for (const r of requested) expected += Math.ceil((r.to - r.from) / intervalMs);
	let fetched = 0;
	let stored = 0;

	const storePage = async (page: OhlcvColumns, range: TimeRange, cursor: UnixMs, proven?: TimeRange): Promise<UnixMs> => {
		const kept = clip(page, Math.max(range.from, cursor), range.to);
		const n = kept.openTime.length;
		// What this page proves: the source's word when it gives one, else from the end of the previous page to the
		// next grid point after the last candle (nothing of the grid lies between the two).
		let cover: TimeRange | undefined;
		if (proven) {
			const { from, to } = proven;
			// A proof must start where the previous one ended (no hole in between) and hold every kept candle.
			if (to > from && from <= cursor && (n === 0 || (kept.openTime[0] >= from && kept.openTime[n - 1] < to))) cover = { from, to };
		} else if (n > 0) {
			cover = { from: cursor, to: kept.openTime[n - 1] + intervalMs };
		}
		if (n === 0 && !cover) return cursor;
		const r = await store.putCandles(symbol, interval, kept, 'binance', { covered: cover, now, startedAt });
		fetched += n;
		stored += r.inserted;
		onProgress?.({ fetched, expected, stored });
		return cover ? Math.max(cursor, cover.to) : cursor;
	};

	try {
		for (const range of requested) {
			signal?.throwIfAborted();
			let cursor = range.from;
			let pages = 0;
			const all = await source.fetchKlines({
				symbol,
				interval,
				startTime: range.from,
				endTime: range.to,
				signal,
				onPage: async (page, progress) => {
					pages++;
					cursor = await storePage(page, range, cursor, progress?.covered);
				}
			});
			// A source that does not page (or calls onPage for none of its candles) still gets stored.
			if (pages === 0 && all.openTime.length > 0) cursor = await storePage(all, range, cursor);
			// What the source did not prove stays uncovered (reported as `missing` below) and is asked for next time.
		}
	} catch (err) {
		const aborted = signal?.aborted === true;
		const what = `${symbol} ${interval} ${isoUtc(startTime)} .. ${isoUtc(endTime)}`;
		const kept = `${stored} new candle${stored === 1 ? ' was' : 's were'} stored before it stopped and are kept; sync again to fetch only what is still missing.`;
		throw new SyncError(
			aborted ? 'sync_aborted' : 'sync_failed',
			aborted
				? `Sync of ${what} was cancelled. ${kept}`
				: `Sync of ${what} failed: ${(err as Error)?.message ?? String(err)} ${kept}`,
			{ fetched, stored, cause: err }
		);
	}

	const missing = requested.length
		? planSync(await store.getCoverage(symbol, interval), { startTime, endTime, intervalMs, now })
		: [];
	let missingBars = 0;
	for (const r of missing) missingBars += gridPoints(r, intervalMs);
	const candles = await store.getCandles(symbol, interval, { from: startTime, to: endTime });
	return {
		fetched,
		stored,
		requested,
		gaps: findGaps(candles.openTime, intervalMs),
		count: candles.openTime.length,
		missing,
		missingBars
	};
}

/** Upper bound of candle open times inside `[from, to)` (as `expected` counts them). */
function gridPoints(r: TimeRange, intervalMs: number): number {
	return Math.max(0, Math.ceil((r.to - r.from) / intervalMs));
}
