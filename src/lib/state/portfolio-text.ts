/**
 * Plain helpers of the Portfolio screen (no runes, no DOM): market-list editing, leveraged-token
 * detection for the "top N by volume" pick, and the wording of sizing, breakers and run labels used
 * by the screen, the exports and the HTML report.
 */
import { getStrategy } from '../engine/strategies';
import type { BreakerSpec, PortfolioConfig, PortfolioSizingSpec } from '../engine/types';

/** Most markets a portfolio may hold (SEMANTICS.md "Portfolios": 1 … 200). */
export const MAX_PORTFOLIO_MARKETS = 200;

/** Binance's leveraged-token suffixes (BTCUP, ETHDOWN, XRPBULL, EOSBEAR: delisted since 2022 but still in old listings). */
const LEVERAGED_SUFFIXES = ['UP', 'DOWN', 'BULL', 'BEAR'] as const;

/**
 * Whether a base asset is a Binance leveraged token: `<ASSET><UP|DOWN|BULL|BEAR>` where `<ASSET>` is
 * itself a listed base asset (so `BTCUP` is one, while `SYRUP` or `JUP` are not unless `SYR` / `J` are listed).
 * @param baseAsset - e.g. `BTCUP`.
 * @param listedBases - every base asset of the exchange's symbol list.
 */
export function isLeveragedToken(baseAsset: string, listedBases: ReadonlySet<string>): boolean {
	for (const s of LEVERAGED_SUFFIXES) {
		if (baseAsset.length > s.length && baseAsset.endsWith(s) && listedBases.has(baseAsset.slice(0, -s.length))) return true;
	}
	return false;
}

/**
 * Normalise a typed symbol: upper case, `btc/usdt` -> `BTCUSDT`.
 * @returns the symbol, or null when it cannot be a Binance symbol (2-20 of A-Z, 0-9).
 */
export function normaliseSymbol(text: string): string | null {
	const s = text.toUpperCase().replace(/[^A-Z0-9]/g, '');
	return /^[A-Z0-9]{2,20}$/.test(s) ? s : null;
}

/**
 * Add symbols to a market list, keeping its order (the priority order), skipping duplicates and
 * stopping at {@link MAX_PORTFOLIO_MARKETS}.
 * @returns the new list (the input is not changed).
 */
export function addSymbols(list: readonly string[], add: readonly string[]): string[] {
	const out = [...list];
	for (const s of add) {
		if (out.length >= MAX_PORTFOLIO_MARKETS) break;
		if (!out.includes(s)) out.push(s);
	}
	return out;
}

/**
 * Move a symbol one place up (`-1`) or down (`+1`) in the priority order.
 * @returns the new list (unchanged when the move leaves the list).
 */
export function moveSymbol(list: readonly string[], symbol: string, by: -1 | 1): string[] {
	const i = list.indexOf(symbol);
	const j = i + by;
	if (i < 0 || j < 0 || j >= list.length) return [...list];
	const out = [...list];
	[out[i], out[j]] = [out[j], out[i]];
	return out;
}

const pct = (v: number) => `${+(v * 100).toPrecision(10)} %`;

/**
 * Portfolio sizing in words: `2,000 per trade`, `equity ÷ K per trade`, `50 % of equity`, `risk 1 % to stop`.
 * @param sizing - the sizing definition.
 */
export function describePortfolioSizing(sizing: PortfolioSizingSpec): string {
	switch (sizing.mode) {
		case 'fixed-notional':
			return `${sizing.amount.toLocaleString('en-US')} per trade`;
		case 'equity-split':
			return 'equity ÷ K per trade';
		case 'risk':
			return `risk ${pct(sizing.fraction)} of equity to stop`;
		default:
			return `${pct(sizing.fraction)} of equity per trade`;
	}
}

/**
 * A circuit breaker in words: `max drawdown 10 % → close all, 168-bar cooldown`,
 * `3 losses in a row → size × 0.5`.
 */
