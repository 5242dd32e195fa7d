import { describe, expect, it } from 'vitest';
import { computeMetrics, formatDuration, formatMetric, METRIC_INFO } from '../../../src/lib/metrics';
import { ValidationError } from '../../../src/lib/core/errors';
import { loadReference } from './reference-data';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('METRIC_INFO', () => {
	it('describes exactly the fields computeMetrics returns, each with a label and a one-line formula', () => {
		const m = computeMetrics(loadReference('S1.BTCUSDT').input);
		expect(METRIC_INFO.map((i) => i.key).sort()).toEqual(Object.keys(m).sort());
		expect(new Set(METRIC_INFO.map((i) => i.key)).size).toBe(METRIC_INFO.length);
		for (const i of METRIC_INFO) {
			expect(i.label.length, i.key).toBeGreaterThan(1);
			expect(i.formula.length, i.key).toBeGreaterThan(3);
			expect(i.formula, i.key).not.toMatch(/\n/);
		}
	});

	it('ratios are fractions: names ending in Ratio have unit ratio or number', () => {
		for (const i of METRIC_INFO.filter((x) => x.key.endsWith('Ratio'))) expect(['ratio', 'number'], i.key).toContain(i.unit);
		for (const i of METRIC_INFO.filter((x) => x.key.endsWith('Amount'))) expect(i.unit, i.key).toBe('quote');
		for (const i of METRIC_INFO.filter((x) => x.key.endsWith('Ms'))) expect(i.unit, i.key).toBe('ms');
	});
});

describe('formatMetric', () => {
	it('formats the S1 BTCUSDT reference values', () => {
		const m = computeMetrics(loadReference('S1.BTCUSDT').input);
		expect(formatMetric('maxDrawdownRatio', m.maxDrawdownRatio)).toBe('49.86%');
		expect(formatMetric('totalReturnRatio', m.totalReturnRatio)).toBe('-48.25%');
		expect(formatMetric('finalEquity', m.finalEquity)).toBe('5,174.69');
		expect(formatMetric('totalFees', m.totalFees)).toBe('2,287.44');
		expect(formatMetric('nTrades', m.nTrades)).toBe('168');
		expect(formatMetric('startTime', m.startTime)).toBe('2025-07-25T17:00:00Z');
		expect(formatMetric('spanMs', m.spanMs)).toBe('365d');
	});

	it('units, separators, durations, NaN and infinities', () => {
		expect(formatMetric('finalEquity', 1_234_567.891)).toBe('1,234,567.89');
		expect(formatMetric('sharpeRatio', -1.234)).toBe('-1.23');
		expect(formatMetric('winRate', 0.5)).toBe('50.00%');
		expect(formatMetric('totalReturnRatio', -0.00001)).toBe('0.00%'); // no "-0.00%"
		expect(formatMetric('nBars', 29259)).toBe('29,259');
		expect(formatMetric('averageTradeDurationBars', 25.6131)).toBe('25.6');
		expect(formatMetric('maxDrawdownDurationMs', 3 * DAY + 4 * HOUR)).toBe('3d 4h');
		expect(formatMetric('averageTradeDurationMs', 5.5 * HOUR)).toBe('5h 30m');
		expect(formatMetric('averageTradeDurationMs', 45 * 60_000)).toBe('45m');
		expect(formatDuration(2 * DAY)).toBe('2d');
		expect(formatDuration(23 * HOUR + 59.9 * 60_000)).toBe('1d');
		expect(formatMetric('sharpeRatio', NaN)).toBe('—');
		expect(formatMetric('profitFactor', Infinity)).toBe('∞');
		expect(formatMetric('sortinoRatio', -Infinity)).toBe('-∞');
		expect(() => formatMetric('sharpe', 1)).toThrow(ValidationError);
		expect(() => formatMetric('sharpe', 1)).toThrow(/sharpeRatio/);
	});
});
