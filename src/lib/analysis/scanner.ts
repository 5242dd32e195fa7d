/**
 * The market scanner: polynomial-regression bands (bands.ts) over many Binance spot markets at once.
 *
 * 1. Universe: the core movers, a typed list, or the top N USDT markets by 24 h quote volume
 *    (`GET /api/v3/ticker/24hr` joined with `exchangeInfo`: status TRADING, pairs of two fiat-pegged assets and
 *    leveraged tokens (`BTCUP`, `ETHDOWN`, `…BULL`, `…BEAR`) left out).
 * 2. Candles: from the IndexedDB cache; `syncCandles` fetches only what the cache does not cover, i.e. what is
 *    missing or newer than the last stored candle (a daily series whose last candle closed more than a day ago
 *    gets the new candles). Several markets at once (default 4), all requests through one Binance client and so
 *    within its request-weight budget.
 * 3. Fit: each market's last `days` of candles (bands.ts `scanMarket`), in a worker when one is given.
 *
 * Failures stay per market: a symbol Binance does not list, a delisted market, an HTTP 451 / network failure
 * (then the cached candles are used when there are any, with a note), too few candles, NaN — each gives its row a
 * clear `error` (or `note`) and the rest of the scan completes.
 */
import { AppError, ValidationError } from '../core/errors';
import { isoUtc, timeframeMs } from '../core/timeframe';
import type { Timeframe, UnixMs } from '../core/types';
import { BinanceApiError, IpBannedError, OfflineError, RateLimitError, RegionRestrictedError } from '../data/errors';
import type { ExchangeInfo, SymbolVolume } from '../data/binance-client';
import { SyncError, syncCandles, type KlineSource, type SyncStore } from '../data/sync';
import type { SeriesRecord } from '../persistence/db';
import {
	BAND_LIMITS,
	SCAN_INTERVALS,
	candlesForDays,
	errorRow,
	scanMarket,
	validateBandInputs,
	type BandRow,
	type BandRowWithBands,
	type BandSignal,
	type ScanInterval,
	type ScanMarketInput,
	type ScanSettings
} from './bands';

/** The markets of the "core movers" universe. */
export const CORE_MOVERS: readonly string[] = Object.freeze(['BTCUSDT', 'ETHUSDT', 'SOLUSDT']);

/** Which markets a scan covers. */
export type UniverseSpec = { kind: 'core' } | { kind: 'list'; symbols: string[] } | { kind: 'top'; n: number };

/** Everything a scan is computed from (stored with it). */
export interface ScanInputs {
	universe: UniverseSpec;
	interval: ScanInterval;
	/** Days of candles per fit (n = days × candles per day). */
	days: number;
	/** Polynomial degree, 2–10. */
	degree: number;
	/** Band half-width in σ, 1.0–3.0. */
	kstd: number;
}

/** Default inputs: top 100 USDT markets, 1d, 720 days, degree 4, 2σ. */
export function defaultScanInputs(): ScanInputs {
	return { universe: { kind: 'top', n: 100 }, interval: '1d', days: BAND_LIMITS.days.default, degree: BAND_LIMITS.degree.default, kstd: BAND_LIMITS.kstd.default };
}

/** One market of a scan: its band row, its 24 h quote volume and what the scanner noticed. */
export interface ScanRow extends BandRow {
	/** 24 h traded value in USDT when Binance's ticker was read, else null. */
	quoteVolume: number | null;
	/** Something the user should know that did not stop the fit (cached data used, stale last candle). */
	note: string | null;
	/** The fitted candles (for the chart and JSON exports); absent for failed rows. */
	series?: { openTime: Float64Array; close: Float64Array; fit: Float64Array };
}

/** A finished scan (what the `scans` store holds). */
export interface ScanResult {
	id: string;
	/** Start time, Unix ms UTC. */
	createdAt: UnixMs;
	finishedAt: UnixMs;
	inputs: ScanInputs;
	rows: ScanRow[];
	/** Scan-wide notes (e.g. Binance unreachable, universe taken from the cache). */
	notes: string[];
	/** Candles fetched from Binance during the scan. */
	candlesFetched: number;
	/** Wall time of the fits, ms (sum over markets). */
	fitMs: number;
}

