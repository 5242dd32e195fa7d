/** Bad input to the band fit: each gives a clear per-market message (or a ValidationError for scan-wide settings). */
import { describe, expect, it } from 'vitest';
import { bandSignal, minCandles, polyBands, polyfitValues, scanMarket } from '../../../src/lib/analysis/bands';
import { loadKlinesCsv } from '../helpers/fixtures';

const btc = () => loadKlinesCsv('klines-1d/BTCUSDT-1d.csv');
const settings = { days: 720, degree: 4, kstd: 2, interval: '1d' as const };

describe('scanMarket bad input', () => {
	it('too few candles: HOLD with "not enough data: 12 candles, need 30"', () => {
		const k = btc();
		const r = scanMarket({ symbol: 'X', openTime: k.openTime.slice(0, 12), close: k.close.slice(0, 12) }, settings);
		expect([r.signal, r.error, r.candles]).toEqual(['HOLD', 'not enough data: 12 candles, need 30', 12]);
	});
	it('degree ≥ candles is the same rule (a degree-10 fit on 8 candles)', () => {
		const k = btc();
		const r = scanMarket({ symbol: 'X', openTime: k.openTime.slice(0, 8), close: k.close.slice(0, 8) }, { ...settings, degree: 10 });
		expect(r.error).toBe('not enough data: 8 candles, need 30');
		expect(minCandles(10)).toBe(30);
		expect(() => polyfitValues([1, 2, 3], 3)).toThrow(/needs more than 3 points, got 3/);
	});
	it('NaN close: names the candle and says what to do', () => {
		const k = btc();
		const close = k.close.slice(-100);
		close[50] = NaN;
		const r = scanMarket({ symbol: 'X', openTime: k.openTime.slice(-100), close }, settings);
		expect(r.signal).toBe('HOLD');
		expect(r.error).toMatch(/close of candle 50 \(\d{4}-\d\d-\d\dT00:00:00.000Z\) is NaN: every close must be a positive number; re-import or re-sync/);
	});
	it('fewer candles than days but above the minimum: fitted on all it has', () => {
		const k = btc();
		const r = scanMarket({ symbol: 'X', openTime: k.openTime.slice(-100), close: k.close.slice(-100) }, settings);
		expect(r.error).toBeNull();
		expect(r.candles).toBe(100);
	});
	it('4h and 1h intervals convert days to candles (6× and 24×)', () => {
		const k = btc();
		expect(scanMarket({ symbol: 'X', openTime: k.openTime, close: k.close }, { ...settings, days: 100, interval: '4h' }).candles).toBe(600);
		expect(scanMarket({ symbol: 'X', openTime: k.openTime, close: k.close }, { ...settings, days: 100, interval: '1h' }).candles).toBe(2400);
	});
	it('scan-wide settings out of range throw one ValidationError listing each problem', () => {
		const k = btc();
		expect(() => scanMarket({ symbol: 'X', openTime: k.openTime, close: k.close }, { ...settings, degree: 1, kstd: 4 })).toThrow(
			/degree must be a whole number from 2 to 10, got 1; kstd must be a number from 1 to 3/
		);
	});
});

describe('signal and ratios (BANDS.md)', () => {
	it('BUY below lower, SELL above upper, HOLD inside, with both ratios', () => {
		expect(bandSignal(80, 120, 90)).toEqual({ signal: 'BUY', potentialReturnRatio: 30 / 90, targetReturnRatio: 40 / 80 });
		expect(bandSignal(130, 120, 90)).toEqual({ signal: 'SELL', potentialReturnRatio: 30 / 120, targetReturnRatio: 40 / 130 });
		expect(bandSignal(100, 120, 90)).toEqual({ signal: 'HOLD', potentialReturnRatio: 0, targetReturnRatio: 0 });
	});
	it('a straight line is fitted exactly (σ = 0) and bands collapse onto it', () => {
		const y = Array.from({ length: 50 }, (_, i) => 100 + 2 * i);
		const b = polyBands(y, 2, 2);
		expect(b.sigma).toBeLessThan(1e-9);
		y.forEach((v, i) => expect(Math.abs(b.fit[i] - v)).toBeLessThan(1e-9));
	});
});
