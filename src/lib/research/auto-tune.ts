/**
 * Auto-tune: apply a job's best values to presets where the gain is worth it. {@link planAutoTune} is the dry run:
 * it reads the presets and writes nothing; {@link applyAutoTune} writes exactly the plan's changes (each logged in
 * its preset's history with source `auto-tune` and the plan id), refusing any preset that changed since the plan.
 */
import { ValidationError } from '../core/errors';
import type { UnixMs } from '../core/types';
import { resolveObjective } from '../optimize/objective';
import { rowConfidence } from './improvement';
import { formatFigure, formatPresetValues } from './format';
import { mergeBest, presetValuesProblem, sameValuesFor, stagePreset, validatePreset } from './presets';
import { presetId } from './spec';
import { RESEARCH_VERSION, type AutoTuneApplied, type AutoTuneOptions, type AutoTunePlan, type Preset, type PresetStore, type ResearchJob } from './types';

/** Default least relative improvement of the objective: 5 %. */
export const DEFAULT_MIN_IMPROVEMENT = 0.05;

/**
 * The dry run: which presets auto-tune would change, old → new, with the improvement and confidence.
 * A row is changed when it is completed with best values, matches the filter, its in-sample improvement over the
 * baseline is at least `minImprovement`, its out-of-sample check passed, the baseline it was measured against is
 * still the preset (or there is still no preset and the baseline was the defaults), the values differ, and the
 * resulting preset is one the engine runs (presetValuesProblem: ranges and the constraints between parameters).
 * @param job - the job; @param store - presets (read only).
 * @param options - filter (market, strategy, timeframe) and minImprovement (default 0.05).
 * @param meta - plan id and time.
 * @returns the plan (every row not changed is listed in `skipped` with the reason).
 * @throws ValidationError for minImprovement that is not a finite number >= 0.
 */
export async function planAutoTune(job: ResearchJob, store: PresetStore, options: AutoTuneOptions = {}, meta: { id?: string; now?: UnixMs } = {}): Promise<AutoTunePlan> {
	const minImprovement = options.minImprovement ?? DEFAULT_MIN_IMPROVEMENT;
	if (!Number.isFinite(minImprovement) || minImprovement < 0) throw new ValidationError(`minImprovement must be a fraction >= 0 (0.05 = 5 %), got ${minImprovement}.`);
	const filter = { ...(options.filter ?? {}) };
	const now = meta.now ?? Date.now();
	const objective = resolveObjective(job.spec.objective);
	const plan: AutoTunePlan = {
		version: RESEARCH_VERSION,
		id: meta.id ?? `tune-${now.toString(36)}-${job.id}`,
		jobId: job.id,
		createdAt: now,
		options: { minImprovement, filter },
		changes: [],
		skipped: []
	};
	const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : String(x));
	for (const r of job.rows) {
		if (filter.symbol && r.symbol !== filter.symbol) continue;
		if (filter.strategy && r.strategy !== filter.strategy) continue;
		if (filter.interval && r.interval !== filter.interval) continue;
		const key = { symbol: r.symbol, interval: r.interval, strategy: r.strategy };
		const skip = (reason: string) => plan.skipped.push({ ...key, reason });
		if (r.status !== 'completed') {
			skip(r.status === 'failed' ? `row failed: ${r.error}` : `row not finished (${r.status})`);
			continue;
		}
		if (!r.bestParams || !r.oos) {
			skip('no ranked trial: nothing to apply');
			continue;
		}
		const preset = await store.get(presetId(key));
		const problem = preset ? validatePreset(preset) : null;
		if (problem) {
			skip(`the stored preset cannot be used (${problem}): fix or delete it first`);
			continue;
		}
		const old = preset?.values ?? null;
		const next = mergeBest(old, r.bestParams);
		if (old && sameValuesFor(r.strategyId, old, next)) {
			skip('already up to date');
			continue;
		}
		const unrunnable = presetValuesProblem(r.strategyId, next);
		if (unrunnable) {
			skip(`the best values merged into the preset would not run (${formatPresetValues(r.strategyId, next)}: ${unrunnable}): nothing is changed`);
			continue;
		}
		const measured = r.baseline && (r.baseline.source === 'preset' ? !!old && sameValuesFor(r.strategyId, old, r.baseline.values) : !old);
		if (!measured) {
			skip('the preset changed after the job ran (its improvement was measured against other values): run the job again');
			continue;
		}
		const imp = r.oos.evidenceImprovement;
		if (!(imp >= minImprovement)) {
			skip(`improvement ${pct(imp)} is below ${pct(minImprovement)}`);
			continue;
		}
		if (!r.oos.passed) {
			skip(`out-of-sample check failed: ${r.oos.reason}`);
			continue;
		}
		plan.changes.push({
			...key,
			presetId: presetId(key),
			strategyId: r.strategyId,
			old: old ? structuredClone(old) : null,
			new: next,
			objective: objective.key,
			oldValue: r.oos.evidence.baseline,
			newValue: r.oos.evidence.best,
			improvement: imp,
			holdOutImprovement: r.oos.holdOutImprovement,
			confidence: rowConfidence(r)
		});
	}
	return plan;
}

/**
 * Apply a plan: write exactly its changes (source `auto-tune`, the plan id, old → new values and the improvement in
 * the note, numbers to a few significant digits), all in one `putMany` (all or nothing).
 * A change whose preset is no longer the plan's `old` values, or whose values the engine would not run, is refused
 * (listed with the reason); the others are written together.
 * @returns what was written and refused.
 * @throws what the store's putMany throws (then nothing was written).
 */
export async function applyAutoTune(plan: AutoTunePlan, store: PresetStore, at: UnixMs = Date.now()): Promise<AutoTuneApplied> {
	const out: AutoTuneApplied = { planId: plan.id, at, written: [], refused: [] };
	const staged = new Map<string, Preset>();
	for (const c of plan.changes) {
		try {
			const pctOf = (x: number) => (Number.isFinite(x) ? `${formatFigure(x * 100, 3)} %` : 'n/a');
			const note =
				`auto-tune: ${c.old ? formatPresetValues(c.strategyId, c.old) : 'defaults'} -> ${formatPresetValues(c.strategyId, c.new)}; ` +
				`${c.objective} ${formatFigure(c.oldValue)} -> ${formatFigure(c.newValue)} (${pctOf(c.improvement)} in sample, ${pctOf(c.holdOutImprovement)} out of sample, confidence ${formatFigure(c.confidence * 100, 2)} %)`;
			const existing = staged.get(c.presetId) ?? (await store.get(c.presetId));
			const { preset, change } = stagePreset(existing, c, c.strategyId, c.new, { source: 'auto-tune', sourceId: plan.id, note, at, expectOld: c.old });
			if (change) {
				staged.set(c.presetId, preset);
				out.written.push({ presetId: c.presetId, change });
			}
		} catch (e) {
			if (!(e instanceof ValidationError)) throw e;
			out.refused.push({ presetId: c.presetId, reason: e.message });
		}
	}
	await store.putMany([...staged.values()]);
	return out;
}
