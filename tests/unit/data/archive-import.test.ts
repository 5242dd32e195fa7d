import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { isoUtc, sliceOhlcv } from '../../../src/lib/core/timeframe';
import { importKlineFiles, mergeOhlcv, parseArchiveName } from '../../../src/lib/data/archive-import';
import { KlineImportError } from '../../../src/lib/data/errors';
import { parseKlineCsv } from '../../../src/lib/data/kline-csv';
import { ARCHIVE_2023, HOUR, fixtureBytes, fixtureText, ms, expectSameOhlcv } from './fixtures';

const csvFile = (name: string) => ({ name, data: fixtureBytes(`binance-archive/${name}`) });
const zipOf = (name: string, entries: Record<string, Uint8Array>) => ({ name, data: zipSync(entries) });
const btc = parseKlineCsv(fixtureText('klines/BTCUSDT-1h.csv')).ohlcv;

/** Bars of the 6-column REST-derived fixture with open time in [from, to). */
function btcRange(from: string, to: string) {
	const t = Array.from(btc.openTime);
	return sliceOhlcv(btc, t.indexOf(ms(from)), t.indexOf(ms(to)));
}

describe('importKlineFiles', () => {
	it('merges the five 2023 month files into one series equal to the REST-derived data, with the halt gap', () => {
		const r = importKlineFiles(ARCHIVE_2023.map(csvFile));
		expect(r.symbol).toBe('BTCUSDT');
		expect(r.interval).toBe('1h');
		expect(r.intervalMs).toBe(HOUR);
		expect(r.files.map((f) => [f.name, f.rows, f.errors.length])).toEqual([
			['BTCUSDT-1h-2023-01.csv', 744, 0],
			['BTCUSDT-1h-2023-02.csv', 672, 0],
			['BTCUSDT-1h-2023-03.csv', 743, 0],
			['BTCUSDT-1h-2023-04.csv', 720, 0],
			['BTCUSDT-1h-2023-05.csv', 744, 0]
		]);
		expect(isoUtc(r.files[2].firstOpenTime)).toBe('2023-03-01T00:00:00Z');
		expect(isoUtc(r.files[2].lastOpenTime)).toBe('2023-03-31T23:00:00Z');
		expect(r.ohlcv.openTime.length).toBe(744 + 672 + 743 + 720 + 744);
		expectSameOhlcv(r.ohlcv, btcRange('2023-01-01T00:00:00Z', '2023-06-01T00:00:00Z'));
		expect(r.gaps).toEqual([{ fromOpenTime: ms('2023-03-24T13:00:00Z'), toOpenTime: ms('2023-03-24T13:00:00Z'), missingBars: 1 }]);
		expect(r.conflicts).toEqual([]);
	});

	it('sorts files given out of order and merges identical duplicates silently', () => {
		const march = csvFile('BTCUSDT-1h-2023-03.csv');
		const r = importKlineFiles([csvFile('BTCUSDT-1h-2023-04.csv'), march, { name: 'copy-of-march.csv', data: march.data }]);
		expectSameOhlcv(r.ohlcv, btcRange('2023-03-01T00:00:00Z', '2023-05-01T00:00:00Z'));
		expect(r.conflicts).toEqual([]);
	});

	it('reports conflicting duplicates; the later file wins', () => {
		const text = fixtureText('binance-archive/BTCUSDT-1h-2023-03.csv');
		const lines = text.split('\n');
		const f = lines[10].split(',');
		const original = Number(f[4]);
		f[4] = (original + 1).toFixed(8); // close changed by 1 USDT
		lines[10] = f.join(',');
		const r = importKlineFiles([csvFile('BTCUSDT-1h-2023-03.csv'), { name: 'edited.csv', data: strToU8(lines.join('\n')) }]);
		expect(r.conflicts.length).toBe(1);
		expect(r.conflicts[0]).toMatchObject({ openTime: Number(f[0]), file: 'edited.csv' });
		expect(r.conflicts[0].kept.close).toBe(original + 1);
		expect(r.conflicts[0].replaced.close).toBe(original);
		expect(r.files[1].warnings.join(' ')).toMatch(/1 candle\(s\) differ from earlier files .* 2023-03-01T09:00:00Z/);
		expect(r.ohlcv.close[9]).toBe(original + 1);
		expect(r.ohlcv.openTime.length).toBe(743);
	});

	it('imports data.binance.vision style ZIPs (made with fflate), including a 2025-style microsecond CSV without header', () => {
		const feb = fixtureBytes('binance-archive/BTCUSDT-1h-2023-02.csv');
		const marchUs = fixtureText('binance-archive/BTCUSDT-1h-2023-03.csv')
			.split('\n')
			.slice(1)
			.map((l) => (l ? l.replace(/^(\d+),((?:[^,]+,){5})(\d+)/, '$1000,$2$3999') : l))
			.join('\n');
		const r = importKlineFiles([
			zipOf('BTCUSDT-1h-2023-02.zip', { 'BTCUSDT-1h-2023-02.csv': feb }),
			zipOf('BTCUSDT-1h-2023-03.zip', { 'BTCUSDT-1h-2023-03.csv': strToU8(marchUs) }),
			csvFile('BTCUSDT-1h-2023-04.csv')
		]);
		expect(r.files.map((f) => [f.name, f.rows, f.format, f.timeUnit])).toEqual([
			['BTCUSDT-1h-2023-02.zip/BTCUSDT-1h-2023-02.csv', 672, '12-column-header', 'ms'],
			['BTCUSDT-1h-2023-03.zip/BTCUSDT-1h-2023-03.csv', 743, '12-column', 'us'],
			['BTCUSDT-1h-2023-04.csv', 720, '12-column-header', 'ms']
		]);
		expectSameOhlcv(r.ohlcv, btcRange('2023-02-01T00:00:00Z', '2023-05-01T00:00:00Z'));
	});

	it('reports a corrupt ZIP by name and still imports the other files', () => {
		const good = zipSync({ 'BTCUSDT-1h-2023-02.csv': fixtureBytes('binance-archive/BTCUSDT-1h-2023-02.csv') });
		const truncated = good.slice(0, Math.floor(good.length / 2));
		const r = importKlineFiles([{ name: 'BTCUSDT-1h-2023-02.zip', data: truncated }, csvFile('BTCUSDT-1h-2023-03.csv')]);
		expect(r.files[0].rows).toBe(0);
		expect(r.files[0].errors[0]).toMatch(/^BTCUSDT-1h-2023-02\.zip: not a readable ZIP archive .*download it again from data\.binance\.vision/);
		expect(r.files[1].rows).toBe(743);
		expect(r.ohlcv.openTime.length).toBe(743);
		// Alone, it is an error naming the file.
		expect(() => importKlineFiles([{ name: 'BTCUSDT-1h-2023-02.zip', data: truncated }])).toThrow(/BTCUSDT-1h-2023-02\.zip: not a readable ZIP/);
		expect(() => importKlineFiles([{ name: 'x.zip', data: truncated }])).toThrow(KlineImportError);
	});

	it('keeps the good files when one CSV has a bad row, and reports that file with the line number', () => {
		const text = fixtureText('binance-archive/BTCUSDT-1h-2023-04.csv');
		const lines = text.split('\n');
		lines[41] = lines[41].replace(/^(\d+),([^,]+),([^,]+),([^,]+)/, '$1,$2,$3,NaN');
		const r = importKlineFiles([csvFile('BTCUSDT-1h-2023-03.csv'), { name: 'BTCUSDT-1h-2023-04.csv', data: strToU8(lines.join('\n')) }]);
		expect(r.files[1].rows).toBe(0);
		expect(r.files[1].errors[0]).toMatch(/^BTCUSDT-1h-2023-04\.csv: 1 invalid row\(s\)[\s\S]*line 42: low "NaN" is not a number/);
		expect(r.ohlcv.openTime.length).toBe(743);
	});

	it('rejects an empty file, a ZIP without CSV, and a file of another symbol', () => {
		expect(() => importKlineFiles([{ name: 'empty.csv', data: new Uint8Array(0) }])).toThrow(/empty\.csv: the file is empty/);
		const r = importKlineFiles([csvFile('BTCUSDT-1h-2023-03.csv'), zipOf('notes.zip', { 'README.txt': strToU8('hello') })]);
		expect(r.files[1].errors[0]).toMatch(/notes\.zip contains no \.csv file/);
		const r2 = importKlineFiles([
			csvFile('BTCUSDT-1h-2023-03.csv'),
			csvFile('BTCUSDT-1h-2023-04.csv'),
			{ name: 'ETHUSDT-1h-2023-05.csv', data: fixtureBytes('binance-archive/BTCUSDT-1h-2023-05.csv') }
		]);
		expect(r2.files[2].errors[0]).toMatch(/holds ETHUSDT candles but the other files hold BTCUSDT/);
		expect(r2.ohlcv.openTime.length).toBe(743 + 720);
		expect(() => importKlineFiles([])).toThrow(/no files/);
	});

	it('round-trips export -> import', async () => {
		const { klinesToCsv } = await import('../../../src/lib/data/kline-csv');
		const a = importKlineFiles(ARCHIVE_2023.slice(0, 3).map(csvFile));
		const csv = klinesToCsv(a.ohlcv, { layout: '12-column', intervalMs: a.intervalMs });
		const b = importKlineFiles([zipOf('BTCUSDT-1h-export.zip', { 'BTCUSDT-1h-export.csv': strToU8(csv) })]);
		expectSameOhlcv(b.ohlcv, a.ohlcv);
		expect(b.gaps).toEqual(a.gaps);
	});
});

