/**
 * Exports of a portfolio run: trades (with their market), equity (with drawdown and open positions),
 * breaker events and per-market attribution as CSV (papaparse), the whole run as JSON (typed arrays as
 * number arrays, NaN/Infinity as null). Plain functions; the page turns the text into a download.
 */
import Papa from 'papaparse';
import { isoUtc } from '../core/timeframe';
import type { PortfolioRun } from './portfolio.svelte';

/**
 * Trades as CSV, one row per closed trade in closing order, with the market.
 * @returns CSV with a header line; header only when there are no trades.
 */
export function portfolioTradesCsv(run: PortfolioRun): string {
	const trades = run.result?.trades ?? [];
	return Papa.unparse({
		fields: [
			'n', 'symbol', 'direction', 'entry_time', 'entry_time_ms', 'entry_bar', 'entry_price', 'exit_time', 'exit_time_ms', 'exit_bar',
			'exit_price', 'size', 'entry_fee', 'exit_fee', 'pnl', 'profit_ratio', 'exit_reason'
		],
		data: trades.map((t, i) => [
			i + 1, t.symbol, t.direction, isoUtc(t.entryTime), t.entryTime, t.entryBar, t.entryPrice, isoUtc(t.exitTime), t.exitTime, t.exitBar,
			t.exitPrice, t.size, t.entryFee, t.exitFee, t.pnl, t.profitRatio, t.exitReason
		])
	});
}

/**
 * Equity per union bar as CSV: open time (ISO, ms), close-marked equity, drawdown fraction from the
 * running peak (initial cash counts as the first peak), open positions.
 */
export function portfolioEquityCsv(run: PortfolioRun): string {
	const fields = ['open_time', 'open_time_ms', 'equity', 'drawdown_ratio', 'open_positions'];
	const r = run.result;
	if (!r) return fields.join(',');
	let peak = run.config.initialCash;
	const rows: (string | number)[][] = [];
	for (let i = 0; i < r.equity.length; i++) {
		const e = r.equity[i];
		if (e > peak) peak = e;
		rows.push([isoUtc(r.openTime[i]), r.openTime[i], e, 1 - e / peak, r.openPositions[i]]);
	}
	return Papa.unparse({ fields, data: rows });
}

/** Circuit-breaker events as CSV: bar, time (ISO, ms), type, action, value. */
export function portfolioEventsCsv(run: PortfolioRun): string {
	return Papa.unparse({
		fields: ['bar', 'time', 'time_ms', 'type', 'action', 'value'],
		data: (run.result?.events ?? []).map((e) => [e.bar, isoUtc(e.time), e.time, e.type, e.action, e.value])
	});
}

/** Per-market attribution as CSV. */
export function portfolioAttributionCsv(run: PortfolioRun): string {
	return Papa.unparse({
		fields: ['symbol', 'pnl', 'trades', 'wins', 'win_rate', 'fees', 'exposure_ratio', 'bars'],
		data: (run.result?.attribution ?? []).map((a) => [a.symbol, a.pnl, a.trades, a.wins, Number.isFinite(a.winRate) ? a.winRate : '', a.fees, a.exposureRatio, a.bars])
	});
}

/** The whole run (configuration, markets, statistics, trades, events, attribution, curves) as JSON. */
export function portfolioRunJson(run: PortfolioRun): string {
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

/** File-name stem of a portfolio run's exports: `portfolio-5m-1h-sma-cross-<id>`. */
export function portfolioExportName(run: PortfolioRun): string {
	return `portfolio-${run.markets.length}m-${run.interval}-${run.config.strategy}-${run.id}`;
}
