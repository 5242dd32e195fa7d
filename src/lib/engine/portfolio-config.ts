/**
 * Portfolio configuration: validation and defaults (SEMANTICS.md "Portfolios").
 */
import { ValidationError } from '../core/errors';
import { defaultConfig, validateConfig } from './strategies';
import type { SymbolInfo } from '../data/binance-client';
import type { BreakerSpec, ExchangeRules, PortfolioConfig, PortfolioSizingSpec } from './types';

/**
 * Check a portfolio configuration for `marketCount` markets.
 * K larger than the number of markets is allowed (it never binds).
 * @throws ValidationError naming the field, the value and the allowed range
 */
export function validatePortfolioConfig(config: PortfolioConfig, marketCount: number): void {
	if (config.strategy === 'pattern-zones')
		throw new ValidationError('pattern-zones runs on one market at a time (limit entries and take-profit legs are not in the portfolio loop): run it as a single-market backtest.');
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
	if (config.strategy === 'poly-bands')
		throw new ValidationError('poly-bands cannot run in a portfolio yet (its causal bands are computed per single market): backtest it market by market.');
	const maker = config.makerFeeRate;
	if (maker !== undefined && !(typeof maker === 'number' && maker >= 0 && maker < 0.5))
		throw new ValidationError(`Maker fee rate must be a fraction from 0 to below 0.5 (0.001 = 0.1 %), got ${maker}.`);
	const s = config.sizing;
	if (s.mode === 'risk' && config.stopLoss.mode === 'none' && config.strategy !== 'rsi-atr-momentum')
		throw new ValidationError('Risk sizing needs a stop-loss: set a stop-loss or choose another sizing.');
	validateConfig({ ...config, sizing: s.mode === 'equity-split' ? { mode: 'equity-fraction', fraction: 1 } : s });
	const kinds = new Set<string>();
	for (const b of config.breakers) {
		if (kinds.has(b.kind)) throw new ValidationError(`Only one ${b.kind} breaker is allowed.`);
		kinds.add(b.kind);
		checkBreaker(b);
	}
}

/** @throws ValidationError when a breaker's values are out of range. */
function checkBreaker(b: BreakerSpec): void {
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

const NUM = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const num = (s: string | undefined): number => (s !== undefined && NUM.test(s.trim()) ? Number(s.trim()) : NaN);

/**
 * Parse a breaker written as text: `max-drawdown:THRESHOLD:close-all:BARS` (THRESHOLD a fraction, e.g. 0.10 = 10 %,
 * or a percent, 10%) or `consecutive-losses:N:reduce:FACTOR`.
 * @throws ValidationError naming the form expected and what was wrong
 * @example parseBreaker('max-drawdown:0.10:close-all:168') // {kind:'max-drawdown', threshold:0.1, action:'close-all', cooldownBars:168}
 */
export function parseBreaker(text: string): BreakerSpec {
	const forms = 'max-drawdown:0.10:close-all:168 or consecutive-losses:3:reduce:0.5';
	const parts = String(text).trim().split(':').map((p) => p.trim());
	if (parts.length !== 4) throw new ValidationError(`A breaker has four parts, e.g. ${forms}; got '${text}'.`);
	const [kind, a, action, b] = parts;
	if (kind === 'max-drawdown') {
		if (action !== 'close-all') throw new ValidationError(`The max-drawdown breaker's action is close-all (${forms}); got '${action}'.`);
		const threshold = a.endsWith('%') ? num(a.slice(0, -1)) / 100 : num(a);
		const spec: BreakerSpec = { kind, threshold, action, cooldownBars: num(b) };
		checkBreaker(spec);
		return spec;
	}
	if (kind === 'consecutive-losses') {
		if (action !== 'reduce') throw new ValidationError(`The consecutive-losses breaker's action is reduce (${forms}); got '${action}'.`);
		const spec: BreakerSpec = { kind, count: num(a), action, factor: num(b) };
		checkBreaker(spec);
		return spec;
	}
	throw new ValidationError(`Unknown breaker '${kind}': use ${forms}.`);
}

/** The text form of a breaker (inverse of {@link parseBreaker}). */
export function formatBreaker(b: BreakerSpec): string {
	return b.kind === 'max-drawdown' ? `max-drawdown:${b.threshold}:close-all:${b.cooldownBars}` : `consecutive-losses:${b.count}:reduce:${b.factor}`;
}

/**
 * Parse portfolio sizing: `fixed-notional:AMOUNT`, `equity-split`, `risk:FRACTION` or `equity-fraction:FRACTION`.
 * @throws ValidationError for another form or a value out of range (amount > 0; fractions in (0, 1])
 */
export function parsePortfolioSizing(text: string): PortfolioSizingSpec {
	const forms = 'fixed-notional:2000, equity-split, risk:0.01 or equity-fraction:0.5';
	const [mode, value, extra] = String(text).trim().split(':').map((p) => p.trim());
	if (extra !== undefined) throw new ValidationError(`Sizing must be one of ${forms}; got '${text}'.`);
	if (mode === 'equity-split') {
		if (value !== undefined) throw new ValidationError(`equity-split takes no value (it splits equity by K); got '${text}'.`);
		return { mode };
	}
	const x = num(value);
	if (mode === 'fixed-notional') {
		if (!(x > 0 && Number.isFinite(x))) throw new ValidationError(`fixed-notional needs an amount above 0 in quote currency (e.g. fixed-notional:2000); got '${text}'.`);
		return { mode, amount: x };
	}
	if (mode === 'risk' || mode === 'equity-fraction') {
		if (!(x > 0 && x <= 1)) throw new ValidationError(`${mode} needs a fraction above 0 and at most 1 (0.01 = 1 %); got '${text}'.`);
		return { mode, fraction: x };
	}
	throw new ValidationError(`Unknown sizing '${mode}': use ${forms}.`);
}

/** The text form of a sizing rule (inverse of {@link parsePortfolioSizing}). */
export function formatPortfolioSizing(s: PortfolioSizingSpec): string {
	return s.mode === 'equity-split' ? s.mode : s.mode === 'fixed-notional' ? `${s.mode}:${s.amount}` : `${s.mode}:${s.fraction}`;
}

/**
 * A market's exchange rules from its parsed `exchangeInfo` entry (absent filters become 0 = no rule).
 * @param info symbol entry of {@link import('../data/binance-client').parseExchangeInfo}
 */
export function exchangeRulesOf(info: Pick<SymbolInfo, 'stepSize' | 'tickSize' | 'minNotional'>): ExchangeRules {
	return { stepSize: info.stepSize ?? 0, tickSize: info.tickSize ?? 0, minNotional: info.minNotional ?? 0 };
}
