/**
 * Symbol search ranking on Binance's recorded full exchangeInfo (2022-12-17) and 24h tickers
 * (2024-03-10): exact and base-asset matches first, then prefix matches, then by quote volume.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseExchangeInfo, parseTickers } from '../../../src/lib/data/binance-client';
import { quoteAssets, rankSymbols } from '../../../src/lib/data/symbol-search';

const gz = (p: string) => JSON.parse(gunzipSync(readFileSync(p)).toString('utf8'));
const info = parseExchangeInfo(gz('tests/fixtures/api/spot-exchangeInfo-full-2022-12-17.json.gz'));
const trading = info.symbols.filter((s) => s.status === 'TRADING');
const tickers = parseTickers(gz('tests/fixtures/api/spot-ticker-24hr-all-2024-03-10.json.gz'));
const volumes = new Map(tickers.map((t) => [t.symbol, t.quoteVolume]));

describe('rankSymbols', () => {
	it('"eth": ETH pairs first, most traded first, not alphabetical', () => {
		const r = rankSymbols(trading, 'eth', { volumes, limit: 10 }).map((s) => s.symbol);
		expect(r.every((s) => s.startsWith('ETH'))).toBe(true);
		// ETHUSDT is the most traded ETH pair in the recorded tickers.
		const ethPairs = trading.filter((s) => s.baseAsset === 'ETH');
		const top = ethPairs.map((s) => s.symbol).sort((a, b) => (volumes.get(b) ?? -1) - (volumes.get(a) ?? -1))[0];
		expect(top).toBe('ETHUSDT');
		expect(r[0]).toBe('ETHUSDT');
		for (let i = 1; i < r.length; i++) expect(volumes.get(r[i - 1]) ?? -1).toBeGreaterThanOrEqual(volumes.get(r[i]) ?? -1);
	});
	it('exact symbol first, then prefix matches, then contains', () => {
		const r = rankSymbols(trading, 'btcusdt', { volumes }).map((s) => s.symbol);
		expect(r[0]).toBe('BTCUSDT');
		const q = rankSymbols(trading, 'usdt', { volumes, limit: 2000 });
		const tiers = q.map((s) => (s.baseAsset === 'USDT' ? 1 : s.symbol.startsWith('USDT') ? 2 : 3));
		for (let i = 1; i < tiers.length; i++) expect(tiers[i]).toBeGreaterThanOrEqual(tiers[i - 1]);
		expect(tiers).toContain(3);
		expect(tiers[0]).toBeLessThan(3);
	});
	it('filters by quote asset and lists the quote assets', () => {
		const r = rankSymbols(trading, 'eth', { volumes, quoteAsset: 'btc' });
		expect(r.length).toBeGreaterThan(0);
		expect(r.every((s) => s.quoteAsset === 'BTC')).toBe(true);
		expect(r[0].symbol).toBe('ETHBTC');
		const qa = quoteAssets(trading);
		expect(qa[0]).toBe('USDT');
		expect(qa).toContain('BTC');
	});
	it('without volumes falls back to names inside each group; empty query gives the most traded', () => {
		const r = rankSymbols(trading, 'eth', { limit: 3 }).map((s) => s.symbol);
		expect(r).toEqual([...r].sort());
		expect(rankSymbols(trading, '', { volumes, limit: 1 })[0].symbol).toBe([...trading].sort((a, b) => (volumes.get(b.symbol) ?? -1) - (volumes.get(a.symbol) ?? -1))[0].symbol);
	});
});
