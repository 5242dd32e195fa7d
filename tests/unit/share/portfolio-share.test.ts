/**
 * Portfolio share links: a real 5-market run (both breakers) round-trips through a link and verifies
 * identical; the strict schema refuses unknown keys, bad settings and impossible baskets with a
 * message; seeded fuzzing (random strings, mutated real links, hostile documents with valid
 * checksums) only ever yields a valid payload or a ShareLinkError; the verifier names what differs.
 */
import { describe, expect, it } from 'vitest';
import { fingerprintPortfolioRun, portfolioDataHash } from '../../../src/lib/engine/fingerprint';
import { createNodePortfolioEngine } from '../../../src/lib/engine/node';
import { defaultPortfolioConfig } from '../../../src/lib/engine/portfolio-config';
import type { PortfolioConfig } from '../../../src/lib/engine/types';
import { Rng } from '../../../src/lib/optimize/rng';
import {
	encodeShareToken,
	isPortfolioDocument,
	MAX_TOKEN_CHARS,
	parsePortfolioSharePayload,
	portfolioSharePayload,
	portfolioShareUrl,
	readPortfolioShareLink,
	readShareLink,
	ShareLinkError,
	verifyPortfolio,
	decodeShareToken,
	tokenFromLink,
	type PortfolioSharePayload
} from '../../../src/lib/share';
import { computeMetrics } from '../../../src/lib/metrics';
import { basketIndex } from '../../../src/lib/workers/portfolio-service';
import { windowMarkets } from '../helpers/portfolio-markets';
import { craftToken } from './helpers';

const CONFIG: PortfolioConfig = {
	...defaultPortfolioConfig(),
	sizing: { mode: 'equity-split' },
	breakers: [
		{ kind: 'max-drawdown', threshold: 0.1, action: 'close-all', cooldownBars: 168 },
		{ kind: 'consecutive-losses', count: 3, action: 'reduce', factor: 0.5 }
	]
};

async function realPortfolioShare() {
	const markets = windowMarkets();
	const engine = await createNodePortfolioEngine();
	engine.load(markets);
	const r = engine.run(CONFIG);
	const metrics = computeMetrics({ openTime: r.openTime, close: basketIndex(markets, r.openTime), equity: r.equity, trades: r.trades, initialCash: 10_000, intervalMs: 3_600_000, ambiguousBars: r.ambiguousBars }) as unknown as Record<string, number>;
	const fingerprint = fingerprintPortfolioRun({ engineVersion: engine.version, symbols: r.symbols, interval: '1h', dataHash: portfolioDataHash(markets), config: CONFIG, trades: r.trades, events: r.events });
	const ms = markets.map((m) => ({ symbol: m.symbol, firstOpenTime: m.ohlcv.openTime[0], lastOpenTime: m.ohlcv.openTime[m.ohlcv.openTime.length - 1], bars: m.ohlcv.openTime.length }));
	const payload = portfolioSharePayload({ config: CONFIG, interval: '1h', markets: ms, result: { fingerprint, metrics } }, Date.UTC(2026, 11, 1));
	return { payload, fingerprint, metrics, markets: ms };
}

