/**
 * Seeded random configurations for parity and property tests (single-market and portfolio).
 * mulberry32 PRNG so every failure reproduces from its seed.
 */
import { STRATEGIES, defaultConfig } from '../../../src/lib/engine/strategies';
import type {
	BacktestConfig,
	BreakerSpec,
	LevelSpec,
	PortfolioConfig,
	PortfolioSizingSpec,
	SizingSpec,
	StrategyId
} from '../../../src/lib/engine/types';

/** mulberry32: small seeded PRNG, values in [0, 1). */
export function rng(seed: number): () => number {
	return () => {
		seed |= 0;
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** A random whole number in [lo, hi]. */
export function randInt(r: () => number, lo: number, hi: number): number {
	return lo + Math.floor(r() * (hi - lo + 1));
}

/** Random valid strategy parameters, with periods in a range that trades on a few thousand bars. */
export function randomParams(id: StrategyId, r: () => number): Record<string, number> {
	const def = STRATEGIES[id];
	for (let attempt = 0; attempt < 1000; attempt++) {
		const p: Record<string, number> = {};
		for (const s of def.params) {
			const max = s.type === 'int' ? Math.min(s.max, s.name === 'slow' ? 120 : 60) : s.max;
			const steps = Math.floor((max - s.min) / s.step);
			p[s.name] = s.type === 'bool' ? (r() < 0.5 ? 0 : 1) : +(s.min + Math.floor(r() * (steps + 1)) * s.step).toFixed(6);
		}
		if (id === 'rsi-atr-momentum') {
			p.longRsiMin = 50 + Math.floor(r() * 15);
			p.longRsiMax = p.longRsiMin + 5 + Math.floor(r() * 20);
			p.shortRsiMax = 50 - Math.floor(r() * 15);
			p.shortRsiMin = p.shortRsiMax - 5 - Math.floor(r() * 20);
		}
		if (id === 'rsi-mean-reversion') {
			p.oversold = 15 + Math.floor(r() * 25);
			p.overbought = 60 + Math.floor(r() * 25);
		}
		if (def.constraints.every((c) => c.check(p))) return p;
	}
	throw new Error('no valid parameter set found');
}

/** A random stop-loss / take-profit level: none, a fraction in `fr` or an ATR multiple in `atr`. */
export function randomLevel(r: () => number, fr: [number, number], atr: [number, number]): LevelSpec {
	const u = r();
	if (u < 0.3) return { mode: 'none' };
	if (u < 0.65) return { mode: 'fraction', value: fr[0] + r() * (fr[1] - fr[0]) };
	return { mode: 'atr', value: atr[0] + r() * (atr[1] - atr[0]) };
}

/** A random valid single-market configuration of strategy `id` (all sizing modes, levels, fees, slippage). */
export function randomConfig(id: StrategyId, r: () => number): BacktestConfig {
	const stopLoss = randomLevel(r, [0.005, 0.08], [0.5, 4]);
	const u = r();
	const sizing: SizingSpec =
		u < 0.5
			? { mode: 'equity-fraction', fraction: r() < 0.5 ? 1 : 0.1 + r() * 0.9 }
			: u < 0.75
				? { mode: 'fixed-notional', amount: 500 + r() * 20_000 }
				: stopLoss.mode === 'none'
					? { mode: 'equity-fraction', fraction: 1 }
					: { mode: 'risk', fraction: 0.005 + r() * 0.05 };
	return {
		...defaultConfig(id),
		params: randomParams(id, r),
		direction: r() < 0.5 ? 'long' : 'long-short',
		feeRate: [0, 0.001, 0.00075, 0.002][Math.floor(r() * 4)],
		slippageRate: r() < 0.5 ? 0 : r() * 0.001,
		initialCash: [10_000, 1_000, 250_000][Math.floor(r() * 3)],
		stopLoss,
		takeProfit: randomLevel(r, [0.01, 0.15], [0.5, 8]),
		atrPeriod: 5 + Math.floor(r() * 30),
		sizing
	};
}

/**
 * A random valid portfolio configuration for `marketCount` markets: every strategy, long and long-short, every
 * sizing mode (risk only with a stop-loss or a strategy with its own levels), K from 1 to marketCount + 1, leverage
 * 1 … 10 (half the runs at 1), either, both or no breakers.
 */
export function randomPortfolioConfig(id: StrategyId, r: () => number, marketCount: number): PortfolioConfig {
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
