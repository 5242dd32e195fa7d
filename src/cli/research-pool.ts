/**
 * A pool of Node worker threads evaluating research row batches (a {@link ResearchEvaluator}): each worker keeps the
 * candles of the slice it last evaluated per path and the row jobs it has seen, so candles and jobs cross the thread
 * boundary once per worker, not once per batch. Node only (the browser uses src/lib/workers).
 */
import { Worker } from 'node:worker_threads';
import type { TrialBatch, TrialResult } from '../lib/optimize';
import type { ResearchDataSlice, ResearchEvaluator, RowJob } from '../lib/research/types';
import { workerBootstrap } from './worker-bootstrap';

interface Slot {
	worker: Worker;
	busy: boolean;
	loaded: { single: string; portfolio: string };
	jobs: Set<number>;
}
interface Call {
	data: ResearchDataSlice;
	job: RowJob;
	batch: TrialBatch;
	resolve: (r: TrialResult[]) => void;
	reject: (e: Error) => void;
}


/** Worker-thread evaluator of research rows. */
export class NodeResearchPool implements ResearchEvaluator {
	private readonly slots: Slot[] = [];
	private readonly queue: Call[] = [];
	private readonly calls = new Map<number, { slot: Slot; call: Call }>();
	private readonly jobIds = new WeakMap<RowJob, number>();
	private nextJob = 0;
	private nextId = 0;

	/**
	 * Start `threads` workers (each creates its engines on its first batch).
	 * @param threads - number of workers, >= 1.
	 */
	constructor(threads: number) {
		const code = workerBootstrap('research-worker');
		for (let t = 0; t < Math.max(1, threads); t++) {
			const slot: Slot = { worker: new Worker(code, { eval: true }), busy: false, loaded: { single: '', portfolio: '' }, jobs: new Set() };
			slot.worker.on('message', (m: { type: string; id: number; results?: TrialResult[]; message?: string }) => this.onResult(m));
			slot.worker.on('error', (e) => this.failAll(e));
			this.slots.push(slot);
		}
	}

	/** Evaluate a batch on the next idle worker. */
	evaluate(data: ResearchDataSlice, job: RowJob, batch: TrialBatch): Promise<TrialResult[]> {
		return new Promise((resolve, reject) => {
			this.queue.push({ data, job, batch, resolve, reject });
			this.pump();
		});
	}

	/** Forget a slice (workers load it again when asked). */
	release(dataId: string): void {
		for (const s of this.slots) {
			if (s.loaded.single === dataId) s.loaded.single = '';
			if (s.loaded.portfolio === dataId) s.loaded.portfolio = '';
		}
	}

	private pump(): void {
		for (const slot of this.slots) {
			if (slot.busy || this.queue.length === 0) continue;
			const call = this.queue.shift()!;
			const id = this.nextId++;
			let jobId = this.jobIds.get(call.job);
			if (jobId === undefined) this.jobIds.set(call.job, (jobId = this.nextJob++));
			const path = call.job.path;
			const needData = slot.loaded[path] !== call.data.id;
			const needJob = !slot.jobs.has(jobId);
			slot.busy = true;
			slot.loaded[path] = call.data.id;
			slot.jobs.add(jobId);
			this.calls.set(id, { slot, call });
			slot.worker.postMessage({
				type: 'batch',
				id,
				dataId: call.data.id,
				symbol: call.data.symbol,
				...(needData ? { ohlcv: call.data.ohlcv } : {}),
				jobId,
				...(needJob ? { job: call.job } : {}),
				batch: call.batch
			});
		}
	}

	private onResult(m: { type: string; id: number; results?: TrialResult[]; message?: string }): void {
		const c = this.calls.get(m.id);
		if (!c) return;
		this.calls.delete(m.id);
		c.slot.busy = false;
		if (m.type === 'result') c.call.resolve(m.results!);
		else {
			// The worker may not hold what it was sent (a failed load): make it reload next time.
			c.slot.loaded = { single: '', portfolio: '' };
			c.call.reject(new Error(m.message));
		}
		this.pump();
	}

	private failAll(e: Error): void {
		for (const [, c] of this.calls) c.call.reject(e);
		this.calls.clear();
		for (const w of this.queue.splice(0)) w.reject(e);
	}

	/** Stop every worker. */
	async close(): Promise<void> {
		await Promise.all(this.slots.map((s) => s.worker.terminate()));
	}
}
