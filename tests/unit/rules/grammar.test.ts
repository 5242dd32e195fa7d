/**
 * The rule language on real data (BTCUSDT 1h): every series and function against the engine's own indicators
 * (bit-identical: the core is the one source of values) and against the independent `technicalindicators` package;
 * operators, precedence, Kleene logic, lags and crossings against plain TypeScript.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ATR, BollingerBands, EMA, Highest, Lowest, ROC, RSI, SD, SMA } from 'technicalindicators';
import '../../../src/lib/rules';
import { evaluateNamed } from '../../../src/lib/rules/evaluate';
import { checkRules } from '../../../src/lib/rules/check';
import { createNodeEngine } from '../../../src/lib/engine/node';
import type { WasmEngine } from '../../../src/lib/engine/wasm-engine';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { loadSymbolKlines, sliceColumns } from '../helpers/fixtures';

let engine: WasmEngine;
let d: OhlcvColumns;
beforeAll(async () => {
	engine = await createNodeEngine();
	const btc = loadSymbolKlines('BTCUSDT');
	d = sliceColumns(btc, btc.openTime.length - 2000, btc.openTime.length);
	engine.load(d);
});

const SIGNALS = '\nenterLong = close > open\nexitLong = close < open';
/** Values of `x = <expr>` (plus optional declarations) over the loaded bars. */
function series(expr: string, decl = '', params: Record<string, number | boolean> = {}): Float64Array {
	return evaluateNamed(engine, { name: 't', source: `${decl}\nx = ${expr}${SIGNALS}` }, ['x'], params).x;
}
const bits = (a: Float64Array, b: Float64Array) => {
	expect(a.length).toBe(b.length);
	for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) expect([i, a[i]]).toEqual([i, b[i]]);
};
/** Ours vs a library's output aligned to the end (theirs is shorter: no values during warm-up). */
function aligned(ours: Float64Array, theirs: number[], rel = 1e-8) {
	const off = ours.length - theirs.length;
	for (let i = 0; i < off; i++) expect(Number.isNaN(ours[i]), `bar ${i} undefined`).toBe(true);
	let worst = 0;
	for (let i = 0; i < theirs.length; i++) worst = Math.max(worst, Math.abs(ours[off + i] - theirs[i]) / Math.max(1e-12, Math.abs(theirs[i])));
	expect(worst).toBeLessThan(rel);
}
const arr = (a: Float64Array) => Array.from(a);

describe('series and indicators', () => {
	it('candle columns and hl2, hlc3, ohlc4', () => {
		for (const k of ['open', 'high', 'low', 'close', 'volume'] as const) bits(series(k), d[k]);
		bits(series('hl2'), d.high.map((h, i) => (h + d.low[i]) / 2));
		bits(series('hlc3'), d.high.map((h, i) => (h + d.low[i] + d.close[i]) / 3));
		bits(series('ohlc4'), d.open.map((o, i) => (o + d.high[i] + d.low[i] + d.close[i]) / 4));
	});

	it('indicators of candle columns are the engine\'s own values, bit for bit', () => {
		for (const p of [2, 14, 50]) {
			bits(series(`sma(close, ${p})`), engine.indicator('sma', p));
			bits(series(`ema(close, ${p})`), engine.indicator('ema', p));
			bits(series(`rsi(${p})`), engine.indicator('rsi', p));
			bits(series(`rsi(close, ${p})`), engine.indicator('rsi', p));
			bits(series(`atr(${p})`), engine.indicator('atr', p));
			bits(series(`stdev(close, ${p})`), engine.indicator('std', p));
			bits(series(`highest(high, ${p})`), engine.indicator('highest', p, 'high'));
			bits(series(`lowest(low, ${p})`), engine.indicator('lowest', p, 'low'));
			bits(series(`sma(volume, ${p})`), engine.indicator('sma', p, 'volume'));
		}
	});

	it('agree with technicalindicators (SMA, EMA, RSI, ATR, SD, Highest, Lowest, ROC, Bollinger bands)', () => {
		const close = arr(d.close);
		const high = arr(d.high);
		const low = arr(d.low);
		const p = 20;
		aligned(series(`sma(close, ${p})`), SMA.calculate({ period: p, values: close }));
		aligned(series(`ema(close, ${p})`), EMA.calculate({ period: p, values: close }));
		aligned(series(`rsi(${p})`), RSI.calculate({ period: p, values: close }), 1e-3); // the library rounds to 2 decimals
		aligned(series(`atr(${p})`), ATR.calculate({ period: p, high, low, close }));
		aligned(series(`stdev(close, ${p})`), SD.calculate({ period: p, values: close }));
		aligned(series(`highest(high, ${p})`), Highest.calculate({ period: p, values: high }));
		aligned(series(`lowest(low, ${p})`), Lowest.calculate({ period: p, values: low }));
		aligned(series(`roc(close, ${p}) * 100`), ROC.calculate({ period: p, values: close }), 1e-9);
		const bb = BollingerBands.calculate({ period: p, stdDev: 2, values: close });
		aligned(series(`bbupper(close, ${p}, 2)`), bb.map((b) => b.upper));
		aligned(series(`bblower(close, ${p}, 2)`), bb.map((b) => b.lower));
		// An indicator of an indicator (starts at the first defined value of its source) and of a derived column.
		const rsi = RSI.calculate({ period: 14, values: close });
		aligned(series('sma(rsi(14), 5)'), SMA.calculate({ period: 5, values: rsi }), 1e-3);
		aligned(series('ema(hl2, 10)'), EMA.calculate({ period: 10, values: arr(d.high.map((h, i) => (h + d.low[i]) / 2)) }));
	});

	it('periods and lags take parameters', () => {
		bits(series('sma(close, n)', 'n = 7 [2..50 step 1]'), engine.indicator('sma', 7));
		bits(series('sma(close, n)', 'n = 7 [2..50 step 1]', { n: 12 }), engine.indicator('sma', 12));
		const lagged = series('close[k]', 'k = 3 [0..10 step 1]');
		for (let i = 0; i < d.close.length; i++) expect(Object.is(lagged[i], i >= 3 ? d.close[i - 3] : NaN)).toBe(true);
	});
});

