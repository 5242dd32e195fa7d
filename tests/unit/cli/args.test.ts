/**
 * parseCliArgs: flags become a complete, validated BacktestConfig and window; every bad argument is a one-line
 * ValidationError naming the flag and the problem.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/lib/core/errors';
import { STRATEGY_IDS } from '../../../src/lib/engine/strategies';
import { helpText, parseCliArgs, parseTime, type CliRunOptions } from '../../../src/cli/args';

const BASE = ['--data', 'x.csv', '--strategy', 'sma-cross'];

function run(...extra: string[]): CliRunOptions {
	const cmd = parseCliArgs([...BASE, ...extra]);
	if (cmd.kind !== 'run') throw new Error('expected a run command');
	return cmd.options;
}

/** The ValidationError message parseCliArgs throws for `argv`. */
function errorOf(argv: string[]): string {
	try {
		parseCliArgs(argv);
	} catch (e) {
		expect(e).toBeInstanceOf(ValidationError);
		const msg = (e as Error).message;
		expect(msg).not.toContain('\n');
		return msg;
	}
	throw new Error(`no error for ${argv.join(' ')}`);
}

describe('parseCliArgs: valid arguments', () => {
	it('fills the documented defaults when only --data and --strategy are given', () => {
		const o = run();
		expect(o.dataPath).toBe('x.csv');
		expect(o.config).toEqual({
			strategy: 'sma-cross',
			params: { fast: 10, slow: 30 },
			direction: 'long',
			feeRate: 0.001,
			// The app's defaults: fee 0.1 %, slippage 0.05 %.
			slippageRate: 0.0005,
			initialCash: 10_000,
			stopLoss: { mode: 'none' },
			takeProfit: { mode: 'none' },
			atrPeriod: 14,
			sizing: { mode: 'equity-fraction', fraction: 1 }
		});
		expect(o.window).toEqual({});
		expect(o.outPath).toBeUndefined();
		expect(o.intervalMs).toBeUndefined();
	});

	it('maps every flag to its configuration field', () => {
		const o = run(
			'--param', 'fast=5', '--param', 'slow=50', '--direction', 'long-short', '--fee', '0.00075', '--slippage', '0.0005',
			'--stop-loss', '0.02', '--take-profit', '4%', '--initial-cash', '2500', '--sizing', 'fixed-notional:1000',
			'--last-contiguous', '8760', '--from', '2025-01-01', '--to', '1784995200000', '--interval', '1h', '--out', 'r.json'
		);
		expect(o.config.params).toEqual({ fast: 5, slow: 50 });
		expect(o.config.direction).toBe('long-short');
		expect(o.config.feeRate).toBe(0.00075);
		expect(o.config.slippageRate).toBe(0.0005);
		expect(o.config.stopLoss).toEqual({ mode: 'fraction', value: 0.02 });
		expect(o.config.takeProfit).toEqual({ mode: 'fraction', value: 0.04 });
		expect(o.config.initialCash).toBe(2500);
		expect(o.config.sizing).toEqual({ mode: 'fixed-notional', amount: 1000 });
		expect(o.window).toEqual({ fromMs: Date.UTC(2025, 0, 1), toMs: 1784995200000, lastContiguous: 8760 });
		expect(o.intervalMs).toBe(3_600_000);
		expect(o.outPath).toBe('r.json');
	});

	it('accepts ATR multiples for the exit levels with --atr-period, and risk sizing with a stop-loss', () => {
		const o = run('--stop-loss', '2atr', '--take-profit', '3ATR', '--atr-period', '21', '--sizing', 'risk:0.01');
		expect(o.config.stopLoss).toEqual({ mode: 'atr', value: 2 });
		expect(o.config.takeProfit).toEqual({ mode: 'atr', value: 3 });
		expect(o.config.atrPeriod).toBe(21);
		expect(o.config.sizing).toEqual({ mode: 'risk', fraction: 0.01 });
	});

	it('accepts booleans as true/false in --param and keeps other defaults', () => {
		const cmd = parseCliArgs(['--data', 'x.csv', '--strategy', 'rsi-mean-reversion', '--param', 'exitOnMid=true', '--param', 'oversold=25']);
		expect(cmd.kind === 'run' && cmd.options.config.params).toEqual({ period: 14, oversold: 25, overbought: 70, exitOnMid: true });
	});

	it('accepts --flag=value syntax, including negative-looking values', () => {
		expect(run('--fee=0.002').config.feeRate).toBe(0.002);
	});

	it('returns help for --help and -h, even with other flags', () => {
		expect(parseCliArgs(['--help'])).toEqual({ kind: 'help' });
		expect(parseCliArgs(['-h', '--strategy', 'nope'])).toEqual({ kind: 'help' });
	});
});

