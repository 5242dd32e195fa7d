/**
 * The app's bridge to the research core: the best-parameters table of a job against the presets as they are now, and
 * auto-tune's dry run and apply, built on the core's row results (`oos`, `deflated`), `rowConfidence`,
 * `relativeImprovement` and `setPreset` (src/lib/research/). Written app-side because the core's own table and
 * auto-tune functions had not landed when the screen was built; they follow the core's types (`BestParamsRow`,
 * `AutoTunePlan`, `AutoTuneApplied`) so the screen can switch to them without change. Plain TypeScript.
 */
import type { UnixMs } from '../core/types';
import type { StrategyId } from '../engine/types';
import { rowConfidence } from '../research/improvement';
import { MemoryPresetStore, sameValues, setPreset } from '../research/presets';
import { presetId, newResearchId } from '../research/spec';
import { RESEARCH_VERSION, type AutoTuneChange, type AutoTuneOptions, type AutoTunePlan, type BestParamsRow, type Preset, type ResearchJob, type RowKey } from '../research/types';

/**
 * One table row per job row: best parameters and statistics, the preset's values now, the baseline the job evaluated
 * (the preset's values when it ran, or the defaults), the relative improvement of the objective on the evidence window
 * (from the row's out-of-sample check record), the check, the confidence and whether the preset already holds the best.
 * @param job - a research job (rows in any state).
 * @param presets - every stored preset.
 */
export function bestTable(job: ResearchJob, presets: readonly Preset[]): BestParamsRow[] {
	const byId = new Map(presets.map((p) => [p.id, p]));
	return job.rows.map((r) => {
		const preset = byId.get(presetId(r)) ?? null;
		const current = r.baseline;
		const currentIsPreset = current ? (current.source === 'preset' ? !!preset && sameValues(current.values, preset.values) : !preset) : false;
		return {
			symbol: r.symbol,
			interval: r.interval,
			strategy: r.strategy,
			status: r.status,
			...(r.error ? { error: r.error } : {}),
			best: r.bestParams,
			bestStats: r.bestStats,
			preset: preset?.values ?? null,
			current,
			currentIsPreset,
			improvement: r.oos ? r.oos.evidenceImprovement : NaN,
			oos: r.oos,
			confidence: rowConfidence(r),
			upToDate: !!r.bestParams && !!preset && sameValues(r.bestParams, preset.values)
		};
	});
}

/**
 * Auto-tune dry run: for the rows the filter selects, the preset changes that would be written — only where the row
 * completed, the out-of-sample check passed, the preset does not already hold the best values, and the relative
 * improvement of the objective (evidence window, best over the current values) is at least `minImprovement`. Every
 * other row is listed in `skipped` with the reason. Writes nothing.
 * @param job - a completed research job.
 * @param presets - the presets now.
 * @param options - filter (market, strategy, interval) and minImprovement (fraction, default 0.05).
 * @param now - plan time, Unix ms.
 */
export function autoTunePlan(job: ResearchJob, presets: readonly Preset[], options: AutoTuneOptions, now: UnixMs): AutoTunePlan {
	const minImprovement = options.minImprovement ?? 0.05;
	const filter = options.filter ?? {};
	const table = bestTable(job, presets);
	const changes: AutoTuneChange[] = [];
	const skipped: AutoTunePlan['skipped'] = [];
	job.rows.forEach((r, i) => {
		if (filter.symbol && r.symbol !== filter.symbol) return;
		if (filter.strategy && r.strategy !== filter.strategy) return;
		if (filter.interval && r.interval !== filter.interval) return;
		const t = table[i];
		const key: RowKey = { symbol: r.symbol, interval: r.interval, strategy: r.strategy };
		const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
		if (r.status !== 'completed') return void skipped.push({ ...key, reason: r.status === 'failed' ? `the row failed: ${r.error ?? 'no reason'}` : `the row is ${r.status}` });
		if (!r.bestParams || !r.oos) return void skipped.push({ ...key, reason: 'no trial had enough trades to be ranked' });
		if (t.upToDate) return void skipped.push({ ...key, reason: 'the preset already holds the best parameters' });
		if (!r.oos.passed) return void skipped.push({ ...key, reason: `the out-of-sample check failed: ${r.oos.reason}` });
		if (!(t.improvement >= minImprovement)) return void skipped.push({ ...key, reason: `improvement ${Number.isFinite(t.improvement) ? pct(t.improvement) : 'undefined'} is below ${pct(minImprovement)}` });
		changes.push({
			...key,
			presetId: presetId(key),
			strategyId: r.strategyId,
			old: t.preset,
			new: r.bestParams,
			objective: job.spec.objective.key,
			oldValue: r.oos.evidence.baseline,
			newValue: r.oos.evidence.best,
			improvement: t.improvement,
			holdOutImprovement: r.oos.holdOutImprovement,
			confidence: t.confidence
		});
	});
	return { version: RESEARCH_VERSION, id: newResearchId(now).replace(/^research/, 'tune'), jobId: job.id, createdAt: now, options: { minImprovement, filter }, changes, skipped };
}

/**
 * Apply a dry run: exactly its changes, each appended to its preset's history as `auto-tune` (source id = the plan's).
 * A preset that changed since the dry run is not written (listed in `refused`); the caller stores `presets` in one
 * transaction.
 * @param plan - the dry run. @param presets - the presets now. @param now - write time.
 * @returns the presets to store, the number of changes, and the refused ones with the reason.
 */
export async function autoTuneApply(plan: AutoTunePlan, presets: readonly Preset[], now: UnixMs): Promise<{ presets: Preset[]; written: number; refused: string[] }> {
	const mem = new MemoryPresetStore();
	for (const p of presets) await mem.put(p);
	const out: Preset[] = [];
	const refused: string[] = [];
	for (const c of plan.changes) {
		try {
			const r = await setPreset(mem, c, c.strategyId as StrategyId, c.new, {
				source: 'auto-tune',
				sourceId: plan.id,
				at: now,
				expectOld: c.old,
				note: `${c.objective} ${c.oldValue.toPrecision(4)} → ${c.newValue.toPrecision(4)} (+${(c.improvement * 100).toFixed(1)} %), confidence ${(c.confidence * 100).toFixed(0)} %`
			});
			if (r.change) out.push(r.preset);
		} catch (e) {
			refused.push(`${c.presetId}: ${(e as Error).message}`);
		}
	}
	return { presets: out, written: out.length, refused };
}
