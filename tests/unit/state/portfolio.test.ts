/**
 * PortfolioState against real storage (fake-indexeddb CandleStore, portfolioRuns store) and the real
 * pool with an in-process worker (WASM portfolio engine in Node): markets sync from recorded real
 * candles with progress per market; a market that fails gets its own line and nothing runs until the
 * user agrees; the run lands in the history with the result the engine gives on the same candles;
 * settings problems are reported per field; history survives a new state (reload).
 */
import 'fake-indexeddb/auto';
import type { Remote } from 'comlink';
import { describe, expect, it } from 'vitest';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import type { KlineFetchArgs, KlineSource } from '../../../src/lib/data/sync';
import { createNodePortfolioEngine, runPortfolioBacktest } from '../../../src/lib/engine/node';
import { CandleStore } from '../../../src/lib/persistence/candle-store';
import { PortfolioRunsRepository } from '../../../src/lib/persistence/portfolio-runs';
import { PortfolioState, type PortfolioRunResult } from '../../../src/lib/state/portfolio.svelte';
import type { PortfolioConfig } from '../../../src/lib/engine/types';
import { BacktestClient, type WorkerApi } from '../../../src/lib/workers/backtest-client';
import { createBacktestService } from '../../../src/lib/workers/backtest-service';
import { createPortfolioService } from '../../../src/lib/workers/portfolio-service';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { sliceOhlcv } from '../../../src/lib/core/timeframe';
import type { SymbolInfo } from '../../../src/lib/data/binance-client';
import { PORTFOLIO_WINDOW, windowMarkets } from '../helpers/portfolio-markets';

/** Kline source over the real window candles of several symbols; `fail` symbols throw a network error. */
class MultiSource implements KlineSource {
	readonly calls: string[] = [];
	constructor(
		private readonly bySymbol: Record<string, OhlcvColumns>,
		private readonly fail: string[] = []
	) {}
	async fetchKlines(args: KlineFetchArgs): Promise<OhlcvColumns> {
		this.calls.push(args.symbol);
		if (this.fail.includes(args.symbol)) throw new TypeError('Failed to fetch (simulated network error)');
		const all = this.bySymbol[args.symbol];
		let a = 0;
		while (a < all.openTime.length && all.openTime[a] < args.startTime) a++;
		let b = a;
		while (b < all.openTime.length && all.openTime[b] < args.endTime) b++;
		for (let s = a; s < b; s += 1000) await args.onPage?.(sliceOhlcv(all, s, Math.min(b, s + 1000)), { fetched: Math.min(b, s + 1000) - a, expected: b - a });
		return sliceOhlcv(all, a, b);
	}
}

let n = 0;
async function setup(fail: string[] = [], symbols: SymbolInfo[] = []) {
	const store = await CandleStore.open(`portfolio-state-${n++}`);
	const bySymbol = Object.fromEntries(windowMarkets().map((m) => [m.symbol, m.ohlcv]));
	const source = new MultiSource(bySymbol, fail);
	const client = new BacktestClient(1, 60_000, () => ({
		api: {
			...createBacktestService(() => createNodeEngine()),
			...createPortfolioService(async () => {
				const engine = await createNodePortfolioEngine();
				return { engine, version: engine.version };
			})
		} as unknown as Remote<WorkerApi>,
		terminate: () => {},
		onError: () => {}
	}));
	const repo = new PortfolioRunsRepository<PortfolioConfig, PortfolioRunResult>(store.db);
	const binance = Object.assign(source, { topSymbolsByQuoteVolume: async () => [] });
	const p = new PortfolioState();
	await p.init({ store, binance, client, repo, symbols: () => symbols });
	p.from = '2025-04-16T00:00';
	p.to = '2026-04-15T23:00';
	return { p, store, source, client, repo, binance };
}

