/**
 * Safe reading of kline ZIP archives: limits checked before anything is decompressed, and each entry's
 * CRC-32 verified after, so a zip bomb, a huge archive or a corrupted download is refused with a clear
 * message instead of freezing the page, exhausting memory or importing wrong prices.
 *
 * Decompression is fflate's (`unzipSync`); its `filter` sees each entry's declared size before inflating, and fflate
 * never writes more than the declared size (a lying header gives a short entry, which the CRC-32 check catches).
 * The CRC-32 values and entry names come from the archive's central directory (APPNOTE 6.3.10 §4.3.12, §4.3.16),
 * read here because fflate does not expose them.
 */
import { unzipSync } from 'fflate';
import { KlineImportError } from './errors';

/** Limits of one import (all files together). Stated in the UI and the README. */
export const IMPORT_LIMITS: Readonly<ImportLimits> = Object.freeze({
	/** Decompressed bytes of all CSVs together (CSV files and ZIP entries). */
	maxBytes: 512 * 1024 * 1024,
	/** Candle rows of all files together (10 years of 1-minute candles is 5.26 M). */
	maxRows: 5_300_000,
	/** Entries in one ZIP archive (a data.binance.vision archive holds one). */
	maxZipEntries: 1000,
	/** Files (CSVs plus CSV entries of all ZIPs) in one import. */
	maxFiles: 2000
});

/** Limits of one import, see {@link IMPORT_LIMITS}. */
export interface ImportLimits {
	maxBytes: number;
	maxRows: number;
	maxZipEntries: number;
	maxFiles: number;
}

/** Bytes budget shared by the files of one import. */
export interface ByteBudget {
	/** Decompressed bytes still allowed. */
	left: number;
}

const CRC_TABLE = (() => {
	const t = new Int32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		t[n] = c;
	}
	return t;
})();

/**
 * CRC-32 (ISO-HDLC, the ZIP/gzip/PNG checksum: reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF).
 * @param data - bytes.
 * @returns the checksum as an unsigned 32-bit integer (`crc32(utf8("123456789")) === 0xCBF43926`).
 */
export function crc32(data: Uint8Array): number {
	let c = -1;
	for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
	return (c ^ -1) >>> 0;
}

/** One central-directory record: name as fflate decodes it, and the CRC-32 the archive declares. */
interface CentralEntry {
	name: string;
	crc: number;
}

/** Read the central directory (names and CRC-32s); undefined when the archive has none (not a ZIP, or cut). */
function centralDirectory(d: Uint8Array, maxEntries: number): { entries: CentralEntry[]; declared: number } | undefined {
	const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
	let eocd = -1;
	for (let i = d.length - 22; i >= 0 && i >= d.length - 22 - 0xffff; i--) {
		if (v.getUint32(i, true) === 0x06054b50) {
			eocd = i;
			break;
		}
	}
	if (eocd < 0) return undefined;
	const declared = v.getUint16(eocd + 10, true);
	let off = v.getUint32(eocd + 16, true);
	// Zip64 archives keep 0xFFFF/0xFFFFFFFF here; their entries are counted by walking the directory.
	const entries: CentralEntry[] = [];
	while (off + 46 <= d.length && v.getUint32(off, true) === 0x02014b50) {
		const flag = v.getUint16(off + 8, true);
		const crc = v.getUint32(off + 16, true);
		const nameLen = v.getUint16(off + 28, true);
		const extraLen = v.getUint16(off + 30, true);
		const commentLen = v.getUint16(off + 32, true);
		const raw = d.subarray(off + 46, off + 46 + nameLen);
		const name = flag & 0x800 ? new TextDecoder().decode(raw) : String.fromCharCode(...raw);
		entries.push({ name, crc });
		off += 46 + nameLen + extraLen + commentLen;
		if (entries.length > maxEntries) break;
	}
	return { entries, declared };
}

const MiB = (n: number) => `${(n / 1024 / 1024).toLocaleString('en-US', { maximumFractionDigits: 1 })} MiB`;

