/**
 * Scanner worker entry (a module Web Worker, spawned only in the browser by scan-client.ts): fits the polynomial
 * bands of one market per call (analysis/bands.ts `scanMarket`), off the page's thread.
 */
import * as Comlink from 'comlink';
import { scanMarket, type BandRowWithBands, type ScanMarketInput, type ScanSettings } from '../analysis/bands';

/** The API the scanner worker exposes. */
export interface ScanWorkerApi {
	/** Fit one market; the band arrays of the result are transferred back. */
	fit(input: ScanMarketInput, settings: ScanSettings): BandRowWithBands;
}

const api: ScanWorkerApi = {
	fit(input, settings) {
		const row = scanMarket(input, settings);
		const b = row.bands;
		return b ? Comlink.transfer(row, [b.openTime.buffer, b.close.buffer, b.fit.buffer, b.upper.buffer, b.lower.buffer] as ArrayBuffer[]) : row;
	}
};

Comlink.expose(api);
