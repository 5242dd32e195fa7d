/**
 * Seeded random portfolio configurations for parity and property tests (the single-market generators live in
 * `random-config.ts`; re-exported here).
 */
import { STRATEGIES, STRATEGY_IDS } from '../../../src/lib/engine/strategies';
import type { BreakerSpec, PortfolioConfig, PortfolioSizingSpec, StrategyId, BuiltinStrategyId } from '../../../src/lib/engine/types';
import { randomConfig, randomParams, rng } from './random-config';

export { randomConfig, randomParams, rng };

// Strategies a portfolio runs (poly-bands and pattern-zones are single-market only: their own loops and caches).
export const PORTFOLIO_STRATEGY_IDS: BuiltinStrategyId[] = STRATEGY_IDS.filter((id) => id !== 'poly-bands' && id !== 'pattern-zones');

/** A random whole number in [lo, hi]. */
export function randInt(r: () => number, lo: number, hi: number): number {
	return lo + Math.floor(r() * (hi - lo + 1));
}

/**
 * A random valid portfolio configuration for `marketCount` markets: every strategy, long and long-short, every
 * sizing mode (risk only with a stop-loss or a strategy with its own levels), K from 1 to marketCount + 1, leverage
 * 1 … 10 (half the runs at 1), either, both or no breakers.
 */
export function randomPortfolioConfig(id: BuiltinStrategyId, r: () => number, marketCount: number): PortfolioConfig {
	const single = randomConfig(id, r);
	const ownsLevels = STRATEGIES[id].ownsExitLevels;
	const hasStop = single.stopLoss.mode !== 'none' || ownsLevels;
	const u = r();
	const sizing: PortfolioSizingSpec =
		u < 0.25
			? { mode: 'fixed-notional', amount: Math.round(single.initialCash * (0.05 + r() * 0.5)) }
			: u < 0.5
				? { mode: 'equity-split' }
				: u < 0.75 || !hasStop
					? { mode: 'equity-fraction', fraction: +(0.05 + r() * 0.95).toFixed(3) }
					: { mode: 'risk', fraction: +(0.002 + r() * 0.03).toFixed(4) };
	const breakers: BreakerSpec[] = [];
	if (r() < 0.5)
		breakers.push({ kind: 'max-drawdown', threshold: +(0.03 + r() * 0.2).toFixed(3), action: 'close-all', cooldownBars: randInt(r, 1, 200) });
	if (r() < 0.5) breakers.push({ kind: 'consecutive-losses', count: randInt(r, 1, 6), action: 'reduce', factor: +(0.1 + r() * 0.9).toFixed(2) });
	if (breakers.length === 2 && r() < 0.5) breakers.reverse();
	return {
		...single,
		sizing,
		maxPositions: randInt(r, 1, marketCount + 1),
		leverage: r() < 0.5 ? 1 : +(1 + r() * 9).toFixed(2),
		maintenanceMarginRatio: r() < 0.7 ? 0.005 : +(r() * 0.05).toFixed(4),
		breakers
	};
}
