import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/lib/core/errors';
import { SearchSpace } from '../../../src/lib/optimize';

const S1_AXES = [
	{ name: 'fast', start: 5, end: 14, step: 1 },
	{ name: 'slow', start: 20, end: 65, step: 5 }
];

describe('SearchSpace', () => {
	it('S1 grid fast 5..14 x slow 20..65 step 5 has 100 combinations, all valid', () => {
		const space = new SearchSpace({ strategy: 'sma-cross', axes: S1_AXES });
		expect(space.axes[0].values).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
		expect(space.axes[1].values).toEqual([20, 25, 30, 35, 40, 45, 50, 55, 60, 65]);
		expect(space.size).toBe(100);
		expect(space.countValid()).toEqual({ count: 100, exact: true });
	});

	it('maps indices to parameter sets with axis 0 outermost, and back', () => {
		const space = new SearchSpace({ strategy: 'sma-cross', axes: S1_AXES });
		expect(space.paramsAt(0)).toEqual({ fast: 5, slow: 20 });
		expect(space.paramsAt(1)).toEqual({ fast: 5, slow: 25 });
		expect(space.paramsAt(10)).toEqual({ fast: 6, slow: 20 });
		expect(space.paramsAt(99)).toEqual({ fast: 14, slow: 65 });
		const seen = new Set<string>();
		for (let i = 0; i < space.size; i++) {
			const p = space.paramsAt(i);
			seen.add(`${p.fast}/${p.slow}`);
			expect(space.indexOfParams(p)).toBe(i);
		}
		expect(seen.size).toBe(100);
		expect(space.indexOfParams({ fast: 5, slow: 21 })).toBe(-1);
	});

	it('applies the fast < slow constraint: count equals a brute-force count', () => {
		const space = new SearchSpace({
			strategy: 'sma-cross',
			axes: [
				{ name: 'fast', start: 5, end: 40, step: 1 },
				{ name: 'slow', start: 20, end: 65, step: 5 }
			]
		});
		let brute = 0;
		for (let f = 5; f <= 40; f++) for (let s = 20; s <= 65; s += 5) if (f < s) brute++;
		expect(space.size).toBe(36 * 10);
		expect(brute).toBeLessThan(space.size);
		expect(space.countValid()).toEqual({ count: brute, exact: true });
		expect(space.isValid(space.indexOfParams({ fast: 25, slow: 25 }))).toBe(false);
		expect(space.isValid(space.indexOfParams({ fast: 24, slow: 25 }))).toBe(true);
	});

	it('accepts lists (sorted) and float ranges without drift; fixed parameters keep given values', () => {
		const space = new SearchSpace({
			strategy: 'ema-atr-breakout',
			axes: [
				{ name: 'emaPeriod', values: [50, 10, 20] },
				{ name: 'atrMultiplier', start: 0.1, end: 1, step: 0.1 }
			],
			fixed: { volumeFilter: true }
		});
		expect(space.axes[0].values).toEqual([10, 20, 50]);
		expect(space.axes[1].values).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
		expect(space.paramsAt(0)).toEqual({ emaPeriod: 10, atrPeriod: 14, atrMultiplier: 0.1, volumeFilter: 1, volumePeriod: 20 });
	});

	it('rejects bad axes with messages that name the parameter and the fix', () => {
		const mk = (axes: unknown) => () => new SearchSpace({ strategy: 'sma-cross', axes: axes as never });
		expect(mk([])).toThrow(/at least one axis/);
		expect(mk([{ name: 'fastt', start: 1, end: 2, step: 1 }])).toThrow(/unknown parameter "fastt".*known: fast, slow/);
		expect(mk([{ name: 'fast', start: 5, end: 14, step: 0 }])).toThrow(/fast: step must be above 0/);
		expect(mk([{ name: 'fast', start: 14, end: 5, step: 1 }])).toThrow(/end 5 is below start 14/);
		expect(mk([{ name: 'fast', start: 1, end: 5, step: 1 }])).toThrow(/fast must be between 2 and 500, got 1/);
		expect(mk([{ name: 'fast', start: 2, end: 5, step: 0.5 }])).toThrow(/fast must be a whole number, got 2.5/);
		expect(mk([{ name: 'fast', values: [5, 5] }])).toThrow(/listed twice/);
		expect(mk([{ name: 'fast', values: [5] }, { name: 'fast', values: [6] }])).toThrow(/searched twice/);
		expect(mk([{ name: 'fast', values: [] }])).toThrow(ValidationError);
	});
});
