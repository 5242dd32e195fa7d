/**
 * Presets ("the settings I trade with"): per (market, timeframe, strategy) the current parameter values, with an
 * append-only history of changes (who or what changed them, old and new values, when). Storage-agnostic: every
 * function takes a {@link PresetStore} (IndexedDB in the app, {@link MemoryPresetStore} in the CLI and tests).
 */
import { ValidationError } from '../core/errors';
import { isTimeframe } from '../core/timeframe';
import type { UnixMs } from '../core/types';
import { checkParam, defaultConfig, getStrategy, paramValueLabel, STRATEGY_IDS, validateConfig } from '../engine/strategies';
import type { BacktestConfig, StrategyId } from '../engine/types';
import { isRiskSetting, presetId } from './spec';
import { RESEARCH_VERSION, type Preset, type PresetChange, type PresetSource, type PresetStore, type PresetValues, type RowKey } from './types';

/**
 * Problems of a preset's values for its strategy, or null when usable: the strategy must still exist (a preset can
 * outlive a strategy that was removed or renamed), every parameter must be known and allowed by the schema, risk
 * settings must be known and finite, and the whole configuration must be one the engine runs: the engine's own
 * `validateConfig` on the strategy's default configuration with these values (the constraints between parameters,
 * e.g. sma-cross fast below slow, and the stop-loss / take-profit / sizing ranges).
 * @returns a message saying what is wrong and how to fix it, or null.
 */
export function presetValuesProblem(strategyId: string, values: PresetValues): string | null {
	if (!(STRATEGY_IDS as string[]).includes(strategyId)) {
		return `strategy "${strategyId}" no longer exists (known: ${STRATEGY_IDS.join(', ')}): pick another strategy for this preset or delete it`;
	}
	const def = getStrategy(strategyId);
	if (!values || typeof values !== 'object' || !values.params || typeof values.params !== 'object') return 'the preset has no parameter values';
	const problems: string[] = [];
	for (const [k, v] of Object.entries(values.params)) {
		const schema = def.params.find((p) => p.name === k);
		if (!schema) problems.push(`unknown parameter "${k}" for ${strategyId}`);
		else {
			const err = checkParam(schema, v);
			if (err) problems.push(err);
		}
	}
	for (const [k, v] of Object.entries(values.risk ?? {})) {
		if (!isRiskSetting(k)) problems.push(`unknown risk setting "${k}"`);
		else if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`${k} must be a finite number, got ${v}`);
	}
	if (problems.length) return problems.join('; ');
	// The sizing value's meaning depends on the job's sizing mode (equity fraction or a quote amount), which a preset
	// does not carry: it is checked above as a finite number and left out here.
	const { sizingValue: _sizing, ...risk } = values.risk ?? {};
	try {
		validateConfig(configWithPreset(defaultConfig(strategyId as StrategyId), { params: values.params, risk }));
	} catch (e) {
		if (!(e instanceof ValidationError)) throw e;
		return `the engine cannot run these values (${e.message.replace(/^Invalid backtest configuration: /, '')})`;
	}
	return null;
}

/** Problems of a stored preset (shape, key, strategy, values), or null when usable. */
export function validatePreset(p: Preset): string | null {
	if (!p || typeof p !== 'object') return 'not a preset record';
	if (typeof p.symbol !== 'string' || !p.symbol || !isTimeframe(p.interval) || typeof p.strategy !== 'string') return 'the preset has no valid market, timeframe or strategy';
	if (p.id !== presetId(p)) return `the preset id ${p.id} does not match its market, timeframe and strategy`;
	return presetValuesProblem(p.strategyId, p.values);
}

/** Whether two preset values are equal (parameters and risk settings, order-insensitive). */
export function sameValues(a: PresetValues | null | undefined, b: PresetValues | null | undefined): boolean {
	if (!a || !b) return !a && !b;
	const norm = (v: PresetValues) =>
		JSON.stringify([
			Object.entries(v.params).sort(([x], [y]) => (x < y ? -1 : 1)),
			Object.entries(v.risk ?? {}).filter(([, x]) => x !== undefined).sort(([x], [y]) => (x < y ? -1 : 1))
		]);
	return norm(a) === norm(b);
}

