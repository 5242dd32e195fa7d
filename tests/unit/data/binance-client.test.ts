import { describe, expect, it } from 'vitest';
import { isoUtc, sliceOhlcv } from '../../../src/lib/core/timeframe';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import {
	BinanceClient,
	PEGGED_ASSETS,
	parseTickers,
	rankSymbolsByQuoteVolume,
	searchSymbols,
	type KlineProgress
} from '../../../src/lib/data/binance-client';
import {
	BinanceApiError,
	IpBannedError,
	MalformedResponseError,
	OfflineError,
	RateLimitError,
	RegionRestrictedError,
	ServerError
} from '../../../src/lib/data/errors';
import { findGaps } from '../../../src/lib/data/gaps';
import { parseKlineCsv } from '../../../src/lib/data/kline-csv';
import { exchangeInfoText, fakeBinance, tickerText, type FakeBinance } from './fake-binance';
import { HOUR, fixtureText, ms, expectSameOhlcv } from './fixtures';

const DATA_API = 'https://data-api.binance.vision';
const API = 'https://api.binance.com';
const AFTER_ALL = ms('2026-07-26T00:00:00Z'); // every recorded candle is closed by then

const btc = parseKlineCsv(fixtureText('klines/BTCUSDT-1h.csv')).ohlcv;
const full12 = parseKlineCsv(fixtureText('api/klines-BTCUSDT-1h-12col.csv')).ohlcv;

function clientFor(fake: FakeBinance, extra: Partial<ConstructorParameters<typeof BinanceClient>[0]> = {}) {
	return new BinanceClient({ fetch: fake.fetch, now: fake.now, sleep: fake.sleep, ...extra });
}

/** Bars of the fixture with open time in [from, to). */
function range(ohlcv: OhlcvColumns, from: number, to: number): OhlcvColumns {
	const t = Array.from(ohlcv.openTime);
	const a = t.findIndex((x) => x >= from);
	const b = t.findIndex((x) => x >= to);
	return sliceOhlcv(ohlcv, a, b < 0 ? t.length : b);
}

const json = (body: unknown, status: number, headers: Record<string, string> = {}) =>
	new Response(JSON.stringify(body), { status, headers });

async function rejection(p: Promise<unknown>): Promise<Error> {
	try {
		await p;
	} catch (e) {
		return e as Error;
	}
	throw new Error('expected the promise to reject');
}

describe('fetchKlinePage', () => {
	const recorded = fixtureText('api/spot-klines-BTCUSDT-1m.json');
	const raw = JSON.parse(recorded) as unknown[][];

	it('parses the recorded /api/v3/klines response (12 fields, string prices)', async () => {
		const fake = fakeBinance(AFTER_ALL);
		fake.queue.push(new Response(recorded));
		const page = await clientFor(fake).fetchKlinePage({ symbol: 'BTCUSDT', interval: '1m', startTime: 1634943780000, limit: 10 });
		expect(page.openTime.length).toBe(10);
		expect(Array.from(page.openTime)).toEqual(raw.map((r) => r[0]));
		expect(Array.from(page.open)).toEqual(raw.map((r) => Number(r[1])));
		expect(Array.from(page.high)).toEqual(raw.map((r) => Number(r[2])));
		expect(Array.from(page.low)).toEqual(raw.map((r) => Number(r[3])));
		expect(Array.from(page.close)).toEqual(raw.map((r) => Number(r[4])));
		expect(Array.from(page.volume)).toEqual(raw.map((r) => Number(r[5])));
		expect(page.open[0]).toBe(60685.22);
		expect(fake.calls[0].url).toBe(`${DATA_API}/api/v3/klines?symbol=BTCUSDT&interval=1m&startTime=1634943780000&limit=10`);
	});

	it('drops the still-open last candle (closeTime >= now)', async () => {
		const fake = fakeBinance((raw[9][0] as number) + 30_000);
		fake.queue.push(new Response(recorded));
		const page = await clientFor(fake).fetchKlinePage({ symbol: 'BTCUSDT', interval: '1m', startTime: 1634943780000 });
		expect(page.openTime.length).toBe(9);
		expect(page.openTime[8]).toBe(raw[8][0]);
	});

	it('sends plain GETs without custom headers (no CORS preflight)', async () => {
		const fake = fakeBinance(AFTER_ALL);
		const client = clientFor(fake);
		await client.fetchKlinePage({ symbol: 'BTCUSDT', interval: '1h', startTime: ms('2024-01-01T00:00:00Z'), limit: 5 });
		await client.fetchKlinePage({ symbol: 'BTCUSDT', interval: '1h', startTime: ms('2024-01-01T00:00:00Z'), limit: 5, signal: new AbortController().signal });
		expect(Object.keys(fake.calls[0].init ?? {})).toEqual(['signal']); // its own AbortController (request timeout)
		expect(Object.keys(fake.calls[1].init ?? {})).toEqual(['signal']);
	});
});

