/**
 * The portfolio form of `npm run backtest`: several `--data FILE` (one market each), `--symbols A,B,…`,
 * `--max-positions K`, portfolio `--sizing`, `--leverage L`, `--maintenance-margin R` and repeatable `--breaker`.
 * Every single-market flag (strategy, parameters, direction, fee, slippage, levels, window, out) means the same and is
 * parsed by {@link parseCliArgs}; this module adds the portfolio flags, runs the WASM portfolio loop and prints.
 */
import { parseArgs } from 'node:util';
import { basename } from 'node:path';
import { ValidationError } from '../lib/core/errors';
import { isoUtc } from '../lib/core/timeframe';
import { formatBreaker, formatPortfolioSizing, parseBreaker, parsePortfolioSizing, validatePortfolioConfig } from '../lib/engine/portfolio-config';
import type { PortfolioResult } from '../lib/engine/portfolio-engine';
import { runPortfolioBacktest } from '../lib/engine/node';
import type { PortfolioConfig, PortfolioMarket } from '../lib/engine/types';
import { computeMetrics, formatMetric, METRIC_INFO, type Metrics } from '../lib/metrics';
import { equalWeightBasket } from '../lib/metrics/basket';
import { COMMON_OPTIONS, parseCliArgs, type CliRunOptions } from './args';
import { describeConfig } from './output';
import { loadKlineFile, selectWindow, type LoadedKlines, type SelectedWindow } from './run';

/** Flags only the portfolio form has. */
export const PORTFOLIO_OPTIONS = {
	symbols: { type: 'string' },
	'max-positions': { type: 'string' },
	leverage: { type: 'string' },
	'maintenance-margin': { type: 'string' },
	breaker: { type: 'string', multiple: true }
} as const;

const OPTIONS = { ...COMMON_OPTIONS, data: { type: 'string', multiple: true }, ...PORTFOLIO_OPTIONS } as const;

/** A validated portfolio request from the command line. */
export interface PortfolioCliOptions {
	/** `--data` paths in priority order. */
	dataPaths: string[];
	/** Market names, one per file (from `--symbols` or the file names). */
	symbols: string[];
	intervalMs?: number;
	config: PortfolioConfig;
	window: CliRunOptions['window'];
	outPath?: string;
}

/**
 * True when the arguments ask for a portfolio run: `--data` more than once, or any portfolio-only flag.
 * (`--sizing equity-split` alone also counts: it only exists for portfolios.)
 */
export function isPortfolioArgv(argv: readonly string[]): boolean {
	let data = 0;
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--data' || a.startsWith('--data=')) data++;
		if (Object.keys(PORTFOLIO_OPTIONS).some((k) => a === `--${k}` || a.startsWith(`--${k}=`))) return true;
		if ((a === '--sizing' && argv[i + 1]?.trim() === 'equity-split') || a === '--sizing=equity-split') return true;
	}
	return data > 1;
}

const NUM = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SYMBOL = /^[A-Z0-9]{2,20}$/;

/**
 * The market name of a kline file: the part of the file name before the first `-` (`BTCUSDT-1h.csv` → BTCUSDT).
 * @throws ValidationError when the name gives no valid market (then `--symbols` names the files)
 */
export function symbolFromPath(path: string): string {
	const name = basename(path).split('-')[0].toUpperCase();
	if (!SYMBOL.test(name) || !basename(path).includes('-'))
		throw new ValidationError(`cannot tell the market of '${path}' from its name (expected e.g. BTCUSDT-1h.csv): name the files in order with --symbols BTCUSDT,ETHUSDT,…`);
	return name;
}

/**
 * Parse and validate the portfolio form of the backtest command.
 * @param argv arguments after the script name
 * @returns the run options (configuration complete and validated for the number of markets)
 * @throws ValidationError naming the flag and the problem (everything {@link parseCliArgs} checks, plus: a
 *   `--symbols` list that does not match the files, a duplicate market, K not a whole number >= 1, leverage
 *   outside 1–10, a malformed breaker or sizing)
 */
