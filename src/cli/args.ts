/**
 * Command-line arguments of `npm run backtest`: a pure parser from `argv` to a validated run description.
 * Nothing here reads files or runs the engine, so every rule is testable directly.
 */
import { parseArgs } from 'node:util';
import { ValidationError } from '../lib/core/errors';
import { timeframeMs, TIMEFRAMES } from '../lib/core/timeframe';
import type { UnixMs } from '../lib/core/types';
import { defaultConfig, getStrategy, resolveParams, STRATEGY_IDS, strategyDefinitionOf, validateConfig, type StrategyDefinition } from '../lib/engine/strategies';
import { readRulesFile } from './rules-file';
import { COSTS_HELP, parseCosts } from './costs';
import type { BacktestConfig, LevelSpec, SizingSpec, StrategyId } from '../lib/engine/types';

/** Which bars of the file are backtested. Applied in this order: `fromMs`/`toMs` first, then `lastContiguous`. */
export interface WindowOptions {
	/** Keep bars with open time >= this (Unix ms UTC). */
	fromMs?: UnixMs;
	/** Keep bars with open time <= this (Unix ms UTC, inclusive). */
	toMs?: UnixMs;
	/** Then keep the last N bars of the most recent run without missing candles. */
	lastContiguous?: number;
}

/** A validated backtest request from the command line. */
export interface CliRunOptions {
	/** Path of the kline CSV file, as given. */
	dataPath: string;
	/** Candle length in ms from `--interval`; undefined = inferred from the file. */
	intervalMs?: number;
	/** Complete, validated configuration (every strategy parameter present). */
	config: BacktestConfig;
	window: WindowOptions;
	/** `--out` path; `-` means the JSON goes to stdout (and the summary is not printed). */
	outPath?: string;
}

/** Result of {@link parseCliArgs}: show the help text, or run a backtest. */
export type CliCommand = { kind: 'help' } | { kind: 'run'; options: CliRunOptions };

/** Flags shared by the backtest and optimise commands (node:util parseArgs option table). */
export const COMMON_OPTIONS = {
	data: { type: 'string' },
	strategy: { type: 'string' },
	rules: { type: 'string' },
	param: { type: 'string', multiple: true },
	direction: { type: 'string' },
	fee: { type: 'string' },
	slippage: { type: 'string' },
	'stop-loss': { type: 'string' },
	'take-profit': { type: 'string' },
	'atr-period': { type: 'string' },
	sizing: { type: 'string' },
	'initial-cash': { type: 'string' },
	'last-contiguous': { type: 'string' },
	from: { type: 'string' },
	to: { type: 'string' },
	interval: { type: 'string' },
	out: { type: 'string' },
	'allow-large-costs': { type: 'boolean' },
	help: { type: 'boolean', short: 'h' }
} as const;
const OPTIONS = COMMON_OPTIONS;

const FLAG_NAMES = Object.keys(OPTIONS).map((k) => `--${k}`);
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Help text printed by `--help`: every flag with its unit and default, the strategies with their parameter
 * ranges (from the registry), the JSON fields, the exit statuses and an example.
 * @returns multi-line text ending with a newline.
 */
