/**
 * Fuzz tests of the share-link decoder (seeded, reproducible): thousands of random strings,
 * mutated real links and hostile documents with valid checksums. Every input either decodes to a
 * payload that passes validation or is refused with a ShareLinkError — no other exception escapes —
 * and opening any refused link through the share page state fetches, stores and runs nothing.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/lib/optimize/rng';
import { defaultConfig, getStrategy } from '../../../src/lib/engine/strategies';
import type { StrategyId } from '../../../src/lib/engine/types';
import {
	CONFIRM_BARS,
	CONFIRM_TRIALS,
	encodeShareToken,
	linkWorkload,
	MAX_LINK_SPACE,
	MAX_LINK_TRIALS,
	MAX_TOKEN_CHARS,
	parseSharePayload,
	readShareLink,
	ShareLinkError,
	type SharePayload
} from '../../../src/lib/share';
import { ShareState, type ShareDeps } from '../../../src/lib/state/share.svelte';
import { craftToken, realRunShare } from './helpers';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const WILD = B64 + '+/=.#%&?<>"\' \n\t\u0000\u00e9\u{1F600}\\';

function pick<T>(rng: Rng, xs: readonly T[] | string): T {
	return xs[Math.floor(rng.next() * xs.length)] as T;
}

function randomString(rng: Rng, alphabet: string, maxLen: number): string {
	const n = Math.floor(rng.next() * maxLen);
	let s = '';
	for (let i = 0; i < n; i++) s += pick<string>(rng, alphabet);
	return s;
}

function mutate(rng: Rng, token: string): string {
	const i = Math.floor(rng.next() * token.length);
	switch (Math.floor(rng.next() * 7)) {
		case 0:
			return token.slice(0, i) + pick<string>(rng, B64) + token.slice(i + 1); // replace
		case 1:
			return token.slice(0, i) + pick<string>(rng, WILD) + token.slice(i); // insert
		case 2:
			return token.slice(0, i) + token.slice(i + 1); // delete
		case 3:
			return token.slice(0, i); // truncate
		case 4:
			return token + randomString(rng, B64, 40); // append
		case 5: {
			const j = Math.floor(rng.next() * token.length); // swap two characters
			const a = [...token];
			[a[i], a[j]] = [a[j], a[i]];
			return a.join('');
		}
		default:
			return token.slice(0, i) + token.slice(i, i + 50) + token.slice(i); // duplicate a segment
	}
}

/** A random JSON value (hostile shapes included). */
function randomValue(rng: Rng, depth = 0): unknown {
	switch (Math.floor(rng.next() * (depth > 2 ? 6 : 8))) {
		case 0:
			return null;
		case 1:
			return rng.next() < 0.5;
		case 2:
			return pick(rng, [0, -1, 1e308, -1e-308, 2 ** 53 + 1, 0.1, 42, 1_700_000_000_000]);
		case 3:
			return pick(rng, ['', 'BTCUSDT', '<script>alert(1)</script>', '__proto__', 'constructor', 'a'.repeat(300), '1h', 'run']);
		case 4:
			return randomString(rng, WILD, 20);
		case 5:
			return Math.floor(rng.next() * 1000) - 500;
		case 6:
			return Array.from({ length: Math.floor(rng.next() * 4) }, () => randomValue(rng, depth + 1));
		default:
			return Object.fromEntries(
				Array.from({ length: Math.floor(rng.next() * 4) }, () => [pick(rng, ['kind', 'market', 'config', '__proto__', 'constructor', 'x', 'params']), randomValue(rng, depth + 1)])
			);
	}
}

/** Replace, delete or add one field somewhere in a copy of `doc`. */
function mutateDocument(rng: Rng, doc: unknown): unknown {
	const copy = JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
	let node: Record<string, unknown> = copy;
	for (let d = 0; d < 4; d++) {
		const keys = Object.keys(node);
		const k = pick(rng, keys);
		const child = node[k];
		if (child && typeof child === 'object' && rng.next() < 0.6) {
			node = child as Record<string, unknown>;
			continue;
		}
		const op = rng.next();
		if (op < 0.6) node[k] = randomValue(rng);
		else if (op < 0.8) delete node[k];
		else node[pick(rng, ['extra', '__proto__', 'constructor', 'toString', k + '_'])] = randomValue(rng);
		break;
	}
	return copy;
}

/** Decode, and check the only outcomes allowed: a validated payload or a ShareLinkError. */
function decodeSafely(link: string): { ok: true; payload: SharePayload } | { ok: false; error: ShareLinkError } {
	try {
		const payload = readShareLink(link);
		expect(parseSharePayload(JSON.parse(JSON.stringify(payload)))).toEqual(payload);
		return { ok: true, payload };
	} catch (e) {
		if (!(e instanceof ShareLinkError)) throw new Error(`non-ShareLinkError escaped for ${JSON.stringify(link.slice(0, 80))}: ${String(e)}`);
		expect(e.message.length).toBeGreaterThan(30);
		return { ok: false, error: e };
	}
}