/**
 * The CSV entries of a ZIP archive, after checking the limits and each entry's CRC-32.
 *
 * @param fileName - the archive's name (for messages).
 * @param data - the archive's bytes.
 * @param budget - decompressed bytes still allowed in this import; reduced by what this archive declares.
 * @param limits - the import limits (default {@link IMPORT_LIMITS}).
 * @returns CSV entries (`__MACOSX/` skipped) in archive order, each verified.
 * @throws KlineImportError — before anything is decompressed — for more than {@link IMPORT_LIMITS}`.maxZipEntries`
 *   entries, two entries with one name, or CSVs declaring more bytes than the budget; after, for an entry whose
 *   CRC-32 or size differs from the archive's record (a damaged download); and for an unreadable archive.
 */
export function readZipCsvEntries(
	fileName: string,
	data: Uint8Array,
	budget: ByteBudget,
	limits: Readonly<ImportLimits> = IMPORT_LIMITS
): Array<{ name: string; bytes: Uint8Array }> {
	const damaged =
		'The download is probably incomplete or damaged: download it again from data.binance.vision (the .CHECKSUM file next to it verifies the download).';
	const cd = centralDirectory(data, limits.maxZipEntries);
	if (!cd) throw new KlineImportError(fileName, `not a readable ZIP archive (no central directory). ${damaged}`);
	if (cd.entries.length > limits.maxZipEntries || cd.declared > limits.maxZipEntries) {
		throw new KlineImportError(
			fileName,
			`the archive has more than ${limits.maxZipEntries.toLocaleString('en-US')} entries, more than one import reads. ` +
				'A Binance kline archive holds one CSV: import the monthly archives themselves, or split this archive.'
		);
	}
	const crcByName = new Map<string, number>();
	for (const e of cd.entries) {
		if (crcByName.has(e.name)) throw new KlineImportError(fileName, `the archive holds two entries named "${e.name}"; it was not imported.`);
		crcByName.set(e.name, e.crc);
	}
	const wanted = (n: string) => /\.csv$/i.test(n) && !n.startsWith('__MACOSX/');
	// Pass 1: declared sizes only (nothing is inflated).
	const sizes = new Map<string, number>();
	let total = 0;
	let tooMany = false;
	try {
		unzipSync(data, {
			filter: (f) => {
				if (wanted(f.name)) {
					sizes.set(f.name, f.originalSize);
					total += f.originalSize;
				}
				if (sizes.size > limits.maxZipEntries) tooMany = true;
				return false;
			}
		});
	} catch (e) {
		throw new KlineImportError(fileName, `not a readable ZIP archive (${e instanceof Error ? e.message : String(e)}). ${damaged}`);
	}
	if (tooMany) throw new KlineImportError(fileName, `the archive has more than ${limits.maxZipEntries.toLocaleString('en-US')} entries.`);
	if (total > budget.left) {
		throw new KlineImportError(
			fileName,
			`the archive's CSVs would decompress to ${MiB(total)}, more than the ${MiB(limits.maxBytes)} one import reads` +
				(budget.left < limits.maxBytes ? ` (${MiB(budget.left)} left after the other files)` : '') +
				'. Nothing was decompressed. Import fewer or smaller files at a time.'
		);
	}
	budget.left -= total;
	// Pass 2: inflate and verify.
	let entries: Record<string, Uint8Array>;
	try {
		entries = unzipSync(data, { filter: (f) => wanted(f.name) });
	} catch (e) {
		throw new KlineImportError(fileName, `not a readable ZIP archive (${e instanceof Error ? e.message : String(e)}). ${damaged}`);
	}
	const out: Array<{ name: string; bytes: Uint8Array }> = [];
	for (const [name, bytes] of Object.entries(entries)) {
		const declared = crcByName.get(name);
		const actual = crc32(bytes);
		if (declared === undefined || declared !== actual || bytes.length !== sizes.get(name)) {
			throw new KlineImportError(
				fileName,
				`entry "${name}" is damaged: its CRC-32 is ${actual.toString(16).padStart(8, '0')} but the archive records ` +
					`${declared === undefined ? 'none' : declared.toString(16).padStart(8, '0')}; its prices cannot be trusted and nothing of it was imported. ${damaged}`
			);
		}
		out.push({ name, bytes });
	}
	return out;
}
