/**
 * Look-ahead test (as freqtrade's detector does): replace every bar after index k with different (but valid) data and
 * check that no signal, indicator, trade or equity value before k changes, for every strategy.
 */
import { describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { referenceSignals } from '../../../src/lib/engine/reference';
import { STRATEGY_IDS, defaultConfig } from '../../../src/lib/engine/strategies';
import type { BacktestConfig } from '../../../src/lib/engine/types';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { loadSymbolKlines, referenceWindow, sliceColumns } from '../helpers/fixtures';

/** Same open times; bars from k on taken from ETHUSDT prices scaled to BTC's level (a different, real path). */
function alterAfter(o: OhlcvColumns, k: number): OhlcvColumns {
	const eth = loadSymbolKlines('ETHUSDT');
	const n = o.openTime.length;
	const src = sliceColumns(eth, eth.openTime.length - n, eth.openTime.length);
	const scale = o.close[k - 1] / src.open[k];
	const copy = (a: Float64Array, b: Float64Array, s: number) => {
		const out = a.slice();
		for (let i = k; i < n; i++) out[i] = b[i] * s;
		return out;
	};
	return {
		openTime: o.openTime.slice(),
		open: copy(o.open, src.open, scale),
		high: copy(o.high, src.high, scale),
		low: copy(o.low, src.low, scale),
		close: copy(o.close, src.close, scale),
		volume: copy(o.volume, src.volume, 1)
	};
}

const configs: BacktestConfig[] = STRATEGY_IDS.flatMap((id) => [
	{ ...defaultConfig(id), direction: 'long-short' as const },
	{ ...defaultConfig(id), stopLoss: { mode: 'atr' as const, value: 2 }, takeProfit: { mode: 'fraction' as const, value: 0.03 } }
]);

describe('no look-ahead', () => {
	it('changing bars after k changes nothing before k (signals, indicators, trades, equity)', async () => {
		const base = referenceWindow('BTCUSDT');
		const a = await createNodeEngine();
		const b = await createNodeEngine();
		a.load(base);
		for (const k of [500, 4321, 8000]) {
			const altered = alterAfter(base, k);
			b.load(altered);
			for (const config of configs) {
				const ra = a.run(config);
				const rb = b.run(config);
				const label = `${config.strategy} k=${k}`;
				// The change is real: results after k differ.
				expect(ra.equity[base.openTime.length - 1], label).not.toBe(rb.equity[base.openTime.length - 1]);
				expect(Array.from(ra.equity.subarray(0, k)), label).toEqual(Array.from(rb.equity.subarray(0, k)));
				const closedBefore = (r: typeof ra) => r.trades.filter((t) => t.exitBar < k);
				expect(closedBefore(rb), label).toEqual(closedBefore(ra));
				// A trade open across k keeps its entry.
				const openAcross = (r: typeof ra) => r.trades.filter((t) => t.entryBar < k && t.exitBar >= k).map((t) => [t.entryBar, t.entryPrice, t.size, t.direction]);
				expect(openAcross(rb), label).toEqual(openAcross(ra));
				for (const ind of a.indicatorSeries(config)) {
					const other = b.indicatorSeries(config).find((s) => s.id === ind.id)!;
					expect(Array.from(other.values.subarray(0, k)), `${label} ${ind.id}`).toEqual(Array.from(ind.values.subarray(0, k)));
				}
				const sa = referenceSignals(base, config);
				const sb = referenceSignals(altered, config);
				for (const key of ['enterLong', 'exitLong', 'enterShort', 'exitShort'] as const)
					expect(Array.from(sb[key].subarray(0, k)), `${label} ${key}`).toEqual(Array.from(sa[key].subarray(0, k)));
			}
		}
	});
});
