/**
 * State of the share page: read a share link strictly, get the exact candles it names (stored, or
 * fetched from Binance), reproduce the run or the optimisation in the worker pool, and verify the
 * outcome against what the sender got.
 *
 * A link that fails to decode or validate stops at {@link ShareState.error}: nothing is fetched,
 * stored or run. Decoding never scans a search space (see share/workload.ts), so it is fast for any
 * link. A valid link that asks for more than `CONFIRM_TRIALS` backtests or `CONFIRM_BARS` candles
 * waits in phase `confirm` until {@link ShareState.confirm}; every job (loading candles, running)
 * can be stopped with {@link ShareState.cancel}. A valid run link reproduces through the normal run path, so the reproduced run is
 * kept in this browser's history like any other run.
 */
import type { Timeframe } from '../core/types';
import { type BacktestConfig } from '../engine/types';
import { dataSpanMs, runOptimization, type OptimizationJob, type TrialBatch, type TrialResult } from '../optimize';
import {
	linkWorkload,
	type LinkWorkload,
	sharedTrials,
	verifyOptimisation,
	verifyRun,
	type ShareLinkReason,
	type SharePayload,
	type SharedTrial,
	type Verification
} from '../share';
import type { DatasetIdentity } from '../workers/protocol';
import type { ShareDecoder } from '../workers/share-client';
import { decodeShareResult } from '../workers/share-worker';
import type { Dataset } from './market.svelte';
import type { Run } from './runs.svelte';

/** What the share page needs from the app (the real app passes its market, runs and pool; tests pass fakes). */
export interface ShareDeps {
	/** Load the exact range (see MarketState.openRange); null with a reason in `loadError()` when impossible. */
	openRange(m: { symbol: string; interval: Timeframe; firstOpenTime: number; lastOpenTime: number; bars: number }): Promise<Dataset | null>;
	/** Why {@link openRange} returned null or fewer candles. */
	loadError(): string | null;
	/** Submit a run (RunsState.submit) and wait for its end (RunsState.settled). */
	submitRun(config: BacktestConfig, dataset: Dataset): Promise<string>;
	settled(id: string): Promise<Run | undefined>;
	/** Engine version and candle hash in a worker. */
	identity(dataset: Dataset): Promise<DatasetIdentity>;
	/** Evaluate an optimisation batch in the pool. */
	evaluate(dataset: Dataset, job: OptimizationJob, batch: TrialBatch): Promise<TrialResult[]>;
	/** Batches in flight at once. */
	concurrency: number;
	/** Stop loading candles (MarketState.cancelSync); optional. */
	cancelLoad?(): void;
	/** Decode a link off the page's thread (workerShareDecoder in the browser); default: this thread. */
	decode?: ShareDecoder;
}

/** Phases of opening a link. */
export type SharePhase = 'idle' | 'invalid' | 'confirm' | 'loading-data' | 'running' | 'done' | 'failed' | 'cancelled';

/** Rune-backed share page state; see the module comment. */
export class ShareState {
	phase = $state<SharePhase>('idle');
	/** The validated link (null until valid). */
	payload = $state.raw<SharePayload | null>(null);
	/** Why the link was refused (phase `invalid`). */
	error = $state<string | null>(null);
	reason = $state<ShareLinkReason | null>(null);
	/** Why the reproduction could not run (phase `failed`). */
	failure = $state<string | null>(null);
	/** Id of the reproduced run (run links). */
	runId = $state<string | null>(null);
	/** Reproduced best trials and trials evaluated (optimisation links). */
	optimisation = $state.raw<{ best: SharedTrial[]; evaluated: number; top: TrialResult[] } | null>(null);
	progress = $state.raw<{ completed: number; total: number } | null>(null);
	verification = $state.raw<Verification | null>(null);
	/** Work the link asks for (set once the link is valid). */
	workload = $state.raw<LinkWorkload | null>(null);
	readonly #deps: ShareDeps;
	#opened = 0;
	#abort: AbortController | null = null;

	/** @param deps - see {@link ShareDeps}. */
	constructor(deps: ShareDeps) {
		this.#deps = deps;
	}

