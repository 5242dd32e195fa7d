/**
 * Reference indicators on real Binance 1h bars against (a) backtrader's SMA10/SMA30/RSI14 columns of the S1-S4
 * window and (b) the `technicalindicators` package on the full 78,221-bar history.
 *
 * Alignment with technicalindicators: it returns only defined values, so its array is shorter; its last element
 * is the same bar as ours, i.e. `ours[t] === theirs[t - (N - theirs.length)]`, and every one of our values before
 * that offset must be NaN (same warm-up length).
 * Convention differences: its RSI is rounded to 2 decimals (`toFixed(2)`), so RSI is checked to 1e-8 through its
 * exported Wilder `averagegain` / `averageloss` (RSI recomputed from them) and to 0.005 against the rounded RSI.
 * Its SD is the population standard deviation computed two-pass around the SMA; ours is the one-pass running-sum
 * two-pass formula SEMANTICS.md prescribes.
 */
import { describe, expect, it } from 'vitest';
import * as TI from 'technicalindicators';
import {
	atrWilder,
	ema,
	rollingHighest,
	rollingLowest,
	rollingStd,
	rsiWilder,
	sma,
	trueRange
} from '../../../src/lib/engine/reference';
import { ValidationError } from '../../../src/lib/core/errors';
import { loadReferenceIndicators, loadSymbolKlines, referenceWindow, type RefSymbol } from '../helpers/fixtures';

const SYMBOLS: RefSymbol[] = ['BTCUSDT', 'ETHUSDT'];
const PERIODS = [2, 14, 50, 200];

/** Largest relative difference after aligning `theirs` to the end of `ours`; also checks the warm-up NaNs. */
function compareAligned(ours: Float64Array, theirs: number[], warmup: number): number {
	const off = ours.length - theirs.length;
	expect(off).toBe(warmup);
	for (let t = 0; t < off; t++) expect(ours[t]).toBeNaN();
	let worst = 0;
	for (let i = 0; i < theirs.length; i++) {
		const a = ours[i + off];
		const b = theirs[i];
		const scale = Math.max(Math.abs(a), Math.abs(b));
		const rel = scale === 0 ? 0 : Math.abs(a - b) / scale;
		if (!(rel <= worst)) worst = rel; // NaN propagates as a failure
	}
	return worst;
}

describe('reference indicators vs backtrader columns (S1-S4 window)', () => {
	for (const symbol of SYMBOLS) {
		it(`${symbol}: SMA10, SMA30 (rel 1e-8) and RSI14 (abs 1e-9) equal the reference columns`, () => {
			const w = referenceWindow(symbol);
			const ref = loadReferenceIndicators(symbol);
			expect(Array.from(ref.openTime)).toEqual(Array.from(w.openTime));
			expect(Array.from(ref.close)).toEqual(Array.from(w.close));
			const cases: [Float64Array, Float64Array, number, number][] = [
				[sma(w.close, 10), ref.sma10, 1e-8, 0],
				[sma(w.close, 30), ref.sma30, 1e-8, 0],
				[rsiWilder(w.close, 14), ref.rsi14, 0, 1e-9]
			];
			for (const [ours, theirs, rel, abs] of cases) {
				expect(ours.length).toBe(theirs.length);
				for (let t = 0; t < ours.length; t++) {
					if (Number.isNaN(theirs[t])) {
						expect(ours[t], `bar ${t}`).toBeNaN();
					} else {
						const tol = Math.max(abs, rel * Math.abs(theirs[t]));
						expect(Math.abs(ours[t] - theirs[t]), `bar ${t}: ${ours[t]} vs ${theirs[t]}`).toBeLessThanOrEqual(tol);
					}
				}
			}
			// First defined values: SMA10 at t = 9, SMA30 at t = 29, RSI14 at t = 14.
			expect(Number.isNaN(ref.sma10[8]) && !Number.isNaN(ref.sma10[9])).toBe(true);
			expect(Number.isNaN(ref.rsi14[13]) && !Number.isNaN(ref.rsi14[14])).toBe(true);
		});
	}
});

