/**
 * Price display by tick size: decimals from Binance's PRICE_FILTER.tickSize (recorded exchangeInfo),
 * else from the candles' own decimals (real BTCUSDT 1h klines), and the quote asset's name.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { dataDecimals, formatPrice, priceDecimals, quoteAssetOf, tickDecimals } from '../../../src/lib/core/price-format';

const info = JSON.parse(gunzipSync(readFileSync('tests/fixtures/api/spot-exchangeInfo-full-2022-12-17.json.gz')).toString('utf8')) as {
	symbols: { symbol: string; quoteAsset: string; filters: { filterType: string; tickSize?: string }[] }[];
};
const tick = (s: string) => info.symbols.find((x) => x.symbol === s)!.filters.find((f) => f.filterType === 'PRICE_FILTER')!.tickSize!;

describe('tickDecimals', () => {
	it('reads the decimals of Binance tick sizes (recorded exchangeInfo 2022-12-17)', () => {
		expect(tick('BTCUSDT')).toBe('0.01000000');
		expect(tickDecimals(Number(tick('BTCUSDT')))).toBe(2);
		expect(tickDecimals(Number(tick('ETHBTC')))).toBe(Number(tick('ETHBTC')).toString().split('.')[1]?.length ?? 0);
		// Every listed tick size: decimals equal the position of the last significant digit in Binance's string.
		for (const s of info.symbols.slice(0, 400)) {
			const t = s.filters.find((f) => f.filterType === 'PRICE_FILTER')?.tickSize;
			if (!t || Number(t) === 0) continue;
			const frac = t.split('.')[1]?.replace(/0+$/, '') ?? '';
			expect(tickDecimals(Number(t)), `${s.symbol} ${t}`).toBe(frac.length);
		}
	});
	it('handles steps of 0.5, 1 and 10 and rejects non-positive ones', () => {
		expect(tickDecimals(0.5)).toBe(1);
		expect(tickDecimals(1)).toBe(0);
		expect(tickDecimals(10)).toBe(0);
		expect(tickDecimals(1e-8)).toBe(8);
		expect(() => tickDecimals(0)).toThrow(RangeError);
		expect(() => tickDecimals(Number.NaN)).toThrow(/positive/);
	});
});

describe('dataDecimals', () => {
	it('finds 2 decimals in real BTCUSDT 1h closes', () => {
		const rows = readFileSync('tests/fixtures/klines/BTCUSDT-1h.csv', 'utf8').trim().split('\n').slice(-5000);
		const close = Float64Array.from(rows.map((r) => Number(r.split(',')[4])));
		expect(dataDecimals(close)).toBe(2);
	});
	it('takes the most decimals of any value, ignores NaN, defaults to 2', () => {
		expect(dataDecimals([58400, 66650.1, 1.25])).toBe(2);
		expect(dataDecimals([0.00001234, 0.1])).toBe(8);
		expect(dataDecimals([100, 200])).toBe(0);
		expect(dataDecimals([Number.NaN, 3.5])).toBe(1);
		expect(dataDecimals([])).toBe(2);
	});
	it('priceDecimals prefers the tick size and falls back to the data', () => {
		expect(priceDecimals(0.01, [1.23456])).toBe(2);
		expect(priceDecimals(null, [1.23456])).toBe(5);
		expect(priceDecimals(undefined, null)).toBe(2);
	});
});

describe('formatPrice', () => {
	it('formats every price of one market with the same decimals', () => {
		expect(formatPrice(58400, 2)).toBe('58,400.00');
		expect(formatPrice(66650.0254, 2)).toBe('66,650.03');
		expect(formatPrice(0.000012345, 8)).toBe('0.00001235');
		expect(formatPrice(Number.NaN, 2)).toBe('—');
	});
});

describe('quoteAssetOf', () => {
	it('names the quote asset from exchangeInfo, else from the suffix', () => {
		expect(quoteAssetOf('ETHBTC', info.symbols)).toBe('BTC');
		expect(quoteAssetOf('BTCUSDT')).toBe('USDT');
		expect(quoteAssetOf('BTCFDUSD')).toBe('FDUSD');
		expect(quoteAssetOf('XYZ')).toBe('quote');
	});
});
