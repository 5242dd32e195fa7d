/**
 * Reader of the 6-column kline fixtures (`open_time,open,high,low,close,volume`, header first) into plain number
 * arrays, the shape that crosses `page.evaluate` into the browser. Used by the IndexedDB e2e test and bench.
 */
import { readFileSync } from 'node:fs';

/** Candle columns as plain arrays (JSON-serialisable for page.evaluate). */
export type PlainKlines = Record<'openTime' | 'open' | 'high' | 'low' | 'close' | 'volume', number[]>;

/**
 * Read a 6-column kline CSV with a header.
 * @param path - path relative to the project root, e.g. `tests/fixtures/klines/BTCUSDT-1h.csv`.
 * @returns one array per column, file order.
 */
export function readKlinesPlain(path: string): PlainKlines {
	const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1);
	const out: PlainKlines = { openTime: [], open: [], high: [], low: [], close: [], volume: [] };
	const keys = Object.keys(out) as Array<keyof PlainKlines>;
	for (const line of lines) line.split(',').forEach((v, c) => out[keys[c]].push(Number(v)));
	return out;
}
