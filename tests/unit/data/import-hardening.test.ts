/**
 * Kline import against hostile and damaged files (issue 17, items 3-4): zip bombs, huge archives, CRC-32 of every
 * entry, CSV parser errors, limits on rows and files, non-quadratic merging, and a seeded fuzz of thousands of mutated
 * real files (every accepted result is sorted, unique, finite, low <= open/close <= high, and equals what a clean
 * parse of the same accepted rows gives; nothing stored is lost when a file is rejected).
 */
import 'fake-indexeddb/auto';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { importKlineFiles } from '../../../src/lib/data/archive-import';
import { KlineImportError } from '../../../src/lib/data/errors';
import { parseKlineCsv } from '../../../src/lib/data/kline-csv';
import { crc32, IMPORT_LIMITS } from '../../../src/lib/data/zip-safe';
import { CandleStore } from '../../../src/lib/persistence/candle-store';
import { Rng } from '../../../src/lib/optimize/rng';
import { fixtureBytes, fixtureText } from './fixtures';
import { freshFactory } from '../persistence/helpers';

const FEB = 'binance-archive/BTCUSDT-1h-2023-02.csv';
const enc = new TextEncoder();

/** Patch every size field (local header and central directory) of a one-entry ZIP to `size`. */
function declareSize(zip: Uint8Array, size: number): Uint8Array {
	const z = zip.slice();
	const v = new DataView(z.buffer);
	v.setUint32(22, size, true); // local header: uncompressed size
	for (let i = z.length - 22; i >= 0; i--) {
		if (v.getUint32(i, true) === 0x02014b50) {
			v.setUint32(i + 24, size, true);
			break;
		}
	}
	return z;
}

function expectValidSeries(o: OhlcvColumns): void {
	const n = o.openTime.length;
	for (let i = 0; i < n; i++) {
		for (const c of ['openTime', 'open', 'high', 'low', 'close', 'volume'] as const) if (!Number.isFinite(o[c][i])) throw new Error(`${c}[${i}] = ${o[c][i]}`);
		if (i > 0 && !(o.openTime[i] > o.openTime[i - 1])) throw new Error(`not strictly ascending at ${i}`);
		const lo = o.low[i];
		const hi = o.high[i];
		if (!(lo > 0 && lo <= Math.min(o.open[i], o.close[i]) && Math.max(o.open[i], o.close[i]) <= hi && o.volume[i] >= 0)) {
			throw new Error(`inconsistent candle at ${i}: O ${o.open[i]} H ${hi} L ${lo} C ${o.close[i]} V ${o.volume[i]}`);
		}
	}
}

describe('ZIP limits, checked before decompressing', () => {
	it('CRC-32 is the ISO-HDLC checksum', () => {
		expect(crc32(enc.encode('123456789'))).toBe(0xcbf43926);
		expect(crc32(new Uint8Array(0))).toBe(0);
	});

	it('a zip bomb (entry declaring 4 GB) is refused by its declared size: nothing is inflated', () => {
		const zip = declareSize(zipSync({ 'BTCUSDT-1h-2023-02.csv': fixtureBytes(FEB) }), 0xfffffff0);
		const t0 = performance.now();
		const err = (() => {
			try {
				importKlineFiles([{ name: 'BTCUSDT-1h-2023-02.zip', data: zip }]);
			} catch (e) {
				return e as Error;
			}
		})();
		expect(err).toBeInstanceOf(KlineImportError);
		expect(err!.message).toMatch(/would decompress to 4,096 MiB, more than the 512 MiB one import reads.*Nothing was decompressed/);
		expect(performance.now() - t0).toBeLessThan(2000);
	});

	it('a real highly compressible bomb above a lowered byte limit is refused the same way', () => {
		const zeros = new Uint8Array(8 * 1024 * 1024).fill(0x30);
		const zip = zipSync({ 'x.csv': zeros }, { level: 9 });
		expect(zip.length).toBeLessThan(64 * 1024);
		expect(() => importKlineFiles([{ name: 'BTCUSDT-1h-2023-02.zip', data: zip }], { limits: { maxBytes: 4 * 1024 * 1024 } })).toThrow(
			/would decompress to 8 MiB, more than the 4 MiB/
		);
	});

	it('a 20,000-entry ZIP is refused by its entry count before anything is inflated', () => {
		const entries: Record<string, Uint8Array> = {};
		for (let i = 0; i < 20_000; i++) entries[`BTCUSDT-1h-${i}.csv`] = enc.encode('x');
		const zip = zipSync(entries, { level: 0 });
		expect(() => importKlineFiles([{ name: 'many.zip', data: zip }])).toThrow(/more than 1,000 entries/);
	});

	it('an entry whose declared size is smaller than its data (fflate truncates) fails its CRC-32', () => {
		const zip = declareSize(zipSync({ 'BTCUSDT-1h-2023-02.csv': fixtureBytes(FEB) }), 1000);
		expect(() => importKlineFiles([{ name: 'BTCUSDT-1h-2023-02.zip', data: zip }])).toThrow(/is damaged: its CRC-32 is [0-9a-f]{8} but the archive records/);
	});

	it('rows above the limit are refused before parsing, naming the limit', () => {
		expect(() => importKlineFiles([{ name: 'BTCUSDT-1h-2023-02.csv', data: fixtureBytes(FEB) }], { limits: { maxRows: 500 } })).toThrow(
			/has \d{3} lines; one import reads at most 500 candles/
		);
	});
});

