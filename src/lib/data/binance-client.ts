/**
 * Binance spot REST client for public market data (klines, exchange info, 24h tickers).
 *
 * `fetch`, `sleep` and `now` are injected so that everything runs in Node tests against recorded responses.
 * Requests are plain GETs without custom headers (no CORS preflight). Hosts are tried in order:
 * `data-api.binance.vision` (Binance's public market-data host) first, `api.binance.com` as fallback.
 *
 * Host fallback and retries, per request:
 * - network error (fetch rejects), HTTP 5xx, HTTP 403 or HTTP 451 from a host: the next host is tried.
 *   451 means "restricted region"; the fallback host is tried too because the public-data host is sometimes
 *   reachable where the trading host is not. If every host answered 451/403 the result is {@link RegionRestrictedError};
 *   if every host failed at the network level, {@link OfflineError}.
 * - 5xx from every host: exponential backoff (1 s, 2 s, 4 s ... capped at 60 s) and a new round, up to `maxRetries`
 *   rounds, then {@link ServerError}.
 * - 429: wait `Retry-After` seconds when readable (else the exponential backoff) and retry the same host, up to
 *   `maxRetries`; a wait longer than `maxRetryWaitMs` is not slept but thrown as {@link RateLimitError}.
 * - 418 (IP banned): the same, but the ban time is remembered and every request before it ends fails at once
 *   with {@link IpBannedError} without touching the network (requests during a ban extend it).
 * - other 4xx with a Binance body `{code, msg}`: {@link BinanceApiError} with Binance's msg (no retry).
 * - 418 without `Retry-After`: no retry at all (retrying during a ban extends it): {@link IpBannedError} at once, and
 *   no request is sent for {@link UNKNOWN_BAN_PAUSE_MS} afterwards.
 * - `Retry-After` is read as whole or decimal seconds (`"-5"` or other negative values are unreadable and fall back
 *   to the exponential backoff) or as an HTTP date; any wait is clamped to {@link MAX_RETRY_AFTER_MS}.
 * - every request (response headers and body) must finish within `timeoutMs` (default {@link DEFAULT_TIMEOUT_MS}):
 *   an `AbortController` cancels it, the next host is tried, and when every host timed out the result is
 *   {@link RequestTimeoutError}.
 *
 * Candles are validated like imported files (positive prices, low <= open/close <= high, volume >= 0, integer open
 * times inside the requested range, ascending): a page that breaks any of this is a {@link MalformedResponseError}.
 *
 * Request weights used for the client-side budget (Binance spot docs): klines 2, exchangeInfo 20,
 * ticker/24hr for all symbols 80. The budget (default 6000 per minute) is replaced by the `REQUEST_WEIGHT`
 * limit of the last `exchangeInfo()` answer, and synced from the `X-MBX-USED-WEIGHT-1M` response header
 * when the browser exposes it.
 */
import { ValidationError } from '../core/errors';
import { allocateOhlcv, isoUtc, sliceOhlcv, timeframeMs } from '../core/timeframe';
import type { OhlcvColumns, Timeframe, UnixMs } from '../core/types';
import {
	BinanceApiError,
	IpBannedError,
	MalformedResponseError,
	OfflineError,
	RateLimitError,
	RegionRestrictedError,
	RequestTimeoutError,
	ServerError
} from './errors';
import { ohlcProblem } from './kline-csv';
import type { TimeRange } from './sync-ranges';

/** Binance hosts tried in order. */
export const DEFAULT_BINANCE_HOSTS: readonly string[] = Object.freeze([
	'https://data-api.binance.vision',
	'https://api.binance.com'
]);

/** Request weights charged by Binance (spot REST docs) and used by the client-side budget. */
export const REQUEST_WEIGHTS = Object.freeze({
	/** GET /api/v3/klines, any limit up to 1000. */
	klines: 2,
	/** GET /api/v3/exchangeInfo without symbol filter. */
	exchangeInfo: 20,
	/** GET /api/v3/ticker/24hr without symbol (all symbols). */
	ticker24hrAll: 80
});

/** Request-weight budget used until `exchangeInfo()` tells the real one: 6000 per minute per IP. */
export const DEFAULT_WEIGHT_LIMIT = { limit: 6000, windowMs: 60_000 } as const;

/** Maximum candles per klines request (Binance's cap). */
export const KLINES_PAGE_LIMIT = 1000;

/** Default time a request (headers and body) may take before it is aborted, ms. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Longest wait a `Retry-After` header is believed for, ms (Binance's longest IP ban is 3 days). */
export const MAX_RETRY_AFTER_MS = 3 * 86_400_000;

/** After a 418 without `Retry-After`, no request is sent for this long, ms (Binance's shortest ban is 2 minutes). */
export const UNKNOWN_BAN_PAUSE_MS = 120_000;

/**
 * Bounds a `REQUEST_WEIGHT` rate limit from `exchangeInfo` must respect to replace the default budget: a window of
 * 1 s to 1 day and a limit of 1 to 10^6 weight. Anything else (0, NaN, negative, absurd) is ignored.
 */
export const RATE_LIMIT_BOUNDS = Object.freeze({ minWindowMs: 1000, maxWindowMs: 86_400_000, maxLimit: 1_000_000 });

