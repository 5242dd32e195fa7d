/**
 * Recommendations from stored research jobs: one built on a real effect (a fee-bleeding fast SMA preset on five real
 * markets × two timeframes) holds out of sample and is accepted; one built on in-sample noise (random-walk markets,
 * no costs, where no setting can be better) is rejected by the check with the reason; confidence and ids are
 * reproducible for the same history; a corrupted record is skipped with a message; status changes and what applying
 * wrote are kept in the audit trail.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
	generateRecommendations,
	mergeRecommendations,
	parseHistoryRecord,
	recommendationConfidence,
	signTestPValue,
	transitionRecommendation,
	wilsonLowerBound
} from '../../../src/lib/analysis/recommendations';
import { Rng } from '../../../src/lib/core/rng';
import type { OhlcvColumns, Timeframe } from '../../../src/lib/core/types';
import { resampleCandles } from '../../../src/lib/data/resample';
import { historyRecordOf } from '../../../src/lib/research/history';
import { MemoryPresetStore, setPreset } from '../../../src/lib/research/presets';
import { applyRecommendation } from '../../../src/lib/research/recommend';
import { runResearch, sliceByTime } from '../../../src/lib/research/runner';
import { createResearchJob, defaultResearchExecution, presetId } from '../../../src/lib/research/spec';
import type { CandleSource, ResearchJob, ResearchJobSpec } from '../../../src/lib/research/types';
import { fixtureCandles, nodeEvaluator } from './helpers';

const DAY = 86_400_000;
const MARKETS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT'];
/** Two years every market's 1h fixture covers; 4h candles are the 1h ones aggregated (src/lib/data/resample.ts). */
const FROM = Date.UTC(2024, 4, 1);
const TO = Date.UTC(2026, 3, 15);
const realSource: CandleSource = {
	load: async (s, i, w) => {
		const h = fixtureCandles(s, '1h')!;
		return sliceByTime(i === '1h' ? h : resampleCandles(h, '1h', '4h').ohlcv, w.fromMs!, w.toMs! + 1);
	}
};

function smaSpec(name: string, execution = defaultResearchExecution()): ResearchJobSpec {
	return {
		name,
		description: '',
		markets: MARKETS,
		timeframes: ['1h', '4h'],
		strategies: [{ strategy: 'sma-cross', axes: [{ name: 'fast', values: [5, 10, 20] }, { name: 'slow', values: [30, 60, 90] }] }],
		riskAxes: [],
		objective: { key: 'sharpeRatio', minTrades: 3 },
		window: { fromMs: FROM, toMs: TO },
		execution
	};
}

