/**
 * Test helpers for portfolio runs: the five 1h markets of PORTFOLIO.md cut to the P/C window, readers for the
 * portfolio reference cases (`tests/fixtures/reference/portfolio/<case>.json`, `.equity.csv`) and their configs.
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { defaultPortfolioConfig } from '../../../src/lib/engine/portfolio-config';
import type { PortfolioConfig, PortfolioMarket } from '../../../src/lib/engine/types';
import { referenceSignals, runReferencePortfolio } from '../../../src/lib/engine/reference';
import { fixturePath, loadKlinesCsv, sliceColumns } from './fixtures';

/** The five markets of PORTFOLIO.md in priority (symbol) order. */
export const PORTFOLIO_SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT'] as const;
export type PortfolioSymbol = (typeof PORTFOLIO_SYMBOLS)[number];

/** The P/C window (PORTFOLIO.md "Data and window"): first and last open time (ms UTC) and its length. */
export const PORTFOLIO_WINDOW = Object.freeze({ firstOpenTime: 1744761600000, lastOpenTime: 1776294000000, bars: 8760 });

/** All 1h bars of one of the five fixture markets (cached per file by loadKlinesCsv). */
export function loadMarketKlines(symbol: PortfolioSymbol): OhlcvColumns {
	return loadKlinesCsv(`klines/${symbol}-1h.csv`);
}

/** Bars of `c` with `from <= openTime <= to` (views, no copy). */
export function sliceByTime(c: OhlcvColumns, from: number, to: number): OhlcvColumns {
	let a = 0;
	while (a < c.openTime.length && c.openTime[a] < from) a++;
	let b = a;
	while (b < c.openTime.length && c.openTime[b] <= to) b++;
	return sliceColumns(c, a, b);
}

/**
 * One market's P/C window (8,760 bars).
 * @throws Error when the file does not cover the window without gaps.
 */
export function portfolioWindow(symbol: PortfolioSymbol): OhlcvColumns {
	const w = sliceByTime(loadMarketKlines(symbol), PORTFOLIO_WINDOW.firstOpenTime, PORTFOLIO_WINDOW.lastOpenTime);
	const n = w.openTime.length;
	if (n !== PORTFOLIO_WINDOW.bars || w.openTime[0] !== PORTFOLIO_WINDOW.firstOpenTime || w.openTime[n - 1] !== PORTFOLIO_WINDOW.lastOpenTime)
		throw new Error(`${symbol}: window has ${n} bars ${w.openTime[0]} .. ${w.openTime[n - 1]}, expected PORTFOLIO.md's`);
	return w;
}

/** The five P/C markets in symbol order. */
export function portfolioMarkets(): PortfolioMarket[] {
	return PORTFOLIO_SYMBOLS.map((symbol) => ({ symbol, ohlcv: portfolioWindow(symbol) }));
}

/** Copy candle columns with the bars at `drop` (indices) removed (holes in a market's timeline). */
export function withoutBars(c: OhlcvColumns, drop: Iterable<number>): OhlcvColumns {
	const skip = new Set(drop);
	const keep: number[] = [];
	for (let i = 0; i < c.openTime.length; i++) if (!skip.has(i)) keep.push(i);
	const pick = (col: Float64Array) => Float64Array.from(keep, (i) => col[i]);
	return {
		openTime: pick(c.openTime),
		open: pick(c.open),
		high: pick(c.high),
		low: pick(c.low),
		close: pick(c.close),
		volume: pick(c.volume)
	};
}

export type PortfolioCaseId = 'P1' | 'C1';

/** One trade of a portfolio reference JSON. */
export interface PortfolioReferenceTrade {
	n: number;
	symbol: string;
	direction: 'long' | 'short';
	entry_bar: number;
	entry_time: string;
	entry_price: number;
	size: number;
	entry_fee: number;
	exit_bar: number;
	exit_time: string;
	exit_price: number;
	exit_fee: number;
	exit_reason: string;
	pnl: number;
}

/** One event of a portfolio reference JSON. */
export interface PortfolioReferenceEvent {
	bar: number;
	time: string;
	type: string;
	action: string;
	value: number;
}

export interface PortfolioReferenceCase {
	config: { sizing: string; max_positions: number; breakers: string[]; fee: number; initial_cash: number };
	summary: {
		initial_cash: number;
		final_equity: number;
		max_drawdown_pct: number;
		n_trades: number;
		n_wins: number;
		total_fees: number;
		sum_trade_pnl: number;
		n_events: number;
		exits_by_reason: Record<string, number>;
		per_symbol_pnl: Record<string, number>;
		per_symbol_trades: Record<string, number>;
	};
	trades: PortfolioReferenceTrade[];
	events: PortfolioReferenceEvent[];
	/** Portfolio equity per bar (equity.csv). */
	equity: Float64Array;
	/** Open positions per bar (equity.csv). */
	openPositions: Float64Array;
}