export function helpText(): string {
	const strategies = STRATEGY_IDS.map((id) => {
		const def = getStrategy(id);
		const lines: string[] = [];
		let line = '';
		for (const p of def.params) {
			const item =
				p.type === 'enum'
					? `${p.name}=${p.options![p.default].value} (${p.options!.map((o) => o.value).join('|')})`
					: p.options
						? `${p.name}=${p.options.find((o) => o.value === p.default)?.label ?? p.default} (${p.options.map((o) => o.label).join('|')})`
						: `${p.name}=${p.default} (${p.min}..${p.max})`;
			if (line && line.length + item.length > 76) (lines.push(line), (line = ''));
			line += (line ? ', ' : '') + item;
		}
		lines.push(line);
		return `    ${id.padEnd(21)}${lines.join(',\n' + ' '.repeat(25))}`;
	}).join('\n');
	return `Backtest a built-in strategy on a Binance kline CSV file with the WASM core.

Usage:
  npm run --silent backtest -- --data FILE.csv --strategy ID [options]

Data:
  --data FILE              kline CSV: the 6-column file with header (open_time,open,high,low,close,volume)
                           or the 12-column Binance file (data.binance.vision), with or without header;
                           open times in milliseconds or microseconds (spot archive files from 2025 on).
  --interval TF            candle length, one of ${TIMEFRAMES.join(' ')};
                           default: inferred from the file (the most common open-time spacing).
  --from TIME              keep bars whose open time is at or after TIME (ISO-8601, UTC when no zone
                           is given, e.g. 2025-01-01 or 2025-01-01T12:00Z; or Unix milliseconds).
  --to TIME                keep bars whose open time is at or before TIME (inclusive).
  --last-contiguous N      then keep the last N bars of the most recent run without missing candles.
                           Order: --from/--to filter first, --last-contiguous applies to what is left.

Strategy:
  --strategy ID            one of the built-in strategies, with their parameters (default, range):
${strategies}
  --rules FILE             instead of --strategy: your own rules in the rule language (README "Own rules"),
                           e.g. static/rules/sma-cross.rules; --param sets the parameters the rule declares.
  --param NAME=VALUE       strategy parameter; repeat for several (booleans: true/false or 1/0;
                           enumerations by name, e.g. --param entryMethod=zone-mid).
  --direction MODE         long (default) or long-short (reverses on opposite signals).

Execution (signals on a bar's close fill at the next bar's open):
${COSTS_HELP}
  --stop-loss LEVEL        fraction of the entry price (0.02 = 2 %), a percent (2%), or an ATR multiple (2atr).
  --take-profit LEVEL      fraction of the entry price (0.04 = 4 %), a percent (4%), or an ATR multiple (3atr).
  --atr-period N           ATR period (Wilder) for ATR levels, in bars (default 14).
  --sizing MODE:VALUE      equity-fraction:1 (default, all-in), fixed-notional:1000 (quote amount per entry),
                           or risk:0.01 (risk 1 % of equity between entry and stop-loss; needs --stop-loss).
  --initial-cash AMOUNT    starting equity in quote currency (default 10000).

Portfolio (one strategy over several markets from one account; SEMANTICS.md "Portfolios"):
  --data FILE              repeat for each market, in priority order; the market is the file name's part
                           before the first '-' (BTCUSDT-1h.csv), or name them with --symbols.
  --symbols A,B,...        market names of the --data files, in the same order.
  --max-positions K        most markets held at once (default: the number of markets).
  --sizing MODE            also equity-split (default for portfolios: min(equity/K, cash) per entry);
                           fixed-notional:A, risk:Q and equity-fraction:Q work as above.
  --leverage L             1 to 10 (default 1): multiplies the notional a sizing rule may take; positions
                           opened with L > 1 are liquidated at the maintenance margin.
  --maintenance-margin R   maintenance margin ratio for liquidation (default 0.005 = 0.5 %).
  --breaker SPEC           repeatable: max-drawdown:0.10:close-all:168 (close everything after a 10 % drawdown,
                           no entries for 168 bars) or consecutive-losses:3:reduce:0.5 (halve new positions
                           after 3 losses in a row until a win).
  The JSON (--out) adds symbol on trades, events (bar, time, type, action, value), attribution per market
  (pnl, trades, wins, winRate, fees, exposureRatio) and openPositions per bar.

Output:
  (stdout)                 a readable summary: data window, configuration, every statistic, exit reasons.
  --out FILE               also write the result as JSON ("-" = JSON to stdout instead of the summary):
                           input (file, window), config, summary (core headline figures: finalEquity,
                           totalReturnRatio, maxDrawdownRatio, nTrades, winRate, totalFees, ...), metrics
                           (every statistic; ratios are fractions, times Unix ms UTC), trades (direction,
                           entryBar, exitBar, entryTime/exitTime ISO UTC, entryPrice, exitPrice, size,
                           entryFee, exitFee, pnl, profitRatio, exitReason = signal | stop_loss |
                           take_profit | end_of_data), openTime (ms, one per bar) and equity (one per bar,
                           marked at the close). NaN and Infinity (undefined statistics, e.g. the profit
                           factor without losing trades) are written as null: JSON has no such numbers.
  -h, --help               show this text.

Exit status: 0 success; 2 bad arguments (checked before the file is read); 1 bad data file, a window the
data cannot provide, a missing WASM build (run \`npm run asbuild:release\`) or another runtime error.
Errors are one line on stderr starting with "error: ".

Example (the reference window of tests/fixtures/reference):
  npm run --silent backtest -- --data tests/fixtures/klines/BTCUSDT-1h.csv --strategy sma-cross \\
    --param fast=10 --param slow=30 --last-contiguous 8760 --stop-loss 0.02 --take-profit 0.04 --out result.json
Portfolio example (case C1 of tests/fixtures/reference/PORTFOLIO.md):
  npm run --silent backtest -- --data tests/fixtures/klines/BTCUSDT-1h.csv --data tests/fixtures/klines/ETHUSDT-1h.csv \\
    --data tests/fixtures/klines/BNBUSDT-1h.csv --data tests/fixtures/klines/SOLUSDT-1h.csv \\
    --data tests/fixtures/klines/XRPUSDT-1h.csv --strategy sma-cross --max-positions 3 --sizing equity-split \\
    --breaker max-drawdown:0.10:close-all:168 --slippage 0 --from 2025-04-16T00:00Z --to 2026-04-15T23:00Z --out c1.json
`;
}

