/**
 * syncCandles + BinanceClient + IndexedDB store against a scripted hostile server (issue 17, items 1 and 7).
 *
 * The server answers from recorded real BTCUSDT 1h candles (tests/unit/data/fake-binance.ts) but a script injects
 * faults per klines request: empty, short and repeated pages, stalls, 418/429 with and without Retry-After, 5xx,
 * malformed JSON and truncated bodies. After every run, the stored coverage must describe exactly the candles
 * received (or gaps the server proved by continuing after a hole), and a retry against a healthy server must
 * complete the range. Seeded and bounded.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BinanceClient } from '../../../src/lib/data/binance-client';
import { syncCandles, SyncError } from '../../../src/lib/data/sync';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { CandleStore } from '../../../src/lib/persistence/candle-store';
import { fakeBinance } from '../data/fake-binance';
import { HOUR, freshFactory, rangeOf } from './helpers';

const NOW = Date.UTC(2026, 6, 25, 17, 30);
const START = Date.UTC(2023, 0, 1);
const END = Date.UTC(2023, 4, 31, 23); // inclusive; 3,623 candles on the exchange (one halt hour missing)
const HALT = { fromOpenTime: Date.UTC(2023, 2, 24, 13), toOpenTime: Date.UTC(2023, 2, 24, 13), missingBars: 1 };

type Fault =
	| 'ok'
	| 'empty'
	| 'short'
	| 'repeat'
	| 'stall'
	| '418'
	| '418-retry-after'
	| '429'
	| '429-retry-after'
	| '500'
	| 'malformed'
	| 'truncated'
	| 'cut-stream'
	| 'network';
const FAULTS: Fault[] = ['empty', 'short', 'repeat', 'stall', '418', '418-retry-after', '429', '429-retry-after', '500', 'malformed', 'truncated', 'cut-stream', 'network'];

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
	new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/** The fake server with a per-klines-request fault script (requests past the script's end are answered normally). */
function scripted(script: Fault[], random: () => number) {
	const base = fakeBinance(NOW);
	let k = 0;
	let previous: string | null = null;
	const fetchFn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
		const url = String(input);
		if (!url.includes('/api/v3/klines')) return base.fetch(input, init);
		const fault = script[k++] ?? 'ok';
		const real = async () => {
			const r = await base.fetch(input, init);
			return r.text();
		};
		switch (fault) {
			case 'ok': {
				const text = await real();
				previous = text;
				return new Response(text, { status: 200 });
			}
			case 'empty':
				return json([]);
			case 'short': {
				const rows = JSON.parse(await real()) as unknown[];
				return json(rows.slice(0, Math.max(1, Math.floor(random() * rows.length))));
			}
			case 'repeat':
				return new Response(previous ?? (await real()), { status: 200 });
			case 'stall':
				return new Promise<Response>((_, reject) => {
					const signal = init?.signal;
					if (!signal) return; // would hang forever: the client must always pass a signal
					signal.addEventListener('abort', () => reject(signal.reason ?? new DOMException('aborted', 'AbortError')), { once: true });
				});
			case '418':
				return json({ code: -1003, msg: 'Way too many requests; IP banned.' }, 418);
			case '418-retry-after':
				return json({ code: -1003, msg: 'IP banned.' }, 418, { 'retry-after': String(1 + Math.floor(random() * 200)) });
			case '429':
				return json({ code: -1003, msg: 'Too many requests.' }, 429);
			case '429-retry-after':
				return json({ code: -1003, msg: 'Too many requests.' }, 429, { 'retry-after': String(Math.floor(random() * 90)) });
			case '500':
				return new Response('<html>502 Bad Gateway</html>', { status: 500 + Math.floor(random() * 4) });
			case 'malformed':
				return new Response('<html>maintenance</html>', { status: 200 });
			case 'truncated': {
				const text = await real();
				return new Response(text.slice(0, Math.floor(random() * text.length)), { status: 200 });
			}
			case 'cut-stream': {
				const bytes = new TextEncoder().encode(await real());
				const cut = Math.floor(random() * bytes.length);
				const body = new ReadableStream<Uint8Array>({
					start(c) {
						c.enqueue(bytes.subarray(0, cut));
						c.error(new TypeError('network error: connection reset'));
					}
				});
				return new Response(body, { status: 200 });
			}
			case 'network':
				throw new TypeError('Failed to fetch');
		}
	};
	return { ...base, fetch: fetchFn as typeof fetch, klineRequests: () => k };
}

function clientFor(server: ReturnType<typeof scripted>, opts: { maxRetries?: number } = {}) {
	return new BinanceClient({
		fetch: server.fetch,
		now: server.now,
		sleep: server.sleep,
		hosts: ['https://api.test'],
		maxRetries: opts.maxRetries ?? 1,
		timeoutMs: 25
	});
}

/** Every stored candle lies inside coverage, and inside coverage the store holds exactly the exchange's candles. */
async function expectCoverageExact(store: CandleStore, truth: OhlcvColumns): Promise<number> {
	const rec = await store.getCoverage('BTCUSDT', '1h');
	const covered = rec?.covered ?? [];
	const stored = await store.getCandles('BTCUSDT', '1h');
	for (const t of stored.openTime) expect(covered.some((c) => c.from <= t && t < c.to), `stored ${t} outside coverage`).toBe(true);
	let inCoverage = 0;
	for (const c of covered) {
		const want = rangeOf(truth, c.from, c.to - 1);
		const got = rangeOf(stored, c.from, c.to - 1);
		expect(Array.from(got.openTime), `coverage [${new Date(c.from).toISOString()}, ${new Date(c.to).toISOString()})`).toEqual(
			Array.from(want.openTime)
		);
		expect(got).toEqual(want);
		inCoverage += want.openTime.length;
	}
	return inCoverage;
}

