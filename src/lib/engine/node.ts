/**
 * Node entry of the engine (CLI, tests, benchmarks): loads assembly/build/release.wasm from disk.
 * Browser code uses {@link WasmEngine.create} with the fetched module instead (see src/lib/workers).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OhlcvColumns } from '../core/types';
import type { BacktestConfig, PortfolioConfig, PortfolioMarket } from './types';
import { WasmPortfolioEngine, type PortfolioResult } from './portfolio-engine';
import { engineBuildId } from './fingerprint';
import { WasmEngine, type BacktestResult } from './wasm-engine';

/**
 * Path of the compiled core; `debug` selects the unoptimised build with assertions. Found from this module in the
 * sources (src/lib/engine/) or in a command-line bundle (dist-cli/, see scripts/build-cli.mjs).
 * @returns the first candidate that exists, else the source-layout path (for the "not found" message).
 */
export function wasmPath(target: 'release' | 'debug' = 'release'): string {
	const candidates = [`../../../assembly/build/${target}.wasm`, `../assembly/build/${target}.wasm`].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
	return candidates.find((p) => existsSync(p)) ?? candidates[0];
}

let compiled: Promise<{ module: WebAssembly.Module; buildId: string }> | null = null;

/**
 * Create an engine instance from the compiled core on disk.
 * @throws Error with the build command when the wasm file is missing.
 */
export async function createNodeEngine(target: 'release' | 'debug' = 'release'): Promise<WasmEngine> {
	if (target === 'release') {
		compiled ??= compileFile(wasmPath('release'));
		const { module, buildId } = await compiled;
		return WasmEngine.create(module, { buildId });
	}
	const { module, buildId } = await compileFile(wasmPath(target));
	return WasmEngine.create(module, { buildId });
}

async function compileFile(path: string): Promise<{ module: WebAssembly.Module; buildId: string }> {
	let bytes: Uint8Array;
	try {
		bytes = new Uint8Array(readFileSync(path));
	} catch {
		throw new Error(`WASM core not found at ${path}: run \`npm run asbuild\` first.`);
	}
	return { module: await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>), buildId: engineBuildId(bytes) };
}

/**
 * Run one backtest in Node: load the candles into a fresh core instance and run the configuration.
 * @param ohlcv candles as columns (strictly ascending open times, finite values)
 * @param config backtest configuration (validated)
 * @returns trades, equity per bar and the core summary
 * @throws DataError for bad candles, ValidationError for a bad configuration
 */
export async function runBacktest(ohlcv: OhlcvColumns, config: BacktestConfig): Promise<BacktestResult> {
	const engine = await createNodeEngine();
	engine.load(ohlcv);
	return engine.run(config);
}

/**
 * Create a portfolio engine instance from the compiled core on disk (shares the compiled module).
 * @throws Error with the build command when the wasm file is missing.
 */
export async function createNodePortfolioEngine(): Promise<WasmPortfolioEngine> {
	compiled ??= compileFile(wasmPath('release'));
	const { module, buildId } = await compiled;
	return WasmPortfolioEngine.create(module, { buildId });
}

/**
 * Run one portfolio backtest in Node on a fresh core instance.
 * @param markets 1 … 200 markets of one interval, priority order
 * @throws DataError for bad candles, ValidationError for a bad configuration
 */
export async function runPortfolioBacktest(markets: PortfolioMarket[], config: PortfolioConfig): Promise<PortfolioResult> {
	const engine = await createNodePortfolioEngine();
	engine.load(markets);
	return engine.run(config);
}