export function parsePortfolioArgs(argv: readonly string[]): PortfolioCliOptions {
	let parsed;
	try {
		parsed = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false, tokens: true });
	} catch {
		// Let the single-market parser word the error (unknown flag with a suggestion, missing value, ...).
		parseCliArgs(argv.filter((a) => !Object.keys(PORTFOLIO_OPTIONS).some((k) => a === `--${k}`)));
		throw new ValidationError('cannot parse the arguments; see --help.');
	}
	const { values, tokens } = parsed;
	const dataPaths = values.data ?? [];
	if (dataPaths.length === 0) throw new ValidationError('--data FILE is required (repeat it, one file per market).');
	// The single-market flags, without the portfolio ones, go through the single-market parser.
	const single: string[] = ['--data', dataPaths[0]];
	for (const t of tokens ?? []) {
		if (t.kind !== 'option' || t.name === 'data' || t.name === 'sizing' || t.name in PORTFOLIO_OPTIONS) continue;
		single.push(t.value === undefined ? `--${t.name}` : `--${t.name}=${t.value}`);
	}
	const command = parseCliArgs(single);
	if (command.kind !== 'run') throw new ValidationError('--help cannot be combined with a run.');
	const base = command.options;

	const symbols = values.symbols !== undefined ? values.symbols.split(',').map((s) => s.trim().toUpperCase()) : dataPaths.map(symbolFromPath);
	if (symbols.length !== dataPaths.length)
		throw new ValidationError(`--symbols names ${symbols.length} market(s) but --data gives ${dataPaths.length} file(s): give one name per file, in the same order.`);
	for (const s of symbols) if (!SYMBOL.test(s)) throw new ValidationError(`--symbols: '${s}' is not a market name (letters and digits, e.g. BTCUSDT).`);
	const dup = symbols.find((s, i) => symbols.indexOf(s) !== i);
	if (dup) throw new ValidationError(`market ${dup} is given twice: each market may appear once (use --symbols to name the files).`);

	const k = values['max-positions'] !== undefined ? Number(values['max-positions']) : symbols.length;
	if (values['max-positions'] !== undefined && (!NUM.test(values['max-positions'].trim()) || !Number.isInteger(k) || k < 1))
		throw new ValidationError(`--max-positions must be a whole number >= 1 (the most markets held at once), got '${values['max-positions']}'.`);
	const leverage = values.leverage !== undefined ? Number(values.leverage) : 1;
	if (values.leverage !== undefined && (!NUM.test(values.leverage.trim()) || !(leverage >= 1 && leverage <= 10)))
		throw new ValidationError(`--leverage must be a number from 1 to 10, got '${values.leverage}'.`);
	const mmr = values['maintenance-margin'] !== undefined ? Number(values['maintenance-margin']) : 0.005;
	if (values['maintenance-margin'] !== undefined && (!NUM.test(values['maintenance-margin'].trim()) || !(mmr >= 0 && mmr < 0.5)))
		throw new ValidationError(`--maintenance-margin must be a fraction from 0 to below 0.5 (0.005 = 0.5 %), got '${values['maintenance-margin']}'.`);
	const wrap = <T>(flag: string, f: () => T): T => {
		try {
			return f();
		} catch (e) {
			throw new ValidationError(`${flag}: ${(e as Error).message}`);
		}
	};
	const sizing = values.sizing !== undefined ? wrap('--sizing', () => parsePortfolioSizing(values.sizing!)) : { mode: 'equity-split' as const };
	const breakers = (values.breaker ?? []).map((b) => wrap('--breaker', () => parseBreaker(b)));
	const config: PortfolioConfig = { ...base.config, sizing, maxPositions: k, leverage, maintenanceMarginRatio: mmr, breakers };
	wrap('portfolio', () => validatePortfolioConfig(config, symbols.length));
	return { dataPaths, symbols, intervalMs: base.intervalMs, config, window: base.window, outPath: base.outPath };
}

/** Everything one portfolio CLI run produced. */
export interface PortfolioCliReport {
	options: PortfolioCliOptions;
	files: LoadedKlines[];
	windows: SelectedWindow[];
	result: PortfolioResult;
	/** Statistics of the portfolio equity and combined trades; buy-and-hold = the equal-weight basket. */
	metrics: Metrics;
	warnings: string[];
}

/**
 * Load every file, cut the same window from each, run the WASM portfolio loop and compute the statistics.
 * @throws DataError naming the file for an unreadable or invalid file, a window with no bars, or markets of
 *   different intervals
 */