export function describeBreaker(b: BreakerSpec): string {
	if (b.kind === 'max-drawdown') return `max drawdown ${pct(b.threshold)} → close all, ${b.cooldownBars}-bar cooldown`;
	return `${b.count} losses in a row → size × ${b.factor}`;
}

/** The command-line spelling of a breaker (`max-drawdown:0.1:close-all:168`, `consecutive-losses:3:reduce:0.5`). */
export function breakerArg(b: BreakerSpec): string {
	return b.kind === 'max-drawdown' ? `max-drawdown:${b.threshold}:close-all:${b.cooldownBars}` : `consecutive-losses:${b.count}:reduce:${b.factor}`;
}

/** The command-line spelling of a sizing (`fixed-notional:2000`, `equity-split`, `risk:0.01`, `equity-fraction:0.5`). */
export function sizingArg(s: PortfolioSizingSpec): string {
	switch (s.mode) {
		case 'fixed-notional':
			return `fixed-notional:${s.amount}`;
		case 'equity-split':
			return 'equity-split';
		default:
			return `${s.mode}:${s.fraction}`;
	}
}

/** `SMA cross 10/30 · 5 markets 1h · K 3` */
export function portfolioLabel(config: PortfolioConfig, markets: number, interval: string): string {
	const def = getStrategy(config.strategy);
	const values = def.params.map((p) => config.params[p.name] ?? p.default).map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
	return `${def.name} ${values.join('/')} · ${markets} market${markets === 1 ? '' : 's'} ${interval} · K ${config.maxPositions}`;
}

/** Exit reasons as shown in tables. */
export const EXIT_REASON_LABEL: Readonly<Record<string, string>> = Object.freeze({
	signal: 'Signal',
	stop_loss: 'Stop-loss',
	take_profit: 'Take-profit',
	end_of_data: 'End of data',
	circuit_breaker: 'Breaker',
	liquidation: 'Liquidation'
});

/** A span of bars during which a max-drawdown breaker blocked entries: from its trip to its release (union bar indices, inclusive). */
export interface CooldownSpan {
	tripBar: number;
	/** Release bar, or the last bar when the run ended before the release. */
	releaseBar: number;
	released: boolean;
	/** Drawdown fraction at the trip. */
	drawdown: number;
}

/**
 * Cooldown spans of the max-drawdown breaker from a run's events (each trip paired with the next release).
 * @param events - breaker events in engine order.
 * @param lastBar - index of the run's last union bar (T - 1).
 */
export function cooldownSpans(events: readonly { bar: number; type: string; action: string; value: number }[], lastBar: number): CooldownSpan[] {
	const out: CooldownSpan[] = [];
	let open: CooldownSpan | null = null;
	for (const e of events) {
		if (e.type !== 'max-drawdown') continue;
		if (e.action === 'trip') {
			open = { tripBar: e.bar, releaseBar: lastBar, released: false, drawdown: e.value };
			out.push(open);
		} else if (open) {
			open.releaseBar = e.bar;
			open.released = true;
			open = null;
		}
	}
	return out;
}

/** Spans during which the consecutive-losses breaker reduced new entries (trip to release, union bars inclusive). */
export function reducedSpans(events: readonly { bar: number; type: string; action: string }[], lastBar: number): Array<{ tripBar: number; releaseBar: number; released: boolean }> {
	const out: Array<{ tripBar: number; releaseBar: number; released: boolean }> = [];
	let open: { tripBar: number; releaseBar: number; released: boolean } | null = null;
	for (const e of events) {
		if (e.type !== 'consecutive-losses') continue;
		if (e.action === 'trip') {
			open = { tripBar: e.bar, releaseBar: lastBar, released: false };
			out.push(open);
		} else if (open) {
			open.releaseBar = e.bar;
			open.released = true;
			open = null;
		}
	}
	return out;
}
