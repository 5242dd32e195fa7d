/**
 * The built-in strategy registry: one parameter schema per strategy, shared by the WASM engine
 * wrapper, the TS reference engine, the CLI and the app's parameter forms.
 *
 * Parameter order in `params` is the order the WASM core receives them (`p0`, `p1`, ...).
 */
import { ValidationError } from '../core/errors';
import type { BacktestConfig, BuiltinStrategyId, LevelSpec, RuleSource, StrategyId } from './types';

/**
 * One choice of a parameter with options: of an `enum` parameter (value = the option name carried in configurations,
 * share links and the CLI, e.g. `--param entryMethod=zone-mid`), or of a number-backed choice (value = the number).
 */
export interface ParamOption {
	value: string | number;
	/** Short label for selects (the CLI also accepts it for number-backed choices). */
	label: string;
	/** Plain-language help. */
	description?: string;
}

/**
 * One parameter of a strategy. `int` and `float` are numbers; `bool` is 0/1 (or true/false); `enum` is one of
 * `options`, given as its `value` string (or as its index, which is what the core, `default`, `min`/`max` and
 * optimisation axes use: option i is the number i).
 */
export interface ParamSchema {
	name: string;
	type: 'int' | 'float' | 'bool' | 'enum';
	default: number;
	min: number;
	max: number;
	step: number;
	/** What the parameter does, with its unit. */
	description: string;
	/**
	 * Choices: of an `enum` parameter, in the order of their numbers (option names as values); or of a number-backed
	 * `int` choice among labelled values (e.g. poly-bands `exitAt`: 0 = fit, 1 = opposite-band). Forms show a select;
	 * the CLI accepts the option name (enum), or the label or the number (number-backed).
	 */
	options?: readonly ParamOption[];
}

/** A cross-parameter rule, e.g. fast < slow. */
export interface ParamConstraint {
	/** Returns true when the parameter set is allowed. */
	check: (p: Record<string, number>) => boolean;
	/** Message shown when `check` fails. */
	message: string;
}

export interface StrategyDefinition {
	id: StrategyId;
	/** Numeric id passed to the WASM core. Never reuse a number. */
	wasmId: number;
	name: string;
	description: string;
	params: ParamSchema[];
	constraints: ParamConstraint[];
	/** True when the strategy sets its own stop-loss / take-profit (ATR multiples in its params). */
	ownsExitLevels: boolean;
	/** Rule strategies only: compile the rule for resolved parameter values (src/lib/rules). */
	compileRules?: (byName: Readonly<Record<string, number>>) => RulePlan;
}

/** A rule strategy compiled for one parameter set: the core's signal plan (assembly/rules.ts) and what it implies. */
export interface RulePlan {
	/** Plan words (header, then ops); the host sets word 2 (its data generation) when it loads the plan. */
	plan: Float64Array;
	nRegs: number;
	/** Exit levels set by the rule (they replace the configuration's), null when it sets none. */
	levels: { stopLoss?: LevelSpec; takeProfit?: LevelSpec; atrPeriod?: number } | null;
	/** First bar each signal may fire at (every indicator it uses defined); -1 when it never fires. */
	warmup: Record<'enterLong' | 'exitLong' | 'enterShort' | 'exitShort', number>;
	/** Indicator series of the plan (registers readable after a run), for charts. */
	series: { reg: number; label: string; pane: 'price' | 'oscillator' }[];
}

let ruleResolver: ((rules: RuleSource) => StrategyDefinition) | null = null;

/**
 * Install the resolver of rule strategies (src/lib/rules registers it when imported): the engine layer cannot import
 * the rules layer above it, so rule definitions come through this hook.
 */
export function setRuleResolver(resolve: (rules: RuleSource) => StrategyDefinition): void {
	ruleResolver = resolve;
}

/**
 * The definition of a configuration's strategy: the registry's for built-ins, compiled from `config.rules` for
 * `strategy: 'rules'`.
 * @throws ValidationError for an unknown id, a rules configuration without text, or a rule text with problems
 */
