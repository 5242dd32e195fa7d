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
import { presetValuesProblem, setPreset } from './presets';
import { presetId } from './spec';
import type { PresetChange, PresetStore, PresetValues, RiskSetting } from './types';

/**
 * Apply an accepted recommendation: merge each change into its preset (a preset that does not exist yet starts from
 * the strategy's defaults) and mark the recommendation applied with the changes in its audit trail.
 * Every change is validated before anything is written (all or nothing for bad values).
 * @returns the applied recommendation and the preset changes written.
 * @throws ValidationError when the recommendation is not accepted, or a change names a strategy that no longer
 *   exists or a value its schema rejects (nothing written).
 */
export async function applyRecommendation(rec: Recommendation, store: PresetStore, at: UnixMs = Date.now()): Promise<{ recommendation: Recommendation; written: { presetId: string; change: PresetChange }[] }> {
	if (rec.status !== 'accepted') throw new ValidationError(`accept the recommendation before applying it (it is ${rec.status}).`);
	const plans: { key: { symbol: string; interval: Timeframe; strategy: string }; strategyId: StrategyId; values: PresetValues }[] = [];
	for (const c of rec.changes) {
		const key = { symbol: c.symbol, interval: c.interval, strategy: c.strategy };
		const existing = await store.get(presetId(key));
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
		if (problem) throw new ValidationError(`cannot apply ${rec.id} to ${presetId(key)}: ${problem}.`);
		plans.push({ key, strategyId: c.strategyId as StrategyId, values });
	}
	const written: { presetId: string; change: PresetChange }[] = [];
	for (const p of plans) {
		const { change } = await setPreset(store, p.key, p.strategyId, p.values, { source: 'recommendation', sourceId: rec.id, note: rec.title, at });
		if (change) written.push({ presetId: presetId(p.key), change });
	}
	const recommendation = transitionRecommendation(rec, 'applied', {
		at,
		note: `applied to ${written.length} preset(s)`,
		changes: written.map((w) => ({ presetId: w.presetId, old: w.change.old, new: w.change.new }))
	});
	return { recommendation, written };
}
