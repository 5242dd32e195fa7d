/**
 * The research form's text fields: markets, strategy axes and risk axes (percent in, fractions out) parse as the CLI's
 * `--param` syntax does, bad input gets a message naming the field and the fix, and a seeded property test formats
 * random axes and parses them back unchanged. Also the app candle source: cache only (offline), Binance failing with
 * candles stored, and an interval built from stored 1h candles.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/lib/core/rng';
import { CandleStore } from '../../../src/lib/persistence/candle-store';
import { defaultAxesText, parseAxes, parseMarkets, parseRiskAxes, parseStrategyAxes } from '../../../src/lib/state/research-form';
import { appCandleSource, type CandleLoadEvent } from '../../../src/lib/state/research-io';
import { resolveAxis, type AxisSpec } from '../../../src/lib/optimize';
import { getStrategy, STRATEGY_IDS } from '../../../src/lib/engine/strategies';
import { fixtureCandles } from '../research/helpers';
import { sliceOhlcv } from '../../../src/lib/core/timeframe';

describe('research form parsing', () => {
	it('markets: upper-cased, unique, in order; bad names and an empty list are refused with the fix', () => {
		expect(parseMarkets(' btcusdt, ETHUSDT;bnbusdt  btcusdt ')).toEqual(['BTCUSDT', 'ETHUSDT', 'BNBUSDT']);
		expect(() => parseMarkets('  , ')).toThrow(/Markets: give at least one market, e\.g\. BTCUSDT/);
		expect(() => parseMarkets('BTC/USDT')).toThrow(/“BTC\/USDT” is not a Binance symbol/);
	});

	it('axes: ranges and lists; risk axes in percent become fractions; unknown names are refused', () => {
		expect(parseStrategyAxes('sma-cross', 'fast=5:20:5, slow=30|60|90')).toEqual([
			{ name: 'fast', start: 5, end: 20, step: 5 },
			{ name: 'slow', values: [30, 60, 90] }
		]);
		expect(parseRiskAxes('stopLoss=1:5:1 takeProfit=2|4.5|10 leverage=1:3:1')).toEqual([
			{ name: 'stopLoss', start: 0.01, end: 0.05, step: 0.01 },
			{ name: 'takeProfit', values: [0.02, 0.045, 0.1] },
			{ name: 'leverage', start: 1, end: 3, step: 1 }
		]);
		expect(parseRiskAxes('')).toEqual([]);
		expect(() => parseStrategyAxes('sma-cross', 'period=5:10:1')).toThrow(/period is not a parameter of SMA cross \(its parameters: fast, slow\)/);
		expect(() => parseRiskAxes('stop=1:2:1')).toThrow(/stop is not a risk setting \(use stopLoss, takeProfit/);
		expect(() => parseAxes('fast', 'Axes')).toThrow(/“fast” should be name=start:end:step or name=a\|b\|c/);
		expect(() => parseAxes('fast=5:10', 'Axes')).toThrow(/three numbers/);
		expect(() => parseAxes('fast=5:x:1', 'Axes')).toThrow(/“x”, which is not a number/);
		expect(() => parseAxes('fast=5:10:1 fast=1|2', 'Axes')).toThrow(/fast is given twice/);
	});

	it('the default axes of every strategy are valid for the optimiser', () => {
		for (const id of STRATEGY_IDS) {
			const axes = parseStrategyAxes(id, defaultAxesText(id));
			for (const a of axes) expect(() => resolveAxis(getStrategy(id), a)).not.toThrow();
		}
	});

	it('property (seeded, 500 cases): formatted axes parse back to the same axes', () => {
		const rng = new Rng(14);
		const int = (lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));
		for (let k = 0; k < 500; k++) {
			const n = int(1, 4);
			const axes: AxisSpec[] = Array.from({ length: n }, (_, i): AxisSpec =>
				rng.next() < 0.5
					? { name: `p${i}`, start: int(0, 50), end: int(50, 200), step: int(1, 10) }
					: { name: `p${i}`, values: Array.from({ length: int(1, 5) }, () => int(-100, 100) / 4) }
			);
			const text = axes.map((a) => ('values' in a ? `${a.name}=${a.values.join('|')}` : `${a.name}=${a.start}:${a.end}:${a.step}`)).join(rng.next() < 0.5 ? ', ' : ' ');
			expect(parseAxes(text, 'Axes')).toEqual(axes);
		}
	});
});

describe('appCandleSource', () => {
	const FROM = Date.UTC(2026, 0, 1);
	const TO = Date.UTC(2026, 1, 1) - 3_600_000;
	const btc1h = () => {
		const all = fixtureCandles('BTCUSDT', '1h')!;
		let a = 0;
		while (all.openTime[a] < FROM) a++;
		let b = a;
		while (b < all.openTime.length && all.openTime[b] <= TO) b++;
		return sliceOhlcv(all, a, b);
	};
	let n = 0;

	it('offline with nothing stored: a clear error naming the market and what to do', async () => {
		const store = await CandleStore.open(`candle-src-${n++}`);
		const events: CandleLoadEvent[] = [];
		const src = appCandleSource(store, { binance: null, onEvent: (e) => events.push(e), now: () => Date.UTC(2026, 6, 1) });
		await expect(src.load('BTCUSDT', '1h', { fromMs: FROM, toMs: TO })).rejects.toThrow(/No BTCUSDT 1h candles are available for this window \(offline, and none are stored\)\. Sync or import them/);
		expect(events.at(-1)).toMatchObject({ symbol: 'BTCUSDT', interval: '1h', status: 'failed' });
	});

	it('Binance failing with some candles stored: the stored candles, and the reason in the event', async () => {
		const store = await CandleStore.open(`candle-src-${n++}`);
		const want = btc1h();
		await store.putCandles('BTCUSDT', '1h', want, 'import');
		const failing = { fetchKlines: async () => Promise.reject(new TypeError('Failed to fetch')) };
		const events: CandleLoadEvent[] = [];
		// The window goes a month past the stored candles: the sync asks Binance for February and fails.
		const got = await appCandleSource(store, { binance: failing, onEvent: (e) => events.push(e), now: () => Date.UTC(2026, 6, 1) }).load('BTCUSDT', '1h', { fromMs: FROM, toMs: Date.UTC(2026, 2, 1) - 3_600_000 });
		expect(Array.from(got.close)).toEqual(Array.from(want.close));
		expect(events.at(-1)).toMatchObject({ status: 'done', bars: want.openTime.length });
		expect(events.at(-1)!.message).toMatch(/Binance could not be reached .*Failed to fetch.*used the \d+ stored candles/);
	});

	it('an interval Binance does not give is built from the stored 1h candles (Binance’s own 4h bars for comparison)', async () => {
		const store = await CandleStore.open(`candle-src-${n++}`);
		await store.putCandles('BTCUSDT', '1h', btc1h(), 'import');
		const got = await appCandleSource(store, { binance: null, now: () => Date.UTC(2026, 6, 1) }).load('BTCUSDT', '4h', { fromMs: FROM, toMs: TO });
		const binance4h = fixtureCandles('BTCUSDT', '4h')!;
		let a = 0;
		while (binance4h.openTime[a] < FROM) a++;
		expect(got.openTime.length).toBe(31 * 6);
		for (let i = 0; i < got.openTime.length; i++) {
			expect(got.openTime[i]).toBe(binance4h.openTime[a + i]);
			expect(got.close[i]).toBe(binance4h.close[a + i]);
			expect(got.high[i]).toBe(binance4h.high[a + i]);
		}
	});
});

describe('strategy entries', () => {
	it('one entry per ticked strategy; a pattern list gives one entry per pattern type with the pattern fixed', async () => {
		const { strategyEntries } = await import('../../../src/lib/state/research-form');
		const e = strategyEntries(['sma-cross', 'pattern-zones'], { 'sma-cross': 'fast=5|10', 'pattern-zones': 'pattern=fvg|order-block, rrTarget=1.5:2.5:0.5' });
		expect(e).toEqual([
			{ strategy: 'sma-cross', axes: [{ name: 'fast', values: [5, 10] }] },
			{ strategy: 'pattern-zones', key: 'pattern-zones:fvg', axes: [{ name: 'rrTarget', start: 1.5, end: 2.5, step: 0.5 }], fixed: { pattern: 'fvg' } },
			{ strategy: 'pattern-zones', key: 'pattern-zones:order-block', axes: [{ name: 'rrTarget', start: 1.5, end: 2.5, step: 0.5 }], fixed: { pattern: 'order-block' } }
		]);
		expect(() => strategyEntries(['pattern-zones'], { 'pattern-zones': 'pattern=0:2:1' })).toThrow(/give the pattern types as a list/);
	});
});
