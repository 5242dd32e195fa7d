/**
 * Portfolio configuration: defaults, validation (clear ValidationErrors) and the text forms of sizing rules and
 * circuit breakers (CLI `--sizing`, `--breaker`, Portfolio screen), with seeded fuzz / property tests of the parsers.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/lib/core/errors';
import {
	defaultPortfolioConfig,
	formatBreaker,
	formatPortfolioSizing,
	parseBreaker,
	parsePortfolioSizing,
	validatePortfolioConfig
} from '../../../src/lib/engine/portfolio-config';
import type { BreakerSpec, PortfolioConfig, PortfolioSizingSpec } from '../../../src/lib/engine/types';
import { PORTFOLIO_STRATEGY_IDS, randInt, randomPortfolioConfig, rng } from '../helpers/random-configs';

const base = defaultPortfolioConfig();
const expectInvalid = (c: Partial<PortfolioConfig>, pattern: RegExp, markets = 5) => {
	const f = () => validatePortfolioConfig({ ...base, ...c } as PortfolioConfig, markets);
	expect(f).toThrow(ValidationError);
	expect(f).toThrow(pattern);
};

describe('defaultPortfolioConfig', () => {
	it('is case P1: sma-cross 10/30 long, fee 0.001, 10,000 USDT, K 3, fixed-notional 2000, L 1, mmr 0.005, no breakers', () => {
		const c = defaultPortfolioConfig();
		expect(c.strategy).toBe('sma-cross');
		expect(c.params).toMatchObject({ fast: 10, slow: 30 });
		expect([c.direction, c.feeRate, c.slippageRate, c.initialCash]).toEqual(['long', 0.001, 0, 10_000]);
		expect([c.maxPositions, c.leverage, c.maintenanceMarginRatio]).toEqual([3, 1, 0.005]);
		expect(c.sizing).toEqual({ mode: 'fixed-notional', amount: 2000 });
		expect(c.breakers).toEqual([]);
		expect(c.stopLoss).toEqual({ mode: 'none' });
		expect(validatePortfolioConfig(c, 5)).toEqual([10, 30]);
		expect(defaultPortfolioConfig()).not.toBe(c); // a fresh object each call
	});
});

describe('validatePortfolioConfig', () => {
	it('accepts every sizing mode, both breakers, leverage 1 and 10, and K larger than the number of markets', () => {
		for (const sizing of [
			{ mode: 'equity-split' },
			{ mode: 'equity-fraction', fraction: 0.5 },
			{ mode: 'fixed-notional', amount: 100 }
		] as PortfolioSizingSpec[])
			expect(() => validatePortfolioConfig({ ...base, sizing }, 5)).not.toThrow();
		expect(() =>
			validatePortfolioConfig({ ...base, sizing: { mode: 'risk', fraction: 0.01 }, stopLoss: { mode: 'fraction', value: 0.02 } }, 5)
		).not.toThrow();
		expect(() => validatePortfolioConfig({ ...base, leverage: 10, maxPositions: 200 }, 2)).not.toThrow();
		expect(() =>
			validatePortfolioConfig(
				{ ...base, breakers: [parseBreaker('max-drawdown:0.1:close-all:168'), parseBreaker('consecutive-losses:3:reduce:0.5')] },
				200
			)
		).not.toThrow();
		// rsi-atr-momentum has its own ATR stop-loss: risk sizing needs nothing else.
		expect(() =>
			validatePortfolioConfig({ ...base, strategy: 'rsi-atr-momentum', params: {}, sizing: { mode: 'risk', fraction: 0.01 } }, 3)
		).not.toThrow();
	});

	it('K must be a whole number from 1 to 200', () => {
		for (const k of [0, -1, -3, 1.5, 201, NaN, Infinity]) expectInvalid({ maxPositions: k }, /Max positions \(K\) must be a whole number from 1 to 200/);
	});

	it('leverage must be from 1 to 10', () => {
		for (const L of [0, 0.5, 0.99, 10.01, 11, -2, NaN]) expectInvalid({ leverage: L }, /Leverage must be from 1 to 10/);
	});

	it('maintenance margin ratio must be in [0, 0.5)', () => {
		for (const m of [-0.001, 0.5, 0.7, NaN]) expectInvalid({ maintenanceMarginRatio: m }, /Maintenance margin ratio/);
		expect(() => validatePortfolioConfig({ ...base, maintenanceMarginRatio: 0 }, 5)).not.toThrow();
	});

	it('breakers: ranges, one of each kind', () => {
		const md = (threshold: number, cooldownBars: number): BreakerSpec => ({ kind: 'max-drawdown', threshold, action: 'close-all', cooldownBars });
		const cl = (count: number, factor: number): BreakerSpec => ({ kind: 'consecutive-losses', count, action: 'reduce', factor });
		expectInvalid({ breakers: [md(0, 10)] }, /threshold must be a fraction between 0 and 1/);
		expectInvalid({ breakers: [md(1, 10)] }, /threshold/);
		expectInvalid({ breakers: [md(0.1, 0)] }, /cooldown must be a whole number of bars, at least 1/);
		expectInvalid({ breakers: [md(0.1, 2.5)] }, /cooldown/);
		expectInvalid({ breakers: [cl(0, 0.5)] }, /count must be a whole number of trades, at least 1/);
		expectInvalid({ breakers: [cl(2.5, 0.5)] }, /count/);
		expectInvalid({ breakers: [cl(3, 0)] }, /factor must be above 0 and at most 1/);
		expectInvalid({ breakers: [cl(3, 1.5)] }, /factor/);
		expectInvalid({ breakers: [md(0.1, 5), md(0.2, 5)] }, /Only one max-drawdown breaker/);
		expectInvalid({ breakers: [cl(3, 0.5), cl(2, 0.5)] }, /Only one consecutive-losses breaker/);
		expectInvalid({ breakers: [{ kind: 'panic' } as unknown as BreakerSpec] }, /kind must be max-drawdown or consecutive-losses/);
		expect(() => validatePortfolioConfig({ ...base, breakers: [cl(3, 1)] }, 5)).not.toThrow();
	});

	it('sizing: ranges and risk needs a stop-loss', () => {
		expectInvalid({ sizing: { mode: 'risk', fraction: 0.01 } }, /Risk sizing needs a stop-loss/);
		expectInvalid({ sizing: { mode: 'fixed-notional', amount: 0 } }, /fixed-notional amount must be a positive/);
		expectInvalid({ sizing: { mode: 'fixed-notional', amount: 2e12 } }, /fixed-notional amount must be a positive quote amount up to 1e\+12/);
		expectInvalid({ sizing: { mode: 'equity-fraction', fraction: 1.5 } }, /equity-fraction must be above 0 and at most 1/);
		expectInvalid({ sizing: { mode: 'risk', fraction: 0 }, stopLoss: { mode: 'fraction', value: 0.02 } }, /risk fraction/);
		expectInvalid({ sizing: { mode: 'martingale' } as unknown as PortfolioSizingSpec }, /Sizing mode must be/);
	});

	it('market count 1 … 200, and the single-market part is checked too; every problem is listed', () => {
		expectInvalid({}, /1 to 200 markets, got 0/, 0);
		expectInvalid({}, /1 to 200 markets, got 201/, 201);
		expectInvalid({ feeRate: -1 }, /feeRate/);
		expectInvalid({ params: { fast: 40, slow: 30 } }, /sma-cross/);
		expectInvalid({ strategy: 'nope' as never }, /unknown strategy/);
		expectInvalid({ strategy: 'poly-bands', params: {} }, /poly-bands cannot run in a portfolio yet/);
		try {
			validatePortfolioConfig({ ...base, maxPositions: 0, leverage: 20, feeRate: 2 }, 5);
			expect.unreachable();
		} catch (e) {
			expect(e).toBeInstanceOf(ValidationError);
			const msg = (e as Error).message;
			expect(msg).toMatch(/^Invalid portfolio configuration: /);
			expect(msg).toMatch(/Max positions/);
			expect(msg).toMatch(/Leverage/);
			expect(msg).toMatch(/feeRate/);
		}
	});

	it('accepts 500 random valid configurations', () => {
		const r = rng(7);
		for (let i = 0; i < 500; i++) {
			const n = randInt(r, 1, 8);
			const c = randomPortfolioConfig(PORTFOLIO_STRATEGY_IDS[i % PORTFOLIO_STRATEGY_IDS.length], r, n);
			expect(() => validatePortfolioConfig(c, n), JSON.stringify(c)).not.toThrow();
		}
	});
});

describe('parseBreaker / formatBreaker', () => {
	it('reads the two forms of the issue', () => {
		expect(parseBreaker('max-drawdown:0.10:close-all:168')).toEqual({ kind: 'max-drawdown', threshold: 0.1, action: 'close-all', cooldownBars: 168 });
		expect(parseBreaker('consecutive-losses:3:reduce:0.5')).toEqual({ kind: 'consecutive-losses', count: 3, action: 'reduce', factor: 0.5 });
		expect(parseBreaker('  Max-Drawdown:.2:CLOSE-ALL:1 ')).toEqual({ kind: 'max-drawdown', threshold: 0.2, action: 'close-all', cooldownBars: 1 });
		expect(parseBreaker('max-drawdown:10%:close-all:168')).toEqual(parseBreaker('max-drawdown:0.10:close-all:168'));
		expect(parseBreaker('max-drawdown : 12.5% : close-all : 24')).toMatchObject({ threshold: 0.125, cooldownBars: 24 });
		expect(formatBreaker(parseBreaker('max-drawdown:0.10:close-all:168'))).toBe('max-drawdown:0.1:close-all:168');
		expect(formatBreaker(parseBreaker('consecutive-losses:3:reduce:0.5'))).toBe('consecutive-losses:3:reduce:0.5');
	});

	it('explains what is wrong', () => {
		const bad: [string, RegExp][] = [
			['', /Empty breaker/],
			['drawdown:0.1', /Unknown breaker.*max-drawdown:THRESHOLD:close-all:BARS/],
			['max-drawdown:0.1:close-all', /^A breaker has four parts, e\.g\. max-drawdown:THRESHOLD:close-all:BARS/],
			['max-drawdown:0.1:reduce:5', /max-drawdown breaker's action is close-all/],
			['max-drawdown:100%:close-all:5', /threshold must be a fraction between 0 and 1/],
			['max-drawdown:x%:close-all:5', /threshold must be a number, got "x"/],
			['max-drawdown:10:close-all:5', /threshold must be a fraction between 0 and 1/],
			['max-drawdown:0.1:close-all:0', /cooldown must be a whole number/],
			['max-drawdown:0.1:close-all:1.5', /cooldown must be a whole number/],
			['consecutive-losses:3:reduce', /A breaker has four parts/],
			['consecutive-losses:3:close-all:0.5', /consecutive-losses breaker's action is reduce/],
			['consecutive-losses:0:reduce:0.5', /count must be a whole number/],
			['consecutive-losses:3:reduce:2', /factor must be above 0 and at most 1/],
			['consecutive-losses:3:reduce:abc', /factor must be a number/],
			['consecutive-losses:3:reduce:1e999', /finite/]
		];
		for (const [text, re] of bad) {
			expect(() => parseBreaker(text), text).toThrow(ValidationError);
			expect(() => parseBreaker(text), text).toThrow(re);
		}
	});

	it('fuzz: random strings never throw anything but ValidationError; accepted ones round-trip', () => {
		const r = rng(1234);
		const alphabet = ['max-drawdown', 'consecutive-losses', 'close-all', 'reduce', ':', ':', '0', '1', '.', '5', 'e', '-', '+', ' ', 'x', '%', '168', '0.1', '\u00a0', '\n', 'NaN', 'Infinity', '0x1'];
		let accepted = 0;
		for (let i = 0; i < 3000; i++) {
			const parts: string[] = [];
			const n = randInt(r, 0, 9);
			for (let j = 0; j < n; j++) parts.push(alphabet[randInt(r, 0, alphabet.length - 1)]);
			const text = i % 3 === 0 ? `${['max-drawdown', 'consecutive-losses'][i % 2]}:${parts.join('')}` : parts.join('');
			let spec: BreakerSpec;
			try {
				spec = parseBreaker(text);
			} catch (e) {
				expect(e, JSON.stringify(text)).toBeInstanceOf(ValidationError);
				continue;
			}
			accepted++;
			expect(parseBreaker(formatBreaker(spec))).toEqual(spec);
		}
		// Mutations of valid texts (delete, insert, replace one character): some stay valid and must round-trip.
		const valid = ['max-drawdown:0.10:close-all:168', 'consecutive-losses:3:reduce:0.5', 'max-drawdown:.25:close-all:24', 'consecutive-losses:12:reduce:1'];
		const chars = '0123456789.:-+e x%';
		let mutatedAccepted = 0;
		for (let i = 0; i < 3000; i++) {
			let text = valid[i % valid.length];
			for (let k = randInt(r, 1, 2); k > 0; k--) {
				const at = randInt(r, 0, text.length);
				const c = chars[randInt(r, 0, chars.length - 1)];
				const op = randInt(r, 0, 2);
				text = op === 0 ? text.slice(0, at) + text.slice(at + 1) : op === 1 ? text.slice(0, at) + c + text.slice(at) : text.slice(0, at) + c + text.slice(at + 1);
			}
			let spec: BreakerSpec;
			try {
				spec = parseBreaker(text);
			} catch (e) {
				expect(e, JSON.stringify(text)).toBeInstanceOf(ValidationError);
				continue;
			}
			mutatedAccepted++;
			expect(parseBreaker(formatBreaker(spec))).toEqual(spec);
			expect(formatBreaker(parseBreaker(formatBreaker(spec)))).toBe(formatBreaker(spec));
		}
		expect(mutatedAccepted).toBeGreaterThan(100);
		// Structured random breakers: format(parse(x)) is a fixed point and parse(format(spec)) = spec.
		for (let i = 0; i < 1000; i++) {
			const spec: BreakerSpec =
				r() < 0.5
					? { kind: 'max-drawdown', threshold: 1e-6 + r() * 0.999, action: 'close-all', cooldownBars: randInt(r, 1, 100_000) }
					: { kind: 'consecutive-losses', count: randInt(r, 1, 1000), action: 'reduce', factor: Math.max(1e-9, r()) };
			const text = formatBreaker(spec);
			expect(parseBreaker(text)).toEqual(spec);
			expect(formatBreaker(parseBreaker(text))).toBe(text);
			accepted++;
		}
		expect(accepted).toBeGreaterThanOrEqual(1000);
	});

	it('non-string input is a ValidationError', () => {
		expect(() => parseBreaker(undefined as unknown as string)).toThrow(ValidationError);
		expect(() => parseBreaker(5 as unknown as string)).toThrow(ValidationError);
	});
});

describe('parsePortfolioSizing / formatPortfolioSizing', () => {
	it('reads the four forms of the issue', () => {
		expect(parsePortfolioSizing('fixed-notional:2000')).toEqual({ mode: 'fixed-notional', amount: 2000 });
		expect(parsePortfolioSizing('equity-split')).toEqual({ mode: 'equity-split' });
		expect(parsePortfolioSizing('risk:0.01')).toEqual({ mode: 'risk', fraction: 0.01 });
		expect(parsePortfolioSizing('equity-fraction:0.5')).toEqual({ mode: 'equity-fraction', fraction: 0.5 });
		expect(parsePortfolioSizing(' Equity-Split ')).toEqual({ mode: 'equity-split' });
		for (const t of ['fixed-notional:2000', 'equity-split', 'risk:0.01', 'equity-fraction:0.5'])
			expect(formatPortfolioSizing(parsePortfolioSizing(t))).toBe(t);
	});

	it('explains what is wrong', () => {
		const bad: [string, RegExp][] = [
			['', /Empty sizing/],
			['all-in', /Unknown sizing "all-in": use fixed-notional:AMOUNT/],
			['fixed-notional', /needs exactly one value: fixed-notional:2000/],
			['fixed-notional:0', /amount must be a positive quote amount/],
			['fixed-notional:-5', /positive/],
			['fixed-notional:2k', /must be a number, got "2k"/],
			['equity-split:3', /^equity-split takes no value/],
			['risk:2', /risk fraction must be above 0 and at most 1/],
			['risk:1%', /must be a number/],
			['equity-fraction:0', /equity-fraction must be above 0/],
			['equity-fraction:0.5:1', /exactly one value/]
		];
		for (const [text, re] of bad) {
			expect(() => parsePortfolioSizing(text), text).toThrow(ValidationError);
			expect(() => parsePortfolioSizing(text), text).toThrow(re);
		}
	});

	it('fuzz: random strings never throw anything but ValidationError; accepted ones round-trip', () => {
		const r = rng(99);
		const alphabet = ['fixed-notional', 'equity-split', 'equity-fraction', 'risk', ':', '0', '1', '2', '.', 'e', '-', '+', ' ', 'k', '%', '\t', '1e400', 'NaN'];
		let accepted = 0;
		for (let i = 0; i < 3000; i++) {
			const n = randInt(r, 0, 6);
			let text = '';
			for (let j = 0; j < n; j++) text += alphabet[randInt(r, 0, alphabet.length - 1)];
			let spec: PortfolioSizingSpec;
			try {
				spec = parsePortfolioSizing(text);
			} catch (e) {
				expect(e, JSON.stringify(text)).toBeInstanceOf(ValidationError);
				continue;
			}
			accepted++;
			expect(parsePortfolioSizing(formatPortfolioSizing(spec))).toEqual(spec);
		}
		for (let i = 0; i < 1000; i++) {
			const u = r();
			const spec: PortfolioSizingSpec =
				u < 0.25
					? { mode: 'equity-split' }
					: u < 0.5
						? { mode: 'fixed-notional', amount: 1e-3 + r() * 1e7 }
						: u < 0.75
							? { mode: 'equity-fraction', fraction: Math.max(1e-12, r()) }
							: { mode: 'risk', fraction: Math.max(1e-12, r()) };
			const text = formatPortfolioSizing(spec);
			expect(parsePortfolioSizing(text)).toEqual(spec);
			expect(formatPortfolioSizing(parsePortfolioSizing(text))).toBe(text);
			accepted++;
		}
		expect(accepted).toBeGreaterThan(1000);
	});
});
