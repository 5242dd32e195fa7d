/**
 * Repository of market scans (schema v2): each scan's inputs and rows (one per market, with the as-of time of that
 * market's last candle) in `scans`, and the rows' fitted arrays (`series`) in `scanBands` under the same id, so that
 * listing scans never reads the arrays while a reopened scan shows exactly what it showed. The payload type is
 * filled in by the analysis/state layers.
 */
import type { UnixMs } from '../core/types';
import { STORES, type AppDb, type ScanRecordBase } from './db';

/**
 * A new scan id: time-ordered (`scan-<ms base36>-<random>`).
 * @param now - Unix ms (default `Date.now()`).
 */
export function newScanId(now: UnixMs = Date.now()): string {
	return `scan-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

type Row = { symbol: string; series?: unknown; [k: string]: unknown };
type WithRows = ScanRecordBase & { rows?: Row[] };

/** Split a scan into the record without arrays and its arrays by symbol. */
function split(scan: WithRows): { record: ScanRecordBase; bands: { id: string; series: Record<string, unknown> } } {
	const series: Record<string, unknown> = {};
	const rows = (scan.rows ?? []).map((r) => {
		const { series: s, ...rest } = r;
		if (s !== undefined) series[r.symbol] = s;
		return rest;
	});
	return { record: { ...scan, rows }, bands: { id: scan.id, series } };
}

/** CRUD over the `scans` and `scanBands` stores. */
export class ScansRepository<Scan extends ScanRecordBase = ScanRecordBase> {
	readonly #db: AppDb;

	/** @param db - the opened app database (`openAppDb()`, schema v2 or later). */
	constructor(db: AppDb) {
		this.#db = db;
	}

	/**
	 * Store (insert or replace) a scan: its rows in `scans`, the rows' `series` arrays in `scanBands`, in one
	 * transaction.
	 * @throws DOMException from IndexedDB (e.g. QuotaExceededError) — nothing is written then.
	 */
	async put(scan: Scan): Promise<void> {
		const { record, bands } = split(scan as WithRows);
		const tx = this.#db.transaction([STORES.scans, STORES.scanBands], 'readwrite');
		await Promise.all([tx.objectStore(STORES.scans).put(record), tx.objectStore(STORES.scanBands).put(bands), tx.done]);
	}

	/** The scan with `id` and its rows' arrays, or undefined. */
	async get(id: string): Promise<Scan | undefined> {
		const tx = this.#db.transaction([STORES.scans, STORES.scanBands]);
		const [record, bands] = await Promise.all([tx.objectStore(STORES.scans).get(id), tx.objectStore(STORES.scanBands).get(id)]);
		if (!record) return undefined;
		const series = (bands?.series ?? {}) as Record<string, unknown>;
		const rows = ((record as WithRows).rows ?? []).map((r) => (series[r.symbol] !== undefined ? { ...r, series: series[r.symbol] } : r));
		return { ...record, rows } as unknown as Scan;
	}

	/**
	 * Stored scans without their arrays (rows carry no `series`), newest first.
	 * @param limit - at most this many (default all).
	 */
	async list(limit = Infinity): Promise<Scan[]> {
		const out: Scan[] = [];
		let cursor = await this.#db.transaction(STORES.scans).store.index('by-createdAt').openCursor(null, 'prev');
		while (cursor && out.length < limit) {
			out.push(cursor.value as Scan);
			cursor = await cursor.continue();
		}
		return out;
	}

	/**
	 * The newest scan created before `scan` with the same key (e.g. the same universe and settings), without arrays.
	 * @param key - maps a scan to the value two comparable scans share.
	 */
	async previous(scan: Scan, key: (s: Scan) => string): Promise<Scan | undefined> {
		const k = key(scan);
		let cursor = await this.#db.transaction(STORES.scans).store.index('by-createdAt').openCursor(null, 'prev');
		while (cursor) {
			const s = cursor.value as Scan;
			if (s.id !== scan.id && s.createdAt < scan.createdAt && key(s) === k) return s;
			cursor = await cursor.continue();
		}
		return undefined;
	}

	/** Delete one scan and its arrays. @returns false when it did not exist. */
	async delete(id: string): Promise<boolean> {
		const tx = this.#db.transaction([STORES.scans, STORES.scanBands], 'readwrite');
		const exists = (await tx.objectStore(STORES.scans).getKey(id)) !== undefined;
		if (exists) {
			await tx.objectStore(STORES.scans).delete(id);
			await tx.objectStore(STORES.scanBands).delete(id);
		}
		await tx.done;
		return exists;
	}
}
