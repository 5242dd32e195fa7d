/**
 * State of the Research screen and of presets (issue #14): research jobs (create, run on the worker pool with
 * progress and ETA, cancel, resume after a reload, re-run, delete), the best-parameters table with Apply, auto-tune
 * (dry run, then confirm), recommendations (accept / reject / apply with their audit trail), and the presets the
 * backtest form loads and saves. Everything is stored in IndexedDB (src/lib/persistence/research.ts) as it changes,
 * so it is all there after a reload.
 */
import type { Remote } from 'comlink';
import type { Timeframe, UnixMs } from '../core/types';
import type { KlineSource } from '../data/sync';
import type { BacktestConfig, StrategyId } from '../engine/types';
import { getStrategy } from '../engine/strategies';
import type { CandleStore } from '../persistence/candle-store';
import { PresetsRepository, RecommendationsRepository, ResearchJobsRepository } from '../persistence/research';
import { runResearch } from '../research/runner';
import { createResearchJob, portfolioConfigOf, presetId, rerunResearchJob, strategyOfRow } from '../research/spec';
import { timeframeMs } from '../core/timeframe';
import type { BacktestClient } from '../workers/backtest-client';
import { setPreset } from '../research/presets';
import { bestParamsTable, applyRowBest } from '../research/table';
import { planAutoTune, applyAutoTune } from '../research/auto-tune';
import { historyRecordOf } from '../research/history';
import { stageRecommendation } from '../research/recommend';
import { generateRecommendations, mergeRecommendations, transitionRecommendation } from '../analysis/recommendations';
import type { AutoTuneOptions, AutoTunePlan, BestParamsRow, Preset, PresetSource, PresetValues, ResearchJob, ResearchJobSpec, RowKey } from '../research/types';
import type { Recommendation } from '../analysis/recommendation-types';
import type { WorkerPool } from '../workers/pool';
import type { BacktestWorkerApi } from '../workers/protocol';
import { appCandleSource, describeError, poolEvaluator, presetValuesFromConfig, type CandleLoadEvent } from './research-io';

/** Message stored on a job found running when the app starts (its page was closed). */
export const JOB_INTERRUPTED = 'Interrupted: the page was closed or reloaded while the job ran. Resume it to continue; finished rows are kept.';

/** Dependencies of {@link ResearchState.init}. */
export interface ResearchDeps {
	store: CandleStore;
	binance: KlineSource | null;
	pool: WorkerPool<Remote<BacktestWorkerApi>>;
	poolSize: number;
	/** Full backtests (Compare). */
	client: BacktestClient;
}

/** One side of a comparison: label, values, statistics and equity on the row's whole window. */
export interface CompareSide {
	label: string;
	values: PresetValues;
	metrics: Record<string, number>;
	openTime: Float64Array;
	equity: Float64Array;
}

/** Two parameter sets run side by side on one row's market and window. */
export interface Comparison {
	key: RowKey;
	window: { fromMs: UnixMs; toMs: UnixMs; splitMs: UnixMs; bars: number };
	a: CompareSide;
	b: CompareSide;
}

/** Rune-backed state of the research screen; see the module comment. */
export class ResearchState {
	jobs = $state.raw<ResearchJob[]>([]);
	presets = $state.raw<Preset[]>([]);
	recommendations = $state.raw<Recommendation[]>([]);
	/** Damaged stored records that were skipped, in words. */
	skipped = $state.raw<string[]>([]);
	/** Last error of an action, in words. */
	error = $state<string | null>(null);
	/** Last outcome of an action, in words (e.g. "Applied 3 preset changes"). */
	notice = $state<string | null>(null);
	ready = $state(false);
	/** Id of the job running in this page, if any. */
	runningId = $state<string | null>(null);
	/** Candle loading per `SYMBOL|interval` of the running job. */
	candleEvents = $state.raw<Record<string, CandleLoadEvent>>({});
	selectedId = $state<string | null>(null);
	/** Dry run of auto-tune waiting for confirmation. */
	plan = $state.raw<AutoTunePlan | null>(null);
	/** The last comparison of two parameter sets, and whether one is being computed. */
	comparison = $state.raw<Comparison | null>(null);
	comparing = $state(false);

