/**
 * Batch sizes chosen by cost: each batch should keep a worker busy for about `targetMs` (20–50 ms: long enough that
 * the round trip and the page's bookkeeping are a few per cent of it, short enough for smooth progress, a prompt
 * cancel and a balanced tail). The first size comes from the job's cost (bars × trials at an assumed speed); every
 * measured batch then refines the speed (an exponential average of the worker's own evaluation time per
 * bar-evaluation). The batch size never changes which trials a seeded search evaluates nor their results (the
 * planners hand out the same trials in the same order whatever the batch size; see tests/unit/optimize/batch-sizing).
 * No DOM or Node imports.
 */

/** Options of {@link BatchSizer}. */
export interface BatchSizerOptions {
	/** Bars per trial (the job's candles). */
	bars: number;
	/** Work per batch to aim for, ms. Default 30. */
	targetMs?: number;
	/** Bar-evaluations per second assumed before the first measurement. Default 100 M (a WASM worker does 100–250 M). */
	assumedRate?: number;
	/** Largest batch, trials. Default 8192. */
	maxTrials?: number;
	/** Weight of the newest measurement in the running speed estimate (0..1]. Default 0.3. */
	smoothing?: number;
}

/** Chooses the next batch size from measured batch times; see the module comment. */
export class BatchSizer {
	readonly bars: number;
	readonly targetMs: number;
	readonly maxTrials: number;
	readonly smoothing: number;
	/** Current estimate of ms per bar-evaluation. */
	#msPerBarEval: number;
	#measured = 0;

	/** @throws RangeError when `bars` < 1 or a setting is not positive. */
	constructor(o: BatchSizerOptions) {
		if (!(o.bars >= 1)) throw new RangeError(`batch sizing needs bars >= 1, got ${o.bars}`);
		this.bars = o.bars;
		this.targetMs = o.targetMs ?? 30;
		this.maxTrials = Math.max(1, Math.floor(o.maxTrials ?? 8192));
		this.smoothing = o.smoothing ?? 0.3;
		const rate = o.assumedRate ?? 100e6;
		if (!(this.targetMs > 0) || !(rate > 0) || !(this.smoothing > 0 && this.smoothing <= 1)) {
			throw new RangeError('batch sizing needs targetMs > 0, assumedRate > 0 and 0 < smoothing <= 1.');
		}
		this.#msPerBarEval = 1000 / rate;
	}

	/** Batches measured so far. */
	get measured(): number {
		return this.#measured;
	}

	/** Estimated bar-evaluations per second of one worker. */
	get rate(): number {
		return 1000 / this.#msPerBarEval;
	}

	/**
	 * Trials for the next batch.
	 * @param remaining - trials left to hand out (caps the size so the last batches spread over the workers); optional.
	 * @param inFlight - batches that can run at once (workers × queued per worker); with `remaining`, each gets a share.
	 * @returns a whole number >= 1.
	 */
	next(remaining = Infinity, inFlight = 1): number {
		let n = Math.floor(this.targetMs / (this.#msPerBarEval * this.bars));
		if (Number.isFinite(remaining) && remaining > 0) n = Math.min(n, Math.ceil(remaining / Math.max(1, inFlight)));
		return Math.max(1, Math.min(this.maxTrials, n));
	}

	/**
	 * Record a finished batch.
	 * @param trials - trials evaluated in it (those skipped by a constraint cost almost nothing and do not count).
	 * @param ms - the worker's evaluation time for it, ms. Ignored when not positive or when no trial ran.
	 */
	record(trials: number, ms: number): void {
		if (!(trials > 0) || !(ms > 0) || !Number.isFinite(ms)) return;
		const x = ms / (trials * this.bars);
		// The first measurement replaces the assumption; later ones are averaged.
		this.#msPerBarEval = this.#measured === 0 ? x : this.#msPerBarEval + this.smoothing * (x - this.#msPerBarEval);
		this.#measured++;
	}
}
