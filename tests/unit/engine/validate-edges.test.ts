/**
 * Numeric and key edges refused with a clear error before they reach the WASM core or a lookup table (issue 17,
 * item 10). Each case first reproduced the original behaviour (overflow to Infinity, raw RangeError, WASM
 * out-of-bounds trap, silently accepted or ignored input).
 */
import { describe, expect, it } from 'vitest';
import { parseCliArgs, parseTime } from '../../../src/cli/args';
import { ValidationError, DataError } from '../../../src/lib/core/errors';
import { timeframeMs } from '../../../src/lib/core/timeframe';
import { importKlineFiles } from '../../../src/lib/data/archive-import';
import { KlineImportError } from '../../../src/lib/data/errors';
import { parseKlineCsv } from '../../../src/lib/data/kline-csv';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { defaultConfig, getStrategy, MAX_CASH, validateConfig } from '../../../src/lib/engine/strategies';
import { MAX_INDICATOR_PERIOD } from '../../../src/lib/engine/wasm-engine';
import { referenceWindow } from '../helpers/fixtures';

describe('configuration bounds', () => {
	it('initial cash above 10^12 is refused (1e308 overflowed equity to Infinity)', () => {
		expect(() => validateConfig({ ...defaultConfig('sma-cross'), initialCash: 1e308 })).toThrow(/initialCash must be at most 1e\+12/);
		expect(() => validateConfig({ ...defaultConfig('sma-cross'), initialCash: MAX_CASH })).not.toThrow();
		expect(() => validateConfig({ ...defaultConfig('sma-cross'), sizing: { mode: 'fixed-notional', amount: 1e300 } })).toThrow(/sizing\.amount/);
	});

	it('prototype keys are not strategies or timeframes', () => {
		for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
			expect(() => timeframeMs(key)).toThrow(ValidationError);
			expect(() => getStrategy(key)).toThrow(ValidationError);
			expect(() => validateConfig({ ...defaultConfig('sma-cross'), strategy: key as never })).toThrow(/unknown strategy/);
		}
	});
});

describe('the WASM wrapper checks its inputs', () => {
	it('an indicator period of 2^31 is a ValidationError, not a WASM out-of-bounds trap', async () => {
		const e = await createNodeEngine();
		e.load(referenceWindow('BTCUSDT'));
		expect(() => e.indicator('rsi', 2 ** 31)).toThrow(ValidationError);
		expect(() => e.indicator('sma', MAX_INDICATOR_PERIOD + 1)).toThrow(/from 1 to 1,000,000/);
		expect(e.indicator('sma', 9000).every((v) => Number.isNaN(v))).toBe(true); // longer than the data: all NaN, no error
	});

	it('memory that cannot grow gives the "not enough memory" DataError, not a raw RangeError', async () => {
		const e = await createNodeEngine();
		// The core's exports are frozen: a copy of them, with an allocate that fails as memory.grow does at its limit.
		const holder = e as unknown as { core: Record<string, unknown> };
		const core = holder.core;
		holder.core = {
			...core,
			allocate: () => {
				throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
			}
		};
		const err = (() => {
			try {
				e.load(referenceWindow('BTCUSDT'));
			} catch (x) {
				return x;
			}
		})();
		expect(err).toBeInstanceOf(DataError);
		expect((err as Error).message).toMatch(/Not enough memory for 8760 bars in the simulation core: choose a shorter range/);
	});
});

describe('intervals, CLI parameters and time zones', () => {
	const csv = 'open_time,open,high,low,close,volume\n1704067200000,1,2,0.5,1.5,10\n1704070800000,1.5,2,1,1.2,10\n';
	it('an interval of 0 or NaN is refused (was accepted and skipped every alignment check)', () => {
		for (const iv of [0, NaN, -3_600_000, 1.5, Infinity]) {
			expect(() => parseKlineCsv(csv, { intervalMs: iv })).toThrow(/positive whole number of milliseconds/);
			expect(() => importKlineFiles([{ name: 'x.csv', data: new TextEncoder().encode(csv) }], { intervalMs: iv })).toThrow(KlineImportError);
		}
	});

	it('--param __proto__=5 is an unknown parameter (was silently ignored)', () => {
		const base = ['--data', 'x.csv', '--strategy', 'sma-cross'];
		expect(() => parseCliArgs([...base, '--param', '__proto__=5'])).toThrow('unknown parameter "__proto__" for sma-cross (known: fast, slow)');
		expect(() => parseCliArgs([...base, '--param', 'constructor=5'])).toThrow(/unknown parameter/);
	});

	it('a +99:99 time-zone offset is refused; real offsets work', () => {
		expect(() => parseTime('--from', '2025-01-01T00:00+99:99')).toThrow(/offset '\+99:99', which does not exist/);
		expect(() => parseTime('--from', '2025-01-01T00:00+05:60')).toThrow(/does not exist/);
		expect(parseTime('--from', '2025-01-01T00:00+14:00')).toBe(Date.UTC(2024, 11, 31, 10));
		expect(parseTime('--from', '2025-01-01T00:00-05:30')).toBe(Date.UTC(2025, 0, 1, 5, 30));
	});
});