/** Progress of a running scan. */
export interface ScanProgress {
	phase: 'universe' | 'markets' | 'done';
	/** Markets in the universe. */
	total: number;
	/** Markets finished (fitted or failed). */
	done: number;
	/** Markets that failed so far. */
	failed: number;
	/** Candles fetched from Binance so far. */
	candlesFetched: number;
	/** Markets being worked on now. */
	active: string[];
}

/** What the scanner needs from the Binance client (`BinanceClient` satisfies it). */
export interface ScanMarketData extends KlineSource {
	exchangeInfo(signal?: AbortSignal): Promise<ExchangeInfo>;
	topSymbolsByQuoteVolume(n: number, opts?: { quoteAsset?: string; signal?: AbortSignal }): Promise<SymbolVolume[]>;
}

/** What the scanner needs from the candle cache (`CandleStore` satisfies it). */
export interface ScanStore extends SyncStore {
	getCoverage(symbol: string, interval: Timeframe): Promise<SeriesRecord | undefined>;
	listSeries(): Promise<SeriesRecord[]>;
}

/** Dependencies and callbacks of {@link runScan}. */
export interface ScanDeps {
	client: ScanMarketData;
	store: ScanStore;
	/** Fits one market (default: {@link scanMarket} in this thread; the app passes a worker). */
	fit?: (input: ScanMarketInput, settings: ScanSettings) => BandRowWithBands | Promise<BandRowWithBands>;
	/** Clock, Unix ms (default `Date.now`). */
	now?: () => number;
	/** Markets worked on at once (default 4). */
	concurrency?: number;
	signal?: AbortSignal;
	onProgress?: (p: ScanProgress) => void;
	/** Called with each market's row as soon as it is done. */
	onRow?: (row: ScanRow) => void;
	/** Id of the new scan (default generated). */
	id?: string;
}

/** Quote assets a typed symbol may already end with (otherwise USDT is appended). */
const QUOTE_ASSETS = ['USDT', 'USDC', 'FDUSD', 'BTC', 'ETH', 'BNB', 'EUR', 'TRY'];

/** Suffixes of Binance leveraged tokens (BTCUP, ETHDOWN, BNBBULL, XRPBEAR …). */
const LEVERAGED_SUFFIXES = ['UP', 'DOWN', 'BULL', 'BEAR'];

/**
 * Whether a base asset is a Binance leveraged token: it ends with UP / DOWN / BULL / BEAR and what precedes the
 * suffix is itself a listed base asset (so `JUP` or `SUPER` are not caught).
 * @param base - base asset, e.g. `BTCUP`.
 * @param knownBases - every base asset listed on the exchange.
 */
export function isLeveragedToken(base: string, knownBases: ReadonlySet<string>): boolean {
	return LEVERAGED_SUFFIXES.some((s) => base.length > s.length + 1 && base.endsWith(s) && knownBases.has(base.slice(0, -s.length)));
}

/**
 * Parse a typed market list: separated by spaces, commas or new lines; `btc/usdt`, `BTC-USDT` and `btcusdt` all
 * mean `BTCUSDT`; a bare asset (`sol`) means its USDT market.
 * @returns unique symbols in the order given.
 * @throws ValidationError when the list is empty or an item holds characters a symbol cannot have.
 */
export function parseSymbolList(text: string): string[] {
	const items = text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean);
	if (items.length === 0) throw new ValidationError('The market list is empty: type symbols such as BTCUSDT, ETH/USDT or SOL.');
	const out: string[] = [];
	const bad: string[] = [];
	for (const item of items) {
		const s = item.toUpperCase().replace(/[/\-_]/g, '');
		if (!/^[A-Z0-9]{2,20}$/.test(s)) {
			bad.push(item);
			continue;
		}
		const quoted = QUOTE_ASSETS.some((q) => s.length > q.length + 1 && s.endsWith(q));
		const sym = quoted ? s : `${s}USDT`;
		if (!out.includes(sym)) out.push(sym);
	}
	if (bad.length) throw new ValidationError(`Not a market symbol: ${bad.map((b) => `"${b}"`).join(', ')}. Use letters and digits, e.g. BTCUSDT or ETH/USDT.`);
	return out;
}