/**
 * Parse and validate command-line arguments.
 *
 * @param argv - the arguments after the script name (`process.argv.slice(2)`).
 * @returns `{kind: 'help'}` for `--help`/`-h`, otherwise the validated run options (configuration complete,
 *   strategy parameters with defaults filled in).
 * @throws ValidationError with a one-line message naming the flag and the problem: unknown flag (with a
 *   suggestion), missing value, flag given twice, positional argument, missing `--data`/`--strategy`, unknown
 *   strategy (listing the valid ids), malformed `--param`, a number that is not a number or out of range,
 *   a bad time, `--from` after `--to`, exit levels given to a strategy that sets its own, or any problem
 *   {@link validateConfig} finds (parameter ranges, fast >= slow, ...).
 * @example parseCliArgs(['--data', 'f.csv', '--strategy', 'sma-cross', '--param', 'fast=10'])
 */
export function parseCliArgs(argv: readonly string[]): CliCommand {
	let parsed: ReturnType<typeof parseOptions>;
	try {
		parsed = parseOptions(argv);
	} catch (e) {
		throw new ValidationError(describeParseError(e));
	}
	const { values, tokens } = parsed;
	if (values.help) return { kind: 'help' };

	const seen = new Set<string>();
	for (const t of tokens ?? []) {
		if (t.kind !== 'option' || t.name === 'param') continue;
		if (seen.has(t.name)) throw new ValidationError(`--${t.name} is given more than once; give it once.`);
		seen.add(t.name);
	}

	const dataPath = values.data;
	if (dataPath === undefined || dataPath.trim() === '')
		throw new ValidationError('--data FILE is required: the kline CSV file to backtest (see --help).');
	if (values.strategy !== undefined && values.rules !== undefined)
		throw new ValidationError('give either --strategy ID or --rules FILE, not both.');
	if (values.strategy === undefined && values.rules === undefined) {
		throw new ValidationError(`--strategy ID is required: use one of ${STRATEGY_IDS.join(', ')}, or give your own rules with --rules FILE (e.g. static/rules/sma-cross.rules).`);
	}
	const rules = values.rules !== undefined ? readRulesFile(values.rules) : undefined;
	const strategy = rules ? 'rules' : getStrategy(values.strategy!).id;

	const config: BacktestConfig = defaultConfig(strategy);
	if (rules) config.rules = rules;
	config.params = { ...config.params, ...parseParams(strategy, values.param ?? [], strategyDefinitionOf(config)) };
	if (values.direction !== undefined) {
		if (values.direction !== 'long' && values.direction !== 'long-short')
			throw new ValidationError(`--direction must be long or long-short, got '${values.direction}'.`);
		config.direction = values.direction;
	}
	// Costs: the app's defaults (fee 0.1 %, slippage 0.05 %), given as a fraction or with % (src/cli/costs.ts).
	Object.assign(config, parseCosts(values));
	if (values['initial-cash'] !== undefined)
		config.initialCash = parseNumber('--initial-cash', values['initial-cash'], { above: 0, hint: 'quote currency, e.g. 10000' });
	if (values['stop-loss'] !== undefined) config.stopLoss = parseLevel('--stop-loss', values['stop-loss']);
	if (values['take-profit'] !== undefined) config.takeProfit = parseLevel('--take-profit', values['take-profit']);
	if (values['atr-period'] !== undefined)
		config.atrPeriod = parseNumber('--atr-period', values['atr-period'], { min: 1, max: 1000, integer: true, hint: 'bars' });
	if (values.sizing !== undefined) config.sizing = parseSizing(values.sizing);

	const def = strategyDefinitionOf(config);
	if (def.ownsExitLevels) {
		const given = ['stop-loss', 'take-profit', 'atr-period'].filter((k) => values[k as keyof typeof values] !== undefined);
		if (given.length > 0 && rules) {
			throw new ValidationError(`--${given.join(', --')} cannot be used with ${values.rules}: the rule sets its own stopLoss/takeProfit (change them in the rule, or use its parameters with --param).`);
		}
		if (given.length > 0) {
			throw new ValidationError(
				`--${given.join(', --')} cannot be used with ${strategy}: it sets its own ${strategy === 'pattern-zones' ? '' : 'ATR '}stop-loss/take-profit ` +
					(strategy === 'pattern-zones'
						? '(its stop-loss is beyond the zone: use --param slBufferRatio=..., --param tpMethod=..., --param rrTarget=...).'
						: `(use --param slAtrMultiplier=..., --param tpAtrMultiplier=..., --param atrPeriod=...).`)
			);
		}
	} else if (config.stopLoss.mode !== 'atr' && config.takeProfit.mode !== 'atr' && values['atr-period'] !== undefined) {
		throw new ValidationError('--atr-period only applies to ATR levels: give --stop-loss or --take-profit as e.g. 2atr.');
	}

	if (config.sizing.mode === 'risk' && config.stopLoss.mode === 'none' && !def.ownsExitLevels) {
		throw new ValidationError('--sizing risk:... needs a stop-loss to measure the risk: add --stop-loss (e.g. 0.02 or 2atr).');
	}

	// Strategy parameters first, for a message that does not repeat "configuration".
	resolveParams(strategy, config.params, config.rules);
	validateConfig(config);

	const window: WindowOptions = {};
	if (values.from !== undefined) window.fromMs = parseTime('--from', values.from);
	if (values.to !== undefined) window.toMs = parseTime('--to', values.to);
	if (window.fromMs !== undefined && window.toMs !== undefined && window.fromMs > window.toMs) {
		throw new ValidationError(`--from (${values.from}) is after --to (${values.to}); swap them.`);
	}
	if (values['last-contiguous'] !== undefined) {
		window.lastContiguous = parseNumber('--last-contiguous', values['last-contiguous'], {
			min: 1,
			integer: true,
			hint: 'a number of bars, e.g. 8760 = 365 days of 1h'
		});
	}

	let intervalMs: number | undefined;
	if (values.interval !== undefined) {
		try {
			intervalMs = timeframeMs(values.interval);
		} catch {
			throw new ValidationError(`--interval must be one of ${TIMEFRAMES.join(', ')}, got '${values.interval}'.`);
		}
	}
	if (values.out !== undefined && values.out.trim() === '') {
		throw new ValidationError('--out needs a file name (or - for stdout).');
	}

	return { kind: 'run', options: { dataPath, intervalMs, config, window, outPath: values.out } };
}

