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
 * The local database cannot be used as it is: saved by a newer version of the app (`db_newer_version`), an upgrade
 * failed and was rolled back (`db_migration_failed`), or another tab upgraded it and this tab's connection was
 * closed (`db_closed`). Stored data is intact in every case; the message says to reload.
 */
export class DatabaseError extends AppError {
	constructor(code: 'db_newer_version' | 'db_migration_failed' | 'db_closed', message: string, options?: { cause?: unknown }) {
		super(code, message, options);
	}
}

/** Message for a tab whose database connection was closed because another tab upgraded the schema. */
export const DB_CLOSED_MESSAGE =
	'This app was updated in another tab, which upgraded the local database, so this tab stopped using it. Reload this tab to continue: your candles, runs and settings are kept.';

/**
 * The error to show for an IndexedDB failure: an `InvalidStateError` (the connection was closed, e.g. by another tab's
 * upgrade) becomes a {@link DatabaseError} `db_closed`; anything else is returned as it is.
 */
export function explainDbError(err: unknown): unknown {
	const name = (err as { name?: unknown } | null)?.name;
	if (name === 'InvalidStateError') return new DatabaseError('db_closed', DB_CLOSED_MESSAGE, { cause: err });
	return err;
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
