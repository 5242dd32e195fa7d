/**
 * A small pool of Node worker threads for `npm run optimize`: each worker holds the candles and the job in its own
 * WASM engine (sent once, at start); batches go to the least loaded worker, two at most per worker (one running, one
 * queued in the worker), and results come back packed in transferred typed arrays. Node only (the browser uses src/lib/workers).
 */
import { Worker } from 'node:worker_threads';
import type { OhlcvColumns } from '../lib/core/types';
import { unpackTrials, type OptimizationJob, type PackedTrials, type TrialBatch, type TrialResult } from '../lib/optimize';
import { workerBootstrap } from './worker-bootstrap';

interface Slot {
	worker: Worker;
	/** Batches posted to the worker and not answered yet (at most {@link PER_WORKER}). */
	inFlight: number;
}

/** Batches posted to a worker at once: one running and one waiting in its message queue, so it never idles for a round trip. */
const PER_WORKER = 2;
/** A message from a worker (see optimize-worker.ts). */
type WorkerMessage = { type: string; id: number; packed?: PackedTrials; message?: string };

interface Waiting {
	batch: TrialBatch;
	resolve: (r: TrialResult[]) => void;
	reject: (e: Error) => void;
}


/** Worker-thread pool evaluating optimisation batches. */
export class NodeOptimizePool {
	private readonly slots: Slot[] = [];
	private readonly queue: Waiting[] = [];
	private readonly calls = new Map<number, { slot: Slot; resolve: (r: TrialResult[]) => void; reject: (e: Error) => void }>();
	private nextId = 0;
	/** Called with the trials and the worker's evaluation time (ms) of every finished batch (batch sizing). */
	onMeasured: ((trials: number, ms: number) => void) | null = null;

	private constructor() {}

	/**
	 * Start `threads` workers, each loading `ohlcv` into its own engine.
	 * @param threads - number of workers (>= 1).
	 * @param ohlcv - candles (copied to each worker).
	 * @param job - the optimisation job.
	 * @returns the pool once every worker is ready.
	 * @throws Error when a worker fails to start or load (e.g. the WASM build is missing).
	 */
	static async start(threads: number, ohlcv: OhlcvColumns, job: OptimizationJob): Promise<NodeOptimizePool> {
		const pool = new NodeOptimizePool();
		const code = workerBootstrap('optimize-worker');
		const ready: Promise<void>[] = [];
		for (let t = 0; t < threads; t++) {
			const worker = new Worker(code, { eval: true });
			const slot: Slot = { worker, inFlight: 0 };
			pool.slots.push(slot);
			ready.push(
				new Promise<void>((resolve, reject) => {
					const onMessage = (m: WorkerMessage) => {
						if (m.type === 'ready') return resolve();
						if (m.type === 'error' && m.id === -1) return reject(new Error(m.message));
						pool.onResult(m);
					};
					worker.on('message', onMessage);
					worker.on('error', (e) => {
						reject(e);
						pool.failAll(e);
					});
				})
			);
			worker.postMessage({ type: 'init', ohlcv, job });
		}
		try {
			await Promise.all(ready);
		} catch (e) {
			await pool.close();
			throw e;
		}
		return pool;
	}

	/** Evaluate a batch on the next idle worker. */
	evaluate(batch: TrialBatch): Promise<TrialResult[]> {
		return new Promise((resolve, reject) => {
			this.queue.push({ batch, resolve, reject });
			this.pump();
		});
	}

	private pump(): void {
		// Fill the least loaded worker first, up to PER_WORKER batches each.
		for (;;) {
			if (this.queue.length === 0) return;
			let slot: Slot | null = null;
			for (const s of this.slots) if (s.inFlight < PER_WORKER && (!slot || s.inFlight < slot.inFlight)) slot = s;
			if (!slot) return;
			const w = this.queue.shift()!;
			const id = this.nextId++;
			slot.inFlight++;
			this.calls.set(id, { slot, resolve: w.resolve, reject: w.reject });
			slot.worker.postMessage({ type: 'batch', id, batch: w.batch });
		}
	}

	private onResult(m: WorkerMessage): void {
		const call = this.calls.get(m.id);
		if (!call) return;
		this.calls.delete(m.id);
		call.slot.inFlight--;
		if (m.type === 'result') {
			this.onMeasured?.(m.packed!.count, m.packed!.elapsedMs);
			call.resolve(unpackTrials(m.packed!));
		}
		else call.reject(new Error(m.message));
		this.pump();
	}

	private failAll(e: Error): void {
		for (const [, c] of this.calls) c.reject(e);
		this.calls.clear();
		for (const w of this.queue.splice(0)) w.reject(e);
	}

	/** Stop every worker. */
	async close(): Promise<void> {
		await Promise.all(this.slots.map((s) => s.worker.terminate()));
	}
}