function parseOptions(argv: readonly string[]) {
	return parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false, tokens: true });
}

/** Turn a `util.parseArgs` error into one line naming the flag. */
function describeParseError(e: unknown): string {
	const err = e as { code?: string; message?: string };
	const msg = String(err.message ?? e);
	if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
		const flag = /'([^']+)'/.exec(msg)?.[1] ?? msg;
		const guess = closest(flag.startsWith('--') ? flag : `--${flag.replace(/^-+/, '')}`, FLAG_NAMES);
		return `unknown option ${flag}${guess ? ` (did you mean ${guess}?)` : ''}; see --help for the options.`;
	}
	if (err.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
		const flag = /'(-[^' ]+)/.exec(msg)?.[1] ?? 'an option';
		if (/ambiguous/.test(msg)) {
			return `${flag} needs a value, but the next argument starts with '-'; write a negative or dash-leading value as ${flag}=VALUE.`;
		}
		if (/does not take an argument/.test(msg)) return `${flag} takes no value.`;
		return `${flag} needs a value (see --help).`;
	}
	if (err.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
		const arg = /'([^']*)'/.exec(msg)?.[1] ?? '';
		return `unexpected argument '${arg}': every value belongs to a flag, e.g. --data ${arg || 'FILE.csv'}.`;
	}
	return msg.split('\n')[0];
}

