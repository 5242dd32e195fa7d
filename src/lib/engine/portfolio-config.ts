/**
 * Portfolio configuration: defaults, validation and the text forms of sizing rules and circuit breakers used by the
 * CLI (`--sizing`, `--breaker`) and the Portfolio screen. Rules: SEMANTICS.md "Portfolios".
 */
import { ValidationError } from '../core/errors';
import type { SymbolInfo } from '../data/binance-client';
import { MAX_CASH, STRATEGIES, defaultParams, validateConfig } from './strategies';
import type { BacktestConfig, BreakerSpec, ExchangeRules, PortfolioConfig, PortfolioSizingSpec } from './types';

/** Most markets in one portfolio run and the largest `maxPositions` (SEMANTICS.md "Markets and time"). */
export const MAX_PORTFOLIO_MARKETS = 200;
/** Leverage range (SEMANTICS.md "Configuration"). */
export const MIN_LEVERAGE = 1;
export const MAX_LEVERAGE = 10;
/** Default maintenance margin ratio (fraction of notional). */
export const DEFAULT_MAINTENANCE_MARGIN_RATIO = 0.005;

/**
 * The default portfolio run (PORTFOLIO.md case P1): `sma-cross` 10/30 long-only, fee 0.001, no slippage,
 * 10,000 USDT, K = 3, fixed-notional 2,000 USDT per entry, leverage 1, maintenance margin 0.005, no breakers.
 */