describe('PortfolioState', () => {
	it('loads every market with progress, asks before leaving a failed one out, runs, and keeps the run', async () => {
		const { p, store, source, client, repo, binance } = await setup(['DOGEUSDT']);
		p.addBreaker('max-drawdown');
		p.addBreaker('consecutive-losses');
		expect(p.addMarket('doge/usdt')).toBeNull();
		expect(p.symbols).toEqual(['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT', 'DOGEUSDT']);
		expect(p.config).not.toBeNull();
		expect(await p.start()).toBeNull();
		expect(p.phase).toBe('confirm');
		expect(p.loads.map((l) => l.status)).toEqual(['ready', 'ready', 'ready', 'ready', 'ready', 'failed']);
		expect(p.loads[0]).toMatchObject({ bars: 8760, fetched: 8760 });
		expect(p.failedLoads[0].message).toMatch(/Failed to fetch/);
		expect(p.history).toHaveLength(0);

		const id = await p.confirmWithoutFailed();
		expect(id).toBeTruthy();
		const run = await p.settled(id!);
		expect(run?.status).toBe('completed');
		expect(run!.excluded).toEqual([{ symbol: 'DOGEUSDT', reason: expect.stringMatching(/Failed to fetch/) }]);
		expect(run!.markets.map((m) => [m.symbol, m.bars, m.firstOpenTime, m.lastOpenTime])).toEqual(
			['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT'].map((s) => [s, 8760, PORTFOLIO_WINDOW.first, PORTFOLIO_WINDOW.last])
		);
		const direct = await runPortfolioBacktest(windowMarkets(), run!.config);
		expect(run!.result!.trades).toEqual(direct.trades);
		expect(run!.result!.events).toEqual(direct.events);
		expect(run!.result!.metrics.finalEquity).toBe(direct.equity[direct.equity.length - 1]);
		expect(run!.label).toBe('SMA cross 10/30 · 5 markets 1h · K 3');

		// A second start finds every candle stored: no new request for the five markets.
		const before = source.calls.length;
		p.removeMarket('DOGEUSDT');
		const id2 = await p.start();
		expect(source.calls.length).toBe(before);
		expect((await p.settled(id2!))?.status).toBe('completed');

		// History survives a new state over the same database (a reload), newest first.
		const again = new PortfolioState();
		await again.init({ store, binance, client, repo, symbols: () => [] });
		expect(again.history.map((r) => r.id)).toEqual([id2, id]);
		again.setFromRun(again.history[1]);
		expect(again.breakers.map((b) => b.kind)).toEqual(['max-drawdown', 'consecutive-losses']);
		expect(again.config).toEqual(run!.config);
		await again.remove(id!);
		expect((await repo.list()).map((r) => r.id)).toEqual([id2]);
	});

	it('reports each invalid setting, and nothing loads or runs while any is invalid', async () => {
		const { p, source } = await setup();
		p.maxPositions = 0;
		p.leverage = 12;
		p.sizingMode = 'risk';
		p.sizingPct = 1;
		p.addBreaker('max-drawdown');
		p.breakers[0].thresholdPct = 120;
		expect(p.errors.maxPositions).toMatch(/Max positions K must be from 1 to 200/);
		expect(p.errors.leverage).toMatch(/Leverage must be from 1 to 10/);
		expect(p.errors.sizingMode).toMatch(/Risk sizing needs a stop-loss/);
		expect(Object.keys(p.errors).some((k) => k.endsWith('.threshold'))).toBe(true);
		expect(p.config).toBeNull();
		expect(await p.start()).toBeNull();
		expect(p.error).toMatch(/Fix the highlighted fields/);
		expect(source.calls).toEqual([]);
		expect(p.addMarket('BTCUSDT')).toMatch(/already in the basket/);
		expect(p.addMarket('!!')).toMatch(/not a Binance symbol/);
	});

	it('applies each market’s exchange rules from the symbol list (on by default) and records them with the run', async () => {
		const info = (symbol: string, stepSize: number, tickSize: number, minNotional: number): SymbolInfo => ({
			symbol, status: 'TRADING', baseAsset: symbol.replace('USDT', ''), quoteAsset: 'USDT', stepSize, tickSize, minNotional, displayName: symbol
		});
		const list = [info('BTCUSDT', 0.00001, 0.01, 10), info('ETHUSDT', 0.0001, 0.01, 10), info('BNBUSDT', 0.001, 0.1, 10), info('SOLUSDT', 0.01, 0.01, 10)];
		const { p } = await setup([], list);
		expect(p.exchangeRules).toBe(true);
		p.makerFeePct = 0.05;
		const id = await p.start();
		const run = (await p.settled(id!))!;
		expect(run.status).toBe('completed');
		expect(run.config).toMatchObject({ exchangeRules: true, makerFeeRate: 0.0005 });
		expect(run.markets.map((m) => m.rules?.stepSize)).toEqual([0.00001, 0.0001, 0.001, 0.01, undefined]);
		expect(p.loads[4].message).toMatch(/exchange rules unknown/);
		const rules = run.markets.map((m) => m.rules);
		const direct = await runPortfolioBacktest(windowMarkets().map((m, i) => ({ ...m, ...(rules[i] ? { rules: rules[i] } : {}) })), run.config);
		expect(direct.ordersAdjusted).toBeGreaterThan(0);
		expect(run.result!.trades).toEqual(direct.trades);
		expect(run.result!.ordersAdjusted).toBe(direct.ordersAdjusted);
		expect(run.result!.ordersSkipped).toBe(direct.ordersSkipped);
		// Sizes follow each market's lot step.
		for (const t of run.result!.trades.filter((t) => t.symbol === 'SOLUSDT')) expect(Math.abs(t.size * 100 - Math.round(t.size * 100))).toBeLessThan(1e-6);
	});

	it('runs nothing when no market can be loaded', async () => {
		const { p } = await setup(['BTCUSDT', 'ETHUSDT']);
		p.symbols = ['BTCUSDT', 'ETHUSDT'];
		expect(await p.start()).toBeNull();
		expect(p.phase).toBe('idle');
		expect(p.error).toMatch(/None of the markets could be loaded/);
		expect(p.history).toHaveLength(0);
	});
});
