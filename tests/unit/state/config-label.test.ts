import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import { configDifferences } from '../../../src/lib/state/config-label';
import { runLabel } from '../../../src/lib/state/runs.svelte';

describe('configDifferences', () => {
	const app = { ...defaultConfig('sma-cross'), slippageRate: 0.0005 };
	it('is empty for the app defaults and names each change', () => {
		expect(configDifferences(app)).toEqual([]);
		expect(
			configDifferences({
				...app,
				direction: 'long-short',
				feeRate: 0.002,
				slippageRate: 0,
				stopLoss: { mode: 'fraction', value: 0.02 },
				takeProfit: { mode: 'atr', value: 3 },
				sizing: { mode: 'equity-fraction', fraction: 0.5 },
				initialCash: 5000
			})
		).toEqual(['long & short', 'fee 0.2 %', 'slippage 0 %', 'SL 2 %', 'TP 3×ATR14', '50 % of equity', 'cash 5,000']);
		expect(configDifferences({ ...app, params: { fast: 12, slow: 30 } }, { params: true })).toEqual(['fast 12']);
	});
	it('makes run labels of the same strategy with other settings distinguishable', () => {
		expect(runLabel(app, 'BTCUSDT', '1h')).toBe('SMA cross 10/30 · BTCUSDT 1h');
		expect(runLabel({ ...app, stopLoss: { mode: 'fraction', value: 0.02 } }, 'BTCUSDT', '1h')).toBe('SMA cross 10/30 · BTCUSDT 1h · SL 2 %');
	});
});
