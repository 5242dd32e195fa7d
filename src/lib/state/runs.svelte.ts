/**
 * State of backtest runs: submitting to the worker pool, status updates (pending -> running ->
 * completed | failed), the history kept in IndexedDB, the run shown in the results and the pair
 * chosen for comparison.
 */
import { strategyDefinitionOf } from '../engine/strategies';
import '../rules'; // rule strategies resolve through the engine registry's hook
import type { LookAheadAudit } from '../rules/audit';
import { configDifferences } from './config-label';
import type { RunFingerprint } from '../engine/fingerprint';
import type { BacktestConfig, Trade } from '../engine/types';
import { newRunId, type RunsRepository, type StoredRun } from '../persistence/runs';
import type { BacktestClient } from '../workers/backtest-client';
import { PoolJobError, type PoolJob } from '../workers/pool';
import type { IndicatorLine, RunResponse, TestFault } from '../workers/protocol';
import type { Zone, ZoneCounts } from '../engine/zones-types';
import type { Dataset } from './market.svelte';

/** What a completed run keeps. Arrays are Float64Array, length = bars. */
export interface RunResult {
	trades: Trade[];
	equity: Float64Array;
	/** Bar open times (ms UTC) of the equity values. */
	openTime: Float64Array;
	metrics: Record<string, number>;
	ambiguousBars: number;
	indicators: IndicatorLine[];
	/** Simulation time inside the worker, ms. */
	elapsedMs: number;
	/** Engine version, candle hash, run fingerprint and trades hash (absent on runs stored before fingerprints existed). */
	fingerprint?: RunFingerprint;
	/** pattern-zones runs: zones that were active at some point (chart rectangles) and the zone counts. */
	zones?: Zone[];
	zoneCounts?: ZoneCounts;
	/** Look-ahead audit of the run (absent on runs stored before audits existed). */
	audit?: LookAheadAudit;
}

/** A stored run with the engine's types. */
export type Run = StoredRun<BacktestConfig, RunResult>;

/** `SMA cross 10/30 · BTCUSDT 1h`, then what differs from the app's default settings (`· fee 0.2 %, SL 2 %`). */
export function runLabel(config: BacktestConfig, symbol: string, interval: string): string {
	const def = strategyDefinitionOf(config);
	const values = def.params.map((p) => {
		const v = config.params[p.name] ?? p.default;
		const n = typeof v === 'boolean' ? (v ? 1 : 0) : v;
		return p.options?.find((o) => o.value === n)?.label ?? n;
	});
	const diff = configDifferences(config);
	return `${def.name} ${values.join('/')} · ${symbol} ${interval}${diff.length ? ` · ${diff.join(', ')}` : ''}`;
}

/** Dependencies of {@link RunsState}, created in the browser. */
export interface RunsDeps {
	repo: RunsRepository<BacktestConfig, RunResult>;
	/** The worker pool client (a real BacktestClient in the browser; tests pass one over in-process workers). */
	client: Pick<BacktestClient, 'run'>;
}

/** Rune-backed runs state; see the module comment. */
export class RunsState {
	/** Every stored run, newest first. */
	history = $state.raw<Run[]>([]);
	/** Run shown in the results panel. */
	selectedId = $state<string | null>(null);
	/** Up to two runs chosen for comparison. */
	compareIds = $state<string[]>([]);
	/** Storage or pool problem not tied to one run. */
	error = $state<string | null>(null);
	ready = $state(false);
	/** Test hook: the next submitted run asks its worker to fail this way. */
	testFault: TestFault | null = null;
	/** Test hook: timeout of the next run in ms. */
	testTimeoutMs: number | null = null;
	#deps: RunsDeps | null = null;
	#jobs = new Map<string, PoolJob<RunResponse>>();
	/** Per active run: settles once its final status is recorded. */
	#settled = new Map<string, Promise<void>>();

	/** The run shown in the results, if any. */
	get selected(): Run | undefined {
		return this.history.find((r) => r.id === this.selectedId);
	}

	/** Runs pending or running now. */
	get active(): Run[] {
		return this.history.filter((r) => r.status === 'pending' || r.status === 'running');
	}

	/** The two runs chosen for comparison, in the order chosen. */
	get comparePair(): Run[] {
		return this.compareIds.map((id) => this.history.find((r) => r.id === id)).filter((r): r is Run => !!r);
	}

	/** Connect to storage and the pool; runs left unfinished by a closed page become failed. */
	async init(deps: RunsDeps): Promise<void> {
		this.#deps = deps;
		try {
			await deps.repo.markInterrupted();
			await this.refresh();
		} catch (e) {
			this.error = `Run history is unavailable: ${(e as Error).message}`;
		}
		this.ready = true;
	}

	/** Reload the history from IndexedDB. */
	async refresh(): Promise<void> {
		if (!this.#deps) return;
		this.history = await this.#deps.repo.list();
	}

	#replace(run: Run): void {
		const i = this.history.findIndex((r) => r.id === run.id);
		this.history = i < 0 ? [run, ...this.history] : this.history.map((r) => (r.id === run.id ? run : r));
	}

