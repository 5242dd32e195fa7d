/**
 * Applying recommendations to presets: an accepted recommendation's changes are merged into the presets (source
 * `recommendation`, the recommendation id), and the `applied` transition records in the audit trail exactly what
 * was written (preset id, old and new values).
 */
import { transitionRecommendation } from '../analysis/recommendations';
import type { Recommendation } from '../analysis/recommendation-types';
import { ValidationError } from '../core/errors';
import type { Timeframe, UnixMs } from '../core/types';
import { getStrategy, paramValueLabel } from '../engine/strategies';
import type { StrategyId } from '../engine/types';
import { formatPresetValues } from './format';
import { presetValuesProblem, stagePreset } from './presets';
import { presetId } from './spec';
import type { Preset, PresetChange, PresetStore, PresetValues, RiskSetting } from './types';

/** What applying a recommendation writes, computed without writing (see {@link stageRecommendation}). */
export interface StagedRecommendation {
	/** The recommendation marked applied, its audit entry listing the changes. */
	recommendation: Recommendation;
	/** The presets to store (history entries appended), one record per preset. */
	presets: Preset[];
	/** The preset changes, in the recommendation's order. */
	written: { presetId: string; change: PresetChange }[];
}

/**
 * Everything applying an accepted recommendation writes, without writing it: each change merged into its preset (a
 * preset that does not exist yet starts from the strategy's defaults), every resulting preset checked with the
 * engine's own validation (ranges and the constraints between parameters, e.g. sma-cross fast below slow), and the
 * recommendation marked applied with the changes in its audit trail. The caller stores `presets` (and the
 * recommendation) together; {@link applyRecommendation} does it through the preset store.
 * @throws ValidationError when the recommendation is not accepted, or a change names a strategy that no longer
 *   exists or would leave a preset the engine cannot run (the message names the preset and the reason).
 */
export async function stageRecommendation(rec: Recommendation, store: Pick<PresetStore, 'get'>, at: UnixMs = Date.now()): Promise<StagedRecommendation> {
	if (rec.status !== 'accepted') throw new ValidationError(`accept the recommendation before applying it (it is ${rec.status}).`);
	const staged = new Map<string, Preset>();
	const written: { presetId: string; change: PresetChange }[] = [];
	for (const c of rec.changes) {
		const key = { symbol: c.symbol, interval: c.interval, strategy: c.strategy };
		const id = presetId(key);
		const existing = staged.get(id) ?? (await store.get(id));
		let def;
		try {
			def = getStrategy(c.strategyId);
		} catch {
			throw new ValidationError(`cannot apply ${rec.id}: strategy "${c.strategyId}" no longer exists.`);
		}
		const base: PresetValues = existing?.values ?? { params: Object.fromEntries(def.params.map((p) => [p.name, paramValueLabel(p, p.default)])) };
		const params = { ...base.params };
		for (const [k, v] of Object.entries(c.set.params ?? {})) {
			const schema = def.params.find((p) => p.name === k);
			params[k] = schema ? paramValueLabel(schema, v) : v;
		}
		const risk = { ...(base.risk ?? {}), ...((c.set.risk ?? {}) as Partial<Record<RiskSetting, number>>) };
		const values: PresetValues = Object.keys(risk).length ? { params, risk } : { params };
		const problem = presetValuesProblem(c.strategyId, values);
		if (problem) {
			throw new ValidationError(
				`cannot apply ${rec.id}: it would leave the preset ${id.replaceAll('|', ' ')} at ${formatPresetValues(c.strategyId, values)}, which is refused: ${problem}. ` +
					'Nothing was written; adjust that preset first or reject the recommendation.'
			);
		}
		const { preset, change } = stagePreset(existing, key, c.strategyId as StrategyId, values, { source: 'recommendation', sourceId: rec.id, note: rec.title, at });
		if (change) {
			staged.set(id, preset);
			written.push({ presetId: id, change });
		}
	}
	const recommendation = transitionRecommendation(rec, 'applied', {
		at,
		note: `applied to ${written.length} preset(s)`,
		changes: written.map((w) => ({ presetId: w.presetId, old: w.change.old, new: w.change.new }))
	});
	return { recommendation, presets: [...staged.values()], written };
}

/**
 * Apply an accepted recommendation: {@link stageRecommendation}, then the presets written in one `putMany` (all or
 * nothing).
 * @returns the applied recommendation and the preset changes written.
 * @throws ValidationError as {@link stageRecommendation} (nothing written); what the store's putMany throws.
 */
export async function applyRecommendation(rec: Recommendation, store: PresetStore, at: UnixMs = Date.now()): Promise<{ recommendation: Recommendation; written: { presetId: string; change: PresetChange }[] }> {
	const s = await stageRecommendation(rec, store, at);
	await store.putMany(s.presets);
	return { recommendation: s.recommendation, written: s.written };
}
