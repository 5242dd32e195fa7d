/**
 * A fake Binance REST server for tests: answers `GET /api/v3/klines` from recorded real BTCUSDT 1h candles the way
 * Binance does (startTime/endTime filter on open time, limit default 500 and max 1000, only candles that have
 * opened by `now()`, 12-field arrays with 8-decimal price strings), plus recorded exchangeInfo and 24h tickers.
 *
 * Candle sources, later overriding earlier: klines/BTCUSDT-1h.csv (6 columns; close_time = open + 1h - 1, the
 * fields it lacks written as zero strings), then the verbatim 12-field rows of api/klines-BTCUSDT-1h-12col.csv
 * and binance-archive/BTCUSDT-1h-2023-*.csv (which include the 2023-03-24 halt candle's real close time).
 */
import { ARCHIVE_2023, HOUR, fixtureGunzipText, fixtureText } from './fixtures';

type ApiKline = [number, string, string, string, string, string, number, string, number, string, string, string];

function loadCandles(): { times: number[]; rows: ApiKline[] } {
	const byTime = new Map<number, ApiKline>();
	const six = fixtureText('klines/BTCUSDT-1h.csv').split('\n').slice(1);
	for (const line of six) {
		if (!line) continue;
		const f = line.split(',');
		const t = Number(f[0]);
		const d8 = (s: string) => Number(s).toFixed(8);
		byTime.set(t, [t, d8(f[1]), d8(f[2]), d8(f[3]), d8(f[4]), d8(f[5]), t + HOUR - 1, '0.00000000', 0, '0.00000000', '0.00000000', '0']);
	}
	const twelve = ['api/klines-BTCUSDT-1h-12col.csv', ...ARCHIVE_2023.map((n) => `binance-archive/${n}`)];
	for (const file of twelve) {
		for (const line of fixtureText(file).split('\n').slice(1)) {
			if (!line) continue;
			const f = line.split(',');
			byTime.set(Number(f[0]), [Number(f[0]), f[1], f[2], f[3], f[4], f[5], Number(f[6]), f[7], Number(f[8]), f[9], f[10], f[11]]);
		}
	}
	const times = [...byTime.keys()].sort((a, b) => a - b);
	return { times, rows: times.map((t) => byTime.get(t)!) };
}

let cache: { times: number[]; rows: ApiKline[] } | undefined;
/** All recorded BTCUSDT 1h candles as Binance API rows, ascending. */
export function apiCandles() {
	return (cache ??= loadCandles());
}

export interface FakeCall {
	url: string;
	init: RequestInit | undefined;
}

export interface FakeBinance {
	fetch: typeof fetch;
	calls: FakeCall[];
	/** Clock shared with the client: `now()` and a `sleep` that advances it and records the waits. */
	now: () => number;
	sleep: (ms: number) => Promise<void>;
	sleeps: number[];
	setNow(t: number): void;
	/** Queue responses (or thrown errors) to answer before the normal routing, one per request. */
	queue: Array<Response | Error | ((url: string) => Response | Error | undefined)>;
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
	new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** Create a fake server whose clock starts at `now`. */
export function fakeBinance(now: number): FakeBinance {
	let clock = now;
	const { times, rows } = apiCandles();
	const calls: FakeCall[] = [];
	const sleeps: number[] = [];
	const queue: FakeBinance['queue'] = [];
	const fetchFn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
		const url = String(input);
		calls.push({ url, init });
		if (init?.signal?.aborted) throw new DOMException('This operation was aborted', 'AbortError');
		while (queue.length > 0) {
			const next = queue.shift()!;
			const r = typeof next === 'function' ? next(url) : next;
			if (r === undefined) break;
			if (r instanceof Error) throw r;
			return r;
		}
		const u = new URL(url);
		if (u.pathname === '/api/v3/exchangeInfo') return new Response(exchangeInfoText());
		if (u.pathname === '/api/v3/ticker/24hr') return new Response(tickerText());
		if (u.pathname !== '/api/v3/klines') return json({ code: -1000, msg: 'Unknown path.' }, 404);
		const q = u.searchParams;
		if (q.get('symbol') !== 'BTCUSDT') return json({ code: -1121, msg: 'Invalid symbol.' }, 400);
		if (q.get('interval') !== '1h') return json({ code: -1120, msg: 'Invalid interval.' }, 400);
		const limit = Number(q.get('limit') ?? 500);
		if (!(limit >= 1 && limit <= 1000)) return json({ code: -1130, msg: 'Invalid data sent for a parameter.' }, 400);
		const start = q.has('startTime') ? Number(q.get('startTime')) : -Infinity;
		const end = q.has('endTime') ? Number(q.get('endTime')) : Infinity;
		const out: ApiKline[] = [];
		let i = lowerBound(times, start);
		if (!q.has('startTime')) {
			// Most recent `limit` candles up to endTime/now.
			const last = upperBound(times, Math.min(end, clock)) - 1;
			i = Math.max(0, last - limit + 1);
		}
		for (; i < times.length && out.length < limit; i++) {
			if (times[i] > end || times[i] > clock) break;
			out.push(rows[i]);
		}
		return json(out, 200, { 'x-mbx-used-weight-1m': '2' });
	};
	return {
		fetch: fetchFn as typeof fetch,
		calls,
		now: () => clock,
		sleep: async (ms: number) => {
			sleeps.push(ms);
			clock += ms;
		},
		sleeps,
		setNow: (t) => (clock = t),
		queue
	};
}

let infoText: string | undefined;
let tickers: string | undefined;
/** Recorded full exchangeInfo (2022-12-17), verbatim text. */
export function exchangeInfoText(): string {
	return (infoText ??= fixtureGunzipText('api/spot-exchangeInfo-full-2022-12-17.json.gz'));
}
/** Recorded full 24h ticker list (2024-03-10), verbatim text. */
export function tickerText(): string {
	return (tickers ??= fixtureGunzipText('api/spot-ticker-24hr-all-2024-03-10.json.gz'));
}

function lowerBound(a: number[], x: number): number {
	let lo = 0;
	let hi = a.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (a[mid] < x) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

function upperBound(a: number[], x: number): number {
	let lo = 0;
	let hi = a.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (a[mid] <= x) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}