/**
 * Check a scan's inputs.
 * @throws ValidationError listing every problem with the allowed values.
 */
export function validateScanInputs(inputs: ScanInputs): void {
	const problems: string[] = [];
	if (!(inputs.interval in SCAN_INTERVALS)) problems.push(`interval must be one of ${Object.keys(SCAN_INTERVALS).join(', ')}, got "${inputs.interval}"`);
	const u = inputs.universe;
	if (!u || !['core', 'list', 'top'].includes(u.kind)) problems.push('universe must be core, list or top');
	else if (u.kind === 'top' && (!Number.isInteger(u.n) || u.n < 1 || u.n > 500)) problems.push(`top N must be a whole number from 1 to 500, got ${u.n}`);
	else if (u.kind === 'list' && (!Array.isArray(u.symbols) || u.symbols.length === 0 || u.symbols.length > 500))
		problems.push('the market list must hold 1 to 500 symbols');
	try {
		validateBandInputs(inputs);
	} catch (e) {
		problems.push((e as Error).message.replace(/^Invalid scanner settings: /, '').replace(/\.$/, ''));
	}
	if (problems.length) throw new ValidationError(`Invalid scan: ${problems.join('; ')}.`);
}

/** Key of scans that can be compared (same universe and settings). */
export function scanCompareKey(inputs: ScanInputs): string {
	const u = inputs.universe;
	const uk = u.kind === 'top' ? `top${u.n}` : u.kind === 'list' ? `list:${[...u.symbols].sort().join(',')}` : 'core';
	return `${uk}|${inputs.interval}|${inputs.days}|${inputs.degree}|${inputs.kstd}`;
}

/** A market whose signal changed between two scans. */
export interface SignalChange {
	symbol: string;
	/** Signal in the previous scan; `null` when the market was not in it (or failed there). */
	from: BandSignal | null;
	/** Signal now; `null` when the market failed now or is not in this scan. */
	to: BandSignal | null;
}

/**
 * Signals that changed from `previous` to `current` (a market failing counts as no signal).
 * @returns changes sorted by symbol.
 */
export function compareScans(current: readonly BandRow[], previous: readonly BandRow[]): SignalChange[] {
	const sig = (r: BandRow | undefined) => (r && !r.error ? r.signal : null);
	const prev = new Map(previous.map((r) => [r.symbol, r]));
	const cur = new Map(current.map((r) => [r.symbol, r]));
	const out: SignalChange[] = [];
	for (const symbol of new Set([...cur.keys(), ...prev.keys()])) {
		const from = sig(prev.get(symbol));
		const to = sig(cur.get(symbol));
		if (from !== to) out.push({ symbol, from, to });
	}
	return out.sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
}

/** Message of a Binance failure for one market, in words a trader can act on. */
function describeFailure(err: unknown): { kind: 'unlisted' | 'region' | 'offline' | 'limited' | 'other'; message: string } {
	const cause = err instanceof SyncError ? (err.cause as unknown) : err;
	if (cause instanceof BinanceApiError && (cause.binanceCode === -1121 || /invalid symbol/i.test(cause.binanceMsg)))
		return { kind: 'unlisted', message: 'Binance does not list this market (invalid symbol): check the spelling, e.g. BTCUSDT.' };
	if (cause instanceof RegionRestrictedError)
		return { kind: 'region', message: `Binance refused the request (HTTP ${cause.status}, restricted region)` };
	if (cause instanceof OfflineError) return { kind: 'offline', message: 'Binance could not be reached (offline or blocked)' };
	if (cause instanceof RateLimitError || cause instanceof IpBannedError) return { kind: 'limited', message: `Binance rate limit: ${cause.message}` };
	return { kind: 'other', message: (cause as Error)?.message ?? String(cause) };
}

/**
 * Run a scan: universe, candles (cache first, sync only what is missing), fits, rows.
 *
 * @param inputs - universe and band settings, see {@link ScanInputs}.
 * @param deps - Binance client, candle store, optional worker fit, clock, concurrency, abort signal, callbacks.
 * @returns the scan with one row per market (failed markets are HOLD rows with `error`), ready to store.
 * @throws ValidationError for invalid inputs (nothing fetched); the signal's reason when aborted.
 */
