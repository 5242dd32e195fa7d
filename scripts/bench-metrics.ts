/**
 * Speed of `computeMetrics` on a real run (backtrader reference S2 BTCUSDT: 8,760 1h bars, 337 trades).
 * Called by scripts/bench.ts (owned by the lead); prints figures, asserts nothing.
 */
import { computeMetrics } from '../src/lib/metrics';
import { loadReference } from '../tests/unit/metrics/reference-data';

/** Time `computeMetrics` over `iterations` calls and print ms per call. */
export function benchMetrics(iterations = 200): void {
	const { input } = loadReference('S2.BTCUSDT');
	computeMetrics(input); // warm-up
	const t0 = performance.now();
	for (let i = 0; i < iterations; i++) computeMetrics(input);
	const ms = (performance.now() - t0) / iterations;
	console.log(`metrics: computeMetrics on ${input.equity.length} bars / ${input.trades.length} trades: ${ms.toFixed(3)} ms per call`);
}

if (import.meta.url === `file://${process.argv[1]}`) benchMetrics();
