/**
 * Research test helpers: a candle source over the real-data fixtures (BTCUSDT / ETHUSDT 1h and Binance's own 4h files;
 * BNBUSDT 4h is BNBUSDT 1h aggregated by src/lib/data/resample.ts, the aggregation tests/unit/data checks against
 * Binance's 4h files), the in-process evaluator on the WASM core, and an in-memory job store.
 */
import { readFileSync } from 'node:fs';
import { parseKlineCsv } from '../../../src/lib/data/kline-csv';
import { resampleCandles } from '../../../src/lib/data/resample';
import { createNodeEngine, createNodePortfolioEngine } from '../../../src/lib/engine/node';
import { createInProcessEvaluator } from '../../../src/lib/research/evaluator';
import type { CandleSource } from '../../../src/lib/research/types';
import type { OhlcvColumns, Timeframe } from '../../../src/lib/core/types';
import { sliceByTime } from '../../../src/lib/research/runner';
import { fixturePath } from '../helpers/fixtures';

const FILES: Record<string, string> = {
	'BTCUSDT|1h': 'klines/BTCUSDT-1h.csv',
	'ETHUSDT|1h': 'klines/ETHUSDT-1h.csv',
	'BNBUSDT|1h': 'klines/BNBUSDT-1h.csv',
	'SOLUSDT|1h': 'klines/SOLUSDT-1h.csv',
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
