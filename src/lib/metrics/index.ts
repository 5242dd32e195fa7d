/**
 * Statistics of a backtest run as pure functions of (bars, equity, trades). Ratios are fractions
 * (0.12 = 12 %), amounts are quote currency, times are ms UTC, annualisation uses 365-day years.
 */
export type { Metrics, MetricsInput, MetricKey, MetricUnit, MetricInfo } from './types';
export { computeMetrics, validateMetricsInput } from './compute';
export { METRIC_INFO, metricInfo } from './info';
export { formatMetric, formatValue, formatDuration } from './format';
export * from './returns';
export * from './drawdown';
export * from './trades';
export { mean, sampleStd, ratioOrInfinity, DAY_MS, YEAR_MS } from './stats';
