/**
 * Shared test helpers: readers for the real-data fixtures in `tests/fixtures/` (klines and the backtrader
 * reference results of SCENARIOS.md S1-S4) and the BacktestConfig of each scenario.
 *
 * Loaded files are cached in module scope; vitest isolates modules per test file, so each CSV is parsed at
 * most once per test file.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import type { BacktestConfig, Trade } from '../../../src/lib/engine/types';

/** Absolute path of `tests/fixtures/<rel>`. */
export function fixturePath(rel: string): string {
	return fileURLToPath(new URL(`../../fixtures/${rel}`, import.meta.url));
}

export type RefSymbol = 'BTCUSDT' | 'ETHUSDT';
export type ScenarioId = 'S1' | 'S2' | 'S3' | 'S4';

/** First and last open time (ms UTC) of the S1-S4 window, and its length (SCENARIOS.md "Data"). */
export const REFERENCE_WINDOW = Object.freeze({ firstOpenTime: 1753462800000, lastOpenTime: 1784995200000, bars: 8760 });
const HOUR_MS = 3_600_000;

function parseCsv(path: string): string[][] {
	const res = Papa.parse<string[]>(readFileSync(path, 'utf8'), { header: false, skipEmptyLines: true });
	if (res.errors.length) throw new Error(`CSV ${path}: ${res.errors[0].message} (row ${res.errors[0].row})`);
	return res.data;
}

/** Number of a CSV cell; empty cell = NaN (undefined indicator value). */
function num(cell: string): number {
	return cell === '' ? NaN : Number(cell);
}

const klinesCache = new Map<string, OhlcvColumns>();

/**
 * Read a 6-column kline CSV with header `open_time,open,high,low,close,volume` (open_time in ms UTC).
 * @param path - absolute path, or a path relative to `tests/fixtures/` (e.g. `klines/BTCUSDT-1h.csv`).
 * @returns candle columns, one Float64Array per column, file order. Cached per path.
 * @throws Error when the header is not the expected one.
 */
export function loadKlinesCsv(path: string): OhlcvColumns {
	const abs = path.startsWith('/') ? path : fixturePath(path);
	const cached = klinesCache.get(abs);
	if (cached) return cached;
	const rows = parseCsv(abs);
	const header = rows[0].join(',');
	if (header !== 'open_time,open,high,low,close,volume') throw new Error(`${abs}: unexpected header "${header}"`);
	const n = rows.length - 1;
	const cols: OhlcvColumns = {
		openTime: new Float64Array(n),
		open: new Float64Array(n),
		high: new Float64Array(n),
		low: new Float64Array(n),
		close: new Float64Array(n),
		volume: new Float64Array(n)
	};
	for (let i = 0; i < n; i++) {
		const r = rows[i + 1];
		cols.openTime[i] = Number(r[0]);
		cols.open[i] = Number(r[1]);
		cols.high[i] = Number(r[2]);
		cols.low[i] = Number(r[3]);
		cols.close[i] = Number(r[4]);
		cols.volume[i] = Number(r[5]);
	}
	klinesCache.set(abs, cols);
	return cols;
}

/** All 1h bars of a symbol (78,221 rows, 2017-08-17 .. 2026-07-25). */
export function loadSymbolKlines(symbol: RefSymbol): OhlcvColumns {
	return loadKlinesCsv(`klines/${symbol}-1h.csv`);
}

/** Slice `[from, to)` of candle columns (views, no copy). */
export function sliceColumns(c: OhlcvColumns, from: number, to: number): OhlcvColumns {
	return {
		openTime: c.openTime.subarray(from, to),
		open: c.open.subarray(from, to),
		high: c.high.subarray(from, to),
		low: c.low.subarray(from, to),
		close: c.close.subarray(from, to),
		volume: c.volume.subarray(from, to)
	};
}

/** Index of a bar by open time (ms UTC) in candle columns; -1 when absent. */
export function barIndexAt(c: OhlcvColumns, openTimeMs: number): number {
	return c.openTime.indexOf(openTimeMs);
}

const windowCache = new Map<RefSymbol, { ohlcv: OhlcvColumns; start: number }>();

/**
 * The S1-S4 reference window: the last 8,760 bars of the most recent contiguous run of 1h bars, computed
 * from the data (SCENARIOS.md "Window rule").
 * @returns the window's candle columns (views into the cached file) and `start`, its index in the full file.
 * @throws Error if the computed window does not span 1753462800000 .. 1784995200000.
 */
