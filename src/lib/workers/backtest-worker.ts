/**
 * Backtest worker entry (a module Web Worker, spawned only in the browser by backtest-client.ts):
 * compiles the WASM core once and exposes {@link createBacktestService} with Comlink.
 */
import * as Comlink from 'comlink';
import wasmUrl from '../../../assembly/build/release.wasm?url';
import { engineBuildId } from '../engine/fingerprint';
import { WasmEngine } from '../engine/wasm-engine';
import { createBacktestService } from './backtest-service';

let enginePromise: Promise<WasmEngine> | null = null;

/** The engine of this worker, compiled on first use (a failed load is retried on the next call). */
function engine(): Promise<WasmEngine> {
	enginePromise ??= (async () => {
		const response = await fetch(wasmUrl);
		if (!response.ok) throw new Error(`Could not load the simulation core (${wasmUrl}: HTTP ${response.status}). Reload the page.`);
		// Bytes first (not compileStreaming): their hash is the engine build id recorded in run fingerprints.
		const bytes = new Uint8Array(await response.arrayBuffer());
		return WasmEngine.create(await WebAssembly.compile(bytes), { buildId: engineBuildId(bytes) });
	})();
	enginePromise.catch(() => (enginePromise = null));
	return enginePromise;
}

Comlink.expose(createBacktestService(engine));