	#jobs: ResearchJobsRepository<ResearchJob> | null = null;
	#presets: PresetsRepository<Preset> | null = null;
	#recs: RecommendationsRepository<Recommendation, Preset> | null = null;
	#deps: ResearchDeps | null = null;
	#abort: AbortController | null = null;
	/** Jobs deleted in this page (a running one must not be stored again by its last save). */
	readonly #deleted = new Set<string>();

	/** The selected job (or the newest). */
	get selected(): ResearchJob | null {
		return this.jobs.find((j) => j.id === this.selectedId) ?? this.jobs[0] ?? null;
	}

	/** The best-parameters table of the selected job with the presets as they are now. */
	get table(): BestParamsRow[] {
		const job = this.selected;
		return job ? bestParamsTable(job, this.presets) : [];
	}

	/**
	 * Open the stores, mark jobs a closed page left running as interrupted (resumable), and load everything.
	 * @param deps - the candle store, the Binance client, the worker pool.
	 */
	async init(deps: ResearchDeps): Promise<void> {
		this.#deps = deps;
		const db = deps.store.db;
		this.#jobs = new ResearchJobsRepository<ResearchJob>(db);
		this.#presets = new PresetsRepository<Preset>(db);
		this.#recs = new RecommendationsRepository<Recommendation, Preset>(db);
		try {
			await this.#jobs.markInterrupted((j) => ({ ...j, status: 'cancelled', error: JOB_INTERRUPTED, progress: { ...j.progress, etaMs: NaN } }));
			await this.refresh();
		} catch (e) {
			this.error = describeError(e);
		} finally {
			this.ready = true;
		}
	}