export function referenceWindowWithStart(symbol: RefSymbol): { ohlcv: OhlcvColumns; start: number } {
	const cached = windowCache.get(symbol);
	if (cached) return cached;
	const all = loadSymbolKlines(symbol);
	const n = all.openTime.length;
	let runStart = n - 1;
	while (runStart > 0 && all.openTime[runStart] - all.openTime[runStart - 1] === HOUR_MS) runStart--;
	const start = Math.max(runStart, n - REFERENCE_WINDOW.bars);
	const ohlcv = sliceColumns(all, start, n);
	const len = ohlcv.openTime.length;
	if (
		len !== REFERENCE_WINDOW.bars ||
		ohlcv.openTime[0] !== REFERENCE_WINDOW.firstOpenTime ||
		ohlcv.openTime[len - 1] !== REFERENCE_WINDOW.lastOpenTime
	) {
		throw new Error(
			`${symbol}: computed window ${ohlcv.openTime[0]} .. ${ohlcv.openTime[len - 1]} (${len} bars) differs from SCENARIOS.md`
		);
	}
	const res = { ohlcv, start };
	windowCache.set(symbol, res);
	return res;
}

/** The S1-S4 window candle columns of a symbol (8,760 1h bars, 2025-07-25T17:00Z .. 2026-07-25T16:00Z). */
export function referenceWindow(symbol: RefSymbol): OhlcvColumns {
	return referenceWindowWithStart(symbol).ohlcv;
}

/** Summary block of a reference JSON (SCENARIOS.md "Metrics"). */
export interface ReferenceSummary {
	initial_cash: number;
	final_equity: number;
	total_return_pct: number;
	max_drawdown_pct: number;
	n_trades: number;
	n_wins: number;
	win_rate_pct: number;
	total_fees: number;
	sum_trade_pnl: number;
}

/** One trade of a reference JSON. */
export interface ReferenceTrade {
	direction: 'long' | 'short';
	entry_bar: number;
	entry_time: string;
	entry_price: number;
	exit_bar: number;
	exit_time: string;
	exit_price: number;
	size: number;
	entry_fee: number;
	exit_fee: number;
	pnl: number;
	exit_reason: 'signal' | 'stop_loss' | 'take_profit' | 'end_of_data';
	pnl_peer?: number;
}

/** A reference trade in the engine's {@link Trade} shape (times parsed to ms, profitRatio = pnl / entry notional). */
export function referenceTradeToTrade(t: ReferenceTrade): Trade {
	return {
		direction: t.direction,
		entryBar: t.entry_bar,
		exitBar: t.exit_bar,
		entryTime: Date.parse(t.entry_time),
		exitTime: Date.parse(t.exit_time),
		entryPrice: t.entry_price,
		exitPrice: t.exit_price,
		size: t.size,
		entryFee: t.entry_fee,
		exitFee: t.exit_fee,
		pnl: t.pnl,
		profitRatio: t.pnl / (t.size * t.entry_price),
		exitReason: t.exit_reason
	};
}

export interface ReferenceCase {
	summary: ReferenceSummary;
	trades: ReferenceTrade[];
	/** Equity at every bar of the window (length 8,760). */
	equity: Float64Array;
}

const REF_DIR = 'reference/backtrader';

/** Reference cases present in `tests/fixtures/reference/backtrader/`, e.g. `[['S1','BTCUSDT'], ...]`. */
export function listReferenceCases(): [ScenarioId, RefSymbol][] {
	return readdirSync(fixturePath(REF_DIR))
		.map((f) => /^(S[1-4])\.(BTCUSDT|ETHUSDT)\.json$/.exec(f))
		.filter((m): m is RegExpExecArray => m !== null)
		.map((m) => [m[1] as ScenarioId, m[2] as RefSymbol] as [ScenarioId, RefSymbol])
		.sort();
}

/** True when the reference files of a case exist. */
export function hasReferenceCase(scenario: ScenarioId, symbol: RefSymbol): boolean {
	return existsSync(fixturePath(`${REF_DIR}/${scenario}.${symbol}.json`));
}

/**
 * Load one reference case (backtrader peer): summary and trades from `<S>.<SYMBOL>.json`, equity from
 * `<S>.<SYMBOL>.equity.csv`.
 * @throws Error when the files are missing or the equity file does not have 8,760 bars.
 */
