/**
 * State of the strategy and settings form: strategy, its parameters (from the registry schema),
 * direction, costs, exit levels, sizing and initial cash. Inputs are kept as the user typed them
 * (percentages where the UI shows %), every field has its own message, and `config` is the
 * validated BacktestConfig or null while anything is invalid (which blocks the run).
 */
import { checkParam, defaultConfig, enumIndex, getStrategy, paramValueLabel, STRATEGY_IDS, validateConfig } from '../engine/strategies';
import { DEFAULT_FEE_RATE, DEFAULT_SLIPPAGE_RATE } from '../core/costs';
import type { ParamSchema, StrategyDefinition } from '../engine/strategies';
import type { BacktestConfig, DirectionMode, StrategyId } from '../engine/types';

/**
 * The app's starting configuration of a strategy: the registry defaults with the app's realistic
 * costs (fee 0.1 %, slippage 0.05 % per fill; src/lib/core/costs.ts), the same as the CLI's.
 */
export function appDefaultConfig(strategy: StrategyId): BacktestConfig {
	return { ...defaultConfig(strategy), feeRate: DEFAULT_FEE_RATE, slippageRate: DEFAULT_SLIPPAGE_RATE };
}

/** How a stop-loss / take-profit is set in the form. */
export type LevelMode = 'none' | 'fraction' | 'atr';
/** Sizing choices in the form. */
export type SizingMode = 'equity-fraction' | 'fixed-notional' | 'risk';

/**
 * Convert a percentage typed by the user into a fraction without binary noise (0.1 -> 0.001).
 * @param pct - percent value (e.g. 0.1 for 0.1 %).
 * @returns the fraction, rounded to 15 significant digits.
 */
export function pctToFraction(pct: number): number {
	return Number((pct / 100).toPrecision(15));
}

/**
 * Convert a fraction into the percentage shown in the form (0.001 -> 0.1).
 * @param fraction - a ratio (0.02 = 2 %).
 * @returns percent, rounded to 12 significant digits.
 */
export function fractionToPct(fraction: number): number {
	return Number((fraction * 100).toPrecision(12));
}

/** A number input's value: `null` when the input is empty or not a number. */
export type NumberInput = number | null;

function numberProblem(label: string, v: NumberInput, min: number, max: number, opts: { minExclusive?: boolean; maxExclusive?: boolean; unit?: string } = {}): string | null {
	const unit = opts.unit ?? '';
	if (v === null || typeof v !== 'number' || !Number.isFinite(v)) return `${label} is required (a number${unit ? ' in ' + unit : ''})`;
	const lowOk = opts.minExclusive ? v > min : v >= min;
	const highOk = opts.maxExclusive ? v < max : v <= max;
	if (!lowOk || !highOk) {
		const lo = opts.minExclusive ? `above ${min}` : `from ${min}`;
		const hi = opts.maxExclusive ? `below ${max}` : `to ${max}`;
		return `${label} must be ${lo} ${hi}${unit ? ' ' + unit : ''}, got ${v}`;
	}
	return null;
}

/** Rune-backed form state; see the module comment. */
export class StrategyFormState {
	strategy = $state<StrategyId>('sma-cross');
	/** Parameter inputs by name (null = empty input). */
	params = $state<Record<string, NumberInput>>({});
	direction = $state<DirectionMode>('long');
	feePct = $state<NumberInput>(0.1);
	slippagePct = $state<NumberInput>(0);
	initialCash = $state<NumberInput>(10_000);
	stopLossMode = $state<LevelMode>('none');
	/** Percent when mode is `fraction`, ATR multiple when `atr`. */
	stopLossValue = $state<NumberInput>(2);
	takeProfitMode = $state<LevelMode>('none');
	takeProfitValue = $state<NumberInput>(4);
	atrPeriod = $state<NumberInput>(14);
	sizingMode = $state<SizingMode>('equity-fraction');
	/** Percent of equity for `equity-fraction` and `risk`. */
	sizingPct = $state<NumberInput>(100);
	/** Quote amount for `fixed-notional`. */
	sizingAmount = $state<NumberInput>(1000);

	constructor(initial?: BacktestConfig) {
		this.setConfig(initial ?? appDefaultConfig('sma-cross'));
	}

	/** Strategy ids in display order. */
	get strategyIds(): StrategyId[] {
		return STRATEGY_IDS;
	}

	/** The selected strategy's registry entry. */
	get definition(): StrategyDefinition {
		return getStrategy(this.strategy);
	}

	/** Switch strategy and reset its parameters to the registry defaults. */
	selectStrategy(id: StrategyId): void {
		this.strategy = id;
		this.params = Object.fromEntries(getStrategy(id).params.map((p) => [p.name, p.default]));
	}

	/** Reset every field to the registry defaults of the current strategy. */
	reset(): void {
		this.setConfig(appDefaultConfig(this.strategy));
	}

	/** Fill the form from a configuration (e.g. when reopening a run). */
	setConfig(c: BacktestConfig): void {
		const def = getStrategy(c.strategy);
		this.strategy = c.strategy;
		this.params = Object.fromEntries(
			def.params.map((p) => {
				const v = c.params[p.name] ?? p.default;
				return [p.name, typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'string' ? enumIndex(p, v) : v];
			})
		);
		this.direction = c.direction;
		this.feePct = fractionToPct(c.feeRate);
		this.slippagePct = fractionToPct(c.slippageRate);
		this.initialCash = c.initialCash;
		this.stopLossMode = c.stopLoss.mode;
		if (c.stopLoss.mode !== 'none') this.stopLossValue = c.stopLoss.mode === 'fraction' ? fractionToPct(c.stopLoss.value) : c.stopLoss.value;
		this.takeProfitMode = c.takeProfit.mode;
		if (c.takeProfit.mode !== 'none') this.takeProfitValue = c.takeProfit.mode === 'fraction' ? fractionToPct(c.takeProfit.value) : c.takeProfit.value;
		this.atrPeriod = c.atrPeriod;
		this.sizingMode = c.sizing.mode;
		if (c.sizing.mode === 'fixed-notional') this.sizingAmount = c.sizing.amount;
		else this.sizingPct = fractionToPct(c.sizing.fraction);
	}