/**
 * Load a portfolio reference case: JSON (summary, trades, events) and `<case>.equity.csv`
 * (bar, open_time_ms, open_time, equity, open_positions, close_<SYMBOL>…).
 * @throws Error on an unexpected header or bar count.
 */
export function loadPortfolioCase(id: PortfolioCaseId): PortfolioReferenceCase {
	const base = `reference/portfolio/${id}`;
	const json = JSON.parse(readFileSync(fixturePath(`${base}.json`), 'utf8'));
	const res = Papa.parse<string[]>(readFileSync(fixturePath(`${base}.equity.csv`), 'utf8'), { header: false, skipEmptyLines: true });
	const rows = res.data;
	if (rows[0].slice(0, 5).join(',') !== 'bar,open_time_ms,open_time,equity,open_positions') throw new Error(`${base}.equity.csv: unexpected header`);
	const n = rows.length - 1;
	if (n !== PORTFOLIO_WINDOW.bars) throw new Error(`${base}.equity.csv: ${n} bars, expected ${PORTFOLIO_WINDOW.bars}`);
	const equity = new Float64Array(n);
	const openPositions = new Float64Array(n);
	for (let i = 0; i < n; i++) {
		equity[i] = Number(rows[i + 1][3]);
		openPositions[i] = Number(rows[i + 1][4]);
	}
	return { config: json.config, summary: json.summary, trades: json.trades, events: json.events, equity, openPositions };
}

/** The PortfolioConfig of a visible case (PORTFOLIO.md "Cases"): S1 strategy, K 3, f 0.001, 10,000 USDT. */
export function portfolioCaseConfig(id: PortfolioCaseId): PortfolioConfig {
	const base = defaultPortfolioConfig();
	switch (id) {
		case 'P1':
			return { ...base, sizing: { mode: 'fixed-notional', amount: 2000 } };
		case 'C1':
			return {
				...base,
				sizing: { mode: 'equity-split' },
				breakers: [{ kind: 'max-drawdown', threshold: 0.1, action: 'close-all', cooldownBars: 168 }]
			};
	}
}

/**
 * A real-data scenario for a max-drawdown trip while a market's entry order waits in a hole of its timeline
 * (SEMANTICS.md "Circuit breakers": entries are blocked for fills at bars u+1 … u+H; a signal at a market's own bar
 * fills at its own next bar, whatever union bars lie between).
 *
 * BTC, ETH, BNB (first 4,000 bars of the P/C window; equity-split, K 5, max-drawdown:0.05:close-all:24) trip at union
 * bar `tripBar`. SOLUSDT joins 30 bars before its last entry signal before the trip (`signalBar`, its only signal
 * there, so it is flat and changes nothing before it fills), then has no bars until `nextBar`:
 * after the cooldown (`tripBar + H + 6`) or inside it (`tripBar + H - 3`).
 */
export function holeAcrossTripScenario(nextAfterCooldown: boolean): {
	markets: PortfolioMarket[];
	config: PortfolioConfig;
	tripBar: number;
	signalBar: number;
	nextBar: number;
	cooldownBars: number;
} {
	const H = 24;
	const config: PortfolioConfig = {
		...defaultPortfolioConfig(),
		maxPositions: 5,
		sizing: { mode: 'equity-split' },
		breakers: [{ kind: 'max-drawdown', threshold: 0.05, action: 'close-all', cooldownBars: H }]
	};
	const others = (['BTCUSDT', 'ETHUSDT', 'BNBUSDT'] as const).map((s) => ({ symbol: s, ohlcv: sliceColumns(portfolioWindow(s), 0, 4000) }));
	const sol = sliceColumns(portfolioWindow('SOLUSDT'), 0, 4000);
	// SOL's signals on its own bars (the same hours as the union bars here: all four files have every hour).
	const enterLong = referenceSignals(sol, { ...config, sizing: { mode: 'equity-fraction', fraction: 1 } }).enterLong;
	// The trip of the three-market run does not depend on SOL: SOL is flat until its entry fills.
	const trip = runReferencePortfolio(others, config).events.find((e) => e.action === 'trip');
	if (!trip) throw new Error('scenario: the three-market run never trips');
	const tripBar = trip.bar;
	let signalBar = tripBar - 1;
	while (signalBar > 40 && enterLong[signalBar] !== 1) signalBar--;
	const nextBar = nextAfterCooldown ? tripBar + H + 6 : tripBar + H - 3;
	const keep: number[] = [];
	for (let i = signalBar - 30; i < 4000; i++) if (i <= signalBar || i >= nextBar) keep.push(i);
	const pick = (c: Float64Array) => Float64Array.from(keep, (i) => c[i]);
	const x: PortfolioMarket = {
		symbol: 'SOLUSDT',
		ohlcv: { openTime: pick(sol.openTime), open: pick(sol.open), high: pick(sol.high), low: pick(sol.low), close: pick(sol.close), volume: pick(sol.volume) }
	};
	return { markets: [...others, x], config, tripBar, signalBar, nextBar, cooldownBars: H };
}