/** The flag within edit distance 2 of `flag`, if any (a likely typo). */
function closest(flag: string, names: readonly string[]): string | undefined {
	let best: string | undefined;
	let bestD = 3;
	for (const n of names) {
		const d = editDistance(flag, n);
		if (d < bestD) (best = n), (bestD = d);
	}
	return best;
}

function editDistance(a: string, b: string): number {
	let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
	for (let i = 1; i <= a.length; i++) {
		const cur = [i];
		for (let j = 1; j <= b.length; j++) {
			cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
		}
		prev = cur;
	}
	return prev[b.length];
}

interface NumberRule {
	min?: number;
	max?: number;
	/** Exclusive lower bound. */
	above?: number;
	/** Exclusive upper bound. */
	below?: number;
	integer?: boolean;
	/** Unit or example shown in the message. */
	hint?: string;
}

/**
 * Parse a decimal number flag value and check its range.
 * @throws ValidationError like `--fee must be a number from 0 to below 0.5 (0.001 = 0.1 % per fill), got 'abc'`.
 */
function parseNumber(flag: string, raw: string, rule: NumberRule): number {
	const s = raw.trim();
	const x = DECIMAL.test(s) ? Number(s) : NaN;
	const ok =
		Number.isFinite(x) &&
		(!rule.integer || Number.isInteger(x)) &&
		(rule.min === undefined || x >= rule.min) &&
		(rule.max === undefined || x <= rule.max) &&
		(rule.above === undefined || x > rule.above) &&
		(rule.below === undefined || x < rule.below);
	if (ok) return x;
	const range: string[] = [];
	if (rule.min !== undefined) range.push(`from ${rule.min}`);
	if (rule.above !== undefined) range.push(`above ${rule.above}`);
	if (rule.max !== undefined) range.push(`to ${rule.max}`);
	if (rule.below !== undefined) range.push(`to below ${rule.below}`);
	const kind = rule.integer ? 'a whole number' : 'a number';
	return fail(`${flag} must be ${kind}${range.length ? ' ' + range.join(' ') : ''}${rule.hint ? ` (${rule.hint})` : ''}, got '${raw}'.`);
}

