/**
 * Fuzz tests of the share-link decoder (seeded, reproducible): thousands of random strings,
 * mutated real links and hostile documents with valid checksums. Every input either decodes to a
 * payload that passes validation or is refused with a ShareLinkError — no other exception escapes —
 * and opening any refused link through the share page state fetches, stores and runs nothing.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/lib/optimize/rng';
import { encodeShareToken, MAX_TOKEN_CHARS, parseSharePayload, readShareLink, ShareLinkError, type SharePayload } from '../../../src/lib/share';
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
