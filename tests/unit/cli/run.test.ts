/**
 * selectWindow and loadKlineFile on the real BTCUSDT 1h file: --from/--to filter first (inclusive open times),
 * then --last-contiguous takes the end of the most recent gap-free run; impossible windows are DataErrors.
 */
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/lib/core/errors';
import { KlineImportError } from '../../../src/lib/data/errors';
import { loadKlineFile, selectWindow } from '../../../src/cli/run';
import { fixturePath, REFERENCE_WINDOW } from '../helpers/fixtures';

const HOUR = 3_600_000;
const file = loadKlineFile(fixturePath('klines/BTCUSDT-1h.csv'));
const t = file.ohlcv.openTime;
const HALT = Date.UTC(2023, 2, 24, 13); // the missing 2023-03-24T13:00Z candle (exchange halt)

/** Length of the gap-free run ending at index end - 1, counted independently of the code under test. */
function runLengthEndingAt(end: number): number {
	let k = 1;
	while (end - 1 - k >= 0 && t[end - k] - t[end - 1 - k] === HOUR) k++;
	return k;
}

describe('loadKlineFile', () => {
	it('reads the 6-column fixture with its interval and gaps', () => {
		expect(file.format).toBe('6-column-header');
		expect(file.intervalMs).toBe(HOUR);
		expect(t.length).toBe(78_221);
		expect(file.gaps.some((g) => g.fromOpenTime === HALT)).toBe(true);
	});

	it('names a missing file', () => {
		expect(() => loadKlineFile('/no/such/klines.csv')).toThrow(new DataError("cannot read --data file '/no/such/klines.csv': no such file."));
	});

	it('passes invalid rows through as KlineImportError', () => {
		expect(() => loadKlineFile(fixturePath('reference/SCENARIOS.md'))).toThrow(KlineImportError);
	});
});

describe('selectWindow', () => {
	it('--last-contiguous 8760 is the reference window of SCENARIOS.md', () => {
		const w = selectWindow(file.ohlcv, HOUR, { lastContiguous: 8760 });
		expect(w.ohlcv.openTime.length).toBe(REFERENCE_WINDOW.bars);
		expect(w.ohlcv.openTime[0]).toBe(REFERENCE_WINDOW.firstOpenTime);
		expect(w.ohlcv.openTime[8759]).toBe(REFERENCE_WINDOW.lastOpenTime);
		expect(w.ohlcv.close[8759]).toBe(file.ohlcv.close[t.length - 1]);
		expect([w.start, w.end]).toEqual([t.length - 8760, t.length]);
		expect(w.gaps).toEqual([]);
		expect(w.description).toBe('last 8,760 bars of the most recent contiguous run of 29,259 bars');
	});

	it('--from/--to keep bars whose open time is within both bounds, inclusive', () => {
		const from = Date.UTC(2023, 1, 1);
		const to = Date.UTC(2023, 1, 28, 23);
		const w = selectWindow(file.ohlcv, HOUR, { fromMs: from, toMs: to });
		expect(w.ohlcv.openTime[0]).toBe(from);
		expect(w.ohlcv.openTime[w.ohlcv.openTime.length - 1]).toBe(to);
		expect(w.ohlcv.openTime.length).toBe(28 * 24);
		expect(t[w.start - 1]).toBeLessThan(from);
		expect(t[w.end]).toBeGreaterThan(to);
	});

	it('applies --from/--to before --last-contiguous: the run ends at the last bar before --to', () => {
		const to = HALT + 30 * 60_000; // 13:30, inside the missing candle: the last bar kept is 12:00
		const endIdx = t.indexOf(HALT - HOUR) + 1;
		const runLen = runLengthEndingAt(endIdx);
		const w = selectWindow(file.ohlcv, HOUR, { toMs: to, lastContiguous: 100 });
		expect(w.ohlcv.openTime[99]).toBe(HALT - HOUR);
		expect(w.ohlcv.openTime[0]).toBe(HALT - 100 * HOUR);
		expect(w.description).toBe(
			`open time from the file start to 2023-03-24T13:30:00Z, then last 100 bars of the most recent contiguous run of ${runLen.toLocaleString('en-US')} bars`
		);
		expect(() => selectWindow(file.ohlcv, HOUR, { toMs: to, lastContiguous: runLen + 1 })).toThrow(
			`--last-contiguous ${runLen + 1} is more than the most recent contiguous run: ${runLen} bar(s)`
		);
	});

	it('fails when --last-contiguous is longer than the most recent run, giving its length and dates', () => {
		expect(() => selectWindow(file.ohlcv, HOUR, { lastContiguous: 29_260 })).toThrow(
			new DataError(
				'--last-contiguous 29260 is more than the most recent contiguous run: 29259 bar(s), 2023-03-24T14:00:00Z .. ' +
					'2026-07-25T16:00:00Z (missing candles before 2023-03-24T14:00:00Z); ask for at most 29259 bars.'
			)
		);
		expect(selectWindow(file.ohlcv, HOUR, { lastContiguous: 29_259 }).ohlcv.openTime[0]).toBe(HALT + HOUR);
	});

	it('fails when no bar is inside --from/--to, naming the file range', () => {
		expect(() => selectWindow(file.ohlcv, HOUR, { fromMs: Date.UTC(2030, 0, 1) })).toThrow(
			/^no bars between 2030-01-01T00:00:00Z and the end \(the file covers 2017-08-17T04:00:00Z \.\. 2026-07-25T16:00:00Z\)/
		);
	});

	it('reports the gaps inside a window that spans an exchange halt', () => {
		const w = selectWindow(file.ohlcv, HOUR, { fromMs: HALT - 5 * HOUR, toMs: HALT + 5 * HOUR });
		expect(w.ohlcv.openTime.length).toBe(10);
		expect(w.gaps).toEqual([{ fromOpenTime: HALT, toOpenTime: HALT, missingBars: 1 }]);
	});

	it('returns the whole file without options', () => {
		const w = selectWindow(file.ohlcv, HOUR, {});
		expect(w.ohlcv).toBe(file.ohlcv);
		expect(w.description).toBe('the whole file');
		expect(w.gaps.length).toBe(file.gaps.length);
	});
});