describe('mergeOhlcv', () => {
	it('gives the sorted union of overlapping real slices without duplicates', () => {
		const a = sliceOhlcv(btc, 1000, 1500);
		const b = sliceOhlcv(btc, 1400, 1900);
		const m = mergeOhlcv(b, a);
		expectSameOhlcv(m.ohlcv, sliceOhlcv(btc, 1000, 1900));
		expect(m.conflicts).toEqual([]);
		expect(mergeOhlcv(sliceOhlcv(btc, 0, 10), sliceOhlcv(btc, 20, 30)).ohlcv).toEqual(
			mergeOhlcv(sliceOhlcv(btc, 20, 30), sliceOhlcv(btc, 0, 10)).ohlcv
		);
	});

	it('refuses unsorted input', () => {
		const a = sliceOhlcv(btc, 0, 10);
		a.openTime.reverse();
		expect(() => mergeOhlcv(a, sliceOhlcv(btc, 0, 10))).toThrow(/not in strictly ascending time order at bar 1/);
	});
});

describe('parseArchiveName', () => {
	it('reads monthly and daily Binance file names', () => {
		expect(parseArchiveName('BTCUSDT-1h-2023-03.zip')).toEqual({ symbol: 'BTCUSDT', interval: '1h', period: '2023-03' });
		expect(parseArchiveName('data/spot/daily/klines/ETHUSDT/15m/ETHUSDT-15m-2025-01-02.csv')).toEqual({
			symbol: 'ETHUSDT',
			interval: '15m',
			period: '2025-01-02'
		});
		expect(parseArchiveName('BTCUSDT-1h.csv')).toBeUndefined();
		expect(parseArchiveName('BTCUSDT-7h-2023-03.zip')).toBeUndefined();
	});
});
