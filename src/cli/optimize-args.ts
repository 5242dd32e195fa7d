/**
 * Command-line arguments of `npm run optimize`: a pure parser from `argv` to a validated grid-optimisation request.
 * Execution flags (fees, exits, sizing, window) are delegated to the backtest parser (src/cli/args.ts) so both
 * commands accept and check them the same way; this file adds parameter ranges/lists, --threads, --objective,
 * --min-trades and the CSV/JSON output.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { ValidationError } from '../lib/core/errors';
import { getStrategy, STRATEGY_IDS } from '../lib/engine/strategies';
import { readRulesFile } from './rules-file';
import type { BacktestConfig } from '../lib/engine/types';
import { SearchSpace, STATISTIC_KEYS, type AxisSpec, type StatisticKey } from '../lib/optimize';
import { COMMON_OPTIONS, parseCliArgs, type WindowOptions } from './args';
import { METHOD_HELP, METHOD_OPTIONS, parseMethod } from './optimize-method';
import type { SearchMethod } from '../lib/optimize';

/** A validated optimisation request from the command line. */
export interface OptimizeOptions {
	dataPath: string;
	intervalMs?: number;
	/** Base configuration (fixed parameters set; searched ones at the first valid combination). */
	config: BacktestConfig;
	axes: AxisSpec[];
	window: WindowOptions;
	/** Number of worker threads (1 = evaluate in the main thread): --threads, else the CPU cores (at most 8). */
	threads: number;
	/** True when --threads was given; otherwise the command picks 1 thread for jobs too small to repay worker start-up. */
	threadsGiven: boolean;
	/** Output file (.csv or .json). */
	outPath: string;
	format: 'csv' | 'json';
	objective: StatisticKey;
	minTrades: number;
	/** Summary JSON path (best trials and the overfitting statistics); default `<out without extension>.summary.json`. */
	summaryPath: string;
	/** Search method (default grid). */
	method: SearchMethod;
	/** Where to save the resumable state (optional). */
	statePath?: string;
	/** A saved state to continue (optional). */
	resumePath?: string;
}

/** Result of {@link parseOptimizeArgs}. */
export type OptimizeCommand = { kind: 'help' } | { kind: 'run'; options: OptimizeOptions };

const OPTIONS = {
	...COMMON_OPTIONS,
	threads: { type: 'string' },
	objective: { type: 'string' },
	'min-trades': { type: 'string' },
	summary: { type: 'string' },
	...METHOD_OPTIONS
} as const;

/** Flags handed to the backtest parser unchanged. */
const PASS_THROUGH = ['data', 'strategy', 'rules', 'direction', 'fee', 'slippage', 'stop-loss', 'take-profit', 'atr-period', 'sizing', 'initial-cash', 'last-contiguous', 'from', 'to', 'interval'] as const;

