/**
 * What the CLI does between parsing and printing: read the kline file, cut the requested window, run the WASM
 * core and compute the statistics. Node only (reads files, loads the compiled core from disk).
 */
import { readFileSync } from 'node:fs';
import { DataError } from '../lib/core/errors';
import { isoUtc, sliceOhlcv } from '../lib/core/timeframe';
import type { OhlcvColumns } from '../lib/core/types';
import { describeGaps, findGaps, lastContiguousRun, type Gap } from '../lib/data/gaps';
import { parseKlineCsv, type KlineCsvResult } from '../lib/data/kline-csv';
import { createNodeEngine } from '../lib/engine/node';
import { auditRun, type LookAheadAudit } from '../lib/rules/audit';
import type { BacktestResult } from '../lib/engine/wasm-engine';
import { computeMetrics, type Metrics } from '../lib/metrics';
import type { CliRunOptions, WindowOptions } from './args';

/** A kline file read from disk. */
export interface LoadedKlines extends KlineCsvResult {
	/** Path as given on the command line. */
	path: string;
}

/**
 * Read and parse a kline CSV file.
 * @param path - file path (6- or 12-column Binance kline CSV, see {@link parseKlineCsv}).
 * @param intervalMs - candle length in ms; inferred from the file when undefined.
 * @returns the parsed candles (open time Unix ms UTC), format, time unit, interval, gaps and warnings.
 * @throws DataError when the file cannot be read (names the path and the reason) or the interval cannot be
 *   inferred (a one-row file without `--interval`); KlineImportError (a DataError) for an invalid file.
 */
export function loadKlineFile(path: string, intervalMs?: number): LoadedKlines {
	let text: string;
	try {
		text = readFileSync(path, 'utf8');
	} catch (e) {
		const code = (e as NodeJS.ErrnoException).code;
		const why =
			code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
		throw new DataError(`cannot read --data file '${path}': ${why}.`);
	}
	const parsed = parseKlineCsv(text, { intervalMs, source: path });
	if (!(parsed.intervalMs > 0)) {
		throw new DataError(`${path}: cannot infer the candle interval from ${parsed.ohlcv.openTime.length} bar(s); give --interval (e.g. 1h).`);
	}
	return { ...parsed, path };
}

/** The bars chosen by {@link selectWindow}. */
export interface SelectedWindow {
	/** Candle columns of the window (copies). */
	ohlcv: OhlcvColumns;
	/** Index of the window's first bar in the file's columns. */
	start: number;
	/** One past the index of its last bar in the file's columns. */
	end: number;
	/** Missing candles inside the window (always empty with `lastContiguous`). */
	gaps: Gap[];
	/** How the window was chosen, in words, e.g. `last 8,760 bars of the most recent contiguous run (29,259 bars)`. */
	description: string;
}

/**
 * Choose the bars to backtest: first keep open times in `[fromMs, toMs]`, then, with `lastContiguous = N`, the
 * last N bars of the most recent run without missing candles among them.
 *
 * @param ohlcv - all candles of the file (open time Unix ms UTC, strictly ascending).
 * @param intervalMs - candle length in ms (> 0).
 * @param window - the window options (all optional).
 * @returns the window's columns, its index range in `ohlcv`, its gaps and a description.
 * @throws DataError when no bar is inside `[fromMs, toMs]`, or when the most recent contiguous run is shorter
 *   than N (the message gives its length and dates, and how to get a longer run).
 */
