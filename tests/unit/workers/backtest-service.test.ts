/** The worker's API in-process: dataset kept per id, runs, faults and errors (real WASM core, real candles). */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { createBacktestService } from '../../../src/lib/workers/backtest-service';
import { loadReferenceCase, referenceWindow } from '../helpers/fixtures';
import { ATR } from 'technicalindicators';
import { tradeRows } from '../../../src/lib/metrics/trade-table';

const request = (datasetId: string, extra = {}) => ({ datasetId, config: defaultConfig('sma-cross'), intervalMs: 3_600_000, withIndicators: true, ...extra });

describe('backtest service (worker API)', () => {
	it('creates its engine once, loads a dataset under its id, and runs S1 with full metrics', async () => {
		let created = 0;
		const api = createBacktestService(() => (created++, createNodeEngine()));
		expect(await api.loadedDataset()).toBeNull();
		expect(await api.loadDataset('A', referenceWindow('BTCUSDT'))).toBe(8760);
		expect(await api.loadedDataset()).toBe('A');
		const r = await api.run(request('A'));
		const ref = loadReferenceCase('S1', 'BTCUSDT');
		expect(r.trades).toHaveLength(ref.summary.n_trades);
		expect(r.metrics.finalEquity).toBeCloseTo(ref.summary.final_equity, 6);
		expect(r.metrics.sharpeRatio).toBeTypeOf('number');
		expect(r.equity).toHaveLength(8760);
		expect(r.indicators.map((i) => i.label)).toEqual(['SMA 10', 'SMA 30']);
		// Results are copies, not views of WASM memory: a second run does not change the first.
		const before = Array.from(r.equity.slice(0, 50));
		await api.run(request('A', { config: { ...defaultConfig('sma-cross'), params: { fast: 5, slow: 60 } } }));
		expect(Array.from(r.equity.slice(0, 50))).toEqual(before);
		expect(created).toBe(1);
	});

	it('refuses a run for a dataset it does not hold, and invalid configurations', async () => {
		const api = createBacktestService(() => createNodeEngine());
		await api.loadDataset('A', referenceWindow('BTCUSDT'));
		await expect(api.run(request('B'))).rejects.toThrow('This worker holds dataset A, not B');
		await expect(api.run(request('A', { config: { ...defaultConfig('sma-cross'), params: { fast: 40, slow: 30 } } }))).rejects.toThrow(
			'fast must be smaller than slow'
		);
	});

	it('simulates the test faults: throw rejects, crash raises an uncaught error', async () => {
		const raised: Error[] = [];
		const api = createBacktestService(() => createNodeEngine(), (e) => raised.push(e));
		await api.loadDataset('A', referenceWindow('BTCUSDT'));
		await expect(api.run(request('A', { fault: 'throw' }))).rejects.toThrow('Test fault');
		void api.run(request('A', { fault: 'crash' }));
		await new Promise((r) => setTimeout(r, 0));
		expect(raised.map((e) => e.message)).toEqual(['Test fault: uncaught error in the backtest worker (test hook).']);
	});

	it('carries the ATR stop distance for R multiples: multiple × Wilder ATR (checked against technicalindicators), never drawn', async () => {
		const api = createBacktestService(() => createNodeEngine());
		const w = referenceWindow('BTCUSDT');
		await api.loadDataset('A', w);
		const config = { ...defaultConfig('sma-cross'), stopLoss: { mode: 'atr' as const, value: 2 }, atrPeriod: 14 };
		const r = await api.run(request('A', { config }));
		const line = r.indicators.find((i) => i.id === 'stop-atr')!;
		expect(line.pane).toBe('data');
		const ref = ATR.calculate({ high: Array.from(w.high), low: Array.from(w.low), close: Array.from(w.close), period: 14 });
		// technicalindicators' ATR starts at bar `period` (index 14 of the window).
		for (const i of [14, 100, 5000, 8759]) expect(line.values[i]).toBeCloseTo(2 * ref[i - 14], 6);
		const rows = tradeRows(r.trades, w, config.stopLoss, line.values);
		const t = rows.find((x) => x.trade.exitReason === 'stop_loss')!;
		// A stop-loss exit loses about 1 R (more with fees, slippage and gaps).
		expect(t.rMultiple!).toBeLessThan(-0.8);
		expect(t.rMultiple!).toBeGreaterThan(-3);
	});
});

