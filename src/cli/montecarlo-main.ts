/**
 * The Monte Carlo command as a function: `npm run montecarlo -- <backtest flags> --method M --simulations N --seed S
 * [--ruin-floor F] [--confidence C] [--win-rate MIN:MAX] [--fee-range MIN:MAX] [--slippage-range MIN:MAX] --out mc.json`.
 * The backtest flags are parsed by the backtest command's own parser (src/cli/args.ts), so both commands accept
 * and check them the same way. Returns the exit status (tests call it in-process).
 */
import { writeFileSync } from 'node:fs';
import { ValidationError } from '../lib/core/errors';
import { runExecutionMonteCarlo } from '../lib/analysis/execution';
import {
	MAX_EXECUTION_SIMULATIONS,
	MAX_SIMULATIONS,
	MONTE_CARLO_METHODS,
	runTradeMonteCarlo,
	tradeSample,
	type MonteCarloMethod,
	type MonteCarloResult,
	type Range
} from '../lib/analysis/monte-carlo';
import { PERCENTILE_LEVELS } from '../lib/analysis/stats';
import { createNodeEngine } from '../lib/engine/node';
import { dataSpanMs } from '../lib/optimize/objective';
import { parseCliArgs, type CliRunOptions } from './args';
import { formatCliError } from './output';
import { runCliBacktest } from './run';

/** Where the command writes. */
export interface MonteCarloIo {
	stdout: (text: string) => void;
	stderr: (text: string) => void;
}

/** A validated Monte Carlo request. */
export interface MonteCarloCliOptions {
	run: CliRunOptions;
	method: MonteCarloMethod;
	simulations: number;
	seed: number;
	confidence: number;
	ruinFloor: number;
	winRate?: Range;
	fee?: Range;
	slippage?: Range;
	/** JSON output path (`-` = stdout instead of the summary). */
	outPath?: string;
}

/** Flags of this command (the rest go to the backtest parser). All take a value. */
const OWN_FLAGS = ['method', 'simulations', 'seed', 'ruin-floor', 'confidence', 'win-rate', 'fee-range', 'slippage-range', 'out'] as const;
type OwnFlag = (typeof OWN_FLAGS)[number];