/** Share page dependencies that record every call (none may happen for a refused link). */
function spyDeps(calls: string[]): ShareDeps {
	const record = (name: string) => () => {
		calls.push(name);
		return Promise.reject(new Error(`${name} must not be called`));
	};
	return {
		openRange: record('openRange'),
		loadError: () => null,
		submitRun: record('submitRun'),
		settled: record('settled'),
		identity: record('identity'),
		evaluate: record('evaluate'),
		concurrency: 1
	};
}

describe('share-link decoder fuzz', () => {
	it('random strings: refused with ShareLinkError, never another exception', () => {
		const rng = new Rng(20261121);
		const reasons = new Map<string, number>();
		for (let k = 0; k < 3000; k++) {
			const prefix = pick(rng, ['', 'v1.', 'v1.', '#v1.', 'https://h/share/#v1.', 'v9.', 'v1']);
			const alphabet = rng.next() < 0.7 ? B64 : WILD;
			const maxLen = rng.next() < 0.05 ? MAX_TOKEN_CHARS + 500 : 400;
			const r = decodeSafely(prefix + randomString(rng, alphabet, maxLen));
			expect(r.ok).toBe(false);
			if (!r.ok) reasons.set(r.error.reason, (reasons.get(r.error.reason) ?? 0) + 1);
		}
		// The inputs reach every early check.
		for (const reason of ['version', 'charset', 'truncated', 'oversized']) expect(reasons.get(reason) ?? 0, reason).toBeGreaterThan(0);
	});

	it('mutated real links: refused, or decode to exactly the original document', async () => {
		const { payload } = await realRunShare();
		const token = encodeShareToken(payload);
		const rng = new Rng(7);
		let accepted = 0;
		const reasons = new Set<string>();
		for (let k = 0; k < 4000; k++) {
			let link = token;
			const n = 1 + Math.floor(rng.next() * 3);
			for (let m = 0; m < n; m++) link = mutate(rng, link);
			if (link === token) continue;
			const r = decodeSafely(link);
			if (r.ok) {
				// Only changes in the unused low bits of the last base64 character keep a link valid.
				expect(r.payload).toEqual(payload);
				accepted++;
			} else reasons.add(r.error.reason);
		}
		expect(accepted).toBeLessThan(100);
		for (const reason of ['checksum', 'truncated', 'extra', 'charset']) expect(reasons.has(reason), reason).toBe(true);
	});

	it('hostile documents with valid checksums: refused by validation unless they are valid settings', async () => {
		const { payload } = await realRunShare();
		const rng = new Rng(99);
		let refused = 0;
		for (let k = 0; k < 2000; k++) {
			const doc = rng.next() < 0.15 ? randomValue(rng) : mutateDocument(rng, payload);
			const r = decodeSafely(craftToken(JSON.stringify(doc)));
			if (!r.ok) {
				expect(r.error.reason).toBe('invalid');
				refused++;
			}
		}
		expect(refused).toBeGreaterThan(1500);
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
		expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'kind')).toBe(false);
	});

	it('the share page state neither fetches, stores nor runs anything for refused links', async () => {
		const { payload } = await realRunShare();
		const token = encodeShareToken(payload);
		const rng = new Rng(3);
		const calls: string[] = [];
		const share = new ShareState(spyDeps(calls));
		let refused = 0;
		for (let k = 0; k < 600; k++) {
			const link = k % 3 === 0 ? randomString(rng, WILD, 200) : k % 3 === 1 ? mutate(rng, token) : craftToken(JSON.stringify(mutateDocument(rng, payload)));
			if (decodeSafely(link).ok) continue;
			await share.open(`https://h/share/#${link}`);
			expect(share.phase).toBe('invalid');
			expect(share.error).toBeTruthy();
			expect(share.payload).toBeNull();
			refused++;
		}
		expect(refused).toBeGreaterThan(500);
		expect(calls).toEqual([]);
	});
});