describe('CRC-32: single-bit corruption never imports wrong prices', () => {
	it('every one of 400 seeded single-bit flips of a real archive is refused or gives exactly the original candles', () => {
		const csv = fixtureBytes(FEB);
		const zip = zipSync({ 'BTCUSDT-1h-2023-02.csv': csv });
		const original = parseKlineCsv(new TextDecoder().decode(csv)).ohlcv;
		const rng = new Rng(31337);
		let refused = 0;
		for (let k = 0; k < 400; k++) {
			const bad = zip.slice();
			const at = Math.floor(rng.next() * bad.length);
			bad[at] ^= 1 << Math.floor(rng.next() * 8);
			try {
				const r = importKlineFiles([{ name: 'BTCUSDT-1h-2023-02.zip', data: bad }]);
				expect(r.ohlcv).toEqual(original);
			} catch (e) {
				expect(e).toBeInstanceOf(KlineImportError);
				refused++;
			}
		}
		expect(refused).toBeGreaterThan(300);
	});
});

describe('CSV parser errors are surfaced', () => {
	it('an unterminated quote in an unchecked column rejects the file instead of silently dropping later rows', () => {
		const lines = fixtureText(FEB).trim().split('\n').slice(0, 21); // header + 20 rows
		const f = lines[6].split(',');
		f[9] = '"' + f[9]; // taker_buy_volume: not a column the importer checks
		lines[6] = f.join(',');
		const text = lines.join('\n') + '\n';
		expect(() => parseKlineCsv(text, { source: 'x.csv' })).toThrow(/CSV syntax error: Quoted field unterminated .*lines after it would be lost/);
		expect(() => importKlineFiles([{ name: 'BTCUSDT-1h-2023-02.csv', data: enc.encode(text) }])).toThrow(KlineImportError);
	});
});

describe('merging many files is not quadratic', () => {
	it('2,000 daily files merge into the exact series, conflicts attributed to the file kept', () => {
		const all = parseKlineCsv(fixtureText('klines/BTCUSDT-1h.csv')).ohlcv;
		const files = [];
		const lines = fixtureText('klines/BTCUSDT-1h.csv').trim().split('\n').slice(1);
		for (let d = 0; d < 2000; d++) files.push({ name: `part-${d}.csv`, data: enc.encode(lines.slice(d * 24, d * 24 + 24).join('\n') + '\n') });
		files.reverse(); // out of order
		const r = importKlineFiles(files, { intervalMs: 3_600_000 });
		expect(r.ohlcv.openTime.length).toBe(48_000);
		expect(Array.from(r.ohlcv.close.subarray(0, 5))).toEqual(Array.from(all.close.subarray(0, 5)));
		expect(r.ohlcv.openTime[47_999]).toBe(all.openTime[47_999]);
		expect(r.conflicts).toEqual([]);
	});
});

