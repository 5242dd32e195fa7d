/** Plain helpers of the Portfolio screen: basket editing, leveraged-token detection, wording, breaker spans. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parseExchangeInfo, parseTickers, rankSymbolsByQuoteVolume } from '../../../src/lib/data/binance-client';
import {
	addSymbols,
	breakerArg,
	cooldownSpans,
	describeBreaker,
	describePortfolioSizing,
	isLeveragedToken,
	MAX_PORTFOLIO_MARKETS,
	moveSymbol,
	normaliseSymbol,
	reducedSpans,
	sizingArg
} from '../../../src/lib/state/portfolio-text';
import { fixturePath } from '../helpers/fixtures';

describe('basket editing', () => {
	it('normalises symbols, adds without duplicates up to the limit, and moves in priority order', () => {
		expect(normaliseSymbol('btc/usdt')).toBe('BTCUSDT');
		expect(normaliseSymbol(' x ')).toBeNull();
		expect(addSymbols(['A1', 'B1'], ['B1', 'C1'])).toEqual(['A1', 'B1', 'C1']);
		const many = Array.from({ length: 250 }, (_, i) => `S${i}`);
		expect(addSymbols([], many)).toHaveLength(MAX_PORTFOLIO_MARKETS);
		expect(moveSymbol(['A1', 'B1', 'C1'], 'C1', -1)).toEqual(['A1', 'C1', 'B1']);
		expect(moveSymbol(['A1', 'B1'], 'A1', -1)).toEqual(['A1', 'B1']);
	});
});

describe('leveraged tokens in real listings', () => {
	const info = parseExchangeInfo(JSON.parse(gunzipSync(readFileSync(fixturePath('api/spot-exchangeInfo-full-2022-12-17.json.gz'))).toString('utf8')));
	const bases = new Set(info.symbols.map((s) => s.baseAsset));
	it('finds BTCUP/ETHDOWN-style tokens and leaves ordinary assets ending in the same letters', () => {
		for (const t of ['BTCUP', 'BTCDOWN', 'ETHUP', 'ETHDOWN', 'BNBUP', 'XRPDOWN']) expect(isLeveragedToken(t, bases), t).toBe(true);
		for (const a of ['BTC', 'JUP', 'SUPER', 'ETH', 'DOWN']) expect(isLeveragedToken(a, bases), a).toBe(false);
		// Every leveraged token of the 2022 listing that the app finds has the four suffixes only.
		const found = [...bases].filter((b) => isLeveragedToken(b, bases));
		expect(found.length).toBeGreaterThan(20);
		for (const f of found) expect(f).toMatch(/(UP|DOWN|BULL|BEAR)$/);
	});
	it('the top-N pick of the recorded ticker has no stablecoin pair and no leveraged token', () => {
		const tickers = parseTickers(JSON.parse(gunzipSync(readFileSync(fixturePath('api/spot-ticker-24hr-all-2024-03-10.json.gz'))).toString('utf8')));
		const rows = rankSymbolsByQuoteVolume(tickers, 60, { exchangeInfo: info }).filter((r) => !isLeveragedToken(r.baseAsset, bases)).slice(0, 20);
		expect(rows).toHaveLength(20);
		expect(rows[0].symbol).toBe('BTCUSDT');
		for (const r of rows) {
			expect(r.quoteAsset).toBe('USDT');
			expect(['USDC', 'FDUSD', 'TUSD', 'BUSD']).not.toContain(r.baseAsset);
		}
		for (let i = 1; i < rows.length; i++) expect(rows[i - 1].quoteVolume).toBeGreaterThanOrEqual(rows[i].quoteVolume);
	});
});

describe('wording and breaker spans', () => {
	it('describes sizing and breakers, and spells them as the command line does', () => {
		expect(describePortfolioSizing({ mode: 'fixed-notional', amount: 2000 })).toBe('2,000 per trade');
		expect(describePortfolioSizing({ mode: 'equity-split' })).toBe('equity ÷ K per trade');
		expect(describePortfolioSizing({ mode: 'risk', fraction: 0.01 })).toBe('risk 1 % of equity to stop');
		const dd = { kind: 'max-drawdown', threshold: 0.1, action: 'close-all', cooldownBars: 168 } as const;
		const cl = { kind: 'consecutive-losses', count: 3, action: 'reduce', factor: 0.5 } as const;
		expect(describeBreaker(dd)).toBe('max drawdown 10 % → close all, 168-bar cooldown');
		expect(describeBreaker(cl)).toBe('3 losses in a row → size × 0.5');
		expect(breakerArg(dd)).toBe('max-drawdown:0.1:close-all:168');
		expect(breakerArg(cl)).toBe('consecutive-losses:3:reduce:0.5');
		expect(sizingArg({ mode: 'equity-fraction', fraction: 0.5 })).toBe('equity-fraction:0.5');
	});
	it('pairs trips with releases; a trip without release runs to the last bar', () => {
		const ev = [
			{ bar: 5, type: 'max-drawdown', action: 'trip', value: 0.12 },
			{ bar: 7, type: 'consecutive-losses', action: 'trip', value: 3 },
			{ bar: 10, type: 'max-drawdown', action: 'release', value: 9000 },
			{ bar: 12, type: 'consecutive-losses', action: 'release', value: 4 },
			{ bar: 20, type: 'max-drawdown', action: 'trip', value: 0.1 }
		];
		expect(cooldownSpans(ev, 30)).toEqual([
			{ tripBar: 5, releaseBar: 10, released: true, drawdown: 0.12 },
			{ tripBar: 20, releaseBar: 30, released: false, drawdown: 0.1 }
		]);
		expect(reducedSpans(ev, 30)).toEqual([{ tripBar: 7, releaseBar: 12, released: true }]);
	});
});
