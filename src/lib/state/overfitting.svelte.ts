/**
 * State of the overfitting card of a finished optimisation: asks a worker to re-run the job's best trials (daily
 * returns) and the best trial's neighbours on the job's candles, then computes PSR, DSR, PBO and the plateau score
 * (src/lib/optimize/overfitting.ts). The report is kept per job (recomputed only for another job).
 */
import type { Remote } from 'comlink';
import type { OverfittingReport } from '../analysis/overfitting';
import { optimizationOverfitting, overfittingRequest, preparedJob, type OverfittingEvidence } from '../optimize';
import type { WorkerPool } from '../workers/pool';
import type { BacktestWorkerApi } from '../workers/protocol';
import type { Dataset } from './market.svelte';
import type { OptimisationJobRecord } from './optimize.svelte';

/** Rune state of the overfitting card. */
export class OverfittingState {
	report = $state.raw<OverfittingReport | null>(null);
	busy = $state(false);
	error = $state<string | null>(null);
	/** Job id (and its last update) the report or error belongs to. */
	key = $state<string | null>(null);

	/**
	 * Compute the statistics of a finished job (no-op when already computed for it or running).
	 * @param job - the stored optimisation (status `done`).
	 * @param dataset - the page's loaded candles; must be the job's.
	 * @param pool - the backtest worker pool.
	 */
	async compute(job: OptimisationJobRecord, dataset: Dataset | null, pool: WorkerPool<Remote<BacktestWorkerApi>> | null): Promise<void> {
		const key = `${job.id}|${job.updatedAt}`;
		if (this.busy || this.key === key || job.status !== 'done') return;
		this.key = key;
		this.report = null;
		this.error = null;
		if (!job.state?.moments) {
			this.error = 'This optimisation was saved before the overfitting statistics existed: run it again to get them.';
			return;
		}
		if (job.state.topK.length === 0) {
			this.error = 'No trial was ranked (too few trades everywhere?): there is no best trial to judge.';
			return;
		}
		if (!pool) {
			this.key = null;
			this.error = 'The workers are still starting.';
			return;
		}
		if (!dataset || dataset.id !== job.market.datasetId) {
			this.key = null;
			this.error = `The overfitting statistics re-run the best trials on the optimisation's candles: select ${job.market.symbol} ${job.market.interval} over the same range.`;
			return;
		}
		this.busy = true;
		try {
			const request = overfittingRequest(preparedJob(job.state.job).space, job.state.topK);
			const evidence = (await pool.submit({
				dataset: { id: dataset.id, ohlcv: dataset.ohlcv },
				timeoutMs: 300_000,
				run: (api) => api.overfittingEvidence({ datasetId: dataset.id, job: job.state.job, request, intervalMs: dataset.intervalMs }) as Promise<OverfittingEvidence>
			}).promise) as OverfittingEvidence;
			if (this.key === key) this.report = optimizationOverfitting(job.state, job.state.topK, evidence);
		} catch (e) {
			if (this.key === key) this.error = (e as Error).message;
		} finally {
			this.busy = false;
		}
	}
}
