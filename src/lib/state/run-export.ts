/**
 * Exports of a run: trades and equity as CSV (papaparse), the whole run as JSON (typed arrays as
 * plain number arrays). Plain functions; the page turns the text into a download.
 */
import Papa from 'papaparse';
import { isoUtc } from '../core/timeframe';
import type { Run } from './runs.svelte';

/**
 * Trades as CSV, one row per closed trade, times ISO-8601 UTC and ms.
 * @returns CSV text with a header line; header only when there are no trades.
 */
export function tradesCsv(run: Run): string {
	const trades = run.result?.trades ?? [];
	return Papa.unparse({
		fields: [
			'n', 'direction', 'entry_time', 'entry_time_ms', 'entry_bar', 'entry_price', 'exit_time', 'exit_time_ms', 'exit_bar',
			'exit_price', 'size', 'entry_fee', 'exit_fee', 'pnl', 'profit_ratio', 'exit_reason'
		],
		data: trades.map((t, i) => [
			i + 1, t.direction, isoUtc(t.entryTime), t.entryTime, t.entryBar, t.entryPrice, isoUtc(t.exitTime), t.exitTime, t.exitBar,
			t.exitPrice, t.size, t.entryFee, t.exitFee, t.pnl, t.profitRatio, t.exitReason
		])
	});
}

/**
 * Equity curve as CSV: bar open time (ISO and ms), close-marked equity and drawdown fraction.
 * @returns CSV text with header `open_time,open_time_ms,equity,drawdown_ratio`.
 */
export function equityCsv(run: Run): string {
	const r = run.result;
	if (!r) return 'open_time,open_time_ms,equity,drawdown_ratio';
	let peak = run.config.initialCash;
	const rows: (string | number)[][] = [];
	for (let i = 0; i < r.equity.length; i++) {
		const e = r.equity[i];
		if (e > peak) peak = e;
		rows.push([isoUtc(r.openTime[i]), r.openTime[i], e, 1 - e / peak]);
	}
	return Papa.unparse({ fields: ['open_time', 'open_time_ms', 'equity', 'drawdown_ratio'], data: rows });
}

/**
 * The whole run (configuration, market, statistics, trades, equity, indicators) as JSON.
 * Typed arrays become number arrays; NaN/Infinity become null (JSON has no such numbers).
 */
export function runJson(run: Run): string {
	return JSON.stringify(
		run,
		(_key, value) => {
			if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as Float64Array, (v) => (Number.isFinite(v) ? v : null));
			if (typeof value === 'number' && !Number.isFinite(value)) return null;
			return value;
		},
		1
	);
}

/** File-name stem of a run's exports: `BTCUSDT-1h-sma-cross-<id>`. */
export function exportName(run: Run): string {
	return `${run.market.symbol}-${run.market.interval}-${run.config.strategy}-${run.id}`;
}
