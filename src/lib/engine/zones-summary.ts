/**
 * Summaries of detector-only zone lists (npm run patterns, the Patterns view): counts per pattern and direction, the
 * duplicate analysis (kept zones overlapping an active zone of the same pattern and direction by >= 70 %) and the
 * kept zones' size distribution (height / close at confirmation).
 */
import type { PatternId, Zone, ZoneDirection } from './zones-types';

/** Counts of one pattern and direction. */
export interface PatternSummaryRow {
	pattern: PatternId;
	direction: ZoneDirection;
	detected: number;
	kept: number;
	/** kept zones overlapping an active zone of the same pattern and direction by >= 70 % */
	duplicates: number;
	/** duplicates / kept (NaN with no kept zone) */
	duplicateRatio: number;
	invalidated: number;
	expired: number;
	activeAtEnd: number;
	/** height / close[c] of the kept zones: 10th, 50th and 90th percentile (nearest rank; NaN with none) */
	heightRatioP10: number;
	heightRatioMedian: number;
	heightRatioP90: number;
}

/** Nearest-rank percentile of ascending values (NaN when empty). */
export function percentile(sorted: number[], q: number): number {
	if (sorted.length === 0) return NaN;
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * Counts per pattern and direction from a detector-only zone list.
 * @param close close prices of the scanned bars (for the height ratios)
 */
export function summarizeZones(zones: readonly Zone[], close: ArrayLike<number>, patterns: readonly PatternId[]): PatternSummaryRow[] {
	const rows: PatternSummaryRow[] = [];
	for (const pattern of patterns) {
		for (const direction of ['bullish', 'bearish'] as const) {
			const zs = zones.filter((z) => z.pattern === pattern && z.direction === direction);
			const kept = zs.filter((z) => z.kept);
			const dups = kept.filter((z) => z.duplicate).length;
			const ratios = kept.map((z) => (z.top - z.bottom) / close[z.c]).sort((a, b) => a - b);
			rows.push({
				pattern,
				direction,
				detected: zs.length,
				kept: kept.length,
				duplicates: dups,
				duplicateRatio: kept.length ? dups / kept.length : NaN,
				invalidated: zs.filter((z) => z.end === 'invalidated').length,
				expired: zs.filter((z) => z.end === 'expired').length,
				activeAtEnd: zs.filter((z) => z.end === 'end-of-data').length,
				heightRatioP10: percentile(ratios, 0.1),
				heightRatioMedian: percentile(ratios, 0.5),
				heightRatioP90: percentile(ratios, 0.9)
			});
		}
	}
	return rows;
}


/**
 * Histogram of the kept zones' height / close ratios.
 * @param edges ascending bin edges (fractions); the last bin collects everything at or above the last edge
 * @returns counts per bin, length = edges.length (bin k: [edges[k], edges[k+1]))
 */
export function zoneSizeHistogram(zones: readonly Zone[], close: ArrayLike<number>, edges: readonly number[]): number[] {
	const counts = new Array(edges.length).fill(0);
	for (const z of zones) {
		if (!z.kept) continue;
		const r = (z.top - z.bottom) / close[z.c];
		let k = edges.length - 1;
		while (k > 0 && r < edges[k]) k--;
		counts[k]++;
	}
	return counts;
}