function fail(message: string): never {
	throw new ValidationError(message);
}

/**
 * `--stop-loss` / `--take-profit`: `0.02` (fraction of the entry price), `2%` (percent) or `2atr` (ATR multiple).
 * @throws ValidationError for any other form or a value <= 0 (and a stop-loss fraction >= 1).
 */
function parseLevel(flag: string, raw: string): LevelSpec {
	const s = raw.trim().toLowerCase();
	const isStop = flag === '--stop-loss';
	const forms = `a fraction of the entry price (${isStop ? '0.02' : '0.04'} = ${isStop ? '2' : '4'} %), a percent (${isStop ? '2' : '4'}%) or an ATR multiple (${isStop ? '2' : '3'}atr)`;
	const m = /^(.*?)(atr|%)?$/.exec(s)!;
	const numText = m[1].trim();
	const x = DECIMAL.test(numText) ? Number(numText) : NaN;
	if (!Number.isFinite(x)) fail(`${flag} must be ${forms}, got '${raw}'.`);
	if (m[2] === 'atr') {
		if (!(x > 0)) fail(`${flag} ATR multiple must be above 0, got '${raw}'.`);
		return { mode: 'atr', value: x };
	}
	const value = m[2] === '%' ? x / 100 : x;
	if (!(value > 0) || (isStop && value >= 1)) {
		fail(`${flag} must be above 0${isStop ? ' and below 1 (100 %)' : ''}: ${forms}, got '${raw}'.`);
	}
	return { mode: 'fraction', value };
}

/**
 * `--sizing MODE:VALUE`: `equity-fraction:F` (0 < F <= 1), `fixed-notional:AMOUNT` (> 0) or `risk:F` (0 < F <= 1).
 * @throws ValidationError for an unknown mode or a bad value.
 */
function parseSizing(raw: string): SizingSpec {
	const [mode, value, extra] = raw.split(':').map((x) => x.trim());
	const modes = 'equity-fraction:1, fixed-notional:1000 or risk:0.01';
	if (value === undefined || extra !== undefined) fail(`--sizing must be MODE:VALUE, e.g. ${modes}; got '${raw}'.`);
	switch (mode) {
		case 'equity-fraction':
			return { mode, fraction: parseNumber('--sizing equity-fraction', value, { above: 0, max: 1, hint: '1 = all-in' }) };
		case 'fixed-notional':
			return { mode, amount: parseNumber('--sizing fixed-notional', value, { above: 0, hint: 'quote currency per entry' }) };
		case 'risk':
			return { mode, fraction: parseNumber('--sizing risk', value, { above: 0, max: 1, hint: '0.01 = 1 % of equity' }) };
		default:
			return fail(`--sizing mode must be equity-fraction, fixed-notional or risk (e.g. ${modes}), got '${mode}'.`);
	}
}

/**
 * `--param NAME=VALUE` (repeatable): numbers, true/false for boolean parameters, an option value for enumerations.
 * @throws ValidationError for a malformed item, a value that is not a number, or a name given twice.
 *   Unknown names and ranges are checked afterwards by the registry (one message listing every problem).
 */
