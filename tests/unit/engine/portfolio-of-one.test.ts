/**
 * One source of truth: a single-market run is the portfolio of one (K = 1, L = 1, no breakers). The single-market
 * loop is a fast path for optimisation; this pins it to the portfolio loop bit for bit on many random configurations
 * of every strategy (both directions, fraction and ATR levels, all sizing modes, fees, slippage) on real windows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { createNodeEngine, createNodePortfolioEngine } from '../../../src/lib/engine/node';
import type { WasmPortfolioEngine } from '../../../src/lib/engine/portfolio-engine';
import { STRATEGY_IDS } from '../../../src/lib/engine/strategies';
import type { WasmEngine } from '../../../src/lib/engine/wasm-engine';
import { loadSymbolKlines, sliceColumns } from '../helpers/fixtures';
import { randomConfig, rng } from '../helpers/random-config';

const windows: Record<string, OhlcvColumns> = {};
const single: Record<string, WasmEngine> = {};
const portfolio: Record<string, WasmPortfolioEngine> = {};

beforeAll(async () => {
	const btc = loadSymbolKlines('BTCUSDT');
	const eth = loadSymbolKlines('ETHUSDT');
	const at = (c: OhlcvColumns, ms: number) => c.openTime.findIndex((x) => x >= ms);
	windows['BTC 2025-26'] = sliceColumns(btc, btc.openTime.length - 6000, btc.openTime.length);
	windows['ETH 2023 halt'] = sliceColumns(eth, at(eth, Date.UTC(2023, 1, 1)), at(eth, Date.UTC(2023, 5, 1)));
	windows['BTC 2018 halt'] = sliceColumns(btc, at(btc, Date.UTC(2018, 0, 1)), at(btc, Date.UTC(2018, 4, 1)));
	for (const [k, v] of Object.entries(windows)) {
		single[k] = await createNodeEngine();
		single[k].load(v);
		portfolio[k] = await createNodePortfolioEngine();
		portfolio[k].load([{ symbol: 'X', ohlcv: v }]);
	}
});

describe('single-market run = portfolio of one', () => {
	it('poly-bands is refused by portfolios with a message (its causal bands are per single market)', () => {
		const config = randomConfig('poly-bands', rng(1));
		expect(() => portfolio['BTC 2025-26'].run({ ...config, maxPositions: 1, leverage: 1, maintenanceMarginRatio: 0.005, breakers: [] })).toThrow(/poly-bands cannot run in a portfolio/);
	});
	// pattern-zones is a single-market strategy too (portfolios reject it; see portfolio-config.ts).
	for (const id of STRATEGY_IDS.filter((s) => s !== 'poly-bands' && s !== 'pattern-zones')) {
		it(`${id}: 30 random configurations are bit-identical`, () => {
			const r = rng(0x5eed + id.length * 131);
			let trades = 0;
			for (let k = 0; k < 30; k++) {
				const label = Object.keys(windows)[k % 3];
				const config = randomConfig(id, r);
				const a = single[label].run(config);
				const b = portfolio[label].run({ ...config, maxPositions: 1, leverage: 1, maintenanceMarginRatio: 0.005, breakers: [] });
				const ctx = `${label} ${JSON.stringify(config)}`;
				expect(b.trades.map(({ symbol: _s, ...t }) => t), ctx).toEqual(a.trades);
				expect(Array.from(b.equity), ctx).toEqual(Array.from(a.equity));
				expect(b.summary, ctx).toEqual(a.summary);
				trades += a.trades.length;
			}
			expect(trades).toBeGreaterThan(100);
		});
	}
});
