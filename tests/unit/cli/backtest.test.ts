/**
 * The backtest command end to end on real data: spawned as `node --import tsx src/cli/backtest.ts`, its JSON
 * reproduces the backtrader reference cases S1, S2 and S4 (BTCUSDT, SCENARIOS.md); 12-column Binance files (with
 * and without header, ms and µs open times) give the same result as the 6-column file; every bad argument or
 * file is one `error: ` line on stderr with exit status 2 (arguments) or 1 (data).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main';
import type { ResultJson } from '../../../src/cli/output';
import { closeTo, fixturePath, loadReferenceCase, type ScenarioId } from '../helpers/fixtures';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BTC = 'tests/fixtures/klines/BTCUSDT-1h.csv';
const tmp = mkdtempSync(join(tmpdir(), 'backtest-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Spawn the CLI the way `npm run backtest` does (tsx), from the project root. */
function spawnCli(args: string[]) {
	const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/backtest.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
	return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Call `main` in-process with captured output. */
async function callCli(args: string[]) {
	let stdout = '';
	let stderr = '';
	const status = await main(args, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
	return { status, stdout, stderr };
}

// The reference scenarios have no slippage (the CLI's default is 0.05 %, like the app's).
const S1_ARGS = ['--data', BTC, '--strategy', 'sma-cross', '--param', 'fast=10', '--param', 'slow=30', '--last-contiguous', '8760', '--slippage', '0'];
const SCENARIO_ARGS: Record<'S1' | 'S2' | 'S4', string[]> = {
	S1: S1_ARGS,
	S2: [...S1_ARGS, '--direction', 'long-short'],
	S4: [...S1_ARGS, '--stop-loss', '0.02', '--take-profit', '0.04']
};

/** Compare a CLI JSON result with a backtrader reference case (tolerances of SCENARIOS.md). */
function expectMatchesReference(json: ResultJson, scenario: ScenarioId) {
	const ref = loadReferenceCase(scenario, 'BTCUSDT');
	expect(closeTo(json.summary.finalEquity, ref.summary.final_equity, 1e-6)).toBe(true);
	expect(json.summary.nTrades).toBe(ref.summary.n_trades);
	expect(json.summary.winRate).toBeCloseTo(ref.summary.win_rate_pct / 100, 12);
	expect(closeTo(json.summary.totalReturnRatio, ref.summary.total_return_pct / 100, 1e-6)).toBe(true);
	expect(closeTo(json.summary.maxDrawdownRatio, ref.summary.max_drawdown_pct / 100, 1e-6)).toBe(true);
	expect(closeTo(json.summary.totalFees, ref.summary.total_fees, 1e-6)).toBe(true);
	expect(json.metrics.finalEquity).toBe(json.summary.finalEquity);
	expect(json.metrics.nTrades).toBe(ref.summary.n_trades);
	expect(json.trades.length).toBe(ref.trades.length);
	json.trades.forEach((t, i) => {
		const r = ref.trades[i];
		const where = `trade ${i}`;
		expect([t.direction, t.entryBar, t.exitBar, t.entryTime, t.exitTime, t.exitReason], where).toEqual([
			r.direction, r.entry_bar, r.exit_bar, r.entry_time, r.exit_time, r.exit_reason
		]);
		expect(closeTo(t.entryPrice, r.entry_price, 1e-12), where).toBe(true);
		expect(closeTo(t.exitPrice, r.exit_price, 1e-12), where).toBe(true);
		for (const [a, b] of [[t.size, r.size], [t.entryFee, r.entry_fee], [t.exitFee, r.exit_fee], [t.pnl, r.pnl]]) {
			expect(closeTo(a, b, 1e-7, 1e-4), `${where}: ${a} vs ${b}`).toBe(true);
		}
	});
	expect(json.equity.length).toBe(8760);
	expect(json.openTime.length).toBe(8760);
	let worst = 0;
	json.equity.forEach((e, i) => (worst = Math.max(worst, Math.abs(e - ref.equity[i]))));
	expect(worst).toBeLessThan(1e-4);
}

describe('backtest CLI reproduces the reference cases (spawned)', () => {
	for (const scenario of ['S1', 'S2', 'S4'] as const) {
		it(`${scenario} BTCUSDT`, () => {
			const out = join(tmp, `${scenario}.json`);
			const r = spawnCli([...SCENARIO_ARGS[scenario], '--out', out]);
			expect(r.stderr).toBe('');
			expect(r.status).toBe(0);
			expect(r.stdout).toContain('Window    8,760 bars, 2025-07-25T17:00:00Z .. 2026-07-25T16:00:00Z');
			expect(r.stdout).toContain(`Wrote ${out}`);
			const json = JSON.parse(readFileSync(out, 'utf8')) as ResultJson;
			expectMatchesReference(json, scenario);
			expect(json.input).toMatchObject({ format: '6-column-header', timeUnit: 'ms', intervalMs: 3_600_000, bars: 8760 });
			if (scenario === 'S4') {
				const reasons = json.trades.map((t) => t.exitReason);
				expect(reasons.filter((x) => x === 'stop_loss').length).toBe(32);
				expect(reasons.filter((x) => x === 'take_profit').length).toBe(22);
				expect(r.stdout).toContain('Exits     signal 114, stop_loss 32, take_profit 22, end_of_data 0');
			}
			if (scenario === 'S2') expect(json.trades.at(-1)!.exitReason).toBe('end_of_data');
		});
	}

	it('prints every statistic with its label in the summary', () => {
		const r = spawnCli(SCENARIO_ARGS.S1);
		expect(r.status).toBe(0);
		expect(r.stdout).toMatch(/\n {2}Final equity +5,174\.69\n/);
		expect(r.stdout).toMatch(/\n {2}Max drawdown +49\.86%\n/);
		expect(r.stdout).toMatch(/\n {2}Trades +168\n/);
		expect(r.stdout).toMatch(/\n {2}Win rate +28\.57%\n/);
		expect(r.stdout).toMatch(/\n {2}Fees paid +2,287\.44\n/);
	});
});

/** The data lines of a CSV file (header dropped). */
function dataLines(text: string): string[] {
	return text.split(/\r?\n/).filter((l) => /^\d/.test(l));
}

describe('12-column Binance files give the same result as the 6-column file', () => {
	it('a 12-column file without header and with microsecond times, made from the 6-column reference window', async () => {
		const lines = dataLines(readFileSync(join(ROOT, BTC), 'utf8')).slice(-10_000);
		const twelve = lines.map((l) => {
			const [t, o, h, lo, c, v] = l.split(',');
			const us = BigInt(t) * 1000n;
			return [us, o, h, lo, c, v, us + 3_600_000_000n - 1n, 0, 0, 0, 0, 0].join(',');
		});
		const path = join(tmp, 'BTCUSDT-1h-us.csv');
		writeFileSync(path, twelve.join('\n') + '\n');
		const ms = JSON.parse((await callCli([...SCENARIO_ARGS.S4, '--out', '-'])).stdout) as ResultJson;
		const r = await callCli([...SCENARIO_ARGS.S4.map((a) => (a === BTC ? path : a)), '--out', '-']);
		expect(r.status).toBe(0);
		const us = JSON.parse(r.stdout) as ResultJson;
		expect(us.input).toMatchObject({ format: '12-column', timeUnit: 'us', fileBars: 10_000, bars: 8760 });
		expect(us.trades).toEqual(ms.trades);
		expect(us.equity).toEqual(ms.equity);
		expect(us.openTime).toEqual(ms.openTime);
		expectMatchesReference(us, 'S4');
	});

	it('the real archive file (12 columns), also rewritten without header in microseconds, equals --from/--to on the 6-column file', async () => {
		const archive = 'tests/fixtures/binance-archive/BTCUSDT-1h-2023-02.csv';
		const text = readFileSync(join(ROOT, archive), 'utf8');
		const usPath = join(tmp, 'BTCUSDT-1h-2023-02-us.csv');
		writeFileSync(
			usPath,
			dataLines(text)
				.map((l) => l.split(','))
				.map((f) => [f[0] + '000', ...f.slice(1, 6), f[6] + '999', ...f.slice(7)].join(','))
				.join('\n') + '\n'
		);
		const common = ['--strategy', 'sma-cross', '--direction', 'long-short', '--out', '-'];
		const fromArchive = await callCli(['--data', archive, ...common]);
		const fromUs = await callCli(['--data', usPath, ...common]);
		const fromSix = await callCli(['--data', BTC, '--from', '2023-02-01', '--to', '2023-02-28T23:00Z', ...common]);
		for (const r of [fromArchive, fromUs, fromSix]) expect([r.status, r.stderr]).toEqual([0, '']);
		const [a, u, s] = [fromArchive, fromUs, fromSix].map((r) => JSON.parse(r.stdout) as ResultJson);
		expect(a.input).toMatchObject({ format: '12-column-header', timeUnit: 'ms', bars: 672 });
		expect(u.input).toMatchObject({ format: '12-column', timeUnit: 'us', bars: 672 });
		expect(s.input).toMatchObject({ format: '6-column-header', bars: 672, firstOpenTime: '2023-02-01T00:00:00Z', lastOpenTime: '2023-02-28T23:00:00Z' });
		expect(a.trades.length).toBeGreaterThan(5);
		for (const other of [u, s]) {
			expect(other.trades).toEqual(a.trades);
			expect(other.equity).toEqual(a.equity);
			expect(other.summary).toEqual(a.summary);
		}
	});
});

describe('JSON output', () => {
	it('writes NaN/Infinity statistics as null', async () => {
		// A strategy that never trades on a short window: win rate, profit factor, SQN... are undefined.
		const r = await callCli(['--data', BTC, '--strategy', 'sma-cross', '--param', 'fast=400', '--param', 'slow=1000', '--last-contiguous', '500', '--out', '-']);
		expect(r.status).toBe(0);
		expect(r.stdout).not.toMatch(/NaN|Infinity/);
		const json = JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
		expect(json.summary.nTrades).toBe(0);
		expect(json.summary.winRate).toBeNull();
		expect(json.metrics.profitFactor).toBeNull();
		expect(json.metrics.finalEquity).toBe(10_000);
		expect(json.trades).toEqual([]);
	});
});

describe('errors: one line on stderr, exit 2 for arguments and 1 for data', () => {
	const badCsv = join(tmp, 'bad-row.csv');
	const lines = readFileSync(fixturePath('klines/BTCUSDT-1h.csv'), 'utf8').split('\n').slice(0, 50);
	lines[37] = lines[37].replace(/^(\d+),([^,]+)/, '$1,abc'); // line 38 of the file: open is not a number
	writeFileSync(badCsv, lines.join('\n') + '\n');

	const cases: [string, string[], number, RegExp][] = [
		['unknown strategy', ['--data', BTC, '--strategy', 'macd'], 2, /^error: Unknown strategy "macd": use one of sma-cross, rsi-mean-reversion, ema-atr-breakout, rsi-atr-momentum(, [a-z-]+)*$/],
		['unknown flag', [...S1_ARGS, '--fe', '0.1'], 2, /^error: unknown option --fe \(did you mean --fee\?\)/],
		['bad number', [...S1_ARGS, '--fee', 'abc'], 2, /^error: --fee must be a fraction like 0\.001 or a percentage like 0\.1%, got "abc"$/],
		['fee of 10 % as a plain number', [...S1_ARGS, '--fee', '0.1'], 2, /^error: --fee 0\.1 is 10 % per fill, an implausible cost\. .*--allow-large-costs/],
		['out-of-range parameter', ['--data', BTC, '--strategy', 'sma-cross', '--param', 'fast=0'], 2, /^error: Invalid sma-cross parameters: fast must be between 2 and 500, got 0$/],
		['fast >= slow', ['--data', BTC, '--strategy', 'sma-cross', '--param', 'fast=30'], 2, /^error: Invalid sma-cross parameters: fast must be smaller than slow$/],
		['missing file', ['--data', 'tests/fixtures/klines/NOPE.csv', '--strategy', 'sma-cross'], 1, /^error: cannot read --data file 'tests\/fixtures\/klines\/NOPE\.csv': no such file\.$/],
		['CSV with a bad row', ['--data', badCsv, '--strategy', 'sma-cross'], 1, /^error: .*bad-row\.csv: 1 invalid row\(s\): line 38: open "abc" is not a number\./],
		['--last-contiguous larger than the run', [...S1_ARGS.slice(0, -3), '30000'], 1, /^error: --last-contiguous 30000 is more than the most recent contiguous run: 29259 bar\(s\)/],
		['unwritable --out', [...S1_ARGS, '--out', join(tmp, 'no-dir', 'r.json')], 1, /^error: cannot write --out file '.*r\.json': ENOENT\.$/]
	];
	for (const [name, args, status, pattern] of cases) {
		it(name, async () => {
			const r = await callCli(args);
			expect(r.status).toBe(status);
			expect(r.stderr.endsWith('\n')).toBe(true);
			expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
			expect(r.stderr.trimEnd()).toMatch(pattern);
			if (name !== 'unwritable --out') expect(r.stdout).toBe('');
		});
	}

	it('the spawned process exits with the status and prints nothing else', () => {
		const bad = spawnCli(['--data', BTC, '--strategy', 'sma-cross', '--param', 'fast=40']);
		expect([bad.status, bad.stdout, bad.stderr]).toEqual([2, '', 'error: Invalid sma-cross parameters: fast must be smaller than slow\n']);
		const data = spawnCli(['--data', badCsv, '--strategy', 'sma-cross']);
		expect(data.status).toBe(1);
		expect(data.stderr).toMatch(/^error: .*line 38: open "abc" is not a number\.[^\n]*\n$/);
		expect(spawnCli(['--help']).status).toBe(0);
	});
});
