/**
 * The crossing tie band of SEMANTICS.md "Crossing" on real data: XRPUSDT 1h, bar 5689 of the PORTFOLIO.md window
 * (2025-12-09T01:00Z), where SMA10 and SMA30 are an exact tie in the CSV's decimals that a running sum sees as a
 * residue of about -1.7e-14. With the band there is no cross at 5689; the cross below is at 5690.
 */
import { describe, expect, it } from 'vitest';
import { isoUtc } from '../../../src/lib/core/timeframe';
import { referenceSignals, runReferenceBacktest, sma } from '../../../src/lib/engine/reference';
import { crossesAbove, crossesBelow, tieEqual } from '../../../src/lib/engine/reference/engine';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import { portfolioWindow } from '../helpers/portfolio-fixtures';

const config = { ...defaultConfig('sma-cross'), params: { fast: 10, slow: 30 } };

describe('crossing tie band (XRPUSDT 1h, 2025-12-09T01:00Z)', () => {
	const w = portfolioWindow('XRPUSDT');
	const fast = sma(w.close, 10);
	const slow = sma(w.close, 30);

	it('bar 5689 is 2025-12-09T01:00Z and SMA10 = SMA30 there within 1e-9 relative, but not bit-equal', () => {
		expect(isoUtc(w.openTime[5689])).toBe('2025-12-09T01:00:00Z');
		// Exact decimals: 10 * sum(last 30 closes) = 30 * sum(last 10 closes) (prices have at most 4 decimals).
		const c = Array.from(w.close.subarray(5689 - 29, 5690), (x) => Math.round(x * 10_000));
		const sum30 = c.reduce((a, b) => a + b, 0);
		const sum10 = c.slice(20).reduce((a, b) => a + b, 0);
		expect(sum10 * 3).toBe(sum30);
		const diff = fast[5689] - slow[5689];
		expect(diff).not.toBe(0);
		expect(Math.abs(diff)).toBeLessThan(1e-12);
		expect(tieEqual(fast[5689], slow[5689])).toBe(true);
		// Without the band the running-sum residue would be a cross below at 5689.
		expect(fast[5688] >= slow[5688] && fast[5689] < slow[5689]).toBe(true);
	});

	it('no cross at 5689; the cross below is at 5690', () => {
		expect(crossesBelow(fast[5688], fast[5689], slow[5688], slow[5689])).toBe(false);
		expect(crossesAbove(fast[5688], fast[5689], slow[5688], slow[5689])).toBe(false);
		expect(crossesBelow(fast[5689], fast[5690], slow[5689], slow[5690])).toBe(true);
		const sig = referenceSignals(w, config);
		expect([sig.exitLong[5689], sig.enterShort[5689]]).toEqual([0, 0]);
		expect([sig.exitLong[5690], sig.enterShort[5690]]).toEqual([1, 1]);
	});

	it('a long held into the tie exits at the open of 5691 (single market, S1 rules)', () => {
		const out = runReferenceBacktest(w, config);
		const t = out.trades.find((x) => x.entryBar < 5689 && x.exitBar >= 5689);
		expect(t).toBeDefined();
		expect(t!.exitBar).toBe(5691);
		expect(t!.exitReason).toBe('signal');
		expect(t!.exitPrice).toBe(w.open[5691]);
	});

	it('the band is relative and symmetric; NaN never crosses', () => {
		expect(tieEqual(1, 1 + 5e-10)).toBe(true);
		expect(tieEqual(1, 1 + 2e-9)).toBe(false);
		expect(tieEqual(1e6, 1e6 + 5e-4)).toBe(true);
		expect(tieEqual(0, 0)).toBe(true);
		expect(tieEqual(0, 1e-300)).toBe(false);
		// prev tie, now above: a cross above (prev counts as <=)
		expect(crossesAbove(1, 2, 1 + 1e-12, 1)).toBe(true);
		// now within the band: no cross either way
		expect(crossesAbove(0.9, 1 + 1e-12, 1, 1)).toBe(false);
		expect(crossesBelow(1.1, 1 - 1e-12, 1, 1)).toBe(false);
		expect(crossesAbove(NaN, 2, 1, 1)).toBe(false);
		expect(crossesBelow(2, 0, 1, NaN)).toBe(false);
	});
});
