/**
 * formatCliError turns any error into one line (kline files: file name and each invalid row's line number);
 * describeConfig states the configuration in words.
 */
import { describe, expect, it } from 'vitest';
import { KlineImportError } from '../../../src/lib/data/errors';
import { parseKlineCsv } from '../../../src/lib/data/kline-csv';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import { describeConfig, formatCliError } from '../../../src/cli/output';

describe('formatCliError', () => {
	it('puts the rows of an invalid kline file on one line, with line numbers and the count not listed', () => {
		const rows = ['open_time,open,high,low,close,volume'];
		for (let i = 0; i < 12; i++) rows.push(`${1672531200000 + i * 3_600_000},1,2,0.5,x,1`);
		let err: unknown;
		try {
			parseKlineCsv(rows.join('\n'), { source: 'k.csv' });
		} catch (e) {
			err = e;
		}
		expect(err).toBeInstanceOf(KlineImportError);
		expect((err as Error).message).toContain('\n');
		const line = formatCliError(err);
		expect(line).not.toContain('\n');
		expect(line).toMatch(/^k\.csv: 12 invalid row\(s\): line 2: close "x" is not a number; line 3: /);
		expect(line).toContain('line 11: close "x" is not a number; ... 2 more. Fix or remove them; nothing was backtested.');
	});

	it('joins the lines of any other multi-line message and accepts non-Error values', () => {
		expect(formatCliError(new Error('first\n  second\n'))).toBe('first second');
		expect(formatCliError('plain text')).toBe('plain text');
	});
});

describe('describeConfig', () => {
	it('states strategy, parameters, direction, costs, levels and sizing', () => {
		const c = { ...defaultConfig('sma-cross'), stopLoss: { mode: 'atr', value: 2 } as const, takeProfit: { mode: 'fraction', value: 0.04 } as const };
		expect(describeConfig(c)).toBe(
			'sma-cross fast=10 slow=30, long-only, fee 0.1 %, slippage 0 %, stop-loss 2 × ATR(14), take-profit 4 %, sizing all-in, initial cash 10000'
		);
		expect(describeConfig({ ...defaultConfig('rsi-atr-momentum'), direction: 'long-short', sizing: { mode: 'risk', fraction: 0.01 } })).toMatch(
			/, long-short, .*stop-loss\/take-profit from the strategy \(ATR\), sizing risk 1 % of equity per trade,/
		);
	});
});