	async #update(id: string, patch: Partial<Run>): Promise<void> {
		const local = this.history.find((r) => r.id === id);
		if (local) this.#replace({ ...local, ...patch, updatedAt: Date.now() } as Run);
		try {
			await this.#deps?.repo.update(id, patch);
		} catch (e) {
			// Deleted meanwhile, or storage failing: the in-memory history still shows the outcome.
			if (this.history.some((r) => r.id === id)) this.error = `Could not save run ${id}: ${(e as Error).message}`;
		}
	}

	/**
	 * Store a new run as pending, queue it in the worker pool, and keep its status up to date.
	 * @param config - a validated configuration.
	 * @param dataset - the candles to run on.
	 * @returns the run id (it is shown in the results at once).
	 * @throws Error when init() has not run.
	 */
	async submit(config: BacktestConfig, dataset: Dataset): Promise<string> {
		if (!this.#deps) throw new Error('The backtest engine is still starting; try again in a moment.');
		const now = Date.now();
		const n = dataset.ohlcv.openTime.length;
		const run: Run = {
			id: newRunId(now),
			createdAt: now,
			updatedAt: now,
			status: 'pending',
			label: runLabel(config, dataset.symbol, dataset.interval),
			config: structuredClone($state.snapshot(config) as BacktestConfig),
			market: {
				symbol: dataset.symbol,
				interval: dataset.interval,
				datasetId: dataset.id,
				firstOpenTime: dataset.ohlcv.openTime[0],
				lastOpenTime: dataset.ohlcv.openTime[n - 1],
				bars: n,
				source: dataset.sources.join('+') || 'stored',
				missingBars: dataset.missingBars
			}
		};
		this.#replace(run);
		this.selectedId = run.id;
		try {
			await this.#deps.repo.put(run);
		} catch (e) {
			this.error = `The run could not be saved in the history: ${(e as Error).message}`;
		}
		const fault = this.testFault ?? undefined;
		this.testFault = null;
		const timeoutMs = this.testTimeoutMs ?? undefined;
		const job = this.#deps.client.run(
			run.id,
			{ id: dataset.id, ohlcv: dataset.ohlcv },
			{
				datasetId: dataset.id,
				config: run.config,
				intervalMs: dataset.intervalMs,
				withIndicators: true,
				market: { symbol: dataset.symbol, interval: dataset.interval },
				fault
			},
			() => void this.#update(run.id, { status: 'running' }),
			timeoutMs
		);
		this.#jobs.set(run.id, job);
		const openTime = dataset.ohlcv.openTime;
		const settled = job.promise.then(
			(r) => {
				const result: RunResult = {
					trades: r.trades,
					equity: r.equity,
					openTime,
					metrics: r.metrics,
					ambiguousBars: r.ambiguousBars,
					indicators: r.indicators,
					elapsedMs: r.elapsedMs,
					fingerprint: r.fingerprint,
					...(r.audit ? { audit: r.audit } : {}),
					...(r.zones ? { zones: r.zones, zoneCounts: r.zoneCounts } : {})
				};
				return this.#update(run.id, { status: 'completed', result, error: undefined });
			},
			(e: unknown) => {
				const message = e instanceof PoolJobError || e instanceof Error ? e.message : String(e);
				return this.#update(run.id, { status: 'failed', error: message });
			}
		).finally(() => {
			this.#jobs.delete(run.id);
			this.#settled.delete(run.id);
		});
		this.#settled.set(run.id, settled);
		return run.id;
	}

	/**
	 * The run once it has ended (completed or failed), as shown in the history.
	 * @param id - a run id returned by {@link submit}.
	 * @returns the run, or undefined when it is not in the history (deleted).
	 */
	async settled(id: string): Promise<Run | undefined> {
		await this.#settled.get(id);
		return this.history.find((r) => r.id === id);
	}

	/** Cancel a pending or running run (it is marked failed: "Cancelled by the user."). */
	cancel(id: string): void {
		this.#jobs.get(id)?.cancel();
	}

	/** The last deleted run, kept until {@link undoDelete} or the next deletion (an undo offer, not storage). */
	lastDeleted = $state.raw<{ run: Run; wasSelected: boolean } | null>(null);

	/** Put the last deleted run back (same id, same numbers) and show it again if it was shown. */
	async undoDelete(): Promise<void> {
		const d = this.lastDeleted;
		if (!d) return;
		this.lastDeleted = null;
		try {
			await this.#deps?.repo.put(d.run);
			this.history = [...this.history.filter((r) => r.id !== d.run.id), d.run].sort((a, b) => b.createdAt - a.createdAt);
			if (d.wasSelected) this.selectedId = d.run.id;
		} catch (e) {
			this.error = `Could not restore the run: ${(e as Error).message}`;
		}
	}

	/** Delete a run from the history (cancelling it first if still active); a finished run can be restored with {@link undoDelete}. */
	async remove(id: string): Promise<void> {
		const run = this.history.find((r) => r.id === id);
		this.lastDeleted = run && run.status !== 'pending' && run.status !== 'running' ? { run, wasSelected: this.selectedId === id } : null;
		this.cancel(id);
		this.history = this.history.filter((r) => r.id !== id);
		this.compareIds = this.compareIds.filter((c) => c !== id);
		if (this.selectedId === id) this.selectedId = null;
		try {
			await this.#deps?.repo.delete(id);
		} catch (e) {
			this.error = `Could not delete the run: ${(e as Error).message}`;
		}
	}

	/** Add a completed run to, or remove it from, the comparison (at most two; the oldest choice drops out). */
	toggleCompare(id: string): void {
		if (this.compareIds.includes(id)) this.compareIds = this.compareIds.filter((c) => c !== id);
		else this.compareIds = [...this.compareIds, id].slice(-2);
	}
}