	/** Re-read jobs, presets and recommendations (damaged records are listed in {@link skipped}). */
	async refresh(): Promise<void> {
		if (!this.#jobs || !this.#presets || !this.#recs) return;
		const [jobs, presets, recs] = await Promise.all([this.#jobs.listChecked(), this.#presets.listChecked(), this.#recs.listChecked()]);
		if (this.runningId) {
			const live = this.jobs.find((j) => j.id === this.runningId);
			this.jobs = jobs.items.map((j) => (j.id === this.runningId && live ? live : j));
		} else this.jobs = jobs.items;
		this.presets = presets.items;
		this.recommendations = recs.items;
		this.skipped = [...jobs.skipped, ...presets.skipped, ...recs.skipped].map((s) => s.message);
	}

	#replace(job: ResearchJob): void {
		const i = this.jobs.findIndex((j) => j.id === job.id);
		this.jobs = i < 0 ? [job, ...this.jobs] : this.jobs.map((j) => (j.id === job.id ? job : j));
	}

	/**
	 * Create a job from the form's definition, store it and run it.
	 * @returns the job id, or null when the definition is invalid ({@link error} says why).
	 */
	async create(spec: ResearchJobSpec): Promise<string | null> {
		this.error = null;
		let job: ResearchJob;
		try {
			job = createResearchJob(spec);
		} catch (e) {
			this.error = describeError(e);
			return null;
		}
		await this.#jobs!.put(job);
		this.#replace(job);
		this.selectedId = job.id;
		void this.run(job.id);
		return job.id;
	}

	/** Run or resume a stored job on the worker pool (one job at a time per page). */
	async run(id: string): Promise<void> {
		const deps = this.#deps;
		const stored = this.jobs.find((j) => j.id === id);
		if (!deps || !stored || this.runningId) {
			if (this.runningId && this.runningId !== id) this.error = 'Another research job is running: wait for it or cancel it first.';
			return;
		}
		this.error = null;
		this.runningId = id;
		this.selectedId = id;
		this.candleEvents = {};
		const abort = (this.#abort = new AbortController());
		const candles = appCandleSource(deps.store, {
			binance: deps.binance,
			signal: abort.signal,
			onEvent: (e) => (this.candleEvents = { ...this.candleEvents, [`${e.symbol}|${e.interval}`]: e })
		});
		let saving = Promise.resolve();
		try {
			const running: ResearchJob = { ...stored, status: 'running', error: undefined };
			this.#replace(running);
			const done = await runResearch({
				job: stored,
				candles,
				evaluator: poolEvaluator(deps.pool),
				presets: this.#presets!,
				signal: abort.signal,
				concurrency: Math.max(1, deps.poolSize * 2),
				onProgress: (_p, job) => {
					if (!this.#deleted.has(job.id)) this.#replace(job);
				},
				onSave: (job) => {
					if (this.#deleted.has(job.id)) return saving;
					saving = saving.then(() => this.#jobs!.put(job)).catch((e) => void (this.error = describeError(e)));
					return saving;
				}
			});
			await saving;
			if (!this.#deleted.has(done.id)) {
				await this.#jobs!.put(done);
				this.#replace(done);
			}
		} catch (e) {
			this.error = describeError(e);
		} finally {
			this.runningId = null;
			this.#abort = null;
		}
	}

	/** Stop the running job (it is stored as cancelled and can be resumed). */
	cancel(): void {
		this.#abort?.abort();
	}

	/** A new job with the same definition, run now. */
	async rerun(id: string): Promise<void> {
		const job = this.jobs.find((j) => j.id === id);
		if (!job) return;
		const next = rerunResearchJob(job);
		await this.#jobs!.put(next);
		this.#replace(next);
		void this.run(next.id);
	}

	/**
	 * The last deleted job, kept until {@link undoDelete} or the next deletion (an undo offer, not storage); null when
	 * the deleted job was running (its last progress is not a state to restore).
	 */
	lastDeleted = $state.raw<{ job: ResearchJob; wasSelected: boolean } | null>(null);

	/** Delete a stored job (not the presets or recommendations it led to); a job that was not running can be restored with {@link undoDelete}. */
	async remove(id: string): Promise<void> {
		const job = this.jobs.find((j) => j.id === id);
		const wasRunning = this.runningId === id;
		this.lastDeleted = job && !wasRunning ? { job, wasSelected: this.selected?.id === id } : null;
		this.#deleted.add(id);
		if (wasRunning) this.cancel();
		this.jobs = this.jobs.filter((j) => j.id !== id);
		if (this.selectedId === id) this.selectedId = null;
		try {
			await this.#jobs!.delete(id);
		} catch (e) {
			this.error = `Could not delete the research job: ${describeError(e)}`;
		}
	}

	/** Put the last deleted job back (same id, rows, results and history record) and select it again if it was selected. */
	async undoDelete(): Promise<void> {
		const d = this.lastDeleted;
		if (!d) return;
		this.lastDeleted = null;
		try {
			await this.#jobs!.put(d.job);
			this.#deleted.delete(d.job.id);
			this.jobs = [...this.jobs.filter((j) => j.id !== d.job.id), d.job].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
			if (d.wasSelected) this.selectedId = d.job.id;
		} catch (e) {
			this.error = `Could not restore the research job: ${describeError(e)}`;
		}
	}

	// -------------------------------------------------------------------------------------------------
	// Presets
	// -------------------------------------------------------------------------------------------------

	/** The preset of (market, timeframe, strategy), if any. */
	presetOf(key: RowKey): Preset | undefined {
		return this.presets.find((p) => p.id === presetId(key));
	}

	/**
	 * Set a preset's values and append the change to its history (source, time, old and new values).
	 * @param key - market, interval, strategy key; @param strategyId - the registry strategy.
	 * @returns the stored preset.
	 * @throws ValidationError when the strategy no longer exists or a value is invalid (nothing is written).
	 */
	async setPreset(key: RowKey, strategyId: string, values: PresetValues, source: PresetSource, sourceId?: string, note?: string): Promise<Preset> {
		const { preset } = await setPreset(this.#presets!, key, strategyId as StrategyId, values, { source, sourceId, note });
		this.presets = [...this.presets.filter((p) => p.id !== preset.id), preset].sort((a, b) => (a.id < b.id ? -1 : 1));
		return preset;
	}

	/**
	 * Save the backtest form's configuration as the preset of its market (a manual change).
	 * @returns the stored preset, or null with {@link error} set.
	 */
	async savePresetFromForm(symbol: string, interval: Timeframe, config: BacktestConfig): Promise<Preset | null> {
		this.error = null;
		try {
			const p = await this.setPreset({ symbol, interval, strategy: config.strategy }, config.strategy, presetValuesFromConfig(config), 'manual', undefined, 'Saved from the backtest form');
			this.notice = `Saved the preset of ${symbol} ${interval} ${getStrategy(config.strategy).name}.`;
			return p;
		} catch (e) {
			this.error = describeError(e);
			return null;
		}
	}

	/** Apply a table row's best parameters to its preset (logged in its history as applied from the job). */
	async applyRow(row: RowKey): Promise<void> {
		const job = this.selected;
		if (!job) return;
		this.error = null;
		try {
			const index = job.rows.findIndex((x) => x.symbol === row.symbol && x.interval === row.interval && x.strategy === row.strategy);
			const change = await applyRowBest(job, index, this.#presets!);
			await this.refresh();
			this.notice = change ? `Applied the best parameters to the preset of ${row.symbol} ${row.interval} ${row.strategy}.` : 'The preset already has these values.';
		} catch (e) {
			this.error = describeError(e);
		}
	}

	/**
	 * Run two parameter sets on one row's market over the job's whole window (evidence and hold-out), each as a full
	 * backtest through the worker pool (the portfolio-of-one path, which is bit-identical to the single-market engine
	 * and also takes leverage and breakers), and keep their statistics and equity side by side.
	 * @param row - the row (market, timeframe, strategy) of the selected job.
	 * @param a - first set with its label; @param b - second set.
	 */
	async compare(row: RowKey, a: { label: string; values: PresetValues }, b: { label: string; values: PresetValues }): Promise<void> {
		const job = this.selected;
		const deps = this.#deps;
		if (!job || !deps || !job.range) return;
		this.error = null;
		this.comparing = true;
		try {
			const entry = strategyOfRow(job.spec, row);
			const range = job.range;
			const ohlcv = await appCandleSource(deps.store, { binance: null }).load(row.symbol, row.interval, { fromMs: range.fromMs, toMs: range.toMs });
			const intervalMs = timeframeMs(row.interval);
			const runOne = async (side: { label: string; values: PresetValues }, i: number): Promise<CompareSide> => {
				const config = portfolioConfigOf(job.spec, entry, side.values.params, side.values.risk);
				const r = await deps.client.runPortfolio(`compare-${Date.now()}-${i}`, { markets: [{ symbol: row.symbol, ohlcv }], config, interval: row.interval, intervalMs }).promise;
				return { ...side, metrics: r.metrics, openTime: r.openTime, equity: r.equity };
			};
			const [ra, rb] = await Promise.all([runOne(a, 0), runOne(b, 1)]);
			this.comparison = { key: { symbol: row.symbol, interval: row.interval, strategy: row.strategy }, window: { ...range, bars: ohlcv.openTime.length }, a: ra, b: rb };
		} catch (e) {
			this.error = describeError(e);
		} finally {
			this.comparing = false;
		}
	}

	// -------------------------------------------------------------------------------------------------
	// Auto-tune
	// -------------------------------------------------------------------------------------------------

	/** Dry run: what auto-tune would change on the selected job's rows (reads the presets, writes nothing). */
	async planAutoTune(options: AutoTuneOptions): Promise<void> {
		const job = this.selected;
		this.error = null;
		if (!job) return;
		try {
			this.plan = await planAutoTune(job, this.#presets!, options);
		} catch (e) {
			this.error = describeError(e);
		}
	}

	/**
	 * Write exactly the dry run's changes, each logged in its preset's history as auto-tune, in one transaction (a
	 * preset changed since the dry run is refused, with the reason); then forget the plan.
	 */
	async confirmAutoTune(): Promise<void> {
		const plan = this.plan;
		if (!plan) return;
		this.error = null;
		try {
			const result = await applyAutoTune(plan, this.#presets!);
			await this.refresh();
			this.plan = null;
			const n = result.written.length;
			this.notice = `Auto-tune wrote ${n} preset change${n === 1 ? '' : 's'}${result.refused.length ? `; not written: ${result.refused.map((r) => `${r.presetId} (${r.reason})`).join('; ')}` : ''}.`;
		} catch (e) {
			this.error = describeError(e);
		}
	}

	// -------------------------------------------------------------------------------------------------
	// Recommendations
	// -------------------------------------------------------------------------------------------------

	/**
	 * Generate recommendations from the stored jobs (their history records; lookback and minimum samples as given) and
	 * store them merged with the stored ones (a recommendation the user decided on keeps its status and audit trail).
	 */
	async generate(options: { lookbackDays: number; minSamples: number }): Promise<void> {
		this.error = null;
		try {
			const records = this.jobs.map((j) => historyRecordOf(j)).filter((r) => r !== null);
			const presets = Object.fromEntries(this.presets.map((p) => [p.id, p.values]));
			const report = generateRecommendations(records, { now: Date.now(), lookbackMs: options.lookbackDays * 86_400_000, minSamples: options.minSamples, presets });
			const merged = mergeRecommendations(this.recommendations, report.recommendations);
			await this.#recs!.putMany(merged);
			await this.refresh();
			const n = report.recommendations.length;
			const ok = report.recommendations.filter((r) => r.actionable).length;
			this.notice =
				`${n} recommendation${n === 1 ? '' : 's'} from ${report.used} job${report.used === 1 ? '' : 's'}: ${ok} passed the out-of-sample check, ${n - ok} rejected by it` +
				(report.skipped.length ? `. Skipped: ${report.skipped.map((s) => `${s.id ?? `#${s.index}`} (${s.reason})`).join('; ')}` : '') +
				'.';
		} catch (e) {
			this.error = describeError(e);
		}
	}

	/**
	 * Accept, reject (with a reason) or re-open a recommendation; the change goes to its audit trail.
	 */
	async decide(id: string, to: 'accepted' | 'rejected' | 'pending', reason?: string): Promise<void> {
		const rec = this.recommendations.find((r) => r.id === id);
		if (!rec) return;
		this.error = null;
		try {
			const next = transitionRecommendation(rec, to, { at: Date.now(), actor: 'user', reason });
			await this.#recs!.commit(next);
			this.recommendations = this.recommendations.map((r) => (r.id === id ? next : r));
		} catch (e) {
			this.error = describeError(e);
		}
	}

	/** Apply an accepted recommendation: its preset changes and its new status, in one transaction. */
	async applyRecommendation(id: string): Promise<void> {
		const rec = this.recommendations.find((r) => r.id === id);
		if (!rec) return;
		this.error = null;
		try {
			// The core checks every resulting preset with the engine's validation (nothing staged otherwise); the
			// presets and the recommendation's new status are then stored in one transaction.
			const staged = await stageRecommendation(rec, this.#presets!);
			await this.#recs!.commit(staged.recommendation, staged.presets);
			const written = staged.written;
			await this.refresh();
			this.notice = `Applied “${rec.title}” to ${written.length} preset${written.length === 1 ? '' : 's'}.`;
		} catch (e) {
			this.error = describeError(e);
		}
	}

	/** Time of the newest stored job (for labels). */
	get lastJobAt(): UnixMs | null {
		return this.jobs[0]?.createdAt ?? null;
	}
}