describe('reference indicators vs technicalindicators (full 1h history)', () => {
	for (const symbol of SYMBOLS) {
		const bars = () => {
			const c = loadSymbolKlines(symbol);
			return { c, close: Array.from(c.close), high: Array.from(c.high), low: Array.from(c.low) };
		};
		it(`${symbol}: SMA, EMA, ATR, highest, lowest within 1e-8 relative for periods ${PERIODS.join(', ')}`, () => {
			const { c, close, high, low } = bars();
			expect(c.close.length).toBe(78221);
			for (const p of PERIODS) {
				expect(compareAligned(sma(c.close, p), TI.SMA.calculate({ period: p, values: close }), p - 1), `SMA${p}`).toBeLessThanOrEqual(1e-8);
				expect(compareAligned(ema(c.close, p), TI.EMA.calculate({ period: p, values: close }), p - 1), `EMA${p}`).toBeLessThanOrEqual(1e-8);
				expect(
					compareAligned(atrWilder(c.high, c.low, c.close, p), TI.ATR.calculate({ period: p, high, low, close }), p),
					`ATR${p}`
				).toBeLessThanOrEqual(1e-8);
				expect(compareAligned(rollingHighest(c.high, p), TI.Highest.calculate({ period: p, values: high }), p - 1), `highest${p}`).toBe(0);
				expect(compareAligned(rollingLowest(c.low, p), TI.Lowest.calculate({ period: p, values: low }), p - 1), `lowest${p}`).toBe(0);
			}
			expect(
				compareAligned(trueRange(c.high, c.low, c.close), TI.TrueRange.calculate({ high, low, close }), 1),
				'true range'
			).toBe(0);
		});

		it(`${symbol}: Wilder RSI equals RSI from technicalindicators' averagegain/averageloss (1e-8), and its rounded RSI to 0.005`, () => {
			const { c, close } = bars();
			for (const p of PERIODS) {
				const g = TI.AverageGain.calculate({ period: p, values: close });
				const l = TI.AverageLoss.calculate({ period: p, values: close });
				expect(g.length).toBe(l.length);
				const fromAverages = g.map((gg, i) => (l[i] === 0 ? 100 : 100 - 100 / (1 + gg / l[i])));
				const ours = rsiWilder(c.close, p);
				expect(compareAligned(ours, fromAverages, p), `RSI${p}`).toBeLessThanOrEqual(1e-8);
				const rounded = TI.RSI.calculate({ period: p, values: close });
				const off = ours.length - rounded.length;
				expect(off).toBe(p);
				let worstAbs = 0;
				for (let i = 0; i < rounded.length; i++) worstAbs = Math.max(worstAbs, Math.abs(ours[i + off] - rounded[i]));
				expect(worstAbs, `rounded RSI${p}`).toBeLessThanOrEqual(0.005 + 1e-9);
			}
		});

		it(`${symbol}: rolling population std equals technicalindicators SD within 1e-8 relative`, () => {
			const { c, close } = bars();
			// Both are population std around the window mean computed in two passes (SEMANTICS.md; TI rounds its output
			// unless given an identity `format`), so they agree to
			// rounding: |ours - theirs| <= 1e-8 * (theirs + 1e-4 * price), i.e. relative 1e-8, or 1e-12 of the price where the
			// window is flat (std 0: their running-sum SMA drifts by ~1e-11 there, our window mean does not).
			let checked = 0;
			for (const p of PERIODS) {
				const ours = rollingStd(c.close, p);
				const mean = sma(c.close, p);
				const theirs = TI.SD.calculate({ period: p, values: close, format: (v: number) => v } as never); // no 2-dp rounding
				const off = ours.length - theirs.length;
				expect(off).toBe(p - 1);
				for (let t = 0; t < off; t++) expect(ours[t]).toBeNaN();
				let worst = 0;
				for (let i = 0; i < theirs.length; i++) {
					const a = ours[i + off];
					const b = theirs[i];
					worst = Math.max(worst, Math.abs(a - b) / (b + 1e-4 * mean[i + off]));
					checked++;
				}
				expect(worst, `STD${p}`).toBeLessThan(1e-8);
			}
			expect(checked).toBeGreaterThan(70_000);
		});
	}

	it('rejects a non-integer or non-positive period with a ValidationError', () => {
		const x = new Float64Array([1, 2, 3]);
		expect(() => sma(x, 0)).toThrow(ValidationError);
		expect(() => ema(x, 2.5)).toThrow(/whole number/);
		expect(() => rsiWilder(x, -1)).toThrow(ValidationError);
	});

	it('returns all-NaN when the series is shorter than the warm-up', () => {
		const w = referenceWindow('BTCUSDT');
		const short = w.close.subarray(0, 14);
		expect(Array.from(rsiWilder(short, 14)).every(Number.isNaN)).toBe(true);
		expect(Array.from(atrWilder(w.high.subarray(0, 14), w.low.subarray(0, 14), short, 14)).every(Number.isNaN)).toBe(true);
		expect(Array.from(ema(short.subarray(0, 9), 10)).every(Number.isNaN)).toBe(true);
		// One more bar defines exactly the last value.
		const r = rsiWilder(w.close.subarray(0, 15), 14);
		expect(r.filter((v) => !Number.isNaN(v)).length).toBe(1);
	});
});