/**
 * Assets pegged to a fiat currency (USD/EUR stablecoins and the fiat assets Binance lists). A pair whose base and
 * quote are both in this list (USDCUSDT, FDUSDUSDT, EURUSDT, ...) barely moves and is left out of
 * {@link BinanceClient.topSymbolsByQuoteVolume}.
 */
export const PEGGED_ASSETS: ReadonlySet<string> = new Set([
	'USDT', 'USDC', 'BUSD', 'TUSD', 'FDUSD', 'USDP', 'PAX', 'DAI', 'UST', 'USDS', 'USDSB', 'SUSD', 'PYUSD', 'USDE',
	'USD1', 'RLUSD', 'XUSD', 'BFUSD', 'USDJ', 'VAI', 'AEUR', 'EURI', 'EUR', 'GBP', 'AUD'
]);

/** Options of {@link BinanceClient}. */
export interface BinanceClientOptions {
	/** fetch implementation (default `globalThis.fetch`). */
	fetch?: typeof fetch;
	/** Base URLs tried in order (default {@link DEFAULT_BINANCE_HOSTS}). */
	hosts?: string[];
	/** Waits `ms` milliseconds (default `setTimeout`). */
	sleep?: (ms: number) => Promise<void>;
	/** Current time, Unix ms (default `Date.now`); decides which candle is still open. */
	now?: () => number;
	/** Retries after 429/418/5xx (default 4). */
	maxRetries?: number;
	/** Longest wait the client sleeps through on 429/418 before giving up with an error, ms (default 120_000). */
	maxRetryWaitMs?: number;
	/** Time one request (headers and body) may take before it is aborted, ms (default {@link DEFAULT_TIMEOUT_MS}). */
	timeoutMs?: number;
}

/** Arguments of {@link BinanceClient.fetchKlinePage}. */
export interface KlinePageRequest {
	symbol: string;
	interval: Timeframe;
	/** Earliest open time, Unix ms (inclusive). */
	startTime: UnixMs;
	/** Latest open time, Unix ms (inclusive, as Binance treats it). */
	endTime?: UnixMs;
	/** 1..1000 (default 1000). */
	limit?: number;
	signal?: AbortSignal;
}

/**
 * Progress of {@link BinanceClient.fetchKlines}: candles received so far, candles the range can hold, and the
 * open-time range this page proves complete.
 */
export interface KlineProgress {
	fetched: number;
	expected: number;
	/**
	 * Half-open open-time range `[from, to)` the server has answered completely with this page: from the request's
	 * `startTime` to the next grid point after the last closed candle received (or, for a page whose only candle is
	 * still open, or an empty page followed by a probe showing the next candle, up to that next candle's open time;
	 * this may reach past the requested `endTime`). Every exchange candle
	 * inside it is in this page. Ranges the server did not prove (an empty page with nothing after it, the part of a
	 * range after a short page) are never reported.
	 */
	covered: TimeRange;
}

/** Arguments of {@link BinanceClient.fetchKlines}. */
export interface KlinesRequest {
	symbol: string;
	interval: Timeframe;
	/** Earliest open time, Unix ms (inclusive). */
	startTime: UnixMs;
	/** End of the range, Unix ms (exclusive: candles with openTime < endTime). */
	endTime: UnixMs;
	signal?: AbortSignal;
	/** Called (and awaited) with each page's new closed candles, e.g. to store them so a sync can resume. */
	onPage?: (page: OhlcvColumns, progress: KlineProgress) => void | Promise<void>;
}

/** One entry of `exchangeInfo.rateLimits`. */
export interface RateLimit {
	rateLimitType: string;
	interval: string;
	intervalNum: number;
	limit: number;
}

/** A spot symbol with the trading rules a backtest needs. Numbers are null when the filter is absent. */
export interface SymbolInfo {
	symbol: string;
	/** `TRADING`, `BREAK`, `HALT`, ... */
	status: string;
	baseAsset: string;
	quoteAsset: string;
	/** PRICE_FILTER.tickSize: smallest price step. */
	tickSize: number | null;
	/** LOT_SIZE.stepSize: smallest quantity step. */
	stepSize: number | null;
	/** MIN_NOTIONAL.minNotional or NOTIONAL.minNotional: smallest order value in the quote asset. */
	minNotional: number | null;
	/** `BTC/USDT`, for display and search. */
	displayName: string;
}

/** Parsed `GET /api/v3/exchangeInfo`. */
export interface ExchangeInfo {
	serverTime: UnixMs;
	rateLimits: RateLimit[];
	/** Sorted by symbol. */
	symbols: SymbolInfo[];
}

/** One row of {@link BinanceClient.topSymbolsByQuoteVolume}. */
export interface SymbolVolume {
	symbol: string;
	baseAsset: string;
	quoteAsset: string;
	/** 24h traded value in the quote asset. */
	quoteVolume: number;
	/** 24h traded base-asset volume. */
	volume: number;
	lastPrice: number;
	/** 24h price change as a fraction (0.012 = +1.2 %). */
	priceChangeRatio: number;
}

