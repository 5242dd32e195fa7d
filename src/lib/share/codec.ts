/**
 * Share-link token codec: a JSON document, compressed and wrapped so that a damaged, cut or
 * oversized link is recognised before anything is decompressed or parsed.
 *
 * Token format (version 1): `v1.` + base64url (RFC 4648 §5, no padding) of
 * ```
 * byte 0..3   uint32 LE  length of the compressed body in bytes
 * byte 4..11  first 8 bytes of SHA-256(body)        (integrity: one changed character is caught)
 * byte 12..   body = raw DEFLATE (RFC 1951, fflate level 9) of the UTF-8 JSON document
 * ```
 * Decoding order and limits: token length <= {@link MAX_TOKEN_CHARS} (checked first, no work is done
 * on oversized input); the prefix names a known version; base64url alphabet only; declared length
 * equal to the bytes present (shorter = truncated); checksum; inflate with an output cap of
 * {@link MAX_JSON_BYTES} (a "zip bomb" stops there); strict UTF-8; JSON. Every failure is a
 * {@link ShareLinkError} with a `reason` code and a message that says what to do. The decoder is
 * pure: it reads nothing and stores nothing.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { deflateSync, Inflate } from 'fflate';
import { AppError } from '../core/errors';

/** Longest token accepted (characters after `#`). Links this long still fit in chat apps and browsers. */
export const MAX_TOKEN_CHARS = 6000;
/** Largest decompressed JSON accepted, bytes. */
export const MAX_JSON_BYTES = 64 * 1024;
/** Current token version prefix. */
export const TOKEN_PREFIX = 'v1.';

const HEADER_BYTES = 12;
const CHECK_BYTES = 8;

/** Why a link was refused (stable codes for tests and the UI). */
export type ShareLinkReason = 'empty' | 'oversized' | 'version' | 'charset' | 'truncated' | 'extra' | 'checksum' | 'corrupt' | 'invalid';

/** A share link that cannot be used; `message` says why and what to do. */
export class ShareLinkError extends AppError {
	readonly reason: ShareLinkReason;
	constructor(reason: ShareLinkReason, message: string) {
		super(`share_${reason}`, message);
		this.reason = reason;
	}
}

const B64URL = /^[A-Za-z0-9_-]*$/;

function toBase64Url(bytes: Uint8Array): string {
	let bin = '';
	for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
	return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): Uint8Array | null {
	if (text.length % 4 === 1) return null; // no base64 string has this length
	try {
		const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
		const out = new Uint8Array(bin.length);
		for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
		return out;
	} catch {
		return null;
	}
}

function checksum(body: Uint8Array): Uint8Array {
	return sha256(body).subarray(0, CHECK_BYTES);
}

/** Inflate raw DEFLATE, refusing output beyond `limit` bytes. @returns null when the stream is corrupt or incomplete. */
function inflateCapped(body: Uint8Array, limit: number): Uint8Array | null | 'too-large' {
	const chunks: Uint8Array[] = [];
	let size = 0;
	let ended = false;
	let tooLarge = false;
	const inflate = new Inflate((chunk, final) => {
		size += chunk.length;
		if (size > limit) {
			tooLarge = true;
			throw new Error('limit');
		}
		chunks.push(chunk);
		if (final) ended = true;
	});
	try {
		inflate.push(body, true);
	} catch {
		return tooLarge ? 'too-large' : null;
	}
	if (!ended) return null;
	const out = new Uint8Array(size);
	let o = 0;
	for (const c of chunks) {
		out.set(c, o);
		o += c.length;
	}
	return out;
}

/**
 * Encode a JSON-safe document as a share token.
 * @param doc - plain data (no typed arrays, no undefined-only objects, finite numbers).
 * @returns the token (`v1.<base64url>`).
 * @throws ShareLinkError(`oversized`) when the token would exceed {@link MAX_TOKEN_CHARS}: share less (e.g. fewer trials).
 */
