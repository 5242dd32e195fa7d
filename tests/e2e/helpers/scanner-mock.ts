/**
 * Binance stand-in for the scanner's end-to-end tests: every `/api/v3/*` request answered from recorded real data.
 * - `exchangeInfo`: tests/fixtures/api/spot-exchangeInfo-full-2022-12-17.json.gz (full recorded response);
 * - `ticker/24hr`: tests/fixtures/api/spot-ticker-24hr-all-2024-03-10.json.gz (all symbols, recorded);
 * - `klines` (1d): tests/fixtures/klines-1d/<SYMBOL>-1d.csv filtered like Binance (startTime/endTime on open time,
 *   limit ≤ 1000); a listed symbol without a recorded file gets an empty list; an unlisted one Binance's -1121;
 * - `fail451`: symbols whose klines requests get HTTP 451 (restricted region), as Binance answers mid-scan.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Page, Route } from '@playwright/test';

const DAY = 86_400_000;
const CORS = { 'access-control-allow-origin': '*', 'content-type': 'application/json' };
const exchangeInfo = gunzipSync(readFileSync('tests/fixtures/api/spot-exchangeInfo-full-2022-12-17.json.gz')).toString('utf8');
const ticker = gunzipSync(readFileSync('tests/fixtures/api/spot-ticker-24hr-all-2024-03-10.json.gz')).toString('utf8');
const listed = new Set((JSON.parse(exchangeInfo) as { symbols: { symbol: string }[] }).symbols.map((s) => s.symbol));
const files = new Map<string, string[][]>();

function dailyRows(symbol: string): string[][] {
	let r = files.get(symbol);
	if (!r) {
		const p = `tests/fixtures/klines-1d/${symbol}-1d.csv`;
		r = existsSync(p) ? readFileSync(p, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')) : [];
		files.set(symbol, r);
	}
	return r;
}

/** What the mock saw. */
export interface ScannerMockLog {
	klines: URL[];
	other: URL[];
}

/**
 * Answer the page's Binance requests from the recorded data.
 * @param opts.fail451 - symbols whose klines get HTTP 451.
 */
export async function mockBinanceForScanner(page: Page, opts: { fail451?: string[] } = {}): Promise<ScannerMockLog> {
	const log: ScannerMockLog = { klines: [], other: [] };
	const fail = new Set(opts.fail451 ?? []);
	await page.route('**/api/v3/**', async (route: Route) => {
		const url = new URL(route.request().url());
		if (url.pathname.endsWith('/exchangeInfo')) {
			log.other.push(url);
			return route.fulfill({ status: 200, headers: CORS, body: exchangeInfo });
		}
		if (url.pathname.endsWith('/ticker/24hr')) {
			log.other.push(url);
			return route.fulfill({ status: 200, headers: CORS, body: ticker });
		}
		if (url.pathname.endsWith('/klines')) {
			log.klines.push(url);
			const q = url.searchParams;
			const symbol = q.get('symbol') ?? '';
			if (fail.has(symbol)) return route.fulfill({ status: 451, headers: CORS, body: '' });
			if (!listed.has(symbol)) return route.fulfill({ status: 400, headers: CORS, body: JSON.stringify({ code: -1121, msg: 'Invalid symbol.' }) });
			if (q.get('interval') !== '1d') return route.fulfill({ status: 200, headers: CORS, body: '[]' });
			const start = Number(q.get('startTime') ?? 0);
			const end = q.has('endTime') ? Number(q.get('endTime')) : Infinity;
			const limit = Math.min(1000, Number(q.get('limit') ?? 500));
			const out: unknown[] = [];
			for (const r of dailyRows(symbol)) {
				const t = Number(r[0]);
				if (t < start) continue;
				if (t > end || out.length >= limit) break;
				out.push([t, r[1], r[2], r[3], r[4], r[5], t + DAY - 1, '0', 0, '0', '0', '0']);
			}
			return route.fulfill({ status: 200, headers: { ...CORS, 'x-mbx-used-weight-1m': '2' }, body: JSON.stringify(out) });
		}
		log.other.push(url);
		return route.fulfill({ status: 404, headers: CORS, body: JSON.stringify({ code: -1, msg: 'not mocked' }) });
	});
	return log;
}

/** Keep the bundled daily candles from loading (so the scan fetches from the mocked Binance). */
export async function blockBundledDaily(page: Page): Promise<void> {
	await page.route('**/data/daily-1d-usdt.csv.gz', (route) => route.fulfill({ status: 404, body: 'not here' }));
}