interface RawPage {
	ohlcv: OhlcvColumns;
	rawCount: number;
	firstRawOpenTime: number;
	lastRawOpenTime: number;
	droppedOpen: boolean;
	/** Open time of the first still-open candle of the page (NaN when none). */
	firstOpenCandle: number;
}

const WINDOW_UNIT_MS: Record<string, number> = { SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };

/** Client-side request-weight budget over fixed clock windows (Binance counts per clock minute). */
class WeightBudget {
	limit: number = DEFAULT_WEIGHT_LIMIT.limit;
	windowMs: number = DEFAULT_WEIGHT_LIMIT.windowMs;
	private windowStart = -1;
	private used = 0;
	private pausedUntil = 0;

	async take(weight: number, now: () => number, sleep: (ms: number) => Promise<void>, signal?: AbortSignal): Promise<void> {
		for (;;) {
			const t = now();
			if (t < this.pausedUntil) {
				await sleep(this.pausedUntil - t);
				throwIfAborted(signal);
				continue;
			}
			const w = Math.floor(t / this.windowMs) * this.windowMs;
			if (w !== this.windowStart) {
				this.windowStart = w;
				this.used = 0;
			}
			if (this.used + weight <= this.limit || this.used === 0) {
				this.used += weight;
				return;
			}
			await sleep(Math.max(1, w + this.windowMs - t));
			throwIfAborted(signal);
		}
	}

	/** Sync with Binance's count of used weight in the current window (from X-MBX-USED-WEIGHT-1M). */
	observe(used: number, now: number): void {
		const w = Math.floor(now / this.windowMs) * this.windowMs;
		if (w === this.windowStart) this.used = Math.max(this.used, used);
	}

	pauseUntil(t: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, t);
	}
}

/** Binance spot public-market-data client. See the module comment for host fallback, retries and weights. */
export class BinanceClient {
	private readonly fetchFn: typeof fetch;
	private readonly hosts: string[];
	private readonly sleep: (ms: number) => Promise<void>;
	private readonly now: () => number;
	private readonly maxRetries: number;
	private readonly maxRetryWaitMs: number;
	private readonly timeoutMs: number;
	private readonly budget = new WeightBudget();
	private preferredHost = 0;
	private bannedUntil = 0;
	private cachedInfo?: { at: number; info: ExchangeInfo };

	/**
	 * @param opts - injected `fetch`, `sleep`, `now`; `hosts` (default data-api.binance.vision then api.binance.com);
	 *   `maxRetries` (default 4) and `maxRetryWaitMs` (default 120 s) for 429/418/5xx.
	 */
	constructor(opts: BinanceClientOptions = {}) {
		this.fetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
		this.hosts = (opts.hosts ?? [...DEFAULT_BINANCE_HOSTS]).map((h) => h.replace(/\/+$/, ''));
		if (this.hosts.length === 0) throw new ValidationError('BinanceClient needs at least one host URL.');
		this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
		this.now = opts.now ?? Date.now;
		this.maxRetries = opts.maxRetries ?? 4;
		this.maxRetryWaitMs = opts.maxRetryWaitMs ?? 120_000;
		this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
		if (!(this.timeoutMs > 0) || !Number.isFinite(this.timeoutMs)) {
			throw new ValidationError(`timeoutMs must be a positive number of ms, got ${opts.timeoutMs}.`);
		}
	}

	/** Current request-weight budget (limit per window and window length, ms). */
	get weightLimit(): { limit: number; windowMs: number } {
		return { limit: this.budget.limit, windowMs: this.budget.windowMs };
	}

	/**
	 * One `GET /api/v3/klines` request.
	 *
	 * @param req - symbol (e.g. `BTCUSDT`), interval, startTime/endTime (Unix ms, both inclusive on open time, as
	 *   Binance applies them), limit 1..1000 (default 1000), abort signal.
	 * @returns the closed candles of the page (a candle whose close time is >= `now()` is still open and dropped).
	 * @throws BinanceApiError (e.g. -1121 invalid symbol), RateLimitError, IpBannedError, RegionRestrictedError,
	 *   OfflineError, ServerError, MalformedResponseError; ValidationError for a bad limit; the signal's reason when aborted.
	 */
	async fetchKlinePage(req: KlinePageRequest): Promise<OhlcvColumns> {
		return (await this.klinePageRaw(req)).ohlcv;
	}

