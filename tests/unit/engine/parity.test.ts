/**
 * Parity: the WASM core and the plain-TS reference engine (written independently from SEMANTICS.md) agree on real
 * data for many random parameter sets of every strategy, in both direction modes, with fraction and ATR stop-loss /
 * take-profit levels, every sizing mode, fees and slippage.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../../src/lib/engine/node';
import type { WasmEngine } from '../../../src/lib/engine/wasm-engine';
import { runReferenceBacktest } from '../../../src/lib/engine/reference';
import { STRATEGY_IDS as ALL_IDS } from '../../../src/lib/engine/strategies';

// pattern-zones has its own reference and parity test (tests/unit/zones/parity.test.ts).
const STRATEGY_IDS = ALL_IDS.filter((id) => id !== 'pattern-zones');
import type { BacktestConfig } from '../../../src/lib/engine/types';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { closeTo, loadSymbolKlines, sliceColumns } from '../helpers/fixtures';
import { randomConfig, rng } from '../helpers/random-config';

function expectParity(engine: WasmEngine, ohlcv: OhlcvColumns, config: BacktestConfig, label: string) {
	const w = engine.run(config);
	const t = runReferenceBacktest(ohlcv, config);
	const ctx = `${label}: ${JSON.stringify(config)}`;
	expect(w.trades.length, ctx).toBe(t.trades.length);
	expect(w.ambiguousBars, ctx).toBe(t.ambiguousBars);
	for (let i = 0; i < t.trades.length; i++) {
		const a = w.trades[i];
		const b = t.trades[i];
		expect([a.direction, a.entryBar, a.exitBar, a.exitReason], `${ctx} trade ${i}`).toEqual([b.direction, b.entryBar, b.exitBar, b.exitReason]);
		for (const k of ['entryPrice', 'exitPrice', 'size', 'entryFee', 'exitFee', 'pnl'] as const) {
			expect(closeTo(a[k], b[k], 1e-9, 1e-9), `${ctx} trade ${i} ${k}: ${a[k]} vs ${b[k]}`).toBe(true);
		}
	}
	for (let i = 0; i < t.equity.length; i++) {
		if (!closeTo(w.equity[i], t.equity[i], 1e-9, 1e-9)) expect([i, w.equity[i]], ctx).toEqual([i, t.equity[i]]);
	}
	return w.trades.length;
}

const windows: Record<string, OhlcvColumns> = {};
let engines: Record<string, WasmEngine> = {};

beforeAll(async () => {
	const btc = loadSymbolKlines('BTCUSDT');
	const eth = loadSymbolKlines('ETHUSDT');
	const at = (c: OhlcvColumns, ms: number) => c.openTime.findIndex((x) => x >= ms);
	// Recent BTC, ETH across the 2023-03-24 exchange halt (a gap in time), and early BTC data with the 2018 halt.
	windows['BTC 2025-26'] = sliceColumns(btc, btc.openTime.length - 6000, btc.openTime.length);
	windows['ETH 2023 halt'] = sliceColumns(eth, at(eth, Date.UTC(2023, 1, 1)), at(eth, Date.UTC(2023, 5, 1)));
	windows['BTC 2018'] = sliceColumns(btc, at(btc, Date.UTC(2018, 0, 1)), at(btc, Date.UTC(2018, 4, 1)));
	for (const [k, v] of Object.entries(windows)) {
		engines[k] = await createNodeEngine();
		engines[k].load(v);
	}
});

describe('WASM core vs TS reference engine', () => {
	for (const id of STRATEGY_IDS) {
		it(`${id}: 40 random configurations on three real windows agree`, () => {
			const r = rng(0xbac7e57 + id.length * 7919);
			let trades = 0;
			let runs = 0;
			for (const [label, ohlcv] of Object.entries(windows)) {
				for (let k = 0; k < 40 / 3 + 1; k++) {
					trades += expectParity(engines[label], ohlcv, randomConfig(id, r), `${id} ${label} #${k}`);
					runs++;
				}
			}
			// The random sets must exercise the engine, not just agree on "no trades".
			expect(trades).toBeGreaterThan(runs * 5);
		});
	}

	it('exercises stop-loss, take-profit, reversals, gaps at the open and ambiguous bars somewhere in the sample', () => {
		const r = rng(42);
		const seen = new Set<string>();
		let ambiguous = 0;
		for (let k = 0; k < 60; k++) {
			const id = STRATEGY_IDS[k % STRATEGY_IDS.length];
			const label = Object.keys(windows)[k % 3];
			const res = engines[label].run(randomConfig(id, r));
			ambiguous += res.ambiguousBars;
			for (const t of res.trades) seen.add(`${t.direction}:${t.exitReason}`);
			for (let i = 1; i < res.trades.length; i++)
				if (res.trades[i].entryBar === res.trades[i - 1].exitBar && res.trades[i].direction !== res.trades[i - 1].direction) seen.add('reversal');
		}
		for (const k of ['long:stop_loss', 'long:take_profit', 'short:stop_loss', 'short:take_profit', 'long:signal', 'short:signal', 'reversal'])
			expect(seen.has(k), k).toBe(true);
		expect(ambiguous).toBeGreaterThan(0);
	});
});
