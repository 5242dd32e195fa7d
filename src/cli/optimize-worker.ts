/**
 * Worker thread of `npm run optimize`: loads the candles into its own WASM engine once, then evaluates trial batches
 * (index ranges) with the same `evaluateBatch` the browser workers use.
 *
 * Messages in: `{type: 'init', ohlcv, job}` then `{type: 'batch', id, batch}`; out: `{type: 'ready'}`,
 * `{type: 'result', id, packed}` (the results in typed arrays, transferred; see src/lib/optimize/packed.ts) or `{type: 'error', id, message}`.
 */
import { parentPort } from 'node:worker_threads';
import type { OhlcvColumns } from '../lib/core/types';
import { createNodeEngine } from '../lib/engine/node';
import type { WasmEngine } from '../lib/engine/wasm-engine';
import { evaluateBatch, packedBuffers, packTrials, type OptimizationJob, type TrialBatch } from '../lib/optimize';
import '../lib/rules'; // registers rule strategies (jobs with strategy 'rules')

type Incoming = { type: 'init'; ohlcv: OhlcvColumns; job: OptimizationJob } | { type: 'batch'; id: number; batch: TrialBatch };

let engine: WasmEngine | null = null;
let job: OptimizationJob | null = null;

parentPort!.on('message', async (msg: Incoming) => {
	if (msg.type === 'init') {
		try {
			engine = await createNodeEngine();
			engine.load(msg.ohlcv);
			job = msg.job;
			parentPort!.postMessage({ type: 'ready' });
		} catch (e) {
			parentPort!.postMessage({ type: 'error', id: -1, message: (e as Error).message });
		}
		return;
	}
	try {
		if (!engine || !job) throw new Error('worker received a batch before init');
		const t0 = performance.now();
		const packed = packTrials(evaluateBatch(engine, job, msg.batch));
		packed.elapsedMs = performance.now() - t0;
		parentPort!.postMessage({ type: 'result', id: msg.id, packed }, packedBuffers(packed));
	} catch (e) {
		parentPort!.postMessage({ type: 'error', id: msg.id, message: (e as Error).message });
	}
});
