/**
 * Incremental candle sync: fetch only the open-time ranges a store does not cover yet, store each
 * page as it arrives, and report exchange gaps.
 *
 * Resumability: every page is stored (with the range it covers) before the next one is requested,
 * so after an interruption (closed tab, network error, abort) the next sync plans only what is still
 * missing. Ranges the exchange answered with no candles (halts, before listing) are recorded as
 * covered and not requested again; the missing candles inside them are reported as gaps.
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
	/** Called (and awaited) with each page of closed candles, oldest first, before the next page is requested. */
	onPage?: (page: OhlcvColumns, progress: { fetched: number; expected: number }) => void | Promise<void>;
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
		options?: { covered?: TimeRange; now?: UnixMs }
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

/** Zero-length OHLCV columns. */
function emptyOhlcv(): OhlcvColumns {
	const z = () => new Float64Array(0);
	return { openTime: z(), open: z(), high: z(), low: z(), close: z(), volume: z() };
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
	const closedTo = closedLimit(now, intervalMs);
	const requested = planSync(await store.getCoverage(symbol, interval), { startTime, endTime, intervalMs, now });
	let expected = 0;
	for (const r of requested) expected += Math.ceil((r.to - r.from) / intervalMs);
	let fetched = 0;
	let stored = 0;

	const storePage = async (page: OhlcvColumns, range: TimeRange, cursor: UnixMs): Promise<UnixMs> => {
		const kept = clip(page, range.from, range.to);
		const n = kept.openTime.length;
		if (n === 0) return cursor;
		// Up to the next grid point after the last candle: nothing of the grid lies between range.to and it.
		const coverTo = kept.openTime[n - 1] + intervalMs;
		const r = await store.putCandles(symbol, interval, kept, 'binance', { covered: { from: cursor, to: coverTo }, now });
		fetched += n;
		stored += r.inserted;
		onProgress?.({ fetched, expected, stored });
		return coverTo;
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
				onPage: async (page) => {
					pages++;
					cursor = await storePage(page, range, cursor);
				}
			});
			// A source that does not page (or calls onPage for none of its candles) still gets stored.
			if (pages === 0 && all.openTime.length > 0) cursor = await storePage(all, range, cursor);
			// The whole range was answered: what the source did not return does not exist on the exchange.
			// Only the newest range (cut at the clock) stays open after the last candle, so a candle that
			// closes later (or a clock running ahead of the exchange's) is fetched next time.
			const end = range.to === closedTo ? cursor : range.to;
			if (end > cursor) {
				await store.putCandles(symbol, interval, emptyOhlcv(), 'binance', { covered: { from: cursor, to: end }, now });
			}
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

	const candles = await store.getCandles(symbol, interval, { from: startTime, to: endTime });
	return { fetched, stored, requested, gaps: findGaps(candles.openTime, intervalMs), count: candles.openTime.length };
}
