/**
 * Browser side of the scanner worker: one module Web Worker wrapped with Comlink, fitting markets one call each
 * (the candles are transferred, not copied). Falls back to fitting on the page's thread where Workers are
 * unavailable. Call only in the browser.
 */
import * as Comlink from 'comlink';
import { scanMarket, type BandRowWithBands, type ScanMarketInput, type ScanSettings } from '../analysis/bands';
import type { ScanWorkerApi } from './scan-worker';

/** Fits markets in a worker. */
export class ScanFitClient {
	#worker: Worker | null = null;
	#api: Comlink.Remote<ScanWorkerApi> | null = null;

	/** Whether fits run in a worker (false: in the page, when Workers are not available). */
	get inWorker(): boolean {
		return typeof Worker !== 'undefined';
	}

	/**
	 * Fit one market.
	 * @param input - symbol, open times and closes (copied into transferable arrays).
	 * @returns the band row with the fitted arrays.
	 */
	fit = async (input: ScanMarketInput, settings: ScanSettings): Promise<BandRowWithBands> => {
		if (!this.inWorker) return scanMarket(input, settings);
		if (!this.#api) {
			this.#worker = new Worker(new URL('./scan-worker.ts', import.meta.url), { type: 'module', name: 'scan' });
			this.#api = Comlink.wrap<ScanWorkerApi>(this.#worker);
		}
		const openTime = Float64Array.from(input.openTime);
		const close = Float64Array.from(input.close);
		return (await this.#api.fit(Comlink.transfer({ symbol: input.symbol, openTime, close }, [openTime.buffer, close.buffer]), settings)) as BandRowWithBands;
	};

	/** Stop the worker. */
	dispose(): void {
		this.#api?.[Comlink.releaseProxy]?.();
		this.#worker?.terminate();
		this.#worker = null;
		this.#api = null;
	}
}
