/**
 * ResearchState end to end in Node: real storage (fake-indexeddb CandleStore and the v4 research stores), candles
 * synced from recorded real Binance data through the app's candle source, and the real pool with in-process workers
 * (single-market, portfolio and research services on the WASM core). Checks that a job run through the pool gives
 * exactly the rows the core gives in process on the same candles (single-market rows and stop-loss / take-profit rows
 * on the portfolio-of-one path), that a cancelled job and a job a closed page left running resume after a "reload"
 * (a new state over the same database) to the same result, that damaged records are skipped with a message, and the
 * preset writes: save from the form, Apply, auto-tune (dry run writes nothing, confirm writes exactly the plan),
 * and a recommendation whose change would break a preset is refused with nothing written.
 */
import 'fake-indexeddb/auto';
import type { Remote } from 'comlink';
import { describe, expect, it } from 'vitest';
import type { OhlcvColumns, Timeframe } from '../../../src/lib/core/types';
import type { KlineFetchArgs, KlineSource } from '../../../src/lib/data/sync';
import { sliceOhlcv } from '../../../src/lib/core/timeframe';
import { createNodeEngine, createNodePortfolioEngine } from '../../../src/lib/engine/node';
import { STORES } from '../../../src/lib/persistence/db';
import { CandleStore } from '../../../src/lib/persistence/candle-store';
import { runResearch } from '../../../src/lib/research/runner';
import { createResearchJob, defaultResearchExecution } from '../../../src/lib/research/spec';
import type { ResearchJob, ResearchJobSpec } from '../../../src/lib/research/types';
import type { Recommendation } from '../../../src/lib/analysis/recommendation-types';
import { JOB_INTERRUPTED, ResearchState } from '../../../src/lib/state/research.svelte';
import { appCandleSource } from '../../../src/lib/state/research-io';
import { strategyEntries } from '../../../src/lib/state/research-form';
import { appDefaultConfig } from '../../../src/lib/state/strategy-form.svelte';
import { BacktestClient, type WorkerApi } from '../../../src/lib/workers/backtest-client';
import { createBacktestService } from '../../../src/lib/workers/backtest-service';
import { createPortfolioService } from '../../../src/lib/workers/portfolio-service';
import { createResearchService } from '../../../src/lib/workers/research-service';
import { fixtureCandles, nodeEvaluator } from '../research/helpers';

const FROM = Date.UTC(2025, 9, 1);
const TO = Date.UTC(2026, 3, 14, 23);

/** Binance klines over the real fixtures (1h files; Binance's own 4h files for BTC and ETH). */
class FixtureBinance implements KlineSource {
	readonly calls: string[] = [];
	async fetchKlines(args: KlineFetchArgs): Promise<OhlcvColumns> {
		this.calls.push(`${args.symbol} ${args.interval}`);
		const all = fixtureCandles(args.symbol, args.interval as Timeframe);
		if (!all || (args.interval === '4h' && !['BTCUSDT', 'ETHUSDT'].includes(args.symbol))) throw new Error(`HTTP 400 Invalid symbol (${args.symbol} ${args.interval} not recorded)`);
		let a = 0;
		while (a < all.openTime.length && all.openTime[a] < args.startTime) a++;
		let b = a;
		while (b < all.openTime.length && all.openTime[b] < args.endTime) b++;
		for (let s = a; s < b; s += 1000) await args.onPage?.(sliceOhlcv(all, s, Math.min(b, s + 1000)), { fetched: Math.min(b, s + 1000) - a, expected: b - a });
		return sliceOhlcv(all, a, b);
	}
}

