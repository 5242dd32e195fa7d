/**
 * The worker's portfolio API in-process (real WASM core, the five real 1h markets of the reference
 * window): results equal a direct engine run, statistics come from src/lib/metrics on the portfolio
 * equity and combined trades, the fingerprint follows its documented layout, arrays are copies.
 */
import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../../src/lib/metrics';
import { candleDataHash, fingerprintPortfolioRun, portfolioDataHash, portfolioDataHashOf, portfolioEventsHash, portfolioTradesHash } from '../../../src/lib/engine/fingerprint';
import { createNodePortfolioEngine, runPortfolioBacktest } from '../../../src/lib/engine/node';
import { defaultPortfolioConfig } from '../../../src/lib/engine/portfolio-config';
import type { PortfolioConfig, PortfolioMarket } from '../../../src/lib/engine/types';
import { basketIndex, createPortfolioService } from '../../../src/lib/workers/portfolio-service';
import { windowMarkets as portfolioMarkets } from '../helpers/portfolio-markets';

const C1_BOTH: PortfolioConfig = {
	...defaultPortfolioConfig(),
	sizing: { mode: 'equity-split' },
	breakers: [
		{ kind: 'max-drawdown', threshold: 0.1, action: 'close-all', cooldownBars: 168 },
		{ kind: 'consecutive-losses', count: 3, action: 'reduce', factor: 0.5 }
	]
};

const service = () => {
	let created = 0;
	const api = createPortfolioService(async () => {
		created++;
		const engine = await createNodePortfolioEngine();
		return { engine, version: engine.version };
	});
	return { api, created: () => created };
};

