/**
 * The research command as a function: one optimisation per (market, timeframe, strategy) over several kline files,
 * the best-parameters table with the out-of-sample (hold-out) check, the job JSON, and optionally recommendations.
 * Execution and data-window flags are the backtest / optimise ones (parsed by src/cli/args.ts, costs by costs.ts).
 * Returns the exit status (tests call it in-process).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { generateRecommendations } from '../lib/analysis/recommendations';
import type { Recommendation } from '../lib/analysis/recommendation-types';
import { ValidationError } from '../lib/core/errors';
import { isTimeframe, isoUtc, timeframeMs } from '../lib/core/timeframe';
import type { OhlcvColumns, Timeframe } from '../lib/core/types';
import { createNodeEngine, createNodePortfolioEngine } from '../lib/engine/node';
import { getStrategy, STRATEGY_IDS } from '../lib/engine/strategies';
import type { StrategyId } from '../lib/engine/types';
import { formatMetric } from '../lib/metrics';
import { STATISTIC_KEYS, type AxisSpec, type StatisticKey, type TrialStats } from '../lib/optimize';
import {
	createInProcessEvaluator,
	createResearchJob,
	historyRecordOf,
	isRiskSetting,
	MemoryPresetStore,
	RISK_SETTINGS,
	runResearch,
	sliceByTime,
	type CandleSource,
	type Preset,
	type PresetValues,
	type ResearchJob,
	type ResearchJobSpec,
	type ResearchStrategySpec
} from '../lib/research';
import { COMMON_OPTIONS, parseCliArgs } from './args';
import { parseParamItem } from './optimize-args';
import { formatCliError } from './output';
import { NodeResearchPool } from './research-pool';
import { autoThreads, estimatedResearchWork, MIN_WORK_FOR_THREADS } from './threads';
import { loadKlineFile } from './run';

/** Where the command writes. */
export interface ResearchIo {
	stdout: (text: string) => void;
	stderr: (text: string) => void;
}

/** Statistics of `bestStats` in the JSON: the same keys as `npm run optimize` rows (ROW_STATS of optimize-main.ts). */
export const RESEARCH_ROW_STATS = ['finalEquity', 'totalReturnRatio', 'maxDrawdownRatio', 'nTrades', 'winRate', 'sharpeRatio'] as const;

const OPTIONS = {
	...COMMON_OPTIONS,
	data: { type: 'string', multiple: true },
	strategy: { type: 'string', multiple: true },
	objective: { type: 'string' },
	'min-trades': { type: 'string' },
	'hold-out': { type: 'string' },
	'top-k': { type: 'string' },
	name: { type: 'string' },
	description: { type: 'string' },
	presets: { type: 'string' },
	recommend: { type: 'boolean' },
	history: { type: 'string', multiple: true },
	'min-samples': { type: 'string' },
	threads: { type: 'string' }
} as const;

/** Execution flags handed to the backtest parser unchanged. */
const PASS_THROUGH = ['direction', 'fee', 'slippage', 'stop-loss', 'take-profit', 'atr-period', 'sizing', 'initial-cash', 'from', 'to'] as const;

/** Percent aliases of the owner's design: `stop_loss_percent=1:5:1` is `stopLoss=0.01:0.05:0.01`. */
const PERCENT_ALIASES: Record<string, string> = { stop_loss_percent: 'stopLoss', take_profit_percent: 'takeProfit' };

