/**
 * Repository of market scans in the `scans` store (added by schema v2): each scan's inputs, its rows (one per
 * market, with the as-of time of that market's last candle) and the fitted arrays, so a scan reopens exactly as it
 * was shown. The payload type is filled in by the analysis/state layers.
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

/** CRUD over the `scans` store. */
export class ScansRepository<Scan extends ScanRecordBase = ScanRecordBase> {
	readonly #db: AppDb;

	/** @param db - the opened app database (`openAppDb()`, schema v2 or later). */
	constructor(db: AppDb) {
		this.#db = db;
	}

	/**
	 * Store (insert or replace) a scan.
	 * @throws DOMException from IndexedDB (e.g. QuotaExceededError) — nothing is written then.
	 */
	async put(scan: Scan): Promise<void> {
		await this.#db.put(STORES.scans, scan);
	}

	/** The scan with `id`, or undefined. */
	async get(id: string): Promise<Scan | undefined> {
		return (await this.#db.get(STORES.scans, id)) as Scan | undefined;
	}

	/**
	 * Stored scans, newest first.
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
	 * The newest scan created before `scan` with the same key (e.g. the same universe and settings), or undefined.
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

	/** Delete one scan. @returns false when it did not exist. */
	async delete(id: string): Promise<boolean> {
		const tx = this.#db.transaction(STORES.scans, 'readwrite');
		const exists = (await tx.store.getKey(id)) !== undefined;
		if (exists) await tx.store.delete(id);
		await tx.done;
		return exists;
	}
}
