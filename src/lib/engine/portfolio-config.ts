/**
 * Portfolio configuration: validation and defaults (SEMANTICS.md "Portfolios").
 */
import { ValidationError } from '../core/errors';
import { defaultConfig, validateConfig } from './strategies';
import type { PortfolioConfig } from './types';

/**
 * Check a portfolio configuration for `marketCount` markets.
 * K larger than the number of markets is allowed (it never binds).
 * @throws ValidationError naming the field, the value and the allowed range
 */
export function validatePortfolioConfig(config: PortfolioConfig, marketCount: number): void {
	if (!Number.isInteger(marketCount) || marketCount < 1 || marketCount > 200)
		throw new ValidationError(`A portfolio holds 1 to 200 markets, got ${marketCount}.`);
	const k = config.maxPositions;
	if (!Number.isInteger(k) || k < 1 || k > 200)
		throw new ValidationError(`Max positions (K) must be a whole number from 1 to 200, got ${k}.`);
	const L = config.leverage;
	if (!(typeof L === 'number' && L >= 1 && L <= 10)) throw new ValidationError(`Leverage must be from 1 to 10, got ${L}.`);
	const mmr = config.maintenanceMarginRatio;
	if (!(typeof mmr === 'number' && mmr >= 0 && mmr < 0.5))
		throw new ValidationError(`Maintenance margin ratio must be a fraction from 0 to below 0.5 (0.005 = 0.5 %), got ${mmr}.`);
	const s = config.sizing;
	if (s.mode === 'risk' && config.stopLoss.mode === 'none' && config.strategy !== 'rsi-atr-momentum')
		throw new ValidationError('Risk sizing needs a stop-loss: set a stop-loss or choose another sizing.');
	validateConfig({ ...config, sizing: s.mode === 'equity-split' ? { mode: 'equity-fraction', fraction: 1 } : s });
	const kinds = new Set<string>();
	for (const b of config.breakers) {
		if (kinds.has(b.kind)) throw new ValidationError(`Only one ${b.kind} breaker is allowed.`);
		kinds.add(b.kind);
		if (b.kind === 'max-drawdown') {
			if (!(b.threshold > 0 && b.threshold < 1))
				throw new ValidationError(`Max-drawdown threshold must be a fraction between 0 and 1 (0.10 = 10 %), got ${b.threshold}.`);
			if (!Number.isInteger(b.cooldownBars) || b.cooldownBars < 1)
				throw new ValidationError(`Max-drawdown cooldown must be a whole number of bars >= 1, got ${b.cooldownBars}.`);
		} else if (b.kind === 'consecutive-losses') {
			if (!Number.isInteger(b.count) || b.count < 1)
				throw new ValidationError(`Consecutive-losses count must be a whole number >= 1, got ${b.count}.`);
			if (!(b.factor > 0 && b.factor <= 1))
				throw new ValidationError(`Consecutive-losses reduce factor must be in (0, 1], got ${b.factor}.`);
		} else throw new ValidationError(`Unknown breaker kind ${(b as { kind: string }).kind}: use max-drawdown or consecutive-losses.`);
	}
}

/** sma-cross 10/30 long, fee 0.1 %, 10,000 USDT, K 3, fixed-notional 2,000, no leverage, no breakers. */
export function defaultPortfolioConfig(): PortfolioConfig {
	const base = defaultConfig('sma-cross');
	return {
		...base,
		sizing: { mode: 'fixed-notional', amount: 2000 },
		maxPositions: 3,
		leverage: 1,
		maintenanceMarginRatio: 0.005,
		breakers: []
	};
}
