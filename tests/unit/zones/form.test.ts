/**
 * The strategy form and the optimise form with enumeration parameters: selects hold option numbers, configurations
 * carry option names, a stored configuration with names reopens, and the seed-grid preset builds the 960-run job.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import { SearchSpace } from '../../../src/lib/optimize';
import { StrategyFormState } from '../../../src/lib/state/strategy-form.svelte';
import { OptimizeState, formatParamValue } from '../../../src/lib/state/optimize.svelte';

describe('enumerations in the forms', () => {
	it('strategy form: option numbers in the inputs, option names in the configuration, round trip', () => {
		const f = new StrategyFormState();
		f.selectStrategy('pattern-zones');
		expect(f.params.entryMethod).toBe(0);
		f.params.entryMethod = 1;
		f.params.pattern = 2;
		expect(f.valid).toBe(true);
		expect(f.config!.params).toMatchObject({ pattern: 'liquidity-sweep', entryMethod: 'zone-mid', tpMethod: 'fixed-rr', useOverlap: 1 });
		const g = new StrategyFormState();
		g.setConfig({ ...defaultConfig('pattern-zones'), params: { pattern: 'order-block', tpMethod: 'swing-target' } });
		expect(g.params.pattern).toBe(1);
		expect(g.params.tpMethod).toBe(2);
		expect(g.config!.params).toMatchObject({ pattern: 'order-block', tpMethod: 'swing-target' });
	});

	it('optimise form: the seed-grid preset is the 960-run fvg long-only grid', () => {
		const o = new OptimizeState();
		o.applySeedGridPreset();
		expect(o.strategy).toBe('pattern-zones');
		const ds = { id: 'x', ohlcv: { openTime: Float64Array.from([0, 3_600_000]) }, intervalMs: 3_600_000 } as never;
		const job = o.jobFor({ ...defaultConfig('sma-cross'), direction: 'long-short' }, ds);
		expect(job.config.direction).toBe('long');
		expect(job.config.params.pattern).toBe(0);
		const space = new SearchSpace({ strategy: 'pattern-zones', axes: job.axes, fixed: job.config.params });
		expect(space.size).toBe(960);
		expect(job.axes.map((a) => a.name).sort()).toEqual(['entryMethod', 'minZoneRatio', 'rrTarget', 'slBufferRatio', 'tpMethod', 'useOverlap']);
		expect(formatParamValue('pattern-zones', 'tpMethod', 2)).toBe('swing-target');
		expect(formatParamValue('sma-cross', 'fast', 7)).toBe('7');
		o.setStrategy('sma-cross');
		expect(o.directionOverride).toBeNull();
	});
});