export function loadReferenceCase(scenario: ScenarioId, symbol: RefSymbol): ReferenceCase {
	const base = `${REF_DIR}/${scenario}.${symbol}`;
	const json = JSON.parse(readFileSync(fixturePath(`${base}.json`), 'utf8')) as {
		summary: ReferenceSummary;
		trades: ReferenceTrade[];
	};
	const rows = parseCsv(fixturePath(`${base}.equity.csv`));
	if (rows[0].join(',') !== 'bar,open_time_ms,open_time,close,equity') throw new Error(`${base}.equity.csv: unexpected header`);
	const equity = new Float64Array(rows.length - 1);
	for (let i = 1; i < rows.length; i++) {
		if (Number(rows[i][0]) !== i - 1) throw new Error(`${base}.equity.csv: bar ${rows[i][0]} out of order`);
		equity[i - 1] = Number(rows[i][4]);
	}
	if (equity.length !== REFERENCE_WINDOW.bars) throw new Error(`${base}.equity.csv: ${equity.length} bars, expected 8760`);
	return { summary: json.summary, trades: json.trades, equity };
}

/** SMA10, SMA30 and RSI14 of close on the reference window, as produced by backtrader (NaN = undefined). */
export interface ReferenceIndicators {
	openTime: Float64Array;
	close: Float64Array;
	sma10: Float64Array;
	sma30: Float64Array;
	rsi14: Float64Array;
}

/** Load `indicators.<SYMBOL>.csv` (columns bar, open_time_ms, open_time, close, sma10, sma30, rsi14). */
export function loadReferenceIndicators(symbol: RefSymbol): ReferenceIndicators {
	const rows = parseCsv(fixturePath(`${REF_DIR}/indicators.${symbol}.csv`));
	if (rows[0].join(',') !== 'bar,open_time_ms,open_time,close,sma10,sma30,rsi14') {
		throw new Error(`indicators.${symbol}.csv: unexpected header`);
	}
	const n = rows.length - 1;
	const out: ReferenceIndicators = {
		openTime: new Float64Array(n),
		close: new Float64Array(n),
		sma10: new Float64Array(n),
		sma30: new Float64Array(n),
		rsi14: new Float64Array(n)
	};
	for (let i = 0; i < n; i++) {
		const r = rows[i + 1];
		out.openTime[i] = num(r[1]);
		out.close[i] = num(r[3]);
		out.sma10[i] = num(r[4]);
		out.sma30[i] = num(r[5]);
		out.rsi14[i] = num(r[6]);
	}
	return out;
}

/**
 * The BacktestConfig of a reference scenario (SCENARIOS.md): 10,000 USDT, fee 0.1 %, no slippage, all-in.
 * S1 sma-cross 10/30 long-only; S2 the same long-short; S3 rsi-mean-reversion 14/30/70 long-only;
 * S4 = S1 + stop-loss 2 % / take-profit 4 % (fractions of the entry fill).
 */
export function scenarioConfig(scenario: ScenarioId): BacktestConfig {
	switch (scenario) {
		case 'S1':
			return { ...defaultConfig('sma-cross'), params: { fast: 10, slow: 30 } };
		case 'S2':
			return { ...defaultConfig('sma-cross'), params: { fast: 10, slow: 30 }, direction: 'long-short' };
		case 'S3':
			return {
				...defaultConfig('rsi-mean-reversion'),
				params: { period: 14, oversold: 30, overbought: 70, exitOnMid: false }
			};
		case 'S4':
			return {
				...defaultConfig('sma-cross'),
				params: { fast: 10, slow: 30 },
				stopLoss: { mode: 'fraction', value: 0.02 },
				takeProfit: { mode: 'fraction', value: 0.04 }
			};
	}
}

/**
 * Max drawdown ratio per SCENARIOS.md: `max_t (1 - equity[t] / max(C0, max_{s<=t} equity[s]))`.
 * @param equity - close-marked equity curve.
 * @param initialCash - C0.
 */
export function maxDrawdownRatio(equity: Float64Array, initialCash: number): number {
	let peak = initialCash;
	let dd = 0;
	for (const e of equity) {
		if (e > peak) peak = e;
		const d = 1 - e / peak;
		if (d > dd) dd = d;
	}
	return dd;
}

/** `|a - b| <= max(abs, rel * max(|a|, |b|))`. */
export function closeTo(a: number, b: number, rel: number, abs = 0): boolean {
	return Math.abs(a - b) <= Math.max(abs, rel * Math.max(Math.abs(a), Math.abs(b)));
}
