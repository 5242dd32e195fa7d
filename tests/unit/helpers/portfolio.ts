/**
 * The portfolio reference data (tests/fixtures/reference/PORTFOLIO.md): five real Binance 1h markets in their window.
 */
import type { PortfolioMarket } from '../../../src/lib/engine/types';
import { barIndexAt, loadKlinesCsv, sliceColumns } from './fixtures';

export const PORTFOLIO_SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT'] as const;
export const PORTFOLIO_WINDOW = { first: 1744761600000, last: 1776294000000, bars: 8760 } as const;

/** The five reference markets cut to the PORTFOLIO.md window. */
export function portfolioMarkets(): PortfolioMarket[] {
	return PORTFOLIO_SYMBOLS.map((symbol) => {
		const all = loadKlinesCsv(`klines/${symbol}-1h.csv`);
		const from = barIndexAt(all, PORTFOLIO_WINDOW.first);
		const to = barIndexAt(all, PORTFOLIO_WINDOW.last) + 1;
		return { symbol, ohlcv: sliceColumns(all, from, to) };
	});
}

