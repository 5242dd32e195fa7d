/**
 * Share links: a versioned, compressed, checksummed token in the URL fragment that carries a run's
 * or an optimisation's inputs and what the sender got (see codec.ts, schema.ts, links.ts).
 */
import { decodeShareToken, tokenFromLink } from './codec';
import { parseSharePayload, type SharePayload } from './schema';

export * from './codec';
export * from './schema';
export * from './links';
export * from './workload';

/**
 * Decode and validate a share link.
 * @param link - a full share URL, its fragment, or the bare token.
 * @returns the validated payload.
 * @throws ShareLinkError (and nothing else) when the link is empty, oversized, damaged, cut, of an unknown version or holds unusable settings.
 */
export function readShareLink(link: string): SharePayload {
	return parseSharePayload(decodeShareToken(tokenFromLink(link)));
}
