/**
 * 4h and 1d candles built from stored 1h candles equal Binance's own 4h and 1d candles: real
 * BTCUSDT/ETHUSDT files (tests/fixtures/klines, shared project data cross-checked against several
 * independent sources) compared row by row over their whole overlap, exchange halts included.
 */
import { describe, expect, it } from 'vitest';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { resampleCandles } from '../../../src/lib/data/resample';
import { loadKlinesCsv } from '../helpers/fixtures';

function compare(derived: OhlcvColumns, binance: OhlcvColumns): { compared: number; missing: number } {
	const at = new Map<number, number>();
	derived.openTime.forEach((t, i) => at.set(t, i));
	const first = derived.openTime[0];
	const last = derived.openTime[derived.openTime.length - 1];
	let compared = 0;
	let missing = 0;
	for (let j = 0; j < binance.openTime.length; j++) {
		const t = binance.openTime[j];
		if (t < first || t > last) continue;
		const i = at.get(t);
		if (i === undefined) {
			missing++;
			continue;
		}
		expect(derived.open[i], `open ${t}`).toBe(binance.open[j]);
		expect(derived.high[i], `high ${t}`).toBe(binance.high[j]);
		expect(derived.low[i], `low ${t}`).toBe(binance.low[j]);
		expect(derived.close[i], `close ${t}`).toBe(binance.close[j]);
		expect(Math.abs(derived.volume[i] - binance.volume[j]), `volume ${t}`).toBeLessThanOrEqual(1e-9 * Math.max(1, binance.volume[j]));
		compared++;
	}
	return { compared, missing };
}

describe('resampleCandles on real Binance data', () => {
	it('BTCUSDT 4h from 1h equals Binance 4h (2025-01-01 .. 2026-07-25, 3,424 candles)', () => {
		const r = resampleCandles(loadKlinesCsv('klines/BTCUSDT-1h.csv'), '1h', '4h');
		const { compared, missing } = compare(r.ohlcv, loadKlinesCsv('klines/BTCUSDT-4h-2025-2026.csv'));
		expect(compared).toBe(3424);
		expect(missing).toBe(0);
	});
	it('ETHUSDT 4h from 1h equals Binance 4h', () => {
		const r = resampleCandles(loadKlinesCsv('klines/ETHUSDT-1h.csv'), '1h', '4h');
		const { compared, missing } = compare(r.ohlcv, loadKlinesCsv('klines/ETHUSDT-4h-2025-2026.csv'));
		expect(compared).toBe(3424);
		expect(missing).toBe(0);
	});
	it('BTCUSDT 1d from 1h equals Binance 1d (2022-01-01 .. 2026-03-01, halts included)', () => {
		const h1 = loadKlinesCsv('klines/BTCUSDT-1h.csv');
		const r = resampleCandles(h1, '1h', '1d');
		const { compared, missing } = compare(r.ohlcv, loadKlinesCsv('klines/BTCUSDT-1d-2022-2026.csv'));
		expect(compared).toBe(1521);
		expect(missing).toBe(0);
		// Days with fewer than 24 stored hours (exchange halts) are kept and counted, not dropped.
		expect(r.partial).toBeGreaterThan(0);
		// 2023-03-24: the halt day (13:00 missing at Binance too) still equals Binance's 1d candle.
		expect(r.ohlcv.openTime).toContain(Date.UTC(2023, 2, 24));
	});
	it('drops periods at the ends that the stored candles do not fully cover', () => {
		const h1 = loadKlinesCsv('klines/BTCUSDT-1h.csv');
		// Start at 05:00 and end at 10:00 on some day: the first and last 4h periods are incomplete.
		const a = h1.openTime.indexOf(Date.UTC(2025, 0, 2, 5));
		const b = h1.openTime.indexOf(Date.UTC(2025, 0, 3, 10));
		const cut = (c: Float64Array) => c.subarray(a, b + 1);
		const r = resampleCandles({ openTime: cut(h1.openTime), open: cut(h1.open), high: cut(h1.high), low: cut(h1.low), close: cut(h1.close), volume: cut(h1.volume) }, '1h', '4h');
		expect(r.droppedEdges).toBe(2);
		expect(r.ohlcv.openTime[0]).toBe(Date.UTC(2025, 0, 2, 8));
		expect(r.ohlcv.openTime[r.ohlcv.openTime.length - 1]).toBe(Date.UTC(2025, 0, 3, 4));
	});
	it('rejects targets that are not whole multiples', () => {
		const h1 = loadKlinesCsv('klines/BTCUSDT-1h.csv');
		expect(() => resampleCandles(h1, '4h', '1h')).toThrow(/not a whole multiple/);
		expect(() => resampleCandles(h1, '1h', '1M' as never)).toThrow(/calendar-month/);
	});
});
