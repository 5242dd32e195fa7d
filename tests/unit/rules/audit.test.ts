/**
 * The look-ahead audit: it passes for every built-in strategy and for rules on real data, and it catches a crafted
 * signal source that peeks one bar ahead (and one that uses the last bar of the data), with the failing signal and bar.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../../src/lib/rules';
import { auditPrefixes, auditRun, chooseCuts, prefixWithMirror, type PrefixOutcome } from '../../../src/lib/rules/audit';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { STRATEGY_IDS, defaultConfig } from '../../../src/lib/engine/strategies';
import type { WasmEngine } from '../../../src/lib/engine/wasm-engine';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { loadSymbolKlines, sliceColumns } from '../helpers/fixtures';

let engine: WasmEngine;
let data: OhlcvColumns;
beforeAll(async () => {
	engine = await createNodeEngine();
	const btc = loadSymbolKlines('BTCUSDT');
	data = sliceColumns(btc, btc.openTime.length - 3000, btc.openTime.length);
	engine.load(data);
});

/** A crafted signal source over `data`: enterLong at t when `peek(d, t)` says so. */
function crafted(peek: (d: OhlcvColumns, t: number) => boolean): (cut: number) => PrefixOutcome {
	return (cut) => {
		const d = cut === data.openTime.length ? data : prefixWithMirror(data, cut);
		const n = d.openTime.length;
		const signals = new Uint8Array(n);
		for (let t = 0; t < n; t++) if (peek(d, t)) signals[t] = 1;
		return { signals, equity: new Float64Array(n) };
	};
}

describe('look-ahead audit', () => {
	it('cuts are deterministic, ascending and inside the data', () => {
		const a = chooseCuts(3000, 'x');
		expect(a).toEqual(chooseCuts(3000, 'x'));
		expect(a.length).toBe(3);
		expect([...a].sort((x, y) => x - y)).toEqual(a);
		for (const c of a) expect(c >= 750 && c < 3000).toBe(true);
		expect(chooseCuts(3000, 'y')).not.toEqual(a);
		expect(chooseCuts(5, 'x')).toEqual([]);
	});

	it('catches a signal source that peeks one bar ahead, naming the signal and the bar', () => {
		const cuts = chooseCuts(data.openTime.length, 'peek');
		const res = auditPrefixes(crafted((d, t) => t + 1 < d.close.length && d.close[t + 1] > d.close[t]), data.openTime, cuts);
		expect(res.passed).toBe(false);
		expect(res.finding!.signal).toBe('enterLong');
		expect(res.finding!.bar).toBe(res.finding!.cut! - 1);
		expect(res.finding!.time).toBe(data.openTime[res.finding!.bar]);
	});

	it('catches a source that uses the last bar of the data (a centred window) and passes a causal one', () => {
		const cuts = chooseCuts(data.openTime.length, 'centred');
		const centred = (d: OhlcvColumns, t: number) => {
			const hi = Math.min(d.close.length - 1, t + 5);
			let m = -Infinity;
			for (let i = t - 5; i <= hi; i++) if (i >= 0) m = Math.max(m, d.high[i]);
			return d.high[t] === m;
		};
		expect(auditPrefixes(crafted(centred), data.openTime, cuts).passed).toBe(false);
		const causal = (d: OhlcvColumns, t: number) => t > 0 && d.close[t] > d.close[t - 1];
		expect(auditPrefixes(crafted(causal), data.openTime, cuts)).toEqual({ passed: true, cuts });
	});

	it('passes every built-in strategy (long-short, ATR stops) and leaves the engine loaded with the full data', () => {
		for (const id of STRATEGY_IDS) {
			const config = { ...defaultConfig(id), direction: 'long-short' as const, stopLoss: { mode: 'atr' as const, value: 2 } };
			const before = engine.run(config);
			const a = auditRun(engine, config);
			expect(a.passed, `${id}: ${a.summary}`).toBe(true);
			expect(a.lookAhead.cuts.length).toBe(3);
			expect(a.warmup.applicable).toBe(id !== 'pattern-zones');
			expect(engine.barCount).toBe(data.openTime.length);
			expect(engine.run(config).trades).toEqual(before.trades);
		}
	});

	it('passes the rule files, with the warm-up each signal needs', () => {
		for (const id of ['sma-cross', 'rsi-mean-reversion', 'ema-atr-breakout', 'rsi-atr-momentum']) {
			const source = readFileSync(new URL(`../../../static/rules/${id}.rules`, import.meta.url), 'utf8');
			const a = auditRun(engine, { ...defaultConfig('rules'), rules: { name: id, source }, direction: 'long-short' });
			expect(a.passed, `${id}: ${a.summary}`).toBe(true);
			expect(a.summary).toMatch(/^look-ahead check passed \(3 cuts; warm-up respected\)$/);
		}
		const sma = readFileSync(new URL('../../../static/rules/sma-cross.rules', import.meta.url), 'utf8');
		const a = auditRun(engine, { ...defaultConfig('rules'), rules: { name: 'sma', source: sma } });
		// crossover(SMA10, SMA30): SMA30 defined from bar 29, a crossing needs the bar before: from bar 30.
		expect(a.warmup.firstBar).toEqual({ enterLong: 30, exitLong: 30, enterShort: 30, exitShort: 30 });
	});

	it('the warm-up check flags a signal that fires while an indicator it uses is undefined', () => {
		// `or` with an undefined side is undefined, but `true or undefined` is true: the rule fires during SMA200's warm-up.
		const source = 'enterLong = close > open or close > sma(close, 200)\nexitLong = close < open';
		const a = auditRun(engine, { ...defaultConfig('rules'), rules: { name: 'w', source } });
		expect(a.lookAhead.passed).toBe(true);
		expect(a.warmup.passed).toBe(false);
		expect(a.warmup.finding!.signal).toBe('enterLong');
		expect(a.warmup.finding!.bar).toBeLessThan(199);
		expect(a.summary).toMatch(/^warm-up check FAILED: enterLong fires at bar \d+/);
	});
});
