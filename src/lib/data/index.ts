/**
 * Public API of the data layer: Binance REST client, kline CSV reading/writing, file import, gaps and validation.
 * Plain TypeScript; no DOM or Svelte imports (fetch is injected into the client).
 */
export {
	BinanceClient,
	DEFAULT_BINANCE_HOSTS,
	DEFAULT_WEIGHT_LIMIT,
	KLINES_PAGE_LIMIT,
	PEGGED_ASSETS,
	REQUEST_WEIGHTS,
	parseExchangeInfo,
	parseTickers,
	rankSymbolsByQuoteVolume,
	searchSymbols,
	type BinanceClientOptions,
	type ExchangeInfo,
	type KlinePageRequest,
	type KlineProgress,
	type KlinesRequest,
	type RateLimit,
	type SymbolInfo,
	type SymbolVolume,
	type Ticker24hr
} from './binance-client';
export {
	klinesToCsv,
	parseKlineCsv,
	type KlineCsvFormat,
	type KlineCsvResult,
	type KlinesToCsvOptions,
	type ParseKlineCsvOptions
} from './kline-csv';
export {
	importKlineFiles,
	mergeOhlcv,
	parseArchiveName,
	type ArchiveName,
	type FileImportResult,
	type ImportKlineFilesOptions,
	type ImportKlineFilesResult,
	type KlineFile,
	type OhlcvConflict
} from './archive-import';
export { countMissingBars, describeGaps, findGaps, lastContiguousRun, validateOhlcv, type Gap } from './gaps';
export {
	BinanceApiError,
	BinanceRequestError,
	IpBannedError,
	KlineImportError,
	MAX_LISTED_ROW_ERRORS,
	MalformedResponseError,
	OfflineError,
	RateLimitError,
	RegionRestrictedError,
	ServerError,
	type RowError
} from './errors';
