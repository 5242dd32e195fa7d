/**
 * Test helpers for persistence and sync: real Binance candles from tests/fixtures and a fake kline
 * source that pages over them like the Binance REST client (forward, 1,000 per page, onPage awaited).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IDBFactory } from 'fake-indexeddb';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { sliceOhlcv } from '../../../src/lib/core/timeframe';
import type { KlineFetchArgs, KlineSource } from '../../../src/lib/data/sync';

export const HOUR = 3_600_000;
const cache = new Map<string, OhlcvColumns>();

/** Path of a file in tests/fixtures. */
export function fixturePath(rel: string): string {
	return fileURLToPath(new URL(`../../fixtures/${rel}`, import.meta.url));
}

/** Read a 6-column kline CSV with header (tests/fixtures/klines/*.csv) into columns (tiny local reader). */
export function readKlines(file = 'klines/BTCUSDT-1h.csv'): OhlcvColumns {
	const hit = cache.get(file);
	if (hit) return hit;
	const lines = readFileSync(fixturePath(file), 'utf8').trim().split('\n').slice(1);
	const cols = Array.from({ length: 6 }, () => new Float64Array(lines.length));
	lines.forEach((line, i) => line.split(',').forEach((v, c) => (cols[c][i] = Number(v))));
	const [openTime, open, high, low, close, volume] = cols;
	const out = { openTime, open, high, low, close, volume };
	cache.set(file, out);
	return out;
}

/** Candles of `all` with open time in `[from, to]` (inclusive ms). */
export function rangeOf(all: OhlcvColumns, from: number, to: number): OhlcvColumns {
	let s = 0;
	while (s < all.openTime.length && all.openTime[s] < from) s++;
	let e = s;
	while (e < all.openTime.length && all.openTime[e] <= to) e++;
	return sliceOhlcv(all, s, e);
}

/** Assert-friendly plain copy of columns (vitest compares typed arrays element by element anyway). */
export function plain(o: OhlcvColumns): Record<string, number[]> {
	return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.from(v as Float64Array)]));
}

/** A fresh, isolated IndexedDB factory. */
export function freshFactory(): IDBFactory {
	return new IDBFactory();
}

/** Options of {@link FakeSource}. */
export interface FakeSourceOptions {
	pageSize?: number;
	/** Throw a network-like error when this many pages have been delivered (over all calls). */
	failAfterPages?: number;
	/** Interval of the candles, ms (default 1 h): used for the `covered` proof of each page. */
	intervalMs?: number;
	/** Give no `covered` proof with the pages (a source that only returns candles). */
	noProof?: boolean;
}

/** A kline source over real candles, paged forward like the Binance client; records every call. */
export class FakeSource implements KlineSource {
	readonly calls: Array<{ startTime: number; endTime: number }> = [];
	pagesDelivered = 0;
	constructor(
		private readonly candles: OhlcvColumns,
		private readonly opts: FakeSourceOptions = {}
	) {}

	async fetchKlines(args: KlineFetchArgs): Promise<OhlcvColumns> {
		this.calls.push({ startTime: args.startTime, endTime: args.endTime });
		const wanted = rangeOf(this.candles, args.startTime, args.endTime - 1); // endTime is exclusive, as in BinanceClient
		const n = wanted.openTime.length;
		const size = this.opts.pageSize ?? 1000;
		const iv = this.opts.intervalMs ?? HOUR;
		for (let s = 0; s < n; s += size) {
			args.signal?.throwIfAborted();
			if (this.opts.failAfterPages !== undefined && this.pagesDelivered >= this.opts.failAfterPages) {
				throw new Error('network error (simulated): connection reset');
			}
			const page = sliceOhlcv(wanted, s, Math.min(n, s + size));
			this.pagesDelivered++;
			// Like BinanceClient: each page proves [its request's start, last candle + interval).
			const from = s === 0 ? args.startTime : wanted.openTime[s - 1] + iv;
			const covered = { from, to: page.openTime[page.openTime.length - 1] + iv };
			await args.onPage?.(page, { fetched: Math.min(n, s + size), expected: n, ...(this.opts.noProof ? {} : { covered }) });
		}
		const provenTo = n > 0 ? wanted.openTime[n - 1] + iv : args.startTime;
		if (provenTo < args.endTime && !this.opts.noProof) {
			// Like BinanceClient's empty page + probe: the next candle at or after endTime proves the rest empty.
			const t = this.candles.openTime;
			let i = 0;
			while (i < t.length && t[i] < args.endTime) i++;
			if (i < t.length) await args.onPage?.(sliceOhlcv(wanted, 0, 0), { fetched: n, expected: n, covered: { from: provenTo, to: t[i] } });
		}
		return wanted;
	}
}