export function encodeShareToken(doc: unknown): string {
	const json = new TextEncoder().encode(JSON.stringify(doc));
	if (json.length > MAX_JSON_BYTES) throw new ShareLinkError('oversized', `This result is too large to share as a link (${json.length} bytes of settings; the limit is ${MAX_JSON_BYTES}).`);
	const body = deflateSync(json, { level: 9 });
	const bytes = new Uint8Array(HEADER_BYTES + body.length);
	new DataView(bytes.buffer).setUint32(0, body.length, true);
	bytes.set(checksum(body), 4);
	bytes.set(body, HEADER_BYTES);
	const token = TOKEN_PREFIX + toBase64Url(bytes);
	if (token.length > MAX_TOKEN_CHARS) {
		throw new ShareLinkError('oversized', `This result is too large to share as a link (${token.length} characters; the limit is ${MAX_TOKEN_CHARS}).`);
	}
	return token;
}

const ASK_AGAIN = 'Ask the sender for the link again, or copy it again in full.';

/**
 * Decode a share token to its JSON document (not yet validated: see schema.ts).
 * @param token - the text after `#` in a share link (surrounding whitespace is ignored).
 * @returns the parsed JSON value.
 * @throws ShareLinkError with `reason`: `empty`, `oversized`, `version`, `charset`, `truncated`,
 *   `extra`, `checksum`, `corrupt`. Never any other exception.
 */
export function decodeShareToken(token: string): unknown {
	if (typeof token !== 'string' || token.trim() === '') {
		throw new ShareLinkError('empty', 'This share link carries no result (nothing after "#"). ' + ASK_AGAIN);
	}
	const t = token.trim();
	if (t.length > MAX_TOKEN_CHARS) {
		throw new ShareLinkError('oversized', `This share link is too long (${t.length.toLocaleString('en-US')} characters; links made by this app have at most ${MAX_TOKEN_CHARS.toLocaleString('en-US')}). It was not opened. ${ASK_AGAIN}`);
	}
	const m = /^v(\d{1,6})\./.exec(t);
	if (!m) throw new ShareLinkError('version', 'This is not a Backtester share link (it should start with "#v1."). ' + ASK_AGAIN);
	if (m[0] !== TOKEN_PREFIX) {
		throw new ShareLinkError('version', `This share link has format version ${m[1]}; this app reads version 1. Open it with the version of the app that made it, or update this app (reload it).`);
	}
	const payload = t.slice(TOKEN_PREFIX.length);
	if (!B64URL.test(payload)) throw new ShareLinkError('charset', 'This share link contains characters a share link cannot contain; it was changed or mangled when copied. ' + ASK_AGAIN);
	const bytes = fromBase64Url(payload);
	if (!bytes || bytes.length < HEADER_BYTES) throw new ShareLinkError('truncated', 'This share link is cut short: part of it is missing. ' + ASK_AGAIN);
	const declared = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true);
	const body = bytes.subarray(HEADER_BYTES);
	if (body.length < declared) {
		throw new ShareLinkError('truncated', `This share link is cut short: ${declared - body.length} of ${declared} bytes are missing. ${ASK_AGAIN}`);
	}
	if (body.length > declared) throw new ShareLinkError('extra', 'This share link has extra characters at its end; it was changed when copied. ' + ASK_AGAIN);
	const expected = checksum(body);
	for (let i = 0; i < CHECK_BYTES; i++) {
		if (bytes[4 + i] !== expected[i]) throw new ShareLinkError('checksum', 'This share link is damaged: its content does not match its checksum (a character was changed). ' + ASK_AGAIN);
	}
	const json = inflateCapped(body, MAX_JSON_BYTES);
	if (json === 'too-large') throw new ShareLinkError('oversized', `This share link expands to more than ${MAX_JSON_BYTES / 1024} KiB of settings; it was not opened.`);
	if (!json) throw new ShareLinkError('corrupt', 'This share link could not be decompressed. ' + ASK_AGAIN);
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(json);
	} catch {
		throw new ShareLinkError('corrupt', 'This share link does not hold valid text. ' + ASK_AGAIN);
	}
	try {
		return JSON.parse(text) as unknown;
	} catch {
		throw new ShareLinkError('corrupt', 'This share link does not hold valid settings (bad JSON). ' + ASK_AGAIN);
	}
}

/**
 * The token of a share URL: the fragment after `#`, or the text itself when it already is a token.
 * @param input - a full URL (`https://host/app/share/#v1.…`), a fragment (`#v1.…`) or a token.
 * @returns the token (may be empty; {@link decodeShareToken} explains what is wrong).
 */
export function tokenFromLink(input: string): string {
	const s = String(input ?? '').trim();
	const i = s.indexOf('#');
	return i >= 0 ? s.slice(i + 1) : s;
}