/** Help text of `npm run montecarlo -- --help`. */
export function monteCarloHelpText(): string {
	return `Monte Carlo analysis of a backtest: how bad could it have been with the same trades in another order, drawn
with replacement, with fewer winners, or with worse fills. Seeded: the same seed gives the same numbers.

Usage:
  npm run --silent montecarlo -- <backtest flags> --method shuffle|bootstrap|execution|win-rate \\
      [--simulations N] [--seed S] [--ruin-floor F] [--confidence C] [--out mc.json]

Backtest flags: every flag of \`npm run backtest\` (--data, --strategy, --param, --fee, --slippage, --stop-loss,
  --take-profit, --sizing, --initial-cash, --from, --to, --last-contiguous, ...; see its --help).

Monte Carlo:
  --method M               shuffle   trade order shuffled (final equity unchanged, the path moves);
                           bootstrap trades drawn with replacement;
                           execution the backtest re-run with fee and slippage drawn per simulation;
                           win-rate  each trade redrawn as a win or a loss (from the run's own winners and
                                     losers) with a win probability drawn per simulation.
                           Paths compound each trade's return relative to the equity at its entry.
  --simulations N          number of paths (default 1000; at most ${MAX_SIMULATIONS.toLocaleString('en-US')}, execution ${MAX_EXECUTION_SIMULATIONS.toLocaleString('en-US')}).
  --seed S                 generator seed, a whole number (default 1).
  --ruin-floor F           ruin = equity below F x initial equity at some point, 0 < F < 1 (default 0.5).
  --confidence C           confidence level of the interval, 0 < C < 1 (default 0.95).
  --win-rate MIN:MAX       win-rate: range of the win probability (default: the run's win rate minus 0.1 to it).
  --fee-range MIN:MAX      execution: fee rate range (default: the run's fee to fee + 0.0005).
  --slippage-range MIN:MAX execution: slippage range (default: the run's slippage to slippage + 0.001).

Output:
  (stdout)                 percentiles 5/25/50/75/95 of final equity, max drawdown, CAGR and the longest
                           losing streak, probability of loss and risk of ruin.
  --out FILE               JSON ("-" = stdout instead of the summary): method, simulations, seed, confidence,
                           ruinFloor, original {finalEquity, maxDrawdownRatio, cagr, nTrades, ...}, for each of
                           finalEquity, maxDrawdownRatio, cagr, longestLosingStreak, longestDrawdown an object
                           with percentiles {"5","25","50","75","95"}, mean, std, min, max, lower/upper (two-sided
                           interval at the confidence), worst (one-sided), histogram {edges, counts};
                           probabilityOfLoss, riskOfRuin (fractions) and the fan chart (equity percentiles).
                           Percentiles interpolate linearly (numpy's default). Ratios are fractions.
                           Trade methods measure drawdown and ruin on closed-trade equity (trade boundaries;
                           "original" likewise); execution on each re-run's close-marked equity.
  -h, --help               show this text.

Exit status: 0 success; 2 bad arguments; 1 bad data file, a run with fewer than 2 trades, or a runtime error.

Example:
  npm run --silent montecarlo -- --data tests/fixtures/klines/BTCUSDT-1h.csv --strategy sma-cross \\
    --param fast=10 --param slow=30 --last-contiguous 8760 --method bootstrap --simulations 10000 --seed 7 --out mc.json
`;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function num(flag: string, raw: string): number {
	if (!DECIMAL.test(raw.trim())) throw new ValidationError(`--${flag}: '${raw}' is not a number.`);
	return Number(raw.trim());
}

function range(flag: string, raw: string): Range {
	const parts = raw.split(':');
	if (parts.length !== 2) throw new ValidationError(`--${flag} must be MIN:MAX (fractions, e.g. 0:0.001), got '${raw}'.`);
	const [min, max] = parts.map((p) => num(flag, p));
	if (min > max) throw new ValidationError(`--${flag}: MIN ${min} is above MAX ${max}; swap them.`);
	return { min, max };
}

/**
 * Parse the command's arguments.
 * @returns help, or the validated request.
 * @throws ValidationError naming the flag: a missing or unknown method, a flag given twice or without a value,
 *   simulations not a whole number in range, a non-integer seed, confidence or ruin floor outside (0, 1), a bad
 *   range, or anything the backtest parser rejects.
 */
export function parseMonteCarloArgs(argv: readonly string[]): { kind: 'help' } | { kind: 'run'; options: MonteCarloCliOptions } {
	const own: Partial<Record<OwnFlag, string>> = {};
	const rest: string[] = [];
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--help' || a === '-h') return { kind: 'help' };
		const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(a);
		const name = m?.[1] as OwnFlag | undefined;
		if (!m || !name || !OWN_FLAGS.includes(name)) {
			rest.push(a);
			continue;
		}
		let value = m[2];
		if (value === undefined) {
			value = argv[i + 1];
			if (value === undefined || (value.startsWith('--') && !DECIMAL.test(value))) throw new ValidationError(`--${name} needs a value (see --help).`);
			i++;
		}
		if (own[name] !== undefined) throw new ValidationError(`--${name} is given more than once; give it once.`);
		own[name] = value;
	}
	if (own.method === undefined) throw new ValidationError(`--method is required: one of ${MONTE_CARLO_METHODS.join(', ')}.`);
	const method = own.method as MonteCarloMethod;
	if (!MONTE_CARLO_METHODS.includes(method)) throw new ValidationError(`--method must be one of ${MONTE_CARLO_METHODS.join(', ')}, got '${own.method}'.`);
	const cap = method === 'execution' ? MAX_EXECUTION_SIMULATIONS : MAX_SIMULATIONS;
	const simulations = own.simulations === undefined ? 1000 : num('simulations', own.simulations);
	if (!Number.isInteger(simulations) || simulations < 1 || simulations > cap) {
		throw new ValidationError(`--simulations must be a whole number from 1 to ${cap.toLocaleString('en-US')} for ${method}, got '${own.simulations}'.`);
	}
	const seed = own.seed === undefined ? 1 : num('seed', own.seed);
	if (!Number.isSafeInteger(seed)) throw new ValidationError(`--seed must be a whole number, got '${own.seed}'.`);
	const confidence = own.confidence === undefined ? 0.95 : num('confidence', own.confidence);
	if (!(confidence > 0 && confidence < 1)) throw new ValidationError(`--confidence must be strictly between 0 and 1 (0.95 = 95 %), got '${own.confidence}'.`);
	const ruinFloor = own['ruin-floor'] === undefined ? 0.5 : num('ruin-floor', own['ruin-floor']);
	if (!(ruinFloor > 0 && ruinFloor < 1)) {
		throw new ValidationError(`--ruin-floor must be strictly between 0 and 1 (0.5 = half the initial equity), got '${own['ruin-floor']}'.`);
	}
	const winRate = own['win-rate'] !== undefined ? range('win-rate', own['win-rate']) : undefined;
	const fee = own['fee-range'] !== undefined ? range('fee-range', own['fee-range']) : undefined;
	const slippage = own['slippage-range'] !== undefined ? range('slippage-range', own['slippage-range']) : undefined;
	if (winRate && method !== 'win-rate') throw new ValidationError('--win-rate applies to --method win-rate only.');
	if ((fee || slippage) && method !== 'execution') throw new ValidationError('--fee-range and --slippage-range apply to --method execution only.');
	if (own.out !== undefined && own.out.trim() === '') throw new ValidationError('--out needs a file name (or - for stdout).');
	const parsed = parseCliArgs(rest);
	if (parsed.kind === 'help') return { kind: 'help' };
	return { kind: 'run', options: { run: parsed.options, method, simulations, seed, confidence, ruinFloor, winRate, fee, slippage, outPath: own.out } };
}

