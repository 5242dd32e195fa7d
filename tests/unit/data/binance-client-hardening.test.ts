/**
 * BinanceClient against hostile or broken answers (issue 17, items 6 and 7): candles validated like imported files,
 * request timeout, 418 without Retry-After, unreadable or absurd Retry-After, absurd rate-limit windows.
 * Each case first reproduced the failure on the previous client.
 */
import { describe, expect, it } from 'vitest';
import { BinanceClient, MAX_RETRY_AFTER_MS, retryAfterMs } from '../../../src/lib/data/binance-client';
import { IpBannedError, MalformedResponseError, RequestTimeoutError } from '../../../src/lib/data/errors';
import { fakeBinance, type FakeBinance } from './fake-binance';
import { fixtureText, ms } from './fixtures';

const AFTER_ALL = ms('2026-07-26T00:00:00Z');
const json = (body: unknown, status: number, headers: Record<string, string> = {}) =>
	new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const clientFor = (fake: FakeBinance, extra: Partial<ConstructorParameters<typeof BinanceClient>[0]> = {}) =>
	new BinanceClient({ fetch: fake.fetch, now: fake.now, sleep: fake.sleep, ...extra });
const page = (client: BinanceClient) =>
	client.fetchKlinePage({ symbol: 'BTCUSDT', interval: '1h', startTime: ms('2024-01-01T00:00:00Z'), limit: 3 });
async function rejection(p: Promise<unknown>): Promise<Error> {
	try {
		await p;
	} catch (e) {
		return e as Error;
	}
	throw new Error('expected a rejection');
}

/** A real recorded row of 2024-01-01T00:00Z with one field replaced. */
function row(field: number, value: string): unknown[] {
	const r: unknown[] = [1704067200000, '42283.58000000', '42554.57000000', '42261.02000000', '42475.23000000', '1271.68108000', 1704070799999, '53957248.44397060', 47134, '682.57581000', '28957416.81974050', '0'];
	r[field] = value;
	return r;
}

describe('candles from Binance are validated like imported ones', () => {
	it.each([
		['high below low', row(2, '42000.00000000'), /candle 0 \(2024-01-01T00:00:00Z\): low 42261.02 is above high 42000/],
		['zero price', row(4, '0'), /prices must be positive/],
		['negative price', row(1, '-1'), /prices must be positive/],
		['close above high', row(4, '50000'), /high 42554.57 is below close 50000/],
		['negative volume', row(5, '-3'), /volume -3 is negative/],
		['fractional open time', [1704067200000.5, ...row(0, '').slice(1)], /open time .* is not a Unix time in milliseconds/]
	])('%s: MalformedResponseError, nothing returned', async (_, bad, pattern) => {
		const fake = fakeBinance(AFTER_ALL);
		fake.queue.push(json([bad], 200));
		const err = await rejection(page(clientFor(fake)));
		expect(err).toBeInstanceOf(MalformedResponseError);
		expect(err.message).toMatch(pattern);
	});

	it('a page with candles before the requested start (a repeated page) is refused', async () => {
		const fake = fakeBinance(AFTER_ALL);
		fake.queue.push(json([row(0, '1')].map(() => row(1, '42283.58')).map((r) => ((r[0] = 1704067200000 - 3_600_000), r)), 200));
		const err = await rejection(page(clientFor(fake)));
		expect(err).toBeInstanceOf(MalformedResponseError);
		expect(err.message).toMatch(/outside the requested 2024-01-01T00:00:00Z .. now \(a repeated or stale page\)/);
	});
});