export function selectWindow(ohlcv: OhlcvColumns, intervalMs: number, window: WindowOptions): SelectedWindow {
	const t = ohlcv.openTime;
	const n = t.length;
	let start = 0;
	let end = n;
	const parts: string[] = [];
	if (window.fromMs !== undefined) {
		while (start < n && t[start] < window.fromMs) start++;
	}
	if (window.toMs !== undefined) {
		while (end > start && t[end - 1] > window.toMs) end--;
	}
	if (window.fromMs !== undefined || window.toMs !== undefined) {
		if (end <= start) {
			throw new DataError(
				`no bars between ${window.fromMs !== undefined ? isoUtc(window.fromMs) : 'the start'} and ${window.toMs !== undefined ? isoUtc(window.toMs) : 'the end'} ` +
					`(the file covers ${n > 0 ? `${isoUtc(t[0])} .. ${isoUtc(t[n - 1])}` : 'nothing'}); change --from/--to.`
			);
		}
		parts.push(
			`open time from ${window.fromMs !== undefined ? isoUtc(window.fromMs) : 'the file start'} to ` +
				`${window.toMs !== undefined ? isoUtc(window.toMs) : 'the file end'}`
		);
	}
	if (window.lastContiguous !== undefined) {
		const run = lastContiguousRun(t.subarray(start, end), intervalMs);
		const runStart = start + run.start;
		const runBars = end - runStart;
		const want = window.lastContiguous;
		if (runBars < want) {
			throw new DataError(
				`--last-contiguous ${want} is more than the most recent contiguous run: ${runBars} bar(s), ` +
					`${isoUtc(t[runStart])} .. ${isoUtc(t[end - 1])}` +
					(runStart > start ? ` (missing candles before ${isoUtc(t[runStart])})` : '') +
					`; ask for at most ${runBars} bars.`
			);
		}
		start = end - want;
		parts.push(`last ${want.toLocaleString('en-US')} bars of the most recent contiguous run of ${runBars.toLocaleString('en-US')} bars`);
	}
	const selected = start === 0 && end === n ? ohlcv : sliceOhlcv(ohlcv, start, end);
	return {
		ohlcv: selected,
		start,
		end,
		gaps: findGaps(selected.openTime, intervalMs),
		description: parts.length ? parts.join(', then ') : 'the whole file'
	};
}

/** Everything one CLI run produced, for the summary and the JSON file. */
export interface CliReport {
	options: CliRunOptions;
	file: LoadedKlines;
	window: SelectedWindow;
	result: BacktestResult;
	metrics: Metrics;
	/** Look-ahead audit of the run (src/lib/rules/audit.ts). */
	audit: LookAheadAudit;
	/** Facts for the user that did not stop the run (odd close times, gaps inside the window). */
	warnings: string[];
}

/**
 * Load the file, select the window, run the backtest in the WASM core and compute every statistic.
 * @param options - validated options from `parseCliArgs`.
 * @returns the report (see {@link CliReport}).
 * @throws DataError for an unreadable/invalid file or an impossible window; Error when the WASM build is missing
 *   (the message names `npm run asbuild:release`).
 */
export async function runCliBacktest(options: CliRunOptions): Promise<CliReport> {
	const file = loadKlineFile(options.dataPath, options.intervalMs);
	const window = selectWindow(file.ohlcv, file.intervalMs, options.window);
	let result: BacktestResult;
	let audit: LookAheadAudit;
	try {
		const engine = await createNodeEngine();
		engine.load(window.ohlcv);
		result = engine.run(options.config);
		audit = auditRun(engine, options.config);
	} catch (e) {
		const msg = (e as Error).message ?? '';
		if (/WASM core not found/.test(msg)) {
			throw new Error(`${msg.replace(/`npm run asbuild`/, '`npm run asbuild:release`')}`, { cause: e });
		}
		throw e;
	}
	const metrics = computeMetrics({
		openTime: window.ohlcv.openTime,
		close: window.ohlcv.close,
		equity: result.equity,
		trades: result.trades,
		initialCash: options.config.initialCash,
		intervalMs: file.intervalMs,
		ambiguousBars: result.ambiguousBars
	});
	const warnings = file.warnings.filter((w) => !w.startsWith('Missing candles'));
	if (window.gaps.length > 0) {
		warnings.push(
			`the window has missing candles (${describeGaps(window.gaps)}); the engine treats the bars on either side as ` +
				`consecutive. Use --last-contiguous N or --from/--to to test a stretch without gaps.`
		);
	}
	return { options, file, window, result, metrics, audit, warnings };
}
