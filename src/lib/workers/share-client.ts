/**
 * Browser side of share-link decoding: links are decoded in a module Web Worker (share-worker.ts), so no link,
 * however crafted, can block the page. The worker is started when the decoder is created (the share page opens), so
 * a link is answered without waiting for a worker to load; a decode that takes longer than
 * {@link SHARE_DECODE_TIMEOUT_MS} is stopped (the worker is terminated, a fresh one serves the next link) and refused
 * with a message.
 */
import * as Comlink from 'comlink';
import type { ShareDecodeResult, ShareWorkerApi } from './share-worker';

/** Longest time a link may take to decode in the worker, ms (a valid link takes about 1 ms). */
export const SHARE_DECODE_TIMEOUT_MS = 3000;

/** Decodes a link somewhere (a worker in the browser, this thread in tests). */
export type ShareDecoder = (link: string) => Promise<ShareDecodeResult>;

interface Spawned {
	worker: Worker;
	api: Comlink.Remote<ShareWorkerApi>;
	failed: Promise<ShareDecodeResult>;
}

function spawn(): Spawned {
	const worker = new Worker(new URL('./share-worker.ts', import.meta.url), { type: 'module', name: 'share-decode' });
	const failed = new Promise<ShareDecodeResult>((resolve) =>
		worker.addEventListener('error', (e) => {
			e.preventDefault();
			resolve({ ok: false, reason: 'invalid', message: 'This share link could not be checked (the decoder failed to start). Reload the page and open the link again.' });
		})
	);
	return { worker, api: Comlink.wrap<ShareWorkerApi>(worker), failed };
}

/** A decoder backed by one Web Worker (started now), replaced after a timeout or a failure. */
export function workerShareDecoder(): ShareDecoder {
	let current: Spawned | null = spawn();
	const retire = (s: Spawned) => {
		s.api[Comlink.releaseProxy]?.();
		s.worker.terminate();
		if (current === s) current = null;
	};
	return async (link) => {
		const s = (current ??= spawn());
		let timer: ReturnType<typeof setTimeout> | undefined;
		const timeout = new Promise<ShareDecodeResult>((resolve) => {
			timer = setTimeout(() => {
				retire(s);
				resolve({
					ok: false,
					reason: 'invalid',
					message: `This share link took more than ${SHARE_DECODE_TIMEOUT_MS / 1000} s to check and was stopped. It was not opened; ask for a new link.`
				});
			}, SHARE_DECODE_TIMEOUT_MS);
		});
		try {
			const r = await Promise.race([s.api.decode(link), timeout, s.failed]);
			if (!r.ok && r.message.includes('decoder failed to start')) retire(s);
			return r;
		} finally {
			clearTimeout(timer);
		}
	};
}