export function strategyDefinitionOf(config: { strategy: string; rules?: RuleSource }): StrategyDefinition {
	if (config.strategy !== 'rules') return getStrategy(config.strategy);
	if (!config.rules || typeof config.rules.source !== 'string') throw new ValidationError('a rules strategy needs its rule text (config.rules.source)');
	if (!ruleResolver) throw new ValidationError('rule strategies are not available here: import src/lib/rules first');
	return ruleResolver(config.rules);
}

const int = (name: string, def: number, min: number, max: number, description: string): ParamSchema => ({
	name, type: 'int', default: def, min, max, step: 1, description
});
const float = (name: string, def: number, min: number, max: number, step: number, description: string): ParamSchema => ({
	name, type: 'float', default: def, min, max, step, description
});
const bool = (name: string, def: boolean, description: string): ParamSchema => ({
	name, type: 'bool', default: def ? 1 : 0, min: 0, max: 1, step: 1, description
});

const enumParam = (name: string, def: string, options: (ParamOption & { value: string; description: string })[], description: string): ParamSchema => {
	const i = options.findIndex((o) => o.value === def);
	return { name, type: 'enum', options, default: i, min: 0, max: options.length - 1, step: 1, description };
};
const choice = (name: string, def: number, options: { value: number; label: string }[], description: string): ParamSchema => ({
	name, type: 'int', default: def, min: options[0].value, max: options[options.length - 1].value, step: 1, description, options
});