/**
 * Values in a canonical form for a strategy: every parameter present (defaults filled), enumerations by option name,
 * booleans as 0/1; risk settings kept. Unknown strategies are returned unchanged.
 */
export function normalizeValues(strategyId: string, v: PresetValues): PresetValues {
	if (!(STRATEGY_IDS as string[]).includes(strategyId)) return v;
	const params: Record<string, number | boolean | string> = {};
	for (const p of getStrategy(strategyId).params) {
		const raw = v.params[p.name] ?? p.default;
		params[p.name] = paramValueLabel(p, typeof raw === 'boolean' ? (raw ? 1 : 0) : raw);
	}
	for (const [k, x] of Object.entries(v.params)) if (!(k in params)) params[k] = x;
	const risk = Object.fromEntries(Object.entries(v.risk ?? {}).filter(([, x]) => x !== undefined));
	return Object.keys(risk).length ? { params, risk } : { params };
}

/** {@link sameValues} after {@link normalizeValues} (a partial preset equals its defaults-filled form). */
export function sameValuesFor(strategyId: string, a: PresetValues | null | undefined, b: PresetValues | null | undefined): boolean {
	if (!a || !b) return !a && !b;
	return sameValues(normalizeValues(strategyId, a), normalizeValues(strategyId, b));
}

/**
 * The values a preset gets when a row's best values are applied: the best parameters, and the preset's risk settings
 * with the best's risk settings over them (a job that did not search a risk setting does not erase it).
 */
export function mergeBest(old: PresetValues | null, best: PresetValues): PresetValues {
	const risk = { ...(old?.risk ?? {}), ...(best.risk ?? {}) };
	return Object.keys(risk).length ? { params: { ...best.params }, risk } : { params: { ...best.params } };
}

/** What {@link setPreset} records. */
export interface SetPresetOptions {
	source: PresetSource;
	sourceId?: string;
	note?: string;
	at?: UnixMs;
	/** Parameter values the preset must still have for the write to happen (stale-write guard); null = must not exist. */
	expectOld?: PresetValues | null;
}

/**
 * The preset record a change gives, without writing it: the new values and the change appended to the history.
 * @param existing - the preset as stored now (undefined when there is none).
 * @param key - market, timeframe and strategy key; @param strategyId - the registry strategy.
 * @param values - the new values (every strategy parameter; risk settings optional).
 * @returns the preset to store and the change (`change` null when the values were already these: nothing to store).
 * @throws ValidationError for an unknown strategy or values the engine refuses (schema ranges and the constraints
 *   between parameters); or when `expectOld` is given and the preset is no longer those values.
 */
export function stagePreset(
	existing: Preset | undefined,
	key: RowKey,
	strategyId: StrategyId,
	values: PresetValues,
	o: SetPresetOptions
): { preset: Preset; change: PresetChange | null } {
	const problem = presetValuesProblem(strategyId, values);
	if (problem) throw new ValidationError(`cannot save the preset ${presetId(key)}: ${problem}.`);
	if (!isTimeframe(key.interval)) throw new ValidationError(`cannot save the preset: unknown timeframe ${key.interval}.`);
	const id = presetId(key);
	const at = o.at ?? Date.now();
	const old = existing ? existing.values : null;
	if (o.expectOld !== undefined && !sameValuesFor(strategyId, old, o.expectOld)) {
		throw new ValidationError(`the preset ${id} changed since the plan was made (now ${JSON.stringify(old?.params ?? null)}); make a new plan.`);
	}
	if (existing && existing.strategyId === strategyId && sameValuesFor(strategyId, existing.values, values)) return { preset: existing, change: null };
	const change: PresetChange = { at, source: o.source, old: old ? structuredClone(old) : null, new: structuredClone(values) };
	if (o.sourceId !== undefined) change.sourceId = o.sourceId;
	if (o.note !== undefined) change.note = o.note;
	const preset: Preset = {
		version: RESEARCH_VERSION,
		id,
		symbol: key.symbol,
		interval: key.interval,
		strategy: key.strategy,
		strategyId,
		values: structuredClone(values),
		createdAt: existing?.createdAt ?? at,
		updatedAt: at,
		history: [...(existing?.history ?? []), change]
	};
	return { preset, change };
}

