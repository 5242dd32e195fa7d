/**
 * What a backtest worker does for a portfolio run, as plain TypeScript (no worker or DOM globals),
 * so the same code runs inside the Web Worker (backtest-worker.ts) and in Node tests: load the
 * markets into the portfolio core, run the configuration, compute the statistics of the portfolio
 * equity and the combined trades (src/lib/metrics), fingerprint the run, and return results whose
 * arrays are copied out of WASM memory and marked for transfer.
 */
import { transfer } from 'comlink';
import { candleDataHash, fingerprintPortfolioRun, portfolioDataHashOf } from '../engine/fingerprint';
import type { PortfolioConfig, PortfolioMarket, PortfolioSimulationOutput } from '../engine/types';
import { computeMetrics } from '../metrics';
import type { PortfolioRunRequest, PortfolioRunResponse, PortfolioWorkerApi } from './portfolio-protocol';
import type { CoreSummaryLike } from './protocol';

/** Candle hashes a worker keeps (one per market dataset; a basket of 200 markets fits twice). */
const HASH_CACHE_SIZE = 400;

/** The part of the portfolio engine (WasmPortfolioEngine) the service uses. */
export interface PortfolioEngineLike {
	load(markets: PortfolioMarket[]): void;
	run(config: PortfolioConfig): PortfolioSimulationOutput & { summary: object; liquidations?: number; ordersAdjusted?: number; ordersSkipped?: number };
}

/**
 * Equal-weight buy-and-hold index of a basket on the union of open times: at each union bar, the
 * mean over markets of `lastClose_m / firstClose_m` (a market counts 1 before its first bar and keeps
 * its last close over its gaps and after its last bar).
 * @param markets - the markets (their own bars, ascending open times).
 * @param openTime - union of their open times, ascending, length T.
 * @returns Float64Array, length T; `index[T-1] - 1` is the basket's buy-and-hold return (no fees).
 */
export function basketIndex(markets: readonly PortfolioMarket[], openTime: Float64Array): Float64Array {
	const T = openTime.length;
	const out = new Float64Array(T);
	if (!markets.length) return out.fill(1);
	const pos = new Array<number>(markets.length).fill(0);
	const rel = new Float64Array(markets.length).fill(1);
	for (let u = 0; u < T; u++) {
		const t = openTime[u];
		let sum = 0;
		for (let m = 0; m < markets.length; m++) {
			const o = markets[m].ohlcv;
			while (pos[m] < o.openTime.length && o.openTime[pos[m]] <= t) {
				rel[m] = o.close[pos[m]] / o.close[0];
				pos[m]++;
			}
			sum += rel[m];
		}
		out[u] = sum / markets.length;
	}
	return out;
}

/**
 * Create the portfolio part of the worker API.
 * @param getEngine - creates the worker's portfolio engine and gives its version (`ENGINE_SEMVER+buildId`); called once
 *   (again only after a failure), its result is reused.
 * @param raiseUncaught - how to raise an error outside any call (test fault `crash`).
 */
export function createPortfolioService(
	getEngine: () => Promise<{ engine: PortfolioEngineLike; version: string }>,
	raiseUncaught: (e: Error) => void = (e) =>
		setTimeout(() => {
			throw e;
		})
): PortfolioWorkerApi {
	let enginePromise: Promise<{ engine: PortfolioEngineLike; version: string }> | null = null;
	/** Identity of the markets loaded in the core (dataset ids, symbols, rules), or null when unknown. */
	let loadedKey: string | null = null;
	/** SHA-256 of a market's candles by dataset id (most recent {@link HASH_CACHE_SIZE}). */
	const hashes = new Map<string, string>();
	const candleHash = (m: PortfolioMarket, id: string | undefined): string => {
		if (id === undefined) return candleDataHash(m.ohlcv);
		let h = hashes.get(id);
		if (h === undefined) {
			h = candleDataHash(m.ohlcv);
			hashes.set(id, h);
			if (hashes.size > HASH_CACHE_SIZE) hashes.delete(hashes.keys().next().value as string);
		}
		return h;
	};
	const engineOnce = () =>
		(enginePromise ??= getEngine().catch((e: unknown) => {
			enginePromise = null;
			throw e;
		}));
	return {
		async runPortfolio(request: PortfolioRunRequest): Promise<PortfolioRunResponse> {
			if (request.fault === 'throw') throw new Error('Test fault: the backtest worker threw on purpose (test hook).');
			if (request.fault === 'crash') {
				raiseUncaught(new Error('Test fault: uncaught error in the backtest worker (test hook).'));
				return new Promise<never>(() => {});
			}
			const { markets, config } = request;
			if (!markets.length) throw new Error('A portfolio needs at least one market with candles.');
			const { engine, version } = await engineOnce();
			const t0 = performance.now();
			// The same markets (dataset ids and rules) as the last run are still in the core: skip the reload.
			const key = request.datasetIds?.length === markets.length ? JSON.stringify([request.datasetIds, markets.map((m) => m.symbol), markets.map((m) => m.rules ?? null)]) : null;
			if (key === null || key !== loadedKey) {
				loadedKey = null;
				engine.load(markets);
				loadedKey = key;
			}
			const r = engine.run(config);
			const elapsedMs = performance.now() - t0;
			// Copy out of WASM memory before transferring (a transfer would detach the engine's memory).
			const openTime = Float64Array.from(r.openTime);
			const equity = Float64Array.from(r.equity);
			const openPositions = Float64Array.from(r.openPositions);
			const basket = basketIndex(markets, openTime);
			const trades = r.trades.map((t) => ({ ...t }));
			const events = r.events.map((e) => ({ ...e }));
			const metrics = computeMetrics({
				openTime,
				close: basket,
				equity,
				trades,
				initialCash: config.initialCash,
				intervalMs: request.intervalMs,
				ambiguousBars: r.ambiguousBars
			}) as unknown as Record<string, number>;
			const fingerprint = fingerprintPortfolioRun({
				engineVersion: version,
				symbols: markets.map((m) => m.symbol),
				interval: request.interval,
				dataHash: portfolioDataHashOf(markets.map((m, i) => ({ symbol: m.symbol, dataHash: candleHash(m, request.datasetIds?.[i]) }))),
				config,
				rules: markets.map((m) => m.rules ?? null),
				trades,
				events
			});
			const response: PortfolioRunResponse = {
				symbols: [...r.symbols],
				openTime,
				equity,
				openPositions,
				basket,
				trades,
				events,
				attribution: r.attribution.map((a) => ({ ...a })),
				ambiguousBars: r.ambiguousBars,
				liquidations: r.liquidations ?? r.trades.filter((t) => t.exitReason === 'liquidation').length,
				ordersAdjusted: r.ordersAdjusted ?? 0,
				ordersSkipped: r.ordersSkipped ?? 0,
				metrics: { ...metrics },
				summary: { ...(r.summary as CoreSummaryLike) },
				elapsedMs,
				fingerprint
			};
			return transfer(response, [openTime.buffer, equity.buffer, openPositions.buffer, basket.buffer] as ArrayBuffer[]);
		}
	};
}
