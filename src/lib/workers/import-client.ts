/**
 * Browser side of kline imports: each import runs in its own module Web Worker (import-worker.ts) so the page stays
 * responsive on large or hostile files; cancelling terminates the worker at once, whatever it is doing.
 */
import * as Comlink from 'comlink';
import type { ImportKlineFilesOptions, ImportKlineFilesResult, KlineFile } from '../data/archive-import';
import type { ImportWorkerApi } from './import-worker';

/** Runs an import somewhere (a worker in the browser, the page's thread in tests). */
export type KlineImporter = (
	files: KlineFile[],
	opts: Pick<ImportKlineFilesOptions, 'intervalMs' | 'limits' | 'onProgress'> & { signal?: AbortSignal }
) => Promise<ImportKlineFilesResult>;

/**
 * An importer that runs every import in a fresh Web Worker.
 * @returns the importer; it rejects with an `AbortError` DOMException when `signal` aborts (the worker is terminated),
 *   with an Error named `KlineImportError` carrying the worker's message when the files cannot be imported, and with an
 *   Error when the worker itself fails (e.g. out of memory).
 */
export function workerImporter(): KlineImporter {
	return async (files, opts) => {
		opts.signal?.throwIfAborted();
		const worker = new Worker(new URL('./import-worker.ts', import.meta.url), { type: 'module', name: 'import' });
		const api = Comlink.wrap<ImportWorkerApi>(worker);
		let onAbort: (() => void) | undefined;
		try {
			const aborted = new Promise<never>((_, reject) => {
				onAbort = () => reject(new DOMException('The import was cancelled.', 'AbortError'));
				opts.signal?.addEventListener('abort', onAbort, { once: true });
			});
			const crashed = new Promise<never>((_, reject) => {
				worker.addEventListener('error', (e: ErrorEvent) => {
					e.preventDefault();
					reject(new Error(`The import worker failed (${e.message || 'it could not start or ran out of memory'}). Import fewer files at a time.`));
				});
			});
			// Copies of the bytes are transferred to the worker (the caller keeps its own).
			const copies = files.map((f) => ({ name: f.name, data: f.data.slice() }));
			// Comlink re-creates a thrown error with its name and message (e.g. KlineImportError, listing each file's problem).
			const work = api.importFiles(
				Comlink.transfer(copies, copies.map((c) => c.data.buffer as ArrayBuffer)),
				{ intervalMs: opts.intervalMs, limits: opts.limits },
				opts.onProgress ? Comlink.proxy(opts.onProgress) : undefined
			);
			return await Promise.race([work, aborted, crashed]);
		} finally {
			if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
			api[Comlink.releaseProxy]?.();
			worker.terminate();
		}
	};
}
