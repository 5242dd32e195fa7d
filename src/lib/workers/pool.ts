/**
 * A pool of dataset-holding workers with a FIFO job queue, cancellation, timeouts and crash
 * recovery. Plain TypeScript: the browser passes a factory that spawns real Web Workers wrapped
 * with Comlink; tests pass fake workers.
 *
 * Each worker keeps one dataset loaded (in WASM memory) keyed by its id; a job names the dataset
 * it needs and the pool reloads a worker only when the id differs. Jobs marked `pipeline` (the
 * batches of an optimisation) may be queued inside a worker behind another pipelined job on the
 * same dataset (up to `pipelineDepth` per worker), so the worker starts the next batch the moment it
 * finishes one instead of idling for a round trip. A job that throws, hangs past
 * its timeout, or whose worker raises an uncaught error fails with a {@link PoolJobError} saying
 * why; the worker is terminated and replaced, so one bad job never blocks the queue or the page.
 */
import { transfer } from 'comlink';
import { AppError } from '../core/errors';
import type { OhlcvColumns } from '../core/types';

/** The part of a worker API the pool relies on. */
export interface DatasetWorkerApi {
	/** Load candles (transferred) under `id`, replacing any previous dataset. @returns bars loaded. */
	loadDataset(id: string, ohlcv: OhlcvColumns): Promise<number>;
}

/** One spawned worker as the pool sees it. */
export interface WorkerHandle<Api extends DatasetWorkerApi> {
	/** Remote API (Comlink proxy in the browser). */
	api: Api;
	/** Stop the worker at once (used on cancel, timeout and crash). */
	terminate(): void;
	/** Register a listener for an uncaught error of the worker (outside any call's promise). */
	onError(listener: (message: string) => void): void;
}

/** Spawns one worker. Called lazily, and again to replace a failed worker. */
export type WorkerFactory<Api extends DatasetWorkerApi> = () => WorkerHandle<Api>;

/** Why a job did not complete. */
export type PoolFailureCode = 'cancelled' | 'timeout' | 'worker_crashed' | 'job_failed' | 'pool_disposed';

/** The error a failed job's promise rejects with; `message` is for people. */
export class PoolJobError extends AppError {
	readonly failure: PoolFailureCode;
	constructor(failure: PoolFailureCode, message: string, options?: { cause?: unknown }) {
		super(`pool_${failure}`, message, options);
		this.failure = failure;
	}
}

/** Candles a job needs, with the id that tells datasets apart. */
export interface PoolDataset {
	id: string;
	ohlcv: OhlcvColumns;
}

/**
 * What a job knows about the worker it runs on: keys of things earlier jobs left there (e.g. an optimisation job
 * sent once and kept by the worker). The set is emptied when the worker is replaced.
 */
export interface WorkerMemo {
	/** True when an earlier job on this worker called {@link WorkerMemo.add} with `key`. */
	has(key: string): boolean;
	/** Record that this worker now holds `key` (call it when the message that gives it to the worker is posted). */
	add(key: string): void;
}

/** A job to submit. */
export interface PoolTask<Api extends DatasetWorkerApi, R> {
	/** Job id (e.g. the run id); generated when absent. */
	id?: string;
	/** Candles the job needs loaded in its worker; absent for jobs that carry their own data (portfolio runs). */
	dataset?: PoolDataset;
	/** The work, given the worker's API once the dataset is loaded there, and what the worker already holds. */
	run: (api: Api, memo: WorkerMemo) => Promise<R>;
	/**
	 * May be queued inside a worker behind other pipelined jobs on the same dataset (optimisation batches), up to the
	 * pool's `pipelineDepth` per worker. Other jobs only start on an idle worker. Default false.
	 */
	pipeline?: boolean;
	/** Overrides the pool's default timeout for this job (ms, dataset load included). */
	timeoutMs?: number;
	/** Called when a worker picks the job up (status pending -> running). */
	onStart?: () => void;
}

/** Handle of a submitted job. */
export interface PoolJob<R> {
	readonly id: string;
	/** Settles with the job's result, or rejects with a {@link PoolJobError}. */
	readonly promise: Promise<R>;
	/** Cancel: a queued job leaves the queue; a running one has its worker terminated and replaced. */
	cancel(): void;
}

/** Pool options. */
export interface WorkerPoolOptions<Api extends DatasetWorkerApi> {
	factory: WorkerFactory<Api>;
	/** Maximum number of workers (>= 1). See {@link defaultPoolSize}. */
	size: number;
	/** Default per-job timeout in ms (dataset load + run). Default 120,000. */
	timeoutMs?: number;
	/** Pipelined jobs in flight per worker (see {@link PoolTask.pipeline}). Default 2: one running, one queued. */
	pipelineDepth?: number;
}

