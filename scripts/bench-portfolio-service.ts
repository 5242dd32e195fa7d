/**
 * What a Portfolio-screen run costs in its worker beyond the simulation: the worker service's whole path
 * (load the markets into the core, run, copy the arrays out, the basket index, every statistic of
 * src/lib/metrics on the portfolio equity and combined trades, the SHA-256 fingerprint over all candles,
 * trades and events) beside the engine's load + run alone, for 5 and 100 markets × 17,5xx 1h bars,
 * sma-cross 10/30, equity-split, both breakers, one thread. Prints figures; asserts nothing.
 */
import { createNodePortfolioEngine } from '../src/lib/engine/node';
import { defaultPortfolioConfig } from '../src/lib/engine/portfolio-config';
import type { PortfolioConfig, PortfolioMarket } from '../src/lib/engine/types';
import { createPortfolioService } from '../src/lib/workers/portfolio-service';
import { portfolioBenchMarkets } from './bench-portfolio';

async function best(reps: number, f: () => unknown): Promise<number> {
	let min = Infinity;
	for (let r = 0; r < reps; r++) {
		const t0 = performance.now();
		await f();
		min = Math.min(min, performance.now() - t0);
	}
	return min;
}

/** Print the service path's wall time beside load + run of the engine alone. */
export async function benchPortfolioService(): Promise<void> {
	const { five, hundred } = portfolioBenchMarkets();
	const config: PortfolioConfig = {
		...defaultPortfolioConfig(),
		sizing: { mode: 'equity-split' },
		breakers: [
			{ kind: 'max-drawdown', threshold: 0.1, action: 'close-all', cooldownBars: 168 },
			{ kind: 'consecutive-losses', count: 3, action: 'reduce', factor: 0.5 }
		]
	};
	const engine = await createNodePortfolioEngine();
	const service = createPortfolioService(async () => ({ engine, version: engine.version }));
	for (const [label, markets, k] of [['5 markets', five, 3], ['100 markets', hundred, 20]] as [string, PortfolioMarket[], number][]) {
		const cfg = { ...config, maxPositions: k };
		const bars = markets.reduce((s, m) => s + m.ohlcv.openTime.length, 0);
		const reps = markets.length > 10 ? 3 : 8;
		const engineMs = await best(reps, () => {
			engine.load(markets);
			return engine.run(cfg);
		});
		// First run of a basket: every market's candles are hashed (no dataset ids given).
		const firstMs = await best(reps, () => service.runPortfolio({ markets, config: cfg, interval: '1h', intervalMs: 3_600_000 }));
		// Re-runs with other settings (the usual flow): candle hashes come from the worker's cache by dataset id.
		const datasetIds = markets.map((m, i) => `${m.symbol}#${i}`);
		const againMs = await best(reps, () => service.runPortfolio({ markets, config: cfg, interval: '1h', intervalMs: 3_600_000, datasetIds }));
		console.log(
			`portfolio-service: ${label} × ${Math.round(bars / markets.length).toLocaleString('en-US')} bars: engine load+run ${engineMs.toFixed(1)} ms; ` +
				`worker service (load, run, statistics, fingerprint) first run ${firstMs.toFixed(1)} ms = ${(firstMs / engineMs).toFixed(2)}×, ` +
				`re-run (markets still loaded, candle hashes cached) ${againMs.toFixed(1)} ms = ${(againMs / engineMs).toFixed(2)}× (measured under load)`
		);
	}
}
