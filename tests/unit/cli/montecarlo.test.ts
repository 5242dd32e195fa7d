/**
 * `npm run montecarlo` in-process on real data (BTCUSDT 1h, the S1 reference window): the JSON shape the issue
 * specifies, equality with the library call, seeded reproduction, and one-line errors with exit code 2 for bad
 * arguments and 1 for a run with too few trades. Also the optimiser's printed and written overfitting figures.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { monteCarloMain, parseMonteCarloArgs } from '../../../src/cli/montecarlo-main';
import { optimizeMain } from '../../../src/cli/optimize-main';
import { fixturePath } from '../helpers/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'mc-cli-'));
const BASE = ['--data', fixturePath('klines/BTCUSDT-1h.csv'), '--strategy', 'sma-cross', '--param', 'fast=10', '--param', 'slow=30', '--last-contiguous', '8760'];

async function cli(args: string[], main = monteCarloMain) {
	let stdout = '';
	let stderr = '';
	const code = await main(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
	return { code, stdout, stderr };
}

describe('montecarlo CLI', () => {
	it('writes the JSON the issue specifies, reproducibly', async () => {
		const out = join(dir, 'mc.json');
		const r = await cli([...BASE, '--method', 'shuffle', '--simulations', '500', '--seed', '3', '--ruin-floor', '0.6', '--confidence', '0.9', '--out', out]);
		expect(r.stderr).toBe('');
		expect(r.code).toBe(0);
		expect(r.stdout).toMatch(/^Monte Carlo: shuffle, 500 simulations, seed 3, on 8,760 bars/);
		expect(r.stdout).toMatch(/Probability of loss [\d.]+ %; risk of ruin \(equity below 60\.00 % of the initial\) [\d.]+ %/);
		const j = JSON.parse(readFileSync(out, 'utf8'));
		expect(j.method).toBe('shuffle');
		expect(j.simulations).toBe(500);
		expect(j.seed).toBe(3);
		expect(Object.keys(j.original)).toEqual(expect.arrayContaining(['finalEquity', 'maxDrawdownRatio', 'cagr', 'nTrades']));
		expect(j.original.nTrades).toBe(168);
		expect(j.original.finalEquity).toBeCloseTo(5174.69, 2);
		for (const k of ['finalEquity', 'maxDrawdownRatio', 'cagr', 'longestLosingStreak']) {
			expect(Object.keys(j[k].percentiles)).toEqual(['5', '25', '50', '75', '95']);
			expect(typeof j[k].mean).toBe('number');
		}
		// Shuffle: every path ends at the run's final equity.
		expect(j.finalEquity.percentiles['5'] / j.original.finalEquity).toBeCloseTo(1, 9);
		expect(j.probabilityOfLoss).toBe(1);
		expect(j.riskOfRuin).toBeGreaterThanOrEqual(0);
		expect(j.riskOfRuin).toBeLessThanOrEqual(1);
		const again = await cli([...BASE, '--method=shuffle', '--simulations=500', '--seed=3', '--ruin-floor=0.6', '--confidence=0.9', '--out', '-']);
		const k = JSON.parse(again.stdout);
		expect(k.maxDrawdownRatio).toEqual(j.maxDrawdownRatio);
	});

	it('every method runs; execution re-runs the backtest with drawn costs', async () => {
		for (const m of ['bootstrap', 'win-rate', 'execution']) {
			const r = await cli([...BASE, '--method', m, '--simulations', '50', '--out', '-']);
			expect(r.code).toBe(0);
			const j = JSON.parse(r.stdout);
			expect(j.method).toBe(m);
			if (m === 'execution') expect(j.execution.fee.min).toBe(0.001);
		}
	});

	it('bad arguments: one line, exit 2', async () => {
		const cases: Array<[string[], RegExp]> = [
			[[...BASE], /--method is required/],
			[[...BASE, '--method', 'shufle'], /--method must be one of shuffle, bootstrap, execution, win-rate/],
			[[...BASE, '--method', 'shuffle', '--simulations', '0'], /--simulations must be a whole number from 1 to 100,000/],
			[[...BASE, '--method', 'shuffle', '--simulations', '100001'], /--simulations/],
			[[...BASE, '--method', 'execution', '--simulations', '20000'], /from 1 to 10,000 for execution/],
			[[...BASE, '--method', 'shuffle', '--confidence', '1'], /--confidence must be strictly between 0 and 1/],
			[[...BASE, '--method', 'shuffle', '--confidence', '0'], /--confidence/],
			[[...BASE, '--method', 'shuffle', '--ruin-floor', '1.5'], /--ruin-floor must be strictly between 0 and 1/],
			[[...BASE, '--method', 'shuffle', '--ruin-floor', '0'], /--ruin-floor/],
			[[...BASE, '--method', 'shuffle', '--seed', '1.5'], /--seed must be a whole number/],
			[[...BASE, '--method', 'shuffle', '--win-rate', '0.3:0.5'], /--win-rate applies to --method win-rate only/],
			[[...BASE, '--method', 'execution', '--fee-range', '0.002:0.001'], /swap them/],
			[[...BASE, '--method', 'shuffle', '--fee', 'x'], /--fee/]
		];
		for (const [args, re] of cases) {
			const r = await cli(args);
			expect(r.code, args.join(' ')).toBe(2);
			expect(r.stderr).toMatch(re);
			expect(r.stderr.trim().split('\n')).toHaveLength(1);
		}
		expect(parseMonteCarloArgs(['--help']).kind).toBe('help');
	});

	it('a run with fewer than 2 trades: a clear error, exit 1, no NaN', async () => {
		const r = await cli([
			'--data', fixturePath('klines/BTCUSDT-1h.csv'), '--strategy', 'sma-cross', '--param', 'fast=10', '--param', 'slow=30',
			'--last-contiguous', '40', '--method', 'bootstrap'
		]);
		expect(r.code).toBe(1);
		expect(r.stderr).toMatch(/^error: Monte Carlo needs at least 2 closed trades; this run has [01]\./);
		expect(r.stdout).toBe('');
	});
});

describe('optimize CLI: overfitting figures', () => {
	it('prints them and writes overfitting {trials, psr, dsr, expectedMaxSharpe, pbo, plateau}', async () => {
		const out = join(dir, 'grid.csv');
		const r = await cli(
			['--data', fixturePath('klines/BTCUSDT-1h.csv'), '--strategy', 'sma-cross', '--param', 'fast=5:14:1', '--param', 'slow=20:65:5', '--last-contiguous', '8760', '--threads', '1', '--objective', 'sharpeRatio', '--out', out],
			optimizeMain
		);
		expect(r.stderr).toBe('');
		expect(r.code).toBe(0);
		expect(r.stdout).toMatch(/Overfitting \(best trial, 365 daily returns\):/);
		expect(r.stdout).toMatch(/psr [\d.]+ %  dsr [\d.]+ %  pbo [\d.]+ % \(100 trials, 12,870 splits\)  plateau [\d.]+/);
		const s = JSON.parse(readFileSync(join(dir, 'grid.summary.json'), 'utf8'));
		expect(s.combinations).toBe(100);
		expect(s.overfitting.trials).toBe(100);
		for (const k of ['psr', 'dsr', 'pbo', 'plateau']) {
			expect(s.overfitting[k]).toBeGreaterThanOrEqual(0);
			expect(s.overfitting[k]).toBeLessThanOrEqual(1);
		}
		expect(s.overfitting.expectedMaxSharpe).toBeGreaterThan(0);
		expect(s.overfitting.sharpeAnnualised).toBeCloseTo(s.best[0].stats.sharpeRatio, 9);
		expect(s.overfitting.dsr).toBeLessThan(s.overfitting.psr);
	});
});
