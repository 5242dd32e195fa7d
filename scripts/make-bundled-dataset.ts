/**
 * One-off generator of the bundled dataset `static/data/BTCUSDT-1h-2y.csv.gz`: the last 17,520 rows
 * (two years of 1h candles) of a Binance BTCUSDT 1h kline CSV (`open_time,open,high,low,close,volume`,
 * header line, ms open times), rows copied verbatim, gzipped with fflate (level 9, mtime 0, so the
 * output is byte-for-byte reproducible).
 *
 * Usage: `npx tsx scripts/make-bundled-dataset.ts [input.csv] [output.csv.gz]`
 * (defaults: tests/fixtures/klines/BTCUSDT-1h.csv -> static/data/BTCUSDT-1h-2y.csv.gz). Prints the
 * sha256 of the CSV and of the .gz for static/data/README.md.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync, strToU8 } from 'fflate';

const ROWS = 17_520;
const input = process.argv[2] ?? 'tests/fixtures/klines/BTCUSDT-1h.csv';
const output = process.argv[3] ?? 'static/data/BTCUSDT-1h-2y.csv.gz';

const lines = readFileSync(input, 'utf8').split('\n').filter((l) => l.length > 0);
const header = lines[0];
if (header !== 'open_time,open,high,low,close,volume') throw new Error(`${input}: unexpected header "${header}"`);
const rows = lines.slice(-ROWS);
if (rows.length !== ROWS) throw new Error(`${input}: has ${lines.length - 1} rows, need ${ROWS}`);
for (let i = 1; i < rows.length; i++) {
	const d = Number(rows[i].split(',')[0]) - Number(rows[i - 1].split(',')[0]);
	if (d !== 3_600_000) throw new Error(`${input}: rows ${i - 1}/${i} of the last ${ROWS} are ${d} ms apart (need contiguous 1h)`);
}
const csv = [header, ...rows].join('\n') + '\n';
const gz = gzipSync(strToU8(csv), { level: 9, mem: 12, mtime: 0 });
writeFileSync(output, gz);
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const first = Number(rows[0].split(',')[0]);
const last = Number(rows[rows.length - 1].split(',')[0]);
console.log(`${output}: ${ROWS} rows ${new Date(first).toISOString()} .. ${new Date(last).toISOString()}`);
console.log(`csv: ${Buffer.byteLength(csv)} bytes, sha256 ${sha(csv)}`);
console.log(`gz:  ${gz.length} bytes, sha256 ${sha(gz)}`);
