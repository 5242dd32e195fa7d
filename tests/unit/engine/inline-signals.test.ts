/**
 * The kernel's inline signals (assembly/engine.ts sigStep: the four built-in strategies evaluate their rule inside
 * the bar loop) against the generic path (runFlags: the computeSignals pre-pass into the flag bytes, then the loop
 * that reads them): bit-identical summaries, equity columns and trade records on real data (BTCUSDT 1h, the XRPUSDT
 * window with the SMA tie of SEMANTICS.md "Crossing") and on synthetic bars full of exact ties and plateaus, for
 * seeded random configurations of every option. Also the indicator cache sized by memory (assembly/indicators.ts):
 * a grid computes each distinct series once, and series stay bit-identical through LRU eviction.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { wasmPath } from '../../../src/lib/engine/node';
import { instantiateCore, toRunScalars, type RunScalars } from '../../../src/lib/engine/wasm-engine';
import * as ref from '../../../src/lib/engine/reference/indicators';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import type { BuiltinStrategyId } from '../../../src/lib/engine/types';
import { loadSymbolKlines, sliceColumns } from '../helpers/fixtures';
import { portfolioWindow } from '../helpers/portfolio-fixtures';
import { randomConfig, rng } from '../helpers/random-config';

interface Core {
	memory: WebAssembly.Memory;
	allocate(n: number): number;
	columnPtr(c: number): number;
	tradesPtr(): number;
	summaryPtr(): number;
	prepare(): void;
	indicator(kind: number, source: number, period: number): number;
	indicatorCacheCount(): number;
	run(...a: number[]): number;
	runFlags(...a: number[]): number;
}

const BUILT_IN: BuiltinStrategyId[] = ['sma-cross', 'rsi-mean-reversion', 'ema-atr-breakout', 'rsi-atr-momentum'];

async function core(ohlcv: OhlcvColumns): Promise<Core> {
	const { exports } = await instantiateCore(new Uint8Array(readFileSync(wasmPath('release'))));
	const c = exports as unknown as Core;
	const n = ohlcv.openTime.length;
	expect(c.allocate(n)).not.toBe(0);
	const cols = [ohlcv.openTime, ohlcv.open, ohlcv.high, ohlcv.low, ohlcv.close, ohlcv.volume];
	for (let i = 0; i < 6; i++) new Float64Array(c.memory.buffer, c.columnPtr(i), n).set(cols[i]);
	c.prepare();
	return c;
}

const args = (s: RunScalars, record: number) => [
	s.strategy, ...s.p, s.longShort, s.fee, s.slippage, s.initialCash,
	s.slMode, s.slValue, s.tpMode, s.tpValue, s.atrPeriod, s.sizingMode, s.sizingValue, record
];

/** Summary, equity column and trade records of the last run, as raw 64-bit patterns (bit-exact comparison). */
function snapshot(c: Core, n: number): { summary: bigint[]; equity: BigUint64Array; trades: bigint[] } {
	const summary = Array.from(new BigUint64Array(c.memory.buffer.slice(c.summaryPtr(), c.summaryPtr() + 24 * 8)));
	const nTrades = new Float64Array(c.memory.buffer, c.summaryPtr(), 24)[1];
	const equity = new BigUint64Array(c.memory.buffer.slice(c.columnPtr(6), c.columnPtr(6) + n * 8));
	const trades = Array.from(new BigUint64Array(c.memory.buffer.slice(c.tradesPtr(), c.tradesPtr() + nTrades * 10 * 8)));
	return { summary, equity, trades };
}

function expectSameRuns(c: Core, n: number, s: RunScalars, ctx: string): number {
	const e1 = c.run(...args(s, 1));
	const a = snapshot(c, n);
	const e2 = c.runFlags(...args(s, 1));
	const b = snapshot(c, n);
	expect(Object.is(e1, e2), ctx).toBe(true);
	expect(a.summary, ctx).toEqual(b.summary);
	expect(a.trades, ctx).toEqual(b.trades);
	let firstDiff = -1;
	for (let i = 0; i < n && firstDiff < 0; i++) if (a.equity[i] !== b.equity[i]) firstDiff = i;
	expect(firstDiff, `${ctx}: first equity bar that differs`).toBe(-1);
	// Summary-only runs (what optimisation trials do) agree with the recorded run.
	c.run(...args(s, 0));
	expect(snapshot(c, n).summary, ctx).toEqual(a.summary);
	return new Float64Array(c.memory.buffer, c.summaryPtr(), 24)[1];
}