/**
 * Run the backtest, then the Monte Carlo analysis.
 * @throws DataError / ValidationError (fewer than 2 trades, bad ranges) / Error (missing WASM build).
 */
export async function runCliMonteCarlo(o: MonteCarloCliOptions): Promise<{ result: MonteCarloResult; warnings: string[]; description: string; bars: number }> {
	const report = await runCliBacktest(o.run);
	const { ohlcv } = report.window;
	const spanMs = dataSpanMs(ohlcv.openTime, report.file.intervalMs);
	const config = o.run.config;
	const common = { simulations: o.simulations, seed: o.seed, confidence: o.confidence, ruinFloor: o.ruinFloor };
	let result: MonteCarloResult;
	if (o.method === 'execution') {
		const engine = await createNodeEngine();
		engine.load(ohlcv);
		result = runExecutionMonteCarlo(engine, config, ohlcv.openTime.length, spanMs, { ...common, fee: o.fee, slippage: o.slippage });
	} else {
		result = runTradeMonteCarlo(tradeSample(report.result.trades, config.initialCash, spanMs), { ...common, method: o.method, winRate: o.winRate });
	}
	return { result, warnings: report.warnings, description: report.window.description, bars: ohlcv.openTime.length };
}

const replacer = (_key: string, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value);

/** The JSON text of a result (NaN and Infinity as null). */
export function monteCarloJsonText(result: MonteCarloResult, config: CliRunOptions): string {
	return JSON.stringify({ ...result, config: config.config, data: config.dataPath }, replacer, 1) + '\n';
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }) : 'n/a');
const pc = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(2)} %` : 'n/a');

/** Readable summary of a result. */
export function formatMonteCarlo(r: MonteCarloResult, description: string, bars: number): string {
	const levels = PERCENTILE_LEVELS.map(String) as Array<'5'>;
	const head = ['', ...levels.map((l) => `p${l}`), 'mean', 'run'].map((s, i) => (i === 0 ? s.padEnd(24) : s.padStart(12))).join('');
	const row = (label: string, d: MonteCarloResult['finalEquity'], orig: number, fmt: (x: number) => string) =>
		[label.padEnd(24), ...levels.map((l) => fmt(d.percentiles[l]).padStart(12)), fmt(d.mean).padStart(12), fmt(orig).padStart(12)].join('');
	const lines = [
		`Monte Carlo: ${r.method}, ${r.simulations.toLocaleString('en-US')} simulations, seed ${r.seed}, on ${bars.toLocaleString('en-US')} bars (${description}); ${r.original.nTrades} trades`,
		r.winRate ? `Win probability drawn from ${pc(r.winRate.min)} to ${pc(r.winRate.max)}` : '',
		r.execution ? `Fee drawn from ${pc(r.execution.fee.min)} to ${pc(r.execution.fee.max)}, slippage from ${pc(r.execution.slippage.min)} to ${pc(r.execution.slippage.max)}` : '',
		head,
		row('Final equity', r.finalEquity, r.original.finalEquity, f2),
		row('Max drawdown', r.maxDrawdownRatio, r.original.maxDrawdownRatio, pc),
		row('CAGR', r.cagr, r.original.cagr, pc),
		row('Longest losing streak', r.longestLosingStreak, r.original.longestLosingStreak, (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a')),
		`At ${pc(r.confidence)} confidence: final equity ${f2(r.finalEquity.lower)} .. ${f2(r.finalEquity.upper)}; worst max drawdown ${pc(r.maxDrawdownRatio.worst)}; worst final equity ${f2(r.finalEquity.worst)}`,
		`Probability of loss ${pc(r.probabilityOfLoss)}; risk of ruin (equity below ${pc(r.ruinFloor)} of the initial) ${pc(r.riskOfRuin)}`
	];
	return lines.filter(Boolean).join('\n') + '\n';
}

/**
 * Run the Monte Carlo command.
 * @param argv - arguments after the script name.
 * @param io - output sinks.
 * @returns 0 on success, 2 for bad arguments, 1 for bad data, too few trades or a runtime error; errors are one
 *   line on stderr starting with `error: `.
 */
export async function monteCarloMain(argv: readonly string[], io: MonteCarloIo = processIo): Promise<number> {
	let command: ReturnType<typeof parseMonteCarloArgs>;
	try {
		command = parseMonteCarloArgs(argv);
	} catch (e) {
		io.stderr(`error: ${formatCliError(e)}\n`);
		return e instanceof ValidationError ? 2 : 1;
	}
	if (command.kind === 'help') {
		io.stdout(monteCarloHelpText());
		return 0;
	}
	const o = command.options;
	try {
		const { result, warnings, description, bars } = await runCliMonteCarlo(o);
		for (const w of warnings) io.stderr(`warning: ${w}\n`);
		const json = monteCarloJsonText(result, o.run);
		if (o.outPath === '-') io.stdout(json);
		else {
			io.stdout(formatMonteCarlo(result, description, bars));
			if (o.outPath !== undefined) {
				try {
					writeFileSync(o.outPath, json);
				} catch (e) {
					throw new Error(`cannot write --out file '${o.outPath}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
				}
				io.stdout(`Wrote ${o.outPath}\n`);
			}
		}
		return 0;
	} catch (e) {
		io.stderr(`error: ${formatCliError(e)}\n`);
		return 1;
	}
}

const processIo: MonteCarloIo = {
	stdout: (text) => void process.stdout.write(text),
	stderr: (text) => void process.stderr.write(text)
};