let n = 0;
async function setup(name = `research-state-${n++}`, workers = 2, onBatch?: (datasetId: string) => void) {
	const store = await CandleStore.open(name);
	const binance = new FixtureBinance();
	const client = new BacktestClient(workers, 60_000, () => {
		const single = createBacktestService(() => createNodeEngine());
		return {
		api: {
			...single,
			// Tests watch the batches (e.g. to cancel a job when its second row starts).
			evaluateBatch: async (req: Parameters<typeof single.evaluateBatch>[0]) => {
				onBatch?.(req.datasetId);
				return single.evaluateBatch(req);
			},
			...createPortfolioService(async () => {
				const engine = await createNodePortfolioEngine();
				return { engine, version: engine.version };
			}),
			...createResearchService(() => createNodePortfolioEngine())
		} as unknown as Remote<WorkerApi>,
		terminate: () => {},
		onError: () => {}
		};
	});
	const research = new ResearchState();
	await research.init({ store, binance, pool: client.pool, poolSize: workers, client });
	return { research, store, binance, client, name };
}

function spec(overrides: Partial<ResearchJobSpec> = {}): ResearchJobSpec {
	return {
		name: 'two majors',
		description: 'BTC and ETH, 1h and 4h',
		markets: ['BTCUSDT', 'ETHUSDT'],
		timeframes: ['1h', '4h'],
		strategies: [{ strategy: 'sma-cross', axes: [{ name: 'fast', values: [5, 10, 20] }, { name: 'slow', values: [30, 60] }] }],
		riskAxes: [],
		objective: { key: 'sharpeRatio', minTrades: 3 },
		window: { fromMs: FROM, toMs: TO },
		execution: defaultResearchExecution(),
		...overrides
	};
}

async function until(cond: () => boolean, ms = 60_000) {
	const t0 = Date.now();
	while (!cond()) {
		if (Date.now() - t0 > ms) throw new Error('timed out');
		await new Promise((r) => setTimeout(r, 5));
	}
}

/** The same job run by the core in process on the same stored candles. */
async function reference(store: CandleStore, s: ResearchJobSpec, id: string): Promise<ResearchJob> {
	return runResearch({ job: createResearchJob(s, { id }), candles: appCandleSource(store, { binance: null }), evaluator: nodeEvaluator() });
}

const comparable = (j: ResearchJob) => j.rows.map((r) => ({ key: `${r.symbol} ${r.interval} ${r.strategy}`, status: r.status, best: r.bestParams, stats: r.bestStats, trials: r.trials, oos: r.oos, baseline: r.baseline }));