describe('portfolio service (worker API)', () => {
	it('runs 5 markets with both breakers exactly like the engine, with full statistics and fingerprint', async () => {
		const markets = portfolioMarkets();
		const { api } = service();
		const r = await api.runPortfolio({ markets, config: C1_BOTH, interval: '1h', intervalMs: 3_600_000 });
		const direct = await runPortfolioBacktest(markets, C1_BOTH);
		expect(r.symbols).toEqual(['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT']);
		expect(r.trades).toEqual(direct.trades);
		expect(r.events).toEqual(direct.events);
		expect(Array.from(r.equity)).toEqual(Array.from(direct.equity));
		expect(Array.from(r.openPositions)).toEqual(Array.from(direct.openPositions));
		expect(r.attribution).toEqual(direct.attribution);
		expect(r.events.filter((e) => e.action === 'trip').map((e) => e.type)).toEqual(expect.arrayContaining(['max-drawdown', 'consecutive-losses']));
		// Statistics: src/lib/metrics on the union open times, the portfolio equity and the combined trades.
		const want = computeMetrics({ openTime: direct.openTime, close: r.basket, equity: direct.equity, trades: direct.trades, initialCash: 10_000, intervalMs: 3_600_000, ambiguousBars: direct.ambiguousBars });
		expect(r.metrics).toEqual({ ...want });
		expect(r.metrics.finalEquity).toBe(direct.equity[direct.equity.length - 1]);
		expect(r.metrics.nTrades).toBe(direct.trades.length);
		expect(r.summary.finalEquity).toBe(direct.summary.finalEquity);
		// Fingerprint: documented layout, recomputable from the inputs and outputs.
		expect(r.fingerprint).toEqual(
			fingerprintPortfolioRun({ engineVersion: (await createNodePortfolioEngine()).version, symbols: r.symbols, interval: '1h', dataHash: portfolioDataHash(markets), config: C1_BOTH, trades: direct.trades, events: direct.events })
		);
		expect(r.fingerprint.tradesHash).toBe(portfolioTradesHash(direct.trades));
		expect(r.fingerprint.eventsHash).toBe(portfolioEventsHash(direct.events));
	});

	it('creates its engine once, and returns copies that a later run does not change', async () => {
		const markets = portfolioMarkets();
		const { api, created } = service();
		const a = await api.runPortfolio({ markets, config: C1_BOTH, interval: '1h', intervalMs: 3_600_000 });
		const before = Array.from(a.equity.slice(0, 200));
		await api.runPortfolio({ markets: markets.slice(0, 2), config: { ...C1_BOTH, maxPositions: 1 }, interval: '1h', intervalMs: 3_600_000 });
		expect(Array.from(a.equity.slice(0, 200))).toEqual(before);
		expect(created()).toBe(1);
	});

	it('gives the same fingerprint with dataset ids (candle hashes cached by id) as without', async () => {
		const markets = portfolioMarkets();
		const { api } = service();
		const plain = await api.runPortfolio({ markets, config: C1_BOTH, interval: '1h', intervalMs: 3_600_000 });
		const ids = markets.map((m) => `${m.symbol}:1h:x`);
		const first = await api.runPortfolio({ markets, config: C1_BOTH, interval: '1h', intervalMs: 3_600_000, datasetIds: ids });
		const again = await api.runPortfolio({ markets, config: C1_BOTH, interval: '1h', intervalMs: 3_600_000, datasetIds: ids });
		expect(first.fingerprint).toEqual(plain.fingerprint);
		expect(again.fingerprint).toEqual(plain.fingerprint);
		expect(plain.fingerprint.dataHash).toBe(portfolioDataHashOf(markets.map((m) => ({ symbol: m.symbol, dataHash: candleDataHash(m.ohlcv) }))));
	});

	it('keeps the same markets loaded between runs, and reloads when another basket or other rules come', async () => {
		const markets = portfolioMarkets();
		const { api } = service();
		const ids = markets.map((m) => `${m.symbol}:1h:x`);
		const cfg: PortfolioConfig = { ...C1_BOTH, exchangeRules: true };
		const req = (ms: PortfolioMarket[], datasetIds: string[]) => api.runPortfolio({ markets: ms, config: cfg, interval: '1h', intervalMs: 3_600_000, datasetIds });
		const a = await req(markets, ids);
		const b = await req(markets.slice(0, 2), ids.slice(0, 2));
		expect(b.symbols).toEqual(['BTCUSDT', 'ETHUSDT']);
		const c = await req(markets, ids);
		expect(c.trades).toEqual(a.trades);
		const lots = markets.map((m) => ({ ...m, rules: { stepSize: 0.01, tickSize: 0, minNotional: 0 } }));
		const d = await req(lots, ids);
		expect(d.ordersAdjusted).toBeGreaterThan(0);
		expect(d.trades).not.toEqual(a.trades);
		for (const t of d.trades) expect(Math.abs(t.size * 100 - Math.round(t.size * 100))).toBeLessThan(1e-6);
		expect(d.fingerprint.fingerprint).not.toBe(a.fingerprint.fingerprint);
	});

	it('reports liquidations of a leveraged long-short portfolio, as trades with reason liquidation', async () => {
		const markets = portfolioMarkets();
		const { api } = service();
		const cfg: PortfolioConfig = { ...defaultPortfolioConfig(), direction: 'long-short', sizing: { mode: 'equity-split' }, maxPositions: 5, leverage: 10, maintenanceMarginRatio: 0.005 };
		const r = await api.runPortfolio({ markets, config: cfg, interval: '1h', intervalMs: 3_600_000 });
		const direct = await runPortfolioBacktest(markets, cfg);
		expect(r.liquidations).toBe(direct.liquidations);
		expect(r.liquidations).toBeGreaterThan(0);
		expect(r.trades.filter((t) => t.exitReason === 'liquidation')).toHaveLength(r.liquidations);
	});

	it('refuses invalid settings and empty baskets with a clear message, and simulates test faults', async () => {
		const markets = portfolioMarkets().slice(0, 2);
		const { api } = service();
		await expect(api.runPortfolio({ markets: [], config: C1_BOTH, interval: '1h', intervalMs: 3_600_000 })).rejects.toThrow('at least one market');
		await expect(api.runPortfolio({ markets, config: { ...C1_BOTH, maxPositions: 0 }, interval: '1h', intervalMs: 3_600_000 })).rejects.toThrow(/Max positions \(K\)/);
		await expect(api.runPortfolio({ markets, config: { ...C1_BOTH, leverage: 11 }, interval: '1h', intervalMs: 3_600_000 })).rejects.toThrow(/Leverage must be from 1 to 10/);
		await expect(api.runPortfolio({ markets, config: C1_BOTH, interval: '1h', intervalMs: 3_600_000, fault: 'throw' })).rejects.toThrow('Test fault');
	});
});