/** Help text of `npm run optimize -- --help`. */
export function optimizeHelpText(): string {
	const strategies = STRATEGY_IDS.map((id) => `  ${id.padEnd(20)} ${getStrategy(id).params.map((p) => (p.type === 'enum' ? `${p.name} (${p.options!.map((o) => o.value).join('|')})` : `${p.name} (${p.min}..${p.max}${p.type === 'float' ? `, step ${p.step}` : ''})`)).join(', ')}`).join('\n');
	return `Run every combination of a parameter grid of a built-in strategy on a Binance kline CSV file (WASM core,
worker threads) and write one row per combination.

Usage:
  npm run --silent optimize -- --data FILE.csv --strategy ID --param NAME=START:END:STEP [--param NAME=a,b,c]
                               [execution options] [--threads N] --out grid.csv|grid.json
  npm run --silent optimize -- --data FILE.csv --rules FILE.rules --param NAME=START:END:STEP ...
                               (your own rules: search the parameters the rule declares)

Parameters:
  --param NAME=START:END:STEP   search START, START+STEP, ... up to END (inclusive), e.g. fast=5:14:1
  --param NAME=a,b,c            search these values, e.g. slow=20,30,50 (enumerations by name,
                                e.g. tpMethod=fixed-rr,swing-target)
  --param NAME=VALUE            keep NAME fixed (booleans true/false); unlisted parameters take their defaults.
  Combinations that break a strategy rule (e.g. fast < slow) are skipped. Strategies and parameters:
${strategies}

Execution and data: the same flags as \`npm run backtest\` (see its --help): --direction, --fee, --slippage,
  --stop-loss, --take-profit, --atr-period, --sizing, --initial-cash, --interval, --from, --to, --last-contiguous.

${METHOD_HELP}

Run:
  --threads N              worker threads (default: CPU cores, at most 8, or 1 for a job too small to repay
                           starting workers: under about 60 M bar-evaluations); 1 = run in the main thread.
  --objective KEY          statistic for the printed best list (default totalReturnRatio): ${STATISTIC_KEYS.join(', ')}.
  --min-trades N           combinations with fewer trades are not ranked in the printed list (default 1).

Output:
  --out FILE.csv|FILE.json one row per evaluated combination, in grid order for the grid method (first --param
                           outermost), in evaluation order for the others (a resumed run appends): the searched
                           parameters, finalEquity, totalReturnRatio, maxDrawdownRatio, nTrades, winRate,
                           sharpeRatio (ratios are fractions; an undefined value, e.g. the Sharpe ratio of a run
                           without trades, is an empty CSV cell or JSON null).
  --summary FILE.json      where to write the summary JSON (default: the --out name with .summary.json):
                           combinations, bars, the best rows, and overfitting {trials, psr, dsr,
                           expectedMaxSharpe (per day), pbo, plateau, ...} of the best trial.
  (stdout)                 combinations, time, bar-evaluations per second, the best rows and the overfitting
                           statistics: PSR and Deflated Sharpe Ratio (Bailey & Lopez de Prado 2014) given every
                           trial's Sharpe ratio, PBO by CSCV over the best 200 trials' daily returns (16 blocks;
                           Bailey, Borwein, Lopez de Prado & Zhu 2017) and the plateau score of the best trial's
                           grid neighbourhood (1 = its neighbours are as good, 0 = no better than an average trial).
  -h, --help               show this text.

Exit status: 0 success; 2 bad arguments; 1 bad data file, missing WASM build or another runtime error.

Example (the S1 grid):
  npm run --silent optimize -- --data tests/fixtures/klines/BTCUSDT-1h.csv --strategy sma-cross \\
    --param fast=5:14:1 --param slow=20:65:5 --last-contiguous 8760 --out grid.csv
`;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function num(flag: string, raw: string): number {
	const s = raw.trim();
	if (!DECIMAL.test(s)) throw new ValidationError(`${flag}: '${raw}' is not a number.`);
	return Number(s);
}

/**
 * Parse one `--param` item.
 * @returns an axis (range or list) or a fixed value.
 * @throws ValidationError for a malformed item.
 */
export function parseParamItem(item: string): { axis: AxisSpec } | { name: string; value: number | boolean | string } {
	const eq = item.indexOf('=');
	const name = eq < 0 ? '' : item.slice(0, eq).trim();
	const raw = eq < 0 ? '' : item.slice(eq + 1).trim();
	if (!name || !raw) throw new ValidationError(`--param must be NAME=START:END:STEP, NAME=a,b,c or NAME=VALUE, got '${item}'.`);
	const flag = `--param ${name}`;
	if (raw.includes(':')) {
		const parts = raw.split(':');
		if (parts.length !== 3) throw new ValidationError(`${flag}: a range is START:END:STEP (e.g. ${name}=5:14:1), got '${raw}'.`);
		const [start, end, step] = parts.map((p) => num(flag, p));
		return { axis: { name, start, end, step } };
	}
	if (raw.includes(',')) {
		const values = raw.split(',').map((p) => {
			const l = p.trim().toLowerCase();
			// Enumeration option names stay strings (the search space maps them to their numbers).
			return l === 'true' ? 1 : l === 'false' ? 0 : /^[a-z][a-z0-9-]*$/.test(l) ? p.trim() : num(flag, p);
		});
		return { axis: { name, values } };
	}
	const l = raw.toLowerCase();
	if (l === 'true' || l === 'false') return { name, value: l === 'true' };
	if (/^[a-z][a-z0-9-]*$/.test(l)) return { name, value: raw };
	return { name, value: num(flag, raw) };
}

/**
 * Parse and validate the optimise command's arguments.
 * @param argv - arguments after the script name.
 * @returns help, or the validated request (axes checked against the strategy schema; execution flags checked by
 *   the backtest parser).
 * @throws ValidationError naming the flag and the problem: unknown flag, no searched parameter, a malformed or
 *   out-of-range range/list, a parameter given twice, no combination passing the strategy rules, --out missing or
 *   not .csv/.json, a bad --threads/--objective/--min-trades, or anything the backtest parser rejects.
 */
export function parseOptimizeArgs(argv: readonly string[]): OptimizeCommand {
	let values: ReturnType<typeof parse>['values'];
	try {
		values = parse(argv).values;
	} catch (e) {
		const msg = String((e as Error).message ?? e).split('\n')[0];
		throw new ValidationError(`${msg}; see --help for the options.`);
	}
	if (values.help) return { kind: 'help' };
	if (values.strategy !== undefined && values.rules !== undefined) throw new ValidationError('give either --strategy ID or --rules FILE, not both.');
	if (values.strategy === undefined && values.rules === undefined)
		throw new ValidationError(`--strategy ID is required: use one of ${STRATEGY_IDS.join(', ')}, or give your own rules with --rules FILE (e.g. static/rules/sma-cross.rules).`);
	const rules = values.rules !== undefined ? readRulesFile(values.rules) : undefined;
	const strategy = rules ? 'rules' : getStrategy(values.strategy!).id;

	const axes: AxisSpec[] = [];
	const fixed: Record<string, number | boolean | string> = {};
	const names = new Set<string>();
	for (const item of values.param ?? []) {
		const p = parseParamItem(item);
		const name = 'axis' in p ? p.axis.name : p.name;
		if (names.has(name)) throw new ValidationError(`--param ${name} is given more than once.`);
		names.add(name);
		if ('axis' in p) axes.push(p.axis);
		else fixed[name] = p.value;
	}
	if (axes.length === 0) throw new ValidationError('give at least one --param NAME=START:END:STEP or NAME=a,b,c to search.');
	const space = new SearchSpace({ strategy, rules, axes, fixed });
	let first = -1;
	for (let i = 0; i < space.size && first < 0; i++) if (space.isValid(i)) first = i;
	if (first < 0) {
		throw new ValidationError(`no combination satisfies the ${strategy} rules (${space.def.constraints.map((c) => c.message).join('; ')}): widen the ranges.`);
	}

	// Execution flags and the full parameter set of the first valid combination go through the backtest parser.
	const backtestArgv: string[] = [];
	for (const k of PASS_THROUGH) if (values[k] !== undefined) backtestArgv.push(`--${k}=${values[k]}`);
	if (values['allow-large-costs']) backtestArgv.push('--allow-large-costs');
	for (const [k, v] of Object.entries(space.paramsAt(first))) backtestArgv.push(`--param=${k}=${v}`);
	const parsed = parseCliArgs(backtestArgv);
	if (parsed.kind !== 'run') return { kind: 'help' };
	const { config, dataPath, intervalMs, window } = parsed.options;

	if (values.out === undefined || values.out.trim() === '') throw new ValidationError('--out FILE.csv or FILE.json is required: where to write one row per combination.');
	const lower = values.out.toLowerCase();
	const format = lower.endsWith('.csv') ? 'csv' : lower.endsWith('.json') ? 'json' : null;
	if (!format) throw new ValidationError(`--out must end in .csv or .json (the format), got '${values.out}'.`);

	const cores = Math.max(1, Math.min(8, availableParallelism()));
	let threads = cores;
	if (values.threads !== undefined) {
		threads = num('--threads', values.threads);
		if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new ValidationError(`--threads must be a whole number from 1 to 64, got '${values.threads}'.`);
	}
	const objective = (values.objective ?? 'totalReturnRatio') as StatisticKey;
	if (!STATISTIC_KEYS.includes(objective)) throw new ValidationError(`--objective must be one of ${STATISTIC_KEYS.join(', ')}, got '${values.objective}'.`);
	let minTrades = 1;
	if (values['min-trades'] !== undefined) {
		minTrades = num('--min-trades', values['min-trades']);
		if (!Number.isInteger(minTrades) || minTrades < 0) throw new ValidationError(`--min-trades must be a whole number >= 0, got '${values['min-trades']}'.`);
	}
	const method = parseMethod(values);
	const statePath = values.state?.trim() || undefined;
	const resumePath = values.resume?.trim() || undefined;
	if (values.summary !== undefined && !values.summary.toLowerCase().endsWith('.json')) {
		throw new ValidationError(`--summary must end in .json, got '${values.summary}'.`);
	}
	const summaryPath = values.summary ?? values.out.replace(/\.(csv|json)$/i, '') + '.summary.json';
	return { kind: 'run', options: { dataPath, intervalMs, config, axes, window, threads, threadsGiven: values.threads !== undefined, outPath: values.out, format, objective, minTrades, method, statePath, resumePath, summaryPath } };
}

function parse(argv: readonly string[]) {
	return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
}
