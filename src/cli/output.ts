/**
 * What the CLI prints and writes: the readable summary, the JSON result and one-line error messages.
 * Pure functions of a {@link CliReport}.
 */
import { isoUtc } from '../lib/core/timeframe';
import { KlineImportError } from '../lib/data/errors';
import { strategyDefinitionOf } from '../lib/engine/strategies';
import type { BacktestConfig, ExitReason, LevelSpec, Trade } from '../lib/engine/types';
import type { CoreSummary } from '../lib/engine/wasm-engine';
import { formatMetric, METRIC_INFO, type Metrics } from '../lib/metrics';
import type { CliReport } from './run';

/** One trade in the JSON result: the engine's trade with ISO-8601 UTC bar times. */
export interface TradeJson extends Omit<Trade, 'entryTime' | 'exitTime' | 'legs'> {
	/** Legs of a trade closed in parts (pattern-zones), leg time ISO-8601 UTC. */
	legs?: (Omit<NonNullable<Trade['legs']>[number], 'time'> & { time: string })[];
	/** Open time of the entry bar, ISO-8601 UTC (`2025-07-29T10:00:00Z`). */
	entryTime: string;
	/** Open time of the exit bar (the last bar for an end-of-data exit), ISO-8601 UTC. */
	exitTime: string;
}

/** Shape of the `--out` JSON file (before NaN/Infinity become null). */
export interface ResultJson {
	input: {
		/** `--data` path as given. */
		data: string;
		format: string;
		timeUnit: 'ms' | 'us';
		intervalMs: number;
		/** Bars in the file. */
		fileBars: number;
		/** Missing candles in the whole file (gaps), count of gaps. */
		fileGaps: number;
		/** Window options as given (ms UTC). */
		window: { from: string | null; to: string | null; lastContiguous: number | null };
		/** How the window was chosen, in words. */
		windowDescription: string;
		/** Bars backtested. */
		bars: number;
		/** Open time of the first and last backtested bar, ISO-8601 UTC. */
		firstOpenTime: string;
		lastOpenTime: string;
		warnings: string[];
	};
	config: BacktestConfig;
	/** Look-ahead audit: verdict, prefix cuts, warm-up per signal, and the first finding when it failed. */
	audit: CliReport['audit'];
	/** Headline figures from the WASM core (finalEquity, totalReturnRatio, maxDrawdownRatio, nTrades, winRate, totalFees, ...). */
	summary: CoreSummary;
	/** Every statistic (src/lib/metrics): ratios are fractions, amounts quote currency, times Unix ms UTC. */
	metrics: Metrics;
	trades: TradeJson[];
	/** Open time of every backtested bar (Unix ms UTC), aligned with `equity`. */
	openTime: number[];
	/** Equity marked at every bar's close (quote currency), one value per bar. */
	equity: number[];
	/** pattern-zones runs: zones detected / kept / duplicates / traded / skipped / invalidated / expired … */
	zoneCounts?: import('../lib/engine/zones-types').ZoneCounts;
	/** pattern-zones runs: every zone (confirmation time as ISO UTC). */
	zones?: (Omit<import('../lib/engine/zones-types').Zone, 'time'> & { time: string })[];
}

/**
 * Build the JSON result of a run.
 * @param report - the run (see {@link CliReport}).
 * @returns the result object; numbers may still be NaN/Infinity (see {@link resultJsonText}).
 */
export function buildResultJson(report: CliReport): ResultJson {
	const { options, file, window, result, metrics, warnings } = report;
	const t = window.ohlcv.openTime;
	return {
		input: {
			data: options.dataPath,
			format: file.format,
			timeUnit: file.timeUnit,
			intervalMs: file.intervalMs,
			fileBars: file.ohlcv.openTime.length,
			fileGaps: file.gaps.length,
			window: {
				from: options.window.fromMs !== undefined ? isoUtc(options.window.fromMs) : null,
				to: options.window.toMs !== undefined ? isoUtc(options.window.toMs) : null,
				lastContiguous: options.window.lastContiguous ?? null
			},
			windowDescription: window.description,
			bars: t.length,
			firstOpenTime: isoUtc(t[0]),
			lastOpenTime: isoUtc(t[t.length - 1]),
			warnings
		},
		config: options.config,
		audit: report.audit,
		summary: result.summary,
		metrics,
		trades: result.trades.map(({ legs, ...tr }) => ({
			...tr,
			entryTime: isoUtc(tr.entryTime),
			exitTime: isoUtc(tr.exitTime),
			...(legs ? { legs: legs.map((l) => ({ ...l, time: isoUtc(l.time) })) } : {})
		})),
		openTime: Array.from(t),
		equity: Array.from(result.equity),
		...(result.zoneCounts ? { zoneCounts: result.zoneCounts, zones: (result.zones ?? []).map((z) => ({ ...z, time: isoUtc(z.time) })) } : {})
	};
}

/**
 * Serialise the result as JSON text. NaN and ±Infinity (undefined statistics such as a profit factor without
 * losing trades) are written as `null`, since JSON has no such numbers.
 * @param report - the run.
 * @returns JSON text (two-space indent for the header blocks, arrays kept compact), ending with a newline.
 */
export function resultJsonText(report: CliReport): string {
	const json = buildResultJson(report);
	const replacer = (_key: string, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value);
	const { openTime, equity, trades, ...head } = json;
	// Per-bar arrays on one line each, one trade per line: readable and about 3x smaller than fully indented.
	const body = JSON.stringify(head, replacer, 2).replace(/\n}$/, '');
	const tradeLines = trades.map((tr) => '    ' + JSON.stringify(tr, replacer)).join(',\n');
	return (
		`${body},\n  "trades": [${trades.length ? `\n${tradeLines}\n  ` : ''}],\n` +
		`  "openTime": ${JSON.stringify(openTime, replacer)},\n` +
		`  "equity": ${JSON.stringify(equity, replacer)}\n}\n`
	);
}