/** An optimisation link document over the reference window (no run needed: the decoder never runs anything). */
function optimisationDoc(over: { strategy?: string; axes: { name: string; start: number; end: number; step: number }[]; method?: unknown; best?: unknown[]; bars?: number }) {
	const strategy = over.strategy ?? 'sma-cross';
	const bars = over.bars ?? 8760;
	const first = Date.UTC(2025, 0, 1);
	return {
		kind: 'optimisation',
		engineVersion: '1.0.0+abcdef012345',
		// Long ranges in minutes (5 M hours would end after the year 2500, which the schema refuses).
		market: bars > 100_000
			? { symbol: 'BTCUSDT', interval: '1m', firstOpenTime: first - 4e11, lastOpenTime: first - 4e11 + (bars - 1) * 60_000, bars }
			: { symbol: 'BTCUSDT', interval: '1h', firstOpenTime: first, lastOpenTime: first + (bars - 1) * 3_600_000, bars },
		job: { config: defaultConfig(strategy as StrategyId), axes: over.axes, objective: { key: 'sharpeRatio' } },
		method: over.method ?? { kind: 'grid' },
		expected: { dataHash: 'a'.repeat(64), evaluated: 0, best: over.best ?? [] },
		createdAt: Date.UTC(2026, 10, 21)
	};
}

/** Decode with a wall-clock guard far above the 50 ms target (the bench measures that; this catches a scan). */
function decodeGuarded(doc: unknown) {
	const link = craftToken(JSON.stringify(doc));
	const t0 = performance.now();
	const r = decodeSafely(link);
	const ms = performance.now() - t0;
	expect(ms, 'decode took too long: the search space was scanned').toBeLessThan(1000);
	return { ...r, link };
}