	/**
	 * All closed candles with open time in `[startTime, endTime)`, paged forward by `startTime`, 1000 per request.
	 *
	 * Stops at `endTime`, at the still-open candle, or when Binance has no more data. Gaps (exchange halts) are simply
	 * absent from the result; use `findGaps`. No candle appears twice.
	 *
	 * @param req - symbol, interval, startTime (inclusive) and endTime (exclusive), Unix ms; optional signal; optional
	 *   `onPage(page, {fetched, expected})`, awaited after each page with that page's new candles
	 *   (`expected` = ceil((endTime - startTime) / intervalMs), the most the range can hold).
	 * @returns the candles as columns, ascending by open time.
	 * @throws ValidationError if endTime < startTime or the interval is unknown; the request errors of
	 *   {@link BinanceClient.fetchKlinePage}; whatever `onPage` throws.
	 */
	async fetchKlines(req: KlinesRequest): Promise<OhlcvColumns> {
		const intervalMs = timeframeMs(req.interval);
		const { startTime, endTime } = req;
		if (!Number.isFinite(startTime) || !Number.isFinite(endTime) || endTime < startTime) {
			throw new ValidationError(`Invalid time range: startTime ${startTime} .. endTime ${endTime} (Unix ms, start <= end).`);
		}
		const expected = Math.ceil((endTime - startTime) / intervalMs);
		const chunks: OhlcvColumns[] = [];
		let fetched = 0;
		let cursor = startTime;
		while (cursor < endTime) {
			throwIfAborted(req.signal);
			const page = await this.klinePageRaw({
				symbol: req.symbol,
				interval: req.interval,
				startTime: cursor,
				endTime: endTime - 1,
				limit: KLINES_PAGE_LIMIT,
				signal: req.signal
			});
			if (page.rawCount === 0) {
				// An empty page proves nothing by itself (a lagging or faulty server answers the same). One probe without
				// endTime shows where the next candle is: when it is at or after endTime, [cursor, endTime) is proven empty
				// (before a listing, inside a long halt). Otherwise (nothing after: delisted, the server's clock behind ours)
				// the range stays unproven and a later sync asks again.
				const probe = await this.klinePageRaw({ symbol: req.symbol, interval: req.interval, startTime: cursor, limit: 1, signal: req.signal });
				if (probe.rawCount > 0 && probe.firstRawOpenTime >= endTime && req.onPage) {
					await req.onPage(allocateOhlcv(0), { fetched, expected, covered: { from: cursor, to: probe.firstRawOpenTime } });
				}
				break;
			}
			const t = page.ohlcv.openTime;
			let to = t.length;
			while (to > 0 && t[to - 1] >= endTime) to--;
			const fresh = to === t.length ? page.ohlcv : sliceOhlcv(page.ohlcv, 0, to);
			// Proven complete: from the request's start to just after the last closed candle received; when the page
			// ends with a still-open candle, up to that candle's open time.
			let provenTo = to > 0 ? t[to - 1] + intervalMs : cursor;
			if (page.droppedOpen && page.firstOpenCandle > cursor) provenTo = Math.max(provenTo, page.firstOpenCandle);
			if (to > 0 || provenTo > cursor) {
				if (to > 0) {
					chunks.push(fresh);
					fetched += to;
				}
				if (req.onPage) await req.onPage(fresh, { fetched, expected, covered: { from: cursor, to: provenTo } });
			}
			// A short page is not trusted to mean "no more data": the next request (from just after its last candle)
			// says so, with an empty page and a probe.
			if (page.droppedOpen || provenTo <= cursor) break;
			cursor = provenTo;
		}
		return concatColumns(chunks);
	}

	/**
	 * `GET /api/v3/exchangeInfo` (weight 20): every spot symbol with status, assets and trading filters, and the
	 * rate limits. The `REQUEST_WEIGHT` limit found here replaces the client's default budget.
	 *
	 * @returns symbols sorted by name, rate limits, server time.
	 * @throws the request errors of {@link BinanceClient.fetchKlinePage}; MalformedResponseError for a wrong shape.
	 */
	async exchangeInfo(signal?: AbortSignal): Promise<ExchangeInfo> {
		const { body, url, status } = await this.request('/api/v3/exchangeInfo', {}, REQUEST_WEIGHTS.exchangeInfo, signal);
		const info = parseExchangeInfo(body, url, status);
		const weight = info.rateLimits.find((r) => r.rateLimitType === 'REQUEST_WEIGHT');
		const windowMs = weight && WINDOW_UNIT_MS[weight.interval] ? WINDOW_UNIT_MS[weight.interval] * weight.intervalNum : NaN;
		if (
			weight &&
			Number.isInteger(weight.limit) &&
			weight.limit >= 1 &&
			weight.limit <= RATE_LIMIT_BOUNDS.maxLimit &&
			Number.isInteger(weight.intervalNum) &&
			windowMs >= RATE_LIMIT_BOUNDS.minWindowMs &&
			windowMs <= RATE_LIMIT_BOUNDS.maxWindowMs
		) {
			this.budget.limit = weight.limit;
			this.budget.windowMs = windowMs;
		}
		this.cachedInfo = { at: this.now(), info };
		return info;
	}

	/**
	 * The `n` most traded symbols of the last 24 h by quote volume: `GET /api/v3/ticker/24hr` (weight 80) joined with
	 * `exchangeInfo()` (reused for an hour): status TRADING, the given quote asset, pairs of two fiat-pegged assets
	 * ({@link PEGGED_ASSETS}) left out.
	 *
	 * @param n - how many symbols (>= 1).
	 * @param opts - `quoteAsset` (default `USDT`).
	 * @returns up to `n` rows, quote volume descending.
	 * @throws the request errors of {@link BinanceClient.fetchKlinePage}; MalformedResponseError for a wrong shape.
	 */
	async topSymbolsByQuoteVolume(n: number, opts: { quoteAsset?: string; signal?: AbortSignal } = {}): Promise<SymbolVolume[]> {
		const info =
			this.cachedInfo && this.now() - this.cachedInfo.at < 3_600_000 ? this.cachedInfo.info : await this.exchangeInfo(opts.signal);
		const { body, url, status } = await this.request('/api/v3/ticker/24hr', {}, REQUEST_WEIGHTS.ticker24hrAll, opts.signal);
		return rankSymbolsByQuoteVolume(parseTickers(body, url, status), n, { quoteAsset: opts.quoteAsset, exchangeInfo: info });
	}

