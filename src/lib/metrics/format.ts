/**
 * Display formatting of statistics for the statistics table and the CLI. Locale-independent (en-US digits).
 */
import { ValidationError } from '../core/errors';
import { isoUtc } from '../core/timeframe';
import { METRIC_INFO, metricInfo } from './info';
import type { MetricUnit } from './types';

const fixed2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2, signDisplay: 'negative' });
const upTo1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, signDisplay: 'negative' });
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0, signDisplay: 'negative' });

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/**
 * Human duration of `ms`: `"3d 4h"` from one day, `"5h 30m"` from one hour, `"45m"` from one minute,
 * `"12s"` below a minute (rounded to the smallest shown unit).
 * @param ms - duration in milliseconds (negative durations get a leading minus).
 */
export function formatDuration(ms: number): string {
	if (Number.isNaN(ms)) return '—';
	if (!Number.isFinite(ms)) return ms > 0 ? '∞' : '-∞';
	const sign = ms < 0 ? '-' : '';
	const a = Math.abs(ms);
	if (a >= DAY) {
		const hours = Math.round(a / HOUR);
		const d = Math.floor(hours / 24);
		const h = hours % 24;
		return `${sign}${integer.format(d)}d${h ? ` ${h}h` : ''}`;
	}
	if (a >= HOUR) {
		const minutes = Math.round(a / MINUTE);
		const h = Math.floor(minutes / 60);
		const m = minutes % 60;
		return h >= 24 ? `${sign}1d` : `${sign}${h}h${m ? ` ${m}m` : ''}`;
	}
	if (a >= MINUTE) {
		const m = Math.round(a / MINUTE);
		return m >= 60 ? `${sign}1h` : `${sign}${m}m`;
	}
	const s = Math.round(a / 1000);
	return s >= 60 ? `${sign}1m` : `${sign}${s}s`;
}

/**
 * Format a value of a given unit for display: ratio -> percent with 2 decimals (`"12.34%"`), quote -> 2 decimals
 * with thousands separators (`"1,234.56"`), count -> integer with separators, bars -> up to 1 decimal,
 * ms -> duration (`"3d 4h"`), time -> ISO-8601 UTC, number -> 2 decimals. NaN -> `"—"`, ±Infinity -> `"∞"` / `"-∞"`.
 * @param unit - the metric's unit.
 * @param value - the value in that unit.
 */
export function formatValue(unit: MetricUnit, value: number): string {
	if (Number.isNaN(value)) return '—';
	if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
	switch (unit) {
		case 'ratio':
			return `${fixed2.format(value * 100)}%`;
		case 'quote':
		case 'number':
			return fixed2.format(value);
		case 'count':
			return integer.format(value);
		case 'bars':
			return upTo1.format(value);
		case 'ms':
			return formatDuration(value);
		case 'time':
			return isoUtc(value);
	}
}

/**
 * Format a statistic for display according to its unit in {@link METRIC_INFO}.
 * @param key - metric name, e.g. `'maxDrawdownRatio'`.
 * @param value - the metric's value.
 * @returns display string, e.g. `formatMetric('maxDrawdownRatio', 0.4986)` -> `"49.86%"`.
 * @throws ValidationError if `key` is not a known metric.
 */
export function formatMetric(key: string, value: number): string {
	const info = metricInfo(key);
	if (!info) {
		throw new ValidationError(`Unknown metric "${key}": use one of ${METRIC_INFO.map((m) => m.key).join(', ')}.`);
	}
	return formatValue(info.unit, value);
}
