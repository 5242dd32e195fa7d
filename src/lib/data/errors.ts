/**
 * Errors of the data layer: Binance REST failures and kline file imports.
 * Every message says what happened in a trader's words and what to do next.
 */
import { AppError, DataError } from '../core/errors';
import { isoUtc } from '../core/timeframe';

/** Offered in every network-facing message: what still works without Binance. */
const OFFLINE_HINT =
	'You can keep working with the candles already cached in this browser, or import kline files (CSV or ZIP) downloaded from https://data.binance.vision.';

/** Base class of every error the Binance REST client throws. `url` is the last URL tried (without host when unknown). */
export class BinanceRequestError extends AppError {
	readonly url: string;
	/** HTTP status of the last response; 0 when no response was readable (network error). */
	readonly status: number;
	constructor(code: string, message: string, url: string, status: number, options?: { cause?: unknown }) {
		super(code, message, options);
		this.url = url;
		this.status = status;
	}
}

/** HTTP 429: the request-weight budget of this IP is used up; retrying later works. */
export class RateLimitError extends BinanceRequestError {
	/** Wait Binance asked for (from `Retry-After`), ms; NaN when unknown. */
	readonly retryAfterMs: number;
	constructor(url: string, retryAfterMs: number, attempts: number) {
		super(
			'rate_limited',
			`Binance is rate-limiting this IP (HTTP 429) after ${attempts} attempt(s)` +
				(Number.isFinite(retryAfterMs) ? `; it asks to wait ${Math.ceil(retryAfterMs / 1000)} s` : '') +
				'. Wait a minute and sync again; meanwhile the cached candles stay usable.',
			url,
			429
		);
		this.retryAfterMs = retryAfterMs;
	}
}

/** HTTP 418: Binance banned this IP for ignoring rate limits. No request is sent before `retryAt`. */
export class IpBannedError extends BinanceRequestError {
	/** Unix ms from which requests are allowed again; NaN when Binance did not say. */
	readonly retryAt: number;
	constructor(url: string, retryAt: number) {
		super(
			'ip_banned',
			'Binance has temporarily banned this IP address for sending too many requests (HTTP 418)' +
				(Number.isFinite(retryAt)
					? `; the ban lifts at ${isoUtc(Math.ceil(retryAt / 1000) * 1000)}`
					: '; Binance did not say for how long (bans last from 2 minutes to 3 days), so no request was retried') +
				'. Do not retry before then (retrying extends the ban). ' +
				OFFLINE_HINT,
			url,
			418
		);
		this.retryAt = retryAt;
	}
}

/** HTTP 451 (or 403 from every host): Binance refuses requests from this region. */
export class RegionRestrictedError extends BinanceRequestError {
	constructor(url: string, status: number) {
		super(
			'region_restricted',
			`Binance refuses requests from your region (HTTP ${status}) on every API host tried` +
				(status === 403 ? ' (HTTP 403 can also mean its firewall blocked this network). ' : '. ') +
				'Live sync is not available from here. ' +
				OFFLINE_HINT,
			url,
			status
		);
	}
}

/**
 * No HTTP response could be read: the device is offline, DNS failed, the connection was reset, or the
 * browser blocked the response for missing CORS headers. Binance error responses (429, 418, 451, 5xx
 * from its edge) often lack CORS headers, so in a browser they look exactly like this.
 */
export class OfflineError extends BinanceRequestError {
	constructor(url: string, cause: unknown) {
		super(
			'offline',
			'Could not reach Binance (network error). Either this device is offline, or Binance answered with an error ' +
				'the browser may not show (its error responses carry no CORS headers, e.g. a rate limit or a region block). ' +
				OFFLINE_HINT,
			url,
			0,
			{ cause }
		);
	}
}

/** No host answered (headers and whole body) within the client's request timeout; the request was aborted. */
export class RequestTimeoutError extends BinanceRequestError {
	/** The timeout that passed, ms. */
	readonly timeoutMs: number;
	constructor(url: string, timeoutMs: number) {
		super(
			'timeout',
			`Binance did not answer within ${Math.round(timeoutMs / 1000)} s (the request was cancelled). The connection may be ` +
				'slow or stalled; sync again to continue where it stopped. ' +
				OFFLINE_HINT,
			url,
			0
		);
		this.timeoutMs = timeoutMs;
	}
}

/** HTTP 5xx from every host after the allowed retries. */
export class ServerError extends BinanceRequestError {
	constructor(url: string, status: number, attempts: number) {
		super(
			'server_error',
			`Binance's servers returned an error (HTTP ${status}) after ${attempts} attempt(s). ` +
				'This is on Binance\'s side; try again in a few minutes. ' +
				OFFLINE_HINT,
			url,
			status
		);
	}
}

/** The response body is not what the Binance API documents (non-JSON, truncated, wrong shape, non-numeric fields). */
export class MalformedResponseError extends BinanceRequestError {
	constructor(url: string, status: number, problem: string, options?: { cause?: unknown }) {
		super(
			'malformed_response',
			`Binance sent a response this app cannot read (${problem}). Try again; if it persists, import the candles from files instead.`,
			url,
			status,
			options
		);
	}
}

/** A Binance error body `{code, msg}` with a 4xx status, e.g. `-1121 Invalid symbol.`; the msg is shown as Binance wrote it. */
export class BinanceApiError extends BinanceRequestError {
	/** Binance's negative error code (e.g. -1121). */
	readonly binanceCode: number;
	readonly binanceMsg: string;
	constructor(url: string, status: number, binanceCode: number, binanceMsg: string) {
		super(
			'binance_error',
			`Binance rejected the request: ${binanceMsg} (code ${binanceCode}, HTTP ${status})` +
				(binanceCode === -1121 ? '. Check the symbol spelling, e.g. BTCUSDT.' : '.'),
			url,
			status
		);
		this.binanceCode = binanceCode;
		this.binanceMsg = binanceMsg;
	}
}

/** One invalid row of an imported kline file. `line` is 1-based and counts the header line. */
export interface RowError {
	line: number;
	message: string;
}

/** How many row errors a {@link KlineImportError} message lists. */
export const MAX_LISTED_ROW_ERRORS = 10;

/** A kline file that cannot be imported: empty, unknown layout, or invalid rows (listed with line numbers). */
export class KlineImportError extends DataError {
	/** File name (or other source label) given to the parser. */
	readonly source: string;
	/** The first {@link MAX_LISTED_ROW_ERRORS} row errors. */
	readonly rowErrors: RowError[];
	/** Total number of invalid rows (may exceed `rowErrors.length`). */
	readonly errorCount: number;
	constructor(source: string, summary: string, rowErrors: RowError[] = [], errorCount = rowErrors.length) {
		const listed = rowErrors.slice(0, MAX_LISTED_ROW_ERRORS);
		let message = `${source}: ${summary}`;
		if (listed.length > 0) {
			message +=
				`\n` +
				listed.map((e) => `  line ${e.line}: ${e.message}`).join('\n') +
				(errorCount > listed.length ? `\n  ... and ${errorCount - listed.length} more invalid row(s)` : '');
		}
		super(message);
		this.source = source;
		this.rowErrors = listed;
		this.errorCount = errorCount;
	}
}
