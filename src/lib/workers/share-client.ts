/**
 * Browser side of share-link decoding: each link is decoded in a short-lived module Web Worker (share-worker.ts), so
 * no link, however crafted, can block the page; a decode that takes longer than {@link SHARE_DECODE_TIMEOUT_MS} is
 * stopped (the worker is terminated) and refused with a message.
 */
import * as Comlink from 'comlink';
import type { ShareDecodeResult, ShareWorkerApi } from './share-worker';

/** Longest time a link may take to decode in the worker, ms (a valid link takes about 1 ms). */
export const SHARE_DECODE_TIMEOUT_MS = 3000;

/** Decodes a link somewhere (a worker in the browser, this thread in tests). */
export type ShareDecoder = (link: string) => Promise<ShareDecodeResult>;

/** A decoder that runs each decode in a fresh Web Worker, with a timeout. */
export function workerShareDecoder(): ShareDecoder {
	return async (link) => {
		const worker = new Worker(new URL('./share-worker.ts', import.meta.url), { type: 'module', name: 'share-decode' });
		const api = Comlink.wrap<ShareWorkerApi>(worker);
		let timer: ReturnType<typeof setTimeout> | undefined;
		try {
			const timeout = new Promise<ShareDecodeResult>((resolve) => {
				timer = setTimeout(
					() =>
						resolve({
							ok: false,
							reason: 'invalid',
							message: `This share link took more than ${SHARE_DECODE_TIMEOUT_MS / 1000} s to check and was stopped. It was not opened; ask for a new link.`
						}),
					SHARE_DECODE_TIMEOUT_MS
				);
			});
			const failed = new Promise<ShareDecodeResult>((resolve) =>
				worker.addEventListener('error', (e) => {
					e.preventDefault();
					resolve({ ok: false, reason: 'invalid', message: 'This share link could not be checked (the decoder failed to start). Reload the page and open the link again.' });
				})
			);
			return await Promise.race([api.decode(link), timeout, failed]);
		} finally {
			clearTimeout(timer);
			api[Comlink.releaseProxy]?.();
			worker.terminate();
		}
	};
}