/** All built-in strategies by id. */
export const STRATEGIES: Readonly<Record<BuiltinStrategyId, StrategyDefinition>> = Object.freeze({
	'sma-cross': {
		id: 'sma-cross',
		wasmId: 1,
		name: 'SMA cross',
		description:
			'Long when the fast SMA of close crosses above the slow SMA; exit (or reverse to short in long-short mode) when it crosses below.',
		params: [
			int('fast', 10, 2, 500, 'Fast simple moving average period, in bars.'),
			int('slow', 30, 3, 1000, 'Slow simple moving average period, in bars.')
		],
		constraints: [{ check: (p) => p.fast < p.slow, message: 'fast must be smaller than slow' }],
		ownsExitLevels: false
	},
	'rsi-mean-reversion': {
		id: 'rsi-mean-reversion',
		wasmId: 2,
		name: 'RSI mean reversion',
		description:
			'Long when Wilder RSI crosses below oversold; exit when it crosses above overbought (or above 50 with exitOnMid). Long-short mirrors it: short on a cross above overbought, cover on a cross below oversold (or below 50).',
		params: [
			int('period', 14, 2, 200, 'RSI period (Wilder smoothing), in bars.'),
			float('oversold', 30, 1, 99, 1, 'Oversold level (RSI units, 0-100): a cross below it enters long.'),
			float('overbought', 70, 1, 99, 1, 'Overbought level (RSI units, 0-100): a cross above it exits a long.'),
			bool('exitOnMid', false, 'Also exit when RSI crosses back through 50.')
		],
		constraints: [{ check: (p) => p.oversold < p.overbought, message: 'oversold must be below overbought' }],
		ownsExitLevels: false
	},
	'ema-atr-breakout': {
		id: 'ema-atr-breakout',
		wasmId: 3,
		name: 'EMA + ATR breakout',
		description:
			'Long when close crosses above EMA + k·ATR (optionally only when volume is above its SMA); exit when close crosses below the EMA. Short mirrored in long-short mode.',
		params: [
			int('emaPeriod', 20, 2, 500, 'EMA period of close, in bars.'),
			int('atrPeriod', 14, 2, 200, 'ATR period (Wilder), in bars.'),
			float('atrMultiplier', 1, 0, 10, 0.1, 'k: breakout distance above/below the EMA in ATRs.'),
			bool('volumeFilter', false, 'Only enter when volume is above its simple moving average.'),
			int('volumePeriod', 20, 2, 500, 'Volume SMA period for the volume filter, in bars.')
		],
		constraints: [],
		ownsExitLevels: false
	},
	'rsi-atr-momentum': {
		id: 'rsi-atr-momentum',
		wasmId: 4,
		name: 'RSI band momentum with ATR stops',
		description:
			'Long when RSI enters [longRsiMin, longRsiMax]; short (long-short mode) when it enters [shortRsiMin, shortRsiMax]. Stop-loss slAtrMultiplier·ATR and take-profit tpAtrMultiplier·ATR from the entry fill. The opposite band closes a long in long-only mode and reverses in long-short mode.',
		params: [
			int('rsiPeriod', 14, 2, 200, 'RSI period (Wilder), in bars.'),
			int('atrPeriod', 14, 2, 200, 'ATR period (Wilder), in bars.'),
			float('longRsiMin', 55, 0, 100, 1, 'Lower edge of the long entry band (RSI units).'),
			float('longRsiMax', 70, 0, 100, 1, 'Upper edge of the long entry band (RSI units).'),
			float('shortRsiMin', 30, 0, 100, 1, 'Lower edge of the short entry band (RSI units).'),
			float('shortRsiMax', 45, 0, 100, 1, 'Upper edge of the short entry band (RSI units).'),
			float('slAtrMultiplier', 1.5, 0.1, 20, 0.1, 'Stop-loss distance from the entry fill, in ATRs.'),
			float('tpAtrMultiplier', 3, 0.1, 50, 0.1, 'Take-profit distance from the entry fill, in ATRs.')
		],
		constraints: [
			{ check: (p) => p.longRsiMin <= p.longRsiMax, message: 'longRsiMin must not exceed longRsiMax' },
			{ check: (p) => p.shortRsiMin <= p.shortRsiMax, message: 'shortRsiMin must not exceed shortRsiMax' }
		],
		ownsExitLevels: true
	},
	'poly-bands': {
		id: 'poly-bands',
		wasmId: 5,
		name: 'Polynomial regression bands (causal)',
		description:
			'At every bar, fit a degree-d polynomial to the trailing window of closes only (no hindsight) and draw bands at ±kstd·σ of its residuals. Long when the close is below the lower band; exit above the fit (exitAt fit) or above the upper band (exitAt opposite-band). Short mirrored in long-short mode.',
		params: [
			{ ...int('window', 120, 10, 5000, 'Bars in the trailing window each fit uses (any whole number; optimisation steps by 10).'), step: 10 },
			int('degree', 2, 1, 10, 'Degree of the fitted polynomial.'),
			float('kstd', 2, 0.5, 5, 0.1, 'Band half-width in population standard deviations of the window residuals.'),
			choice('exitAt', 0, [{ value: 0, label: 'fit' }, { value: 1, label: 'opposite-band' }], 'Where a position exits: 0 = fit (the fitted curve), 1 = opposite-band (the other band).')
		],
		constraints: [{ check: (p) => p.window >= p.degree + 2, message: 'window must be at least degree + 2 bars' }],
		ownsExitLevels: false
	},
	'pattern-zones': {
		id: 'pattern-zones',
		wasmId: 11,
		name: 'Price-action zones (FVG, order block, liquidity sweep)',
		description:
			'Detects fair value gaps, order blocks or liquidity sweeps (each zone known at its confirmation bar only) and trades the retrace into a zone with a limit order: stop-loss beyond the zone plus a buffer, three take-profit legs of a third each. One position at a time; long-only trades bullish zones, long-short both. Fees per fill; sizing as configured.',
		params: [
			enumParam('pattern', 'fvg', [
				{ value: 'fvg', label: 'Fair value gap', description: 'Three candles where the third does not overlap the first: the gap between them is the zone.' },
				{ value: 'order-block', label: 'Order block', description: 'The last opposite candle before a candle that closes beyond the recent range (structureLookback bars): that candle\'s range is the zone.' },
				{ value: 'liquidity-sweep', label: 'Liquidity sweep', description: 'A candle that pokes beyond the recent low/high (sweepLookback bars) and closes back inside: its wick is the zone.' }
			], 'Which price-action pattern marks the zones.'),
			enumParam('entryMethod', 'zone-edge', [
				{ value: 'zone-edge', label: 'Zone edge', description: 'Limit order at the near edge of the zone (top of a bullish zone): fills most often.' },
				{ value: 'zone-mid', label: 'Zone middle', description: 'Limit order at the middle of the zone: better price, fewer fills.' },
				{ value: 'atr-buffer', label: 'Edge + ATR buffer', description: 'Limit order entryAtrBuffer ATRs before the zone edge: fills even on shallow retraces.' }
			], 'Where in the zone the limit entry order sits.'),
			enumParam('tpMethod', 'fixed-rr', [
				{ value: 'fixed-rr', label: 'Fixed risk-reward', description: 'Final target rrTarget times the risk (entry to stop-loss); legs at 1/3, 2/3 and all of it.' },
				{ value: 'atr-multiple', label: 'ATR multiple', description: 'Final target rrTarget ATRs (ATR14 at the zone\'s confirmation) from the entry.' },
				{ value: 'swing-target', label: 'Recent swing', description: 'Final target at the highest high (long) or lowest low (short) of the swingLookback bars up to the zone; fixed risk-reward when that is not beyond the entry.' }
			], 'How the three take-profit levels are placed.'),
			float('rrTarget', 2, 0.1, 20, 0.1, 'Final target: multiple of the risk (fixed-rr) or of ATR (atr-multiple).'),
			float('slBufferRatio', 0.1, 0, 5, 0.01, 'Stop-loss distance beyond the zone, as a fraction of the zone height (0.10 = 10 %).'),
			float('minZoneRatio', 0.0015, 0, 0.5, 0.0001, 'Smallest zone kept: zone height / close at confirmation (0.0015 = 0.15 %).'),
			bool('useOverlap', true, 'Drop a new zone overlapping an active zone of the same pattern and direction by 70 % or more.'),
			int('zoneExpiryBars', 100, 1, 100000, 'Bars after confirmation a zone stays active for entries.'),
			float('entryAtrBuffer', 0.25, 0, 10, 0.05, 'atr-buffer entry: distance before the zone edge, in ATRs.'),
			int('swingLookback', 20, 1, 10000, 'swing-target: bars of the swing window ending at the zone\'s confirmation bar.'),
			int('structureLookback', 10, 1, 10000, 'order-block: bars before the confirmation whose high (low) the close must clear.'),
			int('sweepLookback', 20, 1, 10000, 'liquidity-sweep: bars before the confirmation whose lowest low (highest high) is swept.')
		],
		constraints: [],
		ownsExitLevels: true
	}
});

