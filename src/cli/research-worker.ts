/**
 * Worker thread of `npm run research --threads N`: holds one single-market and one portfolio WASM engine and
 * evaluates research row batches with the same `evaluateRowBatch` the in-process evaluator and the app's workers use.
 *
 * Messages in: `{type: 'batch', id, dataId, symbol, ohlcv?, jobId, job?, batch}` (`ohlcv` only when this worker does
 * not hold `dataId` on the row's path yet, `job` only the first time this worker sees `jobId`);
 * out: `{type: 'result', id, results}` or `{type: 'error', id, message}`.
 */
import { parentPort } from 'node:worker_threads';
import type { OhlcvColumns } from '../lib/core/types';
import { createNodeEngine, createNodePortfolioEngine } from '../lib/engine/node';
import type { WasmPortfolioEngine } from '../lib/engine/portfolio-engine';
import type { WasmEngine } from '../lib/engine/wasm-engine';
import type { TrialBatch } from '../lib/optimize';
import { evaluateRowBatch } from '../lib/research/evaluator';
import type { RowJob } from '../lib/research/types';

interface BatchMessage {
	type: 'batch';
	id: number;
	dataId: string;
	symbol: string;
	ohlcv?: OhlcvColumns;
	jobId: number;
	job?: RowJob;
	batch: TrialBatch;
}

let single: WasmEngine | null = null;
let portfolio: WasmPortfolioEngine | null = null;
let singleData = '';
let portfolioData = '';
const jobs = new Map<number, RowJob>();

parentPort!.on('message', async (m: BatchMessage) => {
	try {
		if (m.job) jobs.set(m.jobId, m.job);
		const job = jobs.get(m.jobId);
		if (!job) throw new Error(`worker has no job ${m.jobId}`);
		if (job.path === 'single') {
			single ??= await createNodeEngine();
			if (singleData !== m.dataId) {
				if (!m.ohlcv) throw new Error(`worker does not hold candles ${m.dataId}`);
				single.load(m.ohlcv);
				singleData = m.dataId;
			}
		} else {
			portfolio ??= await createNodePortfolioEngine();
			if (portfolioData !== m.dataId) {
				if (!m.ohlcv) throw new Error(`worker does not hold candles ${m.dataId}`);
				portfolio.load([{ symbol: m.symbol, ohlcv: m.ohlcv }]);
				portfolioData = m.dataId;
			}
		}
		parentPort!.postMessage({ type: 'result', id: m.id, results: evaluateRowBatch(single, portfolio, job, m.batch) });
	} catch (e) {
		parentPort!.postMessage({ type: 'error', id: m.id, message: (e as Error).message });
	}
});
