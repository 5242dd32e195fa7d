import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import { equityCsv, exportName, runJson, tradesCsv } from '../../../src/lib/state/run-export';
import type { Run } from '../../../src/lib/state/runs.svelte';
import { loadReferenceCase, referenceWindow } from '../helpers/fixtures';
import { referenceTrades } from './reference-trades';

function s1Run(): Run {
	const w = referenceWindow('BTCUSDT');
	const ref = loadReferenceCase('S1', 'BTCUSDT');
	return {
		id: 'run-test-1',
		createdAt: 1,
		updatedAt: 2,
		status: 'completed',
		label: 'SMA cross 10/30 · BTCUSDT 1h',
		config: defaultConfig('sma-cross'),
		market: { symbol: 'BTCUSDT', interval: '1h', datasetId: 'x', firstOpenTime: w.openTime[0], lastOpenTime: w.openTime[8759], bars: 8760, source: 'binance', missingBars: 0 },
		result: {
			trades: referenceTrades(),
			equity: ref.equity,
			openTime: w.openTime,
			metrics: { finalEquity: ref.summary.final_equity, profitFactor: Infinity, sharpeRatio: NaN },
			ambiguousBars: 0,
			indicators: [{ id: 'sma10', label: 'SMA 10', pane: 'price', values: Float64Array.of(NaN, 1.5) }],
			elapsedMs: 1
		}
	};
}

describe('run exports', () => {
	it('writes every trade to CSV with values that parse back exactly', () => {
		const run = s1Run();
		const parsed = Papa.parse<Record<string, string>>(tradesCsv(run), { header: true, skipEmptyLines: true });
		const ref = loadReferenceCase('S1', 'BTCUSDT');
		expect(parsed.data).toHaveLength(ref.summary.n_trades);
		expect(parsed.data[0]).toMatchObject({ n: '1', direction: 'long', entry_time: '2025-07-29T10:00:00Z', entry_price: '118784.8', exit_reason: 'signal' });
		const pnl = parsed.data.reduce((s, r) => s + Number(r.pnl), 0);
		expect(pnl).toBeCloseTo(ref.summary.sum_trade_pnl, 6);
		expect(parsed.data.map((r) => Number(r.pnl))).toEqual(run.result!.trades.map((t) => t.pnl));
	});

	it('writes the equity curve with its drawdown; the deepest drawdown is the reference max drawdown', () => {
		const parsed = Papa.parse<Record<string, string>>(equityCsv(s1Run()), { header: true, skipEmptyLines: true });
		const ref = loadReferenceCase('S1', 'BTCUSDT');
		expect(parsed.data).toHaveLength(8760);
		expect(parsed.data[0].open_time).toBe('2025-07-25T17:00:00Z');
		expect(Number(parsed.data[8759].equity)).toBe(ref.summary.final_equity);
		const maxDd = Math.max(...parsed.data.map((r) => Number(r.drawdown_ratio)));
		expect(maxDd * 100).toBeCloseTo(ref.summary.max_drawdown_pct, 9);
	});

	it('writes the whole run as JSON with arrays and nulls for non-finite numbers', () => {
		const back = JSON.parse(runJson(s1Run()));
		expect(back.config).toEqual(defaultConfig('sma-cross'));
		expect(back.result.equity).toHaveLength(8760);
		expect(back.result.indicators[0].values).toEqual([null, 1.5]);
		expect(back.result.metrics).toEqual({ finalEquity: loadReferenceCase('S1', 'BTCUSDT').summary.final_equity, profitFactor: null, sharpeRatio: null });
		expect(exportName(s1Run())).toBe('BTCUSDT-1h-sma-cross-run-test-1');
	});
});