describe('request timeout', () => {
	it('a response that never comes is aborted after timeoutMs, the next host is tried, then RequestTimeoutError', async () => {
		const fake = fakeBinance(AFTER_ALL);
		const signals: AbortSignal[] = [];
		const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
			signals.push(init!.signal!);
			return new Promise<Response>((_, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason)));
		}) as typeof fetch;
		const client = new BinanceClient({ fetch: fetchFn, now: fake.now, sleep: fake.sleep, timeoutMs: 20 });
		const t0 = Date.now();
		const err = await rejection(page(client));
		expect(err).toBeInstanceOf(RequestTimeoutError);
		expect(err.message).toMatch(/Binance did not answer within .* s \(the request was cancelled\)/);
		expect(signals).toHaveLength(2); // both hosts, each aborted
		expect(signals.every((s) => s.aborted)).toBe(true);
		expect(Date.now() - t0).toBeLessThan(5000);
	});

	it('a body that stops arriving mid-way is aborted too', async () => {
		const fake = fakeBinance(AFTER_ALL);
		const fetchFn = (async (_: RequestInfo | URL, init?: RequestInit) => {
			const body = new ReadableStream<Uint8Array>({
				start(c) {
					c.enqueue(new TextEncoder().encode('[[1704067200000,'));
					init!.signal!.addEventListener('abort', () => c.error(init!.signal!.reason));
				}
			});
			return new Response(body, { status: 200 });
		}) as typeof fetch;
		const client = new BinanceClient({ fetch: fetchFn, now: fake.now, sleep: fake.sleep, hosts: ['https://a.test'], timeoutMs: 20 });
		expect(await rejection(page(client))).toBeInstanceOf(RequestTimeoutError);
	});

	it('the caller aborting still gives an AbortError, not a timeout', async () => {
		const fake = fakeBinance(AFTER_ALL);
		const ctrl = new AbortController();
		const fetchFn = (async (_: RequestInfo | URL, init?: RequestInit) =>
			new Promise<Response>((_, reject) => init!.signal!.addEventListener('abort', () => reject(init!.signal!.reason)))) as typeof fetch;
		const client = new BinanceClient({ fetch: fetchFn, now: fake.now, sleep: fake.sleep, timeoutMs: 10_000 });
		const p = client.fetchKlinePage({ symbol: 'BTCUSDT', interval: '1h', startTime: 0, signal: ctrl.signal });
		setTimeout(() => ctrl.abort(), 5);
		const err = await rejection(p);
		expect(err.name).toBe('AbortError');
	});
});

describe('418 and Retry-After', () => {
	it('418 without Retry-After: one request, IpBannedError at once, no retry while banned', async () => {
		const fake = fakeBinance(AFTER_ALL);
		for (let i = 0; i < 5; i++) fake.queue.push(json({ code: -1003, msg: 'Way too many requests; IP banned.' }, 418));
		const client = clientFor(fake);
		const err = await rejection(page(client));
		expect(err).toBeInstanceOf(IpBannedError);
		expect(err.message).toMatch(/did not say for how long .* no request was retried/);
		expect(fake.calls).toHaveLength(1);
		expect(fake.sleeps).toEqual([]);
		// A second click right after sends nothing either.
		expect(await rejection(page(client))).toBeInstanceOf(IpBannedError);
		expect(fake.calls).toHaveLength(1);
	});

	it('Retry-After: -5 is not a date in 2001 but unreadable (backoff); absurd values are clamped', () => {
		const now = AFTER_ALL;
		expect(retryAfterMs('-5', now)).toBeNaN();
		expect(retryAfterMs('5', now)).toBe(5000);
		expect(retryAfterMs('1.5', now)).toBe(1500);
		expect(retryAfterMs('1e9', now)).toBeNaN();
		expect(retryAfterMs('99999999999', now)).toBe(MAX_RETRY_AFTER_MS);
		expect(retryAfterMs('Sun, 26 Jul 2026 00:00:30 GMT', now)).toBe(30_000);
		expect(retryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', now)).toBe(0);
		expect(retryAfterMs('garbage', now)).toBeNaN();
		expect(retryAfterMs('', now)).toBeNaN();
	});

	it('429 with Retry-After: -5 backs off 1 s instead of failing or not waiting', async () => {
		const fake = fakeBinance(AFTER_ALL);
		fake.queue.push(json({}, 429, { 'retry-after': '-5' }));
		await page(clientFor(fake));
		expect(fake.sleeps).toEqual([1000]);
	});
});

describe('absurd rate-limit windows from exchangeInfo are ignored', () => {
	const info = JSON.parse(fixtureText('api/spot-exchangeInfo-BTCUSDT-ETHUSDT.json'));
	it.each([
		['intervalNum 0', { intervalNum: 0 }],
		['window of 1 ms worth (unknown unit)', { interval: 'MILLISECOND' }],
		['limit 0', { limit: 0 }],
		['limit NaN', { limit: 'x' }],
		['a 10-year window', { interval: 'DAY', intervalNum: 3650 }],
		['fractional intervalNum', { intervalNum: 0.001 }]
	])('%s: the default budget stays', async (_, patch) => {
		const fake = fakeBinance(AFTER_ALL);
		const body = structuredClone(info);
		const w = body.rateLimits.find((r: { rateLimitType: string }) => r.rateLimitType === 'REQUEST_WEIGHT');
		Object.assign(w, patch);
		fake.queue.push(json(body, 200));
		const client = clientFor(fake);
		await client.exchangeInfo();
		expect(client.weightLimit).toEqual({ limit: 6000, windowMs: 60_000 });
		// And requests go on without spinning on 1 ms timers.
		for (let i = 0; i < 10; i++) await client.fetchKlinePage({ symbol: 'BTCUSDT', interval: '1h', startTime: 0, limit: 1 });
		expect(fake.sleeps).toEqual([]);
	});
});
