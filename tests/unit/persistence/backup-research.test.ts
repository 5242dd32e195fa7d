/**
 * Backups carry the research records (schema v4): a job produced by the real runner on real candles (NaN and infinite
 * statistics included), presets with their history and a recommendation with its audit trail are exported, imported
 * exactly into a fresh browser, a running job comes back resumable, a second import adds nothing, a malformed
 * research record rejects the whole file, and a backup made before v4 still imports.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { openAppDb } from '../../../src/lib/persistence/db';
import { BackupError, exportAll, importAll, readBackup } from '../../../src/lib/persistence/backup';
import { PresetsRepository, RecommendationsRepository, ResearchJobsRepository } from '../../../src/lib/persistence/research';
import { runResearch } from '../../../src/lib/research/runner';
import { MemoryPresetStore, setPreset } from '../../../src/lib/research/presets';
import { createResearchJob, defaultResearchExecution } from '../../../src/lib/research/spec';
import type { Preset, ResearchJob } from '../../../src/lib/research/types';
import { freshFactory } from './helpers';
import { fixtureSource, nodeEvaluator } from '../research/helpers';

async function realJob(): Promise<ResearchJob> {
	return runResearch({
		job: createResearchJob(
			{
				name: 'backup',
				description: 'BTC 4h',
				markets: ['BTCUSDT'],
				timeframes: ['4h'],
				strategies: [{ strategy: 'sma-cross', axes: [{ name: 'fast', values: [5, 10] }, { name: 'slow', values: [30, 60] }] }],
				riskAxes: [],
				objective: { key: 'profitFactor', minTrades: 3 },
				window: { fromMs: Date.UTC(2025, 9, 1), toMs: Date.UTC(2026, 3, 14) }
				,
				execution: defaultResearchExecution()
			},
			{ id: 'res-1', now: 1_000 }
		),
		candles: fixtureSource(),
		evaluator: nodeEvaluator(),
		now: () => 2_000
	});
}

describe('backup of research records', () => {
	it('round-trips jobs, presets with history and recommendations exactly; a running job comes back resumable', async () => {
		const src = await openAppDb('r-src', freshFactory());
		const job = await realJob();
		expect(job.status).toBe('completed');
		const jobs = new ResearchJobsRepository<ResearchJob>(src);
		await jobs.put(job);
		await jobs.put({ ...job, id: 'res-2', status: 'running', createdAt: 3_000 });
		const mem = new MemoryPresetStore();
		await setPreset(mem, { symbol: 'BTCUSDT', interval: '4h', strategy: 'sma-cross' }, 'sma-cross', { params: { fast: 10, slow: 30 } }, { source: 'manual', at: 1 });
		await setPreset(mem, { symbol: 'BTCUSDT', interval: '4h', strategy: 'sma-cross' }, 'sma-cross', { params: { fast: 5, slow: 60 } }, { source: 'job', sourceId: 'res-1', at: 2 });
		const presets = new PresetsRepository<Preset>(src);
		await presets.putMany(await mem.list());
		const rec = { id: 'rec-1', kind: 'parameter', title: 'sma-cross: set fast to 5', status: 'accepted', actionable: true, createdAt: 5, audit: [{ at: 5, from: null, to: 'pending', actor: 'check' }, { at: 6, from: 'pending', to: 'accepted', actor: 'user' }], confidence: { value: NaN } };
		await new RecommendationsRepository<typeof rec>(src).put(rec);

		const bytes = await exportAll(src, { now: 10 });
		const doc = readBackup(bytes);
		expect(doc.research.researchJobs.map((j) => j.id).sort()).toEqual(['res-1', 'res-2']);
		const dst = await openAppDb('r-dst', freshFactory());
		const report = await importAll(dst, bytes, { now: 20 });
		expect(report.research).toEqual({ researchJobs: { added: 2, skipped: 0 }, presets: { added: 1, skipped: 0 }, recommendations: { added: 1, skipped: 0 } });
		expect(report.interrupted).toBe(1);
		const back = new ResearchJobsRepository<ResearchJob>(dst);
		expect(await back.get('res-1')).toEqual(job);
		expect(await back.get('res-2')).toMatchObject({ status: 'cancelled', updatedAt: 20, error: expect.stringMatching(/Resume it to continue/) });
		expect((await new PresetsRepository<Preset>(dst).list())[0].history.map((h) => h.source)).toEqual(['manual', 'job']);
		const recBack = await new RecommendationsRepository<typeof rec>(dst).get('rec-1');
		expect(recBack).toEqual(rec);
		expect((await importAll(dst, bytes)).research).toEqual({ researchJobs: { added: 0, skipped: 2 }, presets: { added: 0, skipped: 1 }, recommendations: { added: 0, skipped: 1 } });
		src.close();
		dst.close();
	});

	it('a malformed research record rejects the whole file, naming it; nothing is written', async () => {
		const src = await openAppDb('r-bad', freshFactory());
		await src.put('presets', { id: 'BTCUSDT|1h|sma-cross', values: { params: 'fast=10' } } as never);
		await src.put('settings', 'kept in the file', 'some-setting');
		const bytes = await exportAll(src);
		const dst = await openAppDb('r-bad-dst', freshFactory());
		const err = await importAll(dst, bytes).catch((e) => e);
		expect(err).toBeInstanceOf(BackupError);
		expect(err.message).toMatch(/presets\[0\] \(id "BTCUSDT\|1h\|sma-cross"\)/);
		expect(await dst.getAll('presets')).toEqual([]);
		expect(await dst.getAll('settings')).toEqual([]);
	});

	it('a backup made before schema v4 (no research lists) still imports', async () => {
		const src = await openAppDb('r-old', freshFactory());
		const bytes = await exportAll(src, { now: 1 });
		const doc = JSON.parse(new TextDecoder().decode((await import('fflate')).gunzipSync(bytes)));
		for (const k of ['researchJobs', 'presets', 'recommendations']) delete doc[k];
		doc.schemaVersion = 3;
		const old = new TextEncoder().encode(JSON.stringify(doc));
		const dst = await openAppDb('r-old-dst', freshFactory());
		const report = await importAll(dst, old);
		expect(report.research).toBeUndefined();
		expect(readBackup(old).research).toEqual({ researchJobs: [], presets: [], recommendations: [] });
	});
});