	private async klinePageRaw(req: KlinePageRequest): Promise<RawPage> {
		timeframeMs(req.interval);
		const limit = req.limit ?? KLINES_PAGE_LIMIT;
		if (!Number.isInteger(limit) || limit < 1 || limit > KLINES_PAGE_LIMIT) {
			throw new ValidationError(`limit must be an integer from 1 to ${KLINES_PAGE_LIMIT}, got ${limit}.`);
		}
		const params: Record<string, string | number> = {
			symbol: req.symbol,
			interval: req.interval,
			startTime: req.startTime,
			limit
		};
		if (req.endTime !== undefined) params.endTime = req.endTime;
		const { body, url, status } = await this.request('/api/v3/klines', params, REQUEST_WEIGHTS.klines, req.signal);
		return parseKlineRows(body, url, status, this.now(), { startTime: req.startTime, endTime: req.endTime ?? Infinity });
	}

	/**
	 * One GET with a deadline: the response headers and the whole body must arrive within `timeoutMs`, else the
	 * request is aborted through its own `AbortController` (the caller's `signal` aborts it too).
	 * @returns the response and its body text (`readError` when the body could not be read to its end).
	 * @throws the caller's abort reason when `signal` aborted; `TIMED_OUT` when the deadline passed; what fetch throws.
	 */
	private async get(url: string, signal?: AbortSignal): Promise<{ res: Response; text: string; readError?: unknown }> {
		throwIfAborted(signal);
		const ctl = new AbortController();
		let timedOut = false;
		const onAbort = () => ctl.abort(signal?.reason);
		signal?.addEventListener('abort', onAbort, { once: true });
		const timer = setTimeout(() => {
			timedOut = true;
			ctl.abort(new DOMException(`No answer within ${this.timeoutMs} ms.`, 'TimeoutError'));
		}, this.timeoutMs);
		try {
			let res: Response;
			try {
				res = await this.fetchFn(url, { signal: ctl.signal });
			} catch (e) {
				if (timedOut) throw TIMED_OUT;
				throw e;
			}
			try {
				return { res, text: await res.text() };
			} catch (e) {
				if (timedOut) throw TIMED_OUT;
				if (isAbort(e, signal)) throw e;
				return { res, text: '', readError: e };
			}
		} finally {
			clearTimeout(timer);
			signal?.removeEventListener('abort', onAbort);
		}
	}

	/** GET `path` with query `params` from the hosts in order, with budget, fallback and retries (see module comment). */
	private async request(
		path: string,
		params: Record<string, string | number>,
		weight: number,
		signal?: AbortSignal
	): Promise<{ body: unknown; url: string; status: number }> {
		const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
		const pathQuery = query ? `${path}?${query}` : path;
		for (let attempt = 0; ; attempt++) {
			throwIfAborted(signal);
			if (this.now() < this.bannedUntil) throw new IpBannedError(this.hosts[this.preferredHost] + pathQuery, this.bannedUntil);
			await this.budget.take(weight, this.now, this.sleep, signal);

			let networkError: unknown;
			let networkUrl = '';
			let timeoutUrl = '';
			let regionStatus = 0;
			let regionUrl = '';
			let serverStatus = 0;
			let serverUrl = '';
			let limited: { status: number; url: string; waitMs: number; told: boolean } | undefined;
			const order = this.hosts.map((_, i) => (this.preferredHost + i) % this.hosts.length);
			for (const hi of order) {
				const url = this.hosts[hi] + pathQuery;
				let got: { res: Response; text: string; readError?: unknown };
				try {
					got = await this.get(url, signal);
				} catch (e) {
					if (e === TIMED_OUT) {
						timeoutUrl = url;
						continue;
					}
					if (isAbort(e, signal)) throw e;
					networkError = e;
					networkUrl = url;
					continue;
				}
				const { res, text, readError } = got;
				const used = Number(res.headers?.get?.('x-mbx-used-weight-1m'));
				if (Number.isFinite(used) && used > 0) this.budget.observe(used, this.now());
				if (res.ok) {
					this.preferredHost = hi;
					if (readError !== undefined) {
						throw new MalformedResponseError(url, res.status, 'the response was cut off before it ended', { cause: readError });
					}
					return { body: parseJson(text, url, res.status), url, status: res.status };
				}
				if (res.status === 429 || res.status === 418) {
					const told = retryAfterMs(res.headers?.get?.('retry-after') ?? null, this.now());
					limited = {
						status: res.status,
						url,
						waitMs: Number.isFinite(told) ? told : backoffMs(attempt),
						told: Number.isFinite(told)
					};
					this.preferredHost = hi;
					break;
				}
				if (res.status === 451 || res.status === 403) {
					regionStatus = res.status;
					regionUrl = url;
					continue;
				}
				if (res.status >= 500) {
					serverStatus = res.status;
					serverUrl = url;
					continue;
				}
				// Other 4xx: Binance explains in {code, msg}; same answer on every host.
				const body = parseJsonLoose(text);
				if (isBinanceErrorBody(body)) throw new BinanceApiError(url, res.status, body.code, body.msg);
				throw new MalformedResponseError(url, res.status, `HTTP ${res.status} without a Binance error message`);
			}

			if (limited) {
				const until = this.now() + limited.waitMs;
				if (limited.status === 418) {
					if (!limited.told) {
						// Banned for an unknown time: any retry would extend the ban. Stop, and stay quiet for a while.
						this.bannedUntil = this.now() + UNKNOWN_BAN_PAUSE_MS;
						throw new IpBannedError(limited.url, NaN);
					}
					this.bannedUntil = until;
					if (attempt >= this.maxRetries || limited.waitMs > this.maxRetryWaitMs) throw new IpBannedError(limited.url, until);
				} else if (attempt >= this.maxRetries || limited.waitMs > this.maxRetryWaitMs) {
					throw new RateLimitError(limited.url, limited.told ? limited.waitMs : NaN, attempt + 1);
				}
				this.budget.pauseUntil(until);
				await this.sleep(limited.waitMs);
				this.bannedUntil = 0;
				continue;
			}
			if (serverStatus) {
				if (attempt >= this.maxRetries) throw new ServerError(serverUrl, serverStatus, attempt + 1);
				await this.sleep(backoffMs(attempt));
				continue;
			}
			if (regionStatus) throw new RegionRestrictedError(regionUrl, regionStatus);
			if (timeoutUrl) throw new RequestTimeoutError(timeoutUrl, this.timeoutMs);
			throw new OfflineError(networkUrl, networkError);
		}
	}
}

