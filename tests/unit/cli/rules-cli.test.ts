/**
 * `--rules FILE` in the backtest and optimise commands: a rule file runs like its built-in twin (identical trades and
 * grid rows), its parameters take --param, the audit verdict is printed and written to JSON, and a broken rule file is
 * an argument error (exit 2) naming the line, the column and the suggestion.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import { optimizeMain } from '../../../src/cli/optimize-main';
import type { ResultJson } from '../../../src/cli/output';

const DATA = 'tests/fixtures/klines/BTCUSDT-1h.csv';
const dir = mkdtempSync(join(tmpdir(), 'rules-cli-'));

async function run(fn: typeof main, args: string[]) {
	let stdout = '';
	let stderr = '';
	const status = await fn(args, { stdout: (s: string) => void (stdout += s), stderr: (s: string) => void (stderr += s) });
	return { status, stdout, stderr };
}

describe('CLI --rules', () => {
	it('backtest: a rule file gives the built-in\'s trades, with --param and the audit in the summary and JSON', async () => {
		const a = join(dir, 'rules.json');
		const b = join(dir, 'builtin.json');
		const r1 = await run(main, ['--data', DATA, '--rules', 'static/rules/ema-atr-breakout.rules', '--param', 'emaPeriod=30', '--param', 'volumeFilter=true', '--last-contiguous', '4000', '--direction', 'long-short', '--out', a]);
		expect(r1.stderr).toBe('');
		expect(r1.status).toBe(0);
		expect(r1.stdout).toMatch(/Config {4}rules ema-atr-breakout emaPeriod=30 .*volumeFilter=true/);
		expect(r1.stdout).toMatch(/Audit {5}look-ahead check passed \(3 cuts; warm-up respected\)/);
		const r2 = await run(main, ['--data', DATA, '--strategy', 'ema-atr-breakout', '--param', 'emaPeriod=30', '--param', 'volumeFilter=true', '--last-contiguous', '4000', '--direction', 'long-short', '--out', b]);
		expect(r2.status).toBe(0);
		const ja = JSON.parse(readFileSync(a, 'utf8')) as ResultJson;
		const jb = JSON.parse(readFileSync(b, 'utf8')) as ResultJson;
		expect(ja.trades.length).toBeGreaterThan(10);
		expect(ja.trades).toEqual(jb.trades);
		expect(ja.equity).toEqual(jb.equity);
		expect(ja.config.strategy).toBe('rules');
		expect(ja.config.rules?.source).toBe(readFileSync('static/rules/ema-atr-breakout.rules', 'utf8'));
		expect(ja.audit.passed).toBe(true);
		expect(ja.audit.lookAhead.cuts.length).toBe(3);
		expect(jb.audit.passed).toBe(true);
	});

	it('backtest: broken rules, unknown parameters and --strategy with --rules are argument errors (exit 2)', async () => {
		const bad = join(dir, 'bad.rules');
		writeFileSync(bad, 'fast = 10 [2..50 step 1]\nenterLong = crossover(close, sma(close, fsat))\nexitLong = close < open\n');
		const r = await run(main, ['--data', DATA, '--rules', bad]);
		expect(r.status).toBe(2);
		expect(r.stderr).toMatch(/^error: .*line 2, column 41: unknown name `fsat`: did you mean `fast`\?/);
		expect((await run(main, ['--data', DATA, '--rules', 'static/rules/sma-cross.rules', '--param', 'fsat=3'])).stderr).toMatch(/unknown parameter "fsat"/);
		expect((await run(main, ['--data', DATA, '--rules', 'static/rules/sma-cross.rules', '--param', 'fast=40'])).stderr).toMatch(/require fast < slow/);
		expect((await run(main, ['--data', DATA, '--rules', 'static/rules/sma-cross.rules', '--strategy', 'sma-cross'])).status).toBe(2);
		expect((await run(main, ['--data', DATA, '--rules', join(dir, 'missing.rules')])).stderr).toMatch(/cannot read --rules file .*no such file/);
		expect((await run(main, ['--data', DATA, '--rules', 'static/rules/rsi-atr-momentum.rules', '--stop-loss', '0.02'])).stderr).toMatch(/the rule sets its own stopLoss/);
	});

	it('optimize: a grid over a rule\'s declared parameters equals the built-in grid row for row', async () => {
		const a = join(dir, 'grid-rules.csv');
		const b = join(dir, 'grid-builtin.csv');
		const common = ['--data', DATA, '--param', 'fast=5:9:2', '--param', 'slow=20:40:10', '--last-contiguous', '3000', '--threads', '1'];
		const r1 = await run(optimizeMain, [...common, '--rules', 'static/rules/sma-cross.rules', '--out', a]);
		expect(r1.stderr).toBe('');
		expect(r1.status).toBe(0);
		await run(optimizeMain, [...common, '--strategy', 'sma-cross', '--out', b]);
		const rows = readFileSync(a, 'utf8');
		expect(rows.split('\n').length).toBe(11);
		expect(rows).toBe(readFileSync(b, 'utf8'));
	});
});
