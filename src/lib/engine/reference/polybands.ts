/**
 * Reference (parity-test only) causal polynomial bands of the `poly-bands` strategy, written from BANDS.md "Band
 * strategy" independently of the WASM core: at every bar t ≥ W−1 the window `close[t−W+1 … t]` is fitted from
 * scratch with `ml-regression-polynomial` (normal equations on x = 0 … W−1 mapped to [-1, 1], plus one refinement
 * step on the residuals), and σ_t is the population deviation of that window's residuals.
 * The core instead projects on an orthonormal basis built once per run; both agree to ~1e-12 relative.
 */
import { PolynomialRegression } from 'ml-regression-polynomial';

/** Coefficients (ascending powers) of the least-squares polynomial through (x, y). */
function coefficients(x: number[], y: number[], degree: number): number[] {
	const reg = new PolynomialRegression(x, y, degree);
	const c = new Array<number>(degree + 1).fill(0);
	reg.powers.forEach((p, k) => (c[p] = reg.coefficients[k] ?? 0));
	return c;
}

function horner(c: number[], x: number): number {
	let v = 0;
	for (let k = c.length - 1; k >= 0; k--) v = v * x + c[k];
	return v;
}

/**
 * Causal bands over all bars.
 * @param close - closes, length N.
 * @param window - W bars per fit (≥ degree + 2).
 * @param degree - polynomial degree.
 * @returns mid (fit at the window's last point) and sigma, Float64Array of length N, NaN for t < W − 1.
 */
export function referencePolyBands(close: ArrayLike<number>, window: number, degree: number): { mid: Float64Array; sigma: Float64Array } {
	const n = close.length;
	const W = window;
	const mid = new Float64Array(n).fill(NaN);
	const sigma = new Float64Array(n).fill(NaN);
	const x = Array.from({ length: W }, (_, i) => (W === 1 ? 0 : (2 * i - (W - 1)) / (W - 1)));
	for (let t = W - 1; t < n; t++) {
		const y = Array.from({ length: W }, (_, i) => close[t - W + 1 + i]);
		const c1 = coefficients(x, y, degree);
		const fit = x.map((xi) => horner(c1, xi));
		const c2 = coefficients(x, y.map((v, i) => v - fit[i]), degree);
		let ss = 0;
		for (let i = 0; i < W; i++) {
			fit[i] += horner(c2, x[i]);
			ss += (y[i] - fit[i]) ** 2;
		}
		mid[t] = fit[W - 1];
		sigma[t] = Math.sqrt(ss / W);
	}
	return { mid, sigma };
}
