/** Real runs and share documents for the share-link tests (WASM engine on the reference BTCUSDT 1h window). */
import { sha256 } from '@noble/hashes/sha2.js';
import { deflateSync } from 'fflate';
import { timeframeMs } from '../../../src/lib/core/timeframe';
import { candleDataHash, fingerprintRun } from '../../../src/lib/engine/fingerprint';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import type { BacktestConfig } from '../../../src/lib/engine/types';
import { computeMetrics } from '../../../src/lib/metrics';
import { runSharePayload } from '../../../src/lib/share';
import type { RunSharePayload } from '../../../src/lib/share';
import { referenceWindow } from '../helpers/fixtures';

export const SHARE_CONFIG: BacktestConfig = {
	...defaultConfig('rsi-mean-reversion'),
	direction: 'long-short',
	stopLoss: { mode: 'fraction', value: 0.04 },
	slippageRate: 0.0005
};

/** A real run of {@link SHARE_CONFIG} on the reference window, as the app stores it, and its share document. */
export async function realRunShare(config: BacktestConfig = SHARE_CONFIG): Promise<{ payload: RunSharePayload; metrics: Record<string, number> }> {
	const ohlcv = referenceWindow('BTCUSDT');
	const engine = await createNodeEngine();
	engine.load(ohlcv);
	const r = engine.run(config);
	const equity = Float64Array.from(r.equity);
	const metrics = computeMetrics({
		openTime: ohlcv.openTime,
		close: ohlcv.close,
		equity,
		trades: r.trades,
		initialCash: config.initialCash,
		intervalMs: timeframeMs('1h'),
		ambiguousBars: r.ambiguousBars
	}) as unknown as Record<string, number>;
	const fingerprint = fingerprintRun({ engineVersion: engine.version, symbol: 'BTCUSDT', interval: '1h', dataHash: candleDataHash(ohlcv), config, trades: r.trades });
	const n = ohlcv.openTime.length;
	const market = { symbol: 'BTCUSDT', interval: '1h', firstOpenTime: ohlcv.openTime[0], lastOpenTime: ohlcv.openTime[n - 1], bars: n };
	return { payload: runSharePayload({ config, market, result: { fingerprint, metrics } }, Date.UTC(2026, 10, 21)), metrics };
}

/** A token with a valid header and checksum around arbitrary bytes (what a hostile sender could craft). */
export function craftToken(json: string | Uint8Array): string {
	const body = deflateSync(typeof json === 'string' ? new TextEncoder().encode(json) : json);
	const bytes = new Uint8Array(12 + body.length);
	new DataView(bytes.buffer).setUint32(0, body.length, true);
	bytes.set(sha256(body).subarray(0, 8), 4);
	bytes.set(body, 12);
	return 'v1.' + Buffer.from(bytes).toString('base64url');
}