describe('portfolio share links', () => {
	it('round-trip a real 5-market run, stay short, and verify identical against the same reproduction', async () => {
		const { payload, fingerprint, metrics, markets } = await realPortfolioShare();
		const url = portfolioShareUrl('https://example.test/app/portfolio/', payload);
		expect(url).toMatch(/^https:\/\/example\.test\/app\/portfolio\/#v1\./);
		expect(url.length).toBeLessThan(MAX_TOKEN_CHARS);
		const back = readPortfolioShareLink(url);
		expect(back).toEqual(payload);
		expect(isPortfolioDocument(decodeShareToken(tokenFromLink(url)))).toBe(true);
		// The single-run reader refuses it (the share page hands such links to the Portfolio screen).
		expect(() => readShareLink(url)).toThrow(ShareLinkError);
		const v = verifyPortfolio(back, { fingerprint, metrics, markets });
		expect(v).toEqual({ status: 'identical', reasons: [], notes: [] });
	});

	it('names what differs: candles of one market, the trade list, the events, the engine', async () => {
		const { payload, fingerprint, metrics, markets } = await realPortfolioShare();
		const shorter = markets.map((m, i) => (i === 2 ? { ...m, bars: m.bars - 1 } : m));
		const a = verifyPortfolio(payload, { fingerprint, metrics, markets: shorter });
		expect(a.status).toBe('mismatch');
		expect(a.reasons[0]).toMatch(/Different data for BNBUSDT/);
		const b = verifyPortfolio(payload, { fingerprint: { ...fingerprint, tradesHash: '0'.repeat(64), eventsHash: '1'.repeat(64) }, metrics, markets });
		expect(b.reasons.join(' ')).toMatch(/the trade list, the breaker events/);
		const c = verifyPortfolio(payload, { fingerprint: { ...fingerprint, engineVersion: '1.0.0+zzz' }, metrics, markets });
		expect(c.status).toBe('identical');
		expect(c.notes[0]).toMatch(/Different engine version/);
		const d = verifyPortfolio(payload, { fingerprint, metrics: { ...metrics, finalEquity: metrics.finalEquity + 0.01 }, markets });
		expect(d.reasons.join(' ')).toMatch(/finalEquity/);
	});

	it('refuses unknown keys, bad settings and impossible baskets with a message naming the field', async () => {
		const { payload } = await realPortfolioShare();
		const bad = (edit: (p: Record<string, any>) => void) => {
			const doc = JSON.parse(JSON.stringify(payload));
			edit(doc);
			return () => parsePortfolioSharePayload(doc);
		};
		expect(bad((p) => (p.extra = 1))).toThrow(/Unrecognized key|extra/);
		expect(bad((p) => (p.config.maxPositions = 0))).toThrow(/config\.maxPositions/);
		expect(bad((p) => (p.config.leverage = 11))).toThrow(/config\.leverage/);
		expect(bad((p) => (p.config.breakers = [p.config.breakers[0], p.config.breakers[0]]))).toThrow(/Only one max-drawdown breaker/);
		expect(bad((p) => (p.config.breakers[0].threshold = 1.5))).toThrow(/threshold/);
		expect(bad((p) => (p.markets = [p.markets[0], p.markets[0]]))).toThrow(/must not name a market twice/);
		expect(bad((p) => (p.markets = []))).toThrow(/markets/);
		expect(bad((p) => (p.markets[1].symbol = 'eth/usdt'))).toThrow(/markets\.1\.symbol/);
		expect(bad((p) => (p.config.sizing = { mode: 'risk', fraction: 0.01 }))).toThrow(/Risk sizing needs a stop-loss/);
		expect(bad((p) => (p.expected.eventsHash = 'x'))).toThrow(/expected\.eventsHash/);
		for (const f of [bad((p) => (p.config.maxPositions = 0)), bad((p) => (p.extra = 1))]) {
			try {
				f();
			} catch (e) {
				expect(e).toBeInstanceOf(ShareLinkError);
				expect((e as ShareLinkError).reason).toBe('invalid');
			}
		}
	});

	it('fuzz (seeded): random strings, mutated real links and hostile documents give a payload or a ShareLinkError, nothing else', async () => {
		const { payload } = await realPortfolioShare();
		const token = encodeShareToken(payload);
		const rng = new Rng(20261201);
		const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
		let valid = 0;
		let refused = 0;
		const attempt = (link: string) => {
			try {
				const p = readPortfolioShareLink(link);
				expect(parsePortfolioSharePayload(JSON.parse(JSON.stringify(p)))).toEqual(p);
				valid++;
			} catch (e) {
				if (!(e instanceof ShareLinkError)) throw new Error(`non-ShareLinkError escaped: ${String(e)}`);
				refused++;
			}
		};
		for (let i = 0; i < 600; i++) {
			let s = 'v1.';
			const n = Math.floor(rng.next() * 200);
			for (let k = 0; k < n; k++) s += B64[Math.floor(rng.next() * B64.length)];
			attempt(s);
		}
		for (let i = 0; i < 1200; i++) {
			const t = token.slice(3);
			const j = Math.floor(rng.next() * t.length);
			const op = Math.floor(rng.next() * 3);
			const m = op === 0 ? t.slice(0, j) + B64[Math.floor(rng.next() * 64)] + t.slice(j + 1) : op === 1 ? t.slice(0, j) : t.slice(0, j) + t.slice(j + 1);
			attempt('v1.' + m);
		}
		// Hostile documents with valid checksums: one field replaced, deleted or added.
		const values: unknown[] = [null, true, -1, 0, 1e308, 'BTCUSDT', '<script>', '__proto__', [], {}, [1, 2], { kind: 'portfolio' }, 201, 0.5];
		for (let i = 0; i < 1200; i++) {
			const doc = JSON.parse(JSON.stringify(payload)) as Record<string, any>;
			let node: Record<string, any> = doc;
			for (let d = 0; d < 4; d++) {
				const keys = Object.keys(node);
				const k = keys[Math.floor(rng.next() * keys.length)];
				if (node[k] && typeof node[k] === 'object' && rng.next() < 0.6) {
					node = node[k];
					continue;
				}
				const r = rng.next();
				if (r < 0.6) node[k] = values[Math.floor(rng.next() * values.length)];
				else if (r < 0.8) delete node[k];
				else node['extra'] = 1;
				break;
			}
			attempt(craftToken(JSON.stringify(doc)));
		}
		expect(valid + refused).toBe(3000);
		expect(refused).toBeGreaterThan(2000);
		// The crafted-token path itself accepts the untouched document.
		expect(readPortfolioShareLink(craftToken(JSON.stringify(payload)))).toEqual(payload);
	});
});
