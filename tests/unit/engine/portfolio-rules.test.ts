/**
 * Exchange rules and fee sides (SEMANTICS.md "Exchange rules") on real data: BTCUSDT and ETHUSDT 1h in the
 * PORTFOLIO.md window with the LOT_SIZE / PRICE_FILTER / MIN_NOTIONAL filters of the recorded exchangeInfo
 * (tests/fixtures/api/spot-exchangeInfo-BTCUSDT-ETHUSDT.json).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseExchangeInfo } from '../../../src/lib/data/binance-client';
import { createNodePortfolioEngine } from '../../../src/lib/engine/node';
import { defaultPortfolioConfig, exchangeRulesOf } from '../../../src/lib/engine/portfolio-config';
import type { WasmPortfolioEngine } from '../../../src/lib/engine/portfolio-engine';
import type { PortfolioConfig, PortfolioMarket } from '../../../src/lib/engine/types';
import { fixturePath } from '../helpers/fixtures';
import { portfolioMarkets } from '../helpers/portfolio';

let markets: PortfolioMarket[];
let engine: WasmPortfolioEngine;
const info = parseExchangeInfo(JSON.parse(readFileSync(fixturePath('api/spot-exchangeInfo-BTCUSDT-ETHUSDT.json'), 'utf8')));
const rulesOf = (symbol: string) => exchangeRulesOf(info.symbols.find((s) => s.symbol === symbol)!);
const isMultiple = (x: number, step: number) => Math.abs(x / step - Math.round(x / step)) < 1e-6;

beforeAll(async () => {
	markets = portfolioMarkets()
		.slice(0, 2)
		.map((m) => ({ ...m, rules: rulesOf(m.symbol) }));
	engine = await createNodePortfolioEngine();
	engine.load(markets);
});

const cfg: PortfolioConfig = {
	...defaultPortfolioConfig(),
	maxPositions: 2,
	sizing: { mode: 'fixed-notional', amount: 3000 },
	stopLoss: { mode: 'fraction', value: 0.0123 },
	takeProfit: { mode: 'fraction', value: 0.0317 }
};

describe('exchange rules', () => {
	it('the recorded filters are what the rules use', () => {
		expect(rulesOf('BTCUSDT')).toEqual({ stepSize: 0.00001, tickSize: 0.01, minNotional: 10 });
	});
	it('quantities are multiples of LOT_SIZE, stop-loss/take-profit fills of PRICE_FILTER, rounded against the trader', () => {
		const off = engine.run(cfg);
		const on = engine.run({ ...cfg, exchangeRules: true });
		expect(off.ordersAdjusted).toBe(0);
		expect(on.ordersAdjusted).toBeGreaterThan(0);
		expect(on.ordersSkipped).toBe(0);
		for (const t of on.trades) {
			const r = rulesOf(t.symbol);
			expect(isMultiple(t.size, r.stepSize), `${t.symbol} size ${t.size}`).toBe(true);
			expect(t.size * t.entryPrice).toBeLessThanOrEqual(3000 / 1.001 + 1e-9);
			if (t.exitReason === 'stop_loss' || t.exitReason === 'take_profit') {
				// A fill at the level (not at a gapped open) is on the tick grid and not above the unrounded level.
				const level = t.exitReason === 'stop_loss' ? t.entryPrice * (1 - 0.0123) : t.entryPrice * (1 + 0.0317);
				if (t.exitPrice <= level + 1e-9 && t.exitPrice > level - r.tickSize) expect(isMultiple(t.exitPrice, r.tickSize), `${t.exitPrice}`).toBe(true);
			}
		}
	});
	it('orders under MIN_NOTIONAL are skipped and counted', () => {
		const r = engine.run({ ...cfg, sizing: { mode: 'fixed-notional', amount: 9 }, exchangeRules: true });
		expect(r.trades).toHaveLength(0);
		expect(r.ordersSkipped).toBeGreaterThan(10);
	});
	it('take-profit fills pay the maker rate, every other fill the taker rate', () => {
		const r = engine.run({ ...cfg, feeRate: 0.001, makerFeeRate: 0 });
		const tp = r.trades.filter((t) => t.exitReason === 'take_profit');
		const other = r.trades.filter((t) => t.exitReason !== 'take_profit');
		expect(tp.length).toBeGreaterThan(5);
		for (const t of tp) expect(t.exitFee).toBe(0);
		for (const t of other) expect(t.exitFee).toBeCloseTo(t.size * t.exitPrice * 0.001, 9);
		for (const t of r.trades) expect(t.entryFee).toBeCloseTo(t.size * t.entryPrice * 0.001, 9);
	});
});
