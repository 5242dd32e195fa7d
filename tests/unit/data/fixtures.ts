/** Test helpers: read the recorded Binance fixtures (tests/fixtures/**) from disk. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
export const HOUR = 3_600_000;

export function fixtureText(rel: string): string {
	return readFileSync(join(FIXTURES, rel), 'utf8');
}

export function fixtureBytes(rel: string): Uint8Array {
	return new Uint8Array(readFileSync(join(FIXTURES, rel)));
}

export function fixtureJsonGz(rel: string): unknown {
	return JSON.parse(gunzipSync(readFileSync(join(FIXTURES, rel))).toString('utf8'));
}

export const ARCHIVE_2023 = ['01', '02', '03', '04', '05'].map((m) => `BTCUSDT-1h-2023-${m}.csv`);

/** Unix ms of an ISO UTC string. */
export const ms = (iso: string): number => Date.parse(iso);

/** Text of a gzipped fixture, decompressed. */
export function fixtureGunzipText(rel: string): string {
	return gunzipSync(readFileSync(join(FIXTURES, rel))).toString('utf8');
}

/**
 * Assert two candle column sets are identical (fast on 78k-row series; on a mismatch the message names the column,
 * bar index and both values).
 */
export function expectSameOhlcv(
	actual: { [k in 'openTime' | 'open' | 'high' | 'low' | 'close' | 'volume']: Float64Array },
	expected: { [k in 'openTime' | 'open' | 'high' | 'low' | 'close' | 'volume']: Float64Array }
): void {
	for (const k of ['openTime', 'open', 'high', 'low', 'close', 'volume'] as const) {
		const a = actual[k];
		const b = expected[k];
		if (a.length !== b.length) throw new Error(`${k}: length ${a.length} != expected ${b.length}`);
		for (let i = 0; i < a.length; i++) {
			if (!Object.is(a[i], b[i])) throw new Error(`${k}[${i}] = ${a[i]} but expected ${b[i]}`);
		}
	}
}
