/** Fee and slippage parsing shared by the CLI and the app: fractions, percentages, and the 5 % guard. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEE_RATE, DEFAULT_SLIPPAGE_RATE, parseCostRate } from '../../../src/lib/core/costs';

describe('parseCostRate', () => {
	it('reads fractions and percentages alike', () => {
		expect(parseCostRate('0.001', '--fee')).toBe(0.001);
		expect(parseCostRate('0.1%', '--fee')).toBe(0.001);
		expect(parseCostRate('0.1 %', '--fee')).toBe(0.001);
		expect(parseCostRate('0.05%', '--slippage')).toBe(0.0005);
		expect(parseCostRate('5e-4', '--slippage')).toBe(0.0005);
		expect(parseCostRate('0', '--fee')).toBe(0);
		expect(parseCostRate('.075%', '--fee')).toBe(0.00075);
	});
	it('refuses 5 % or more unless allowed, and says what a plain number means', () => {
		expect(() => parseCostRate('0.1', '--fee')).toThrow(/--fee 0\.1 is 10 % per fill.*for 0\.1 % write 0\.1% \(or 0\.001\).*--allow-large-costs/);
		expect(() => parseCostRate('5%', '--slippage')).toThrow(/5 % per fill/);
		expect(parseCostRate('0.1', '--fee', { allowLarge: true })).toBe(0.1);
		expect(parseCostRate('4.99%', '--fee')).toBeCloseTo(0.0499, 15);
	});
	it('rejects garbage, negatives and 100 %+', () => {
		for (const bad of ['', 'abc', '0.1%%', '1,5', '--1', '0.1 bp']) expect(() => parseCostRate(bad, '--fee')).toThrow(/fraction like 0.001 or a percentage/);
		expect(() => parseCostRate('-0.1%', '--fee')).toThrow(/negative/);
		expect(() => parseCostRate('100%', '--fee', { allowLarge: true })).toThrow(/below 100 %/);
	});
	it('fuzz: any percentage below 5 % round-trips to its fraction (seeded)', () => {
		let s = 12345;
		const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
		for (let k = 0; k < 2000; k++) {
			const pct = Number((rnd() * 4.99).toFixed(4));
			expect(parseCostRate(`${pct}%`, '--fee')).toBeCloseTo(pct / 100, 14);
			expect(parseCostRate(String(pct / 100), '--fee')).toBeCloseTo(pct / 100, 14);
		}
	});
	it('defaults: fee 0.1 %, slippage 0.05 %', () => {
		expect(DEFAULT_FEE_RATE).toBe(0.001);
		expect(DEFAULT_SLIPPAGE_RATE).toBe(0.0005);
	});
});
