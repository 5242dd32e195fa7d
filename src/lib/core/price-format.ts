/**
 * Price and amount display rules shared by the chart, the trades table and the statistics: prices
 * are shown with the market's own precision, the number of decimals of its tick size (Binance
 * `exchangeInfo` PRICE_FILTER.tickSize) when known, else the decimals the candles themselves carry;
 * amounts are labelled with the market's quote asset (`USDT`), never "quote". Plain functions.
 */

/** Most decimals any Binance spot price carries (klines are printed with 8). */
export const MAX_PRICE_DECIMALS = 8;

/**
 * Decimals of a tick size: 0.01 -> 2, 0.00001 -> 5, 0.5 -> 1, 1 -> 0, 10 -> 0.
 * @param tickSize - smallest price step (> 0), in the quote asset.
 * @returns whole number from 0 to {@link MAX_PRICE_DECIMALS}.
 * @throws RangeError when `tickSize` is not a finite positive number.
 */
export function tickDecimals(tickSize: number): number {
	if (!(Number.isFinite(tickSize) && tickSize > 0)) throw new RangeError(`tickSize must be a positive number, got ${tickSize}`);
	for (let d = 0; d < MAX_PRICE_DECIMALS; d++) {
		const scaled = tickSize * 10 ** d;
		if (Math.abs(scaled - Math.round(scaled)) <= 1e-9 * Math.max(1, scaled)) return d;
	}
	return MAX_PRICE_DECIMALS;
}

/**
 * Decimals the values themselves carry: the smallest `d` such that every sampled value is a whole
 * number of `10^-d` (within float noise), e.g. BTCUSDT candles (58400, 66650.03) -> 2.
 * @param values - prices (NaN and non-finite values are skipped).
 * @param maxSamples - at most this many values are inspected, evenly spread (default 4,000).
 * @returns 0 to {@link MAX_PRICE_DECIMALS}; 2 when there is no finite value.
 */
export function dataDecimals(values: ArrayLike<number>, maxSamples = 4000): number {
	const n = values.length;
	const step = Math.max(1, Math.floor(n / maxSamples));
	let best = -1;
	for (let i = 0; i < n; i += step) {
		const v = Math.abs(values[i]);
		if (!Number.isFinite(v)) continue;
		let d = Math.max(0, best);
		for (; d < MAX_PRICE_DECIMALS; d++) {
			const scaled = v * 10 ** d;
			if (Math.abs(scaled - Math.round(scaled)) <= Math.max(1, scaled) * 1e-12) break;
		}
		if (d > best) best = d;
		if (best >= MAX_PRICE_DECIMALS) return MAX_PRICE_DECIMALS;
	}
	return best < 0 ? 2 : best;
}

/**
 * Decimals to show a market's prices with: from the tick size when known, else from the candles.
 * @param tickSize - PRICE_FILTER.tickSize, or null/undefined when unknown (offline, imported symbol).
 * @param prices - the market's prices (e.g. close column) for the fallback.
 */
export function priceDecimals(tickSize: number | null | undefined, prices: ArrayLike<number> | null | undefined): number {
	if (tickSize && Number.isFinite(tickSize) && tickSize > 0) return tickDecimals(tickSize);
	return prices && prices.length ? dataDecimals(prices) : 2;
}

const formatters = new Map<number, Intl.NumberFormat>();

/**
 * A price with exactly `decimals` decimals and thousands separators: `formatPrice(66650.0254, 2)` -> `66,650.03`.
 * @returns `—` for a non-finite value.
 */
export function formatPrice(value: number, decimals: number): string {
	if (!Number.isFinite(value)) return '—';
	let f = formatters.get(decimals);
	if (!f) {
		f = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
		formatters.set(decimals, f);
	}
	return f.format(value);
}

/** Quote assets recognised from a symbol's suffix when exchangeInfo is not available, longest first. */
export const KNOWN_QUOTE_ASSETS = ['FDUSD', 'USDT', 'USDC', 'TUSD', 'BUSD', 'EUR', 'TRY', 'BRL', 'JPY', 'BTC', 'ETH', 'BNB', 'DAI', 'GBP', 'AUD'] as const;

/**
 * The quote asset of a symbol: from exchangeInfo when the symbol is listed there, else from a
 * known suffix (`ETHBTC` -> `BTC`, `BTCUSDT` -> `USDT`).
 * @param symbol - Binance symbol, upper case.
 * @param listed - symbols with their quote asset (exchangeInfo), optional.
 * @returns the asset name, or `quote` when neither source knows it.
 */
export function quoteAssetOf(symbol: string, listed?: readonly { symbol: string; quoteAsset: string }[]): string {
	const hit = listed?.find((s) => s.symbol === symbol);
	if (hit) return hit.quoteAsset;
	const suffix = [...KNOWN_QUOTE_ASSETS].sort((a, b) => b.length - a.length).find((q) => symbol.endsWith(q) && symbol.length > q.length);
	return suffix ?? 'quote';
}
