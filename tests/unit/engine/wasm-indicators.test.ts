/**
 * Indicator values of the WASM core on real data: equal to the reference backtester's columns (SMA10, SMA30, RSI14),
 * bit-identical to the TS reference implementation (same algorithm, SEMANTICS.md), and equal to the independent
 * `technicalindicators` package within 1e-8 relative.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ATR, EMA, RSI, SMA } from 'technicalindicators';
import { createNodeEngine } from '../../../src/lib/engine/node';
import type { WasmEngine } from '../../../src/lib/engine/wasm-engine';
import * as ref from '../../../src/lib/engine/reference/indicators';
import { loadReferenceIndicators, referenceWindow, sliceColumns, loadSymbolKlines } from '../helpers/fixtures';

let engine: WasmEngine;
beforeAll(async () => {
	engine = await createNodeEngine();
	engine.load(referenceWindow('BTCUSDT'));
});

function expectSameBits(a: Float64Array, b: Float64Array) {
	expect(a.length).toBe(b.length);
	for (let i = 0; i < a.length; i++) {
		if (Number.isNaN(a[i]) || Number.isNaN(b[i])) expect([i, Number.isNaN(a[i])]).toEqual([i, Number.isNaN(b[i])]);
		else if (a[i] !== b[i]) expect([i, a[i]]).toEqual([i, b[i]]);
	}
}

/** Compare our series (NaN while undefined) with a library's shorter output aligned to the end. */
function expectAlignedClose(ours: Float64Array, theirs: number[], rel = 1e-8) {
	const offset = ours.length - theirs.length;
	for (let i = 0; i < offset; i++) expect(Number.isNaN(ours[i]), `bar ${i} should be undefined`).toBe(true);
	let worst = 0;
	for (let i = 0; i < theirs.length; i++) {
		const a = ours[offset + i];
		const b = theirs[i];
		worst = Math.max(worst, Math.abs(a - b) / Math.max(1e-12, Math.abs(b)));
	}
	expect(worst).toBeLessThan(rel);
}

describe('WASM indicators', () => {
	it('SMA10, SMA30 and RSI14 equal the reference backtester columns', () => {
		const r = loadReferenceIndicators('BTCUSDT');
		const check = (ours: Float64Array, theirs: Float64Array, rel: number) => {
			for (let i = 0; i < theirs.length; i++) {
				if (Number.isNaN(theirs[i])) expect(Number.isNaN(ours[i]), `bar ${i}`).toBe(true);
				else expect(Math.abs(ours[i] - theirs[i]) / theirs[i], `bar ${i}`).toBeLessThan(rel);
			}
		};
		check(engine.indicator('sma', 10), r.sma10, 1e-12);
		check(engine.indicator('sma', 30), r.sma30, 1e-12);
		check(engine.indicator('rsi', 14), r.rsi14, 1e-12);
	});

	it('is bit-identical to the TS reference implementation for every indicator and several periods', () => {
		const o = referenceWindow('BTCUSDT');
		for (const p of [2, 5, 14, 50, 200]) {
			expectSameBits(engine.indicator('sma', p), ref.sma(o.close, p));
			expectSameBits(engine.indicator('ema', p), ref.ema(o.close, p));
			expectSameBits(engine.indicator('rsi', p), ref.rsiWilder(o.close, p));
			expectSameBits(engine.indicator('atr', p), ref.atrWilder(o.high, o.low, o.close, p));
			expectSameBits(engine.indicator('std', p), ref.rollingStd(o.close, p));
			expectSameBits(engine.indicator('highest', p, 'high'), ref.rollingHighest(o.high, p));
			expectSameBits(engine.indicator('lowest', p, 'low'), ref.rollingLowest(o.low, p));
			expectSameBits(engine.indicator('sma', p, 'volume'), ref.sma(o.volume, p));
		}
	});

	it('equals the technicalindicators package (SMA, EMA, RSI, ATR) on real ETHUSDT bars', async () => {
		const all = loadSymbolKlines('ETHUSDT');
		const o = sliceColumns(all, all.openTime.length - 5000, all.openTime.length);
		const e = await createNodeEngine();
		e.load(o);
		const close = Array.from(o.close);
		for (const p of [5, 14, 30]) {
			expectAlignedClose(e.indicator('sma', p), SMA.calculate({ period: p, values: close }));
			expectAlignedClose(e.indicator('ema', p), EMA.calculate({ period: p, values: close }));
			// technicalindicators rounds RSI to 2 decimals: compare at that precision.
			const rsi = RSI.calculate({ period: p, values: close });
			const ours = e.indicator('rsi', p);
			const off = ours.length - rsi.length;
			for (let i = 0; i < rsi.length; i++) expect(Math.abs(ours[off + i] - rsi[i])).toBeLessThanOrEqual(0.005 + 1e-9);
			expectAlignedClose(e.indicator('atr', p), ATR.calculate({ period: p, high: Array.from(o.high), low: Array.from(o.low), close }));
		}
	});

	it('rejects a bad period with a clear error', () => {
		expect(() => engine.indicator('sma', 0)).toThrow(/whole number of bars/);
	});
});