describe('operators', () => {
	it('arithmetic precedence and associativity as in ordinary maths', () => {
		const x = series('close + high * 2 - low / 4 - open');
		const y = series('(close + high) * 2');
		const z = series('-close[1] + 10');
		for (let i = 0; i < d.close.length; i++) {
			expect(Object.is(x[i], d.close[i] + d.high[i] * 2 - d.low[i] / 4 - d.open[i])).toBe(true);
			expect(Object.is(y[i], (d.close[i] + d.high[i]) * 2)).toBe(true);
			expect(Object.is(z[i], i ? -d.close[i - 1] + 10 : NaN)).toBe(true);
		}
		expect(series('1 + 2 * 3 - 8 / 4 / 2')[0]).toBe(6);
		expect(series('2 * -3 + 1')[0]).toBe(-5);
	});

	it('comparisons, not / and / or with Kleene logic (NaN = undefined)', () => {
		const x = series('close > open and not (high - low > 100) or volume <= 0');
		for (let i = 0; i < d.close.length; i++) {
			const v = (d.close[i] > d.open[i] && !(d.high[i] - d.low[i] > 100)) || d.volume[i] <= 0;
			expect(x[i]).toBe(v ? 1 : 0);
		}
		const s = series('close > sma(close, 10) or close > open');
		const a = series('close > sma(close, 10) and close > open');
		const n = series('not close > sma(close, 10)');
		for (let i = 0; i < 9; i++) {
			expect(s[i]).toBe(d.close[i] > d.open[i] ? 1 : NaN); // true or undefined = true; false or undefined = undefined
			expect(a[i]).toBe(d.close[i] > d.open[i] ? NaN : 0);
			expect(Number.isNaN(n[i])).toBe(true);
		}
		const eq = series('(close > open) == (close[1] > open[1])');
		for (let i = 1; i < d.close.length; i++) expect(eq[i]).toBe((d.close[i] > d.open[i]) === (d.close[i - 1] > d.open[i - 1]) ? 1 : 0);
		const mm = series('max(open, close) - min(open, close) == abs(close - open)');
		for (let i = 0; i < d.close.length; i++) expect(mm[i]).toBe(1);
	});

	it('crossover / crossunder with the engine\'s tie band, lags of yes/no values', () => {
		const fast = engine.indicator('sma', 5);
		const slow = engine.indicator('sma', 20);
		const up = series('crossover(sma(close, 5), sma(close, 20))');
		const down = series('crossunder(sma(close, 5), sma(close, 20))');
		const cmp = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? 2 : Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) ? 0 : a > b ? 1 : -1);
		let crossings = 0;
		for (let i = 1; i < d.close.length; i++) {
			const k0 = cmp(fast[i - 1], slow[i - 1]);
			const k1 = cmp(fast[i], slow[i]);
			if (k0 === 2 || k1 === 2) {
				expect(Number.isNaN(up[i])).toBe(true);
				continue;
			}
			expect(up[i]).toBe(k1 === 1 && k0 <= 0 ? 1 : 0);
			expect(down[i]).toBe(k1 === -1 && k0 >= 0 ? 1 : 0);
			crossings += up[i] + down[i];
		}
		expect(crossings).toBeGreaterThan(20);
		const level = series('crossover(rsi(14), 70)');
		const rsi = engine.indicator('rsi', 14);
		for (let i = 15; i < d.close.length; i++) expect(level[i]).toBe(cmp(rsi[i], 70) === 1 && cmp(rsi[i - 1], 70) <= 0 ? 1 : 0);
		const lagBool = series('(close > open)[2]');
		for (let i = 2; i < d.close.length; i++) expect(lagBool[i]).toBe(d.close[i - 2] > d.open[i - 2] ? 1 : 0);
	});
});

describe('what cannot be written', () => {
	it('a negative or non-constant lag is a parse error: no expression can see a later bar', () => {
		for (const bad of ['x = close[-1]', 'x = close[ -2 ]', 'x = close[1.5]', 'x = close[close]', 'k = -1 [-5..5 step 1]\nx = close[k]', 'x = close[sma(close, 2)]']) {
			const { program, problems } = checkRules(`${bad}${SIGNALS}`);
			expect(program, bad).toBeNull();
			expect(problems.length, bad).toBeGreaterThan(0);
		}
		expect(checkRules(`x = close[-1]${SIGNALS}`).problems[0].message).toMatch(/cannot look at later bars/);
	});
});
