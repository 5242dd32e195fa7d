/** The five real 1h markets of the portfolio reference window (tests/fixtures/reference/PORTFOLIO.md), cut from tests/fixtures/klines. */
import type { PortfolioMarket } from '../../../src/lib/engine/types';
import { barIndexAt, loadKlinesCsv, sliceColumns } from './fixtures';

export const PORTFOLIO_SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT'] as const;
/** Open times (ms UTC) of the window's first and last bar: 2025-04-16T00:00Z .. 2026-04-15T23:00Z, 8,760 bars. */
export const PORTFOLIO_WINDOW = { first: 1744761600000, last: 1776294000000, bars: 8760 } as const;

let cache: PortfolioMarket[] | null = null;

/** The five markets cut to the window (cached; do not modify the columns). */
export function windowMarkets(): PortfolioMarket[] {
	cache ??= PORTFOLIO_SYMBOLS.map((symbol) => {
		const all = loadKlinesCsv(`klines/${symbol}-1h.csv`);
		return { symbol, ohlcv: sliceColumns(all, barIndexAt(all, PORTFOLIO_WINDOW.first), barIndexAt(all, PORTFOLIO_WINDOW.last) + 1) };
	});
	return cache;
}
