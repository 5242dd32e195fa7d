/** The `scan` CLI in-process: golden rows of scan.visible.json, per-file errors (NaN, missing, too few), argument errors. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { scanMain } from '../../../src/cli/scan-main';
import { fixturePath } from '../helpers/fixtures';

function run(argv: string[]) {
	let out = '';
	let err = '';
	return scanMain(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t) }).then((code) => ({ code, out, err }));
}

const visible = JSON.parse(readFileSync(fixturePath('bands/scan.visible.json'), 'utf8')).rows as Array<Record<string, number | string>>;
const btc = fixturePath('klines-1d/BTCUSDT-1d.csv');
const eth = fixturePath('klines-1d/ETHUSDT-1d.csv');

describe('npm run scan', () => {
	for (const [days, degree, kstd] of [[720, 4, 2], [365, 10, 3]]) {
		it(`reproduces the visible reference rows (days ${days}, degree ${degree}, kstd ${kstd})`, async () => {
			const r = await run(['--data', btc, '--data', eth, '--days', String(days), '--degree', String(degree), '--kstd', String(kstd), '--out', '-']);
			expect(r.code).toBe(0);
			const rows = JSON.parse(r.out).rows;
			for (const row of rows) {
				const ref = visible.find((v) => v.symbol === row.symbol && v.days === days && v.degree === degree && v.kstd === kstd)!;
				expect(row.signal).toBe(ref.signal);
				expect(row.candles).toBe(ref.candles);
				expect(row.asOf).toBe(ref.last_open_time);
				for (const k of ['fit', 'sigma', 'upper', 'lower'] as const) expect(Math.abs(row[k] - (ref[k] as number)) / Math.abs(ref.fit as number)).toBeLessThan(1e-9);
				expect(Object.keys(row).slice(0, 12)).toEqual(['symbol', 'signal', 'close', 'fit', 'sigma', 'upper', 'lower', 'potentialReturnRatio', 'targetReturnRatio', 'candles', 'asOf', 'asOfMs']);
			}
		});
	}
	it('writes CSV and JSON with --bands; bad files become error rows while the others are fitted', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'scan-'));
		const lines = readFileSync(btc, 'utf8').trim().split('\n');
		const bad = lines.slice(0, 200);
		bad[100] = bad[100].split(',').map((v, i) => (i === 4 ? 'NaN' : v)).join(',');
		writeFileSync(join(dir, 'BADUSDT-1d.csv'), bad.join('\n') + '\n');
		writeFileSync(join(dir, 'TINYUSDT-1d.csv'), lines.slice(0, 13).join('\n') + '\n');
		const files = [btc, join(dir, 'BADUSDT-1d.csv'), join(dir, 'TINYUSDT-1d.csv'), join(dir, 'GONEUSDT-1d.csv')];
		const csvPath = join(dir, 'scan.csv');
		const r = await run(files.flatMap((f) => ['--data', f]).concat(['--out', csvPath]));
		expect(r.code).toBe(0);
		const csv = Papa.parse<string[]>(readFileSync(csvPath, 'utf8'), { skipEmptyLines: true }).data.map((row) => row.join(','));
		expect(csv.length).toBe(5);
		expect(csv[1]).toMatch(/^BTCUSDT,HOLD,65776.47,/);
		expect(csv[2]).toMatch(/^BADUSDT,HOLD,[\s\S]*line 101: close "NaN" is not a number/);
		expect(csv[3]).toMatch(/^TINYUSDT,HOLD,.*not enough data: 12 candles, need 30/);
		expect(csv[4]).toMatch(/^GONEUSDT,HOLD,.*cannot read .*ENOENT/);
		expect(r.err).toMatch(/warning: BADUSDT: /);
		const jsonPath = join(dir, 'scan.json');
		expect((await run(['--data', btc, '--bands', '--out', jsonPath])).code).toBe(0);
		const j = JSON.parse(readFileSync(jsonPath, 'utf8'));
		expect(j.rows[0].bands.fit.length).toBe(720);
		expect(j.rows[0].bands.upper[719]).toBeCloseTo(j.rows[0].upper, 6);
	});
	it('bad arguments: exit 2 with a one-line message', async () => {
		for (const [argv, msg] of [
			[['--days', '720'], /--data FILE is required/],
			[['--data', btc, '--degree', '11'], /degree must be a whole number from 2 to 10, got 11/],
			[['--data', btc, '--kstd', 'wide'], /--kstd must be a number/],
			[['--data', btc, '--interval', '15m'], /--interval must be one of 1d, 4h, 1h/],
			[['--data', btc, '--out', 'x.txt'], /--out must end in .json or .csv/],
			[['--data', btc, '--bands', '--out', 'x.csv'], /--bands needs JSON output/]
		] as const) {
			const r = await run([...argv]);
			expect(r.code, argv.join(' ')).toBe(2);
			expect(r.err).toMatch(msg);
		}
	});
});
