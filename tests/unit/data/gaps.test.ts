import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/lib/core/errors';
import { isoUtc, sliceOhlcv } from '../../../src/lib/core/timeframe';
import { countMissingBars, findGaps, lastContiguousRun, validateOhlcv } from '../../../src/lib/data/gaps';
import { parseKlineCsv } from '../../../src/lib/data/kline-csv';
import { HOUR, fixtureText, ms } from './fixtures';

// Gap list of klines/BTCUSDT-1h.csv as published in the data's SOURCES.md (computed there by an independent script).
const SOURCES_GAPS =
	'2017-09-06T17:00:00Z..2017-09-06T22:00:00Z (6); 2018-01-04T04:00:00Z (1); 2018-02-08T01:00:00Z..2018-02-09T09:00:00Z (33); 2018-06-26T02:00:00Z..2018-06-26T11:00:00Z (10); 2018-06-27T13:00:00Z (1); 2018-07-04T01:00:00Z..2018-07-04T07:00:00Z (7); 2018-10-19T06:00:00Z..2018-10-19T08:00:00Z (3); 2018-11-14T02:00:00Z..2018-11-14T08:00:00Z (7); 2019-03-12T02:00:00Z..2019-03-12T07:00:00Z (6); 2019-05-15T03:00:00Z..2019-05-15T12:00:00Z (10); 2019-08-15T02:00:00Z..2019-08-15T09:00:00Z (8); 2019-11-13T02:00:00Z..2019-11-13T03:00:00Z (2); 2019-11-25T02:00:00Z..2019-11-25T03:00:00Z (2); 2020-02-09T02:00:00Z (1); 2020-02-19T12:00:00Z..2020-02-19T16:00:00Z (5); 2020-03-04T10:00:00Z (1); 2020-04-25T02:00:00Z..2020-04-25T03:00:00Z (2); 2020-06-28T02:00:00Z..2020-06-28T04:00:00Z (3); 2020-11-30T06:00:00Z (1); 2020-12-21T14:00:00Z..2020-12-21T17:00:00Z (4); 2020-12-25T02:00:00Z (1); 2021-02-11T04:00:00Z (1); 2021-03-06T02:00:00Z (1); 2021-04-20T02:00:00Z..2021-04-20T03:00:00Z (2); 2021-04-25T05:00:00Z..2021-04-25T07:00:00Z (3); 2021-08-13T02:00:00Z..2021-08-13T05:00:00Z (4); 2021-09-29T07:00:00Z..2021-09-29T08:00:00Z (2); 2023-03-24T13:00:00Z (1)';

const btc = parseKlineCsv(fixtureText('klines/BTCUSDT-1h.csv'), { source: 'BTCUSDT-1h.csv' }).ohlcv;

describe('findGaps', () => {
	it('finds the 28 gaps / 128 missing candles of BTCUSDT 1h listed in SOURCES.md', () => {
		const expected = SOURCES_GAPS.split('; ').map((s) => {
			const m = /^(\S+?)(?:\.\.(\S+))? \((\d+)\)$/.exec(s)!;
			return { fromOpenTime: ms(m[1]), toOpenTime: ms(m[2] ?? m[1]), missingBars: Number(m[3]) };
		});
		const gaps = findGaps(btc.openTime, HOUR);
		expect(gaps).toEqual(expected);
		expect(gaps.length).toBe(28);
		expect(countMissingBars(gaps)).toBe(128);
		// Present + missing candles span the whole range.
		const span = (btc.openTime[btc.openTime.length - 1] - btc.openTime[0]) / HOUR + 1;
		expect(btc.openTime.length + 128).toBe(span);
	});

	it('reports nothing on a contiguous slice and rejects a non-positive interval', () => {
		const run = lastContiguousRun(btc.openTime, HOUR);
		expect(findGaps(btc.openTime.subarray(run.start, run.end), HOUR)).toEqual([]);
		expect(() => findGaps(btc.openTime, 0)).toThrow(DataError);
	});
});

describe('lastContiguousRun', () => {
	it('gives the 29,259-bar run after the 2023-03-24 halt; its last 8,760 bars start at 1753462800000', () => {
		const { start, end } = lastContiguousRun(btc.openTime, HOUR);
		expect(end).toBe(btc.openTime.length);
		expect(end - start).toBe(29_259);
		expect(isoUtc(btc.openTime[start])).toBe('2023-03-24T14:00:00Z');
		expect(btc.openTime[start] - btc.openTime[start - 1]).toBe(2 * HOUR);
		expect(btc.openTime[end - 8760]).toBe(1753462800000);
	});

	it('handles empty and one-bar series', () => {
		expect(lastContiguousRun(new Float64Array(0), HOUR)).toEqual({ start: 0, end: 0 });
		expect(lastContiguousRun(btc.openTime.subarray(0, 1), HOUR)).toEqual({ start: 0, end: 1 });
	});
});

describe('validateOhlcv', () => {
	const sample = () => sliceOhlcv(btc, 1000, 1100);

	it('accepts the real series', () => {
		expect(() => validateOhlcv(btc)).not.toThrow();
	});

	it('names the first bar with NaN or Infinity', () => {
		const x = sample();
		x.close[7] = NaN;
		x.high[9] = Infinity;
		expect(() => validateOhlcv(x)).toThrow(new RegExp(`^Bar 7 \\(open time ${isoUtc(x.openTime[7])}\\): close is NaN`));
		const y = sample();
		y.volume[3] = -Infinity;
		expect(() => validateOhlcv(y)).toThrow(/Bar 3 .*volume is -Infinity/);
	});

	it('rejects duplicate and unordered open times', () => {
		const d = sample();
		d.openTime[5] = d.openTime[4];
		expect(() => validateOhlcv(d)).toThrow(/Bar 5 .*duplicate/);
		const u = sample();
		[u.openTime[20], u.openTime[21]] = [u.openTime[21], u.openTime[20]];
		expect(() => validateOhlcv(u)).toThrow(/Bar 21 .*before the previous/);
	});

	it('rejects length mismatch and empty input', () => {
		const x = sample();
		x.volume = x.volume.slice(0, 99);
		expect(() => validateOhlcv(x)).toThrow(/volume has 99/);
		expect(() => validateOhlcv(sliceOhlcv(btc, 0, 0))).toThrow(/empty/);
		expect(() => validateOhlcv(sliceOhlcv(btc, 0, 0))).toThrow(DataError);
	});
});