export function defaultPortfolioConfig(): PortfolioConfig {
	return {
		strategy: 'sma-cross',
		params: { ...defaultParams('sma-cross'), fast: 10, slow: 30 },
		direction: 'long',
		feeRate: 0.001,
		slippageRate: 0,
		initialCash: 10_000,
		stopLoss: { mode: 'none' },
		takeProfit: { mode: 'none' },
		atrPeriod: 14,
		sizing: { mode: 'fixed-notional', amount: 2000 },
		maxPositions: 3,
		leverage: 1,
		maintenanceMarginRatio: DEFAULT_MAINTENANCE_MARGIN_RATIO,
		breakers: []
	};
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Problems of one portfolio sizing rule (empty when valid). */
function sizingProblems(s: PortfolioSizingSpec | undefined): string[] {
	if (!s || typeof s !== 'object') return ['Sizing is missing: use fixed-notional, equity-split, equity-fraction or risk'];
	switch (s.mode) {
		case 'equity-split':
			return [];
		case 'fixed-notional':
			return isNum(s.amount) && s.amount > 0 && s.amount <= MAX_CASH
				? []
				: [`Sizing fixed-notional amount must be a positive quote amount up to ${MAX_CASH.toExponential()} (e.g. 2000), got ${s.amount}`];
		case 'equity-fraction':
			return isNum(s.fraction) && s.fraction > 0 && s.fraction <= 1
				? []
				: [`Sizing equity-fraction must be above 0 and at most 1 (0.5 = half the equity), got ${s.fraction}`];
		case 'risk':
			return isNum(s.fraction) && s.fraction > 0 && s.fraction <= 1
				? []
				: [`Sizing risk fraction must be above 0 and at most 1 (0.01 = 1 % of equity per trade), got ${s.fraction}`];
		default:
			return [`Sizing mode must be fixed-notional, equity-split, equity-fraction or risk, got ${JSON.stringify((s as { mode: unknown }).mode)}`];
	}
}

/** Problems of one breaker (empty when valid). */
function breakerProblems(b: BreakerSpec, where: string): string[] {
	if (!b || typeof b !== 'object') return [`${where}is not a breaker`];
	if (b.kind === 'max-drawdown') {
		const p: string[] = [];
		if (!(isNum(b.threshold) && b.threshold > 0 && b.threshold < 1))
			p.push(`${where}max-drawdown threshold must be a fraction between 0 and 1 (exclusive; 0.10 = 10 %), got ${b.threshold}`);
		if ((b as { action: unknown }).action !== 'close-all')
			p.push(`${where}max-drawdown action must be close-all, got ${JSON.stringify((b as { action: unknown }).action)}`);
		if (!(Number.isInteger(b.cooldownBars) && b.cooldownBars >= 1))
			p.push(`${where}max-drawdown cooldown must be a whole number of bars, at least 1 (e.g. 168 = one week of 1h bars), got ${b.cooldownBars}`);
		return p;
	}
	if (b.kind === 'consecutive-losses') {
		const p: string[] = [];
		if (!(Number.isInteger(b.count) && b.count >= 1))
			p.push(`${where}consecutive-losses count must be a whole number of trades, at least 1, got ${b.count}`);
		if ((b as { action: unknown }).action !== 'reduce')
			p.push(`${where}consecutive-losses action must be reduce, got ${JSON.stringify((b as { action: unknown }).action)}`);
		if (!(isNum(b.factor) && b.factor > 0 && b.factor <= 1))
			p.push(`${where}consecutive-losses factor must be above 0 and at most 1 (0.5 = half size), got ${b.factor}`);
		return p;
	}
	return [`${where}kind must be max-drawdown or consecutive-losses, got ${JSON.stringify((b as { kind: unknown }).kind)}`];
}

/**
 * Validate a portfolio configuration for `marketCount` markets.
 *
 * The single-market part (strategy, parameters, direction, fee, slippage, cash, levels, ATR period) goes through
 * {@link validateConfig}; the sizing rule (including `equity-split`, which has no single-market counterpart), K,
 * leverage, maintenance margin, maker fee and breakers are checked here. `maxPositions` (K) is a whole number from
 * 1 to 200. A K larger than the number of markets is allowed: it never binds (every market can hold its one position
 * at once).
 * @param config - the portfolio configuration.
 * @param marketCount - number of markets in the run (1 … 200).
 * @returns the strategy's resolved parameter values in schema order (as validateConfig).
 * @throws ValidationError listing every problem and the allowed values.
 */
export function validatePortfolioConfig(config: PortfolioConfig, marketCount: number): number[] {
	const problems: string[] = [];
	if (!(Number.isInteger(marketCount) && marketCount >= 1 && marketCount <= MAX_PORTFOLIO_MARKETS))
		problems.push(`A portfolio holds 1 to ${MAX_PORTFOLIO_MARKETS} markets, got ${marketCount}`);
	const k = config.maxPositions;
	if (!(Number.isInteger(k) && k >= 1 && k <= MAX_PORTFOLIO_MARKETS))
		problems.push(`Max positions (K) must be a whole number from 1 to ${MAX_PORTFOLIO_MARKETS}, got ${k}`);
	const L = config.leverage;
	if (!(isNum(L) && L >= MIN_LEVERAGE && L <= MAX_LEVERAGE))
		problems.push(`Leverage must be from ${MIN_LEVERAGE} to ${MAX_LEVERAGE} (1 = no leverage), got ${L}`);
	const mmr = config.maintenanceMarginRatio;
	if (!(isNum(mmr) && mmr >= 0 && mmr < 0.5))
		problems.push(`Maintenance margin ratio must be a fraction from 0 to below 0.5 (0.005 = 0.5 %), got ${mmr}`);
	if (config.strategy === 'poly-bands')
		problems.push('poly-bands cannot run in a portfolio yet (its causal bands are computed per single market): backtest it market by market');
	if (config.strategy === 'pattern-zones')
		problems.push('pattern-zones runs on one market at a time (limit entries and take-profit legs are not in the portfolio loop): run it as a single-market backtest');
	const maker = config.makerFeeRate;
	if (maker !== undefined && !(isNum(maker) && maker >= 0 && maker < 0.5))
		problems.push(`Maker fee rate must be a fraction from 0 to below 0.5 (0.001 = 0.1 %), got ${maker}`);
	const sizingFound = sizingProblems(config.sizing);
	problems.push(...sizingFound);
	if (sizingFound.length === 0 && config.sizing.mode === 'risk' && config.stopLoss?.mode === 'none' && !getStrategyOwnsLevels(config.strategy))
		problems.push('Risk sizing needs a stop-loss: set a stop-loss or choose another sizing');
	if (!Array.isArray(config.breakers)) problems.push('Breakers must be a list (empty for none)');
	else {
		const seen = new Set<string>();
		config.breakers.forEach((b, i) => {
			problems.push(...breakerProblems(b, `Breaker ${i + 1}: `));
			if (b && typeof b === 'object') {
				if (seen.has(b.kind)) problems.push(`Only one ${b.kind} breaker is allowed: remove breaker ${i + 1} or merge it with the first`);
				seen.add(b.kind);
			}
		});
	}
	// The single-market part; the sizing rule is checked above.
	const single: BacktestConfig = { ...config, sizing: { mode: 'equity-fraction', fraction: 1 } };
	let values: number[] = [];
	try {
		values = validateConfig(single);
	} catch (e) {
		if (!(e instanceof ValidationError)) throw e;
		problems.push(e.message.replace(/^Invalid backtest configuration: /, ''));
	}
	if (problems.length) throw new ValidationError(`Invalid portfolio configuration: ${problems.join('; ')}`);
	return values;
}

/** Whether a strategy sets its own stop-loss (so risk sizing needs no configured one); false for unknown ids. */
function getStrategyOwnsLevels(id: string): boolean {
	return (STRATEGIES as Record<string, { ownsExitLevels?: boolean }>)[id]?.ownsExitLevels === true;
}

/** A decimal number as typed by a person: digits with an optional fraction and exponent (no hex, no Infinity). */
const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

function parseNumber(text: string, what: string, example: string): number {
	const t = text.trim();
	if (!NUMBER_RE.test(t)) throw new ValidationError(`${what} must be a number, got "${text}" (example: ${example})`);
	const v = Number(t);
	if (!Number.isFinite(v)) throw new ValidationError(`${what} must be a finite number, got "${text}" (example: ${example})`);
	return v;
}

const BREAKER_FORMS = 'max-drawdown:THRESHOLD:close-all:BARS (e.g. max-drawdown:0.10:close-all:168) or consecutive-losses:N:reduce:FACTOR (e.g. consecutive-losses:3:reduce:0.5)';

/**
 * Parse a circuit breaker from its text form: `max-drawdown:THRESHOLD:close-all:BARS` (THRESHOLD a fraction in
 * (0, 1), e.g. 0.10, or a percent, 10%; BARS whole >= 1) or `consecutive-losses:N:reduce:FACTOR` (N whole >= 1,
 * FACTOR in (0, 1]). Whitespace around the parts is ignored; names are case-insensitive.
 * @throws ValidationError saying which part is wrong and showing the accepted forms.
 * @example parseBreaker('max-drawdown:0.10:close-all:168') // { kind: 'max-drawdown', threshold: 0.1, action: 'close-all', cooldownBars: 168 }
 */
export function parseBreaker(text: string): BreakerSpec {
	if (typeof text !== 'string' || text.trim() === '') throw new ValidationError(`Empty breaker: use ${BREAKER_FORMS}`);
	const parts = text.trim().split(':');
	const kind = parts[0].trim().toLowerCase();
	if (kind !== 'max-drawdown' && kind !== 'consecutive-losses') throw new ValidationError(`Unknown breaker "${text}": use ${BREAKER_FORMS}`);
	if (parts.length !== 4) throw new ValidationError(`A breaker has four parts, e.g. ${BREAKER_FORMS}; got "${text}"`);
	const action = parts[2].trim().toLowerCase();
	let spec: BreakerSpec;
	if (kind === 'max-drawdown') {
		if (action !== 'close-all') throw new ValidationError(`The max-drawdown breaker's action is close-all (max-drawdown:0.10:close-all:168); got "${parts[2]}"`);
		const raw = parts[1].trim();
		const threshold = raw.endsWith('%')
			? parseNumber(raw.slice(0, -1), 'max-drawdown threshold', 'max-drawdown:0.10:close-all:168') / 100
			: parseNumber(raw, 'max-drawdown threshold', 'max-drawdown:0.10:close-all:168');
		spec = { kind, threshold, action: 'close-all', cooldownBars: parseNumber(parts[3], 'max-drawdown cooldown bars', 'max-drawdown:0.10:close-all:168') };
	} else {
		if (action !== 'reduce') throw new ValidationError(`The consecutive-losses breaker's action is reduce (consecutive-losses:3:reduce:0.5); got "${parts[2]}"`);
		spec = {
			kind,
			count: parseNumber(parts[1], 'consecutive-losses count', 'consecutive-losses:3:reduce:0.5'),
			action: 'reduce',
			factor: parseNumber(parts[3], 'consecutive-losses factor', 'consecutive-losses:3:reduce:0.5')
		};
	}
	const p = breakerProblems(spec, '');
	if (p.length) throw new ValidationError(`Breaker "${text}": ${p.join('; ')}`);
	return spec;
}

/** The text form of a breaker, as {@link parseBreaker} reads it (`max-drawdown:0.1:close-all:168`). */
export function formatBreaker(spec: BreakerSpec): string {
	if (spec.kind === 'max-drawdown') return `max-drawdown:${spec.threshold}:close-all:${spec.cooldownBars}`;
	return `consecutive-losses:${spec.count}:reduce:${spec.factor}`;
}

const SIZING_FORMS = 'fixed-notional:AMOUNT (e.g. fixed-notional:2000), equity-split, equity-fraction:Q (e.g. equity-fraction:0.5) or risk:Q (e.g. risk:0.01)';

/**
 * Parse a portfolio sizing rule: `fixed-notional:AMOUNT` (quote currency, > 0), `equity-split`,
 * `equity-fraction:Q` (0 < Q <= 1) or `risk:Q` (0 < Q <= 1, fraction of equity risked to the stop-loss).
 * Surrounding whitespace is ignored; names are case-insensitive.
 * @throws ValidationError saying what is wrong and showing the accepted forms.
 */
export function parsePortfolioSizing(text: string): PortfolioSizingSpec {
	if (typeof text !== 'string' || text.trim() === '') throw new ValidationError(`Empty sizing: use ${SIZING_FORMS}`);
	const parts = text.trim().split(':');
	const mode = parts[0].trim().toLowerCase();
	let spec: PortfolioSizingSpec;
	if (mode === 'equity-split') {
		if (parts.length !== 1) throw new ValidationError(`equity-split takes no value (it splits equity by K): write just equity-split; got "${text}"`);
		spec = { mode };
	} else if (mode === 'fixed-notional' || mode === 'equity-fraction' || mode === 'risk') {
		const example = mode === 'fixed-notional' ? 'fixed-notional:2000' : mode === 'risk' ? 'risk:0.01' : 'equity-fraction:0.5';
		if (parts.length !== 2) throw new ValidationError(`Sizing "${text}" needs exactly one value: ${example}`);
		const v = parseNumber(parts[1], `${mode} value`, example);
		spec = mode === 'fixed-notional' ? { mode, amount: v } : { mode, fraction: v };
	} else throw new ValidationError(`Unknown sizing "${text}": use ${SIZING_FORMS}`);
	const p = sizingProblems(spec);
	if (p.length) throw new ValidationError(p.join('; '));
	return spec;
}

/** The text form of a portfolio sizing rule, as {@link parsePortfolioSizing} reads it. */
export function formatPortfolioSizing(spec: PortfolioSizingSpec): string {
	switch (spec.mode) {
		case 'equity-split':
			return 'equity-split';
		case 'fixed-notional':
			return `fixed-notional:${spec.amount}`;
		case 'equity-fraction':
			return `equity-fraction:${spec.fraction}`;
		case 'risk':
			return `risk:${spec.fraction}`;
	}
}

/**
 * A market's exchange rules from its parsed `exchangeInfo` entry (absent filters become 0 = no rule).
 * @param info symbol entry of {@link import('../data/binance-client').parseExchangeInfo}
 */
export function exchangeRulesOf(info: Pick<SymbolInfo, 'stepSize' | 'tickSize' | 'minNotional'>): ExchangeRules {
	return { stepSize: info.stepSize ?? 0, tickSize: info.tickSize ?? 0, minNotional: info.minNotional ?? 0 };
}
