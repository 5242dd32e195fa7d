/**
 * `npm run optimize` methods (random, genetic, adaptive), the saved state and --resume, the formatted
 * best-trials table and one-line errors; run in-process on the real BTCUSDT 1h fixture (last 2,000 bars).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { dataSpanMs, evaluateBatch, runOptimization, type OptimizationJob } from '../../../src/lib/optimize';
import { optimizeMain } from '../../../src/cli/optimize-main';
import { parseOptimizeArgs } from '../../../src/cli/optimize-args';
import { parseMethod, readState, writeState } from '../../../src/cli/optimize-method';
import { loadKlineFile, selectWindow } from '../../../src/cli/run';
import { fixturePath } from '../helpers/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'opt-methods-'));
const BASE = ['--data', fixturePath('klines/BTCUSDT-1h.csv'), '--strategy', 'sma-cross', '--last-contiguous', '2000', '--threads', '1'];
const SMALL = [...BASE, '--param', 'fast=5:8:1', '--param', 'slow=20:30:5']; // 4 × 3 = 12 combinations

async function run(args: string[]) {
	let stdout = '';
	let stderr = '';
	const code = await optimizeMain(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
	return { code, stdout, stderr };
}
const csvRows = (p: string) => Papa.parse<Record<string, string>>(readFileSync(p, 'utf8'), { header: true, skipEmptyLines: true }).data;

describe('parseMethod', () => {
	it('defaults and settings of each method', () => {
		expect(parseMethod({})).toEqual({ kind: 'grid' });
		expect(parseMethod({ method: 'random', trials: '50', seed: '7' })).toEqual({ kind: 'random', trials: 50, seed: 7 });
		expect(parseMethod({ method: 'genetic' })).toMatchObject({ kind: 'genetic', population: 30, generations: 10, elitism: 2, seed: 1 });
		expect(parseMethod({ method: 'adaptive', points: '4' })).toEqual({ kind: 'adaptive', iterations: 3, refinementFactor: 0.5, pointsPerAxis: 4 });
	});
	it('rejects unknown methods, bad numbers and flags of another method, in one line', () => {
		expect(() => parseMethod({ method: 'anneal' })).toThrow(/^--method must be grid, random, genetic or adaptive, got 'anneal'\.$/);
		expect(() => parseMethod({ method: 'random', trials: '0' })).toThrow(/--trials must be a whole number from 1/);
		expect(() => parseMethod({ method: 'grid', population: '10' })).toThrow(/--population does not apply to --method grid/);
		expect(() => parseMethod({ method: 'genetic', crossover: '1.5' })).toThrow(/--crossover must be a number from 0 to 1/);
	});
});

describe('optimize command with search methods', () => {
	it('genetic on 12 combinations evaluates each once and says the space is exhausted; table is formatted', async () => {
		const out = join(dir, 'gen.csv');
		const r = await run([...SMALL, '--method', 'genetic', '--population', '5', '--generations', '20', '--out', out]);
		expect(r.stderr).toBe('');
		expect(r.code).toBe(0);
		expect(r.stdout).toMatch(/^12 combinations \(genetic search\) on 2,000 bars/);
		expect(r.stdout).toContain('Search space exhausted: every valid combination (12) was evaluated');
		const rows = csvRows(out);
		expect(rows).toHaveLength(12);
		expect(new Set(rows.map((x) => `${x.fast}/${x.slow}`)).size).toBe(12);
		// Formatted table: a header with human names, percentages and thousands separators.
		expect(r.stdout).toMatch(/ +# +fast +slow +Final equity +Return +Max DD +Sharpe +PF +Win rate +Trades\n/);
		expect(r.stdout).toMatch(/\n +1 +\d+ +\d+ +\d{1,3}(,\d{3})*\.\d{2} +-?\d+\.\d{2}% /);
	});

	it('random and adaptive run and write one row per evaluated combination', async () => {
		const a = await run([...BASE, '--param', 'fast=5:30:1', '--param', 'slow=20:100:5', '--method', 'random', '--trials', '25', '--seed', '4', '--out', join(dir, 'rnd.json')]);
		expect(a.code).toBe(0);
		expect(JSON.parse(readFileSync(join(dir, 'rnd.json'), 'utf8'))).toHaveLength(25);
		const b = await run([...BASE, '--param', 'fast=5:30:1', '--param', 'slow=20:100:5', '--method', 'adaptive', '--iterations', '2', '--points', '3', '--out', join(dir, 'ada.csv')]);
		expect(b.code).toBe(0);
		expect(b.stdout).toMatch(/combinations \(adaptive search\)/);
		expect(csvRows(join(dir, 'ada.csv')).length).toBeGreaterThanOrEqual(9);
	});

	it('--resume continues a stopped search to the same result as one uninterrupted run', async () => {
		const args = [...BASE, '--param', 'fast=5:30:1', '--param', 'slow=20:100:5', '--method', 'random', '--trials', '60', '--seed', '11'];
		// Stop the same search after its first batches (as Ctrl+C would) and save its state.
		const parsed = parseOptimizeArgs([...args, '--out', join(dir, 'x.csv')]);
		if (parsed.kind !== 'run') throw new Error('expected run');
		const o = parsed.options;
		const file = loadKlineFile(o.dataPath, o.intervalMs);
		const win = selectWindow(file.ohlcv, file.intervalMs, o.window);
		const job: OptimizationJob = {
			config: o.config,
			axes: o.axes,
			objective: { key: o.objective, minTrades: o.minTrades },
			data: { bars: win.ohlcv.openTime.length, spanMs: dataSpanMs(win.ohlcv.openTime, file.intervalMs) }
		};
		const engine = await createNodeEngine();
		engine.load(win.ohlcv);
		const stop = new AbortController();
		let seen = 0;
		const partial = await runOptimization({
			job,
			method: o.method,
			signal: stop.signal,
			batchSize: 16,
			topK: 10,
			evaluate: async (b) => {
				if (seen >= 16) stop.abort();
				const r = evaluateBatch(engine, job, b);
				seen += r.length;
				return r;
			}
		});
		expect(partial.status).toBe('cancelled');
		const statePath = join(dir, 'state.json');
		writeState(statePath, partial.state);
		expect(readState(statePath).evaluated).toBe(partial.state.evaluated);

		const resumed = await run([...args, '--resume', statePath, '--out', join(dir, 'resumed.csv')]);
		expect(resumed.stderr).toBe('');
		expect(resumed.code).toBe(0);
		expect(resumed.stdout).toContain('resumed: 60 in all');
		const full = await run([...args, '--out', join(dir, 'full.csv')]);
		const best = (s: string) => s.slice(s.indexOf('Best by'), s.indexOf('Wrote'));
		expect(best(resumed.stdout)).toBe(best(full.stdout));
		expect(readState(statePath).evaluated).toBe(60);

		// A state of another search is refused, in one line, with exit code 2.
		const other = await run([...BASE, '--param', 'fast=5:9:1', '--param', 'slow=20:100:5', '--method', 'random', '--trials', '60', '--seed', '11', '--resume', statePath, '--out', join(dir, 'y.csv')]);
		expect(other.code).toBe(2);
		expect(other.stderr).toMatch(/^error: --resume .*state\.json is for another search: parameter ranges differ; give the same command that started it\.\n$/);
	});
});
