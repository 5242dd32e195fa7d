/**
 * Browser side of the analysis worker: one module Web Worker, spawned on first use, that runs the trade Monte Carlo
 * methods (shuffle, bootstrap, win-rate) so the page stays responsive. Cancelling terminates the worker (the next
 * call spawns a fresh one). Call only in the browser.
 */
import * as Comlink from 'comlink';
import type { MonteCarloResult, TradeMonteCarloOptions, TradeSample } from '../analysis/monte-carlo';

/** What the analysis worker exposes. */
export interface AnalysisWorkerApi {
	/** {@link runTradeMonteCarlo} in the worker (options without the `onPath` hook, which cannot cross threads). */
	monteCarlo(sample: TradeSample, options: Omit<TradeMonteCarloOptions, 'onPath'>): Promise<MonteCarloResult>;
}

/** Spawns the analysis worker on demand. */
export class AnalysisClient {
	#worker: Worker | null = null;
	#api: Comlink.Remote<AnalysisWorkerApi> | null = null;
	#reject: ((e: Error) => void) | null = null;

	#ensure(): Comlink.Remote<AnalysisWorkerApi> {
		if (!this.#api) {
			const worker = new Worker(new URL('./analysis-worker.ts', import.meta.url), { type: 'module', name: 'analysis' });
			worker.addEventListener('error', (e: ErrorEvent) => {
				e.preventDefault();
				this.#fail(new Error(`The analysis worker failed: ${e.message || 'it could not load or raised an uncaught error'}. Try again.`));
			});
			this.#worker = worker;
			this.#api = Comlink.wrap<AnalysisWorkerApi>(worker);
		}
		return this.#api;
	}

	#fail(err: Error): void {
		const reject = this.#reject;
		this.#stop();
		reject?.(err);
	}

	#stop(): void {
		this.#api?.[Comlink.releaseProxy]?.();
		this.#worker?.terminate();
		this.#worker = null;
		this.#api = null;
		this.#reject = null;
	}

	/**
	 * Run a trade Monte Carlo in the worker.
	 * @throws ValidationError message from the analysis (bad options, too few trades); an Error when cancelled.
	 */
	monteCarlo(sample: TradeSample, options: Omit<TradeMonteCarloOptions, 'onPath'>): Promise<MonteCarloResult> {
		const api = this.#ensure();
		return new Promise<MonteCarloResult>((resolve, reject) => {
			this.#reject = reject;
			api.monteCarlo(Comlink.transfer(sample, []), options).then(
				(r) => {
					this.#reject = null;
					resolve(r);
				},
				(e: unknown) => {
					this.#reject = null;
					reject(e instanceof Error ? e : new Error(String(e)));
				}
			);
		});
	}

	/** Stop the computation in progress (its promise rejects with "cancelled"). */
	cancel(): void {
		this.#fail(new Error('Monte Carlo cancelled.'));
	}

	/** Terminate the worker (page teardown). */
	dispose(): void {
		this.#stop();
	}
}
