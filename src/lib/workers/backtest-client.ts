/**
 * Browser side of the backtest workers: spawns module Web Workers wrapped with Comlink into a
 * {@link WorkerPool} sized from `navigator.hardwareConcurrency`. Call only in the browser.
 */
import * as Comlink from 'comlink';
import type { OhlcvColumns } from '../core/types';
import { defaultPoolSize, transferableCopy, WorkerPool, type PoolJob, type WorkerFactory, type WorkerHandle } from './pool';
import type { PortfolioRunRequest, PortfolioRunResponse, PortfolioWorkerApi } from './portfolio-protocol';
import type { BacktestWorkerApi, DatasetIdentity, RunRequest, RunResponse } from './protocol';

/**
 * The whole remote API of a backtest worker: single-market runs and portfolio runs (optional in the
 * type so that in-process test workers of the single-market API still fit the pool).
 */
export type WorkerApi = BacktestWorkerApi & Partial<PortfolioWorkerApi>;

/** Spawn one backtest worker as a pool handle. */
function spawnBacktestWorker(): WorkerHandle<Comlink.Remote<WorkerApi>> {
	const worker = new Worker(new URL('./backtest-worker.ts', import.meta.url), { type: 'module', name: 'backtest' });
	const api = Comlink.wrap<WorkerApi>(worker);
	return {
		api,
		terminate: () => {
			api[Comlink.releaseProxy]?.();
			worker.terminate();
		},
		onError: (listener) => {
			worker.addEventListener('error', (e: ErrorEvent) => {
				e.preventDefault();
				listener(e.message || 'the worker script failed to load or raised an uncaught error');
			});
			worker.addEventListener('messageerror', () => listener('a message from the worker could not be read'));
		}
	};
}

/** The pool of backtest workers of this page. */
export class BacktestClient {
	readonly pool: WorkerPool<Comlink.Remote<WorkerApi>>;

	/**
	 * @param size - number of workers (default from `navigator.hardwareConcurrency`, see {@link defaultPoolSize}).
	 * @param timeoutMs - per-run timeout in ms (default 120 s).
	 * @param factory - spawns one worker (default: a module Web Worker running backtest-worker.ts; tests pass in-process ones).
	 */
	constructor(
		size = defaultPoolSize(globalThis.navigator?.hardwareConcurrency),
		timeoutMs = 120_000,
		factory: WorkerFactory<Comlink.Remote<WorkerApi>> = spawnBacktestWorker
	) {
		this.pool = new WorkerPool({ factory, size, timeoutMs });
	}

	/**
	 * Queue one backtest.
	 * @param id - run id (also the job id, to cancel it).
	 * @param dataset - candles and their dataset id (copied to a worker only when it holds another dataset).
	 * @param request - configuration and options; `request.datasetId` must equal `dataset.id`.
	 * @param onStart - called when a worker starts the run.
	 */
	run(id: string, dataset: { id: string; ohlcv: OhlcvColumns }, request: RunRequest, onStart?: () => void, timeoutMs?: number): PoolJob<RunResponse> {
		return this.pool.submit({ id, dataset, run: (api) => api.run(request) as Promise<RunResponse>, onStart, timeoutMs });
	}

	/**
	 * Engine version of the workers and the SHA-256 of a dataset's candles, as run fingerprints record them.
	 * @param dataset - candles and their dataset id (loaded into a worker when needed).
	 */
	identity(dataset: { id: string; ohlcv: OhlcvColumns }): Promise<DatasetIdentity> {
		return this.pool.submit({ dataset, run: (api) => api.identity(dataset.id) as Promise<DatasetIdentity> }).promise;
	}

	/**
	 * Queue one portfolio run. The markets' candles are copied and the copies transferred to the worker
	 * (the caller keeps its own arrays).
	 * @param id - run id (also the job id, to cancel it).
	 * @param request - markets in priority order, configuration, interval.
	 * @param onStart - called when a worker starts the run.
	 * @param timeoutMs - overrides the pool's per-job timeout.
	 */
	runPortfolio(id: string, request: PortfolioRunRequest, onStart?: () => void, timeoutMs?: number): PoolJob<PortfolioRunResponse> {
		return this.pool.submit({
			id,
			run: (api) => {
				const markets = request.markets.map((m) => ({ ...m, ohlcv: transferableCopy(m.ohlcv) }));
				const buffers = markets.flatMap((m) => [m.ohlcv.openTime, m.ohlcv.open, m.ohlcv.high, m.ohlcv.low, m.ohlcv.close, m.ohlcv.volume].map((c) => c.buffer as ArrayBuffer));
				return (api as unknown as Comlink.Remote<PortfolioWorkerApi>).runPortfolio(Comlink.transfer({ ...request, markets }, buffers)) as Promise<PortfolioRunResponse>;
			},
			onStart,
			timeoutMs
		});
	}

	/** Stop every worker (page teardown). */
	dispose(): void {
		this.pool.dispose();
	}
}