	/** Message for one parameter input, or null when valid. */
	paramError(schema: ParamSchema): string | null {
		const v = this.params[schema.name];
		if (v === null || v === undefined) return `${schema.name} is required (${schema.min} to ${schema.max})`;
		return checkParam(schema, v);
	}

	/** Per-field messages (only invalid fields are present), keyed `param.<name>` or the field name. */
	readonly errors = $derived.by((): Record<string, string> => {
		const out: Record<string, string> = {};
		const def = getStrategy(this.strategy);
		for (const p of def.params) {
			const e = this.paramError(p);
			if (e) out[`param.${p.name}`] = e;
		}
		if (!Object.keys(out).length) {
			const byName = Object.fromEntries(def.params.map((p) => [p.name, this.params[p.name] as number]));
			const broken = def.constraints.filter((c) => !c.check(byName)).map((c) => c.message);
			if (broken.length) out['params'] = broken.join('; ');
		}
		const set = (key: string, msg: string | null) => {
			if (msg) out[key] = msg;
		};
		set('feePct', numberProblem('Fee', this.feePct, 0, 50, { maxExclusive: true, unit: '%' }));
		set('slippagePct', numberProblem('Slippage', this.slippagePct, 0, 50, { maxExclusive: true, unit: '%' }));
		set('initialCash', numberProblem('Initial cash', this.initialCash, 0, 1e15, { minExclusive: true }));
		if (!def.ownsExitLevels) {
			if (this.stopLossMode === 'fraction')
				set('stopLossValue', numberProblem('Stop-loss', this.stopLossValue, 0, 100, { minExclusive: true, maxExclusive: true, unit: '%' }));
			if (this.stopLossMode === 'atr') set('stopLossValue', numberProblem('Stop-loss ATR multiple', this.stopLossValue, 0, 1000, { minExclusive: true }));
			if (this.takeProfitMode === 'fraction')
				set('takeProfitValue', numberProblem('Take-profit', this.takeProfitValue, 0, 1e6, { minExclusive: true, unit: '%' }));
			if (this.takeProfitMode === 'atr') set('takeProfitValue', numberProblem('Take-profit ATR multiple', this.takeProfitValue, 0, 1000, { minExclusive: true }));
			if (this.stopLossMode === 'atr' || this.takeProfitMode === 'atr') {
				const p = numberProblem('ATR period', this.atrPeriod, 1, 1000, { unit: 'bars' });
				set('atrPeriod', p ?? (Number.isInteger(this.atrPeriod) ? null : 'ATR period must be a whole number of bars'));
			}
		}
		if (this.sizingMode === 'fixed-notional') set('sizingAmount', numberProblem('Amount per trade', this.sizingAmount, 0, 1e15, { minExclusive: true }));
		else set('sizingPct', numberProblem(this.sizingMode === 'risk' ? 'Risk per trade' : 'Position size', this.sizingPct, 0, 100, { minExclusive: true, unit: '%' }));
		if (this.sizingMode === 'risk' && this.stopLossMode === 'none' && !def.ownsExitLevels)
			out['sizingMode'] = 'Risk sizing needs a stop-loss: set one, or size by equity fraction';
		return out;
	});

	/** True when the form has no message and the run may start. */
	get valid(): boolean {
		return Object.keys(this.errors).length === 0 && this.config !== null;
	}

	/** The configuration built from the inputs, validated by the registry; `problem` holds its message when it fails. */
	readonly #checked = $derived.by((): { config: BacktestConfig | null; problem: string | null } => {
		if (Object.keys(this.errors).length) return { config: null, problem: null };
		const def = getStrategy(this.strategy);
		const level = (mode: LevelMode, value: NumberInput) =>
			def.ownsExitLevels || mode === 'none'
				? ({ mode: 'none' } as const)
				: mode === 'fraction'
					? ({ mode: 'fraction', value: pctToFraction(value as number) } as const)
					: ({ mode: 'atr', value: value as number } as const);
		const c: BacktestConfig = {
			strategy: this.strategy,
			// enumerations go into the configuration as their option names (share links, stored runs, the CLI)
			params: Object.fromEntries(def.params.map((p) => [p.name, paramValueLabel(p, this.params[p.name] as number)])),
			direction: this.direction,
			feeRate: pctToFraction(this.feePct as number),
			slippageRate: pctToFraction(this.slippagePct as number),
			initialCash: this.initialCash as number,
			stopLoss: level(this.stopLossMode, this.stopLossValue),
			takeProfit: level(this.takeProfitMode, this.takeProfitValue),
			atrPeriod: Number.isInteger(this.atrPeriod) ? (this.atrPeriod as number) : 14,
			sizing:
				this.sizingMode === 'fixed-notional'
					? { mode: 'fixed-notional', amount: this.sizingAmount as number }
					: { mode: this.sizingMode, fraction: pctToFraction(this.sizingPct as number) }
		};
		try {
			validateConfig(c);
			return { config: c, problem: null };
		} catch (e) {
			return { config: null, problem: (e as Error).message };
		}
	});

	/** The validated configuration, or null while any field is invalid. */
	get config(): BacktestConfig | null {
		return this.#checked.config;
	}

	/** The registry's message when the fields pass one by one but the whole configuration does not, else null. */
	get configError(): string | null {
		return this.#checked.problem;
	}
}
