import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/lib/core/errors';
import { isoUtc } from '../../../src/lib/core/timeframe';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { KlineImportError } from '../../../src/lib/data/errors';
import { klinesToCsv, parseKlineCsv } from '../../../src/lib/data/kline-csv';
import { HOUR, fixtureText, ms, expectSameOhlcv } from './fixtures';

/** Bars of `ohlcv` with open time in [from, to). */
function range(ohlcv: OhlcvColumns, from: number, to: number): OhlcvColumns {
	const t = Array.from(ohlcv.openTime);
	const a = t.findIndex((x) => x >= from);
	const b = t.findIndex((x) => x >= to);
	const slice = (c: Float64Array) => c.slice(a, b < 0 ? t.length : b);
	return {
		openTime: slice(ohlcv.openTime),
		open: slice(ohlcv.open),
		high: slice(ohlcv.high),
		low: slice(ohlcv.low),
		close: slice(ohlcv.close),
		volume: slice(ohlcv.volume)
	};
}

/** Replace line `n` (1-based) of `text`. */
function editLine(text: string, n: number, f: (line: string) => string): string {
	const lines = text.split('\n');
	lines[n - 1] = f(lines[n - 1]);
	return lines.join('\n');
}

/** The same file as the official 2025+ spot archives write it: no header, open/close time in microseconds. */
function toMicroseconds(text: string): string {
	return text
		.split('\n')
		.slice(1)
		.map((line) => {
			if (!line) return line;
			const f = line.split(',');
			f[0] += '000';
			f[6] += '999';
			return f.join(',');
		})
		.join('\n');
}

const btcText = fixtureText('klines/BTCUSDT-1h.csv');
const btc = parseKlineCsv(btcText, { source: 'BTCUSDT-1h.csv' });
const march = fixtureText('binance-archive/BTCUSDT-1h-2023-03.csv');