/** Marker thrown by `BinanceClient.get` when its deadline passed. */
const TIMED_OUT = Symbol('timed out');

/**
 * Rank 24h tickers by quote volume.
 *
 * @param tickers - parsed `GET /api/v3/ticker/24hr` entries (`symbol`, `quoteVolume`, `volume`, `lastPrice`,
 *   `priceChangePercent`, `count`).
 * @param n - how many rows to return.
 * @param opts - `quoteAsset` (default `USDT`); `exchangeInfo` to keep only status TRADING symbols and take the assets
 *   from it. Without it, symbols ending in `quoteAsset` with at least one trade (`count > 0`) are kept.
 * @returns up to `n` rows, quote volume descending; pairs of two {@link PEGGED_ASSETS} are left out.
 */
export function rankSymbolsByQuoteVolume(
	tickers: readonly Ticker24hr[],
	n: number,
	opts: { quoteAsset?: string; exchangeInfo?: ExchangeInfo } = {}
): SymbolVolume[] {
	const quote = (opts.quoteAsset ?? 'USDT').toUpperCase();
	const bySymbol = opts.exchangeInfo ? new Map(opts.exchangeInfo.symbols.map((s) => [s.symbol, s])) : undefined;
	const rows: SymbolVolume[] = [];
	for (const t of tickers) {
		let baseAsset: string;
		let quoteAsset: string;
		if (bySymbol) {
			const s = bySymbol.get(t.symbol);
			if (!s || s.status !== 'TRADING') continue;
			baseAsset = s.baseAsset;
			quoteAsset = s.quoteAsset;
		} else {
			if (!(t.count > 0) || !t.symbol.endsWith(quote) || t.symbol.length === quote.length) continue;
			baseAsset = t.symbol.slice(0, -quote.length);
			quoteAsset = quote;
		}
		if (quoteAsset !== quote) continue;
		if (PEGGED_ASSETS.has(baseAsset) && PEGGED_ASSETS.has(quoteAsset)) continue;
		if (!Number.isFinite(t.quoteVolume)) continue;
		rows.push({
			symbol: t.symbol,
			baseAsset,
			quoteAsset,
			quoteVolume: t.quoteVolume,
			volume: t.volume,
			lastPrice: t.lastPrice,
			priceChangeRatio: t.priceChangePercent / 100
		});
	}
	rows.sort((a, b) => b.quoteVolume - a.quoteVolume || (a.symbol < b.symbol ? -1 : 1));
	return rows.slice(0, Math.max(0, n));
}

/**
 * Symbols matching a search text: `btc`, `BTCUSDT`, `btc/usdt`, `btc usdt` (case-insensitive). Exact symbol first,
 * then symbols starting with the text, then base-asset matches, each group in the given order.
 *
 * @param symbols - e.g. `ExchangeInfo.symbols`.
 * @param query - free text.
 * @param limit - maximum results (default 20).
 */
export function searchSymbols(symbols: readonly SymbolInfo[], query: string, limit = 20): SymbolInfo[] {
	const q = query.toUpperCase().replace(/[^A-Z0-9]/g, '');
	if (!q) return symbols.slice(0, limit);
	const exact: SymbolInfo[] = [];
	const prefix: SymbolInfo[] = [];
	const other: SymbolInfo[] = [];
	for (const s of symbols) {
		if (s.symbol === q) exact.push(s);
		else if (s.symbol.startsWith(q)) prefix.push(s);
		else if (s.baseAsset.includes(q) || s.symbol.includes(q)) other.push(s);
	}
	return [...exact, ...prefix, ...other].slice(0, limit);
}

