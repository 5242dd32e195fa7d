/**
 * Symbol search for the market picker: exact matches first, then the base asset typed in full
 * (`eth` -> ETHUSDT, ETHBTC, ...), then symbols starting with the text, then symbols containing it;
 * inside each group the most traded symbols (24h quote volume) first, then by name. An optional
 * quote-asset filter keeps one quote asset (USDT, FDUSD, BTC, ...). Plain functions.
 */

/** What the search needs of a symbol (a SymbolInfo of exchangeInfo fits). */
export interface SearchableSymbol {
	symbol: string;
	baseAsset: string;
	quoteAsset: string;
}

/** Options of {@link rankSymbols}. */
export interface RankOptions {
	/** 24h quote volume by symbol (GET /api/v3/ticker/24hr); symbols without one rank after those with one. */
	volumes?: ReadonlyMap<string, number>;
	/** Keep only this quote asset (null/undefined: all). */
	quoteAsset?: string | null;
	/** At most this many results (default 30). */
	limit?: number;
}

/**
 * Rank symbols for a search text.
 * @param symbols - candidate symbols (e.g. TRADING symbols of exchangeInfo).
 * @param query - what the user typed; case, `/`, `-` and spaces are ignored (`eth/usdt` = `ETHUSDT`).
 * @param opts - volumes, quote-asset filter, limit.
 * @returns matching symbols, best first; with an empty query the most traded ones.
 */
export function rankSymbols<T extends SearchableSymbol>(symbols: readonly T[], query: string, opts: RankOptions = {}): T[] {
	const q = query.toUpperCase().replace(/[^A-Z0-9]/g, '');
	const quote = opts.quoteAsset?.toUpperCase() || null;
	const vol = opts.volumes;
	const limit = opts.limit ?? 30;
	const scored: { s: T; tier: number; v: number }[] = [];
	for (const s of symbols) {
		if (quote && s.quoteAsset !== quote) continue;
		let tier: number;
		if (!q) tier = 4;
		else if (s.symbol === q) tier = 0;
		else if (s.baseAsset === q) tier = 1;
		else if (s.symbol.startsWith(q)) tier = 2;
		else if (s.symbol.includes(q)) tier = 3;
		else continue;
		const v = vol?.get(s.symbol);
		scored.push({ s, tier, v: v !== undefined && Number.isFinite(v) ? v : -1 });
	}
	scored.sort((a, b) => a.tier - b.tier || b.v - a.v || (a.s.symbol < b.s.symbol ? -1 : a.s.symbol > b.s.symbol ? 1 : 0));
	return scored.slice(0, limit).map((x) => x.s);
}

/** Quote assets of a symbol list, most listed first (for the filter). */
export function quoteAssets(symbols: readonly SearchableSymbol[]): string[] {
	const n = new Map<string, number>();
	for (const s of symbols) n.set(s.quoteAsset, (n.get(s.quoteAsset) ?? 0) + 1);
	return [...n.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([q]) => q);
}
