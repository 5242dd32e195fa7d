/**
 * Statistics toolkit against independent references: numpy.percentile (linear), Python's statistics.NormalDist
 * (inv_cdf is Wichura AS241 in C; cdf via erf), math.erfc for the far tail. Reference values were computed with
 * Python 3 / numpy on this machine; the commands are in the comments.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/lib/core/rng';
import {
	histogram,
	moments,
	normalCdf,
	normalQuantile,
	percentilesSorted,
	quantileSorted,
	RunningMoments
} from '../../../src/lib/analysis/stats';

describe('percentiles', () => {
	it('equal numpy.percentile (method linear)', () => {
		// np.percentile([3,1,4,1,5,9,2,6], [5,25,50,75,95]) -> [1.0, 1.75, 3.5, 5.25, 7.95]
		const sorted = Float64Array.from([3, 1, 4, 1, 5, 9, 2, 6]).sort();
		const p = percentilesSorted(sorted);
		expect(p['5']).toBeCloseTo(1.0, 12);
		expect(p['25']).toBeCloseTo(1.75, 12);
		expect(p['50']).toBeCloseTo(3.5, 12);
		expect(p['75']).toBeCloseTo(5.25, 12);
		expect(p['95']).toBeCloseTo(7.949999999999998, 12);
		expect(quantileSorted(sorted, 0)).toBe(1);
		expect(quantileSorted(sorted, 1)).toBe(9);
		expect(quantileSorted(new Float64Array(0), 0.5)).toBeNaN();
		expect(quantileSorted(Float64Array.of(7), 0.3)).toBe(7);
	});

	it('never decrease with the level (seeded random samples)', () => {
		const rng = new Rng(42);
		for (let k = 0; k < 200; k++) {
			const n = 1 + Math.floor(rng.next() * 50);
			const x = Float64Array.from({ length: n }, () => (rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 6)).sort();
			let prev = -Infinity;
			for (let q = 0; q <= 1.0000001; q += 0.01) {
				const v = quantileSorted(x, Math.min(1, q));
				expect(v).toBeGreaterThanOrEqual(prev);
				prev = v;
			}
		}
	});
});

describe('histogram', () => {
	it('counts every finite value once, last bin closed', () => {
		const h = histogram([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, NaN, Infinity], 5);
		expect(h.edges).toEqual([0, 2, 4, 6, 8, 10]);
		expect(h.counts).toEqual([2, 2, 2, 2, 3]);
	});
	it('degenerate sample: one bin of width 0', () => {
		expect(histogram([3, 3, 3])).toEqual({ edges: [3, 3], counts: [3] });
		expect(histogram([])).toEqual({ edges: [], counts: [] });
	});
	it('rejects a bad bin count', () => {
		expect(() => histogram([1, 2], 0)).toThrow(/bins/);
	});
});

describe('moments', () => {
	it('equal a hand computation (Python statistics + population central moments)', () => {
		// x = [0.01,-0.02,0.03,0,0.015,-0.005,0.02,-0.01,0.06,-0.004]
		// mean 0.0096, stdev 0.023200574705525435, skew 0.9174181125079981, kurt 3.256118191020076
		const m = moments([0.01, -0.02, 0.03, 0.0, 0.015, -0.005, 0.02, -0.01, 0.06, -0.004]);
		expect(m.mean).toBeCloseTo(0.0096, 15);
		expect(m.std).toBeCloseTo(0.023200574705525435, 14);
		expect(m.skewness).toBeCloseTo(0.9174181125079981, 12);
		expect(m.kurtosis).toBeCloseTo(3.256118191020076, 12);
	});
	it('streaming moments equal the two-pass ones', () => {
		const rng = new Rng(7);
		const x = Array.from({ length: 1000 }, () => rng.next() * 3 - 1);
		const r = new RunningMoments();
		for (const v of x) r.add(v);
		r.add(NaN);
		const m = moments(x);
		expect(r.n).toBe(1000);
		expect(r.mean).toBeCloseTo(m.mean, 12);
		expect(Math.sqrt(r.variance)).toBeCloseTo(m.std, 12);
		const resumed = new RunningMoments(r.state());
		expect(resumed.variance).toBe(r.variance);
	});
});

describe('standard normal', () => {
	it('quantile equals Python NormalDist().inv_cdf (AS241)', () => {
		const ref: Array<[number, number]> = [
			[1e-10, -6.361340902404056],
			[0.001, -3.090232306167813],
			[0.025, -1.9599639845400538],
			[0.3, -0.5244005127080407],
			[0.5, 0],
			[0.9, 1.2815515655446008],
			[0.999999, 4.753424308817089]
		];
		for (const [p, q] of ref) expect(normalQuantile(p)).toBeCloseTo(q, 12);
		expect(normalQuantile(0)).toBe(-Infinity);
		expect(normalQuantile(1)).toBe(Infinity);
		expect(normalQuantile(1.5)).toBeNaN();
	});
	it('cdf equals Python NormalDist().cdf and 0.5*erfc in the tail', () => {
		const ref: Array<[number, number]> = [
			[-5, 2.8665157186802404e-7],
			[-1.5, 0.06680720126885809],
			[0, 0.5],
			[0.3, 0.6179114221889526],
			[2.5, 0.9937903346742238],
			[7, 0.9999999999987201]
		];
		for (const [x, p] of ref) expect(normalCdf(x)).toBeCloseTo(p, 14);
		// 0.5*math.erfc(9/math.sqrt(2)) = 1.1285884059538422e-19
		expect(normalCdf(-9) / 1.1285884059538422e-19).toBeCloseTo(1, 9);
		expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 14);
		for (let p = 0.01; p < 1; p += 0.01) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 13);
	});
});

describe('histogram of values equal up to rounding', () => {
	it('is one bin (a shuffle final equity is the same product in another order)', () => {
		const h = histogram([5416.000000000001, 5416, 5415.999999999999], 30);
		expect(h.counts).toEqual([3]);
	});
});