/** Ids of all built-in strategies, in display order. */
export const STRATEGY_IDS = Object.keys(STRATEGIES) as BuiltinStrategyId[];

/**
 * Look up a strategy definition.
 * @throws ValidationError naming the known ids when `id` is unknown.
 */
export function getStrategy(id: string): StrategyDefinition {
	const def = Object.hasOwn(STRATEGIES, id) ? (STRATEGIES as Record<string, StrategyDefinition>)[id] : undefined;
	if (!def && id === 'rules') throw new ValidationError('a rules strategy is defined by its text: use strategyDefinitionOf(config)');
	if (!def) throw new ValidationError(`Unknown strategy "${id}": use one of ${STRATEGY_IDS.join(', ')}`);
	return def;
}

/** Default parameter values of a strategy, by name. */
export function defaultParams(id: StrategyId): Record<string, number> {
	return Object.fromEntries(getStrategy(id).params.map((p) => [p.name, p.default]));
}

/**
 * Check one parameter value against its schema.
 * @returns null when valid, otherwise a message naming the parameter, the problem and the allowed range.
 */
export function checkParam(schema: ParamSchema, value: unknown): string | null {
	let v: number;
	if (schema.type === 'enum') {
		const allowed = (schema.options ?? []).map((o) => o.value);
		if (typeof value === 'string') return allowed.includes(value) ? null : `${schema.name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`;
		if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value >= allowed.length)
			return `${schema.name} must be one of ${allowed.join(', ')} (or its index 0-${allowed.length - 1}), got ${JSON.stringify(value)}`;
		return null;
	}
	if (typeof value === 'boolean') v = value ? 1 : 0;
	else if (typeof value === 'number') v = value;
	else return `${schema.name} must be a number, got ${JSON.stringify(value)}`;
	if (!Number.isFinite(v)) return `${schema.name} must be a finite number, got ${value}`;
	if (schema.type === 'bool' && v !== 0 && v !== 1) return `${schema.name} must be true/false (1/0), got ${v}`;
	if (schema.type === 'int' && !Number.isInteger(v)) return `${schema.name} must be a whole number, got ${v}`;
	if (schema.options && !schema.options.some((o) => o.value === v))
		return `${schema.name} must be one of ${schema.options.map((o) => `${o.value} (${o.label})`).join(', ')}, got ${v}`;
	if (v < schema.min || v > schema.max) return `${schema.name} must be between ${schema.min} and ${schema.max}, got ${v}`;
	return null;
}