function parseParams(strategy: StrategyId, items: readonly string[], def: StrategyDefinition = getStrategy(strategy)): Record<string, number | boolean | string> {
	const out: Record<string, number | boolean | string> = {};
	const schemas = def.params;
	const known = schemas.map((p) => p.name);
	for (const item of items) {
		const eq = item.indexOf('=');
		const name = eq < 0 ? '' : item.slice(0, eq).trim();
		const rawValue = eq < 0 ? '' : item.slice(eq + 1).trim();
		if (!name || !rawValue) {
			fail(`--param must be NAME=VALUE (parameters of ${strategy}: ${known.join(', ')}), got '${item}'.`);
		}
		// Names are checked here (not only later): "__proto__=5" would otherwise set the object's prototype and vanish.
		if (!known.includes(name)) fail(`Invalid ${strategy} parameters: unknown parameter "${name}" for ${strategy} (known: ${known.join(', ')})`);
		if (Object.prototype.hasOwnProperty.call(out, name)) fail(`--param ${name} is given more than once.`);
		const lower = rawValue.toLowerCase();
		const schema = schemas.find((p) => p.name === name);
		const option = schema?.type !== 'enum' ? schema?.options?.find((o) => o.label === lower) : undefined;
		if (schema?.type === 'enum') {
			// An enumeration: one of its option values (or the option's index, as optimisation grids pass it).
			const allowed = (schema.options ?? []).map((o) => o.value);
			if (allowed.includes(rawValue)) out[name] = rawValue;
			else if (/^\d+$/.test(rawValue) && Number(rawValue) < allowed.length) out[name] = Number(rawValue);
			else fail(`--param ${name} must be one of ${allowed.join(', ')}, got '${rawValue}'.`);
		} else if (option) out[name] = option.value;
		else if (lower === 'true' || lower === 'false') out[name] = lower === 'true';
		else if (DECIMAL.test(rawValue)) out[name] = Number(rawValue);
		else {
			const labels = schemas.find((p) => p.name === name)?.options?.map((o) => o.label);
			fail(`--param ${name} must be ${labels ? `one of ${labels.join(', ')} (or its number)` : 'a number (or true/false)'}, got '${rawValue}'.`);
		}
	}
	return out;
}

const ISO_TIME =
	/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * `--from` / `--to`: ISO-8601 date or date-time (UTC unless a zone is given) or Unix milliseconds.
 * @returns Unix ms UTC.
 * @throws ValidationError for anything else, an impossible date (2025-02-30), or a number that is not in
 *   milliseconds (seconds and microseconds are recognised and named).
 */
export function parseTime(flag: string, raw: string): UnixMs {
	const s = raw.trim();
	if (/^\d+$/.test(s)) {
		const x = Number(s);
		if (x >= 1e11 && x < 1e14) return x;
		const unit = x >= 1e9 && x < 1e11 ? 'seconds: multiply by 1000' : x >= 1e14 && x < 1e17 ? 'microseconds: divide by 1000' : '';
		return fail(`${flag} must be an ISO-8601 time (2025-01-01T00:00Z) or Unix milliseconds, got '${raw}'${unit ? ` (looks like ${unit})` : ''}.`);
	}
	const m = ISO_TIME.exec(s);
	if (!m) fail(`${flag} must be an ISO-8601 time (e.g. 2025-01-01 or 2025-01-01T12:00Z, UTC when no zone) or Unix milliseconds, got '${raw}'.`);
	const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '0', zone] = m;
	const parts = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec)];
	const utc = Date.UTC(parts[0], parts[1] - 1, parts[2], parts[3], parts[4], parts[5], Number(frac.padEnd(3, '0')));
	const check = new Date(utc);
	if (
		check.getUTCFullYear() !== parts[0] ||
		check.getUTCMonth() !== parts[1] - 1 ||
		check.getUTCDate() !== parts[2] ||
		check.getUTCHours() !== parts[3] ||
		check.getUTCMinutes() !== parts[4] ||
		check.getUTCSeconds() !== parts[5]
	) {
		fail(`${flag} is not a real date and time: '${raw}'.`);
	}
	let offsetMin = 0;
	if (zone && zone.toUpperCase() !== 'Z') {
		const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
		// Real offsets run from -12:00 to +14:00 with minutes below 60.
		if (Number(z[2]) > 14 || Number(z[3]) > 59 || Number(z[2]) * 60 + Number(z[3]) > 14 * 60) {
			fail(`${flag} has the time-zone offset '${zone}', which does not exist: use -12:00 .. +14:00 (or Z for UTC), got '${raw}'.`);
		}
		offsetMin = (z[1] === '-' ? -1 : 1) * (Number(z[2]) * 60 + Number(z[3]));
	}
	return utc - offsetMin * 60_000;
}
