/**
 * Backtest worker entry (a module Web Worker, spawned only in the browser by backtest-client.ts):
 * compiles the WASM core once and exposes {@link createBacktestService} with Comlink.
 */
import * as Comlink from 'comlink';
import wasmUrl from '../../../assembly/build/release.wasm?url';
import { WasmEngine } from '../engine/wasm-engine';
import { createBacktestService } from './backtest-service';

let enginePromise: Promise<WasmEngine> | null = null;

/** The engine of this worker, compiled on first use (a failed load is retried on the next call). */
function engine(): Promise<WasmEngine> {
	enginePromise ??= (async () => {
		const response = await fetch(wasmUrl);
		if (!response.ok) throw new Error(`Could not load the simulation core (${wasmUrl}: HTTP ${response.status}). Reload the page.`);
		const module = await WebAssembly.compileStreaming(response).catch(async () =>
			// Some static hosts serve .wasm without application/wasm; compile from the bytes then.
			WebAssembly.compile(await (await fetch(wasmUrl)).arrayBuffer())
		);
		return WasmEngine.create(module);
	})();
	enginePromise.catch(() => (enginePromise = null));
	return enginePromise;
}

Comlink.expose(createBacktestService(engine));