/**
 * Resolve a strategy's parameters: fill defaults, validate each value and the constraints.
 * @returns values in schema order (the order the WASM core takes them) and by name.
 * @throws ValidationError listing every problem (unknown names, out-of-range values, failed constraints).
 */
export function resolveParams(
	id: StrategyId,
	params: Record<string, number | boolean | string> = {},
	rules?: RuleSource
): { values: number[]; byName: Record<string, number> } {
	const def = strategyDefinitionOf({ strategy: id, rules });
	const problems: string[] = [];
	const known = new Set(def.params.map((p) => p.name));
	for (const name of Object.keys(params)) {
		if (!known.has(name)) problems.push(`unknown parameter "${name}" for ${id} (known: ${[...known].join(', ')})`);
	}
	const byName: Record<string, number> = {};
	for (const p of def.params) {
		const raw = params[p.name] ?? p.default;
		const err = checkParam(p, raw);
		if (err) problems.push(err);
		byName[p.name] = typeof raw === 'boolean' ? (raw ? 1 : 0) : typeof raw === 'string' ? enumIndex(p, raw) : (raw as number);
	}
	if (problems.length === 0) {
		for (const c of def.constraints) if (!c.check(byName)) problems.push(c.message);
	}
	if (problems.length) throw new ValidationError(`Invalid ${id} parameters: ${problems.join('; ')}`);
	return { values: def.params.map((p) => byName[p.name]), byName };
}

/** Number (option index) of an enum value; -1 when `value` is not one of the options. */
export function enumIndex(schema: ParamSchema, value: string): number {
	return (schema.options ?? []).findIndex((o) => o.value === value);
}

/** Display/config form of a parameter value: the option string of an enum (from its value or index), otherwise the number. */
export function paramValueLabel(schema: ParamSchema, value: number | boolean | string): number | string {
	if (schema.type === 'enum') return typeof value === 'string' ? value : (schema.options?.[Number(value)]?.value ?? String(value));
	return typeof value === 'boolean' ? (value ? 1 : 0) : (value as number);
}

/** A configuration with the documented defaults (S1 rules: 0.1 % fee, no slippage, all-in, long-only, 10,000 USDT). */
export function defaultConfig(strategy: StrategyId = 'sma-cross'): BacktestConfig {
	return {
		strategy,
		params: strategy === 'rules' ? {} : defaultParams(strategy),
		direction: 'long',
		feeRate: 0.001,
		slippageRate: 0,
		initialCash: 10_000,
		stopLoss: { mode: 'none' },
		takeProfit: { mode: 'none' },
		atrPeriod: 14,
		sizing: { mode: 'equity-fraction', fraction: 1 }
	};
}

/** Largest initial cash or fixed notional, quote currency: 10^12 leaves room for any return without float overflow. */
export const MAX_CASH = 1e12;