/** Bars with exact ties: closes on a coarse grid that repeat in plateaus and periodic patterns (SMAs tie exactly). */
function tieBars(n: number, seed: number): OhlcvColumns {
	const r = rng(seed);
	const o = { openTime: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
	let price = 100;
	for (let i = 0; i < n; i++) {
		const phase = Math.floor(i / 200) % 3;
		if (phase === 0) price = 100 + ((i % 20) < 10 ? 1 : -1); // square wave: windows of 10/20/40 tie
		else if (phase === 1) price = 100; // flat: every comparison a tie, RSI 100 (no losses)
		else price = Math.max(1, price + (Math.floor(r() * 5) - 2) * 0.25);
		const open = i === 0 ? price : o.close[i - 1];
		o.openTime[i] = Date.UTC(2024, 0, 1) + i * 3_600_000;
		o.open[i] = open;
		o.close[i] = price;
		o.high[i] = Math.max(open, price) + (i % 7 === 0 ? 2 : 0.25);
		o.low[i] = Math.min(open, price) - (i % 5 === 0 ? 2 : 0.25);
		o.volume[i] = 10 + (i % 13);
	}
	return o;
}

describe('inline signals = pre-pass signals, bit for bit', () => {
	const cases: [string, () => OhlcvColumns][] = [
		['BTCUSDT 1h, last 6,000 bars', () => {
			const all = loadSymbolKlines('BTCUSDT');
			return sliceColumns(all, all.openTime.length - 6000, all.openTime.length);
		}],
		['XRPUSDT 1h (SMA tie at bar 5689)', () => portfolioWindow('XRPUSDT')],
		['synthetic ties and plateaus', () => tieBars(3000, 7)]
	];
	for (const [label, load] of cases) {
		it(`${label}: 4 strategies x 25 random configurations`, async () => {
			const ohlcv = load();
			const n = ohlcv.openTime.length;
			const c = await core(ohlcv);
			const r = rng(label.length * 7919);
			let trades = 0;
			for (const id of BUILT_IN)
				for (let k = 0; k < 25; k++) {
					const config = randomConfig(id, r);
					trades += expectSameRuns(c, n, toRunScalars(config), `${label} ${id} #${k} ${JSON.stringify(config)}`);
				}
			expect(trades).toBeGreaterThan(100);
		});
	}

	it('the XRPUSDT tie: SMA 10/30 long-short, every fast/slow pair around it', async () => {
		const ohlcv = portfolioWindow('XRPUSDT');
		const c = await core(ohlcv);
		for (const fast of [5, 10, 15]) for (const slow of [20, 30, 40]) {
			for (const direction of ['long', 'long-short'] as const) {
				const config = { ...randomConfig('sma-cross', rng(fast * slow)), direction, params: { fast, slow } };
				expectSameRuns(c, ohlcv.openTime.length, toRunScalars(config), `${fast}/${slow} ${direction}`);
			}
		}
	});
});

describe('indicator cache sized by memory', () => {
	let c: Core;
	let ohlcv: OhlcvColumns;
	beforeAll(async () => {
		const all = loadSymbolKlines('BTCUSDT');
		ohlcv = sliceColumns(all, all.openTime.length - 8760, all.openTime.length);
		c = await core(ohlcv);
	});

	it('a 10 x 10 sma-cross grid computes each of its 20 SMAs once (fast outer, slow inner)', () => {
		const before = c.indicatorCacheCount();
		for (let fast = 5; fast < 15; fast++)
			for (let slow = 20; slow <= 65; slow += 5) c.run(...args(toRunScalars({ ...randomConfig('sma-cross', rng(1)), params: { fast, slow } }), 0));
		expect(c.indicatorCacheCount() - before).toBeLessThanOrEqual(20 + 1); // + the ATR of ATR levels, if drawn
		const after = c.indicatorCacheCount();
		for (let fast = 5; fast < 15; fast++) for (let slow = 20; slow <= 65; slow += 5) c.run(...args(toRunScalars({ ...randomConfig('sma-cross', rng(1)), params: { fast, slow } }), 0));
		expect(c.indicatorCacheCount()).toBe(after);
	});

	it('past its budget it evicts the least recently used series; every series stays bit-identical', async () => {
		// 131,072 bars: 64 MiB of series is 64 slots, so 100 distinct SMAs must evict.
		const bars = tieBars(131_072, 3);
		const big = await core(bars);
		const r = rng(11);
		const periods = Array.from({ length: 250 }, () => 2 + Math.floor(r() * 100));
		const refs = new Map<number, Float64Array>();
		const bytes = (kind: number, p: number) => {
			const ptr = big.indicator(kind, 4, p); // may grow memory: take the buffer after the call
			return new Float64Array(big.memory.buffer, ptr, bars.openTime.length);
		};
		for (const p of periods) {
			const got = bytes(1, p);
			if (!refs.has(p)) refs.set(p, ref.sma(bars.close, p));
			const want = refs.get(p)!;
			for (let i = p - 1; i < want.length; i += 997) expect(got[i], `SMA ${p} at ${i}`).toBe(want[i]);
			expect(got[want.length - 1]).toBe(want[want.length - 1]);
		}
		expect(big.indicatorCacheCount()).toBe(64);
		// The memory it holds is the budget, not the number of requests.
		expect(big.memory.buffer.byteLength).toBeLessThan(200 * 2 ** 20);
	});

	it('forgets everything when new bars are loaded', () => {
		c.prepare();
		expect(c.indicatorCacheCount()).toBe(0);
		const ptr = c.indicator(1, 4, 30);
		const s = new Float64Array(c.memory.buffer, ptr, ohlcv.openTime.length);
		expect(s[8759]).toBe(ref.sma(ohlcv.close, 30)[8759]);
	});
});