/** Seeded geometric random walk (1 % per hour), 1h bars over the test window; 4h aggregated from it. */
function noiseMarket(seed: number): Record<'1h' | '4h', OhlcvColumns> {
	const rng = new Rng(seed);
	const n = Math.floor((TO - FROM) / 3_600_000) + 1;
	const c = { openTime: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
	let p = 100;
	const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
	for (let i = 0; i < n; i++) {
		const o = p;
		p = o * Math.exp(0.01 * normal());
		c.openTime[i] = FROM + i * 3_600_000;
		c.open[i] = o;
		c.close[i] = p;
		c.high[i] = Math.max(o, p) * (1 + 0.002 * Math.abs(normal()));
		c.low[i] = Math.min(o, p) * (1 - 0.002 * Math.abs(normal()));
		c.volume[i] = 1;
	}
	return { '1h': c, '4h': resampleCandles(c, '1h', '4h').ohlcv };
}

let real: ResearchJob;
let noise: ResearchJob;
let presets: MemoryPresetStore;

beforeAll(async () => {
	presets = new MemoryPresetStore();
	// The presets traders run today: SMA 2/3, a setting that pays fees and slippage on every other bar.
	for (const symbol of MARKETS) for (const interval of ['1h', '4h'] as Timeframe[]) {
		await setPreset(presets, { symbol, interval, strategy: 'sma-cross' }, 'sma-cross', { params: { fast: 2, slow: 3 } }, { source: 'manual', at: 1 });
	}
	real = await runResearch({ job: createResearchJob(smaSpec('fees'), { id: 'job-real', now: 10 * DAY }), candles: realSource, evaluator: nodeEvaluator(), presets, now: () => 10 * DAY });
	// On the noise markets the traders' presets are SMA 7/40; any value "better" than that in sample is selection luck.
	const noisePresets = new MemoryPresetStore();
	for (const symbol of MARKETS) for (const interval of ['1h', '4h'] as Timeframe[]) {
		await setPreset(noisePresets, { symbol, interval, strategy: 'sma-cross' }, 'sma-cross', { params: { fast: 7, slow: 40 } }, { source: 'manual', at: 1 });
	}
	const markets = new Map(MARKETS.map((m, i) => [m, noiseMarket(1000 + i)]));
	const noiseSource: CandleSource = { load: async (s, i, w) => sliceByTime(markets.get(s)![i as '1h' | '4h'], w.fromMs!, w.toMs! + 1) };
	noise = await runResearch({
		job: createResearchJob(smaSpec('noise', { ...defaultResearchExecution(), feeRate: 0, slippageRate: 0 }), { id: 'job-noise', now: 10 * DAY }),
		candles: noiseSource,
		evaluator: nodeEvaluator(),
		presets: noisePresets,
		now: () => 10 * DAY
	});
}, 180_000);

describe('recommendations: the out-of-sample check', () => {
	it('a real effect (the fee-bleeding preset) is recommended, holds out of sample and is actionable', () => {
		expect(real.rows.every((r) => r.status === 'completed' && r.baseline?.source === 'preset')).toBe(true);
		const report = generateRecommendations([historyRecordOf(real)], { now: 11 * DAY });
		expect(report.skipped).toEqual([]);
		const params = report.recommendations.filter((r) => r.kind === 'parameter');
		expect(params.map((r) => r.subject.param).sort()).toEqual(['fast', 'slow']);
		for (const r of params) {
			expect(r.samples).toHaveLength(10);
			expect(r.actionable).toBe(true);
			expect(r.status).toBe('pending');
			expect(r.oos.passed).toBe(true);
			expect(r.confidence.held).toBeGreaterThanOrEqual(9);
			expect(r.confidence.pValue).toBeLessThanOrEqual(0.05);
			expect(r.confidence.value).toBeGreaterThan(0.3);
			expect(r.confidence.value).toBeCloseTo(r.confidence.holdRateLower * r.confidence.dsr, 15);
			expect(r.expected.objective).toBeGreaterThan(0);
			expect(r.explanation).toMatch(/held in \d+ of 10/);
			expect(r.changes).toHaveLength(10);
			expect(r.audit).toEqual([{ at: 10 * DAY, from: null, to: 'pending', actor: 'check', note: r.oos.reason }]);
		}
	});

	it('a recommendation built on in-sample noise is rejected by the check, with the reason kept', () => {
		const report = generateRecommendations([historyRecordOf(noise)], { now: 11 * DAY });
		const params = report.recommendations.filter((r) => r.kind === 'parameter');
		// In sample the best value of each parameter always looks better (it was picked there) ...
		expect(params.length).toBeGreaterThan(0);
		for (const r of params) expect(r.evidenceImprovement).toBeGreaterThan(0);
		// ... out of sample it is a coin flip: not significant, so not actionable.
		for (const r of report.recommendations) {
			expect(r.actionable).toBe(false);
			expect(r.status).toBe('rejected');
			expect(r.rejectionReason).toMatch(/rejected by the out-of-sample check: held in \d+ of \d+/);
			expect(r.audit[0]).toMatchObject({ from: null, to: 'rejected', actor: 'check' });
			expect(() => transitionRecommendation(r, 'accepted', { at: 1 })).toThrow(/rejected by the out-of-sample check/);
		}
	});

	it('over several seeded noise histories (bounded: 6 seeds), the check lets at most one of all candidates through', async () => {
		// The sign test at alpha = 0.05 bounds the false-acceptance rate per candidate; over these seeds none passed
		// (12 seeds, 42 candidates of every kind were tried when this test was written), the bound allows one.
		let total = 0;
		let actionable = 0;
		for (let seed = 0; seed < 6; seed++) {
			const store = new MemoryPresetStore();
			for (const symbol of MARKETS) for (const interval of ['1h', '4h'] as Timeframe[]) {
				await setPreset(store, { symbol, interval, strategy: 'sma-cross' }, 'sma-cross', { params: { fast: 7, slow: 40 } }, { source: 'manual', at: 1 });
			}
			const markets = new Map(MARKETS.map((m, i) => [m, noiseMarket(seed * 100 + i)]));
			const source: CandleSource = { load: async (s, i, w) => sliceByTime(markets.get(s)![i as '1h' | '4h'], w.fromMs!, w.toMs! + 1) };
			const job = await runResearch({
				job: createResearchJob(smaSpec('noise', { ...defaultResearchExecution(), feeRate: 0, slippageRate: 0 }), { now: 10 * DAY }),
				candles: source,
				evaluator: nodeEvaluator(),
				presets: store,
				now: () => 10 * DAY
			});
			const rep = generateRecommendations([historyRecordOf(job)], { now: 11 * DAY, minSamples: 4 });
			total += rep.recommendations.length;
			actionable += rep.recommendations.filter((r) => r.actionable).length;
		}
		expect(total).toBeGreaterThanOrEqual(12);
		expect(actionable).toBeLessThanOrEqual(1);
	}, 120_000);

	it('confidence and ids are reproducible for the same history, in any order', () => {
		const recs = [historyRecordOf(real), historyRecordOf(noise)];
		const a = generateRecommendations(recs, { now: 11 * DAY });
		const b = generateRecommendations(structuredClone([...recs].reverse()), { now: 11 * DAY });
		expect(b).toEqual(a);
		// Through JSON (NaN -> null) as a file export would store it.
		const c = generateRecommendations(JSON.parse(JSON.stringify(recs)), { now: 11 * DAY });
		expect(c.recommendations.map((r) => [r.id, r.confidence.value])).toEqual(a.recommendations.map((r) => [r.id, r.confidence.value]));
	});

	it('market and timeframe recommendations are built and re-tested the same way', () => {
		const report = generateRecommendations([historyRecordOf(real)], { now: 11 * DAY, minSamples: 4 });
		const tf = report.recommendations.find((r) => r.kind === 'timeframe')!;
		expect(tf.samples).toHaveLength(5);
		expect(['1h', '4h']).toContain(tf.subject.interval);
		expect(tf.title).toBe(`sma-cross: use ${tf.subject.interval}`);
		const m = report.recommendations.find((r) => r.kind === 'market');
		if (m) {
			expect(m.subject.markets!.length).toBeGreaterThan(0);
			expect(m.subject.markets!.length).toBeLessThan(5);
		}
		for (const r of report.recommendations) {
			expect(r.confidence.value).toBeGreaterThanOrEqual(0);
			expect(r.confidence.value).toBeLessThanOrEqual(1);
			expect(r.actionable).toBe(r.oos.passed);
		}
	});
});

describe('recommendations: risk adjustment', () => {
	it('a stop-loss axis gives risk recommendations against the stop the presets trade, applied as a risk setting', async () => {
		const store = new MemoryPresetStore();
		for (const symbol of MARKETS) for (const interval of ['1h', '4h'] as Timeframe[]) {
			await setPreset(store, { symbol, interval, strategy: 'sma-cross' }, 'sma-cross', { params: { fast: 20, slow: 50 }, risk: { stopLoss: 0.005 } }, { source: 'manual', at: 1 });
		}
		const spec: ResearchJobSpec = {
			...smaSpec('stops'),
			strategies: [{ strategy: 'sma-cross', axes: [{ name: 'fast', values: [20] }], fixed: { slow: 50 } }],
			riskAxes: [{ name: 'stopLoss', values: [0.005, 0.02, 0.05] }]
		};
		const job = await runResearch({ job: createResearchJob(spec, { id: 'job-stops', now: 10 * DAY }), candles: realSource, evaluator: nodeEvaluator(), presets: store, now: () => 10 * DAY });
		expect(job.rows.every((r) => r.path === 'portfolio' && r.status === 'completed' && r.baseline?.values.risk?.stopLoss === 0.005)).toBe(true);
		const report = generateRecommendations([historyRecordOf(job)], { now: 11 * DAY });
		const risk = report.recommendations.filter((r) => r.kind === 'risk');
		expect(risk.map((r) => r.subject.param)).toEqual(['stopLoss']);
		const r = risk[0];
		expect(r.subject.from).toBe('0.005');
		expect([0.02, 0.05]).toContain(r.subject.value);
		expect(r.title).toBe(`sma-cross: set stopLoss to ${r.subject.value} (now 0.005) (your stop is too tight)`);
		expect(r.samples).toHaveLength(10);
		expect(r.changes.every((c) => c.set.risk?.stopLoss === r.subject.value && !c.set.params)).toBe(true);
		// On these markets the wider stop looked better in sample but held in only half the hold-out windows: shown as
		// rejected by the check, with the figures.
		expect(r.actionable).toBe(r.oos.passed);
		expect(r.status).toBe(r.actionable ? 'pending' : 'rejected');
		if (r.actionable) {
			const { recommendation, written } = await applyRecommendation(transitionRecommendation(r, 'accepted', { at: 1 }), store, 2);
			expect(recommendation.status).toBe('applied');
			for (const w of written) expect(w.change.new).toEqual({ params: { fast: 20, slow: 50 }, risk: { stopLoss: r.subject.value } });
		}
	}, 60_000);
});

describe('recommendations: history input', () => {
	it('a corrupted history record is skipped with a message; nothing else is lost', () => {
		const good = historyRecordOf(real)!;
		const broken = { ...structuredClone(good), id: 'broken', rows: [{ ...good.rows[0], top: 'not a list' }] };
		const report = generateRecommendations([null, good, broken, { id: 'x' }], { now: 11 * DAY });
		expect(report.used).toBe(1);
		expect(report.skipped.map((s) => [s.index, s.id])).toEqual([
			[0, undefined],
			[2, 'broken'],
			[3, 'x']
		]);
		expect(report.skipped[1].reason).toMatch(/corrupted history record: rows\.0\.top/);
		expect(report.recommendations).toEqual(generateRecommendations([good], { now: 11 * DAY }).recommendations);
	});

	it('fuzz (seeded, 300 mutations): a damaged record is skipped with a message or used; never a crash, the others kept', () => {
		const good = historyRecordOf(real)!;
		const baseline = generateRecommendations([good], { now: 11 * DAY });
		const rng = new Rng(20261201);
		const junk = [null, 'x', -1, NaN, [], {}, true, 1e308];
		// Paths into the record: walk to a random node and replace or delete it.
		const mutate = (o: unknown): unknown => {
			const root = structuredClone(o) as Record<string, unknown>;
			let node: Record<string, unknown> = root;
			for (let depth = 0; depth < 6; depth++) {
				const keys = Object.keys(node);
				if (!keys.length) break;
				const k = keys[Math.floor(rng.next() * keys.length)];
				const child = node[k];
				if (child && typeof child === 'object' && rng.next() < 0.7) {
					node = child as Record<string, unknown>;
					continue;
				}
				if (rng.next() < 0.3) delete node[k];
				else node[k] = junk[Math.floor(rng.next() * junk.length)];
				break;
			}
			return root;
		};
		for (let i = 0; i < 300; i++) {
			const bad = mutate(good);
			const rep = generateRecommendations([bad, { ...good, id: 'intact' }], { now: 11 * DAY });
			expect(rep.used + rep.skipped.length).toBe(2);
			for (const s of rep.skipped) expect(s.reason).toMatch(/corrupted history record|outside the lookback/);
			for (const r of rep.recommendations) {
				expect(Number.isNaN(r.confidence.value)).toBe(false);
				expect(r.confidence.value).toBeGreaterThanOrEqual(0);
				expect(r.confidence.value).toBeLessThanOrEqual(1);
			}
			if (rep.used === 1) expect(rep.recommendations.map((r) => r.id).sort()).toEqual(baseline.recommendations.map((r) => r.id).sort());
		}
	});

	it('NaN / ±Infinity statistics are read as they are and after JSON (null); truly damaged records are refused', () => {
		const good = historyRecordOf(real)!;
		const raw = structuredClone(good);
		raw.rows[0].top[0].evidence.sharpeRatio = NaN;
		raw.rows[0].top[0].holdOut!.objective = -Infinity;
		raw.rows[1].sharpeVariance = NaN;
		raw.rows[1].trials = NaN as unknown as number;
		const direct = parseHistoryRecord(raw);
		expect(direct.ok).toBe(true);
		const viaJson = parseHistoryRecord(JSON.parse(JSON.stringify(raw)));
		expect(viaJson.ok).toBe(true);
		if (direct.ok && viaJson.ok) {
			expect(direct.record.rows[0].top[0].holdOut!.objective).toBe(-Infinity);
			expect(Number.isNaN(viaJson.record.rows[0].top[0].holdOut!.objective)).toBe(true);
			expect(Number.isNaN(viaJson.record.rows[0].top[0].evidence.sharpeRatio)).toBe(true);
			expect(direct.record.rows[1].trials).toBe(0);
		}
		// The record straight from a job and its JSON form give the same recommendations.
		const a = generateRecommendations([good], { now: 11 * DAY });
		const b = generateRecommendations([JSON.parse(JSON.stringify(good))], { now: 11 * DAY });
		expect(a.used).toBe(1);
		expect(a.skipped).toEqual([]);
		expect(a.recommendations.map((r) => [r.id, r.confidence.value])).toEqual(b.recommendations.map((r) => [r.id, r.confidence.value]));
		for (const [mutate, field] of [
			[(r: typeof raw) => void (r.rows[0].trials = -3), /rows\.0\.trials/],
			[(r: typeof raw) => void (r.rows[0].observations = 2.5), /rows\.0\.observations/],
			[(r: typeof raw) => void (r.at = NaN), /: at:/],
			[(r: typeof raw) => void ((r.rows[0].top[0].evidence as unknown as Record<string, unknown>).winRate = 'high'), /evidence\.winRate/]
		] as const) {
			const bad = structuredClone(raw);
			mutate(bad);
			const p = parseHistoryRecord(bad);
			expect(p.ok).toBe(false);
			if (!p.ok) expect(p.reason).toMatch(field);
		}
	});

	it('records older than the lookback are left out; too few samples give no recommendation', () => {
		const good = historyRecordOf(real)!;
		const late = generateRecommendations([good], { now: 10 * DAY + 91 * DAY });
		expect(late.used).toBe(0);
		expect(late.skipped[0].reason).toMatch(/outside the lookback \(90 days/);
		expect(generateRecommendations([good], { now: 11 * DAY, minSamples: 11 }).recommendations.filter((r) => r.kind === 'parameter')).toEqual([]);
	});
});

describe('recommendations: status, audit trail, apply', () => {
	it('pending -> accepted -> applied writes the presets and records every change with what applying wrote', async () => {
		const report = generateRecommendations([historyRecordOf(real)], { now: 11 * DAY });
		const rec = report.recommendations.find((r) => r.kind === 'parameter' && r.subject.param === 'slow')!;
		expect(() => transitionRecommendation(rec, 'applied', { at: 1 })).toThrow(/cannot become applied/);
		const store = new MemoryPresetStore();
		for (const p of await presets.list()) await store.put(p);
		await expect(applyRecommendation(rec, store, 5)).rejects.toThrow(/accept the recommendation/);
		const accepted = transitionRecommendation(rec, 'accepted', { at: 20 * DAY, note: 'looks right' });
		const { recommendation, written } = await applyRecommendation(accepted, store, 21 * DAY);
		expect(written).toHaveLength(10);
		expect(recommendation.status).toBe('applied');
		expect(recommendation.audit.map((e) => [e.from, e.to, e.actor, e.at])).toEqual([
			[null, 'pending', 'check', 10 * DAY],
			['pending', 'accepted', 'user', 20 * DAY],
			['accepted', 'applied', 'user', 21 * DAY]
		]);
		expect(recommendation.audit[2].changes).toHaveLength(10);
		for (const w of written) {
			const p = (await store.get(w.presetId))!;
			expect(p.values.params.slow).toBe(rec.subject.value);
			expect(p.values.params.fast).toBe(2);
			expect(p.history.at(-1)).toMatchObject({ source: 'recommendation', sourceId: rec.id, old: { params: { fast: 2, slow: 3 } } });
		}
		expect(() => transitionRecommendation(recommendation, 'pending', { at: 1 })).toThrow(/it is final/);
		expect(written.map((w) => w.presetId).sort()).toEqual(rec.changes.map((c) => presetId(c)).sort());
	});

	it('applying a recommendation whose strategy no longer exists writes nothing and says why', async () => {
		const rec = generateRecommendations([historyRecordOf(real)], { now: 11 * DAY }).recommendations.find((r) => r.actionable && r.subject.param === 'slow')!;
		const accepted = transitionRecommendation(rec, 'accepted', { at: 1 });
		const broken = { ...accepted, changes: [...accepted.changes.slice(0, 3), { ...accepted.changes[3], strategyId: 'retired-strategy' }] };
		const store = new MemoryPresetStore();
		for (const p of await presets.list()) await store.put(p);
		const before = store.writes;
		await expect(applyRecommendation(broken, store, 5)).rejects.toThrow(/strategy "retired-strategy" no longer exists/);
		expect(store.writes).toBe(before);
	});

	it('a recommendation that would leave a preset the engine cannot run (fast 20 on a 2/3 SMA preset) is refused; nothing is written', async () => {
		const recs = generateRecommendations([historyRecordOf(real)], { now: 11 * DAY }).recommendations;
		// The generator's own "fast" recommendation (fast 10 on presets at fast 2 / slow 3) gives 10/3: refused.
		const fast = recs.find((r) => r.actionable && r.subject.param === 'fast');
		if (fast) {
			const s0 = new MemoryPresetStore();
			for (const p of await presets.list()) await s0.put(p);
			const w0 = s0.writes;
			await expect(applyRecommendation(transitionRecommendation(fast, 'accepted', { at: 1 }), s0, 5)).rejects.toThrow(/slow 3, which is refused.*fast must be smaller than slow/);
			expect(s0.writes).toBe(w0);
		}
		const rec = recs.find((r) => r.actionable && r.subject.param === 'slow')!;
		const accepted = transitionRecommendation(rec, 'accepted', { at: 1 });
		// The first changes are fine (slow only); the last sets fast 20 on a fast 2 / slow 3 preset.
		const bad = { ...accepted, changes: [...accepted.changes.slice(0, 2), { ...accepted.changes[2], set: { params: { fast: 20 } } }] };
		const store = new MemoryPresetStore();
		for (const p of await presets.list()) await store.put(p);
		const before = store.writes;
		const snapshot = JSON.stringify(await store.list());
		await expect(applyRecommendation(bad, store, 5)).rejects.toThrow(/fast 20, slow 3.*fast must be smaller than slow.*Nothing was written/);
		expect(store.writes).toBe(before);
		expect(JSON.stringify(await store.list())).toBe(snapshot);
		// A good apply is one batch write (all presets in one putMany).
		const ok = await applyRecommendation(accepted, store, 6);
		expect(ok.written.length).toBeGreaterThan(0);
		expect(store.writes).toBe(before + 1);
	});

	it('a failing batch write leaves every preset as it was', async () => {
		const rec = generateRecommendations([historyRecordOf(real)], { now: 11 * DAY }).recommendations.find((r) => r.actionable && r.subject.param === 'slow')!;
		const accepted = transitionRecommendation(rec, 'accepted', { at: 1 });
		class FullStore extends MemoryPresetStore {
			override async putMany(): Promise<void> {
				throw new Error('storage full');
			}
		}
		const store = new FullStore();
		for (const p of await presets.list()) await store.put(p);
		const snapshot = JSON.stringify(await store.list());
		await expect(applyRecommendation(accepted, store, 5)).rejects.toThrow(/storage full/);
		expect(JSON.stringify(await store.list())).toBe(snapshot);
	});

	it('rejecting needs a reason, which is kept; a re-opened one can be accepted; merge keeps decisions', () => {
		const rec = generateRecommendations([historyRecordOf(real)], { now: 11 * DAY }).recommendations.find((r) => r.actionable)!;
		expect(() => transitionRecommendation(rec, 'rejected', { at: 1 })).toThrow(/give a reason/);
		const rejected = transitionRecommendation(rec, 'rejected', { at: 2, reason: 'I trade 1h only on weekends' });
		expect(rejected.rejectionReason).toBe('I trade 1h only on weekends');
		expect(rejected.audit.at(-1)).toMatchObject({ from: 'pending', to: 'rejected', note: 'I trade 1h only on weekends' });
		const merged = mergeRecommendations([rejected], [rec]);
		expect(merged[0].status).toBe('rejected');
		expect(merged[0].rejectionReason).toBe('I trade 1h only on weekends');
		const reopened = transitionRecommendation(rejected, 'pending', { at: 3 });
		expect(reopened.rejectionReason).toBeUndefined();
		expect(transitionRecommendation(reopened, 'accepted', { at: 4 }).audit).toHaveLength(4);
	});
});

describe('confidence formula parts', () => {
	it('Wilson lower bound and the sign test match hand-computed values', () => {
		// Wilson (1927) lower bound, k = 9, n = 10, z = 1.645: (0.9 + 0.13530 − 1.645·sqrt(0.009 + 0.0067651)) / 1.27060 = 0.65225.
		expect(wilsonLowerBound(9, 10)).toBeCloseTo(0.65225, 4);
		expect(wilsonLowerBound(0, 0)).toBe(0);
		// P(X >= 9 | Binomial(10, 1/2)) = 11/1024.
		expect(signTestPValue(9, 10)).toBeCloseTo(11 / 1024, 15);
		expect(signTestPValue(0, 10)).toBeCloseTo(1, 15);
		const s = (d: number, held: boolean) => ({ recordId: 'r', symbol: 'X', interval: '1h' as const, evidence: { recommended: d, alternative: 0 }, holdOut: { recommended: held ? 1 : -1, alternative: 0 }, held, winRateDelta: 0, returnDelta: 0 });
		const strong = recommendationConfidence([1.1, 0.9, 1.2, 1.0, 0.8, 1.05, 0.95, 1.0, 1.1, 0.9].map((d) => s(d, true)), 'max', 3);
		const weak = recommendationConfidence([1.1, -0.9, 1.2, -1.0, 0.8, 1.05, -0.95, 1.0, 1.1, 0.9].map((d, i) => s(d, i % 2 === 0)), 'max', 30);
		expect(strong.value).toBeGreaterThan(weak.value);
		expect(strong.dsr).toBeGreaterThan(0.99);
	});
});
