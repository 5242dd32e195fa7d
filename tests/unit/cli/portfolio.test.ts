/**
 * The portfolio form of the backtest command on real data: spawned as `npm run backtest` runs it, its JSON reproduces
 * the portfolio references P1 and C1 (tests/fixtures/reference/PORTFOLIO.md); bad portfolio arguments are one
 * `error: ` line with exit status 2.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import { isPortfolioArgv, symbolFromPath } from '../../../src/cli/portfolio';
import { fixturePath } from '../helpers/fixtures';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'portfolio-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT'];
const DATA = SYMBOLS.flatMap((s) => ['--data', `tests/fixtures/klines/${s}-1h.csv`]);
const WINDOW = ['--from', '2025-04-16T00:00Z', '--to', '2026-04-15T23:00Z'];

async function callCli(args: string[]) {
	let stdout = '';
	let stderr = '';
	const status = await main(args, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
	return { status, stdout, stderr };
}

describe('portfolio backtest command', () => {
	it('C1 (equity-split, K 3, max-drawdown breaker), spawned: JSON equals the reference', () => {
		const out = join(tmp, 'c1.json');
		const r = spawnSync(
			process.execPath,
			['--import', 'tsx', 'src/cli/backtest.ts', ...DATA, '--strategy', 'sma-cross', '--max-positions', '3', '--sizing', 'equity-split', '--breaker', 'max-drawdown:0.10:close-all:168', ...WINDOW, '--out', out],
			{ cwd: ROOT, encoding: 'utf8' }
		);
		expect(r.stderr).toBe('');
		expect(r.status).toBe(0);
		expect(r.stdout).toMatch(/Events {4}18 circuit-breaker event\(s\)/);
		const json = JSON.parse(readFileSync(out, 'utf8'));
		const ref = JSON.parse(readFileSync(fixturePath('reference/portfolio/C1.json'), 'utf8'));
		expect(json.trades.length).toBe(ref.trades.length);
		expect(json.trades.map((t: { symbol: string; exitReason: string }) => [t.symbol, t.exitReason])).toEqual(ref.trades.map((t: { symbol: string; exit_reason: string }) => [t.symbol, t.exit_reason]));
		expect(json.events.map((e: { bar: number; time: string; action: string }) => [e.bar, e.time.replace('.000', ''), e.action])).toEqual(
			ref.events.map((e: { bar: number; time: string; action: string }) => [e.bar, e.time, e.action])
		);
		expect(Math.abs(json.summary.finalEquity - ref.summary.final_equity)).toBeLessThan(1e-4);
		expect(json.openPositions.length).toBe(8760);
		expect(json.attribution.map((a: { symbol: string }) => a.symbol)).toEqual(SYMBOLS);
	});

	it('P1 (fixed-notional 2000, K 3) in-process: summary equals the reference', async () => {
		const r = await callCli([...DATA, '--strategy', 'sma-cross', '--max-positions', '3', '--sizing', 'fixed-notional:2000', ...WINDOW, '--out', '-']);
		expect(r.status).toBe(0);
		const json = JSON.parse(r.stdout);
		const ref = JSON.parse(readFileSync(fixturePath('reference/portfolio/P1.json'), 'utf8'));
		expect(json.summary.nTrades).toBe(ref.summary.n_trades);
		expect(Math.abs(json.summary.finalEquity - ref.summary.final_equity)).toBeLessThan(1e-4);
		for (const a of json.attribution) expect(Math.abs(a.pnl - ref.summary.per_symbol_pnl[a.symbol])).toBeLessThan(1e-6);
	});

	it('K larger than the number of markets runs (it never binds); --symbols names files', async () => {
		const renamed = join(tmp, 'first.csv');
		const second = join(tmp, 'second.csv');
		copyFileSync(fixturePath('klines/BNBUSDT-1h.csv'), renamed);
		copyFileSync(fixturePath('klines/SOLUSDT-1h.csv'), second);
		const r = await callCli(['--data', renamed, '--data', second, '--symbols', 'BNBUSDT,SOLUSDT', '--strategy', 'sma-cross', '--max-positions', '10', '--sizing', 'fixed-notional:1000', '--out', '-']);
		expect(r.stderr).toBe('');
		expect(r.status).toBe(0);
		const json = JSON.parse(r.stdout);
		expect(json.input.markets.map((m: { symbol: string }) => m.symbol)).toEqual(['BNBUSDT', 'SOLUSDT']);
		expect(Math.max(...json.openPositions)).toBe(2);
	});

	const bad: [string, string[], RegExp][] = [
		['unknown market (file name without one)', ['--data', join(tmp, 'first.csv'), '--data', join(tmp, 'second.csv')], /cannot tell the market of .*--symbols/],
		['--symbols count', [...DATA, '--symbols', 'BTCUSDT,ETHUSDT'], /--symbols names 2 market\(s\) but --data gives 5/],
		['duplicate market', ['--data', 'tests/fixtures/klines/BTCUSDT-1h.csv', '--data', 'tests/fixtures/klines/BTCUSDT-1h.csv'], /market BTCUSDT is given twice/],
		['K = 0', [...DATA, '--max-positions', '0'], /--max-positions must be a whole number >= 1/],
		['K negative', [...DATA, '--max-positions=-2'], /--max-positions must be a whole number >= 1/],
		['leverage out of range', [...DATA, '--leverage', '11'], /--leverage must be a number from 1 to 10/],
		['malformed breaker', [...DATA, '--breaker', 'max-drawdown:0.1:close-all'], /--breaker: A breaker has four parts/],
		['breaker threshold', [...DATA, '--breaker', 'max-drawdown:1.5:close-all:10'], /threshold must be a fraction between 0 and 1/],
		['sizing', [...DATA, '--sizing', 'equity-split:3'], /--sizing: equity-split takes no value/],
		['risk without a stop', [...DATA, '--sizing', 'risk:0.01'], /Risk sizing needs a stop-loss/],
		['unknown flag', [...DATA, '--max-position', '3'], /unknown option --max-position/]
	];
	for (const [label, args, message] of bad) {
		it(`bad argument: ${label}`, async () => {
			const r = await callCli([...args, '--strategy', 'sma-cross']);
			expect(r.status, r.stderr).toBe(2);
			expect(r.stderr).toMatch(/^error: /);
			expect(r.stderr.trim().split('\n')).toHaveLength(1);
			expect(r.stderr).toMatch(message);
		});
	}

	it('routing: one --data without portfolio flags stays the single-market command', () => {
		expect(isPortfolioArgv(['--data', 'a.csv', '--strategy', 'sma-cross'])).toBe(false);
		expect(isPortfolioArgv(['--data', 'a.csv', '--max-positions', '1'])).toBe(true);
		expect(isPortfolioArgv(['--data', 'a.csv', '--data=b.csv'])).toBe(true);
		expect(isPortfolioArgv(['--data', 'a.csv', '--sizing', 'equity-split'])).toBe(true);
		expect(symbolFromPath('/x/ETHUSDT-4h-2024.csv')).toBe('ETHUSDT');
	});
});
