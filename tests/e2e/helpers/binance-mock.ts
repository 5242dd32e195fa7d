/**
 * A stand-in for Binance's REST API in Playwright: every `/api/v3/*` request is answered from
 * recorded real data in tests/fixtures (never the network). Klines come from the files of `SERIES`
 * (tests/fixtures/klines: BTC/ETH/BNB/SOL/XRP 1h, BTC/ETH 4h) and are served the way Binance serves them: filtered by
 * `startTime`/`endTime` (inclusive open times), at most `limit` rows (default 500, max 1000), as
 * 12-field arrays with prices as 8-decimal strings. exchangeInfo is the recorded response
 * tests/fixtures/api/spot-exchangeInfo-BTCUSDT-ETHUSDT.json.
 */
import { readFileSync } from 'node:fs';
import type { Page, Route } from '@playwright/test';

const HOUR = 3_600_000;
const INTERVAL_MS: Record<string, number> = { '1h': HOUR, '4h': 4 * HOUR };
const SERIES: Record<string, string> = {
	'BTCUSDT:1h': 'tests/fixtures/klines/BTCUSDT-1h.csv',
	// Research jobs over several markets and timeframes (tests/e2e/app-research.spec.ts); BNB/SOL/XRP 4h are not
	// recorded (Binance answers "invalid" here), so the app builds them from the 1h candles.
	'ETHUSDT:1h': 'tests/fixtures/klines/ETHUSDT-1h.csv',
	'BNBUSDT:1h': 'tests/fixtures/klines/BNBUSDT-1h.csv',
	'SOLUSDT:1h': 'tests/fixtures/klines/SOLUSDT-1h.csv',
	'XRPUSDT:1h': 'tests/fixtures/klines/XRPUSDT-1h.csv',
	'BTCUSDT:4h': 'tests/fixtures/klines/BTCUSDT-4h-2025-2026.csv',
	'ETHUSDT:4h': 'tests/fixtures/klines/ETHUSDT-4h-2025-2026.csv'
};
const cache = new Map<string, string[][]>();

/** Binance prints decimals with 8 places: `118784.8` -> `118784.80000000`. */
function pad8(s: string): string {
	const [i, f = ''] = s.split('.');
	return `${i}.${f.padEnd(8, '0')}`;
}

function rows(key: string): string[][] {
	let r = cache.get(key);
	if (!r) {
		r = readFileSync(SERIES[key], 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
		cache.set(key, r);
	}
	return r;
}

/**
 * The kline rows Binance would return for a query (12 fields each). Columns 8-12 (quote volume,
 * trade count, taker volumes) are not in the fixture and are sent as zeros; the app does not read them.
 */
export function klinesResponse(query: URLSearchParams): unknown[] | null {
	const symbol = query.get('symbol') ?? '';
	const interval = query.get('interval') ?? '';
	const key = `${symbol}:${interval}`;
	if (!SERIES[key]) return null;
	const start = Number(query.get('startTime') ?? 0);
	const end = query.has('endTime') ? Number(query.get('endTime')) : Infinity;
	const limit = Math.min(1000, Number(query.get('limit') ?? 500));
	const out: unknown[] = [];
	for (const r of rows(key)) {
		const t = Number(r[0]);
		if (t < start) continue;
		if (t > end || out.length >= limit) break;
		out.push([t, pad8(r[1]), pad8(r[2]), pad8(r[3]), pad8(r[4]), pad8(r[5]), t + INTERVAL_MS[interval] - 1, '0.00000000', 0, '0.00000000', '0.00000000', '0']);
	}
	return out;
}

/** A scripted non-200 answer for the next matching requests. */
export interface MockFailure {
	/** Path suffix it applies to, e.g. `/api/v3/klines`. */
	path: string;
	status: number;
	headers?: Record<string, string>;
	body?: unknown;
	/** How many requests get it (default 1; Infinity for all). */
	times?: number;
}

/** What the mock saw, for assertions. */
export interface MockLog {
	requests: URL[];
	failuresServed: number;
}

const CORS = { 'access-control-allow-origin': '*', 'content-type': 'application/json' };

/**
 * Answer every Binance request of `page` from the fixtures.
 * @param failures - scripted error answers served first (e.g. a 429 with Retry-After).
 * @returns a live log of requests.
 */
export async function mockBinance(page: Page, failures: MockFailure[] = []): Promise<MockLog> {
	const log: MockLog = { requests: [], failuresServed: 0 };
	const pending = failures.map((f) => ({ ...f, left: f.times ?? 1 }));
	await page.route('**/api/v3/**', async (route: Route) => {
		const url = new URL(route.request().url());
		log.requests.push(url);
		const fail = pending.find((f) => f.left > 0 && url.pathname.endsWith(f.path));
		if (fail) {
			fail.left--;
			log.failuresServed++;
			return route.fulfill({ status: fail.status, headers: { ...CORS, ...fail.headers }, body: JSON.stringify(fail.body ?? {}) });
		}
		if (url.pathname.endsWith('/api/v3/exchangeInfo')) {
			return route.fulfill({ status: 200, headers: CORS, body: readFileSync('tests/fixtures/api/spot-exchangeInfo-BTCUSDT-ETHUSDT.json', 'utf8') });
		}
		if (url.pathname.endsWith('/api/v3/klines')) {
			const body = klinesResponse(url.searchParams);
			if (!body) return route.fulfill({ status: 400, headers: CORS, body: JSON.stringify({ code: -1121, msg: 'Invalid symbol.' }) });
			return route.fulfill({ status: 200, headers: { ...CORS, 'x-mbx-used-weight-1m': '2' }, body: JSON.stringify(body) });
		}
		return route.fulfill({ status: 404, headers: CORS, body: JSON.stringify({ code: -1, msg: 'not mocked' }) });
	});
	return log;
}

/** Make Binance unreachable (every request fails at the network level, as offline). */
export async function blockBinance(page: Page): Promise<void> {
	await page.route('**/api/v3/**', (route) => route.abort('internetdisconnected'));
}

/** Keep the bundled dataset from loading, so the store starts empty (to exercise a real sync). */
export async function blockBundledDataset(page: Page): Promise<void> {
	await page.route('**/data/BTCUSDT-1h-2y.csv.gz', (route) => route.fulfill({ status: 404, body: 'not here' }));
}

/** The S1 reference window (tests/fixtures/reference/SCENARIOS.md) as `datetime-local` values, UTC. */
export const REFERENCE_RANGE = { from: '2025-07-25T17:00', to: '2026-07-25T16:00' } as const;