export async function runCliPortfolio(options: PortfolioCliOptions): Promise<PortfolioCliReport> {
	const files = options.dataPaths.map((p) => loadKlineFile(p, options.intervalMs));
	const interval = files[0].intervalMs;
	files.forEach((f, i) => {
		if (f.intervalMs !== interval)
			throw new ValidationError(`${f.path} has ${f.intervalMs / 60000}-minute candles but ${files[0].path} has ${interval / 60000}-minute candles: a portfolio trades one interval.`);
		void i;
	});
	const windows = files.map((f) => {
		try {
			return selectWindow(f.ohlcv, interval, options.window);
		} catch (e) {
			throw new ValidationError(`${f.path}: ${(e as Error).message}`);
		}
	});
	const markets: PortfolioMarket[] = windows.map((w, i) => ({ symbol: options.symbols[i], ohlcv: w.ohlcv }));
	const result = await runPortfolioBacktest(markets, options.config);
	const metrics = computeMetrics({
		openTime: result.openTime,
		close: equalWeightBasket(result.openTime, markets.map((m) => m.ohlcv)),
		equity: result.equity,
		trades: result.trades,
		initialCash: options.config.initialCash,
		intervalMs: interval,
		ambiguousBars: result.ambiguousBars
	});
	const warnings: string[] = [];
	windows.forEach((w, i) => {
		if (w.gaps.length > 0) warnings.push(`${options.symbols[i]}: ${w.gaps.length} gap(s) inside the window; that market neither fills nor signals on the missing bars.`);
	});
	return { options, files, windows, result, metrics, warnings };
}

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** The readable summary of a portfolio run (markets, configuration, statistics, events, per-market attribution). */
export function formatPortfolioSummary(report: PortfolioCliReport): string {
	const { options, result, metrics } = report;
	const t = result.openTime;
	const c = options.config;
	const lines: string[] = [];
	lines.push(`Markets   ${options.symbols.join(', ')} (priority in this order)`);
	lines.push(`Window    ${t.length.toLocaleString('en-US')} bars (union of open times), ${isoUtc(t[0])} .. ${isoUtc(t[t.length - 1])}`);
	lines.push(`Config    ${describeConfig({ ...c, sizing: { mode: 'equity-fraction', fraction: 1 } }).replace(/, sizing all-in/, '')}`);
	lines.push(
		`Portfolio max positions ${c.maxPositions}, sizing ${formatPortfolioSizing(c.sizing)}, leverage ${c.leverage}` +
			(c.leverage > 1 ? ` (maintenance margin ${pct(c.maintenanceMarginRatio)})` : '') +
			`, breakers ${c.breakers.length ? c.breakers.map(formatBreaker).join(', ') : 'none'}`
	);
	lines.push('');
	const width = Math.max(...METRIC_INFO.map((m) => m.label.length));
	for (const m of METRIC_INFO) lines.push(`  ${m.label.padEnd(width)}  ${formatMetric(m.key, metrics[m.key])}`);
	lines.push(`  ${'(buy & hold = equal-weight basket)'.padEnd(width)}`);
	lines.push('');
	const reasons: Record<string, number> = {};
	for (const tr of result.trades) reasons[tr.exitReason] = (reasons[tr.exitReason] ?? 0) + 1;
	lines.push(`Exits     ${Object.entries(reasons).map(([k, v]) => `${k} ${v}`).join(', ') || 'no trades'}`);
	const maxOpen = result.openPositions.reduce((a, b) => Math.max(a, b), 0);
	lines.push(`Positions at most ${maxOpen} open at once; liquidations ${result.liquidations}`);
	lines.push(`Events    ${result.events.length} circuit-breaker event(s)`);
	for (const e of result.events.slice(0, 20))
		lines.push(`          bar ${e.bar} ${isoUtc(e.time)} ${e.type} ${e.action} ${e.type === 'max-drawdown' && e.action === 'trip' ? pct(e.value) : e.value.toFixed(e.type === 'max-drawdown' ? 2 : 0)}`);
	if (result.events.length > 20) lines.push(`          … ${result.events.length - 20} more (see --out)`);
	lines.push('');
	lines.push(`  ${'market'.padEnd(12)} ${'PnL'.padStart(12)} ${'trades'.padStart(7)} ${'win rate'.padStart(9)} ${'fees'.padStart(10)} ${'exposure'.padStart(9)}`);
	for (const a of result.attribution)
		lines.push(
			`  ${a.symbol.padEnd(12)} ${a.pnl.toFixed(2).padStart(12)} ${String(a.trades).padStart(7)} ${(a.trades ? pct(a.winRate) : '—').padStart(9)} ${a.fees.toFixed(2).padStart(10)} ${pct(a.exposureRatio).padStart(9)}`
		);
	return lines.join('\n') + '\n';
}

/**
 * The JSON result of a portfolio run: input, config, summary, metrics, per-market attribution, trades (with `symbol`,
 * ISO times), events (`bar`, `time` ISO, `type`, `action`, `value`), and per union bar `openTime`, `equity`,
 * `openPositions`. NaN and ±Infinity are written as null.
 */
export function portfolioJsonText(report: PortfolioCliReport): string {
	const { options, result, metrics, windows, warnings } = report;
	const replacer = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
	const head = {
		input: {
			markets: options.symbols.map((s, i) => ({
				symbol: s,
				data: options.dataPaths[i],
				bars: windows[i].ohlcv.openTime.length,
				firstOpenTime: isoUtc(windows[i].ohlcv.openTime[0]),
				lastOpenTime: isoUtc(windows[i].ohlcv.openTime[windows[i].ohlcv.openTime.length - 1])
			})),
			bars: result.openTime.length,
			warnings
		},
		config: options.config,
		summary: { ...result.summary, liquidations: result.liquidations },
		metrics,
		attribution: result.attribution,
		events: result.events.map((e) => ({ ...e, time: isoUtc(e.time) }))
	};
	const body = JSON.stringify(head, replacer, 2).replace(/\n}$/, '');
	const trades = result.trades.map((tr) => '    ' + JSON.stringify({ ...tr, entryTime: isoUtc(tr.entryTime), exitTime: isoUtc(tr.exitTime) }, replacer)).join(',\n');
	return (
		`${body},\n  "trades": [${result.trades.length ? `\n${trades}\n  ` : ''}],\n` +
		`  "openTime": ${JSON.stringify(Array.from(result.openTime))},\n` +
		`  "equity": ${JSON.stringify(Array.from(result.equity), replacer)},\n` +
		`  "openPositions": ${JSON.stringify(Array.from(result.openPositions))}\n}\n`
	);
}
