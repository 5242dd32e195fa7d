/**
 * `npm run optimize` end to end (a child process, worker threads): the S1 grid on the reference window. Its
 * fast=10/slow=30 row equals the backtrader S1 reference, and every row equals a single engine.run.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import { closeTo, fixturePath, loadReferenceCase, referenceWindow } from '../helpers/fixtures';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
const dir = mkdtempSync(join(tmpdir(), 'optimize-cli-'));

async function cli(args: string[]) {
	try {
		const r = await run(process.execPath, [tsx, 'src/cli/optimize.ts', ...args], { cwd: root });
		return { code: 0, stdout: r.stdout, stderr: r.stderr };
	} catch (e) {
		const err = e as { code: number; stdout: string; stderr: string };
		return { code: err.code, stdout: err.stdout, stderr: err.stderr };
	}
}

// The S1 reference has no slippage (the CLI default is 0.05 %, like the app's).
const S1_ARGS = ['--data', fixturePath('klines/BTCUSDT-1h.csv'), '--strategy', 'sma-cross', '--param', 'fast=5:14:1', '--param', 'slow=20:65:5', '--last-contiguous', '8760', '--slippage', '0'];

describe('optimize CLI', () => {
	let csv: Record<string, string>[];
	let json: Record<string, number | null>[];
	beforeAll(async () => {
		const [a, b] = await Promise.all([
			cli([...S1_ARGS, '--threads', '2', '--out', join(dir, 'grid.csv')]),
			cli([...S1_ARGS, '--threads', '1', '--out', join(dir, 'grid.json')])
		]);
		expect(a.stderr).toBe('');
		expect(a.code).toBe(0);
		expect(b.code).toBe(0);
		expect(a.stdout).toMatch(/^100 combinations on 8,760 bars .* with 2 thread\(s\): [\d,]+ bar-evaluations\/s/);
		csv = Papa.parse<Record<string, string>>(readFileSync(join(dir, 'grid.csv'), 'utf8'), { header: true, skipEmptyLines: true }).data;
		json = JSON.parse(readFileSync(join(dir, 'grid.json'), 'utf8'));
	}, 120_000);

	it('writes one row per combination in grid order, CSV and JSON alike', () => {
		expect(Object.keys(csv[0])).toEqual(['fast', 'slow', 'finalEquity', 'totalReturnRatio', 'maxDrawdownRatio', 'nTrades', 'winRate', 'sharpeRatio']);
		expect(csv).toHaveLength(100);
		expect(json).toHaveLength(100);
		csv.forEach((r, i) => {
			expect(Number(r.fast)).toBe(5 + Math.floor(i / 10));
			expect(Number(r.slow)).toBe(20 + 5 * (i % 10));
			expect(json[i].fast).toBe(Number(r.fast));
			expect(json[i].finalEquity).toBe(Number(r.finalEquity));
		});
	});

	it('the fast=10 slow=30 row equals the backtrader S1 reference', () => {
		const ref = loadReferenceCase('S1', 'BTCUSDT').summary;
		const row = csv.find((r) => r.fast === '10' && r.slow === '30')!;
		expect(closeTo(Number(row.finalEquity), ref.final_equity, 1e-9)).toBe(true);
		expect(Number(row.finalEquity)).toBeCloseTo(5174.691238, 6);
		expect(Number(row.nTrades)).toBe(168);
		expect(Number(row.maxDrawdownRatio) * 100).toBeCloseTo(49.864824, 6);
		expect(Number(row.winRate)).toBeCloseTo(ref.win_rate_pct / 100, 12);
	});

	it('every row equals a single engine.run with the same parameters', async () => {
		const engine = await createNodeEngine();
		engine.load(referenceWindow('BTCUSDT'));
		for (const r of csv) {
			const res = engine.run({ ...defaultConfig('sma-cross'), params: { fast: Number(r.fast), slow: Number(r.slow) } });
			const s = res.summary;
			expect(Number(r.finalEquity)).toBe(s.finalEquity);
			expect(Number(r.totalReturnRatio)).toBe(s.totalReturnRatio);
			expect(Number(r.maxDrawdownRatio)).toBe(s.maxDrawdownRatio);
			expect(Number(r.nTrades)).toBe(res.trades.length);
			expect(Number(r.winRate)).toBe(s.winRate);
			expect(r.sharpeRatio === '' ? NaN : Number(r.sharpeRatio)).toBe(s.sharpeRatio);
		}
	});

	it('bad arguments exit 2 with a one-line message before reading the file', async () => {
		const bad = await cli(['--data', 'missing.csv', '--strategy', 'sma-cross', '--param', 'fast=5:14:0', '--out', join(dir, 'x.csv')]);
		expect(bad.code).toBe(2);
		expect(bad.stderr).toBe('error: fast: step must be above 0, got 0 (e.g. fast=2:500:1).\n');
		const noOut = await cli(['--data', 'missing.csv', '--strategy', 'sma-cross', '--param', 'fast=5,6', '--out', join(dir, 'x.txt')]);
		expect(noOut.code).toBe(2);
		expect(noOut.stderr).toMatch(/--out must end in .csv or .json/);
		const rules = await cli(['--data', 'missing.csv', '--strategy', 'sma-cross', '--param', 'fast=50:60:1', '--param', 'slow=20,30', '--out', join(dir, 'x.csv')]);
		expect(rules.code).toBe(2);
		expect(rules.stderr).toMatch(/no combination satisfies the sma-cross rules \(fast must be smaller than slow\)/);
		const file = await cli(['--data', join(dir, 'missing.csv'), '--strategy', 'sma-cross', '--param', 'fast=5,6', '--out', join(dir, 'x.csv')]);
		expect(file.code).toBe(1);
		expect(file.stderr).toMatch(/cannot read --data file .*no such file/);
	}, 60_000);
});