describe('sync against a hostile server', () => {
	let truth: OhlcvColumns;
	let store: CandleStore;
	const args = (s: CandleStore, source: BinanceClient) => ({
		store: s,
		source,
		symbol: 'BTCUSDT',
		interval: '1h' as const,
		startTime: START,
		endTime: END,
		now: NOW
	});

	beforeAll(async () => {
		const s = await CandleStore.open('truth', freshFactory());
		const server = scripted([], rng(1));
		const r = await syncCandles(args(s, clientFor(server)));
		expect(r.count).toBe(3623);
		expect(r.gaps).toEqual([HALT]);
		truth = await s.getCandles('BTCUSDT', '1h');
		s.close();
	});
	beforeEach(async () => {
		store = await CandleStore.open('t', freshFactory());
	});
	afterEach(() => store.close());

	it.each([
		['an empty page in the middle', ['ok', 'empty'] as Fault[]],
		['a short page in the middle', ['ok', 'short'] as Fault[]],
		['the same page twice', ['ok', 'repeat'] as Fault[]]
	])('%s: coverage describes only the candles received, and the next sync fetches the rest', async (_, script) => {
		const server = scripted(script, rng(7));
		const first = await syncCandles(args(store, clientFor(server))).catch((e: unknown) => e);
		const inCoverage = await expectCoverageExact(store, truth);
		if (!(first instanceof SyncError)) {
			// No error: then the result says whether the range is incomplete.
			expect((first as { missing: unknown[] }).missing.length > 0).toBe(inCoverage < 3623);
		}
		if (script[1] !== 'short') expect(inCoverage).toBeLessThan(3623);
		const healthy = scripted([], rng(8));
		const second = await syncCandles(args(store, clientFor(healthy)));
		// After a short page the client asks on from its last candle, so that run may already be complete.
		if (script[1] !== 'short') expect(healthy.klineRequests()).toBeGreaterThan(0);
		expect(second.count).toBe(3623);
		expect(second.gaps).toEqual([HALT]);
		expect(second.missing).toEqual([]);
		expect(await store.getCandles('BTCUSDT', '1h')).toEqual(truth);
	});

	it('a stalled response times out (AbortController) instead of hanging the sync', async () => {
		const server = scripted(['ok', 'stall', 'stall', 'stall', 'stall'], rng(3));
		const err = await syncCandles(args(store, clientFor(server))).catch((e: unknown) => e);
		expect(err).toBeInstanceOf(SyncError);
		expect((err as SyncError).message).toMatch(/did not answer within/);
		expect(await expectCoverageExact(store, truth)).toBe(1000);
	});

	it('fuzz: 80 seeded fault scripts; coverage always exact, a healthy retry always completes the range', async () => {
		const random = rng(20261201);
		for (let run = 0; run < 80; run++) {
			const s = await CandleStore.open(`fuzz${run}`, freshFactory());
			const script: Fault[] = [];
			const len = 1 + Math.floor(random() * 7);
			for (let i = 0; i < len; i++) script.push(random() < 0.4 ? 'ok' : FAULTS[Math.floor(random() * FAULTS.length)]);
			const server = scripted(script, random);
			const client = clientFor(server, { maxRetries: Math.floor(random() * 3) });
			const r = await syncCandles(args(s, client)).catch((e: unknown) => e);
			if (!(r instanceof SyncError)) expect(r).toHaveProperty('missing');
			await expectCoverageExact(s, truth);
			const healthy = scripted([], random);
			const again = await syncCandles(args(s, clientFor(healthy)));
			expect(again.count, `script ${script.join(',')}`).toBe(3623);
			expect(again.gaps).toEqual([HALT]);
			expect(again.missing).toEqual([]);
			await expectCoverageExact(s, truth);
			s.close();
		}
	}, 60_000);
});

describe('ranges the server proves empty', () => {
	it('a range before the listing is covered once the server shows where candles start (one probe), not re-requested', async () => {
		const store = await CandleStore.open('t', freshFactory());
		const server = scripted([], rng(1));
		const a = { store, source: clientFor(server), symbol: 'BTCUSDT', interval: '1h' as const, now: NOW };
		// BTCUSDT starts 2017-08-17T04:00Z.
		const r = await syncCandles({ ...a, startTime: Date.UTC(2017, 5, 1), endTime: Date.UTC(2017, 6, 31, 23) });
		expect(r.count).toBe(0);
		expect(r.missing).toEqual([]);
		const requests = server.klineRequests();
		expect(requests).toBe(2); // the empty page, then a probe without endTime that shows the first candle
		await syncCandles({ ...a, startTime: Date.UTC(2017, 5, 1), endTime: Date.UTC(2017, 6, 31, 23) });
		expect(server.klineRequests()).toBe(requests);
		store.close();
	});

	it('a range after the data ends stays uncovered and is reported missing (nothing proves it empty)', async () => {
		const store = await CandleStore.open('t', freshFactory());
		const server = scripted([], rng(1));
		const last = Date.UTC(2026, 6, 25, 16);
		// The server's data ends at `last` but our clock is a day later: the trailing day is not proven empty.
		const r = await syncCandles({
			store,
			source: clientFor(server),
			symbol: 'BTCUSDT',
			interval: '1h',
			startTime: last - 10 * HOUR,
			endTime: last + 24 * HOUR,
			now: last + 26 * HOUR
		});
		expect(r.count).toBe(11);
		expect(r.missing.length).toBe(1);
		expect(r.missing[0].from).toBe(last + HOUR);
		store.close();
	});
});