/** Counters for display. */
export interface PoolStats {
	size: number;
	workers: number;
	busy: number;
	queued: number;
	/** Workers terminated and replaced since the pool started (timeouts, crashes, cancels). */
	replaced: number;
}

interface Slot<Api extends DatasetWorkerApi> {
	handle: WorkerHandle<Api>;
	/** Dataset loaded (or being loaded, see `loading`) in the worker. */
	datasetId: string | null;
	/** The load of `datasetId` in progress (jobs sharing the worker wait for it), null once done. */
	loading: Promise<void> | null;
	/** Jobs in flight on this worker, oldest first (more than one only for pipelined jobs). */
	active: Active[];
	/** Keys of what jobs left in the worker (see {@link WorkerMemo}). */
	memo: Set<string>;
	/** Takes no new job: replaced once the jobs still in flight on it settle (after a pipelined job failed). */
	retiring: boolean;
	/** Set once the slot's worker is terminated; late events from it are ignored. */
	dead: boolean;
}

interface Active {
	id: string;
	pipeline: boolean;
	fail: (err: PoolJobError) => void;
}

interface Queued<Api extends DatasetWorkerApi> {
	id: string;
	task: PoolTask<Api, unknown>;
	resolve: (v: unknown) => void;
	reject: (e: unknown) => void;
	cancelled: boolean;
	/** Set once the job settled (resolved or rejected). */
	done: boolean;
	slot: Slot<Api> | null;
}

/**
 * Pool size for this device: one worker per logical core, from 1 to 8. The page's own thread is nearly idle while
 * workers compute (a few results a second, progress drawn at most every 250 ms), so leaving it a core costs
 * throughput: on the 2-core machine the 10,000 × 17,520 grid took 517 ms with 2 workers against 851 ms with 1 (the
 * fastest of 28 interleaved runs, `npx tsx scripts/bench-optimize-browser.ts`; the issue's own probe measured ×1.51),
 * and under heavy load from other processes 2 workers still won (medians 1,169 / 1,270 ms).
 * @param hardwareConcurrency - `navigator.hardwareConcurrency` (undefined or 0 when unknown -> 1 worker).
 * @returns number of workers, 1..8.
 */
export function defaultPoolSize(hardwareConcurrency: number | undefined): number {
	const n = Math.floor(hardwareConcurrency ?? 0);
	if (!Number.isFinite(n) || n <= 1) return 1;
	return Math.min(8, n);
}

/**
 * Copy candle columns into fresh buffers and mark them for transfer, so the caller keeps its own.
 * @param ohlcv - columns (each Float64Array of length = bars).
 * @returns a copy whose six buffers Comlink transfers instead of cloning.
 */
export function transferableCopy(ohlcv: OhlcvColumns): OhlcvColumns {
	const copy: OhlcvColumns = {
		openTime: ohlcv.openTime.slice(),
		open: ohlcv.open.slice(),
		high: ohlcv.high.slice(),
		low: ohlcv.low.slice(),
		close: ohlcv.close.slice(),
		volume: ohlcv.volume.slice()
	};
	return transfer(copy, [
		copy.openTime.buffer,
		copy.open.buffer,
		copy.high.buffer,
		copy.low.buffer,
		copy.close.buffer,
		copy.volume.buffer
	] as ArrayBuffer[]);
}

let nextJobNumber = 1;

/** A FIFO pool of dataset-holding workers; see the module comment. */
export class WorkerPool<Api extends DatasetWorkerApi> {
	readonly size: number;
	readonly timeoutMs: number;
	readonly pipelineDepth: number;
	#factory: WorkerFactory<Api>;
	#slots: Slot<Api>[] = [];
	#queue: Queued<Api>[] = [];
	#replaced = 0;
	#disposed = false;
	#listeners = new Set<() => void>();

	/** @throws PoolJobError never; RangeError if `size` < 1. */
	constructor(options: WorkerPoolOptions<Api>) {
		if (!(options.size >= 1)) throw new RangeError(`Worker pool size must be at least 1, got ${options.size}`);
		this.size = Math.floor(options.size);
		this.timeoutMs = options.timeoutMs ?? 120_000;
		this.pipelineDepth = Math.max(1, Math.floor(options.pipelineDepth ?? 2));
		this.#factory = options.factory;
	}