/** Help text of `npm run research -- --help`. */
export function researchHelpText(): string {
	return `Optimise strategies over several markets and timeframes at once: one optimisation per (market, timeframe,
strategy) on the evidence window, the best parameters re-run on a hold-out window after it (out-of-sample check),
the best-parameters table, the job JSON and, with --recommend, recommendations checked out of sample.

Usage:
  npm run --silent research -- --data FILE.csv [--data FILE.csv ...] --strategy ID [--strategy ID ...]
                               --param [STRATEGY.]NAME=START:END:STEP|a,b,c ... --objective KEY [--min-trades N]
                               [execution and window flags] --out job.json [--recommend]

Data:
  --data FILE.csv          a Binance kline CSV; market and interval come from the name SYMBOL-INTERVAL*.csv
                           (e.g. BTCUSDT-1h.csv, ETHUSDT-4h-2025-2026.csv); an interval missing from the name is
                           inferred from the bar spacing. Give several files for several markets and timeframes;
                           the job uses the range every file covers (--from/--to narrow it).
Search:
  --strategy ID            a strategy to optimise (repeat for several): ${STRATEGY_IDS.join(', ')}.
  --param NAME=...         a range START:END:STEP or a list a,b,c (fixed value: NAME=VALUE) for every strategy that
                           has NAME; prefix STRATEGY. for one strategy (sma-cross.fast=5:20:5).
                           Risk settings searched with every strategy: ${RISK_SETTINGS.join(', ')}
                           (fractions; stop_loss_percent / take_profit_percent take percent: 1:5:1 = 1 % .. 5 %).
  --objective KEY          statistic each row maximises (default sharpeRatio): ${STATISTIC_KEYS.join(', ')}.
  --min-trades N           fewer trades: not ranked (default 1).
  --hold-out R             share of the common range kept out of the search for the out-of-sample check (default 0.25).
  --top-k N                best trials kept per row (default 20).
Execution and window: the flags of \`npm run optimize\`: --direction, --fee, --slippage, --stop-loss, --take-profit,
  --atr-period, --sizing, --initial-cash, --from, --to (--last-contiguous is not supported: use --from/--to).
Presets:
  --presets FILE.json      presets ("the settings I trade with", a JSON array of preset records or of
                           {symbol, interval, strategy, params}) used as each row's baseline; default: strategy defaults.
Output:
  --out FILE.json          the job: {job, rows[{symbol, interval, strategy, bestParams, bestStats, trials, baseline,
                           improvement, oos}], notes, history}; bestStats has the keys of \`npm run optimize\` rows
                           (${RESEARCH_ROW_STATS.join(', ')}); ratios are fractions, undefined values null.
  --recommend              print recommendations (parameter, market, timeframe, risk) with their out-of-sample
                           figures and confidence, and add them to the JSON.
  --history FILE.json      earlier --out files whose rows count as evidence for --recommend (repeatable).
  --min-samples N          fewest samples a recommendation needs (default 10).
Run:
  --threads N              worker threads; 1 = run in the main thread (default: 1 for a job below ${MIN_WORK_FOR_THREADS / 1e6} M
                           bar-evaluations (Σ trials × bars over rows), else the CPU cores, at most 8).
  -h, --help               show this text.

Exit status: 0 success; 2 bad arguments; 1 bad data file, missing WASM build, a failed job or another error.

Example (2 markets x 2 timeframes x 2 strategies on the repository's fixtures):
  npm run --silent research -- --data tests/fixtures/klines/BTCUSDT-1h.csv --data tests/fixtures/klines/ETHUSDT-1h.csv \\
    --data tests/fixtures/klines/BTCUSDT-4h-2025-2026.csv --data tests/fixtures/klines/ETHUSDT-4h-2025-2026.csv \\
    --strategy sma-cross --strategy rsi-mean-reversion --param fast=5:20:5 --param slow=30:90:20 \\
    --param period=7,14,21 --param oversold=20,25,30 --objective sharpeRatio --min-trades 3 \\
    --from 2025-01-01 --to 2026-07-25 --out job.json --recommend --min-samples 4
`;
}

/** A parsed research request. */
export interface ResearchOptions {
	files: { path: string; symbol: string; interval?: Timeframe }[];
	spec: ResearchJobSpec;
	outPath: string;
	presetsPath?: string;
	recommend: boolean;
	historyPaths: string[];
	minSamples: number;
	/** Worker threads (1 = evaluate in the main thread); without --threads the usable cores, see `threadsGiven`. */
	threads: number;
	/** Whether --threads was given; otherwise {@link autoThreads} picks 1 or `threads` by the job's size. */
	threadsGiven: boolean;
}

function num(flag: string, raw: string): number {
	const v = Number(raw.trim());
	if (raw.trim() === '' || !Number.isFinite(v)) throw new ValidationError(`${flag}: '${raw}' is not a number.`);
	return v;
}

/**
 * Market and interval from a file name `SYMBOL-INTERVAL*.csv`.
 * @returns symbol (upper case) and interval when the name has one.
 */
