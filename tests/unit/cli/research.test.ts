/**
 * `npm run research` in-process on the repository's fixtures: the JSON's rows have the shape, each row's
 * bestStats equals the best row of `npm run optimize` run on that row's evidence window (the same candles), file-name
 * inference, the percent aliases of risk settings, recommendations, and clear errors for bad arguments.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optimizeMain, ROW_STATS } from '../../../src/cli/optimize-main';
import { inferMarket, researchMain } from '../../../src/cli/research-main';

const dir = mkdtempSync(join(tmpdir(), 'research-cli-'));
const io = () => {
	const out = { stdout: '', stderr: '' };
	return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
};
const FILES = ['klines/BTCUSDT-1h.csv', 'klines/ETHUSDT-1h.csv', 'klines/BTCUSDT-4h-2025-2026.csv', 'klines/ETHUSDT-4h-2025-2026.csv'].map((f) => `tests/fixtures/${f}`);

describe('npm run research', () => {
	it('writes rows[{symbol, interval, strategy, bestParams, bestStats, trials}] equal to npm run optimize on each evidence window', async () => {
		const outPath = join(dir, 'job.json');
		const { out, io: sink } = io();
		const argv = [...FILES.flatMap((f) => ['--data', f]), '--strategy', 'sma-cross', '--strategy', 'rsi-mean-reversion', '--param', 'fast=5:20:5', '--param', 'slow=30:90:20', '--param', 'rsi-mean-reversion.period=7,14,21', '--param', 'oversold=20,25,30', '--objective', 'sharpeRatio', '--min-trades', '3', '--from', '2025-06-01', '--to', '2026-06-30', '--fee', '0.1%', '--out', outPath, '--recommend', '--min-samples', '4', '--threads', '1'];
		expect(await researchMain(argv, sink)).toBe(0);
		expect(out.stdout).toMatch(/8 rows \(2 market\(s\) × 2 timeframe\(s\) × 2 strategies\)/);
		expect(out.stdout).toMatch(/Recommendations:/);
		const json = JSON.parse(readFileSync(outPath, 'utf8'));
		expect(json.rows).toHaveLength(8);
		expect(json.recommendations.length).toBeGreaterThan(0);
		expect(json.history.rows).toHaveLength(8);
		const { fromMs, splitMs } = json.job.range;
		for (const row of json.rows) {
			expect(Object.keys(row)).toEqual(expect.arrayContaining(['symbol', 'interval', 'strategy', 'bestParams', 'bestStats', 'trials']));
			expect(Object.keys(row.bestStats)).toEqual([...ROW_STATS].sort((a, b) => ROW_STATS.indexOf(a) - ROW_STATS.indexOf(b)));
			// The same search with npm run optimize on the evidence window of this row.
			const file = FILES.find((f) => f.includes(`${row.symbol}-${row.interval}`))!;
			const axes = row.strategy === 'sma-cross' ? ['--param', 'fast=5:20:5', '--param', 'slow=30:90:20'] : ['--param', 'period=7,14,21', '--param', 'oversold=20,25,30'];
			const grid = join(dir, `${row.symbol}-${row.interval}-${row.strategy}.json`);
			const o2 = io();
			const code = await optimizeMain(['--data', file, '--strategy', row.strategy, ...axes, '--from', String(fromMs), '--to', String(splitMs - 1), '--fee', '0.1%', '--threads', '1', '--objective', 'sharpeRatio', '--min-trades', '3', '--out', grid], o2.io);
			expect(code, o2.out.stderr).toBe(0);
			const summary = JSON.parse(readFileSync(grid.replace(/\.json$/, '.summary.json'), 'utf8'));
			const best = summary.best[0];
			expect(row.trials).toBe(summary.combinations);
			for (const k of ROW_STATS) expect(row.bestStats[k]).toBe(best.stats[k] ?? null);
			for (const [k, v] of Object.entries(best.params)) expect(row.bestParams[k]).toBe(v);
		}
	}, 120_000);

	it('reads market and interval from file names and searches risk settings given in percent', async () => {
		expect(inferMarket('data/BTCUSDT-1h.csv')).toEqual({ symbol: 'BTCUSDT', interval: '1h' });
		expect(inferMarket('ETHUSDT-4h-2025-2026.csv')).toEqual({ symbol: 'ETHUSDT', interval: '4h' });
		expect(inferMarket('mydata.csv')).toEqual({ symbol: 'MYDATA' });
		const outPath = join(dir, 'risk.json');
		const { io: sink, out } = io();
		const code = await researchMain(['--data', FILES[2], '--strategy', 'sma-cross', '--param', 'fast=10,20', '--param', 'stop_loss_percent=1:5:2', '--param', 'take_profit_percent=2,10', '--from', '2025-06-01', '--out', outPath], sink);
		expect(code, out.stderr).toBe(0);
		// Without --threads a job this small (12 trials × ~3,000 bars) runs in the main thread.
		expect(out.stdout).toMatch(/ with 1 thread\(s\)/);
		const json = JSON.parse(readFileSync(outPath, 'utf8'));
		expect(json.job.riskAxes).toEqual([{ name: 'stopLoss', start: 0.01, end: 0.05, step: 0.02 }, { name: 'takeProfit', values: [0.02, 0.1] }]);
		expect(json.rows[0].trials).toBe(2 * 3 * 2);
		expect([0.01, 0.03, 0.05]).toContain(json.rows[0].bestParams.stopLoss);
	}, 60_000);

	it('uses presets from a file as the baseline', async () => {
		const presets = join(dir, 'presets.json');
		writeFileSync(presets, JSON.stringify([{ symbol: 'BTCUSDT', interval: '4h', strategy: 'sma-cross', params: { fast: 2, slow: 3 } }]));
		const outPath = join(dir, 'p.json');
		const { io: sink } = io();
		expect(await researchMain(['--data', FILES[2], '--strategy', 'sma-cross', '--param', 'fast=10,20', '--param', 'slow=50', '--presets', presets, '--threads', '1', '--out', outPath], sink)).toBe(0);
		const row = JSON.parse(readFileSync(outPath, 'utf8')).rows[0];
		expect(row.baseline.source).toBe('preset');
		expect(row.baseline.params).toMatchObject({ fast: 2, slow: 3 });
	}, 60_000);

	it('bad arguments: one clear line on stderr and exit status 2', async () => {
		const cases: [string[], RegExp][] = [
			[['--strategy', 'sma-cross', '--out', 'x.json'], /--data FILE\.csv is required/],
			[['--data', FILES[0], '--out', 'x.json'], /--strategy ID is required/],
			[['--data', FILES[0], '--strategy', 'sma-cross', '--param', 'speed=1,2', '--out', 'x.json'], /none of sma-cross has a parameter speed/],
			[['--data', FILES[0], '--strategy', 'sma-cross', '--param', 'fast=5,10', '--out', 'x.csv'], /--out FILE\.json is required/],
			[['--data', FILES[0], '--strategy', 'sma-cross', '--param', 'fast=5,10', '--objective', 'luck', '--out', 'x.json'], /--objective must be one of/],
			[['--data', FILES[0], '--strategy', 'sma-cross', '--param', 'fast=5,10', '--last-contiguous', '100', '--out', 'x.json'], /--last-contiguous is not supported/],
			[['--data', FILES[0], '--strategy', 'sma-cross', '--out', join(dir, 'e.json')], /empty parameter space for sma-cross/],
			[['--data', FILES[0], '--data', FILES[0], '--strategy', 'sma-cross', '--param', 'fast=5,10', '--out', 'x.json'], /two --data files are BTCUSDT 1h/],
			[['--data', FILES[0], '--strategy', 'sma-cross', '--param', 'fast=5,10', '--fee', '0.1', '--out', 'x.json'], /--fee/]
		];
		for (const [argv, re] of cases) {
			const { out, io: sink } = io();
			expect(await researchMain(argv, sink), argv.join(' ')).toBe(2);
			expect(out.stderr).toMatch(re);
			expect(out.stderr.trim().split('\n')).toHaveLength(1);
		}
	});

	it('markets with no common range fail with exit status 1 and the ranges named', async () => {
		const { out, io: sink } = io();
		const code = await researchMain(['--data', FILES[2], '--data', 'tests/fixtures/klines-1d/ETHUSDT-1d.csv', '--strategy', 'sma-cross', '--param', 'fast=5,10', '--threads', '1', '--out', join(dir, 'n.json')], sink);
		expect(code).toBe(1);
		expect(out.stderr).toMatch(/no common range/);
	});

	it('--threads 2 (worker threads) gives the same rows as one thread', async () => {
		const args = ['--data', FILES[2], '--data', FILES[3], '--strategy', 'sma-cross', '--param', 'fast=5:30:5', '--param', 'slow=40:100:20', '--param', 'stopLoss=0.02,0.05', '--from', '2025-06-01'];
		const one = join(dir, 't1.json');
		const two = join(dir, 't2.json');
		const a = io();
		const b = io();
		expect(await researchMain([...args, '--threads', '1', '--out', one], a.io)).toBe(0);
		expect(await researchMain([...args, '--threads', '2', '--out', two], b.io), b.out.stderr).toBe(0);
		expect(b.out.stdout).toMatch(/with 2 thread\(s\)/);
		const strip = (rows: { confidence: number }[]) => rows.map((r) => ({ ...r, confidence: null }));
		const r1 = JSON.parse(readFileSync(one, 'utf8')).rows;
		const r2 = JSON.parse(readFileSync(two, 'utf8')).rows;
		expect(strip(r2)).toEqual(strip(r1));
		// The deflated Sharpe uses streamed moments: the summation order of parallel batches moves the last digits only.
		r1.forEach((r: { confidence: number }, i: number) => expect(r2[i].confidence).toBeCloseTo(r.confidence, 12));
	}, 60_000);

	it('prints help', async () => {
		const { out, io: sink } = io();
		expect(await researchMain(['--help'], sink)).toBe(0);
		expect(out.stdout).toMatch(/npm run --silent research -- --data/);
	});
});
