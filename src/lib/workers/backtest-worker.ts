/**
 * Backtest worker entry (a module Web Worker, spawned only in the browser by backtest-client.ts):
 * compiles the WASM core once and exposes {@link createBacktestService} (single markets) and
 * {@link createPortfolioService} (portfolios, on their own core instance) with Comlink.
 */
import * as Comlink from 'comlink';
import wasmUrl from '../../../assembly/build/release.wasm?url';
import { engineBuildId, engineVersionOf } from '../engine/fingerprint';
import { WasmPortfolioEngine } from '../engine/portfolio-engine';
import { WasmEngine } from '../engine/wasm-engine';
import { createBacktestService } from './backtest-service';
import { createPortfolioService, type PortfolioEngineLike } from './portfolio-service';
import { createResearchService } from './research-service';

let compiled: Promise<{ module: WebAssembly.Module; buildId: string }> | null = null;
let enginePromise: Promise<WasmEngine> | null = null;
let portfolioPromise: Promise<{ engine: PortfolioEngineLike; version: string }> | null = null;

/** The compiled core and its build id, fetched once (a failed load is retried on the next call). */
function core(): Promise<{ module: WebAssembly.Module; buildId: string }> {
	compiled ??= (async () => {
		const response = await fetch(wasmUrl);
		if (!response.ok) throw new Error(`Could not load the simulation core (${wasmUrl}: HTTP ${response.status}). Reload the page.`);
		// Bytes first (not compileStreaming): their hash is the engine build id recorded in run fingerprints.
		const bytes = new Uint8Array(await response.arrayBuffer());
		return { module: await WebAssembly.compile(bytes), buildId: engineBuildId(bytes) };
	})();
	compiled.catch(() => (compiled = null));
	return compiled;
}

/** The single-market engine of this worker, instantiated on first use. */
function engine(): Promise<WasmEngine> {
	enginePromise ??= core().then(({ module, buildId }) => WasmEngine.create(module, { buildId }));
	enginePromise.catch(() => (enginePromise = null));
	return enginePromise;
}

/** The portfolio engine of this worker (its own core instance), instantiated on first use. */
function portfolioEngine(): Promise<{ engine: PortfolioEngineLike; version: string }> {
	portfolioPromise ??= core().then(async ({ module, buildId }) => ({
		engine: await WasmPortfolioEngine.create(module, { buildId }),
		version: engineVersionOf(buildId)
	}));
	portfolioPromise.catch(() => (portfolioPromise = null));
	return portfolioPromise;
}

Comlink.expose({
	...createBacktestService(engine),
	...createPortfolioService(portfolioEngine),
	// Research rows on the portfolio-of-one path, on their own core instance.
	...createResearchService(() => core().then(({ module, buildId }) => WasmPortfolioEngine.create(module, { buildId })))
});
