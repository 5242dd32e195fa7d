/**
 * Share-link decoder worker (a module Web Worker, spawned by share-client.ts): decodes and validates a link off the
 * page's thread. Returns a plain result (not a thrown error) so that the refusal's `reason` crosses the worker
 * boundary intact.
 */
import * as Comlink from 'comlink';
import { readShareLink, ShareLinkError, type ShareLinkReason, type SharePayload } from '../share';

/** Outcome of decoding a link in the worker. */
export type ShareDecodeResult = { ok: true; payload: SharePayload } | { ok: false; reason: ShareLinkReason; message: string };

/** What the share worker exposes. */
export interface ShareWorkerApi {
	/** Decode and validate a share link (see `readShareLink`); never throws. */
	decode(link: string): ShareDecodeResult;
}

/** Decode on this thread (the worker's body, and the fallback where workers are not available). */
export function decodeShareResult(link: string): ShareDecodeResult {
	try {
		return { ok: true, payload: readShareLink(link) };
	} catch (e) {
		return e instanceof ShareLinkError
			? { ok: false, reason: e.reason, message: e.message }
			: { ok: false, reason: 'invalid', message: 'This share link could not be read. Ask the sender for the link again.' };
	}
}

if (typeof self !== 'undefined' && typeof (self as { importScripts?: unknown }).importScripts === 'function') {
	Comlink.expose({ decode: decodeShareResult } satisfies ShareWorkerApi);
}
