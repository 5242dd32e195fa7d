/**
 * Public API of the persistence layer: the IndexedDB schema, the candle store, the bundled dataset.
 */
export {
	DB_VERSION,
	DEFAULT_DB_NAME,
	MIGRATIONS,
	STORES,
	openAppDb,
	type AppDb,
	type AppDbSchema,
	type CandleChunk,
	type Gap,
	type Migration,
	type OpenAppDbOptions,
	type OptimisationRecord,
	type RunRecord,
	type SeriesRecord,
	type SeriesSource,
	type TimeRange,
	type UpgradeTransaction
} from './db';
export { CHUNK_BARS, CandleStore, type CandleRange, type PutOptions, type PutResult } from './candle-store';
export { StorageFullError, isQuotaError } from './errors';
export {
	BUNDLED_DATASET,
	BUNDLED_SETTING_KEY,
	loadBundledDataset,
	parseBundledDataset,
	type BundledLoadResult
} from './bundled';
export {
	BACKUP_FORMAT,
	BACKUP_VERSION,
	BackupError,
	backupFileName,
	decodeTagged,
	encodeTagged,
	exportAll,
	importAll,
	readBackup,
	type BackupDocument,
	type ExportOptions,
	type ImportOptions,
	type ImportReport
} from './backup';
