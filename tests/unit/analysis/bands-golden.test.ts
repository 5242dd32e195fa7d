/**
 * Golden tests of the polynomial bands against the numpy reference (tests/fixtures/bands/, BANDS.md):
 * the visible scanner rows (BTCUSDT, ETHUSDT 1d; n ∈ {720, 365}; (d, k) ∈ {(4,2), (2,1), (6,2.5), (10,3)}) and the
 * whole BTCUSDT 720-day fit/upper/lower arrays, within BANDS.md's tolerances.
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { polyBands, scanMarket } from '../../../src/lib/analysis/bands';
import { fixturePath, loadKlinesCsv } from '../helpers/fixtures';

interface VisibleRow {
	symbol: string;
	days: number;
	degree: number;
	kstd: number;
	candles: number;
	last_open_time_ms: number;
	signal: string;
	close: number;
	fit: number;
	sigma: number;
	upper: number;
	lower: number;
	potentialReturnRatio: number;
	targetReturnRatio: number;
	error: string | null;
}

const visible = JSON.parse(readFileSync(fixturePath('bands/scan.visible.json'), 'utf8')) as { rows: VisibleRow[] };
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('scanner rows vs numpy (scan.visible.json)', () => {
	it('has the 16 visible rows', () => expect(visible.rows.length).toBe(16));
	for (const ref of visible.rows) {
		it(`${ref.symbol} n=${ref.days} d=${ref.degree} k=${ref.kstd}: ${ref.signal}`, () => {
			const k = loadKlinesCsv(`klines-1d/${ref.symbol}-1d.csv`);
			const row = scanMarket({ symbol: ref.symbol, openTime: k.openTime, close: k.close }, { days: ref.days, degree: ref.degree, kstd: ref.kstd, interval: '1d' });
			expect(row.error).toBeNull();
			expect(row.signal).toBe(ref.signal);
			expect(row.candles).toBe(ref.candles);
			expect(row.asOf).toBe(ref.last_open_time_ms);
			expect(row.close).toBe(ref.close);
			expect(rel(row.fit, ref.fit)).toBeLessThan(1e-9);
			expect(rel(row.sigma, ref.sigma)).toBeLessThan(1e-9);
			const scale = Math.max(Math.abs(ref.fit), Math.abs(ref.upper), Math.abs(ref.lower));
			expect(Math.abs(row.upper - ref.upper) / Math.max(Math.abs(ref.upper), Math.abs(ref.fit))).toBeLessThan(1e-9);
			expect(Math.abs(row.lower - ref.lower) / Math.max(Math.abs(ref.lower), Math.abs(ref.fit))).toBeLessThan(1e-9);
			expect(scale).toBeGreaterThan(0);
			if (ref.signal === 'HOLD') {
				expect(row.potentialReturnRatio).toBe(0);
				expect(row.targetReturnRatio).toBe(0);
			} else {
				expect(rel(row.potentialReturnRatio, ref.potentialReturnRatio)).toBeLessThan(1e-7);
				expect(rel(row.targetReturnRatio, ref.targetReturnRatio)).toBeLessThan(1e-7);
			}
		});
	}
});

describe('BTCUSDT 720-day band arrays vs numpy (bands.BTCUSDT.720.csv)', () => {
	it('every fit / upper / lower within 1e-9 relative', () => {
		const rows = Papa.parse<string[]>(readFileSync(fixturePath('bands/bands.BTCUSDT.720.csv'), 'utf8'), { skipEmptyLines: true }).data.slice(1);
		expect(rows.length).toBe(720);
		const k = loadKlinesCsv('klines-1d/BTCUSDT-1d.csv');
		const n = k.close.length;
		const closes = k.close.slice(n - 720);
		const b = polyBands(closes, 4, 2.0);
		let worst = 0;
		rows.forEach((r, i) => {
			expect(Number(r[1])).toBe(k.openTime[n - 720 + i]);
			expect(Number(r[3])).toBe(closes[i]);
			const fit = Number(r[4]);
			const up = Number(r[5]);
			const lo = Number(r[6]);
			worst = Math.max(worst, rel(b.fit[i], fit), Math.abs(b.upper[i] - up) / Math.max(Math.abs(up), Math.abs(fit)), Math.abs(b.lower[i] - lo) / Math.max(Math.abs(lo), Math.abs(fit)));
		});
		expect(worst).toBeLessThan(1e-9);
		// The refinement step does better than the tolerance by orders of magnitude.
		expect(worst).toBeLessThan(1e-11);
	});
});
