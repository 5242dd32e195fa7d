/**
 * Workloads of the kernel benchmark (scripts/bench-kernel.ts in Node, scripts/bench-kernel-browser.ts in Chromium):
 * optimisation grids of the four built-in strategies as flat run() argument rows, on the last 17,520 real BTCUSDT 1h
 * bars, plus the minimal-loop probe's (fast, slow) pairs. Plain data, so the same rows run in Node and in a page.
 */
import { defaultConfig } from '../src/lib/engine/strategies';
import { toRunScalars } from '../src/lib/engine/wasm-engine';
import type { BacktestConfig } from '../src/lib/engine/types';
import { loadSymbolKlines, sliceColumns } from '../tests/unit/helpers/fixtures';
import type { OhlcvColumns } from '../src/lib/core/types';
import { RUN_ARGS, type KernelGrid, type ProbeGrid } from '../src/bench-routes/dev/kernel-bench/runner';

export { RUN_ARGS, type KernelGrid, type ProbeGrid };

function row(config: BacktestConfig): number[] {
	const s = toRunScalars(config);
	return [
		s.strategy, ...s.p, s.longShort, s.fee, s.slippage, s.initialCash,
		s.slMode, s.slValue, s.tpMode, s.tpValue, s.atrPeriod, s.sizingMode, s.sizingValue, 0
	];
}

function grid(id: string, label: string, configs: BacktestConfig[]): KernelGrid {
	const rows: number[] = [];
	for (const c of configs) rows.push(...row(c));
	return { id, label, count: configs.length, rows };
}

const range = (a: number, b: number, step = 1) => Array.from({ length: Math.floor((b - a) / step) + 1 }, (_, i) => a + i * step);

/** The last 17,520 bars of the BTCUSDT 1h fixture (the optimisation bench's data). */
export function kernelBars(): OhlcvColumns {
	const all = loadSymbolKlines('BTCUSDT');
	const n = all.openTime.length;
	return sliceColumns(all, n - 17_520, n);
}

/**
 * The grids: sma-cross fast 2..101 × slow 102..201 (10,000) with SL 2 % / TP 4 % (the probe's workload) and without
 * levels (the optimisation screen's job); 2,000 trials of each other built-in strategy.
 */
export function kernelGrids(): { grids: KernelGrid[]; probe: ProbeGrid } {
	const sma = defaultConfig('sma-cross');
	const levels: BacktestConfig = { ...sma, stopLoss: { mode: 'fraction', value: 0.02 }, takeProfit: { mode: 'fraction', value: 0.04 } };
	const smaRows: BacktestConfig[] = [];
	const smaPlain: BacktestConfig[] = [];
	const pairs: number[] = [];
	for (const fast of range(2, 101))
		for (const slow of range(102, 201)) {
			smaRows.push({ ...levels, params: { fast, slow } });
			smaPlain.push({ ...sma, params: { fast, slow } });
			pairs.push(fast, slow);
		}
	const rsi: BacktestConfig[] = [];
	for (const period of range(5, 44))
		for (const oversold of range(20, 40, 5))
			for (const overbought of range(60, 80, 5))
				for (const exitOnMid of [false, true]) rsi.push({ ...defaultConfig('rsi-mean-reversion'), params: { period, oversold, overbought, exitOnMid } });
	const ema: BacktestConfig[] = [];
	for (const emaPeriod of range(10, 59))
		for (const atrPeriod of [7, 14, 21, 28])
			for (const atrMultiplier of [0.5, 1, 1.5, 2, 2.5])
				for (const volumeFilter of [false, true]) ema.push({ ...defaultConfig('ema-atr-breakout'), params: { emaPeriod, atrPeriod, atrMultiplier, volumeFilter, volumePeriod: 20 } });
	const mom: BacktestConfig[] = [];
	for (const rsiPeriod of range(5, 44))
		for (const atrPeriod of [7, 14, 21, 28, 35])
			for (const longRsiMin of range(50, 70, 5))
				for (const direction of ['long', 'long-short'] as const)
					mom.push({ ...defaultConfig('rsi-atr-momentum'), direction, params: { rsiPeriod, atrPeriod, longRsiMin, longRsiMax: longRsiMin + 15 } });
	return {
		grids: [
			grid('sma-levels', 'sma-cross 10,000, SL 2 % / TP 4 %', smaRows),
			grid('sma', 'sma-cross 10,000, no levels', smaPlain),
			grid('rsi-mr', 'rsi-mean-reversion 2,000', rsi),
			grid('ema-atr', 'ema-atr-breakout 2,000', ema),
			grid('rsi-atr', 'rsi-atr-momentum 2,000', mom)
		],
		probe: { pairs, fee: 0.001, sl: 0.02, tp: 0.04, cash: 10_000 }
	};
}
