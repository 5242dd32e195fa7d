/**
 * All-or-nothing preset writes around the research core's functions (src/lib/research/: `applyAutoTune`,
 * `applyRecommendation`, `applyRowBest` write presets one `put` at a time). The core function runs on an in-memory
 * copy of the presets ({@link MemoryPresetStore}); the presets it changed are then stored by the caller in one
 * IndexedDB transaction, so a full storage or a refused change leaves every stored preset as it was. Plain TypeScript.
 */
import { validateConfig } from '../engine/strategies';
import type { StrategyId } from '../engine/types';
import { configWithPreset, MemoryPresetStore } from '../research/presets';
import type { Preset, PresetStore } from '../research/types';
import { appDefaultConfig } from './strategy-form.svelte';

/**
 * Run `write` on an in-memory copy of `presets` and collect the presets it wrote.
 * @param presets - the stored presets now.
 * @param write - a core function writing through the given store.
 * @returns its result and the written presets (final state of each, once), to store in one transaction.
 */
export async function onPresetCopy<T>(presets: readonly Preset[], write: (store: PresetStore) => Promise<T>): Promise<{ result: T; written: Preset[] }> {
	const mem = new MemoryPresetStore();
	for (const p of presets) await mem.put(p);
	const touched = new Set<string>();
	const store: PresetStore = {
		get: (id) => mem.get(id),
		list: () => mem.list(),
		put: async (p) => {
			touched.add(p.id);
			await mem.put(p);
		},
		delete: async (id) => {
			throw new Error(`research writes never delete presets (asked to delete ${id})`);
		}
	};
	const result = await write(store);
	const written: Preset[] = [];
	for (const id of touched) {
		const p = await mem.get(id);
		if (p) written.push(p);
	}
	return { result, written };
}

/**
 * Whether a preset's values make a configuration the engine accepts, checked with the strategy's own rules
 * (`validateConfig`: ranges and constraints between parameters, e.g. SMA fast below slow).
 * @returns null when valid, else the engine's message.
 */
export function presetConfigProblem(preset: Pick<Preset, 'strategyId' | 'values'>): string | null {
	try {
		validateConfig(configWithPreset(appDefaultConfig(preset.strategyId as StrategyId), preset.values));
		return null;
	} catch (e) {
		return (e as Error).message;
	}
}