	/** Current counters. */
	get stats(): PoolStats {
		return {
			size: this.size,
			workers: this.#slots.length,
			busy: this.#slots.filter((s) => s.active.length > 0).length,
			queued: this.#queue.filter((q) => !q.cancelled && !q.slot).length,
			replaced: this.#replaced
		};
	}

	/** Dataset id loaded in each live worker (null when none), in slot order; for display and tests. */
	get loadedDatasets(): (string | null)[] {
		return this.#slots.map((s) => s.datasetId);
	}

	/** Subscribe to changes of {@link stats}. @returns an unsubscribe function. */
	subscribe(listener: () => void): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/**
	 * Start every worker now and load `dataset` into each (e.g. when a market is selected), so that the first run or
	 * optimisation batch does not pay for worker start-up, WASM instantiation and the candle copy. Workers busy with
	 * other jobs load it after them; a load failure is ignored here (the next job that needs the dataset reports it).
	 * @param dataset - candles and their id.
	 * @returns resolves once every worker holds the dataset (or failed to load it).
	 */
	prewarm(dataset: PoolDataset): Promise<void> {
		const jobs: Promise<unknown>[] = [];
		const holding = this.#slots.filter((s) => !s.dead && s.datasetId === dataset.id).length;
		if (holding >= this.size) return Promise.resolve();
		// One no-op job per worker, submitted together: free workers take one each (those already holding the dataset
		// do nothing), missing workers are spawned.
		for (let k = 0; k < this.size; k++) {
			jobs.push(this.submit({ id: `prewarm-${nextJobNumber++}`, dataset, run: async () => undefined }).promise.catch(() => undefined));
		}
		return Promise.all(jobs).then(() => undefined);
	}

	/**
	 * Queue a job. It starts as soon as a worker is free (FIFO).
	 * @returns the job handle; its promise rejects with PoolJobError('pool_disposed') after {@link dispose}.
	 */
	submit<R>(task: PoolTask<Api, R>): PoolJob<R> {
		const id = task.id ?? `job-${nextJobNumber++}`;
		let entry!: Queued<Api>;
		const promise = new Promise<R>((resolve, reject) => {
			entry = { id, task: task as PoolTask<Api, unknown>, resolve: resolve as (v: unknown) => void, reject, cancelled: false, done: false, slot: null };
		});
		if (this.#disposed) {
			entry.reject(new PoolJobError('pool_disposed', 'The worker pool was shut down; reload the page to run again.'));
		} else {
			this.#queue.push(entry);
			this.#pump();
		}
		return { id, promise, cancel: () => this.#cancel(entry) };
	}

	/** Cancel a job by id (queued or running). @returns false when no such job is pending. */
	cancel(id: string): boolean {
		const entry = this.#queue.find((q) => q.id === id && !q.cancelled && !q.done);
		if (!entry) return false;
		this.#cancel(entry);
		return true;
	}

	/** Terminate every worker and fail every pending job with `pool_disposed`. */
	dispose(): void {
		this.#disposed = true;
		const err = () => new PoolJobError('pool_disposed', 'The worker pool was shut down; reload the page to run again.');
		for (const s of [...this.#slots]) for (const a of [...s.active]) a.fail(err());
		for (const q of this.#queue.splice(0)) {
			q.cancelled = true;
			q.done = true;
			q.reject(err());
		}
		for (const s of this.#slots) {
			s.dead = true;
			s.handle.terminate();
		}
		this.#slots = [];
		this.#emit();
	}

	#emit(): void {
		for (const l of this.#listeners) l();
	}

	#cancel(entry: Queued<Api>): void {
		if (entry.cancelled || entry.done) return;
		entry.cancelled = true;
		const err = new PoolJobError('cancelled', 'Cancelled by the user.');
		if (entry.slot) {
			entry.slot.active.find((a) => a.id === entry.id)?.fail(err);
		} else {
			this.#queue = this.#queue.filter((q) => q !== entry);
			entry.done = true;
			entry.reject(err);
			this.#emit();
		}
	}

	#spawn(): Slot<Api> {
		const handle = this.#factory();
		const slot: Slot<Api> = { handle, datasetId: null, loading: null, active: [], memo: new Set(), retiring: false, dead: false };
		handle.onError((message) => {
			if (slot.dead) return;
			const reason = `The backtest worker crashed: ${message || 'unknown error'}. It was restarted; run again.`;
			if (slot.active.length) slot.active[0].fail(new PoolJobError('worker_crashed', reason));
			else this.#replace(slot);
		});
		this.#slots.push(slot);
		return slot;
	}

	/**
	 * Terminate a slot's worker and drop it; the next job spawns a fresh one. Other jobs still in flight on it (pipelined
	 * behind the one that failed) fail with `worker_crashed`.
	 */
	#replace(slot: Slot<Api>, why?: string): void {
		if (slot.dead) return;
		slot.dead = true;
		slot.handle.terminate();
		this.#slots = this.#slots.filter((s) => s !== slot);
		this.#replaced++;
		for (const a of [...slot.active]) {
			a.fail(new PoolJobError('worker_crashed', `The worker was restarted because another job on it failed${why ? ` (${why})` : ''}; run again.`));
		}
	}