export function inferMarket(path: string): { symbol: string; interval?: Timeframe } {
	const name = basename(path).replace(/\.csv$/i, '');
	const m = /^([A-Za-z0-9]+)-(\d+[mhdwM])(?:[-_.].*)?$/.exec(name);
	if (m && isTimeframe(m[2])) return { symbol: m[1].toUpperCase(), interval: m[2] };
	const s = /^([A-Za-z0-9]+)/.exec(name);
	return { symbol: (s?.[1] ?? name).toUpperCase() };
}

/**
 * Parse and validate the research command's arguments.
 * @throws ValidationError naming the flag and the problem.
 */
export function parseResearchArgs(argv: readonly string[]): { kind: 'help' } | { kind: 'run'; options: ResearchOptions } {
	let values: ReturnType<typeof parse>['values'];
	try {
		values = parse(argv).values;
	} catch (e) {
		throw new ValidationError(`${String((e as Error).message ?? e).split('\n')[0]}; see --help for the options.`);
	}
	if (values.help) return { kind: 'help' };
	const dataPaths = values.data ?? [];
	if (dataPaths.length === 0) throw new ValidationError('--data FILE.csv is required (repeat it for several markets and timeframes).');
	const strategies = (values.strategy ?? []).map((s) => getStrategy(s).id);
	if (strategies.length === 0) throw new ValidationError(`--strategy ID is required: use one of ${STRATEGY_IDS.join(', ')}.`);
	if (new Set(strategies).size !== strategies.length) throw new ValidationError('a --strategy is given twice; give each once.');
	if (values['last-contiguous'] !== undefined) throw new ValidationError('--last-contiguous is not supported by research (markets must share one range): use --from/--to.');
	if (values.interval !== undefined) throw new ValidationError('--interval is not used by research: the interval comes from each file name (SYMBOL-INTERVAL.csv) or its bar spacing.');

	// Parameters: per strategy (prefixed or every strategy that has the name), risk settings for all.
	const perStrategy = new Map<StrategyId, { axes: AxisSpec[]; fixed: Record<string, number | boolean | string> }>(strategies.map((s) => [s, { axes: [], fixed: {} }]));
	const riskAxes: AxisSpec[] = [];
	for (const raw of values.param ?? []) {
		let item = raw;
		let only: StrategyId | undefined;
		const pre = /^([a-z][a-z0-9-]*)\.(.+)$/.exec(raw);
		if (pre && (STRATEGY_IDS as string[]).includes(pre[1])) {
			only = pre[1] as StrategyId;
			if (!strategies.includes(only)) throw new ValidationError(`--param ${raw}: ${only} is not one of the --strategy values.`);
			item = pre[2];
		}
		let p = parseParamItem(item);
		const name = 'axis' in p ? p.axis.name : p.name;
		if (name in PERCENT_ALIASES) {
			if (!('axis' in p)) throw new ValidationError(`--param ${name}: give a range or list to search (for a fixed value use --${name === 'stop_loss_percent' ? 'stop-loss' : 'take-profit'}).`);
			const a = p.axis;
			const to = PERCENT_ALIASES[name];
			p = { axis: 'values' in a ? { name: to, values: a.values.map((v) => Number(v) / 100) } : { name: to, start: a.start / 100, end: a.end / 100, step: a.step / 100 } };
		}
		const n = 'axis' in p ? p.axis.name : p.name;
		if (isRiskSetting(n)) {
			if (!('axis' in p)) throw new ValidationError(`--param ${n}=VALUE: a risk setting is fixed with the execution flags (--stop-loss, --take-profit, --sizing); search it with a range or list.`);
			if (riskAxes.some((a) => a.name === n)) throw new ValidationError(`--param ${n} is given more than once.`);
			riskAxes.push(p.axis);
			continue;
		}
		const targets = only ? [only] : strategies.filter((s) => getStrategy(s).params.some((q) => q.name === n));
		if (targets.length === 0) throw new ValidationError(`--param ${n}: none of ${strategies.join(', ')} has a parameter ${n} (and it is not a risk setting: ${RISK_SETTINGS.join(', ')}).`);
		for (const t of targets) {
			const e = perStrategy.get(t)!;
			if (e.axes.some((a) => a.name === n) || n in e.fixed) throw new ValidationError(`--param ${n} is given more than once for ${t}.`);
			if ('axis' in p) e.axes.push(p.axis);
			else e.fixed[n] = p.value;
		}
	}

	// Execution and window flags through the backtest parser (the same checks and defaults as backtest / optimize).
	const btArgv = [`--data=${dataPaths[0]}`, `--strategy=${strategies[0]}`];
	for (const k of PASS_THROUGH) if (values[k] !== undefined) btArgv.push(`--${k}=${values[k]}`);
	if (values['allow-large-costs']) btArgv.push('--allow-large-costs');
	const parsed = parseCliArgs(btArgv);
	if (parsed.kind !== 'run') return { kind: 'help' };
	const { config, window } = parsed.options;

	const objective = (values.objective ?? 'sharpeRatio') as StatisticKey;
	if (!STATISTIC_KEYS.includes(objective)) throw new ValidationError(`--objective must be one of ${STATISTIC_KEYS.join(', ')}, got '${values.objective}'.`);
	let minTrades = 1;
	if (values['min-trades'] !== undefined) {
		minTrades = num('--min-trades', values['min-trades']);
		if (!Number.isInteger(minTrades) || minTrades < 0) throw new ValidationError(`--min-trades must be a whole number >= 0, got '${values['min-trades']}'.`);
	}
	const holdOut = values['hold-out'] === undefined ? 0.25 : num('--hold-out', values['hold-out']);
	const topK = values['top-k'] === undefined ? 20 : num('--top-k', values['top-k']);
	const minSamples = values['min-samples'] === undefined ? 10 : num('--min-samples', values['min-samples']);
	if (!Number.isInteger(minSamples) || minSamples < 1) throw new ValidationError(`--min-samples must be a whole number >= 1, got '${values['min-samples']}'.`);
	let threads = Math.max(1, Math.min(8, availableParallelism()));
	if (values.threads !== undefined) {
		threads = num('--threads', values.threads);
		if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new ValidationError(`--threads must be a whole number from 1 to 64, got '${values.threads}'.`);
	}
	if (values.out === undefined || !values.out.toLowerCase().endsWith('.json')) throw new ValidationError('--out FILE.json is required: where to write the job (rows, best parameters, out-of-sample checks).');

	const files = dataPaths.map((path) => ({ path, ...inferMarket(path) }));
	const seen = new Set<string>();
	for (const f of files) {
		const k = `${f.symbol}|${f.interval ?? '?'}`;
		if (f.interval && seen.has(k)) throw new ValidationError(`two --data files are ${f.symbol} ${f.interval}; give one file per market and interval.`);
		seen.add(k);
	}
	const strategySpecs: ResearchStrategySpec[] = strategies.map((s) => ({ strategy: s, axes: perStrategy.get(s)!.axes, fixed: perStrategy.get(s)!.fixed }));
	const spec: ResearchJobSpec = {
		name: values.name ?? `research ${strategies.join(', ')}`,
		description: values.description ?? '',
		markets: [...new Set(files.map((f) => f.symbol))],
		timeframes: [], // filled once the files' intervals are known
		strategies: strategySpecs,
		riskAxes,
		objective: { key: objective, minTrades },
		window: { fromMs: window.fromMs, toMs: window.toMs },
		execution: {
			direction: config.direction,
			feeRate: config.feeRate,
			slippageRate: config.slippageRate,
			initialCash: config.initialCash,
			stopLoss: config.stopLoss,
			takeProfit: config.takeProfit,
			atrPeriod: config.atrPeriod,
			sizing: config.sizing,
			leverage: 1,
			breakers: []
		},
		validation: { mode: 'hold-out', fraction: holdOut },
		topK
	};
	return {
		kind: 'run',
		options: { files, spec, outPath: values.out, presetsPath: values.presets, recommend: !!values.recommend, historyPaths: values.history ?? [], minSamples, threads, threadsGiven: values.threads !== undefined }
	};
}