describe('ResearchState', () => {
	it('runs a job on the pool with candles synced from Binance, and its rows equal the core run in process', async () => {
		const name = `research-run-${n++}`;
		const { research, store, binance } = await setup(name);
		const id = (await research.create(spec()))!;
		expect(id).toMatch(/^res-/);
		await until(() => research.runningId === null && research.jobs[0]?.status !== 'pending' && research.jobs[0]?.status !== 'running');
		const job = research.jobs.find((j) => j.id === id)!;
		expect(research.error).toBeNull();
		expect(job.status).toBe('completed');
		expect(job.progress).toMatchObject({ done: 4, failed: 0, total: 4 });
		expect(job.rows.every((r) => r.status === 'completed' && r.bestParams)).toBe(true);
		expect(new Set(binance.calls)).toEqual(new Set(['BTCUSDT 1h', 'BTCUSDT 4h', 'ETHUSDT 1h', 'ETHUSDT 4h']));
		expect(Object.values(research.candleEvents).every((e) => e.status === 'done')).toBe(true);
		const ref = await reference(store, spec(), 'ref');
		expect(comparable(job)).toEqual(comparable(ref));
		// Stored as shown: a new state over the same database (a reload) lists the same job.
		const again = await setup(name);
		expect(comparable(again.research.jobs[0])).toEqual(comparable(job));
		expect(again.research.jobs[0].status).toBe('completed');
	});

	it('stop-loss and take-profit axes (the portfolio-of-one path through the research service) equal the core in process', async () => {
		const { research, store } = await setup();
		const s = spec({
			markets: ['BTCUSDT'],
			timeframes: ['4h'],
			strategies: [{ strategy: 'sma-cross', axes: [{ name: 'fast', values: [10, 20] }] }],
			riskAxes: [
				{ name: 'stopLoss', values: [0.01, 0.03, 0.05] },
				{ name: 'takeProfit', values: [0.02, 0.06, 0.1] }
			]
		});
		await research.create(s);
		await until(() => research.runningId === null && research.jobs[0]?.status === 'completed');
		const job = research.jobs[0];
		expect(job.rows[0].path).toBe('portfolio');
		expect(job.rows[0].trials).toBe(18);
		expect(job.rows[0].bestParams?.risk).toBeDefined();
		expect(comparable(job)).toEqual(comparable(await reference(store, s, 'ref-risk')));
	});

	it('a cancelled job and a job a closed page left running resume after a reload to the same result', async () => {
		const name = `research-resume-${n++}`;
		// Cancel when the second row (ETHUSDT) sends its first batch.
		let research: ResearchState | null = null;
		const first = await setup(name, 1, (datasetId) => {
			if (datasetId.startsWith('ETHUSDT')) research?.cancel();
		});
		research = first.research;
		const s = spec();
		const id = (await first.research.create(s))!;
		await until(() => first.research.runningId === null && first.research.jobs[0]?.status !== 'pending');
		const cancelled = first.research.jobs[0];
		expect(cancelled.status).toBe('cancelled');
		expect(cancelled.progress.done).toBeGreaterThanOrEqual(2);
		expect(cancelled.progress.done).toBeLessThan(4);
		expect(cancelled.rows.at(-1)!.status).not.toBe('completed');
		// "Reload": a new state over the same database.
		const second = await setup(name, 1);
		expect(second.research.jobs.map((j) => [j.id, j.status])).toEqual([[id, cancelled.status]]);
		await second.research.run(id);
		const resumed = second.research.jobs[0];
		expect(resumed.status).toBe('completed');
		const ref = await reference(second.store, s, 'ref-resume');
		expect(comparable(resumed)).toEqual(comparable(ref));

		// A job stored as running (its page was closed mid-run) is marked resumable at start-up.
		await second.store.db.put(STORES.researchJobs, { ...structuredClone($stateless(resumed)), id: 'res-left-running', status: 'running', createdAt: resumed.createdAt + 1 } as never);
		const third = await setup(name, 1);
		const left = third.research.jobs.find((j) => j.id === 'res-left-running')!;
		expect(left.status).toBe('cancelled');
		expect(left.error).toBe(JOB_INTERRUPTED);
	});

	it('a market without candles fails its rows with the reason, the other rows complete, and the candle event says why', async () => {
		const { research } = await setup();
		await research.create(spec({ markets: ['BTCUSDT', 'DOGEUSDT'], timeframes: ['4h'] }));
		await until(() => research.runningId === null && research.jobs[0]?.status !== 'pending' && research.jobs[0]?.status !== 'running');
		const job = research.jobs[0];
		expect(job.status).toBe('completed');
		expect(job.progress).toMatchObject({ done: 1, failed: 1, total: 2 });
		const doge = job.rows.find((r) => r.symbol === 'DOGEUSDT')!;
		expect(doge.status).toBe('failed');
		expect(doge.error).toMatch(/No DOGEUSDT 4h candles are available for this window: Binance could not be reached \(.*not recorded.*\) and none are stored/);
		expect(research.candleEvents['DOGEUSDT|4h']).toMatchObject({ status: 'failed' });
		expect(research.table.find((r) => r.symbol === 'DOGEUSDT')).toMatchObject({ status: 'failed', best: null });
	});

	it('pattern types (pattern-zones per pattern) get their own rows and equal the core in process', async () => {
		const { research, store } = await setup();
		const s = spec({
			markets: ['BTCUSDT'],
			timeframes: ['1h'],
			strategies: strategyEntries(['pattern-zones'], { 'pattern-zones': 'pattern=fvg|order-block, rrTarget=1.5|2.5' }),
			objective: { key: 'totalReturnRatio', minTrades: 3 }
		});
		await research.create(s);
		await until(() => research.runningId === null && research.jobs[0]?.status === 'completed');
		const job = research.jobs[0];
		expect(job.rows.map((r) => r.strategy)).toEqual(['pattern-zones:fvg', 'pattern-zones:order-block']);
		expect(job.rows.map((r) => r.bestParams?.params.pattern)).toEqual(['fvg', 'order-block']);
		expect(comparable(job)).toEqual(comparable(await reference(store, s, 'ref-patterns')));
	});

	it('deleting a running job stops it and it stays deleted (its last save does not bring it back)', async () => {
		let research: ResearchState | null = null;
		let id = '';
		const { research: r, store } = await setup(undefined, 1, () => {
			if (id) void research?.remove(id);
		});
		research = r;
		id = (await r.create(spec({ markets: ['BTCUSDT'] })))!;
		await until(() => r.runningId === null && !r.jobs.some((j) => j.id === id));
		await new Promise((res) => setTimeout(res, 50));
		expect(r.jobs).toEqual([]);
		expect(await store.db.getAll(STORES.researchJobs)).toEqual([]);
	});

	it('lists damaged records with a message and keeps everything else', async () => {
		const name = `research-damaged-${n++}`;
		const { research, store } = await setup(name);
		await research.create(spec({ markets: ['BTCUSDT'], timeframes: ['4h'] }));
		await until(() => research.runningId === null && research.jobs[0]?.status === 'completed');
		await store.db.put(STORES.researchJobs, { id: 'res-broken', createdAt: 1 } as never);
		await store.db.put(STORES.presets, { id: 'BTCUSDT|1h|gone', values: null } as never);
		const reloaded = await setup(name);
		expect(reloaded.research.jobs).toHaveLength(1);
		expect(reloaded.research.skipped).toHaveLength(2);
		expect(reloaded.research.skipped.join('\n')).toMatch(/research job “res-broken” is damaged/);
		expect(reloaded.research.skipped.join('\n')).toMatch(/preset “BTCUSDT\|1h\|gone” is damaged/);
	});

	it('presets: save from the form, Apply a row, auto-tune dry run writes nothing and confirm writes exactly the plan', async () => {
		const { research, store } = await setup();
		// What the trader uses today on every row: SMA 2/3.
		for (const symbol of ['BTCUSDT', 'ETHUSDT'])
			for (const interval of ['1h', '4h'] as Timeframe[]) {
				const cfg = { ...appDefaultConfig('sma-cross'), params: { fast: 2, slow: 3 } };
				expect(await research.savePresetFromForm(symbol, interval, cfg)).not.toBeNull();
			}
		expect(research.presets.map((p) => p.history.map((h) => h.source))).toEqual([['manual'], ['manual'], ['manual'], ['manual']]);
		await research.create(spec());
		await until(() => research.runningId === null && research.jobs[0]?.status === 'completed');
		const table = research.table;
		expect(table.every((r) => r.current?.source === 'preset' && r.currentIsPreset)).toBe(true);

		await research.applyRow(table[0]);
		expect(research.error).toBeNull();
		const applied = research.presetOf(table[0])!;
		expect(applied.values).toEqual(table[0].best);
		expect(applied.history.map((h) => h.source)).toEqual(['manual', 'job']);

		const before = structuredClone(await store.db.getAll(STORES.presets));
		await research.planAutoTune({ minImprovement: 0 });
		expect(research.error).toBeNull();
		const plan = research.plan!;
		expect(await store.db.getAll(STORES.presets)).toEqual(before);
		expect(plan.skipped.map((s) => `${s.symbol} ${s.interval}`)).toContain(`${table[0].symbol} ${table[0].interval}`);
		await research.confirmAutoTune();
		expect(research.error).toBeNull();
		const after = await store.db.getAll(STORES.presets);
		const changed = after.filter((p) => JSON.stringify(p) !== JSON.stringify(before.find((b) => b.id === p.id)));
		expect(changed.map((p) => p.id).sort()).toEqual(plan.changes.map((c) => c.presetId).sort());
		for (const c of plan.changes) {
			const p = research.presetOf(c)!;
			expect(p.values).toEqual(c.new);
			expect(p.history.at(-1)).toMatchObject({ source: 'auto-tune', sourceId: plan.id, old: c.old, new: c.new });
		}
		expect(research.plan).toBeNull();
	});

	it('refuses to apply a recommendation whose change would make a preset the engine rejects; nothing is written', async () => {
		const { research, store } = await setup();
		await research.setPreset({ symbol: 'BTCUSDT', interval: '1h', strategy: 'sma-cross' }, 'sma-cross', { params: { fast: 2, slow: 3 } }, 'manual');
		const rec: Recommendation = {
			version: 1,
			id: 'rec-test',
			kind: 'parameter',
			strategy: 'sma-cross',
			subject: { param: 'fast', value: 20, from: 2 },
			title: 'sma-cross: set fast to 20 (now 2)',
			explanation: 'test',
			objective: { key: 'sharpeRatio', direction: 'max' },
			expected: { objective: 0.5, winRate: 0.01, totalReturnRatio: 0.1 },
			evidenceImprovement: 0.6,
			samples: [],
			records: ['job'],
			oos: { passed: true, reason: 'held' },
			confidence: { value: 0.6, samples: 10, held: 10, holdRate: 1, holdRateLower: 0.8, pValue: 0.001, dsr: 0.75, candidates: 3, evidenceSharpe: 2, expectedMaxSharpe: 1 },
			actionable: true,
			status: 'accepted',
			changes: [{ symbol: 'BTCUSDT', interval: '1h', strategy: 'sma-cross', strategyId: 'sma-cross', set: { params: { fast: 20 } } }],
			createdAt: 1,
			audit: [
				{ at: 1, from: null, to: 'pending', actor: 'check' },
				{ at: 2, from: 'pending', to: 'accepted', actor: 'user' }
			]
		};
		await store.db.put(STORES.recommendations, rec as never);
		await research.refresh();
		const presetsBefore = await store.db.getAll(STORES.presets);
		await research.applyRecommendation('rec-test');
		expect(research.error).toMatch(/would leave the preset BTCUSDT 1h sma-cross at .*, which is refused: .*fast must be smaller than slow.*Nothing was written/);
		expect(await store.db.getAll(STORES.presets)).toEqual(presetsBefore);
		expect(((await store.db.get(STORES.recommendations, 'rec-test')) as unknown as Recommendation).status).toBe('accepted');
	});

	it('a deleted job can be restored with Undo (same record, selected again), and stays after a reload', async () => {
		const { research, store, name } = await setup();
		const older = { ...createResearchJob(spec({ name: 'older' }), { id: 'res-a', now: 1_000 }), status: 'cancelled' as const };
		const newer = { ...createResearchJob(spec({ name: 'newer' }), { id: 'res-b', now: 2_000 }), status: 'cancelled' as const };
		await store.db.put(STORES.researchJobs, older as never);
		await store.db.put(STORES.researchJobs, newer as never);
		await research.refresh();
		research.selectedId = 'res-a';
		const stored = await store.db.get(STORES.researchJobs, 'res-a');
		await research.remove('res-a');
		expect(research.jobs.map((j) => j.id)).toEqual(['res-b']);
		expect(await store.db.get(STORES.researchJobs, 'res-a')).toBeUndefined();
		expect(research.lastDeleted?.job.id).toBe('res-a');
		await research.undoDelete();
		expect(research.lastDeleted).toBeNull();
		expect(research.jobs.map((j) => j.id)).toEqual(['res-b', 'res-a']);
		expect(research.selected?.id).toBe('res-a');
		expect(await store.db.get(STORES.researchJobs, 'res-a')).toEqual(stored);
		const reloaded = (await setup(name)).research;
		expect(reloaded.jobs.map((j) => j.id)).toEqual(['res-b', 'res-a']);
		// Deleting another job replaces the undo offer; a dismissed offer restores nothing.
		await research.remove('res-b');
		expect(research.lastDeleted?.job.id).toBe('res-b');
		research.lastDeleted = null;
		await research.undoDelete();
		expect(await store.db.get(STORES.researchJobs, 'res-b')).toBeUndefined();
	});
});

/** A plain copy of a record held in rune state (structuredClone refuses proxies). */
function $stateless<T>(v: T): T {
	return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? null : x))) as T;
}
