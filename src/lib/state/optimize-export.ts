/**
 * Export of an optimisation's kept trials: CSV (one row per trial, parameters then statistics,
 * human column names, papaparse) and JSON (job settings, market, method and the rows with raw
 * keys for scripts). Ratios stay fractions in both (0.12 = 12 %), as everywhere outside the UI.
 */
import Papa from 'papaparse';
import type { TopKRow } from '../optimize';
import { statisticIsRatio } from './optimize.svelte';

/** File name stem: `optimisation-BTCUSDT-1h-<id>`. */
export function exportStem(job: { id: string; market: { symbol: string; interval: string } }): string {
	return `optimisation-${job.market.symbol}-${job.market.interval}-${job.id}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * CSV of the kept trials.
 * @param axisNames - searched parameter names (columns after `rank`).
 * @param rows - kept trials in the order to write.
 * @param keys - statistic keys (columns after the parameters).
 * @param label - human column name of a statistic (e.g. `sharpeRatio` -> `Sharpe ratio`).
 */
export function optimisationCsv(axisNames: readonly string[], rows: readonly TopKRow[], keys: readonly string[], label: (k: string) => string): string {
	const header = ['Rank', ...axisNames, ...keys.map((k) => `${label(k)}${statisticIsRatio(k) ? ' (fraction)' : ''}`)];
	const data = rows.map((r) => [r.rank, ...axisNames.map((n) => r.params[n]), ...keys.map((k) => num((r.stats as unknown as Record<string, number>)[k]))]);
	return Papa.unparse({ fields: header, data }, { newline: '\n' }) + '\n';
}

/**
 * JSON of the kept trials with the job's settings.
 * @param job - the stored job (label, market, state with job config, method and objective).
 */
export function optimisationJson(
	job: { id: string; label: string; market: unknown; state: { job: { config: unknown; axes: unknown; objective: unknown }; method: unknown; evaluated: number } },
	axisNames: readonly string[],
	rows: readonly TopKRow[],
	keys: readonly string[]
): string {
	return JSON.stringify(
		{
			id: job.id,
			label: job.label,
			market: job.market,
			config: job.state.job.config,
			axes: job.state.job.axes,
			objective: job.state.job.objective,
			method: job.state.method,
			evaluated: job.state.evaluated,
			trials: rows.map((r) => ({
				rank: r.rank,
				params: Object.fromEntries(axisNames.map((n) => [n, r.params[n]])),
				stats: Object.fromEntries(keys.map((k) => [k, num((r.stats as unknown as Record<string, number>)[k])]))
			}))
		},
		null,
		2
	);
}

function num(v: number | undefined): number | string {
	if (v === undefined) return '';
	return Number.isFinite(v) ? v : String(v);
}
