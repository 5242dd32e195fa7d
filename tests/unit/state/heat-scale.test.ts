import { describe, expect, it } from 'vitest';
import { EMPTY_CELL, heatColour, heatScale } from '../../../src/lib/state/heat-scale';

const rgb = (c: string) => c.match(/\d+/g)!.map(Number);

describe('heatmap scale', () => {
	it('a losing Sharpe is never green: all-negative values shade from grey to red', () => {
		const s = heatScale([-1.2, -0.8, -0.1], 0);
		for (const v of [-1.2, -0.8, -0.1]) {
			const [r, g] = rgb(heatColour(v, s));
			expect(r).toBeGreaterThan(g);
		}
		// The worst value is the most intense red.
		expect(heatColour(-1.2, s)).toBe('rgb(246,70,93)');
	});
	it('is centred: equal distances from the centre get equal intensity on both sides; the centre is grey', () => {
		const s = heatScale([-2, 1, 2], 0);
		expect(heatColour(0, s)).toBe('rgb(60,68,80)');
		expect(heatColour(2, s)).toBe('rgb(46,189,133)');
		expect(heatColour(-2, s)).toBe('rgb(246,70,93)');
		const up = rgb(heatColour(1, s));
		const down = rgb(heatColour(-1, s));
		// Halfway to each end.
		expect(up).toEqual([53, 129, 107]);
		expect(down).toEqual([153, 69, 87]);
	});
	it('profit factor centred on 1 and return on buy-and-hold', () => {
		const pf = heatScale([0.8, 1.5], 1);
		expect(rgb(heatColour(0.8, pf))[0]).toBeGreaterThan(rgb(heatColour(0.8, pf))[1]);
		const ret = heatScale([0.05, 0.2], 0.1);
		expect(rgb(heatColour(0.05, ret))[0]).toBeGreaterThan(rgb(heatColour(0.05, ret))[1]); // positive but below buy-and-hold: red
	});
	it('sequential scale for counts; empty cells', () => {
		const s = heatScale([10, 20, NaN], null);
		expect(s).toMatchObject({ lo: 10, hi: 20, centre: null });
		expect(heatColour(NaN, s)).toBe(EMPTY_CELL);
		expect(heatColour(10, s)).not.toBe(heatColour(20, s));
	});
});
