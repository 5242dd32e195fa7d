/**
 * Share links of real runs: round trip, size, every refusal reason with its message, strict schema
 * (unknown keys, hostile strings, invalid configurations), and the verdict of a reproduction.
 */
import { describe, expect, it } from 'vitest';
import {
	decodeShareToken,
	encodeShareToken,
	MAX_JSON_BYTES,
	MAX_TOKEN_CHARS,
	readShareLink,
	ShareLinkError,
	shareUrl,
	tokenFromLink,
	verifyRun,
	type RunSharePayload
} from '../../../src/lib/share';
import { craftToken, realRunShare } from './helpers';

function refusal(link: string): ShareLinkError {
	try {
		readShareLink(link);
	} catch (e) {
		expect(e).toBeInstanceOf(ShareLinkError);
		return e as ShareLinkError;
	}
	throw new Error('the link was accepted');
}

describe('share links', () => {
	it('round-trip a real run exactly and stay short', async () => {
		const { payload } = await realRunShare();
		const url = shareUrl('https://example.org/bt/share/?x=1', payload);
		expect(url.startsWith('https://example.org/bt/share/#v1.')).toBe(true);
		expect(url.length).toBeLessThan(1200);
		const back = readShareLink(url) as RunSharePayload;
		expect(back).toEqual(payload);
		// Every float survives exactly (JSON writes the shortest round-tripping decimal).
		for (const [k, v] of Object.entries(payload.expected.metrics)) expect(Object.is(back.expected.metrics[k as keyof typeof back.expected.metrics], v)).toBe(true);
		expect(tokenFromLink('#abc')).toBe('abc');
		expect(tokenFromLink(' v1.xyz ')).toBe('v1.xyz');
	});

	it('refuse damaged, cut, oversized and foreign links with a reason and a clear message', async () => {
		const { payload } = await realRunShare();
		const token = encodeShareToken(payload);
		const mid = Math.floor(token.length / 2);
		const changed = token.slice(0, mid) + (token[mid] === 'A' ? 'B' : 'A') + token.slice(mid + 1);
		expect(refusal(changed).reason).toBe('checksum');
		expect(refusal(changed).message).toContain('damaged');

		const cut = refusal(token.slice(0, token.length - 20));
		expect(cut.reason).toBe('truncated');
		expect(cut.message).toMatch(/cut short: \d+ of \d+ bytes are missing/);
		expect(refusal(token.slice(0, 10)).reason).toBe('truncated');
		expect(refusal(token + 'AAAA').reason).toBe('extra');

		const huge = refusal('v1.' + 'A'.repeat(MAX_TOKEN_CHARS));
		expect(huge.reason).toBe('oversized');
		expect(huge.message).toContain('too long');

		expect(refusal('').reason).toBe('empty');
		expect(refusal('https://x/share/#').reason).toBe('empty');
		expect(refusal('v2.' + token.slice(3)).message).toContain('format version 2');
		expect(refusal('hello').reason).toBe('version');
		expect(refusal('v1.abc$def').reason).toBe('charset');
		expect(refusal('v1.abc%3Cscript%3E').reason).toBe('charset');
	});

	it('stop a decompression bomb at the size cap', () => {
		const bomb = craftToken(new Uint8Array(50 * MAX_JSON_BYTES).fill(0x20));
		expect(bomb.length).toBeLessThan(MAX_TOKEN_CHARS);
		expect(refusal(bomb).reason).toBe('oversized');
		expect(() => encodeShareToken({ blob: 'x'.repeat(MAX_JSON_BYTES) })).toThrow(ShareLinkError);
	});

	it('refuse valid-looking documents that are not usable settings', async () => {
		const { payload } = await realRunShare();
		const cases: [string, unknown, RegExp][] = [
			['not JSON', '{"kind":', /bad JSON/],
			['unknown kind', { ...payload, kind: 'script' }, /kind/],
			['unknown key', { ...payload, extra: 1 }, /extra|Unrecognized/i],
			['prototype key', JSON.parse(`{"__proto__":{"polluted":true},${JSON.stringify(payload).slice(1)}`), /__proto__|Unrecognized/i],
			['script in symbol', { ...payload, market: { ...payload.market, symbol: '<img src=x onerror=alert(1)>' } }, /market\.symbol: must be a Binance symbol/],
			['bad interval', { ...payload, market: { ...payload.market, interval: '7h' } }, /market\.interval/],
			['reversed range', { ...payload, market: { ...payload.market, lastOpenTime: payload.market.firstOpenTime - 3_600_000 } }, /before firstOpenTime/],
			['bad hash', { ...payload, expected: { ...payload.expected, tradesHash: 'zz' } }, /expected\.tradesHash: must be 64 lowercase hex/],
			['string number', { ...payload, config: { ...payload.config, feeRate: '0.001' } }, /config\.feeRate/],
			['infinite cash', JSON.parse(JSON.stringify({ ...payload, config: { ...payload.config, initialCash: 1 } }).replace('"initialCash":1', '"initialCash":1e999')), /config\.initialCash/],
			['fee out of range', { ...payload, config: { ...payload.config, feeRate: 0.9 } }, /feeRate must be a fraction/],
			['bad strategy params', { ...payload, config: { ...payload.config, params: { period: -3 } } }, /period/],
			['unknown strategy', { ...payload, config: { ...payload.config, strategy: 'martingale' } }, /config\.strategy/]
		];
		for (const [name, doc, message] of cases) {
			const token = craftToken(typeof doc === 'string' ? doc : JSON.stringify(doc));
			const e = refusal(token);
			expect([name, e.reason]).toEqual([name, name === 'not JSON' ? 'corrupt' : 'invalid']);
			expect(e.message, name).toMatch(message);
		}
		expect(({} as Record<string, unknown>).polluted).toBeUndefined();
	});

	it('verify a reproduction: identical, different data, different engine, different result', async () => {
		const { payload, metrics } = await realRunShare();
		const got = {
			metrics,
			bars: payload.market.bars,
			firstOpenTime: payload.market.firstOpenTime,
			lastOpenTime: payload.market.lastOpenTime
		};
		const fp = { engineVersion: payload.engineVersion, dataHash: payload.expected.dataHash, fingerprint: payload.expected.fingerprint, tradesHash: payload.expected.tradesHash };
		expect(verifyRun(payload, { ...got, fingerprint: fp })).toEqual({ status: 'identical', reasons: [], notes: [] });

		const fewer = verifyRun(payload, { ...got, fingerprint: fp, bars: payload.market.bars - 1 });
		expect(fewer.status).toBe('mismatch');
		expect(fewer.reasons[0]).toMatch(/^Different data: the sender ran on 8,760 candles .* 8,759 candles/);

		const otherData = verifyRun(payload, { ...got, fingerprint: { ...fp, dataHash: 'f'.repeat(64), fingerprint: 'e'.repeat(64) } });
		expect(otherData.status).toBe('mismatch');
		expect(otherData.reasons[0]).toContain('do not hash like the sender');

		const otherEngineSame = verifyRun(payload, { ...got, fingerprint: { ...fp, engineVersion: '1.0.0+000000000000', fingerprint: 'e'.repeat(64) } });
		expect(otherEngineSame.status).toBe('identical');
		expect(otherEngineSame.notes[0]).toContain('Different engine version: the link was made with engine ' + payload.engineVersion);

		const otherEngineDiff = verifyRun(payload, {
			...got,
			metrics: { ...metrics, finalEquity: metrics.finalEquity + 0.01 },
			fingerprint: { ...fp, engineVersion: '1.0.0+000000000000', tradesHash: 'd'.repeat(64) }
		});
		expect(otherEngineDiff.status).toBe('mismatch');
		expect(otherEngineDiff.reasons).toEqual([
			`Different engine version: the link was made with engine ${payload.engineVersion}; this app runs 1.0.0+000000000000.`,
			'Different result: the trade list, finalEquity differ.'
		]);

		const sameInputsDiff = verifyRun(payload, { ...got, metrics: { ...metrics, sharpeRatio: metrics.sharpeRatio * (1 + Number.EPSILON) }, fingerprint: fp });
		expect(sameInputsDiff.status).toBe('mismatch');
		expect(sameInputsDiff.reasons[0]).toContain('Different result with identical inputs (sharpeRatio)');
	});
});