describe('parseCliArgs: errors are one line and name the problem', () => {
	it('lists the valid strategy ids for an unknown strategy', () => {
		const msg = errorOf(['--data', 'x.csv', '--strategy', 'macd']);
		expect(msg).toContain('"macd"');
		for (const id of STRATEGY_IDS) expect(msg).toContain(id);
	});

	it('names an unknown flag and suggests the nearest one', () => {
		expect(errorOf([...BASE, '--fees', '0.1'])).toBe('unknown option --fees (did you mean --fee?); see --help for the options.');
		expect(errorOf([...BASE, '--bogus'])).toMatch(/^unknown option --bogus; see --help/);
	});

	it('reports a non-number and an out-of-range number with the allowed range and the value given', () => {
		expect(errorOf([...BASE, '--fee', 'abc'])).toBe('--fee must be a fraction like 0.001 or a percentage like 0.1%, got "abc"');
		expect(errorOf([...BASE, '--fee', '0.5'])).toMatch(/^--fee 0\.5 is 50 % per fill, an implausible cost\./);
		expect(errorOf([...BASE, '--slippage', '1e9'])).toMatch(/^--slippage must be below 100 %/);
		expect(errorOf([...BASE, '--fee', '0.1'])).toMatch(/for 0\.1 % write 0\.1% \(or 0\.001\)\. Pass --allow-large-costs/);
		expect(run('--fee', '0.1', '--allow-large-costs').config.feeRate).toBe(0.1);
		expect(run('--fee', '0.1%', '--slippage', '0.05%').config).toMatchObject({ feeRate: 0.001, slippageRate: 0.0005 });
		expect(errorOf([...BASE, '--initial-cash', '0'])).toMatch(/^--initial-cash must be a number above 0/);
		expect(errorOf([...BASE, '--last-contiguous', '10.5'])).toMatch(/^--last-contiguous must be a whole number from 1/);
		expect(errorOf([...BASE, '--atr-period', '0', '--stop-loss', '2atr'])).toMatch(/^--atr-period must be a whole number from 1 to 1000/);
		expect(errorOf([...BASE, '--fee', 'Infinity'])).toContain('got "Infinity"');
	});

	it('reports a missing value and a value that starts with a dash', () => {
		expect(errorOf([...BASE, '--fee'])).toBe('--fee needs a value (see --help).');
		expect(errorOf([...BASE, '--fee', '-0.1'])).toMatch(/^--fee needs a value, .*--fee=VALUE/);
		expect(errorOf([...BASE, '--fee=-0.1'])).toMatch(/^--fee must not be negative/);
	});

	it('requires --data and --strategy', () => {
		expect(errorOf(['--strategy', 'sma-cross'])).toMatch(/^--data FILE is required/);
		expect(errorOf(['--data', 'x.csv'])).toMatch(/^--strategy ID is required: use one of sma-cross, /);
	});

	it('rejects positional arguments and flags given twice', () => {
		expect(errorOf([...BASE, 'extra.csv'])).toMatch(/^unexpected argument 'extra.csv'/);
		expect(errorOf([...BASE, '--fee', '0.001', '--fee', '0.002'])).toBe('--fee is given more than once; give it once.');
		expect(errorOf([...BASE, '--param', 'fast=5', '--param', 'fast=6'])).toBe('--param fast is given more than once.');
	});

	it('checks strategy parameters against the registry: range, whole number, unknown name, fast < slow', () => {
		expect(errorOf([...BASE, '--param', 'fast=0'])).toBe('Invalid sma-cross parameters: fast must be between 2 and 500, got 0');
		expect(errorOf([...BASE, '--param', 'fast=10.5'])).toContain('fast must be a whole number, got 10.5');
		expect(errorOf([...BASE, '--param', 'speed=3'])).toContain('unknown parameter "speed" for sma-cross (known: fast, slow)');
		expect(errorOf([...BASE, '--param', 'fast=30', '--param', 'slow=30'])).toBe('Invalid sma-cross parameters: fast must be smaller than slow');
		expect(errorOf([...BASE, '--param', 'fast'])).toBe("--param must be NAME=VALUE (parameters of sma-cross: fast, slow), got 'fast'.");
		expect(errorOf([...BASE, '--param', 'fast=ten'])).toBe("--param fast must be a number (or true/false), got 'ten'.");
	});

	it('checks direction, exit levels and sizing', () => {
		expect(errorOf([...BASE, '--direction', 'short'])).toBe("--direction must be long or long-short, got 'short'.");
		expect(errorOf([...BASE, '--stop-loss', '1.5'])).toMatch(/^--stop-loss must be above 0 and below 1/);
		expect(errorOf([...BASE, '--stop-loss', '2x'])).toMatch(/^--stop-loss must be a fraction of the entry price/);
		expect(errorOf([...BASE, '--take-profit', '0atr'])).toBe("--take-profit ATR multiple must be above 0, got '0atr'.");
		expect(errorOf([...BASE, '--sizing', 'all-in'])).toMatch(/^--sizing must be MODE:VALUE/);
		expect(errorOf([...BASE, '--sizing', 'kelly:0.5'])).toMatch(/^--sizing mode must be equity-fraction, fixed-notional or risk/);
		expect(errorOf([...BASE, '--sizing', 'equity-fraction:1.5'])).toMatch(/^--sizing equity-fraction must be a number above 0 to 1/);
		expect(errorOf([...BASE, '--sizing', 'risk:0.01'])).toMatch(/^--sizing risk:\.\.\. needs a stop-loss/);
		expect(errorOf([...BASE, '--atr-period', '20'])).toMatch(/^--atr-period only applies to ATR levels/);
	});

	it('refuses exit levels for a strategy that sets its own', () => {
		const msg = errorOf(['--data', 'x.csv', '--strategy', 'rsi-atr-momentum', '--stop-loss', '0.02']);
		expect(msg).toMatch(/^--stop-loss cannot be used with rsi-atr-momentum: .*slAtrMultiplier/);
	});

	it('checks --from/--to, their order and --interval', () => {
		expect(errorOf([...BASE, '--from', 'yesterday'])).toMatch(/^--from must be an ISO-8601 time/);
		expect(errorOf([...BASE, '--from', '2026-01-01', '--to', '2025-01-01'])).toBe('--from (2026-01-01) is after --to (2025-01-01); swap them.');
		expect(errorOf([...BASE, '--interval', '2d'])).toMatch(/^--interval must be one of 1m, .*1w, got '2d'\.$/);
	});

	it('--help text documents every flag, the exit codes and null for NaN/Infinity', () => {
		const text = helpText();
		for (const flag of ['--data', '--strategy', '--param', '--direction', '--fee', '--slippage', '--stop-loss', '--take-profit',
			'--atr-period', '--sizing', '--initial-cash', '--last-contiguous', '--from', '--to', '--interval', '--out', '--help']) {
			expect(text).toContain(flag);
		}
		expect(text).toContain('written as null');
		expect(text).toMatch(/Exit status: 0 success; 2 bad arguments .*; 1 bad data file/);
	});
});

describe('parseTime', () => {
	it('reads ISO dates and times as UTC unless a zone is given, and Unix milliseconds', () => {
		expect(parseTime('--from', '2025-07-25')).toBe(Date.UTC(2025, 6, 25));
		expect(parseTime('--from', '2025-07-25T17:00')).toBe(1753462800000);
		expect(parseTime('--from', '2025-07-25T17:00:00Z')).toBe(1753462800000);
		expect(parseTime('--from', '2025-07-25T19:00:00+02:00')).toBe(1753462800000);
		expect(parseTime('--from', '2025-07-25 12:00:00.500-0500')).toBe(1753462800500);
		expect(parseTime('--from', '1753462800000')).toBe(1753462800000);
	});

	it('rejects impossible dates and names seconds/microseconds', () => {
		expect(() => parseTime('--from', '2025-02-30')).toThrow("--from is not a real date and time: '2025-02-30'.");
		expect(() => parseTime('--to', '2025-01-01T24:30')).toThrow(/not a real date/);
		expect(() => parseTime('--to', '1753462800')).toThrow(/looks like seconds: multiply by 1000/);
		expect(() => parseTime('--to', '1753462800000000')).toThrow(/looks like microseconds: divide by 1000/);
	});
});