/** A parsed 24h ticker entry. */
export interface Ticker24hr {
	symbol: string;
	quoteVolume: number;
	volume: number;
	lastPrice: number;
	priceChangePercent: number;
	/** Trades in the window (0 for halted/delisted symbols). */
	count: number;
}

/**
 * Parse a `GET /api/v3/ticker/24hr` (all symbols) body.
 * @throws MalformedResponseError if it is not an array of objects with a string `symbol` and numeric `quoteVolume`.
 */
export function parseTickers(body: unknown, url = '/api/v3/ticker/24hr', status = 200): Ticker24hr[] {
	if (!Array.isArray(body)) throw new MalformedResponseError(url, status, 'the 24h ticker list is not an array');
	return body.map((x, i) => {
		if (!isObject(x) || typeof x.symbol !== 'string') {
			throw new MalformedResponseError(url, status, `ticker entry ${i} has no symbol`);
		}
		const quoteVolume = num(x.quoteVolume);
		if (!Number.isFinite(quoteVolume)) {
			throw new MalformedResponseError(url, status, `ticker ${x.symbol}: quoteVolume ${JSON.stringify(x.quoteVolume)} is not a number`);
		}
		return {
			symbol: x.symbol,
			quoteVolume,
			volume: num(x.volume),
			lastPrice: num(x.lastPrice),
			priceChangePercent: num(x.priceChangePercent),
			count: num(x.count)
		};
	});
}

/**
 * Parse a `GET /api/v3/exchangeInfo` body.
 * @throws MalformedResponseError if `symbols` or `rateLimits` is missing or a symbol lacks its name, status or assets.
 */
export function parseExchangeInfo(body: unknown, url = '/api/v3/exchangeInfo', status = 200): ExchangeInfo {
	if (!isObject(body) || !Array.isArray(body.symbols) || !Array.isArray(body.rateLimits)) {
		throw new MalformedResponseError(url, status, 'exchangeInfo has no "symbols" or "rateLimits" list');
	}
	const rateLimits: RateLimit[] = body.rateLimits.filter(isObject).map((r) => ({
		rateLimitType: String(r.rateLimitType),
		interval: String(r.interval),
		intervalNum: num(r.intervalNum),
		limit: num(r.limit)
	}));
	const symbols: SymbolInfo[] = body.symbols.map((s, i) => {
		if (
			!isObject(s) ||
			typeof s.symbol !== 'string' ||
			typeof s.status !== 'string' ||
			typeof s.baseAsset !== 'string' ||
			typeof s.quoteAsset !== 'string'
		) {
			throw new MalformedResponseError(url, status, `exchangeInfo symbol entry ${i} lacks symbol, status or assets`);
		}
		const filters = Array.isArray(s.filters) ? s.filters.filter(isObject) : [];
		const filter = (type: string) => filters.find((f) => f.filterType === type);
		const field = (type: string, name: string): number | null => {
			const f = filter(type);
			if (!f || f[name] === undefined) return null;
			const v = num(f[name]);
			return Number.isFinite(v) ? v : null;
		};
		return {
			symbol: s.symbol,
			status: s.status,
			baseAsset: s.baseAsset,
			quoteAsset: s.quoteAsset,
			tickSize: field('PRICE_FILTER', 'tickSize'),
			stepSize: field('LOT_SIZE', 'stepSize'),
			minNotional: field('MIN_NOTIONAL', 'minNotional') ?? field('NOTIONAL', 'minNotional'),
			displayName: `${s.baseAsset}/${s.quoteAsset}`
		};
	});
	symbols.sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
	return { serverTime: num(body.serverTime), rateLimits, symbols };
}

/**
 * Parse a `GET /api/v3/klines` body (array of 12-field arrays: openTime, "open", "high", "low", "close", "volume",
 * closeTime, ...) and drop the still-open candle (closeTime >= `nowMs`). Candles are validated like imported files.
 * @throws MalformedResponseError naming the row and field when the shape or a number is wrong, an open time is not an
 *   integer, not ascending or outside the requested `[startTime, endTime]` (e.g. a page repeated by a proxy), or the
 *   prices are inconsistent (non-positive, high below low, open/close outside low..high, negative volume).
 */
