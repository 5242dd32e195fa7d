/**
 * Import worker entry (a module Web Worker, spawned by import-client.ts): reads kline CSV/ZIP files off the page's
 * thread with {@link importKlineFiles} and sends the merged columns back as transferables.
 */
import * as Comlink from 'comlink';
import { importKlineFiles, type ImportKlineFilesOptions, type ImportKlineFilesResult, type KlineFile } from '../data/archive-import';

/** What the import worker exposes. */
export interface ImportWorkerApi {
	/**
	 * Run {@link importKlineFiles} on the given files.
	 * @param files - names and bytes (transferred in).
	 * @param opts - forced interval (ms) and limits.
	 * @param onProgress - Comlink proxy called after each file.
	 * @returns the import result; its candle columns are transferred out.
	 */
	importFiles(
		files: KlineFile[],
		opts: Pick<ImportKlineFilesOptions, 'intervalMs' | 'limits'>,
		onProgress?: (p: { done: number; total: number; name: string }) => void
	): ImportKlineFilesResult;
}

const api: ImportWorkerApi = {
	importFiles(files, opts, onProgress) {
		const result = importKlineFiles(files, { ...opts, onProgress: onProgress ? (p) => void onProgress(p) : undefined });
		const o = result.ohlcv;
		return Comlink.transfer(result, [o.openTime.buffer, o.open.buffer, o.high.buffer, o.low.buffer, o.close.buffer, o.volume.buffer] as ArrayBuffer[]);
	}
};

Comlink.expose(api);