describe('parseKlineCsv: layouts', () => {
	it('reads the 6-column file with header (78,221 rows, ms, 1h inferred)', () => {
		expect(btc.format).toBe('6-column-header');
		expect(btc.timeUnit).toBe('ms');
		expect(btc.intervalMs).toBe(HOUR);
		expect(btc.ohlcv.openTime.length).toBe(78_221);
		expect(isoUtc(btc.ohlcv.openTime[0])).toBe('2017-08-17T04:00:00Z');
		expect(isoUtc(btc.ohlcv.openTime[78_220])).toBe('2026-07-25T16:00:00Z');
		// First data line verbatim: 1502942400000,4261.48,4313.62,4261.32,4308.83,47.181009
		const row = btcText.split('\n')[1].split(',').map(Number);
		expect([0, 1, 2, 3, 4, 5].map((k) => [btc.ohlcv.openTime, btc.ohlcv.open, btc.ohlcv.high, btc.ohlcv.low, btc.ohlcv.close, btc.ohlcv.volume][k][0])).toEqual(row);
		expect(btc.gaps.length).toBe(28);
		expect(btc.warnings.join('\n')).toMatch(/Missing candles: 28 gaps, 128 missing candles/);
	});

	const expectedRows: Record<string, [number, string, string]> = {
		'BTCUSDT-1h-2023-01.csv': [744, '2023-01-01T00:00:00Z', '2023-01-31T23:00:00Z'],
		'BTCUSDT-1h-2023-02.csv': [672, '2023-02-01T00:00:00Z', '2023-02-28T23:00:00Z'],
		'BTCUSDT-1h-2023-03.csv': [743, '2023-03-01T00:00:00Z', '2023-03-31T23:00:00Z'],
		'BTCUSDT-1h-2023-04.csv': [720, '2023-04-01T00:00:00Z', '2023-04-30T23:00:00Z'],
		'BTCUSDT-1h-2023-05.csv': [744, '2023-05-01T00:00:00Z', '2023-05-31T23:00:00Z'],
		'BTCUSDT-1h-2022-01.csv': [744, '2022-01-01T00:00:00Z', '2022-01-31T23:00:00Z']
	};
	for (const [name, [rows, first, last]] of Object.entries(expectedRows)) {
		it(`reads the 12-column archive file ${name} with its header and agrees with the REST-derived 6-column data`, () => {
			const r = parseKlineCsv(fixtureText(`binance-archive/${name}`), { source: name });
			expect(r.format).toBe('12-column-header');
			expect(r.timeUnit).toBe('ms');
			expect(r.ohlcv.openTime.length).toBe(rows);
			expect(isoUtc(r.ohlcv.openTime[0])).toBe(first);
			expect(isoUtc(r.ohlcv.openTime[rows - 1])).toBe(last);
			// Cross-source: the archive rows equal the klines/BTCUSDT-1h.csv rows of the same hours.
			expectSameOhlcv(r.ohlcv, range(btc.ohlcv, ms(first), ms(last) + HOUR));
		});
	}

	it('accepts the 2023-03-24 halt: zero-volume 12:00 candle with an odd close time, 13:00 candle missing (gap of 1)', () => {
		const r = parseKlineCsv(march, { source: 'BTCUSDT-1h-2023-03.csv' });
		expect(r.gaps).toEqual([{ fromOpenTime: ms('2023-03-24T13:00:00Z'), toOpenTime: ms('2023-03-24T13:00:00Z'), missingBars: 1 }]);
		const i = Array.from(r.ohlcv.openTime).indexOf(ms('2023-03-24T12:00:00Z'));
		expect([r.ohlcv.open[i], r.ohlcv.high[i], r.ohlcv.low[i], r.ohlcv.close[i], r.ohlcv.volume[i]]).toEqual([28080, 28080, 28080, 28080, 0]);
		expect(r.warnings.join('\n')).toMatch(/1 candle\(s\) have a close time other than .*line 566 \(2023-03-24T12:00:00Z\)/);
		expect(r.warnings.join('\n')).toMatch(/1 gap, 1 missing candle: 2023-03-24T13:00:00Z \(1\)/);
	});

	it('reads the CRLF file with a differently spelled header (Opentime,Open,...)', () => {
		const r = parseKlineCsv(fixtureText('binance-archive/BTCUSDT-1h-2022-01.csv'));
		expect(r.format).toBe('12-column-header');
		expect(r.warnings).toEqual([]);
	});

	it('reads the same data rewritten as an official 2025+ file (no header, microseconds) to identical columns', () => {
		const us = toMicroseconds(march);
		expect(us.split('\n')[0]).toMatch(/^1677628800000000,23141\.57000000,/);
		const a = parseKlineCsv(march);
		const b = parseKlineCsv(us);
		expect(b.format).toBe('12-column');
		expect(b.timeUnit).toBe('us');
		expectSameOhlcv(b.ohlcv, a.ohlcv);
		expect(b.gaps).toEqual(a.gaps);
	});

	it('reads a headerless 6-column file', () => {
		const text = btcText.split('\n').slice(1, 101).join('\n');
		const r = parseKlineCsv(text);
		expect(r.format).toBe('6-column');
		expectSameOhlcv(r.ohlcv, range(btc.ohlcv, btc.ohlcv.openTime[0], btc.ohlcv.openTime[100]));
	});
});

