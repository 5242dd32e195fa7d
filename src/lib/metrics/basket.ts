/**
 * Equal-weight buy-and-hold basket of several markets, the benchmark of a portfolio run.
 */

/**
 * Equal-weight basket index on a union timeline: `index[u] = mean_m(close_m(u) / firstClose_m)`, where `close_m(u)` is
 * market m's last close at or before union bar u (its first close before its first bar, so a market counts 1 until
 * it starts). Passed as `close` to computeMetrics it makes `buyHoldReturnRatio` the return of holding equal amounts
 * of every market from the start.
 * @param openTime union open times (ms UTC, ascending), length T
 * @param markets each market's own open times and closes (ascending, subsets of `openTime`)
 * @returns Float64Array of length T (1 at the first bar when every market starts there)
 */
export function equalWeightBasket(openTime: Float64Array, markets: { openTime: ArrayLike<number>; close: ArrayLike<number> }[]): Float64Array {
	const T = openTime.length;
	const out = new Float64Array(T);
	for (const m of markets) {
		const n = m.openTime.length;
		if (n === 0) continue;
		const first = m.close[0];
		let j = 0;
		let last = first;
		for (let u = 0; u < T; u++) {
			while (j < n && m.openTime[j] <= openTime[u]) last = m.close[j++];
			out[u] += last / first / markets.length;
		}
	}
	return out;
}