function parse(argv: readonly string[]) {
	return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
}

/** Presets from a JSON file: full preset records, or `{symbol, interval, strategy, params, risk?}` entries. */
async function readPresets(path: string): Promise<MemoryPresetStore> {
	let raw: unknown;
	try {
		raw = JSON.parse(readFileSync(path, 'utf8'));
	} catch (e) {
		throw new ValidationError(`cannot read --presets '${path}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
	}
	if (!Array.isArray(raw)) throw new ValidationError(`--presets '${path}' must hold a JSON array of presets.`);
	const store = new MemoryPresetStore();
	for (const [i, p] of raw.entries()) {
		const e = p as Partial<Preset> & { params?: PresetValues['params']; risk?: PresetValues['risk'] };
		if (!e || typeof e.symbol !== 'string' || typeof e.interval !== 'string' || typeof e.strategy !== 'string') {
			throw new ValidationError(`--presets entry ${i}: needs symbol, interval and strategy.`);
		}
		const values: PresetValues = e.values ?? { params: e.params ?? {}, ...(e.risk ? { risk: e.risk } : {}) };
		await store.put({
			version: 1,
			id: `${e.symbol}|${e.interval}|${e.strategy}`,
			symbol: e.symbol,
			interval: e.interval as Timeframe,
			strategy: e.strategy,
			strategyId: (e.strategyId ?? e.strategy) as StrategyId,
			values,
			createdAt: e.createdAt ?? 0,
			updatedAt: e.updatedAt ?? 0,
			history: e.history ?? []
		});
	}
	return store;
}

const fmtStat = (k: string, v: number | null | undefined) =>
	v === null || v === undefined || Number.isNaN(v) ? '—' : !Number.isFinite(v) ? (v > 0 ? '∞' : '−∞') : formatMetric(k, v);
const pct = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %` : Number.isNaN(x) ? '—' : x > 0 ? '+∞' : '−∞');
const pts = (x: number) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} points` : '—');

function paramsText(v: PresetValues | null, axes: readonly string[]): string {
	if (!v) return '—';
	const all: Record<string, unknown> = { ...v.params, ...(v.risk ?? {}) };
	return axes.map((a) => `${a}=${all[a] ?? 'none'}`).join(' ');
}

/** The best-parameters table as aligned text. */
export function researchTable(job: ResearchJob): string {
	const key = job.spec.objective.key;
	const head = ['Market', 'TF', 'Strategy', 'Best parameters', key, 'Return', 'Win rate', 'PF', 'Max DD', 'Trades', 'Baseline', `Baseline ${key}`, 'Improvement', 'Hold-out', 'OOS'];
	const body = job.rows.map((r) => {
		if (r.status !== 'completed') return [r.symbol, r.interval, r.strategy, `${r.status}: ${r.error ?? ''}`, '', '', '', '', '', '', '', '', '', '', ''];
		const s = r.bestStats as TrialStats | null;
		return [
			r.symbol,
			r.interval,
			r.strategy,
			paramsText(r.bestParams, r.axes),
			fmtStat(key, s?.[key]),
			fmtStat('totalReturnRatio', s?.totalReturnRatio),
			fmtStat('winRate', s?.winRate),
			fmtStat('profitFactor', s?.profitFactor),
			fmtStat('maxDrawdownRatio', s?.maxDrawdownRatio),
			String(s?.nTrades ?? '—'),
			r.baseline ? `${r.baseline.source}: ${paramsText(r.baseline.values, r.axes)}` : '—',
			fmtStat(key, r.baseline?.evidence[key]),
			pct(r.oos?.evidenceImprovement ?? NaN),
			`${fmtStat(key, r.oos?.holdOut.best)} vs ${fmtStat(key, r.oos?.holdOut.baseline)}`,
			r.oos?.passed ? 'passed' : 'failed'
		];
	});
	const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
	const line = (cells: string[]) => '  ' + cells.map((c, i) => (i < 4 || i === 10 ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  ').trimEnd() + '\n';
	return line(head) + body.map(line).join('');
}

/** Recommendations as printed lines. */
export function recommendationsText(recs: readonly Recommendation[]): string {
	if (!recs.length) return 'Recommendations: none (too few samples or no candidate improved in sample).\n';
	return (
		'Recommendations:\n' +
		recs
			.map((r) => {
				const c = r.confidence;
				return (
					`  [${r.actionable ? 'actionable' : 'rejected by the check'}] ${r.title}\n` +
					`    out of sample: held ${c.held}/${c.samples} (${(c.holdRate * 100).toFixed(0)} %, p = ${c.pValue.toFixed(4)}), ${r.objective.key} ${pct(r.expected.objective)}, ` +
					`win rate ${pts(r.expected.winRate)}, return ${pts(r.expected.totalReturnRatio)}; confidence ${(c.value * 100).toFixed(0)} % ` +
					`(hold-rate lower bound ${(c.holdRateLower * 100).toFixed(0)} % × deflated Sharpe ${(c.dsr * 100).toFixed(0)} %, ${c.candidates} candidates)\n` +
					`    ${r.explanation}\n`
				);
			})
			.join('')
	);
}

/**
 * Run the research command.
 * @returns 0 on success, 2 for bad arguments, 1 for bad data, a failed job or a runtime error (one line on stderr
 *   starting with `error: `).
 */
export async function researchMain(argv: readonly string[], io: ResearchIo = processIo): Promise<number> {
	let cmd: ReturnType<typeof parseResearchArgs>;
	try {
		cmd = parseResearchArgs(argv);
	} catch (e) {
		io.stderr(`error: ${formatCliError(e)}\n`);
		return e instanceof ValidationError ? 2 : 1;
	}
	if (cmd.kind === 'help') {
		io.stdout(researchHelpText());
		return 0;
	}
	try {
		return await run(cmd.options, io);
	} catch (e) {
		io.stderr(`error: ${formatCliError(e)}\n`);
		return e instanceof ValidationError ? 2 : 1;
	}
}

async function run(o: ResearchOptions, io: ResearchIo): Promise<number> {
	// Load every file once; the interval comes from the name or the bar spacing.
	const series = new Map<string, OhlcvColumns>();
	const intervals: Timeframe[] = [];
	for (const f of o.files) {
		const file = loadKlineFile(f.path, f.interval ? timeframeMs(f.interval) : undefined);
		const interval = f.interval ?? (Object.entries({ '1m': 1, '3m': 3, '5m': 5, '15m': 15, '30m': 30, '1h': 60, '2h': 120, '4h': 240, '6h': 360, '8h': 480, '12h': 720, '1d': 1440, '3d': 4320, '1w': 10080 }).find(([, m]) => m * 60_000 === file.intervalMs)?.[0] as Timeframe | undefined);
		if (!interval) throw new ValidationError(`${f.path}: bars are ${file.intervalMs} ms apart, which is no Binance interval; name the file SYMBOL-INTERVAL.csv.`);
		const k = `${f.symbol}|${interval}`;
		if (series.has(k)) throw new ValidationError(`two --data files are ${f.symbol} ${interval}; give one file per market and interval.`);
		series.set(k, file.ohlcv);
		if (!intervals.includes(interval)) intervals.push(interval);
	}
	const spec: ResearchJobSpec = { ...o.spec, timeframes: intervals };
	const job = createResearchJob(spec);
	const candles: CandleSource = {
		async load(symbol, interval, w) {
			const c = series.get(`${symbol}|${interval}`);
			if (!c) throw new ValidationError(`no ${interval} candles for ${symbol}: add --data ${symbol}-${interval}.csv, or drop that market or interval.`);
			return sliceByTime(c, w.fromMs ?? -Infinity, (w.toMs ?? Infinity) + 1);
		}
	};
	const presets = o.presetsPath ? await readPresets(o.presetsPath) : undefined;
	// Without --threads, a job too small to repay starting worker threads runs in the main thread (the rule of
	// `npm run optimize`, src/cli/threads.ts, on the sum over rows of trials × bars).
	if (!o.threadsGiven) {
		const w = job.spec.window;
		const barsOf = (symbol: string, interval: Timeframe) => {
			const c = series.get(`${symbol}|${interval}`);
			if (!c) return 0;
			let n = 0;
			for (let i = 0; i < c.openTime.length; i++) if (c.openTime[i] >= (w.fromMs ?? -Infinity) && c.openTime[i] <= (w.toMs ?? Infinity)) n++;
			return n;
		};
		o = { ...o, threads: autoThreads(estimatedResearchWork(job.spec, barsOf), o.threads) };
	}
	const t0 = performance.now();
	let lastLine = 0;
	const pool = o.threads > 1 ? new NodeResearchPool(o.threads) : null;
	const abort = new AbortController();
	const onSigint = () => abort.abort();
	process.once('SIGINT', onSigint);
	let out: ResearchJob;
	try {
		out = await runResearch({
			job,
			candles,
			presets,
			evaluator: pool ?? createInProcessEvaluator({ single: () => createNodeEngine(), portfolio: () => createNodePortfolioEngine() }),
			concurrency: o.threads * 2,
			batchSize: 32,
			signal: abort.signal,
			onProgress: (p) => {
				if (performance.now() - lastLine < 2000) return;
				lastLine = performance.now();
				io.stderr(`  ${p.done + p.failed}/${p.total} rows, ${p.trialsDone}/${p.trialsTotal} trials${Number.isFinite(p.etaMs) ? `, ETA ${(p.etaMs / 1000).toFixed(0)} s` : ''}\n`);
			}
		});
	} finally {
		process.off('SIGINT', onSigint);
		await pool?.close();
	}
	if (out.status === 'cancelled') {
		io.stderr('Stopped (Ctrl+C): nothing written.\n');
		return 130;
	}
	const secs = (performance.now() - t0) / 1000;
	if (out.status === 'failed') throw new Error(out.error ?? 'the job failed');
	const r = out.range!;
	io.stdout(
		`${out.rows.length} rows (${spec.markets.length} market(s) × ${intervals.length} timeframe(s) × ${spec.strategies.length} strateg${spec.strategies.length === 1 ? 'y' : 'ies'}), ` +
			`${out.progress.trialsDone.toLocaleString('en-US')} trials in ${secs.toFixed(2)} s with ${o.threads} thread(s); evidence ${isoUtc(r.fromMs)} .. ${isoUtc(r.splitMs)}, hold-out ${isoUtc(r.splitMs)} .. ${isoUtc(r.toMs)}\n`
	);
	io.stdout(researchTable(out));
	for (const n of out.notes) io.stdout(`note: ${n}\n`);
	const history = historyRecordOf(out);
	let recommendations: Recommendation[] | undefined;
	if (o.recommend) {
		const records: unknown[] = history ? [history] : [];
		for (const h of o.historyPaths) {
			try {
				records.push(JSON.parse(readFileSync(h, 'utf8')).history);
			} catch (e) {
				io.stderr(`note: --history ${h} skipped: ${(e as Error).message}\n`);
			}
		}
		const rep = generateRecommendations(records, { now: out.finishedAt ?? Date.now(), minSamples: o.minSamples });
		for (const s of rep.skipped) io.stderr(`note: history record ${s.id ?? s.index} skipped: ${s.reason}\n`);
		recommendations = rep.recommendations;
		io.stdout(recommendationsText(recommendations));
	}
	const rows = out.rows.map((row) => ({
		symbol: row.symbol,
		interval: row.interval,
		strategy: row.strategy,
		status: row.status,
		...(row.error ? { error: row.error } : {}),
		bestParams: row.bestParams ? { ...row.bestParams.params, ...(row.bestParams.risk ?? {}) } : null,
		bestStats: row.bestStats ? Object.fromEntries(RESEARCH_ROW_STATS.map((k) => [k, row.bestStats![k]])) : null,
		trials: row.trials,
		baseline: row.baseline && { source: row.baseline.source, params: { ...row.baseline.values.params, ...(row.baseline.values.risk ?? {}) }, evidence: row.baseline.evidence, holdOut: row.baseline.holdOut },
		improvement: row.oos?.evidenceImprovement ?? null,
		oos: row.oos,
		confidence: row.deflated?.dsr ?? null,
		top: row.top.map((t) => ({ values: t.values, stats: t.stats, holdOut: t.holdOut ?? null }))
	}));
	const json = {
		job: { id: out.id, name: out.spec.name, description: out.spec.description, status: out.status, objective: out.spec.objective, range: out.range, markets: out.spec.markets, timeframes: out.spec.timeframes, strategies: out.spec.strategies, riskAxes: out.spec.riskAxes, execution: out.spec.execution, seconds: secs },
		rows,
		notes: out.notes,
		history,
		...(recommendations ? { recommendations } : {})
	};
	const replacer = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
	try {
		writeFileSync(o.outPath, JSON.stringify(json, replacer, 2) + '\n');
	} catch (e) {
		throw new Error(`cannot write --out file '${o.outPath}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
	}
	io.stdout(`Wrote ${o.outPath}\n`);
	return 0;
}

const processIo: ResearchIo = {
	stdout: (text) => void process.stdout.write(text),
	stderr: (text) => void process.stderr.write(text)
};