describe('basketIndex (equal-weight buy & hold of the basket)', () => {
	const col = (v: number[]) => Float64Array.from(v);
	const m = (symbol: string, t: number[], close: number[]): PortfolioMarket => ({
		symbol,
		ohlcv: { openTime: col(t), open: col(close), high: col(close), low: col(close), close: col(close), volume: col(close.map(() => 1)) }
	});
	it('averages each market relative to its first close, 1 before its first bar, last close over gaps and after its end', () => {
		const a = m('A', [0, 1, 2, 3], [10, 20, 5, 10]);
		const b = m('B', [1, 3, 4], [4, 2, 8]); // starts late, gap at 2, ends after A
		const idx = basketIndex([a, b], col([0, 1, 2, 3, 4]));
		expect(Array.from(idx)).toEqual([(1 + 1) / 2, (2 + 1) / 2, (0.5 + 1) / 2, (1 + 0.5) / 2, (1 + 2) / 2]);
	});
	it('on the five real markets its last value is the mean of the five buy-and-hold returns', () => {
		const markets = portfolioMarkets();
		const idx = basketIndex(markets, markets[0].ohlcv.openTime);
		const want = markets.reduce((s, mk) => s + mk.ohlcv.close[mk.ohlcv.close.length - 1] / mk.ohlcv.close[0], 0) / 5;
		expect(idx[idx.length - 1]).toBeCloseTo(want, 12);
	});
});

describe('portfolio fingerprints', () => {
	it('depend on every candle, on the market order and on the configuration; hashes are stable', async () => {
		const markets = portfolioMarkets().slice(0, 3);
		const h = portfolioDataHash(markets);
		expect(h).toMatch(/^[0-9a-f]{64}$/);
		expect(portfolioDataHash(markets)).toBe(h);
		expect(portfolioDataHash([markets[1], markets[0], markets[2]])).not.toBe(h);
		const edited = markets.map((x) => ({ symbol: x.symbol, ohlcv: { ...x.ohlcv, close: Float64Array.from(x.ohlcv.close) } }));
		edited[2].ohlcv.close[100] += 1e-9;
		expect(portfolioDataHash(edited)).not.toBe(h);
		const base = { engineVersion: '1.0.0+abc', symbols: ['A', 'B'], interval: '1h', dataHash: h };
		const f1 = fingerprintPortfolioRun({ ...base, config: C1_BOTH, trades: [], events: [] });
		// Parameters resolved with defaults: {} and the defaults give the same fingerprint.
		const f2 = fingerprintPortfolioRun({ ...base, config: { ...C1_BOTH, params: {} }, trades: [], events: [] });
		expect(f2.fingerprint).toBe(f1.fingerprint);
		const k4: PortfolioConfig = { ...C1_BOTH, maxPositions: 4 };
		const f3 = fingerprintPortfolioRun({ ...base, config: k4, trades: [], events: [] });
		expect(f3.fingerprint).not.toBe(f1.fingerprint);
		expect(portfolioEventsHash([{ bar: 1, time: 2, type: 'max-drawdown', action: 'trip', value: 0.1 }])).not.toBe(portfolioEventsHash([]));
	});
});