const pct = (x: number) => `${(x * 100).toFixed(x * 100 < 0.01 && x > 0 ? 4 : 2).replace(/\.?0+$/, '') || '0'} %`;

function levelText(level: LevelSpec, atrPeriod: number): string {
	if (level.mode === 'none') return 'none';
	if (level.mode === 'fraction') return pct(level.value);
	return `${level.value} × ATR(${atrPeriod})`;
}

/**
 * One line describing a configuration in words.
 * @param config - a validated configuration.
 * @returns e.g. `sma-cross fast=10 slow=30, long-only, fee 0.1 %, slippage 0 %, stop-loss 2 %, take-profit 4 %, sizing all-in, initial cash 10000`.
 */
export function describeConfig(config: BacktestConfig): string {
	const def = strategyDefinitionOf(config);
	const params = def.params
		.map((p) => {
			const v = config.params[p.name] ?? p.default;
			return `${p.name}=${p.options?.find((o) => o.value === Number(v))?.label ?? v}`;
		})
		.join(' ');
	const s = config.sizing;
	const sizing =
		s.mode === 'equity-fraction'
			? s.fraction === 1
				? 'all-in'
				: `${pct(s.fraction)} of equity`
			: s.mode === 'fixed-notional'
				? `${s.amount} quote per entry`
				: `risk ${pct(s.fraction)} of equity per trade`;
	const levels = def.ownsExitLevels
		? config.strategy === 'rules' ? 'stop-loss/take-profit from the rule' : 'stop-loss/take-profit from the strategy (ATR)'
		: `stop-loss ${levelText(config.stopLoss, config.atrPeriod)}, take-profit ${levelText(config.takeProfit, config.atrPeriod)}`;
	return (
		`${config.strategy === 'rules' ? `rules ${config.rules?.name ?? ''}` : config.strategy} ${params}, ${config.direction === 'long' ? 'long-only' : 'long-short'}, fee ${pct(config.feeRate)}, ` +
		`slippage ${pct(config.slippageRate)}, ${levels}, sizing ${sizing}, initial cash ${config.initialCash}`
	);
}

/**
 * The readable summary printed to stdout: data and window, configuration, every statistic (labels and
 * formatting from METRIC_INFO / formatMetric) and trades by exit reason.
 * @param report - the run.
 * @returns multi-line text ending with a newline.
 */
export function formatSummary(report: CliReport): string {
	const { file, window, result, metrics } = report;
	const t = window.ohlcv.openTime;
	const lines: string[] = [];
	const n = (x: number) => x.toLocaleString('en-US');
	lines.push(
		`Data      ${report.options.dataPath} (${file.format}, times in ${file.timeUnit}, ${formatMetric('spanMs', file.intervalMs)} candles): ` +
			`${n(file.ohlcv.openTime.length)} bars, ${file.gaps.length} gap(s)`
	);
	lines.push(`Window    ${n(t.length)} bars, ${isoUtc(t[0])} .. ${isoUtc(t[t.length - 1])} (${window.description})`);
	lines.push(`Config    ${describeConfig(report.options.config)}`);
	lines.push(`Audit     ${report.audit.summary}`);
	lines.push('');
	const width = Math.max(...METRIC_INFO.map((m) => m.label.length));
	for (const m of METRIC_INFO) {
		lines.push(`  ${m.label.padEnd(width)}  ${formatMetric(m.key, metrics[m.key])}`);
	}
	lines.push('');
	const reasons: Record<ExitReason, number> = { signal: 0, stop_loss: 0, take_profit: 0, end_of_data: 0, circuit_breaker: 0, liquidation: 0 };
	for (const tr of result.trades) reasons[tr.exitReason]++;
	lines.push(
		`Exits     ${Object.entries(reasons)
			.map(([k, v]) => `${k} ${v}`)
			.join(', ')}`
	);
	if (result.zoneCounts) {
		const c = result.zoneCounts;
		lines.push(
			`Zones     detected ${c.detected}, kept ${c.kept}, duplicates ${c.duplicates}, traded ${c.traded}, skipped ${c.skipped}, ` +
				`invalidated ${c.invalidated}, expired ${c.expired}, active at end ${c.activeAtEnd}`
		);
	}
	const last = result.trades[result.trades.length - 1];
	if (last?.exitReason === 'end_of_data') {
		lines.push(`          the last ${last.direction} position was closed at the last bar's close (end of data)`);
	}
	return lines.join('\n') + '\n';
}

/**
 * One-line message for any error the CLI reports (without the `error: ` prefix). Multi-line messages are joined;
 * a kline file with invalid rows names the file and each listed row by line number.
 * @param err - anything thrown.
 * @returns a single line of text.
 */
export function formatCliError(err: unknown): string {
	if (err instanceof KlineImportError && err.rowErrors.length > 0) {
		const rows = err.rowErrors.map((r) => `line ${r.line}: ${r.message}`).join('; ');
		const more = err.errorCount > err.rowErrors.length ? `; ... ${err.errorCount - err.rowErrors.length} more` : '';
		return `${err.source}: ${err.errorCount} invalid row(s): ${rows}${more}. Fix or remove them; nothing was backtested.`;
	}
	const msg = err instanceof Error ? err.message : String(err);
	return msg
		.split('\n')
		.map((s) => s.trim())
		.filter(Boolean)
		.join(' ');
}