export async function runScan(inputs: ScanInputs, deps: ScanDeps): Promise<ScanResult> {
	validateScanInputs(inputs);
	const now = deps.now ?? Date.now;
	const createdAt = now();
	const { client, store, signal } = deps;
	const fit = deps.fit ?? scanMarket;
	const interval = inputs.interval as Timeframe;
	const intervalMs = timeframeMs(interval);
	const wanted = candlesForDays(inputs.days, inputs.interval);
	const notes: string[] = [];
	const progress: ScanProgress = { phase: 'universe', total: 0, done: 0, failed: 0, candlesFetched: 0, active: [] };
	const report = () => deps.onProgress?.({ ...progress, active: [...progress.active] });
	report();

	// 1. Universe.
	let info: ExchangeInfo | undefined;
	let volumes = new Map<string, number>();
	let offline = false;
	let ranked: SymbolVolume[] = [];
	try {
		info = await client.exchangeInfo(signal);
		ranked = await client.topSymbolsByQuoteVolume(1_000_000, { signal });
		volumes = new Map(ranked.map((r) => [r.symbol, r.quoteVolume]));
	} catch (e) {
		if (signal?.aborted) throw signal.reason ?? e;
		const f = describeFailure(e);
		offline = f.kind === 'offline' || f.kind === 'region';
		notes.push(`${f.message}${f.message.endsWith('.') ? '' : '.'} Markets were not checked against Binance's list, and cached candles are used as they are.`);
	}
	const preset: ScanRow[] = [];
	let symbols: string[];
	const u = inputs.universe;
	if (u.kind === 'top') {
		if (info && ranked.length) {
			const bases = new Set(info.symbols.map((s) => s.baseAsset));
			// Walk down the ranking: leveraged tokens met before the N-th market are the ones left out of this top N.
			const skipped: SymbolVolume[] = [];
			symbols = [];
			for (const r of ranked) {
				if (symbols.length >= u.n) break;
				if (isLeveragedToken(r.baseAsset, bases)) skipped.push(r);
				else symbols.push(r.symbol);
			}
			if (skipped.length) notes.push(`Leveraged tokens left out: ${skipped.slice(0, 8).map((r) => r.symbol).join(', ')}${skipped.length > 8 ? ` and ${skipped.length - 8} more` : ''}.`);
		} else {
			const stored = (await store.listSeries()).filter((s) => s.interval === interval && s.count > 0 && s.symbol.endsWith('USDT'));
			symbols = stored.map((s) => s.symbol).sort().slice(0, u.n);
			notes.push(`The 24 h volume ranking is not available, so the ${symbols.length} ${inputs.interval} USDT market${symbols.length === 1 ? '' : 's'} stored on this device ${symbols.length === 1 ? 'is' : 'are'} scanned instead of the top ${u.n}.`);
		}
	} else {
		symbols = u.kind === 'core' ? [...CORE_MOVERS] : [...u.symbols];
		if (info) {
			const bySymbol = new Map(info.symbols.map((s) => [s.symbol, s]));
			symbols = symbols.filter((sym) => {
				const s = bySymbol.get(sym);
				if (!s) preset.push({ ...errorRow(sym, `${sym} is not a Binance spot market: check the spelling (e.g. BTCUSDT, ETHUSDT).`), quoteVolume: null, note: null });
				else if (s.status !== 'TRADING')
					preset.push({ ...errorRow(sym, `${sym} is not trading on Binance (status ${s.status}): delisted or halted, so no current bands.`), quoteVolume: null, note: null });
				else return true;
				return false;
			});
		}
	}
	progress.phase = 'markets';
	progress.total = symbols.length + preset.length;
	progress.done = preset.length;
	progress.failed = preset.length;
	for (const r of preset) deps.onRow?.(r);
	report();

	// 2 + 3. Candles and fits, `concurrency` markets at a time.
	let fitMs = 0;
	const rows = new Map<string, ScanRow>(preset.map((r) => [r.symbol, r]));
	const scanOne = async (symbol: string): Promise<ScanRow> => {
		let note: string | null = null;
		let syncFailure: ReturnType<typeof describeFailure> | null = null;
		if (!offline) {
			let lastFetched = 0;
			try {
				const end = now();
				await syncCandles({
					store,
					source: client,
					symbol,
					interval,
					startTime: end - (wanted + 1) * intervalMs,
					endTime: end,
					signal,
					now: end,
					onProgress: (p) => {
						progress.candlesFetched += p.fetched - lastFetched;
						lastFetched = p.fetched;
						report();
					}
				});
			} catch (e) {
				if (signal?.aborted) throw signal.reason ?? e;
				syncFailure = describeFailure(e);
				if (syncFailure.kind === 'offline') offline = true;
				if (syncFailure.kind === 'unlisted') {
					return { ...errorRow(symbol, `${symbol}: ${syncFailure.message}`), quoteVolume: volumes.get(symbol) ?? null, note: null };
				}
			}
		}
		const cov = await store.getCoverage(symbol, interval);
		if (!cov || cov.count === 0 || cov.lastOpenTime === null) {
			const msg = syncFailure
				? `${syncFailure.message.replace(/\.$/, '')}, and no ${inputs.interval} candles of ${symbol} are stored on this device to fall back on.`
				: `not enough data: 0 candles, need ${Math.max(inputs.degree + 2, BAND_LIMITS.minCandlesFloor)} (Binance has no ${inputs.interval} candles of ${symbol} in the last ${inputs.days} days and none are stored on this device).`;
			return { ...errorRow(symbol, msg), quoteVolume: volumes.get(symbol) ?? null, note: null };
		}
		const c = await store.getCandles(symbol, interval, { from: cov.lastOpenTime - (wanted + 64) * intervalMs });
		const k = c.openTime.length;
		const from = Math.max(0, k - wanted);
		const t0 = globalThis.performance?.now() ?? Date.now();
		const row = await fit({ symbol, openTime: c.openTime.subarray(from), close: c.close.subarray(from) }, { ...inputs, includeBands: true });
		fitMs += (globalThis.performance?.now() ?? Date.now()) - t0;
		if (syncFailure) note = `${syncFailure.message}${syncFailure.message.endsWith('.') ? '' : ':'} fitted on the candles stored on this device (last one ${isoUtc(cov.lastOpenTime).slice(0, 10)}).`;
		else if (row.asOf !== null && row.asOf + 2 * intervalMs < now()) {
			const age = Math.floor((now() - row.asOf - intervalMs) / intervalMs);
			note = offline
				? `cached candles only (Binance unreachable): last candle ${isoUtc(row.asOf).slice(0, 10)}, ${age} ${inputs.interval} candles ago.`
				: `stale: Binance returned nothing after ${isoUtc(row.asOf).slice(0, 10)} (${age} ${inputs.interval} candles ago); the market may be delisted.`;
		}
		const { bands, ...rest } = row;
		return {
			...rest,
			quoteVolume: volumes.get(symbol) ?? null,
			note,
			series: bands ? { openTime: bands.openTime, close: bands.close, fit: bands.fit } : undefined
		};
	};

	const queue = [...symbols];
	const workers = Array.from({ length: Math.max(1, Math.min(deps.concurrency ?? 4, queue.length)) }, async () => {
		for (;;) {
			const symbol = queue.shift();
			if (symbol === undefined) return;
			signal?.throwIfAborted();
			progress.active.push(symbol);
			report();
			let row: ScanRow;
			try {
				row = await scanOne(symbol);
			} catch (e) {
				if (signal?.aborted) throw signal.reason ?? e;
				const msg = e instanceof AppError || e instanceof Error ? e.message : String(e);
				row = { ...errorRow(symbol, msg), quoteVolume: volumes.get(symbol) ?? null, note: null };
			}
			rows.set(symbol, row);
			progress.active = progress.active.filter((s) => s !== symbol);
			progress.done++;
			if (row.error) progress.failed++;
			deps.onRow?.(row);
			report();
		}
	});
	await Promise.all(workers);
	progress.phase = 'done';
	report();
	const order = u.kind === 'top' ? symbols : u.kind === 'core' ? [...CORE_MOVERS] : [...u.symbols];
	return {
		id: deps.id ?? `scan-${createdAt.toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
		createdAt,
		finishedAt: now(),
		inputs,
		rows: order.map((s) => rows.get(s)!).filter(Boolean),
		notes,
		candlesFetched: progress.candlesFetched,
		fitMs
	};
}