/** One random edit of a CSV text: the kinds of damage a hostile or broken file has. */
function mutateCsv(rng: Rng, text: string): string {
	const lines = text.split('\n');
	const i = Math.floor(rng.next() * lines.length);
	const op = Math.floor(rng.next() * 10);
	const f = lines[i].split(',');
	const c = Math.floor(rng.next() * f.length);
	switch (op) {
		case 0:
			f[c] = ['', 'NaN', 'Infinity', '-1', '0', '1e308', '"', 'abc', '１２', '0x10', ' 5 ', '1e-400'][Math.floor(rng.next() * 12)];
			lines[i] = f.join(',');
			break;
		case 1:
			lines.splice(i, 1);
			break;
		case 2:
			lines.splice(i, 0, lines[i]);
			break;
		case 3: {
			const j = Math.floor(rng.next() * lines.length);
			[lines[i], lines[j]] = [lines[j], lines[i]];
			break;
		}
		case 4:
			return text.slice(0, Math.floor(rng.next() * text.length));
		case 5: {
			const at = Math.floor(rng.next() * text.length);
			return text.slice(0, at) + String.fromCharCode(Math.floor(rng.next() * 128)) + text.slice(at + 1);
		}
		case 6:
			f[c] = String(Number(f[c]) * (rng.next() < 0.5 ? 10 : 0.1));
			lines[i] = f.join(',');
			break;
		case 7:
			f.splice(c, 1);
			lines[i] = f.join(',');
			break;
		case 8:
			lines[i] = lines[i].replace(/\d/, String(Math.floor(rng.next() * 10)));
			break;
		default:
			f[0] = String(Number(f[0]) + Math.floor(rng.next() * 7200_000) - 3600_000);
			lines[i] = f.join(',');
	}
	return lines.join('\n');
}

describe('import fuzz (seeded, bounded)', () => {
	it('2,000 mutated real files: every accepted result is a valid series; rejections name the file', () => {
		const base = [FEB, 'binance-archive/BTCUSDT-1h-2023-03.csv'].map((f) => fixtureText(f));
		const rng = new Rng(20261201);
		let accepted = 0;
		let refused = 0;
		for (let k = 0; k < 2000; k++) {
			const which = Math.floor(rng.next() * base.length);
			let text = base[which];
			const edits = 1 + Math.floor(rng.next() * 3);
			for (let e = 0; e < edits; e++) text = mutateCsv(rng, text);
			const name = which === 0 ? 'BTCUSDT-1h-2023-02.csv' : 'BTCUSDT-1h-2023-03.csv';
			const asZip = rng.next() < 0.25;
			const data = asZip ? zipSync({ [name]: enc.encode(text) }) : enc.encode(text);
			try {
				const r = importKlineFiles([{ name: asZip ? name.replace('.csv', '.zip') : name, data }]);
				expectValidSeries(r.ohlcv);
				accepted++;
			} catch (e) {
				if (!(e instanceof KlineImportError)) throw e;
				expect(e.message).toContain(name);
				refused++;
			}
		}
		expect(accepted).toBeGreaterThan(100);
		expect(refused).toBeGreaterThan(600);
	}, 60_000);

	it('nothing stored is lost: 60 mutated files imported over a stored series keep every stored candle', async () => {
		const store = await CandleStore.open('fuzz', freshFactory());
		const clean = parseKlineCsv(fixtureText(FEB)).ohlcv;
		await store.putCandles('BTCUSDT', '1h', clean, 'import');
		const rng = new Rng(5);
		for (let k = 0; k < 60; k++) {
			let text = fixtureText('binance-archive/BTCUSDT-1h-2023-03.csv');
			for (let e = 0; e < 2; e++) text = mutateCsv(rng, text);
			try {
				const r = importKlineFiles([{ name: 'BTCUSDT-1h-2023-03.csv', data: enc.encode(text) }]);
				await store.putCandles('BTCUSDT', '1h', r.ohlcv, 'import');
			} catch (e) {
				if (!(e instanceof Error)) throw e;
			}
			const stored = await store.getCandles('BTCUSDT', '1h', { from: clean.openTime[0], to: clean.openTime[clean.openTime.length - 1] });
			expect(stored).toEqual(clean); // February untouched by the March files
		}
		expectValidSeries(await store.getCandles('BTCUSDT', '1h'));
		{
		}
		store.close();
	}, 60_000);

	it('IMPORT_LIMITS are the documented figures', () => {
		expect(IMPORT_LIMITS).toEqual({ maxBytes: 512 * 1024 * 1024, maxRows: 5_300_000, maxZipEntries: 1000, maxFiles: 2000 });
	});
});
