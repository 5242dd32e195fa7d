/**
 * Seeded random engine configurations for parity tests (real-data windows, every strategy and option).
 */
import { STRATEGIES, defaultConfig } from '../../../src/lib/engine/strategies';
import type { BacktestConfig, LevelSpec, SizingSpec, StrategyId, BuiltinStrategyId } from '../../../src/lib/engine/types';

/** mulberry32: small seeded PRNG so failures reproduce. */
export function rng(seed: number) {
	return () => {
		seed |= 0;
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export function randomParams(id: BuiltinStrategyId, r: () => number): Record<string, number> {
	const def = STRATEGIES[id];
	for (let attempt = 0; attempt < 1000; attempt++) {
		const p: Record<string, number> = {};
		for (const s of def.params) {
			// Keep periods in a range that trades on a few thousand bars.
			const max = s.type === 'int' ? Math.min(s.max, s.name === 'slow' ? 120 : 60) : s.max;
			const steps = Math.floor((max - s.min) / s.step);
			p[s.name] = s.type === 'bool' ? (r() < 0.5 ? 0 : 1) : +(s.min + Math.floor(r() * (steps + 1)) * s.step).toFixed(6);
		}
		if (id === 'rsi-atr-momentum') {
			// Bands that RSI actually enters.
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

export function randomConfig(id: BuiltinStrategyId, r: () => number): BacktestConfig {
	const level = (fr: [number, number], atr: [number, number]): LevelSpec => {
		const u = r();
		if (u < 0.3) return { mode: 'none' };
		if (u < 0.65) return { mode: 'fraction', value: fr[0] + r() * (fr[1] - fr[0]) };
		return { mode: 'atr', value: atr[0] + r() * (atr[1] - atr[0]) };
	};
	const stopLoss = level([0.005, 0.08], [0.5, 4]);
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
		takeProfit: level([0.01, 0.15], [0.5, 8]),
		atrPeriod: 5 + Math.floor(r() * 30),
		sizing
	};
}

