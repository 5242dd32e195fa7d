/**
 * One-off generator of the bundled daily dataset `static/data/daily-1d-usdt.csv.gz`: the last 1,500 rows (or all,
 * when fewer) of each Binance spot USDT daily kline file in tests/fixtures/klines-1d/ (47 markets, copies of the
 * shared project data `data/klines/*-1d.csv` and `data/klines-1d/*.csv`, see tests/fixtures/klines-1d/SOURCES.md),
 * rows copied verbatim with the symbol prepended, header `symbol,open_time,open,high,low,close,volume`, markets in
 * alphabetical order, gzipped with fflate (level 9, mtime 0: byte-for-byte reproducible).
 *
 * Usage: `npx tsx scripts/make-bundled-daily.ts [inputDir] [output.csv.gz]`. Prints the sha256 of the CSV and of the
 * .gz and a markdown table (market, candles, first and last open day) for static/data/README.md.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, strToU8 } from 'fflate';

const ROWS = 1500;
const DAY = 86_400_000;
const dir = process.argv[2] ?? 'tests/fixtures/klines-1d';
const output = process.argv[3] ?? 'static/data/daily-1d-usdt.csv.gz';

const files = readdirSync(dir).filter((f) => /^[A-Z0-9]+USDT-1d\.csv$/.test(f)).sort();
const out: string[] = ['symbol,open_time,open,high,low,close,volume'];
const table: string[] = ['| market | candles | first open (UTC) | last open (UTC) = as of |', '|---|---:|---|---|'];
for (const f of files) {
	const symbol = f.split('-')[0];
	const lines = readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l.length > 0);
	if (lines[0] !== 'open_time,open,high,low,close,volume') throw new Error(`${f}: unexpected header "${lines[0]}"`);
	const rows = lines.slice(1).slice(-ROWS);
	for (let i = 1; i < rows.length; i++) {
		const d = Number(rows[i].split(',')[0]) - Number(rows[i - 1].split(',')[0]);
		if (d !== DAY) throw new Error(`${f}: rows ${i - 1}/${i} of the last ${rows.length} are ${d} ms apart (need contiguous 1d)`);
	}
	for (const r of rows) out.push(`${symbol},${r}`);
	const day = (r: string) => new Date(Number(r.split(',')[0])).toISOString().slice(0, 10);
	table.push(`| ${symbol} | ${rows.length} | ${day(rows[0])} | ${day(rows[rows.length - 1])} |`);
}
const csv = out.join('\n') + '\n';
const gz = gzipSync(strToU8(csv), { level: 9, mem: 12, mtime: 0 });
writeFileSync(output, gz);
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
console.log(`${output}: ${files.length} markets, ${out.length - 1} rows`);
console.log(`csv: ${Buffer.byteLength(csv)} bytes, sha256 ${sha(csv)}`);
console.log(`gz:  ${gz.length} bytes, sha256 ${sha(gz)}`);
console.log(table.join('\n'));
