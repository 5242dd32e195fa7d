/**
 * Colour scales of the optimisation heatmap. Signed statistics use a diverging scale centred on a
 * meaningful value (0 for Sharpe, returns and CAGR; 1 for profit factor; buy-and-hold for total
 * return): red below the centre, grey at it, green above, with the same intensity for the same
 * distance on both sides, so a losing value is never drawn green. Other statistics (trade counts,
 * win rate, drawdown) use a neutral sequential scale. Plain functions.
 */

const RED: [number, number, number] = [246, 70, 93];
const GREY: [number, number, number] = [60, 68, 80];
const GREEN: [number, number, number] = [46, 189, 133];
const SEQ_LO: [number, number, number] = [34, 42, 56];
const SEQ_HI: [number, number, number] = [240, 185, 11];
/** Colour of cells without a value (no valid trial). */
export const EMPTY_CELL = '#1a1f28';

function mix(a: readonly number[], b: readonly number[], u: number): string {
	return `rgb(${a.map((c, i) => Math.round(c + (b[i] - c) * u)).join(',')})`;
}

/** Scale of one heatmap: its domain and how values map to colours. */
export interface HeatScale {
	/** Smallest and largest finite value. */
	lo: number;
	hi: number;
	/** Centre of a diverging scale, or null for a sequential one. */
	centre: number | null;
	/** Half-width of the diverging domain: max distance of any value from the centre. */
	span: number;
}

/**
 * Build the scale of a set of values.
 * @param values - cell values (NaN / ±Infinity ignored).
 * @param centre - centre of a diverging scale, or null for a sequential scale.
 */
export function heatScale(values: ArrayLike<number>, centre: number | null): HeatScale {
	let lo = Infinity;
	let hi = -Infinity;
	for (let i = 0; i < values.length; i++) {
		const v = values[i];
		if (!Number.isFinite(v)) continue;
		if (v < lo) lo = v;
		if (v > hi) hi = v;
	}
	const span = centre === null || !Number.isFinite(lo) ? 0 : Math.max(Math.abs(lo - centre), Math.abs(hi - centre));
	return { lo, hi, centre, span };
}

/**
 * Colour of a value on a scale: diverging (red < centre < green, grey at the centre) or sequential.
 * @returns a CSS colour; {@link EMPTY_CELL} for a non-finite value.
 */
export function heatColour(v: number, s: HeatScale): string {
	if (!Number.isFinite(v)) return EMPTY_CELL;
	if (s.centre !== null) {
		if (s.span === 0) return mix(GREY, GREY, 0);
		const t = (v - s.centre) / s.span;
		return t < 0 ? mix(GREY, RED, Math.min(1, -t)) : mix(GREY, GREEN, Math.min(1, t));
	}
	const u = s.hi > s.lo ? (v - s.lo) / (s.hi - s.lo) : 0.5;
	return mix(SEQ_LO, SEQ_HI, u);
}

/** CSS gradient of a scale's legend, from its low end to its high end. */
export function heatGradient(s: HeatScale): string {
	if (s.centre === null) return `linear-gradient(90deg, ${mix(SEQ_LO, SEQ_HI, 0)}, ${mix(SEQ_LO, SEQ_HI, 1)})`;
	const stops = [0, 0.25, 0.5, 0.75, 1].map((p) => {
		const v = s.lo + (s.hi - s.lo) * p;
		return `${heatColour(v, s)} ${p * 100}%`;
	});
	return `linear-gradient(90deg, ${stops.join(', ')})`;
}