describe('share links with huge search spaces (issue 17: a link must never freeze the tab)', () => {
	it('refuses spaces and trial counts above the link limits arithmetically, without expanding or scanning', () => {
		const cases: [unknown, RegExp][] = [
			// 8 axes of 1,000,000 values: the old decoder expanded 8 M values before failing.
			[
				optimisationDoc({
					strategy: 'rsi-atr-momentum',
					axes: ['longRsiMin', 'longRsiMax', 'shortRsiMin', 'shortRsiMax'].map((name) => ({ name, start: 0, end: 99.9999, step: 0.0001 }))
				}),
				/more than 1,000,000,000 combinations/
			],
			// 22.6 M grid trials: above the 10 M a link may start.
			[
				optimisationDoc({ strategy: 'rsi-mean-reversion', axes: [{ name: 'oversold', start: 60, end: 99, step: 0.01 }, { name: 'overbought', start: 1, end: 59, step: 0.01 }] }),
				/would run 22,629,701 backtests, more than the 10,000,000/
			],
			// Genetic 100,000 x 100,000.
			[
				optimisationDoc({
					axes: [{ name: 'fast', start: 2, end: 50, step: 1 }, { name: 'slow', start: 60, end: 200, step: 1 }],
					method: { kind: 'genetic', population: 100_000, generations: 100_000, crossoverRate: 0.8, mutationRate: 0.1, elitism: 2, seed: 1 }
				}),
				/would run 10,000,000,000 backtests/
			],
			// Every combination breaks oversold < overbought: the old decoder scanned all 22.6 M (and a finer one for hours).
			[
				optimisationDoc({
					strategy: 'rsi-mean-reversion',
					axes: [{ name: 'oversold', start: 60, end: 99, step: 0.01 }, { name: 'overbought', start: 1, end: 59, step: 0.01 }],
					method: { kind: 'random', trials: 1000, seed: 5 }
				}),
				/no combination tried satisfies the rsi-mean-reversion constraints/
			],
			// A best trial whose values are not those of its index.
			[
				optimisationDoc({ axes: [{ name: 'fast', start: 5, end: 14, step: 1 }, { name: 'slow', start: 20, end: 65, step: 5 }], best: [{ index: 37, values: [8, 60], objective: 1 }] }),
				/best trial's values \(8, 60\) are not those of its index 37 \(8, 55\)/
			],
			[
				optimisationDoc({ axes: [{ name: 'fast', start: 5, end: 14, step: 1 }, { name: 'slow', start: 20, end: 65, step: 5 }], best: [{ index: 100, values: [5, 20], objective: 1 }] }),
				/index 100 is outside the search space of 100 combinations/
			],
			[optimisationDoc({ axes: [{ name: 'fast', start: 2, end: 501, step: 1 }] }), /fast must be between 2 and 500, got 501/],
			[optimisationDoc({ axes: [{ name: 'fast', start: 2, end: 10, step: 0.5 }] }), /whole number/]
		];
		for (const [doc, pattern] of cases) {
			const r = decodeGuarded(doc);
			expect(r.ok, String(pattern)).toBe(false);
			if (!r.ok) {
				expect(r.error.reason).toBe('invalid');
				expect(r.error.message).toMatch(pattern);
			}
		}
	});

	it('a valid index-consistent link is accepted; its workload is computed, not scanned', () => {
		const r = decodeGuarded(
			optimisationDoc({ axes: [{ name: 'fast', start: 5, end: 14, step: 1 }, { name: 'slow', start: 20, end: 65, step: 5 }], best: [{ index: 37, values: [8, 55], objective: 1 }] })
		);
		expect(r.ok).toBe(true);
		if (r.ok) expect(linkWorkload(r.payload)).toEqual({ bars: 8760, trials: 100, spaceSize: 100, needsConfirmation: false });
	});

	it('fuzz: 1,500 random search definitions decode fast, and every accepted one is within the limits', () => {
		const rng = new Rng(4242);
		const strategies = ['sma-cross', 'rsi-mean-reversion', 'ema-atr-breakout', 'rsi-atr-momentum'] as StrategyId[];
		let accepted = 0;
		for (let k = 0; k < 1500; k++) {
			const strategy = pick(rng, strategies);
			const params = getStrategy(strategy).params;
			const axes = params
				.filter(() => rng.next() < 0.6)
				.map((p) => {
					const lo = p.min + Math.floor(rng.next() * 3);
					const step = pick(rng, [1e-7, 1e-4, 0.01, 0.5, 1, 2, 7, 1e6]);
					return { name: p.name, start: lo, end: Math.min(p.max, lo + rng.next() * (p.max - lo)), step };
				});
			if (axes.length === 0) continue;
			const method = pick(rng, [
				{ kind: 'grid' },
				{ kind: 'random', trials: 1 + Math.floor(rng.next() * 1e7), seed: 3 },
				{ kind: 'genetic', population: 2 + Math.floor(rng.next() * 5000), generations: 1 + Math.floor(rng.next() * 5000), crossoverRate: 0.8, mutationRate: 0.1, elitism: 1, seed: 2 },
				{ kind: 'adaptive', iterations: 1 + Math.floor(rng.next() * 100), refinementFactor: 0.5, pointsPerAxis: 2 + Math.floor(rng.next() * 999) }
			]);
			const r = decodeGuarded(optimisationDoc({ strategy, axes, method, bars: pick(rng, [500, 8760, 300_000, 5_000_000]) }));
			if (r.ok) {
				accepted++;
				const w = linkWorkload(r.payload);
				expect(w.spaceSize).toBeLessThanOrEqual(MAX_LINK_SPACE);
				expect(w.trials).toBeLessThanOrEqual(MAX_LINK_TRIALS);
				expect(w.needsConfirmation).toBe(w.trials > CONFIRM_TRIALS || w.bars > CONFIRM_BARS);
			}
		}
		expect(accepted).toBeGreaterThan(100);
	});

	it('a link above the confirmation thresholds starts nothing until confirmed, and can be declined or cancelled', async () => {
		// 499 x 998 = 498,002 grid trials: valid, but above 100,000.
		const doc = optimisationDoc({ axes: [{ name: 'fast', start: 2, end: 500, step: 1 }, { name: 'slow', start: 3, end: 1000, step: 1 }] });
		const link = `https://h/share/#${craftToken(JSON.stringify(doc))}`;
		const calls: string[] = [];
		const share = new ShareState({ ...spyDeps(calls), cancelLoad: () => calls.push('cancelLoad') });
		const t0 = performance.now();
		await share.open(link);
		const ms = performance.now() - t0;
		expect(ms).toBeLessThan(1000);
		expect(share.phase).toBe('confirm');
		expect(share.workload).toEqual({ bars: 8760, trials: 498_002, spaceSize: 498_002, needsConfirmation: true });
		expect(calls).toEqual([]);
		share.cancel();
		expect(share.phase).toBe('cancelled');
		expect(calls).toEqual(['cancelLoad']);

		// A link naming 5,000,000 candles asks too, even for one backtest.
		const big = optimisationDoc({ axes: [{ name: 'fast', start: 5, end: 6, step: 1 }], bars: 5_000_000 });
		await share.open(`https://h/share/#${craftToken(JSON.stringify(big))}`);
		expect(share.phase).toBe('confirm');
		calls.length = 0;
		await share.confirm();
		expect(calls).toEqual(['openRange']); // started only now (the spy refuses, so it fails there)
		expect(share.phase).toBe('failed');
	});
});

describe('worker decode result', () => {
	it('carries the refusal reason and message across the worker boundary as plain data', async () => {
		const { decodeShareResult } = await import('../../../src/lib/workers/share-worker');
		const rng = new Rng(11);
		const { payload } = await realRunShare();
		const token = encodeShareToken(payload);
		expect(decodeShareResult(token)).toEqual({ ok: true, payload });
		for (let k = 0; k < 300; k++) {
			const link = mutate(rng, token);
			const direct = decodeSafely(link);
			const viaWorker = structuredClone(decodeShareResult(link));
			if (direct.ok) expect(viaWorker).toEqual({ ok: true, payload: direct.payload });
			else expect(viaWorker).toEqual({ ok: false, reason: direct.error.reason, message: direct.error.message });
		}
	});
});