describe('fetchKlines paging', () => {
	it('fetches 2,500 candles in 3 pages, exactly the recorded 12-field rows, no duplicates, progress per page', async () => {
		const fake = fakeBinance(AFTER_ALL);
		const start = full12.openTime[0];
		const progress: KlineProgress[] = [];
		const pageSizes: number[] = [];
		const out = await clientFor(fake).fetchKlines({
			symbol: 'BTCUSDT',
			interval: '1h',
			startTime: start,
			endTime: start + 2500 * HOUR,
			onPage: async (page, p) => {
				pageSizes.push(page.openTime.length);
				progress.push({ ...p });
			}
		});
		expect(fake.calls.length).toBe(3);
		expect(pageSizes).toEqual([1000, 1000, 500]);
		// Each page proves [its request's start, last candle + 1 h): contiguous, no hole, nothing past the last candle.
		expect(progress).toEqual([
			{ fetched: 1000, expected: 2500, covered: { from: start, to: start + 1000 * HOUR } },
			{ fetched: 2000, expected: 2500, covered: { from: start + 1000 * HOUR, to: start + 2000 * HOUR } },
			{ fetched: 2500, expected: 2500, covered: { from: start + 2000 * HOUR, to: start + 2500 * HOUR } }
		]);
		expectSameOhlcv(out, sliceOhlcv(full12, 0, 2500));
		const urls = fake.calls.map((c) => new URL(c.url));
		expect(urls.map((u) => Number(u.searchParams.get('startTime')))).toEqual([start, start + 1000 * HOUR, start + 2000 * HOUR]);
		expect(urls.every((u) => u.searchParams.get('endTime') === String(start + 2500 * HOUR - 1) && u.searchParams.get('limit') === '1000')).toBe(true);
	});

	it('returns the 2023-03-24 halt as a gap across pages (2,499 of 2,500 candles)', async () => {
		const fake = fakeBinance(AFTER_ALL);
		const start = ms('2023-03-01T00:00:00Z');
		let last: KlineProgress | undefined;
		const out = await clientFor(fake).fetchKlines({
			symbol: 'BTCUSDT',
			interval: '1h',
			startTime: start,
			endTime: start + 2500 * HOUR,
			onPage: (_, p) => void (last = p)
		});
		expect(fake.calls.length).toBe(3);
		expect(out.openTime.length).toBe(2499);
		// The halt hour is inside the first page, so that page spans 1,001 hours.
		expect(last).toEqual({ fetched: 2499, expected: 2500, covered: { from: start + 2001 * HOUR, to: start + 2500 * HOUR } });
		expect(findGaps(out.openTime, HOUR)).toEqual([{ fromOpenTime: ms('2023-03-24T13:00:00Z'), toOpenTime: ms('2023-03-24T13:00:00Z'), missingBars: 1 }]);
		expectSameOhlcv(out, range(btc, start, start + 2500 * HOUR));
	});

	it('fetches the whole 78,221-candle history and stops when Binance has no more data', async () => {
		const fake = fakeBinance(AFTER_ALL);
		const out = await clientFor(fake).fetchKlines({
			symbol: 'BTCUSDT',
			interval: '1h',
			startTime: ms('2017-01-01T00:00:00Z'),
			endTime: AFTER_ALL
		});
		expectSameOhlcv(out, btc);
		// 79 pages; the last one is short, which alone proves nothing: one more request (empty) and one probe
		// without endTime (nothing after the last candle either) confirm the end of the data.
		expect(fake.calls.length).toBe(Math.ceil(78_221 / 1000) + 2);
	});

	it('drops the open candle and stops: now() inside the 2026-07-25T16:00Z candle', async () => {
		const fake = fakeBinance(ms('2026-07-25T16:30:00Z'));
		const out = await clientFor(fake).fetchKlines({
			symbol: 'BTCUSDT',
			interval: '1h',
			startTime: ms('2026-07-20T00:00:00Z'),
			endTime: ms('2026-07-27T00:00:00Z')
		});
		expect(isoUtc(out.openTime[out.openTime.length - 1])).toBe('2026-07-25T15:00:00Z');
		expectSameOhlcv(out, range(btc, ms('2026-07-20T00:00:00Z'), ms('2026-07-25T16:00:00Z')));
		expect(fake.calls.length).toBe(1);
	});

	it('stops when aborted between pages, with an AbortError', async () => {
		const fake = fakeBinance(AFTER_ALL);
		const ctrl = new AbortController();
		const err = await rejection(
			clientFor(fake).fetchKlines({
				symbol: 'BTCUSDT',
				interval: '1h',
				startTime: full12.openTime[0],
				endTime: full12.openTime[0] + 3000 * HOUR,
				signal: ctrl.signal,
				onPage: () => ctrl.abort()
			})
		);
		expect(err.name).toBe('AbortError');
		expect(fake.calls.length).toBe(1);
	});
});