	/**
	 * Open a share link: validate, load candles, reproduce, verify. Never throws; the outcome is in the fields.
	 * @param link - the page URL (or fragment / token).
	 * @param opts - `confirmed`: start even above the confirmation thresholds (otherwise such a link waits in
	 *   phase `confirm`).
	 */
	async open(link: string, opts: { confirmed?: boolean } = {}): Promise<void> {
		const ticket = ++this.#opened;
		this.#abort?.abort();
		this.phase = 'idle';
		this.payload = null;
		this.workload = null;
		this.error = this.failure = this.runId = null;
		this.reason = null;
		this.optimisation = this.progress = this.verification = null;
		const decoded = await (this.#deps.decode ?? (async (l: string) => decodeShareResult(l)))(link);
		if (ticket !== this.#opened) return;
		if (!decoded.ok) {
			this.phase = 'invalid';
			this.reason = decoded.reason;
			this.error = decoded.message;
			return;
		}
		const payload = decoded.payload;
		this.payload = payload;
		let workload: LinkWorkload;
		try {
			workload = linkWorkload(payload);
		} catch (e) {
			this.phase = 'invalid';
			this.reason = 'invalid';
			this.error = `This share link holds settings this app cannot use (${(e as Error).message}). It was not opened; ask for a new link.`;
			this.payload = null;
			return;
		}
		this.workload = workload;
		if (workload.needsConfirmation && !opts.confirmed) {
			this.phase = 'confirm';
			return;
		}
		await this.#start(payload, ticket);
	}

	/** Start the work of a link waiting in phase `confirm`. */
	async confirm(): Promise<void> {
		if (this.phase !== 'confirm' || !this.payload) return;
		await this.#start(this.payload, this.#opened);
	}

	/** Stop what the link started (or decline it in phase `confirm`): loading candles and running stop; stored candles are kept. */
	cancel(): void {
		if (this.phase === 'confirm' || this.phase === 'loading-data' || this.phase === 'running') {
			this.#opened++;
			this.#abort?.abort();
			this.#deps.cancelLoad?.();
			this.phase = 'cancelled';
		}
	}

	async #start(payload: SharePayload, ticket: number): Promise<void> {
		const current = () => ticket === this.#opened;
		const abort = (this.#abort = new AbortController());
		try {
			this.phase = 'loading-data';
			const dataset = await this.#deps.openRange(payload.market);
			if (!current()) return;
			if (!dataset) {
				this.phase = 'failed';
				this.failure = `The candles of this result are not available: ${this.#deps.loadError() ?? 'no candles in the range.'}`;
				return;
			}
			this.phase = 'running';
			if (payload.kind === 'run') {
				const id = await this.#deps.submitRun(payload.config, dataset);
				this.runId = id;
				const run = await this.#deps.settled(id);
				if (!current()) return;
				if (!run || run.status !== 'completed' || !run.result?.fingerprint) {
					this.phase = 'failed';
					this.failure = `The run could not be reproduced: ${run?.error ?? 'it was deleted before it finished.'}`;
					return;
				}
				this.verification = verifyRun(payload, {
					fingerprint: run.result.fingerprint,
					metrics: run.result.metrics,
					bars: run.market.bars,
					firstOpenTime: run.market.firstOpenTime,
					lastOpenTime: run.market.lastOpenTime
				});
			} else {
				const identity = await this.#deps.identity(dataset);
				const o = dataset.ohlcv.openTime;
				const job: OptimizationJob = { ...payload.job, data: { bars: o.length, spanMs: dataSpanMs(o, dataset.intervalMs) } };
				const outcome = await runOptimization({
					job,
					method: payload.method,
					concurrency: this.#deps.concurrency,
					signal: abort.signal,
					evaluate: (batch) => this.#deps.evaluate(dataset, job, batch),
					onProgress: (p) => current() && (this.progress = { completed: p.completed, total: p.total })
				});
				if (!current() || outcome.status === 'cancelled') return;
				const best = sharedTrials(outcome.top, job.objective.key);
				this.optimisation = { best, evaluated: outcome.state.evaluated, top: outcome.top };
				this.verification = verifyOptimisation(payload, {
					...identity,
					bars: o.length,
					firstOpenTime: o[0],
					lastOpenTime: o[o.length - 1],
					evaluated: outcome.state.evaluated,
					best
				});
			}
			this.phase = 'done';
		} catch (e) {
			if (!current()) return;
			this.phase = 'failed';
			this.failure = `The result could not be reproduced: ${(e as Error).message}`;
		}
	}
}
