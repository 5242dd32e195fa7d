/**
 * Cost of reproducibility on real data: SHA-256 of the candles (once per dataset and worker), run fingerprint and
 * trades hash (per run), and share-link encode and decode+validate. Called by
 * scripts/bench.ts; prints figures, asserts nothing.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { parseKlineCsv } from '../src/lib/data';
import { candleDataHash, fingerprintRun } from '../src/lib/engine/fingerprint';
import { createNodeEngine } from '../src/lib/engine/node';
import { defaultConfig } from '../src/lib/engine/strategies';
import { encodeShareToken, readShareLink, runSharePayload } from '../src/lib/share';

function time<T>(f: () => T, iterations: number): { ms: number; result: T } {
	let result = f(); // warm-up
	const t0 = performance.now();
	for (let i = 0; i < iterations; i++) result = f();
	return { ms: (performance.now() - t0) / iterations, result };
}

/** Print ms per operation. */
export async function benchShare(iterations = 20): Promise<void> {
	const ohlcv = parseKlineCsv(readFileSync('tests/fixtures/klines/BTCUSDT-1h.csv', 'utf8')).ohlcv;
	const n = ohlcv.openTime.length;
	const hash = time(() => candleDataHash(ohlcv), 5);
	console.log(`share: candleDataHash ${n.toLocaleString('en-US')} bars (${((n * 48) / 2 ** 20).toFixed(1)} MiB): ${hash.ms.toFixed(1)} ms (${((n * 48) / 2 ** 20 / (hash.ms / 1000)).toFixed(0)} MiB/s), once per dataset per worker`);
	const engine = await createNodeEngine();
	engine.load(ohlcv);
	const config = defaultConfig('sma-cross');
	const { trades } = engine.run(config);
	const fp = time(() => fingerprintRun({ engineVersion: engine.version, symbol: 'BTCUSDT', interval: '1h', dataHash: hash.result, config, trades }), iterations);
	console.log(`share: fingerprint + trades hash per run (${trades.length} trades): ${fp.ms.toFixed(2)} ms`);
	const payload = runSharePayload({
		config,
		market: { symbol: 'BTCUSDT', interval: '1h', firstOpenTime: ohlcv.openTime[0], lastOpenTime: ohlcv.openTime[n - 1], bars: n },
		result: { fingerprint: fp.result, metrics: { finalEquity: 1, totalReturnRatio: 0, maxDrawdownRatio: 0.5, nTrades: trades.length, winRate: 0.4, profitFactor: 1.1, sharpeRatio: 0.3 } }
	});
	const enc = time(() => encodeShareToken(payload), iterations);
	const dec = time(() => readShareLink(enc.result), iterations);
	console.log(`share: run link ${enc.result.length} chars; encode ${enc.ms.toFixed(2)} ms, decode + validate ${dec.ms.toFixed(2)} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) await benchShare();