describe('errors, retries and host fallback', () => {
	const page = (client: BinanceClient, symbol = 'BTCUSDT') =>
		client.fetchKlinePage({ symbol, interval: '1h', startTime: ms('2024-01-01T00:00:00Z'), limit: 3 });

	it('429 with Retry-After: waits that long, then succeeds', async () => {
		const fake = fakeBinance(AFTER_ALL);
		fake.queue.push(json({ code: -1003, msg: 'Too many requests.' }, 429, { 'retry-after': '3' }));
		const out = await page(clientFor(fake));
		expect(out.openTime.length).toBe(3);
		expect(fake.sleeps).toEqual([3000]);
		expect(fake.calls.map((c) => c.url.startsWith(DATA_API))).toEqual([true, true]);
	});

	it('429 without Retry-After backs off exponentially; too many 429s give RateLimitError', async () => {
		const fake = fakeBinance(AFTER_ALL);
		fake.queue.push(json({}, 429), json({}, 429));
		await page(clientFor(fake));
		expect(fake.sleeps).toEqual([1000, 2000]);
		const fake2 = fakeBinance(AFTER_ALL);
		for (let i = 0; i < 5; i++) fake2.queue.push(json({}, 429, { 'retry-after': '1' }));
		const err = await rejection(page(clientFor(fake2, { maxRetries: 2 })));
		expect(err).toBeInstanceOf(RateLimitError);
		expect(err.message).toMatch(/rate-limiting this IP \(HTTP 429\) after 3 attempt/);
		expect(fake2.calls.length).toBe(3);
	});

	it('418: IpBannedError with the time the ban lifts; no request is sent before then', async () => {
		const fake = fakeBinance(AFTER_ALL);
		fake.queue.push(json({ code: -1003, msg: 'Way too many requests; IP banned until 1785024000000.' }, 418, { 'retry-after': '7200' }));
		const client = clientFor(fake);
		const err = await rejection(page(client));
		expect(err).toBeInstanceOf(IpBannedError);
		expect((err as IpBannedError).retryAt).toBe(AFTER_ALL + 7_200_000);
		expect(err.message).toMatch(/banned this IP address .*HTTP 418.*the ban lifts at 2026-07-26T02:00:00Z/);
		const again = await rejection(page(client));
		expect(again).toBeInstanceOf(IpBannedError);
		expect(fake.calls.length).toBe(1);
		fake.setNow(AFTER_ALL + 7_200_000);
		expect((await page(client)).openTime.length).toBe(3);
	});

	it('451 from every host: RegionRestrictedError pointing to cached data and data.binance.vision files', async () => {
		const fake = fakeBinance(AFTER_ALL);
		const restricted = { code: 0, msg: "Service unavailable from a restricted location according to 'b. Eligibility'." };
		fake.queue.push(json(restricted, 451), json(restricted, 451));
		const err = await rejection(page(clientFor(fake)));
		expect(err).toBeInstanceOf(RegionRestrictedError);
		expect(err.message).toMatch(/^Binance refuses requests from your region \(HTTP 451\).*cached.*data\.binance\.vision/);
		expect(fake.calls.map((c) => new URL(c.url).origin)).toEqual([DATA_API, API]);
	});

	it('451 or 403 from the first host: the fallback host answers', async () => {
		for (const status of [451, 403]) {
			const fake = fakeBinance(AFTER_ALL);
			fake.queue.push(json({}, status));
			expect((await page(clientFor(fake))).openTime.length).toBe(3);
			expect(fake.calls.map((c) => new URL(c.url).origin)).toEqual([DATA_API, API]);
		}
	});

	it('5xx from the first host: falls back, and keeps using the host that works', async () => {
		const fake = fakeBinance(AFTER_ALL);
		fake.queue.push(new Response('<html>502 Bad Gateway</html>', { status: 502 }));
		const client = clientFor(fake);
		await page(client);
		await page(client);
		expect(fake.calls.map((c) => new URL(c.url).origin)).toEqual([DATA_API, API, API]);
		expect(fake.sleeps).toEqual([]);
	});

	it('5xx from every host: retries with backoff, then ServerError', async () => {
		const fake = fakeBinance(AFTER_ALL);
		for (let i = 0; i < 6; i++) fake.queue.push(json({}, 503));
		const err = await rejection(page(clientFor(fake, { maxRetries: 2 })));
		expect(err).toBeInstanceOf(ServerError);
		expect(err.message).toMatch(/HTTP 503\) after 3 attempt/);
		expect(fake.sleeps).toEqual([1000, 2000]);
		expect(fake.calls.length).toBe(6);
	});

	it('network failure (fetch rejects with TypeError) on every host: OfflineError explaining CORS and the offline options', async () => {
		const fake = fakeBinance(AFTER_ALL);
		fake.queue.push(new TypeError('fetch failed'), new TypeError('fetch failed'));
		const err = await rejection(page(clientFor(fake)));
		expect(err).toBeInstanceOf(OfflineError);
		expect(err.message).toMatch(/offline.*CORS.*cached in this browser.*import kline files/s);
		expect((err as OfflineError).cause).toBeInstanceOf(TypeError);
		const fake2 = fakeBinance(AFTER_ALL);
		fake2.queue.push(new TypeError('Failed to fetch'));
		expect((await page(clientFor(fake2))).openTime.length).toBe(3);
	});

	it('malformed bodies: truncated JSON, HTML, wrong shape, non-numeric field', async () => {
		const recorded = fixtureText('api/spot-klines-BTCUSDT-1m.json');
		const cases: [Response, RegExp][] = [
			[new Response(recorded.slice(0, Math.floor(recorded.length / 2))), /JSON is incomplete or invalid .*cut off/],
			[new Response('<!DOCTYPE html><html><body>Captive portal</body></html>'), /not JSON \(it starts with "<!DOCTYPE html>/],
			[new Response(''), /body is empty/],
			[new Response('{"symbol":"BTCUSDT"}'), /klines response is an object, not an array/],
			[new Response(recorded.replace('"60799.13000000"', '"abc"')), /candle 2: high "abc" is not a number/],
			[new Response('[[1634943780000,"1","2"]]'), /candle 0 is not an array of 12 fields/]
		];
		for (const [res, pattern] of cases) {
			const fake = fakeBinance(AFTER_ALL);
			fake.queue.push(res);
			// startTime 0: the recorded 2021 candles are inside the requested range.
			const err = await rejection(clientFor(fake).fetchKlinePage({ symbol: 'BTCUSDT', interval: '1h', startTime: 0, limit: 3 }));
			expect(err).toBeInstanceOf(MalformedResponseError);
			expect(err.message).toMatch(pattern);
		}
	});

	it('Binance error body {code:-1121, msg:"Invalid symbol."} is surfaced with the msg, without retry', async () => {
		const fake = fakeBinance(AFTER_ALL);
		const err = await rejection(page(clientFor(fake), 'BTCUSDX'));
		expect(err).toBeInstanceOf(BinanceApiError);
		expect((err as BinanceApiError).binanceCode).toBe(-1121);
		expect(err.message).toMatch(/^Binance rejected the request: Invalid symbol\. \(code -1121, HTTP 400\)/);
		expect(fake.calls.length).toBe(1);
	});

	it('an aborted signal rejects with AbortError, not OfflineError', async () => {
		const fake = fakeBinance(AFTER_ALL);
		const ctrl = new AbortController();
		ctrl.abort();
		const err = await rejection(
			clientFor(fake).fetchKlinePage({ symbol: 'BTCUSDT', interval: '1h', startTime: 0, signal: ctrl.signal })
		);
		expect(err.name).toBe('AbortError');
	});
});

describe('request-weight budget', () => {
	it('reads REQUEST_WEIGHT from exchangeInfo and waits for the next minute when the budget is spent', async () => {
		const start = ms('2026-07-26T00:00:10Z');
		const fake = fakeBinance(start);
		fake.queue.push(new Response(fixtureText('api/spot-exchangeInfo-BTCUSDT-ETHUSDT.json')));
		const client = clientFor(fake);
		expect(client.weightLimit).toEqual({ limit: 6000, windowMs: 60_000 });
		await client.exchangeInfo(); // weight 20, then the limit becomes 1200/min
		expect(client.weightLimit).toEqual({ limit: 1200, windowMs: 60_000 });
		// (1200 - 20) / 2 = 590 klines requests fit in this minute; the 591st waits until 00:01:00.
		for (let i = 0; i < 590; i++) await client.fetchKlinePage({ symbol: 'BTCUSDT', interval: '1h', startTime: 0, limit: 1 });
		expect(fake.sleeps).toEqual([]);
		await client.fetchKlinePage({ symbol: 'BTCUSDT', interval: '1h', startTime: 0, limit: 1 });
		expect(fake.sleeps).toEqual([50_000]);
		expect(fake.calls.length).toBe(592);
	});
});

describe('exchangeInfo', () => {
	it('parses the recorded BTCUSDT+ETHUSDT response', async () => {
		const fake = fakeBinance(AFTER_ALL);
		fake.queue.push(new Response(fixtureText('api/spot-exchangeInfo-BTCUSDT-ETHUSDT.json')));
		const info = await clientFor(fake).exchangeInfo();
		expect(info.serverTime).toBe(1634942465856);
		expect(info.rateLimits.map((r) => `${r.rateLimitType}/${r.intervalNum}${r.interval}=${r.limit}`)).toEqual([
			'REQUEST_WEIGHT/1MINUTE=1200',
			'ORDERS/10SECOND=50',
			'ORDERS/1DAY=160000',
			'RAW_REQUESTS/5MINUTE=6100'
		]);
		expect(info.symbols[0]).toEqual({
			symbol: 'BTCUSDT',
			status: 'TRADING',
			baseAsset: 'BTC',
			quoteAsset: 'USDT',
			tickSize: 0.01,
			stepSize: 0.00001,
			minNotional: 10,
			displayName: 'BTC/USDT'
		});
		expect(info.symbols.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
	});

	it('reads minNotional from the NOTIONAL filter (its name since 2023) too', async () => {
		const fake = fakeBinance(AFTER_ALL);
		fake.queue.push(new Response(fixtureText('api/spot-exchangeInfo-BTCUSDT-ETHUSDT.json').replaceAll('"MIN_NOTIONAL"', '"NOTIONAL"')));
		const info = await clientFor(fake).exchangeInfo();
		expect(info.symbols[0].minNotional).toBe(10);
	});

	it('parses the full 2022-12-17 response: 2,137 symbols, 1,430 TRADING, filters equal to the raw strings', async () => {
		const fake = fakeBinance(AFTER_ALL);
		const info = await clientFor(fake).exchangeInfo();
		expect(info.symbols.length).toBe(2137);
		expect(info.symbols.filter((s) => s.status === 'TRADING').length).toBe(1430);
		const raw = JSON.parse(exchangeInfoText()) as { symbols: { symbol: string; filters: Record<string, string>[] }[] };
		const bySymbol = new Map(info.symbols.map((s) => [s.symbol, s]));
		for (const r of raw.symbols) {
			const s = bySymbol.get(r.symbol)!;
			const f = (t: string) => r.filters.find((x) => x.filterType === t);
			expect(s.tickSize).toBe(Number(f('PRICE_FILTER')!.tickSize));
			expect(s.stepSize).toBe(Number(f('LOT_SIZE')!.stepSize));
			expect(s.minNotional).toBe(f('MIN_NOTIONAL') ? Number(f('MIN_NOTIONAL')!.minNotional) : null);
		}
		const names = info.symbols.map((s) => s.symbol);
		expect(names).toEqual([...names].sort());
		expect(searchSymbols(info.symbols, 'btc/usdt')[0].symbol).toBe('BTCUSDT');
		const eth = searchSymbols(info.symbols, 'eth', 50);
		expect(eth.length).toBe(50);
		expect(eth[0].symbol.startsWith('ETH')).toBe(true);
	});
});

describe('top symbols by quote volume', () => {
	it('joins the 24h tickers with exchangeInfo: TRADING, USDT quote, stablecoin pairs left out, sorted by quote volume', async () => {
		const fake = fakeBinance(AFTER_ALL);
		const client = clientFor(fake);
		const top = await client.topSymbolsByQuoteVolume(20);
		expect(top.length).toBe(20);
		expect(top.slice(0, 5).map((t) => t.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'DOGEUSDT', 'SHIBUSDT', 'SOLUSDT']);
		expect(top[0].quoteVolume).toBe(1537040739.3455314);
		for (let i = 1; i < top.length; i++) expect(top[i].quoteVolume).toBeLessThanOrEqual(top[i - 1].quoteVolume);
		expect(top.every((t) => t.quoteAsset === 'USDT' && !PEGGED_ASSETS.has(t.baseAsset))).toBe(true);
		// BUSDUSDT and EURUSDT were TRADING in that exchangeInfo and traded > 19M USDT, yet are left out as pegged pairs.
		const all = await client.topSymbolsByQuoteVolume(10_000);
		expect(all.map((t) => t.symbol)).not.toContain('BUSDUSDT');
		expect(all.map((t) => t.symbol)).not.toContain('EURUSDT');
		expect(fake.calls.map((c) => new URL(c.url).pathname)).toEqual(['/api/v3/exchangeInfo', '/api/v3/ticker/24hr', '/api/v3/ticker/24hr']);
	});

	it('ranks the 2024-03-10 tickers alone (count > 0): FDUSDUSDT and USDCUSDT excluded', () => {
		const tickers = parseTickers(JSON.parse(tickerText()));
		expect(tickers.length).toBe(2519);
		const raw = [...tickers].filter((t) => t.symbol.endsWith('USDT')).sort((a, b) => b.quoteVolume - a.quoteVolume);
		expect(raw.slice(0, 3).map((t) => t.symbol)).toEqual(['BTCUSDT', 'FDUSDUSDT', 'ETHUSDT']);
		const top = rankSymbolsByQuoteVolume(tickers, 10);
		expect(top.slice(0, 5).map((t) => t.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'WLDUSDT', 'PEPEUSDT', 'DOGEUSDT']);
		expect(top.map((t) => t.symbol)).not.toContain('FDUSDUSDT');
		expect(top.map((t) => t.symbol)).not.toContain('USDCUSDT');
		expect(rankSymbolsByQuoteVolume(tickers, 3000).every((t) => tickers.find((x) => x.symbol === t.symbol)!.count > 0)).toBe(true);
	});
});
