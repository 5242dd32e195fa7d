/**
 * Loads the backtrader reference runs (tests/fixtures/reference/backtrader/) as metrics inputs:
 * the JSON summary and trades and the equity CSV, mapped to the project's types.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Trade } from '../../../src/lib/engine/types';
import type { MetricsInput } from '../../../src/lib/metrics';
import { referenceTradeToTrade, type ReferenceSummary, type ReferenceTrade } from '../helpers/fixtures';

const DIR = fileURLToPath(new URL('../../fixtures/reference/backtrader/', import.meta.url));

/** Cases present in the fixture folder. */
export const REFERENCE_CASES = ['S1.BTCUSDT', 'S1.ETHUSDT', 'S2.BTCUSDT', 'S2.ETHUSDT', 'S4.BTCUSDT'] as const;


export interface ReferenceRun {
	name: string;
	summary: ReferenceSummary;
	peerNative: { final_value_marked_at_close: number; closed_trades: number; open_position_size_at_end: number };
	/** ISO open time of every bar, as written in the CSV (independent of the ms column). */
	isoOpenTime: string[];
	input: MetricsInput;
}

/** Load one reference case, e.g. `loadReference('S1.BTCUSDT')`. */
export function loadReference(name: string): ReferenceRun {
	const json = JSON.parse(readFileSync(`${DIR}${name}.json`, 'utf8'));
	const lines = readFileSync(`${DIR}${name}.equity.csv`, 'utf8').trim().split(/\r?\n/);
	const header = lines[0].split(',');
	const col = (c: string) => header.indexOf(c);
	const rows = lines.slice(1).map((l) => l.split(','));
	const trades: Trade[] = (json.trades as ReferenceTrade[]).map(referenceTradeToTrade);
	return {
		name,
		summary: json.summary,
		peerNative: json.peer_native,
		isoOpenTime: rows.map((r) => r[col('open_time')]),
		input: {
			openTime: Float64Array.from(rows, (r) => Number(r[col('open_time_ms')])),
			close: Float64Array.from(rows, (r) => Number(r[col('close')])),
			equity: Float64Array.from(rows, (r) => Number(r[col('equity')])),
			trades,
			initialCash: json.summary.initial_cash,
			intervalMs: 3_600_000,
			ambiguousBars: 0
		}
	};
}

/** `|a - b| <= rel * max(|a|, |b|)`, with NaN == NaN and equal infinities. */
export function closeRel(a: number, b: number, rel = 1e-9): boolean {
	if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
	if (a === b) return true;
	return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));
}