/**
 * Create or change a preset and append the change to its history.
 * @param store - the preset store.
 * @param key - market, timeframe and strategy key; @param strategyId - the registry strategy.
 * @param values - the new values (every strategy parameter; risk settings optional).
 * @returns the written preset and the change (`change` null when the values were already these: nothing written).
 * @throws ValidationError as {@link stagePreset} (nothing written).
 */
export async function setPreset(
	store: PresetStore,
	key: RowKey,
	strategyId: StrategyId,
	values: PresetValues,
	o: SetPresetOptions
): Promise<{ preset: Preset; change: PresetChange | null }> {
	const staged = stagePreset(await store.get(presetId(key)), key, strategyId, values, o);
	if (staged.change) await store.put(staged.preset);
	return staged;
}

/**
 * A backtest configuration with a preset's values: its parameters, and the risk settings a single-market backtest has
 * (stop-loss and take-profit as fractions, the sizing value). Leverage and breaker settings belong to portfolio runs
 * and are left out here.
 * @param config - the base configuration (not mutated). @param values - the preset's values.
 * @returns a new configuration.
 */
export function configWithPreset(config: BacktestConfig, values: PresetValues): BacktestConfig {
	const c: BacktestConfig = { ...structuredClone(config), params: { ...config.params, ...values.params } };
	const r = values.risk ?? {};
	if (r.stopLoss !== undefined) c.stopLoss = { mode: 'fraction', value: r.stopLoss };
	if (r.takeProfit !== undefined) c.takeProfit = { mode: 'fraction', value: r.takeProfit };
	if (r.sizingValue !== undefined) c.sizing = c.sizing.mode === 'fixed-notional' ? { mode: 'fixed-notional', amount: r.sizingValue } : { mode: c.sizing.mode, fraction: r.sizingValue };
	return c;
}

/**
 * Preset values of a backtest configuration (what "save as preset" stores): every strategy parameter (enumerations
 * by option name) and, when set, the stop-loss / take-profit fractions.
 */
export function presetValuesFromConfig(config: BacktestConfig): PresetValues {
	const def = getStrategy(config.strategy);
	const params: Record<string, number | boolean | string> = {};
	for (const p of def.params) params[p.name] = paramValueLabel(p, config.params[p.name] ?? p.default);
	const risk: PresetValues['risk'] = {};
	if (config.stopLoss.mode === 'fraction') risk.stopLoss = config.stopLoss.value;
	if (config.takeProfit.mode === 'fraction') risk.takeProfit = config.takeProfit.value;
	return Object.keys(risk).length ? { params, risk } : { params };
}

/** A preset store in memory (the CLI, tests). Records are copied in and out like IndexedDB does. */
export class MemoryPresetStore implements PresetStore {
	readonly #items = new Map<string, Preset>();
	/** Number of writes (tests check that a dry run writes nothing). */
	writes = 0;

	async get(id: string): Promise<Preset | undefined> {
		const p = this.#items.get(id);
		return p ? structuredClone(p) : undefined;
	}
	async list(): Promise<Preset[]> {
		return [...this.#items.values()].map((p) => structuredClone(p));
	}
	async put(preset: Preset): Promise<void> {
		this.writes++;
		this.#items.set(preset.id, structuredClone(preset));
	}
	/** All or nothing: every record is copied first, then all are stored (one write). */
	async putMany(presets: readonly Preset[]): Promise<void> {
		if (!presets.length) return;
		const copies = presets.map((p) => structuredClone(p));
		this.writes++;
		for (const p of copies) this.#items.set(p.id, p);
	}
	async delete(id: string): Promise<void> {
		this.writes++;
		this.#items.delete(id);
	}
}