/**
 * Validate a whole configuration (parameters included).
 * @returns the resolved parameter values in schema order.
 * @throws ValidationError listing every problem and the allowed values.
 */
export function validateConfig(config: BacktestConfig): number[] {
	const problems: string[] = [];
	let def = Object.hasOwn(STRATEGIES, config.strategy) ? (STRATEGIES as Record<string, StrategyDefinition>)[config.strategy] : undefined;
	if (config.strategy === 'rules') {
		try {
			def = strategyDefinitionOf(config);
		} catch (e) {
			problems.push((e as Error).message);
		}
	} else if (!def) problems.push(`unknown strategy "${config.strategy}" (use one of ${STRATEGY_IDS.join(', ')})`);
	if (config.direction !== 'long' && config.direction !== 'long-short')
		problems.push(`direction must be "long" or "long-short", got ${JSON.stringify(config.direction)}`);
	const rate = (name: string, v: number, max: number) => {
		if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v >= max)
			problems.push(`${name} must be a fraction from 0 to below ${max} (0.001 = 0.1 %), got ${v}`);
	};
	rate('feeRate', config.feeRate, 0.5);
	rate('slippageRate', config.slippageRate, 0.5);
	if (typeof config.initialCash !== 'number' || !Number.isFinite(config.initialCash) || config.initialCash <= 0)
		problems.push(`initialCash must be a positive amount of quote currency, got ${config.initialCash}`);
	else if (config.initialCash > MAX_CASH)
		problems.push(`initialCash must be at most ${MAX_CASH.toExponential()} (larger amounts overflow equity), got ${config.initialCash}`);
	for (const [name, lvl] of [['stopLoss', config.stopLoss], ['takeProfit', config.takeProfit]] as const) {
		if (!lvl || !['none', 'fraction', 'atr'].includes(lvl.mode)) {
			problems.push(`${name}.mode must be none, fraction or atr`);
		} else if (lvl.mode !== 'none') {
			const v = lvl.value;
			if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (lvl.mode === 'fraction' && name === 'stopLoss' && v >= 1))
				problems.push(
					`${name} ${lvl.mode === 'fraction' ? 'fraction must be above 0' + (name === 'stopLoss' ? ' and below 1 (0.02 = 2 %)' : ' (0.04 = 4 %)') : 'ATR multiple must be above 0'}, got ${v}`
				);
		}
	}
	if (!Number.isInteger(config.atrPeriod) || config.atrPeriod < 1 || config.atrPeriod > 1000)
		problems.push(`atrPeriod must be a whole number of bars from 1 to 1000, got ${config.atrPeriod}`);
	const s = config.sizing;
	if (!s) problems.push('sizing is missing');
	else if (s.mode === 'equity-fraction') {
		if (!(s.fraction > 0 && s.fraction <= 1)) problems.push(`sizing.fraction must be above 0 and at most 1, got ${s.fraction}`);
	} else if (s.mode === 'fixed-notional') {
		if (!(s.amount > 0 && s.amount <= MAX_CASH)) problems.push(`sizing.amount must be a positive quote amount up to ${MAX_CASH.toExponential()}, got ${s.amount}`);
	} else if (s.mode === 'risk') {
		if (!(s.fraction > 0 && s.fraction <= 1)) problems.push(`sizing.fraction (risk per trade) must be above 0 and at most 1, got ${s.fraction}`);
		if (config.stopLoss?.mode === 'none' && !def?.ownsExitLevels) problems.push('risk sizing needs a stop-loss: set stopLoss or use equity-fraction sizing');
	} else problems.push(`sizing.mode must be equity-fraction, fixed-notional or risk`);
	let values: number[] = [];
	if (def) {
		try {
			values = resolveParams(config.strategy, config.params, config.rules).values;
		} catch (e) {
			problems.push((e as Error).message);
		}
	}
	if (problems.length) throw new ValidationError(`Invalid backtest configuration: ${problems.join('; ')}`);
	return values;
}
