import { describe, expect, it } from 'vitest';
import { DataError, ValidationError } from '../../../src/lib/core/errors';
import { walkForwardWindows } from '../../../src/lib/optimize';

describe('walkForwardWindows', () => {
	it('rolling: equal training windows sliding by one test window, last test ends at the last bar', () => {
		const w = walkForwardWindows(1000, { mode: 'rolling', splits: 4, trainRatio: 0.75, minTrainBars: 10, minTestBars: 10 });
		// T = floor(1000 / (4 + 3)) = 142, L = 426, used 426 + 568 = 994, unused 6.
		expect(w.testBars).toBe(142);
		expect(w.trainBars).toBe(426);
		expect(w.unusedBars).toBe(6);
		expect(w.splits).toEqual([
			{ train: { start: 6, end: 432 }, test: { start: 432, end: 574 } },
			{ train: { start: 148, end: 574 }, test: { start: 574, end: 716 } },
			{ train: { start: 290, end: 716 }, test: { start: 716, end: 858 } },
			{ train: { start: 432, end: 858 }, test: { start: 858, end: 1000 } }
		]);
	});

	it('anchored: every training window starts at the first used bar and grows', () => {
		const w = walkForwardWindows(1000, { mode: 'anchored', splits: 4, trainRatio: 0.75, minTrainBars: 10, minTestBars: 10 });
		expect(w.splits.map((s) => s.train)).toEqual([
			{ start: 6, end: 432 },
			{ start: 6, end: 574 },
			{ start: 6, end: 716 },
			{ start: 6, end: 858 }
		]);
		expect(w.splits.map((s) => s.test)).toEqual(walkForwardWindows(1000, { mode: 'rolling', splits: 4, trainRatio: 0.75, minTrainBars: 10, minTestBars: 10 }).splits.map((s) => s.test));
	});

	it('invariants hold for many sizes: consecutive tests, no overlap with training, within bounds', () => {
		for (const bars of [200, 999, 8760, 17_521]) {
			for (const splits of [1, 2, 5, 7]) {
				for (const trainRatio of [0.5, 0.7, 0.8]) {
					for (const mode of ['rolling', 'anchored'] as const) {
						const w = walkForwardWindows(bars, { mode, splits, trainRatio, minTrainBars: 5, minTestBars: 5 });
						expect(w.splits).toHaveLength(splits);
						expect(w.splits[splits - 1].test.end).toBe(bars);
						expect(w.unusedBars).toBeGreaterThanOrEqual(0);
						expect(w.trainBars + splits * w.testBars + w.unusedBars).toBe(bars);
						expect(w.trainBars / (w.trainBars + w.testBars)).toBeCloseTo(trainRatio, 1);
						w.splits.forEach((s, i) => {
							expect(s.train.end).toBe(s.test.start);
							expect(s.test.end - s.test.start).toBe(w.testBars);
							if (i > 0) expect(s.test.start).toBe(w.splits[i - 1].test.end);
							expect(s.train.start).toBeGreaterThanOrEqual(0);
							if (mode === 'rolling') expect(s.train.end - s.train.start).toBe(w.trainBars);
						});
					}
				}
			}
		}
	});

	it('too few bars -> a DataError saying how many bars are needed', () => {
		expect(() => walkForwardWindows(250, { mode: 'rolling', splits: 5, trainRatio: 0.75 })).toThrow(DataError);
		expect(() => walkForwardWindows(250, { mode: 'rolling', splits: 5, trainRatio: 0.75 })).toThrow(
			/too few bars for walk-forward: 250 bars with 5 split\(s\).*93 training and 31 test bars.*at least 100 training and 24 test bars.*\(272 bars in all\)/
		);
		// Exactly enough: 100 + 5 * 34 (T = ceil(100 / 3) = 34 -> L = 102) = 272 bars.
		expect(() => walkForwardWindows(271, { mode: 'anchored', splits: 5, trainRatio: 0.75 })).toThrow(DataError);
		expect(walkForwardWindows(272, { mode: 'anchored', splits: 5, trainRatio: 0.75 }).testBars).toBe(34);
		expect(() => walkForwardWindows(0, { mode: 'rolling', splits: 1, trainRatio: 0.5 })).toThrow(DataError);
	});

	it('rejects bad settings', () => {
		expect(() => walkForwardWindows(1000, { mode: 'rolling', splits: 0, trainRatio: 0.7 })).toThrow(ValidationError);
		expect(() => walkForwardWindows(1000, { mode: 'rolling', splits: 2.5, trainRatio: 0.7 })).toThrow(/whole number/);
		expect(() => walkForwardWindows(1000, { mode: 'rolling', splits: 2, trainRatio: 1 })).toThrow(/between 0 and 1/);
		expect(() => walkForwardWindows(1000, { mode: 'sliding' as never, splits: 2, trainRatio: 0.7 })).toThrow(/rolling or anchored/);
	});
});
