/**
 * Persistence errors. Messages say what happened, what was kept, and how to fix it.
 */
import { AppError } from '../core/errors';

/**
 * Browser storage quota exceeded while writing. The failed transaction was rolled back as a whole,
 * so everything stored before the write is intact; only the new data was not saved.
 */
export class StorageFullError extends AppError {
	/** Number of items (candles, records) the failed write tried to save. */
	readonly attempted: number;
	/** What is still stored and unchanged, in words (e.g. "12,000 candles of BTCUSDT 1h"). */
	readonly kept: string;
	constructor(message: string, details: { attempted: number; kept: string; cause?: unknown }) {
		super('storage_full', message, { cause: details.cause });
		this.attempted = details.attempted;
		this.kept = details.kept;
	}
}

/**
 * Whether an error (or a transaction's error) is a browser storage-quota error.
 * @param err - anything thrown by IndexedDB or `idb` (a `DOMException`, an `Error`, or a value).
 * @returns true for `QuotaExceededError` (all browsers) and Firefox's legacy `NS_ERROR_DOM_QUOTA_REACHED`.
 */
export function isQuotaError(err: unknown): boolean {
	const name = (err as { name?: unknown } | null)?.name;
	return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}
