/**
 * Research test helpers: a candle source over the real-data fixtures (BTCUSDT / ETHUSDT 1h and Binance's own 4h files;
 * BNBUSDT / SOLUSDT / XRPUSDT 4h are their 1h files aggregated by src/lib/data/resample.ts, the aggregation tests/unit/data checks against
 * Binance's 4h files), the in-process evaluator on the WASM core, and an in-memory job store.
 */
import { readFileSync } from 'node:fs';
import { parseKlineCsv } from '../../../src/lib/data/kline-csv';
import { resampleCandles } from '../../../src/lib/data/resample';
import { createNodeEngine, createNodePortfolioEngine } from '../../../src/lib/engine/node';
import { createInProcessEvaluator } from '../../../src/lib/research/evaluator';
import type { CandleSource, ResearchJobSpec } from '../../../src/lib/research/types';
import { defaultResearchExecution } from '../../../src/lib/research/spec';
import type { OhlcvColumns, Timeframe } from '../../../src/lib/core/types';
import { sliceByTime } from '../../../src/lib/research/runner';
import { fixturePath } from '../helpers/fixtures';

const FILES: Record<string, string> = {
	'BTCUSDT|1h': 'klines/BTCUSDT-1h.csv',
	'ETHUSDT|1h': 'klines/ETHUSDT-1h.csv',
	'BNBUSDT|1h': 'klines/BNBUSDT-1h.csv',
	'SOLUSDT|1h': 'klines/SOLUSDT-1h.csv',
	'XRPUSDT|1h': 'klines/XRPUSDT-1h.csv',
	'BTCUSDT|4h': 'klines/BTCUSDT-4h-2025-2026.csv',
	'ETHUSDT|4h': 'klines/ETHUSDT-4h-2025-2026.csv'
};
const cache = new Map<string, OhlcvColumns>();

/** Candles of a fixture market (4h of BNB/SOL aggregated from their 1h file). */
export function fixtureCandles(symbol: string, interval: Timeframe): OhlcvColumns | null {
	const k = `${symbol}|${interval}`;
	if (cache.has(k)) return cache.get(k)!;
	let c: OhlcvColumns | null = null;
	if (FILES[k]) c = parseKlineCsv(readFileSync(fixturePath(FILES[k]), 'utf8'), { source: FILES[k] }).ohlcv;
	else if (interval === '4h' && FILES[`${symbol}|1h`]) c = resampleCandles(fixtureCandles(symbol, '1h')!, '1h', '4h').ohlcv;
	if (c) cache.set(k, c);
	return c;
}

/** A CandleSource over the fixtures; `missing` lists `SYMBOL|interval` pairs to answer with "no data". */
export function fixtureSource(missing: string[] = []): CandleSource & { loads: number } {
	const src = {
		loads: 0,
		async load(symbol: string, interval: Timeframe, window: { fromMs?: number; toMs?: number }) {
			src.loads++;
			const c = missing.includes(`${symbol}|${interval}`) ? null : fixtureCandles(symbol, interval);
			if (!c) throw new Error(`no ${interval} candles for ${symbol}`);
			return sliceByTime(c, window.fromMs ?? -Infinity, (window.toMs ?? Infinity) + 1);
		}
	};
	return src;
}

/** The in-process evaluator on the release WASM core. */
export function nodeEvaluator() {
	return createInProcessEvaluator({ single: () => createNodeEngine(), portfolio: () => createNodePortfolioEngine() });
}

export const FROM = Date.UTC(2025, 6, 1);
export const TO = Date.UTC(2026, 3, 15);

export function spec3x2x2(): ResearchJobSpec {
	return {
		name: '3 markets x 2 timeframes x 2 strategies',
		description: 'SMA cross and RSI mean reversion on BTC, ETH, BNB, 1h and 4h',
		markets: ['BTCUSDT', 'ETHUSDT', 'BNBUSDT'],
		timeframes: ['1h', '4h'],
		strategies: [
			{ strategy: 'sma-cross', axes: [{ name: 'fast', start: 5, end: 20, step: 5 }, { name: 'slow', start: 30, end: 90, step: 20 }] },
			{ strategy: 'rsi-mean-reversion', axes: [{ name: 'period', values: [7, 14, 21] }, { name: 'oversold', values: [20, 25, 30] }] }
		],
		riskAxes: [],
		objective: { key: 'sharpeRatio', minTrades: 3 },
		window: { fromMs: FROM, toMs: TO },
		execution: defaultResearchExecution()
	};
}

