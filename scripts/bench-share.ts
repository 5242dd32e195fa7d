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

	// Hostile optimisation links (issue 17): decode must stay far below 50 ms however large the search space.
	const first = ohlcv.openTime[n - 8760];
	const hostile = (strategy: 'rsi-mean-reversion' | 'sma-cross', axes: unknown[], method: unknown) =>
		encodeShareToken({
			kind: 'optimisation',
			engineVersion: engine.version,
			market: { symbol: 'BTCUSDT', interval: '1h', firstOpenTime: first, lastOpenTime: ohlcv.openTime[n - 1], bars: 8760 },
			job: { config: defaultConfig(strategy), axes, objective: { key: 'sharpeRatio' } },
			method,
			expected: { dataHash: hash.result, evaluated: 0, best: [] },
			createdAt: Date.now()
		} as never);
	const cases: [string, string][] = [
		['all-invalid 22.6 M space (random 1,000)', hostile('rsi-mean-reversion', [{ name: 'oversold', start: 60, end: 99, step: 0.01 }, { name: 'overbought', start: 1, end: 59, step: 0.01 }], { kind: 'random', trials: 1000, seed: 1 })],
		['498,002-trial grid (asks for confirmation)', hostile('sma-cross', [{ name: 'fast', start: 2, end: 500, step: 1 }, { name: 'slow', start: 3, end: 1000, step: 1 }], { kind: 'grid' })]
	];
	for (const [label, token] of cases) {
		const t = time(() => {
			try {
				return readShareLink(token).kind;
			} catch (e) {
				return (e as Error).name;
			}
		}, 5);
		console.log(`share: hostile link, ${label}: ${token.length} chars, decode ${t.ms.toFixed(2)} ms -> ${t.result} (target < 50 ms)`);
	}
}

if (import.meta.url === `file://${process.argv[1]}`) await benchShare();
