/**
 * Analysis worker entry (a module Web Worker spawned only in the browser by analysis-client.ts): runs the trade
 * Monte Carlo methods off the page's thread. No WASM and no candles: it only needs the run's trade returns.
 */
import * as Comlink from 'comlink';
import { runTradeMonteCarlo } from '../analysis/monte-carlo';
import type { AnalysisWorkerApi } from './analysis-client';

const api: AnalysisWorkerApi = {
	async monteCarlo(sample, options) {
		return runTradeMonteCarlo(sample, options);
	}
};

Comlink.expose(api);