function parseKlineRows(
	body: unknown,
	url: string,
	status: number,
	nowMs: number,
	asked: { startTime: number; endTime: number }
): RawPage {
	if (!Array.isArray(body)) {
		throw new MalformedResponseError(url, status, `klines response is ${isObject(body) ? 'an object' : typeof body}, not an array of candles`);
	}
	const n = body.length;
	const cols = allocateOhlcv(n);
	let k = 0;
	let droppedOpen = false;
	let firstOpenCandle = NaN;
	let lastRawOpenTime = NaN;
	for (let i = 0; i < n; i++) {
		const row = body[i];
		if (!Array.isArray(row) || row.length < 7) {
			throw new MalformedResponseError(url, status, `candle ${i} is not an array of 12 fields`);
		}
		const values = [0, 1, 2, 3, 4, 5, 6].map((f) => num(row[f]));
		const badField = values.findIndex((v) => !Number.isFinite(v));
		if (badField >= 0) {
			throw new MalformedResponseError(
				url,
				status,
				`candle ${i}: ${KLINE_FIELD_NAMES[badField]} ${JSON.stringify(row[badField])} is not a number`
			);
		}
		const [openTime, open, high, low, close, volume, closeTime] = values;
		if (!Number.isInteger(openTime) || openTime < 0) {
			throw new MalformedResponseError(url, status, `candle ${i}: open time ${openTime} is not a Unix time in milliseconds`);
		}
		if (i > 0 && openTime <= lastRawOpenTime) {
			throw new MalformedResponseError(url, status, `candle ${i}: open times are not ascending`);
		}
		if (openTime < asked.startTime || openTime > asked.endTime) {
			throw new MalformedResponseError(
				url,
				status,
				`candle ${i} opens at ${isoUtc(openTime)}, outside the requested ${isoUtc(asked.startTime)} .. ${Number.isFinite(asked.endTime) ? isoUtc(asked.endTime) : 'now'} (a repeated or stale page)`
			);
		}
		const problem = ohlcProblem(open, high, low, close, volume);
		if (problem) throw new MalformedResponseError(url, status, `candle ${i} (${isoUtc(openTime)}): ${problem}`);
		lastRawOpenTime = openTime;
		if (closeTime >= nowMs || droppedOpen) {
			if (!droppedOpen) firstOpenCandle = openTime;
			droppedOpen = true;
			continue;
		}
		cols.openTime[k] = openTime;
		cols.open[k] = open;
		cols.high[k] = high;
		cols.low[k] = low;
		cols.close[k] = close;
		cols.volume[k] = volume;
		k++;
	}
	const firstRawOpenTime = n > 0 ? num((body[0] as unknown[])[0]) : NaN;
	return { ohlcv: k === n ? cols : sliceOhlcv(cols, 0, k), rawCount: n, firstRawOpenTime, lastRawOpenTime, droppedOpen, firstOpenCandle };
}

const KLINE_FIELD_NAMES = ['open time', 'open', 'high', 'low', 'close', 'volume', 'close time'];

/** Parse a response body as JSON; the error says whether it was empty, cut off or not JSON at all. */
function parseJson(text: string, url: string, status: number): unknown {
	try {
		return JSON.parse(text);
	} catch (e) {
		const start = text.trimStart().slice(0, 30);
		const problem =
			text.trim() === ''
				? 'the response body is empty'
				: /^[[{]/.test(start)
					? `the JSON is incomplete or invalid (${e instanceof Error ? e.message : String(e)}); the response was probably cut off`
					: `the response is not JSON (it starts with ${JSON.stringify(start)})`;
		throw new MalformedResponseError(url, status, problem, { cause: e });
	}
}

function parseJsonLoose(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

function isBinanceErrorBody(x: unknown): x is { code: number; msg: string } {
	return isObject(x) && typeof x.code === 'number' && typeof x.msg === 'string';
}

/**
 * Milliseconds to wait from a `Retry-After` header: non-negative (decimal) seconds, or an HTTP date (RFC 9110; it
 * names a weekday or month, so a bare number such as `-5` is never read as a date). Clamped to
 * {@link MAX_RETRY_AFTER_MS}. NaN when absent or unreadable (negative, garbage).
 */
export function retryAfterMs(value: string | null, nowMs: number): number {
	if (value === null) return NaN;
	const v = value.trim();
	if (v === '') return NaN;
	if (/^\d+(\.\d+)?$/.test(v)) return Math.min(MAX_RETRY_AFTER_MS, Number(v) * 1000);
	if (!/[a-z]{3}/i.test(v) || v.length > 64) return NaN;
	const date = Date.parse(v);
	return Number.isFinite(date) ? Math.min(MAX_RETRY_AFTER_MS, Math.max(0, date - nowMs)) : NaN;
}

/** Exponential backoff: 1 s, 2 s, 4 s, ... capped at 60 s. */
function backoffMs(attempt: number): number {
	return Math.min(60_000, 1000 * 2 ** attempt);
}

function isAbort(e: unknown, signal?: AbortSignal): boolean {
	return (signal?.aborted ?? false) || (isObject(e) && e.name === 'AbortError');
}

function throwIfAborted(signal?: AbortSignal): void {
	if (signal?.aborted) throw signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

function isObject(x: unknown): x is Record<string, unknown> {
	return typeof x === 'object' && x !== null;
}

function num(x: unknown): number {
	if (typeof x === 'number') return x;
	if (typeof x === 'string' && x.trim() !== '') return Number(x);
	return NaN;
}


function concatColumns(chunks: OhlcvColumns[]): OhlcvColumns {
	let n = 0;
	for (const c of chunks) n += c.openTime.length;
	const out = allocateOhlcv(n);
	let k = 0;
	for (const c of chunks) {
		for (const key of ['openTime', 'open', 'high', 'low', 'close', 'volume'] as const) out[key].set(c[key], k);
		k += c.openTime.length;
	}
	return out;
}
