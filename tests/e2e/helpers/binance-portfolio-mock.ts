/**
 * Binance answered from recorded real data for the Portfolio screen (never the network): klines of
 * BTCUSDT, ETHUSDT, BNBUSDT, SOLUSDT and XRPUSDT 1h from tests/fixtures/klines (served the way Binance
 * serves them: `startTime`/`endTime` inclusive, at most `limit` rows, 12 fields with 8-decimal
 * strings), the full recorded `exchangeInfo` (2022-12-17) and the full recorded 24h ticker
 * (2024-03-10) from tests/fixtures/api. Chosen symbols can be made to fail at the network level
 * (as a blocked or unreachable host does) to exercise the per-market failure path.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Page, Route } from '@playwright/test';

const HOUR = 3_600_000;
/** Kline fixtures by symbol (1h). */
export const PORTFOLIO_FIXTURES: Record<string, string> = {
	BTCUSDT: 'tests/fixtures/klines/BTCUSDT-1h.csv',
	ETHUSDT: 'tests/fixtures/klines/ETHUSDT-1h.csv',
	BNBUSDT: 'tests/fixtures/klines/BNBUSDT-1h.csv',
	SOLUSDT: 'tests/fixtures/klines/SOLUSDT-1h.csv',
	XRPUSDT: 'tests/fixtures/klines/XRPUSDT-1h.csv'
};
const rowsCache = new Map<string, string[][]>();
let exchangeInfo: string | null = null;
let tickers: string | null = null;

function pad8(s: string): string {
	const [i, f = ''] = s.split('.');
	return `${i}.${f.padEnd(8, '0')}`;
}

function rows(symbol: string): string[][] {
	let r = rowsCache.get(symbol);
	if (!r) {
		r = readFileSync(PORTFOLIO_FIXTURES[symbol], 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
		rowsCache.set(symbol, r);
	}
	return r;
}

/** Options of {@link mockBinancePortfolio}. */
export interface PortfolioMockOptions {
	/** Symbols whose kline requests fail at the network level. */
	failSymbols?: string[];
}

/** Answer every Binance request of `page` from the fixtures; returns the requested URLs. */
export async function mockBinancePortfolio(page: Page, options: PortfolioMockOptions = {}): Promise<URL[]> {
	const log: URL[] = [];
	const CORS = { 'access-control-allow-origin': '*', 'content-type': 'application/json' };
	await page.route('**/api/v3/**', async (route: Route) => {
		const url = new URL(route.request().url());
		log.push(url);
		if (url.pathname.endsWith('/api/v3/exchangeInfo')) {
			exchangeInfo ??= gunzipSync(readFileSync('tests/fixtures/api/spot-exchangeInfo-full-2022-12-17.json.gz')).toString('utf8');
			return route.fulfill({ status: 200, headers: CORS, body: exchangeInfo });
		}
		if (url.pathname.endsWith('/api/v3/ticker/24hr')) {
			tickers ??= gunzipSync(readFileSync('tests/fixtures/api/spot-ticker-24hr-all-2024-03-10.json.gz')).toString('utf8');
			return route.fulfill({ status: 200, headers: CORS, body: tickers });
		}
		if (url.pathname.endsWith('/api/v3/klines')) {
			const q = url.searchParams;
			const symbol = q.get('symbol') ?? '';
			if (options.failSymbols?.includes(symbol)) return route.abort('connectionrefused');
			if (!PORTFOLIO_FIXTURES[symbol] || q.get('interval') !== '1h') {
				return route.fulfill({ status: 400, headers: CORS, body: JSON.stringify({ code: -1121, msg: 'Invalid symbol.' }) });
			}
			const start = Number(q.get('startTime') ?? 0);
			const end = q.has('endTime') ? Number(q.get('endTime')) : Infinity;
			const limit = Math.min(1000, Number(q.get('limit') ?? 500));
			const out: unknown[] = [];
			for (const r of rows(symbol)) {
				const t = Number(r[0]);
				if (t < start) continue;
				if (t > end || out.length >= limit) break;
				out.push([t, pad8(r[1]), pad8(r[2]), pad8(r[3]), pad8(r[4]), pad8(r[5]), t + HOUR - 1, '0.00000000', 0, '0.00000000', '0.00000000', '0']);
			}
			return route.fulfill({ status: 200, headers: { ...CORS, 'x-mbx-used-weight-1m': '2' }, body: JSON.stringify(out) });
		}
		return route.fulfill({ status: 404, headers: CORS, body: JSON.stringify({ code: -1, msg: 'not mocked' }) });
	});
	return log;
}
