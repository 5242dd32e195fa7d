/**
 * Throughput of the WASM portfolio loop (SEMANTICS.md "Portfolios"): sma-cross 10/30, K = 3 (5 markets) or 20
 * (100 markets), equity-split sizing, SL 2 % / TP 4 %, both circuit breakers, fee 0.1 %, one thread, beside the
 * single-market kernel on the same bars. Prints figures; asserts nothing.
 * Unit: market-bars per second = Σ bars of all markets × runs / seconds (indicators and signal pre-pass included).
 * Data: the five real Binance 1h markets over their common 17,519 bars (2024-04-16 .. 2026-04-15); the 100-market
 * case uses 100 different 17,520-bar windows of the real BTCUSDT and ETHUSDT 1h histories re-stamped onto one
 * timeline (real price paths, shifted in time).
 */
import { readFileSync } from 'node:fs';
import { parseKlineCsv } from '../src/lib/data';
import type { OhlcvColumns } from '../src/lib/core/types';
import { sliceOhlcv } from '../src/lib/core/timeframe';
import { createNodeEngine, createNodePortfolioEngine } from '../src/lib/engine/node';
import { defaultPortfolioConfig } from '../src/lib/engine/portfolio-config';
import type { PortfolioConfig, PortfolioMarket } from '../src/lib/engine/types';

function best(reps: number, f: () => void): number {
	let min = Infinity;
	for (let r = 0; r < reps; r++) {
		const t0 = performance.now();
		f();
		min = Math.min(min, performance.now() - t0);
	}
	return min;
}

const load = (s: string): OhlcvColumns => parseKlineCsv(readFileSync(`tests/fixtures/klines/${s}-1h.csv`, 'utf8')).ohlcv;

/** The five real markets over their common window, and 100 re-stamped real windows. */
export function portfolioBenchMarkets(): { five: PortfolioMarket[]; hundred: PortfolioMarket[] } {
	const first = 1713229200000; // 2024-04-16T01:00Z, first bar of the BNB/SOL/XRP files
	const five = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT'].map((symbol) => {
		const c = load(symbol);
		const from = c.openTime.findIndex((t) => t >= first);
		return { symbol, ohlcv: sliceOhlcv(c, from, from + 17519) };
	});
	const hundred: PortfolioMarket[] = [];
	const base = [load('BTCUSDT'), load('ETHUSDT')];
	for (let i = 0; i < 100; i++) {
		const c = base[i % 2];
		const from = 500 + Math.floor(i / 2) * 1100;
		const s = sliceOhlcv(c, from, from + 17520);
		const openTime = new Float64Array(17520);
		for (let j = 0; j < 17520; j++) openTime[j] = first + j * 3_600_000;
		hundred.push({ symbol: `M${i}`, ohlcv: { ...s, openTime } });
	}
	return { five, hundred };
}

/** Print portfolio throughput for 5 and 100 markets beside the single-market kernel. */
export async function benchPortfolio(): Promise<void> {
	const { five, hundred } = portfolioBenchMarkets();
	const base: PortfolioConfig = {
		...defaultPortfolioConfig(),
		sizing: { mode: 'equity-split' },
		stopLoss: { mode: 'fraction', value: 0.02 },
		takeProfit: { mode: 'fraction', value: 0.04 },
		breakers: [
			{ kind: 'max-drawdown', threshold: 0.1, action: 'close-all', cooldownBars: 168 },
			{ kind: 'consecutive-losses', count: 3, action: 'reduce', factor: 0.5 }
		]
	};
	console.log('portfolio: sma-cross 10/30, equity-split, SL 2 % / TP 4 %, both breakers, fee 0.1 %; best of several repeats, one thread');
	for (const [label, markets, k] of [['5 markets', five, 3], ['100 markets', hundred, 20]] as const) {
		const engine = await createNodePortfolioEngine();
		const tLoad = best(1, () => engine.load(markets));
		const cfg = { ...base, maxPositions: k };
		for (let i = 0; i < 3; i++) engine.runSummary(cfg);
		const bars = markets.reduce((a, m) => a + m.ohlcv.openTime.length, 0);
		const summary = best(5, () => engine.runSummary(cfg));
		const full = best(5, () => engine.run(cfg));
		const r = engine.run(cfg);
		const rate = (ms: number) => `${((bars / ms) * 1000 / 1e6).toFixed(1).padStart(6)} M market-bars/s`;
		console.log(`  ${label} x ${markets[0].ohlcv.openTime.length.toLocaleString('en')} bars: load ${tLoad.toFixed(1)} ms; run (summary) ${summary.toFixed(2).padStart(7)} ms ${rate(summary)}; run with trades/events/equity ${full.toFixed(2).padStart(7)} ms ${rate(full)}  (${r.trades.length} trades, ${r.events.length} events)`);
	}
	const single = await createNodeEngine();
	single.load(five[0].ohlcv);
	const s4 = { ...base, sizing: { mode: 'equity-fraction' as const, fraction: 1 }, breakers: [] };
	for (let i = 0; i < 20; i++) single.runSummary(s4);
	const one = best(50, () => single.runSummary(s4));
	const pf = await createNodePortfolioEngine();
	pf.load([five[0]]);
	const cfg1 = { ...s4, maxPositions: 1 };
	for (let i = 0; i < 20; i++) pf.runSummary(cfg1);
	const onePf = best(50, () => pf.runSummary(cfg1));
	console.log(`  one market (BTCUSDT, 17,519 bars): single-market kernel ${one.toFixed(3)} ms (${(17519 / one / 1000).toFixed(0)} M bar-evals/s); portfolio loop with one market ${onePf.toFixed(3)} ms (${(17519 / onePf / 1000).toFixed(0)} M/s)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPortfolio();
