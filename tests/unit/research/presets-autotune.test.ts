/**
 * Presets, the best-parameters table, Apply, Compare and auto-tune on a real-data job: the dry run writes nothing,
 * apply writes exactly the dry run's changes (logged), stale presets are refused, filters, minImprovement, a preset
 * for a strategy that no longer exists.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createNodeEngine, createNodePortfolioEngine } from '../../../src/lib/engine/node';
import { applyAutoTune, planAutoTune } from '../../../src/lib/research/auto-tune';
import { MemoryPresetStore, setPreset, validatePreset } from '../../../src/lib/research/presets';
import { runResearch, sliceByTime } from '../../../src/lib/research/runner';
import { createResearchJob, presetId } from '../../../src/lib/research/spec';
import { applyRowBest, bestParamsTable, compareParameterSets, createInProcessFullRunner } from '../../../src/lib/research/table';
import type { Preset, ResearchJob } from '../../../src/lib/research/types';
import { formatFigure, formatParamValue, formatPresetValues, stepDecimals } from '../../../src/lib/research/format';
import { getStrategy, STRATEGY_IDS } from '../../../src/lib/engine/strategies';
import { fixtureCandles, fixtureSource, nodeEvaluator, spec3x2x2 } from './helpers';

let job: ResearchJob;
let store: MemoryPresetStore;

beforeAll(async () => {
	store = new MemoryPresetStore();
	// Presets for two rows: one with a poor setting (fast 5 / slow 30 on BTC 1h), one already at a good value.
	await setPreset(store, { symbol: 'BTCUSDT', interval: '1h', strategy: 'sma-cross' }, 'sma-cross', { params: { fast: 5, slow: 30 } }, { source: 'manual', at: 10 });
	await setPreset(store, { symbol: 'ETHUSDT', interval: '4h', strategy: 'rsi-mean-reversion' }, 'rsi-mean-reversion', { params: { period: 14, oversold: 30, overbought: 70, exitOnMid: 0 } }, { source: 'manual', at: 11 });
	job = await runResearch({ job: createResearchJob(spec3x2x2(), { id: 'job-p', now: 100 }), candles: fixtureSource(), evaluator: nodeEvaluator(), presets: store, now: () => 200 });
}, 120_000);

describe('best-parameters table', () => {
	it('shows best values next to the preset evaluated on the same data, with improvement and the OOS check', async () => {
		const rows = bestParamsTable(job, await store.list());
		expect(rows).toHaveLength(12);
		const btc = rows.find((r) => r.symbol === 'BTCUSDT' && r.interval === '1h' && r.strategy === 'sma-cross')!;
		expect(btc.current?.source).toBe('preset');
		expect(btc.current?.values.params).toMatchObject({ fast: 5, slow: 30 });
		expect(btc.currentIsPreset).toBe(true);
		const row = job.rows.find((r) => presetId(r) === 'BTCUSDT|1h|sma-cross')!;
		expect(btc.improvement).toBe(row.oos!.evidenceImprovement);
		// The improvement is the objective's relative change over the preset on the evidence window.
		const sharpeBest = row.bestStats!.sharpeRatio;
		const sharpePreset = row.baseline!.evidence.sharpeRatio;
		expect(btc.improvement).toBeCloseTo((sharpeBest - sharpePreset) / Math.abs(sharpePreset), 12);
		expect(btc.oos?.window.bars).toBe(row.bars.holdOut);
		const noPreset = rows.find((r) => r.symbol === 'BNBUSDT')!;
		expect(noPreset.current?.source).toBe('defaults');
		expect(noPreset.preset).toBeNull();
		for (const r of rows) expect(r.confidence).toBeGreaterThanOrEqual(0);
	});

	it('Compare runs two parameter sets on a market: statistics equal the job figures, equity per bar', async () => {
		const row = job.rows.find((r) => presetId(r) === 'BTCUSDT|1h|sma-cross')!;
		const ev = sliceByTime(fixtureCandles('BTCUSDT', '1h')!, job.range!.fromMs, job.range!.splitMs);
		const runner = createInProcessFullRunner({ single: () => createNodeEngine(), portfolio: () => createNodePortfolioEngine() });
		const cmp = await compareParameterSets(job, 'sma-cross', { id: 'x', symbol: 'BTCUSDT', interval: '1h', ohlcv: ev }, row.bestParams!, row.baseline!.values, runner);
		expect(cmp.a.stats.sharpeRatio).toBeCloseTo(row.bestStats!.sharpeRatio, 12);
		expect(cmp.b.stats.sharpeRatio).toBeCloseTo(row.baseline!.evidence.sharpeRatio, 12);
		expect(cmp.a.equity.length).toBe(ev.openTime.length);
		expect(cmp.openTime.length).toBe(ev.openTime.length);
	});
});

describe('auto-tune', () => {
	it('dry run writes nothing; apply writes exactly the dry run, each change logged with source auto-tune', async () => {
		const s = new MemoryPresetStore();
		for (const p of await store.list()) await s.put(p);
		const before = s.writes;
		const plan = await planAutoTune(job, s, {}, { id: 'plan-1', now: 300 });
		expect(s.writes).toBe(before);
		expect(plan.changes.length + plan.skipped.length).toBe(12);
		for (const c of plan.changes) {
			const row = job.rows.find((r) => presetId(r) === c.presetId)!;
			expect(c.improvement).toBeGreaterThanOrEqual(0.05);
			expect(row.oos!.passed).toBe(true);
			expect(c.new).toEqual(row.bestParams);
		}
		for (const k of plan.skipped) expect(k.reason).toMatch(/below 5\.0 %|out-of-sample check failed|already up to date|not finished|failed/);
		const snapshot = JSON.stringify(await s.list());
		const applied = await applyAutoTune(plan, s, 400);
		expect(applied.refused).toEqual([]);
		expect(applied.written.map((w) => w.presetId)).toEqual(plan.changes.map((c) => c.presetId));
		const after = await s.list();
		for (const c of plan.changes) {
			const p = after.find((x) => x.id === c.presetId)!;
			expect(p.values).toEqual(c.new);
			const last = p.history.at(-1)!;
			expect(last).toMatchObject({ source: 'auto-tune', sourceId: 'plan-1', at: 400, old: c.old, new: c.new });
		}
		// Presets the plan did not touch are unchanged.
		const untouched = JSON.parse(snapshot).filter((p: Preset) => !plan.changes.some((c) => c.presetId === p.id));
		for (const u of untouched) expect(after.find((x) => x.id === u.id)).toEqual(u);
		// A second dry run proposes nothing for the applied rows (already up to date, or measured against other values).
		const again = await planAutoTune(job, s, {}, { id: 'plan-2', now: 500 });
		expect(again.changes.filter((c) => plan.changes.some((d) => d.presetId === c.presetId))).toEqual([]);
	});

	it('filters by market and strategy, honours minImprovement, and refuses presets changed after the dry run', async () => {
		const s = new MemoryPresetStore();
		const all = await planAutoTune(job, s, { minImprovement: 0 }, { id: 'p0', now: 1 });
		const btc = await planAutoTune(job, s, { minImprovement: 0, filter: { symbol: 'BTCUSDT' } }, { id: 'p1', now: 1 });
		expect(btc.changes.every((c) => c.symbol === 'BTCUSDT')).toBe(true);
		expect(btc.changes.length + btc.skipped.length).toBe(4);
		const rsi = await planAutoTune(job, s, { minImprovement: 0, filter: { strategy: 'rsi-mean-reversion' } }, { id: 'p2', now: 1 });
		expect(rsi.changes.every((c) => c.strategy === 'rsi-mean-reversion')).toBe(true);
		const strict = await planAutoTune(job, s, { minImprovement: 1e9 }, { id: 'p3', now: 1 });
		expect(strict.changes.filter((c) => Number.isFinite(c.improvement))).toEqual([]);
		expect(all.changes.length).toBeGreaterThan(0);
		// Someone edits a preset after the dry run: apply refuses that one and writes the rest.
		const target = all.changes[0];
		await setPreset(s, target, target.strategyId, { params: { ...target.new.params } , risk: { stopLoss: 0.02 } }, { source: 'manual', at: 2 });
		const res = await applyAutoTune(all, s, 3);
		expect(res.refused.map((r) => r.presetId)).toEqual([target.presetId]);
		expect(res.refused[0].reason).toMatch(/changed since the plan was made/);
		expect(res.written.length).toBe(all.changes.length - 1);
		await expect(planAutoTune(job, s, { minImprovement: -1 })).rejects.toThrow(/minImprovement/);
	});

	it('Apply on one row writes its preset with source job and the job id', async () => {
		const s = new MemoryPresetStore();
		const i = job.rows.findIndex((r) => r.status === 'completed' && r.bestParams);
		const change = await applyRowBest(job, i, s, 77);
		expect(change).toMatchObject({ source: 'job', sourceId: 'job-p', at: 77, old: null, new: job.rows[i].bestParams });
		expect(await applyRowBest(job, i, s, 78)).toBeNull();
		expect((await s.get(presetId(job.rows[i])))!.history).toHaveLength(1);
	});
});

describe('auto-tune and Apply: whole-configuration check, one batch write, readable notes', () => {
	it('a row whose best values would give an unrunnable preset is skipped in the plan and refused by Apply; nothing written', async () => {
		const forged: ResearchJob = structuredClone(job);
		const i = forged.rows.findIndex((r) => presetId(r) === 'BTCUSDT|1h|sma-cross');
		forged.rows[i].bestParams = { params: { fast: 40, slow: 30 } };
		forged.rows[i].oos = { ...forged.rows[i].oos!, passed: true, evidenceImprovement: 9 };
		const s = new MemoryPresetStore();
		for (const p of await store.list()) await s.put(p);
		const before = s.writes;
		const plan = await planAutoTune(forged, s, { minImprovement: 0 }, { id: 'plan-x', now: 1 });
		expect(plan.changes.map((c) => c.presetId)).not.toContain('BTCUSDT|1h|sma-cross');
		const skipped = plan.skipped.find((k) => k.symbol === 'BTCUSDT' && k.interval === '1h' && k.strategy === 'sma-cross')!;
		expect(skipped.reason).toMatch(/would not run \(fast 40, slow 30: .*fast must be smaller than slow/);
		await expect(applyRowBest(forged, i, s, 2)).rejects.toThrow(/fast must be smaller than slow/);
		expect(s.writes).toBe(before);
		// A plan carrying such a change (e.g. made by an older version) is refused at apply; the rest is written at once.
		const bad = { ...plan, changes: [...plan.changes, { ...plan.changes[0], presetId: 'BTCUSDT|1h|sma-cross', symbol: 'BTCUSDT', interval: '1h' as const, strategy: 'sma-cross', strategyId: 'sma-cross' as const, old: { params: { fast: 5, slow: 30 } }, new: { params: { fast: 40, slow: 30 } } }] };
		const res = await applyAutoTune(bad, s, 3);
		expect(res.refused.map((r) => r.presetId)).toEqual(['BTCUSDT|1h|sma-cross']);
		expect(res.written.length).toBe(plan.changes.length);
		expect(s.writes).toBe(before + (plan.changes.length ? 1 : 0));
		expect((await s.get('BTCUSDT|1h|sma-cross'))!.values.params).toEqual({ fast: 5, slow: 30 });
	});

	it('apply is one all-or-nothing batch: a failing write leaves every preset as it was', async () => {
		class FullStore extends MemoryPresetStore {
			override async putMany(): Promise<void> {
				throw new Error('storage full');
			}
		}
		const s = new FullStore();
		for (const p of await store.list()) await s.put(p);
		const plan = await planAutoTune(job, s, { minImprovement: 0 }, { id: 'plan-f', now: 1 });
		expect(plan.changes.length).toBeGreaterThan(1);
		const snapshot = JSON.stringify(await s.list());
		await expect(applyAutoTune(plan, s, 2)).rejects.toThrow(/storage full/);
		expect(JSON.stringify(await s.list())).toBe(snapshot);
	});

	it('history notes give numbers to a few significant digits and values as the step implies', async () => {
		const s = new MemoryPresetStore();
		const plan = await planAutoTune(job, s, { minImprovement: 0 }, { id: 'plan-n', now: 1 });
		const res = await applyAutoTune(plan, s, 2);
		expect(res.written.length).toBeGreaterThan(0);
		for (const w of res.written) {
			const note = w.change.note!;
			expect(note).toMatch(/^auto-tune: defaults -> \w/);
			for (const n of note.match(/-?\d+(\.\d+)?/g)!.map(Number)) expect(n).toBe(Number(n.toPrecision(4)));
			expect(note).toMatch(/sharpeRatio (-?[\d.]+|n\/a) -> (-?[\d.]+|n\/a) \(/);
		}
		expect(formatFigure(-3.8473933201109323)).toBe('-3.847');
		expect(formatFigure(NaN)).toBe('n/a');
		expect(formatFigure(-Infinity)).toBe('−∞');
		expect(formatFigure(123456.7)).toBe('123500');
		expect(stepDecimals(0.05)).toBe(2);
		expect(stepDecimals(1)).toBe(0);
		expect(stepDecimals(1e-7)).toBe(7);
		expect(formatPresetValues('sma-cross', { params: { fast: 10, slow: 30.000000000000004 }, risk: { stopLoss: 0.030000000000000002 } })).toBe('fast 10, slow 30; stopLoss 3 %');
		const bb = STRATEGY_IDS.flatMap((id) => getStrategy(id).params).find((p) => p.type === 'float' && p.step < 1)!;
		expect(formatParamValue(bb, bb.min + bb.step * 3 + 1e-12)).toBe(String(Number((bb.min + bb.step * 3).toFixed(stepDecimals(bb.step)))));
	});
});

describe('presets', () => {
	it('a preset for a strategy that no longer exists is reported, not used as a baseline, and not lost', async () => {
		const s = new MemoryPresetStore();
		const stale: Preset = {
			version: 1,
			id: 'BTCUSDT|4h|sma-cross',
			symbol: 'BTCUSDT',
			interval: '4h',
			strategy: 'sma-cross',
			strategyId: 'old-strategy' as never,
			values: { params: { fast: 3 } },
			createdAt: 1,
			updatedAt: 1,
			history: []
		};
		await s.put(stale);
		expect(validatePreset(stale)).toMatch(/strategy "old-strategy" no longer exists/);
		await expect(setPreset(s, stale, 'old-strategy' as never, { params: {} }, { source: 'manual' })).rejects.toThrow(/no longer exists/);
		const out = await runResearch({
			job: createResearchJob({ ...spec3x2x2(), markets: ['BTCUSDT'], timeframes: ['4h'], strategies: [spec3x2x2().strategies[0]] }, { now: 1 }),
			candles: fixtureSource(),
			evaluator: nodeEvaluator(),
			presets: s
		});
		expect(out.rows[0].baseline?.source).toBe('defaults');
		expect(out.notes.join('\n')).toMatch(/preset BTCUSDT\|4h\|sma-cross not used as baseline: strategy "old-strategy" no longer exists/);
		expect(await s.get(stale.id)).toEqual(stale);
		// Auto-tune leaves it alone and says why; nothing is written.
		const before = s.writes;
		const plan = await planAutoTune(out, s, { minImprovement: 0 });
		expect(plan.changes).toEqual([]);
		expect(plan.skipped[0].reason).toMatch(/the stored preset cannot be used \(strategy "old-strategy" no longer exists/);
		expect(s.writes).toBe(before);
	});

	it('rejects values the schema does not allow and keeps the history append-only', async () => {
		const s = new MemoryPresetStore();
		const key = { symbol: 'ETHUSDT', interval: '1h' as const, strategy: 'sma-cross' };
		await expect(setPreset(s, key, 'sma-cross', { params: { fast: 0 } }, { source: 'manual' })).rejects.toThrow(/fast must be between 2 and 500/);
		await setPreset(s, key, 'sma-cross', { params: { fast: 10, slow: 30 } }, { source: 'manual', at: 1 });
		await setPreset(s, key, 'sma-cross', { params: { fast: 12, slow: 30 } }, { source: 'recommendation', sourceId: 'rec-1', at: 2 });
		const p = (await s.get(presetId(key)))!;
		expect(p.history.map((h) => [h.source, h.old?.params.fast ?? null, h.new.params.fast])).toEqual([
			['manual', null, 10],
			['recommendation', 10, 12]
		]);
	});
});

describe('presets and backtest configurations', () => {
	it('load into and save from a backtest configuration; partial presets equal their defaults-filled form; applying keeps risk settings', async () => {
		const { configWithPreset, presetValuesFromConfig, sameValuesFor, mergeBest } = await import('../../../src/lib/research/presets');
		const { defaultConfig } = await import('../../../src/lib/engine/strategies');
		const c = configWithPreset(defaultConfig('sma-cross'), { params: { fast: 7, slow: 40 }, risk: { stopLoss: 0.02, takeProfit: 0.05 } });
		expect(c.params).toMatchObject({ fast: 7, slow: 40 });
		expect(c.stopLoss).toEqual({ mode: 'fraction', value: 0.02 });
		expect(c.takeProfit).toEqual({ mode: 'fraction', value: 0.05 });
		expect(presetValuesFromConfig(c)).toEqual({ params: { fast: 7, slow: 40 }, risk: { stopLoss: 0.02, takeProfit: 0.05 } });
		expect(sameValuesFor('rsi-mean-reversion', { params: { period: 10 } }, { params: { period: 10, oversold: 30, overbought: 70, exitOnMid: false } })).toBe(true);
		expect(mergeBest({ params: { fast: 2, slow: 3 }, risk: { stopLoss: 0.02 } }, { params: { fast: 10, slow: 50 } })).toEqual({ params: { fast: 10, slow: 50 }, risk: { stopLoss: 0.02 } });
		// Applying a row's best to a preset with a stop keeps the stop.
		const s = new MemoryPresetStore();
		const i = job.rows.findIndex((r) => r.strategy === 'sma-cross' && r.bestParams);
		await setPreset(s, job.rows[i], 'sma-cross', { params: { fast: 2 }, risk: { stopLoss: 0.03 } }, { source: 'manual', at: 1 });
		await applyRowBest(job, i, s, 2);
		expect((await s.get(presetId(job.rows[i])))!.values).toEqual({ params: job.rows[i].bestParams!.params, risk: { stopLoss: 0.03 } });
	});
});
