/**
 * Presets ("the settings I trade with"): per (market, timeframe, strategy) the current parameter values, with an
 * append-only history of changes (who or what changed them, old and new values, when). Storage-agnostic: every
 * function takes a {@link PresetStore} (IndexedDB in the app, {@link MemoryPresetStore} in the CLI and tests).
 */
import { ValidationError } from '../core/errors';
import { isTimeframe } from '../core/timeframe';
import type { UnixMs } from '../core/types';
import { checkParam, getStrategy, STRATEGY_IDS } from '../engine/strategies';
import type { StrategyId } from '../engine/types';
import { isRiskSetting, presetId } from './spec';
import { RESEARCH_VERSION, type Preset, type PresetChange, type PresetSource, type PresetStore, type PresetValues, type RowKey } from './types';

/**
 * Problems of a preset's values for its strategy, or null when usable: the strategy must still exist (a preset can
 * outlive a strategy that was removed or renamed), every parameter must be known and allowed by the schema, risk
 * settings must be known and finite.
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
	return problems.length ? problems.join('; ') : null;
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
 * Create or change a preset and append the change to its history.
 * @param store - the preset store.
 * @param key - market, timeframe and strategy key; @param strategyId - the registry strategy.
 * @param values - the new values (every strategy parameter; risk settings optional).
 * @returns the written preset and the change (`change` null when the values were already these: nothing written).
 * @throws ValidationError for an unknown strategy or values the schema rejects (nothing written); or when
 *   `expectOld` is given and the preset changed since (nothing written).
 */
export async function setPreset(
	store: PresetStore,
	key: RowKey,
	strategyId: StrategyId,
	values: PresetValues,
	o: SetPresetOptions
): Promise<{ preset: Preset; change: PresetChange | null }> {
	const problem = presetValuesProblem(strategyId, values);
	if (problem) throw new ValidationError(`cannot save the preset ${presetId(key)}: ${problem}.`);
	if (!isTimeframe(key.interval)) throw new ValidationError(`cannot save the preset: unknown timeframe ${key.interval}.`);
	const id = presetId(key);
	const at = o.at ?? Date.now();
	const existing = await store.get(id);
	const old = existing ? existing.values : null;
	if (o.expectOld !== undefined && !sameValues(old, o.expectOld)) {
		throw new ValidationError(`the preset ${id} changed since the plan was made (now ${JSON.stringify(old?.params ?? null)}); make a new plan.`);
	}
	if (existing && sameValues(existing.values, values) && existing.strategyId === strategyId) return { preset: existing, change: null };
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
	await store.put(preset);
	return { preset, change };
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
	async delete(id: string): Promise<void> {
		this.writes++;
		this.#items.delete(id);
	}
}
