/**
 * Parse and check errors of the rule language: a corpus of broken rule texts with the line, column, message and
 * "did you mean" each must give; and a seeded fuzz test (thousands of random and mutated texts) where the parser and
 * checker never throw, never hang, and report positions inside the text.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkRules } from '../../../src/lib/rules/check';
import { parseRules, MAX_RULE_LENGTH } from '../../../src/lib/rules/syntax';

const OK = 'enterLong = close > open\nexitLong = close < open';

/** [text, line, column, message pattern, suggestion?] of the first problem. */
const CORPUS: [string, number, number, RegExp, string?][] = [
	['enterLong = clsoe > open\nexitLong = close < open', 1, 13, /unknown name `clsoe`: did you mean `close`\?/, 'close'],
	['enterLong = crossover(sma(close, 10), sma(close, 30))\nexitLong = crosunder(sma(close, 10), sma(close, 30))', 2, 12, /unknown function `crosunder`: did you mean `crossunder`\?/, 'crossunder'],
	['fast = 10 [2..100 step 1]\nenterLong = crossover(sma(close, fsat), close)\nexitLong = close < open', 2, 34, /did you mean `fast`/, 'fast'],
	['enterLong = close >\nexitLong = close < open', 1, 20, /expected an expression .*found the end of the line/],
	['enterLong = (close > open\nexitLong = close < open', 1, 26, /expected `\)`, found the end of the line/],
	['enterLong = close > open)\nexitLong = close < open', 1, 25, /expected the end of the line/],
	['enterLong = close[-1] > open\nexitLong = close < open', 1, 19, /cannot look at later bars/],
	['enterLong = close > open && close > 1\nexitLong = close < open', 1, 26, /write `and`/],
	['enterLong = 1 < close < 2\nexitLong = close < open', 1, 23, /cannot be chained/],
	['enterLong = sma(close) > open\nexitLong = close < open', 1, 13, /sma takes 2 arguments: sma\(series, period\)/],
	['enterLong = close + open\nexitLong = close < open', 1, 13, /enterLong must be a yes\/no condition/],
	['enterLong = close > open and 5\nexitLong = close < open', 1, 30, /`and` joins yes\/no values/],
	['enterLong = sma(close, close) > open\nexitLong = close < open', 1, 24, /period of sma must be a constant/],
	['fast = 50 [2..10 step 1]\n' + OK, 1, 1, /default of `fast` \(50\) is outside its range/],
	['fast = 5 [20..10]\n' + OK, 1, 1, /goes from 20 down to 10/],
	['fast = 5 [1..10 step 0]\n' + OK, 1, 1, /step of `fast` must be above 0/],
	['close = 5\n' + OK, 1, 1, /`close` is a built-in name/],
	['a = close\na = open\n' + OK, 2, 1, /`a` is defined twice/],
	['enterLong = b > 0\nb = close\nexitLong = close < open', 1, 13, /used before it is defined/],
	['enterLong = close > open', 1, 25, /no `exitLong`/],
	['enterLong = close > open and\n  volume > 0\nexitLong = close < open and', 3, 28, /expected an expression/],
	['enterLong = close > open\nexitLong = close < open\nstopLoss = close * 0.01', 3, 12, /stopLoss must be a fraction of the entry price/],
	['enterLong = close > open\nexitLong = close < open\nstopLoss = 1.5 * rsi(14)', 3, 12, /k × atr\(period\)/],
	['enterLong = sma > open\nexitLong = close < open', 1, 13, /`sma` is a function: call it as sma\(series, period\)/],
	['enterLong = close > open\nexitLong = enterLong', 2, 12, /output of the rule/],
	['require close > 0\n' + OK, 1, 9, /require` takes a yes\/no condition on parameters only/],
	['enterLong = 3close > open\nexitLong = close < open', 1, 14, /number cannot run into a name/],
	['enterLong = close > open; exitLong = close < open', 1, 25, /one statement per line/],
	['enterlong = close > open\nexitLong = close < open', 2, 24, /no `enterLong`/],
	['k = 2.5 [0..5 step 0.5]\nenterLong = close[k] > open\nexitLong = close < open', 2, 19, /lag parameter `k` must be a whole number/],
	['enterLong = not close\nexitLong = close < open', 1, 13, /`not` needs a yes\/no value/]
];

describe('errors with positions', () => {
	for (const [text, line, column, pattern, suggestion] of CORPUS) {
		it(`${JSON.stringify(text.split('\n')[line - 1] ?? text).slice(0, 60)} → ${line}:${column}`, () => {
			const { program, problems } = checkRules(text);
			expect(program).toBeNull();
			expect(problems.length).toBeGreaterThan(0);
			const p = problems.find((q) => pattern.test(q.message)) ?? problems[0];
			expect(p.message).toMatch(pattern);
			expect([p.line, p.column]).toEqual([line, column]);
			expect(p.from).toBeGreaterThanOrEqual(0);
			expect(p.to).toBeLessThanOrEqual(text.length + 1);
			if (suggestion) expect(p.suggestion).toBe(suggestion);
		});
	}

	it('reports every broken statement, not only the first', () => {
		const { problems } = checkRules('a = close >\nb = (open\nenterLong = clsoe > open\nexitLong = close < open');
		expect(problems.map((p) => p.line)).toEqual([1, 2, 3]);
	});

	it('accepts the shipped rule files and comments, continuation lines and blank lines', () => {
		for (const id of ['sma-cross', 'rsi-mean-reversion', 'ema-atr-breakout', 'rsi-atr-momentum']) {
			const { problems } = checkRules(readFileSync(new URL(`../../../static/rules/${id}.rules`, import.meta.url), 'utf8'));
			expect(problems, id).toEqual([]);
		}
		const { program } = checkRules('// comment\n\nenterLong = close > open and\n    volume > 0 # trailing\nexitLong = crossunder(\n  close,\n  sma(close, 5)\n)\n');
		expect(program).not.toBeNull();
	});

	it('refuses over-long texts and over-deep nesting with a message', () => {
		expect(parseRules('x'.repeat(MAX_RULE_LENGTH + 1)).problems[0].message).toMatch(/more than 20000/);
		const deep = 'enterLong = ' + '('.repeat(500) + 'close > open' + ')'.repeat(500) + '\nexitLong = close < open';
		expect(checkRules(deep).problems[0].message).toMatch(/nested deeper than/);
	});
});

/** Mulberry32: seeded, reproducible. */
function rng(seed: number) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const ATOMS = ['close', 'open', 'high', 'low', 'volume', 'hl2', 'fast', '10', '0.5', 'true', 'x', 'clsoe', '1e3', '-'];
const FUNCS = ['sma', 'ema', 'rsi', 'atr', 'stdev', 'highest', 'lowest', 'roc', 'crossover', 'crossunder', 'abs', 'min', 'max', 'bbupper', 'smaa', 'foo'];
const OPS = [' + ', ' - ', ' * ', ' / ', ' > ', ' < ', ' >= ', ' == ', ' and ', ' or ', ' ', '[1]', '[-1]', ','];
const JUNK = ['(', ')', '[', ']', '..', '=', '\n', '#', '//', '!', '&', ';', '"', '\u00e9', '\t', '0x', 'step', 'require', 'not '];

function randomExpr(r: () => number, depth: number): string {
	const k = r();
	if (depth <= 0 || k < 0.3) return ATOMS[Math.floor(r() * ATOMS.length)];
	if (k < 0.55) {
		const f = FUNCS[Math.floor(r() * FUNCS.length)];
		const n = Math.floor(r() * 4);
		return `${f}(${Array.from({ length: n }, () => randomExpr(r, depth - 1)).join(', ')})`;
	}
	if (k < 0.65) return `not ${randomExpr(r, depth - 1)}`;
	if (k < 0.75) return `(${randomExpr(r, depth - 1)})`;
	return `${randomExpr(r, depth - 1)}${OPS[Math.floor(r() * OPS.length)]}${randomExpr(r, depth - 1)}`;
}

function randomRule(r: () => number): string {
	const lines: string[] = [];
	if (r() < 0.5) lines.push(`fast = ${Math.floor(r() * 20)} [${Math.floor(r() * 5)}..${Math.floor(r() * 50)} step ${Math.floor(r() * 3)}]`);
	if (r() < 0.5) lines.push(`x = ${randomExpr(r, 3)}`);
	for (const s of ['enterLong', 'exitLong', 'enterShort', 'stopLoss']) if (r() < 0.8) lines.push(`${s} = ${randomExpr(r, 4)}`);
	if (r() < 0.3) lines.push(`require ${randomExpr(r, 2)}`);
	return lines.join('\n');
}

function mutate(text: string, r: () => number): string {
	let s = text;
	const edits = 1 + Math.floor(r() * 4);
	for (let i = 0; i < edits; i++) {
		const at = Math.floor(r() * (s.length + 1));
		const k = r();
		if (k < 0.35) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 3));
		else if (k < 0.7) s = s.slice(0, at) + JUNK[Math.floor(r() * JUNK.length)] + s.slice(at);
		else {
			const j = Math.floor(r() * (s.length + 1));
			s = s.slice(0, Math.min(at, j)) + s.slice(Math.max(at, j)) + s.slice(Math.min(at, j), Math.max(at, j));
		}
	}
	return s;
}

describe('parser fuzz (seeded)', () => {
	it('4,000 random and mutated rule texts: only reported problems, positions inside the text, no hang', () => {
		const r = rng(20261201);
		const seeds = ['sma-cross', 'rsi-mean-reversion', 'ema-atr-breakout', 'rsi-atr-momentum'].map((id) => readFileSync(new URL(`../../../static/rules/${id}.rules`, import.meta.url), 'utf8'));
		let accepted = 0;
		const started = Date.now();
		for (let i = 0; i < 4000; i++) {
			const text = i % 2 === 0 ? randomRule(r) : mutate(i % 4 === 1 ? seeds[(i >> 2) % 4] : randomRule(r), r);
			let res: ReturnType<typeof checkRules>;
			try {
				res = checkRules(text);
			} catch (e) {
				throw new Error(`checkRules threw on ${JSON.stringify(text)}: ${(e as Error).stack}`);
			}
			if (res.program) accepted++;
			else expect(res.problems.length).toBeGreaterThan(0);
			for (const p of res.problems) {
				expect(p.line >= 1 && p.column >= 1 && p.from >= 0 && p.from <= text.length, JSON.stringify({ text, p })).toBe(true);
				expect(typeof p.message).toBe('string');
			}
		}
		expect(accepted).toBeGreaterThan(50);
		expect(Date.now() - started).toBeLessThan(60_000); // a hang guard, not a speed target
	});

	it('every accepted random rule compiles and runs in the core, or is refused with a ValidationError', async () => {
		const { createNodeEngine } = await import('../../../src/lib/engine/node');
		const { defaultConfig } = await import('../../../src/lib/engine/strategies');
		const { loadSymbolKlines, sliceColumns } = await import('../helpers/fixtures');
		const { ValidationError } = await import('../../../src/lib/core/errors');
		await import('../../../src/lib/rules');
		const engine = await createNodeEngine();
		const btc = loadSymbolKlines('BTCUSDT');
		engine.load(sliceColumns(btc, btc.openTime.length - 300, btc.openTime.length));
		const r = rng(7);
		const seeds = ['sma-cross', 'rsi-mean-reversion', 'ema-atr-breakout', 'rsi-atr-momentum', 'rsi-trend-filter', 'bollinger-breakout'].map((id) => readFileSync(new URL(`../../../static/rules/${id}.rules`, import.meta.url), 'utf8'));
		let ran = 0;
		let refused = 0;
		for (let i = 0; i < 6000 && ran < 100; i++) {
			const text = i % 3 === 0 ? randomRule(r) : mutate(seeds[i % seeds.length], r);
			if (!checkRules(text).program) continue;
			try {
				const res = engine.run({ ...defaultConfig('rules'), direction: 'long-short', rules: { name: 'fuzz', source: text } });
				expect(res.equity.length).toBe(300);
				expect(Number.isFinite(res.summary.finalEquity) || Number.isNaN(res.summary.finalEquity)).toBe(true);
				ran++;
			} catch (e) {
				if (!(e instanceof ValidationError)) throw new Error(`${JSON.stringify(text)}: ${(e as Error).stack}`);
				refused++;
			}
		}
		expect(ran).toBeGreaterThan(20);
		void refused;
	});
});