describe('parseKlineCsv: invalid input', () => {
	const expectImportError = (text: string, pattern: RegExp, source = 'BTCUSDT-1h-2023-03.csv') => {
		let err: unknown;
		try {
			parseKlineCsv(text, { source });
		} catch (e) {
			err = e;
		}
		expect(err).toBeInstanceOf(KlineImportError);
		expect(err).toBeInstanceOf(DataError);
		expect((err as Error).message).toMatch(pattern);
		return err as KlineImportError;
	};

	it('names file, line number and problem for a non-numeric value', () => {
		const bad = editLine(march, 100, (l) => l.replace(/^(\d+),([^,]+),([^,]+)/, '$1,$2,abc'));
		const e = expectImportError(bad, /^BTCUSDT-1h-2023-03\.csv: 1 invalid row\(s\)[\s\S]*line 100: high "abc" is not a number/);
		expect(e.rowErrors).toEqual([{ line: 100, message: 'high "abc" is not a number' }]);
		expect(e.errorCount).toBe(1);
	});

	it('reports OHLC inconsistency, negative volume and wrong column count', () => {
		const swapHL = editLine(march, 10, (l) => {
			const f = l.split(',');
			[f[2], f[3]] = [f[3], f[2]];
			return f.join(',');
		});
		expectImportError(swapHL, /line 10: low 2\d+(\.\d+)? is above high/);
		const highBelowClose = editLine(march, 11, (l) => {
			const f = l.split(',');
			f[2] = String(Math.max(Number(f[1]), Number(f[4])) - 0.01);
			f[3] = String(Math.min(Number(f[3]), Number(f[2])));
			return f.join(',');
		});
		expectImportError(highBelowClose, /line 11: high .* is below (open|close)/);
		expectImportError(editLine(march, 12, (l) => l.replace(/^((?:[^,]+,){5})/, '$1-')), /line 12: volume -\S+ is negative/);
		expectImportError(editLine(march, 13, (l) => l.split(',').slice(0, 11).join(',')), /line 13: expected 12 columns, found 11/);
	});

	it('reports duplicate, unordered and misaligned open times', () => {
		const lines = march.split('\n');
		const dup = [...lines.slice(0, 50), lines[49], ...lines.slice(50)].join('\n');
		expectImportError(dup, /line 51: duplicate open time 2023-03-03T0\d:00:00Z \(same as line 50\)/);
		const swapped = [...lines];
		[swapped[29], swapped[30]] = [swapped[30], swapped[29]];
		expectImportError(swapped.join('\n'), /line 31: open time .* is before the previous row's/);
		const shifted = editLine(march, 200, (l) => l.replace(/^(\d+)/, (t) => String(Number(t) + 60_000)));
		expectImportError(shifted, /line 200: open time .*T\d\d:01:00Z is not on the 1h candle grid/);
	});

	it('lists at most 10 row errors plus a count', () => {
		let bad = march;
		for (let n = 2; n < 17; n++) bad = editLine(bad, n, (l) => l.replace(/^(\d+),[^,]+/, '$1,x'));
		const e = expectImportError(bad, /15 invalid row\(s\) \(first 10 shown\)[\s\S]*\.\.\. and 5 more invalid row\(s\)/);
		expect(e.rowErrors.length).toBe(10);
		expect(e.errorCount).toBe(15);
	});

	it('gives a clear message for an empty file, a header-only file and an unknown layout', () => {
		expectImportError('', /BTCUSDT-1h-2023-03\.csv: the file is empty/);
		expectImportError('\r\n\n', /the file is empty/);
		expectImportError(march.split('\n')[0] + '\n', /has a header but no candle rows/);
		expectImportError('a,b,c\n1,2,3\n', /line 1 has 3 column\(s\)/);
		expectImportError(editLine(march.split('\n').slice(0, 3).join('\n'), 2, (l) => l.replace(/^\d{3}/, '')), /line 2: open time \d+ is neither/);
	});
});

describe('klinesToCsv', () => {
	it('round-trips the archive month through the 12-column layout (close_time = open + interval - 1, unknown fields 0)', () => {
		const a = parseKlineCsv(march);
		const csv = klinesToCsv(a.ohlcv, { layout: '12-column', intervalMs: HOUR });
		const first = csv.split('\n')[0].split(',');
		expect(first).toEqual(['1677628800000', '23141.57', '23219.99', '23020.03', '23101', '12736.94918', '1677632399999', '0', '0', '0', '0', '0']);
		const b = parseKlineCsv(csv);
		expect(b.format).toBe('12-column');
		expectSameOhlcv(b.ohlcv, a.ohlcv);
		const withHeader = parseKlineCsv(klinesToCsv(a.ohlcv, { layout: '12-column', intervalMs: HOUR, header: true }));
		expect(withHeader.format).toBe('12-column-header');
		expectSameOhlcv(withHeader.ohlcv, a.ohlcv);
	});

	it('round-trips the whole 78,221-row series through the 6-column layout', () => {
		const csv = klinesToCsv(btc.ohlcv, { layout: '6-column-header' });
		expect(csv.split('\n')[0]).toBe('open_time,open,high,low,close,volume');
		expectSameOhlcv(parseKlineCsv(csv).ohlcv, btc.ohlcv);
	});

	it('writes tiny values without exponent notation, still round-trippable', () => {
		const a = parseKlineCsv(march).ohlcv;
		const scaled = { ...a, open: a.open.map((x) => x * 1e-12), high: a.high.map((x) => x * 1e-12), low: a.low.map((x) => x * 1e-12), close: a.close.map((x) => x * 1e-12) };
		const csv = klinesToCsv(scaled, { layout: '6-column-header' });
		expect(csv).not.toMatch(/e-/);
		expectSameOhlcv(parseKlineCsv(csv).ohlcv, scaled);
	});

	it('refuses the 12-column layout without an interval', () => {
		expect(() => klinesToCsv(btc.ohlcv, { layout: '12-column' })).toThrow(/needs intervalMs/);
	});
});