	#pump(): void {
		if (this.#disposed) return;
		for (;;) {
			const next = this.#queue.find((q) => !q.cancelled && !q.slot);
			if (!next) break;
			const slot = this.#pickSlot(next.task.dataset?.id ?? null, next.task.pipeline === true);
			if (!slot) break;
			this.#start(slot, next);
		}
		this.#emit();
	}

	/**
	 * A free worker, preferring one that already holds `datasetId`; spawns one while below size. A pipelined job may
	 * also join a worker on the same dataset that runs only pipelined jobs and has room (the least loaded one).
	 */
	#pickSlot(datasetId: string | null, pipeline: boolean): Slot<Api> | null {
		const free = this.#slots.filter((s) => s.active.length === 0 && !s.dead && !s.retiring);
		const warm = free.find((s) => datasetId !== null && s.datasetId === datasetId);
		if (warm) return warm;
		if (this.#slots.filter((s) => !s.retiring).length < this.size) return this.#spawn();
		if (free[0]) return free[0];
		if (!pipeline || datasetId === null) return null;
		let best: Slot<Api> | null = null;
		for (const s of this.#slots) {
			if (s.dead || s.retiring || s.datasetId !== datasetId || s.active.length >= this.pipelineDepth || !s.active.every((a) => a.pipeline)) continue;
			if (!best || s.active.length < best.active.length) best = s;
		}
		return best;
	}

	#start(slot: Slot<Api>, entry: Queued<Api>): void {
		entry.slot = slot;
		const { task } = entry;
		let settled = false;
		let timer: ReturnType<typeof setTimeout> | undefined;
		const active: Active = { id: entry.id, pipeline: task.pipeline === true, fail: (err) => fail(err) };
		const finish = () => {
			settled = true;
			entry.done = true;
			if (timer !== undefined) clearTimeout(timer);
			slot.active = slot.active.filter((a) => a !== active);
			this.#queue = this.#queue.filter((q) => q !== entry);
		};
		const fail = (err: PoolJobError) => {
			if (settled) return;
			finish();
			entry.reject(err);
			// The worker's state is unknown after a throw, hang or crash: replace it. A worker that answered with an
			// error (job_failed) still runs: jobs pipelined behind the failed one may finish there first.
			if (err.failure === 'job_failed' && slot.active.length > 0) slot.retiring = true;
			else this.#replace(slot, err.message);
			this.#pump();
		};
		slot.active.push(active);
		const timeoutMs = task.timeoutMs ?? this.timeoutMs;
		timer = setTimeout(
			() =>
				fail(
					new PoolJobError(
						'timeout',
						`The backtest did not finish within ${Math.round(timeoutMs / 1000)} s; its worker was stopped and replaced. Try a shorter date range or simpler parameters.`
					)
				),
			timeoutMs
		);
		try {
			task.onStart?.();
		} catch {
			// A listener error must not break the pool.
		}
		const memo: WorkerMemo = { has: (key) => slot.memo.has(key), add: (key) => void slot.memo.add(key) };
		const work = async () => {
			const dataset = task.dataset;
			if (dataset && slot.datasetId !== dataset.id) {
				slot.datasetId = dataset.id;
				slot.loading = slot.handle.api.loadDataset(dataset.id, transferableCopy(dataset.ohlcv)).then(() => undefined);
				const loading = slot.loading;
				try {
					await loading;
				} catch (e) {
					slot.datasetId = null;
					throw e;
				} finally {
					if (slot.loading === loading) slot.loading = null;
				}
			} else if (slot.loading) {
				// A pipelined job joined a worker whose load is still in flight.
				await slot.loading;
			}
			return task.run(slot.handle.api, memo);
		};
		work().then(
			(value) => {
				if (settled) return;
				finish();
				entry.resolve(value);
				if (slot.retiring && slot.active.length === 0) this.#replace(slot);
				this.#pump();
			},
			(e: unknown) => {
				const message = e instanceof Error ? e.message : String(e);
				fail(new PoolJobError('job_failed', message, { cause: e }));
			}
		);
	}
}
