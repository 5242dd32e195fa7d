import { describe, expect, it } from 'vitest';
import { defaultConfig, getStrategy, validateConfig } from '../../../src/lib/engine/strategies';
import { StrategyFormState, fractionToPct, pctToFraction } from '../../../src/lib/state/strategy-form.svelte';

describe('percent conversion', () => {
	it('turns typed percentages into exact fractions and back', () => {
		expect(pctToFraction(0.1)).toBe(0.001);
		expect(pctToFraction(0.07)).toBe(0.0007);
		expect(pctToFraction(100)).toBe(1);
		expect(fractionToPct(0.001)).toBe(0.1);
		expect(fractionToPct(0.0007)).toBe(0.07);
	});
});

describe('StrategyFormState', () => {
	it('starts on the registry defaults with the app costs (fee 0.1 %, slippage 0.05 %)', () => {
		const f = new StrategyFormState();
		expect(f.errors).toEqual({});
		expect(f.valid).toBe(true);
		expect(f.config).toEqual({ ...defaultConfig('sma-cross'), feeRate: 0.001, slippageRate: 0.0005 });
		expect(f.slippagePct).toBe(0.05);
		f.slippagePct = 0;
		expect(f.config).toEqual(defaultConfig('sma-cross'));
	});

	it('gives an inline message for an out-of-range parameter and blocks the run', () => {
		const f = new StrategyFormState();
		f.params.fast = 1;
		expect(f.errors['param.fast']).toBe('fast must be between 2 and 500, got 1');
		expect(f.valid).toBe(false);
		expect(f.config).toBeNull();
		f.params.fast = 12.5;
		expect(f.errors['param.fast']).toMatch(/whole number/);
		f.params.fast = null;
		expect(f.errors['param.fast']).toMatch(/required/);
		f.params.fast = 12;
		expect(f.valid).toBe(true);
		expect(f.config?.params).toEqual({ fast: 12, slow: 30 });
	});

	it('reports a broken cross-parameter constraint', () => {
		const f = new StrategyFormState();
		f.params.fast = 40;
		expect(f.errors.params).toBe('fast must be smaller than slow');
		expect(f.config).toBeNull();
	});

	it('switching strategy loads that strategy\'s defaults and schema', () => {
		const f = new StrategyFormState();
		f.selectStrategy('rsi-mean-reversion');
		expect(Object.keys(f.params)).toEqual(getStrategy('rsi-mean-reversion').params.map((p) => p.name));
		expect(f.config?.params).toEqual({ period: 14, oversold: 30, overbought: 70, exitOnMid: 0 });
	});

	it('converts costs, levels and sizing typed in percent into a config the registry accepts', () => {
		const f = new StrategyFormState();
		f.direction = 'long-short';
		f.feePct = 0.075;
		f.slippagePct = 0.05;
		f.stopLossMode = 'fraction';
		f.stopLossValue = 2;
		f.takeProfitMode = 'atr';
		f.takeProfitValue = 3;
		f.atrPeriod = 20;
		f.sizingMode = 'risk';
		f.sizingPct = 1;
		const c = f.config!;
		expect(c).not.toBeNull();
		expect(c.feeRate).toBe(0.00075);
		expect(c.slippageRate).toBe(0.0005);
		expect(c.stopLoss).toEqual({ mode: 'fraction', value: 0.02 });
		expect(c.takeProfit).toEqual({ mode: 'atr', value: 3 });
		expect(c.sizing).toEqual({ mode: 'risk', fraction: 0.01 });
		expect(() => validateConfig(c)).not.toThrow();
	});

	it('flags invalid settings field by field', () => {
		const f = new StrategyFormState();
		f.feePct = -1;
		f.initialCash = 0;
		f.stopLossMode = 'fraction';
		f.stopLossValue = 100;
		f.sizingMode = 'risk';
		f.stopLossMode = 'none';
		expect(Object.keys(f.errors).sort()).toEqual(['feePct', 'initialCash', 'sizingMode']);
		expect(f.errors.initialCash).toMatch(/Initial cash must be above 0/);
		f.stopLossMode = 'fraction';
		expect(f.errors.stopLossValue).toMatch(/Stop-loss must be above 0 below 100 %/);
	});

	it('round-trips a stored config through setConfig', () => {
		const f = new StrategyFormState();
		const c = { ...defaultConfig('ema-atr-breakout'), feeRate: 0.0004, stopLoss: { mode: 'atr', value: 2 } as const, sizing: { mode: 'fixed-notional', amount: 500 } as const };
		f.setConfig(c);
		expect(f.config).toEqual(c);
	});
});
