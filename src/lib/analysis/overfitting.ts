/**
 * Overfitting statistics of an optimisation: the Probabilistic and Deflated Sharpe Ratios of the best trial, the
 * Probability of Backtest Overfitting by combinatorially symmetric cross-validation (CSCV), and a plateau score of
 * the best trial's parameter neighbourhood. Plain TypeScript, no DOM or Node imports.
 *
 * Units: Sharpe ratios inside the formulas are per period (per day for daily returns), not annualised, as in the
 * papers; `periodsPerYear` converts (365 for crypto days; the papers' examples use 250 trading days).
 */
import { ValidationError } from '../core/errors';
import { histogram, moments, normalCdf, normalQuantile, quantileSorted, type Histogram } from './stats';

/** Euler–Mascheroni constant γ. */
export const EULER_GAMMA = 0.5772156649015329;

/**
 * Probabilistic Sharpe Ratio: the probability that the true Sharpe ratio exceeds `benchmark`, given an observed
 * Sharpe ratio over `observations` returns with their skewness and kurtosis:
 * `PSR = Φ( (SR - SR*) · sqrt(T - 1) / sqrt(1 - γ3·SR + (γ4 - 1)/4 · SR²) )`.
 * @param sharpe - observed Sharpe ratio per period (mean / sample std of the returns).
 * @param benchmark - SR* per period (0 = "any skill at all").
 * @param observations - number of returns T (>= 2).
 * @param skewness - γ3 of the returns.
 * @param kurtosis - γ4 of the returns, NOT excess (normal = 3).
 * @returns probability in [0, 1]; NaN when an input is NaN or the variance term is not positive.
 * @see Bailey & López de Prado, "The Sharpe Ratio Efficient Frontier", Journal of Risk 15(2), 2012, eq. (9).
 */
export function probabilisticSharpe(sharpe: number, benchmark: number, observations: number, skewness: number, kurtosis: number): number {
	if (!(observations >= 2)) return NaN;
	const v = 1 - skewness * sharpe + ((kurtosis - 1) / 4) * sharpe * sharpe;
	if (!(v > 0)) return NaN;
	return normalCdf(((sharpe - benchmark) * Math.sqrt(observations - 1)) / Math.sqrt(v));
}

/**
 * Expected maximum Sharpe ratio of `trials` independent unskilled strategies whose Sharpe ratios vary with
 * `variance` (the "false strategy" theorem):
 * `E[max SR] ≈ sqrt(V) · ( (1 - γ)·Φ⁻¹(1 - 1/N) + γ·Φ⁻¹(1 - 1/(N·e)) )`.
 * @param trials - N, number of trials (>= 1; one trial gives 0).
 * @param variance - variance of the trials' Sharpe ratios (same units as the Sharpe ratio compared with it).
 * @returns SR0 in the units of the Sharpe ratios; NaN for a non-finite or negative variance.
 * @see Bailey & López de Prado, "The Deflated Sharpe Ratio", Journal of Portfolio Management 40(5), 2014, eq. (2).
 */
export function expectedMaxSharpe(trials: number, variance: number): number {
	if (!(variance >= 0) || !Number.isFinite(variance) || !(trials >= 1)) return NaN;
	if (trials === 1) return 0;
	return Math.sqrt(variance) * ((1 - EULER_GAMMA) * normalQuantile(1 - 1 / trials) + EULER_GAMMA * normalQuantile(1 - 1 / (trials * Math.E)));
}

/** Inputs of {@link deflatedSharpe} (per-period units). */
export interface DeflatedSharpeInput {
	/** Observed Sharpe ratio of the selected (best) trial, per period. */
	sharpe: number;
	/** Number of returns T of that trial. */
	observations: number;
	skewness: number;
	/** Not excess (normal = 3). */
	kurtosis: number;
	/** Number of trials N the best was selected from. */
	trials: number;
	/** Variance of the trials' Sharpe ratios, per period² units. */
	sharpeVariance: number;
}

/**
 * Deflated Sharpe Ratio: the PSR of the best trial against the expected maximum Sharpe ratio of `trials` unskilled
 * trials, `DSR = PSR(SR0)` with `SR0 = expectedMaxSharpe(N, V)`.
 * @returns `{ expectedMaxSharpe: SR0, dsr }` (per period; dsr a probability, NaN when undefined).
 * @example paper's example: SR 2.5/√250 per day, T 1,250, N 100, V 0.5/250, γ3 -3, γ4 10 → SR0 ≈ 0.1132, DSR ≈ 0.9004.
 * @see Bailey & López de Prado (2014), eq. (2)-(3).
 */
export function deflatedSharpe(i: DeflatedSharpeInput): { expectedMaxSharpe: number; dsr: number } {
	const sr0 = expectedMaxSharpe(i.trials, i.sharpeVariance);
	return { expectedMaxSharpe: sr0, dsr: probabilisticSharpe(i.sharpe, sr0, i.observations, i.skewness, i.kurtosis) };
}

/** Result of {@link probabilityOfBacktestOverfitting}. */
export interface PboResult {
	/** Fraction of splits where the in-sample best ranks at or below the median out of sample (logit <= 0). */
	pbo: number;
	/** Number of splits C(S, S/2). */
	combinations: number;
	blocks: number;
	/** Rows per block (the oldest `T - blocks × rowsPerBlock` rows are left out). */
	rowsPerBlock: number;
	strategies: number;
	/** Logits λ = ln(ω / (1 - ω)) of the in-sample winner's relative out-of-sample rank ω: summary and histogram. */
	logits: { mean: number; median: number; histogram: Histogram };
	/** Fraction of splits where the in-sample winner's out-of-sample Sharpe ratio is negative. */
	probabilityOfOosLoss: number;
	/** Mean in-sample and out-of-sample Sharpe ratio (per period) of the in-sample winners. */
	meanInSampleSharpe: number;
	meanOutOfSampleSharpe: number;
}

/** Largest number of strategies (columns) accepted by {@link probabilityOfBacktestOverfitting}. */
export const MAX_PBO_STRATEGIES = 1000;

/**
 * Probability of Backtest Overfitting by combinatorially symmetric cross-validation (CSCV). The T × N matrix of
 * returns (N strategies) is cut into S equal row blocks; for every choice of S/2 blocks as the in-sample set (the
 * other S/2 are out of sample), the strategy with the best in-sample Sharpe ratio (mean / sample std; ties → the
 * first) is ranked among all N out of sample (rank 1 = worst, N = best, ties averaged), `ω = rank / (N + 1)`,
 * `λ = ln(ω / (1 - ω))`; PBO = the fraction of splits with λ <= 0.
 * Cost: C(S, S/2) × N × S/2 additions from per-block sums (16 blocks: 12,870 splits).
 * @param returns - one Float64Array of returns per strategy, all of the same length T (aligned in time), N >= 2.
 * @param blocks - S, even, 2..24 (default 16).
 * @returns see {@link PboResult}.
 * @throws ValidationError for fewer than 2 strategies, more than {@link MAX_PBO_STRATEGIES}, columns of different
 *   lengths, an odd or out-of-range S, or fewer than 2 rows per block.
 * @see Bailey, Borwein, López de Prado & Zhu, "The Probability of Backtest Overfitting", Journal of Computational
 *   Finance 20(4), 2017.
 */
export function probabilityOfBacktestOverfitting(returns: readonly ArrayLike<number>[], blocks = 16): PboResult {
	const n = returns.length;
	if (n < 2) throw new ValidationError(`PBO compares strategies: it needs at least 2, got ${n}.`);
	if (n > MAX_PBO_STRATEGIES) throw new ValidationError(`PBO takes at most ${MAX_PBO_STRATEGIES} strategies, got ${n}: keep the best ones.`);
	if (!Number.isInteger(blocks) || blocks < 2 || blocks > 24 || blocks % 2 !== 0) {
		throw new ValidationError(`CSCV blocks must be an even whole number from 2 to 24 (16 is usual), got ${blocks}.`);
	}
	const t = returns[0].length;
	for (let j = 1; j < n; j++) {
		if (returns[j].length !== t) throw new ValidationError(`every strategy needs the same number of returns: strategy 1 has ${t}, strategy ${j + 1} has ${returns[j].length}.`);
	}
	const rows = Math.floor(t / blocks);
	if (rows < 2) throw new ValidationError(`PBO with ${blocks} blocks needs at least ${2 * blocks} returns per strategy, got ${t}.`);
	const skip = t - rows * blocks;
	// Per-block sums and sums of squares, block-major: [b * n + j].
	const bs = new Float64Array(blocks * n);
	const bq = new Float64Array(blocks * n);
	for (let j = 0; j < n; j++) {
		const col = returns[j];
		for (let b = 0; b < blocks; b++) {
			let s = 0;
			let q = 0;
			const from = skip + b * rows;
			for (let i = from; i < from + rows; i++) {
				const v = col[i];
				s += v;
				q += v * v;
			}
			bs[b * n + j] = s;
			bq[b * n + j] = q;
		}
	}
	const ts = new Float64Array(n);
	const tq = new Float64Array(n);
	for (let b = 0; b < blocks; b++) {
		for (let j = 0; j < n; j++) {
			ts[j] += bs[b * n + j];
			tq[j] += bq[b * n + j];
		}
	}
	const half = blocks / 2;
	const m = half * rows;
	const sharpe = (s: number, q: number): number => {
		const mean = s / m;
		const v = (q - s * mean) / (m - 1);
		return v > 1e-300 ? mean / Math.sqrt(v) : 0;
	};
	const isS = new Float64Array(n);
	const isQ = new Float64Array(n);
	const oos = new Float64Array(n);
	const logits: number[] = [];
	let below = 0;
	let oosLoss = 0;
	let sumIs = 0;
	let sumOos = 0;
	const full = 1 << blocks;
	for (let mask = 0; mask < full; mask++) {
		if (popcount(mask) !== half) continue;
		isS.fill(0);
		isQ.fill(0);
		for (let b = 0; b < blocks; b++) {
			if (!(mask & (1 << b))) continue;
			const o = b * n;
			for (let j = 0; j < n; j++) {
				isS[j] += bs[o + j];
				isQ[j] += bq[o + j];
			}
		}
		let best = 0;
		let bestIs = -Infinity;
		for (let j = 0; j < n; j++) {
			const s = sharpe(isS[j], isQ[j]);
			if (s > bestIs) {
				bestIs = s;
				best = j;
			}
			oos[j] = sharpe(ts[j] - isS[j], tq[j] - isQ[j]);
		}
		const target = oos[best];
		let less = 0;
		let equal = 0;
		for (let j = 0; j < n; j++) {
			if (oos[j] < target) less++;
			else if (oos[j] === target) equal++;
		}
		const rank = less + (equal + 1) / 2;
		const w = rank / (n + 1);
		const lambda = Math.log(w / (1 - w));
		logits.push(lambda);
		if (lambda <= 0) below++;
		if (target < 0) oosLoss++;
		sumIs += bestIs;
		sumOos += target;
	}
	const c = logits.length;
	const sorted = Float64Array.from(logits).sort();
	let mean = 0;
	for (const l of logits) mean += l;
	return {
		pbo: below / c,
		combinations: c,
		blocks,
		rowsPerBlock: rows,
		strategies: n,
		logits: { mean: mean / c, median: quantileSorted(sorted, 0.5), histogram: histogram(sorted, 20) },
		probabilityOfOosLoss: oosLoss / c,
		meanInSampleSharpe: sumIs / c,
		meanOutOfSampleSharpe: sumOos / c
	};
}

function popcount(x: number): number {
	x = x - ((x >>> 1) & 0x55555555);
	x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
	return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * Plateau score of the best trial: how much of its edge over an average trial its parameter neighbours keep,
 * `1 - (best - mean(neighbours)) / (best - mean(all trials))`, clipped to [0, 1], on the ranking value (the
 * objective, negated when minimised). 1: the neighbours are as good as the best (a plateau, robust); 0: they are
 * no better than an average trial (a lone spike, fragile).
 * @param best - ranking value of the best trial.
 * @param neighbours - ranking values of its evaluated neighbours (unranked ones, NaN, count as the average trial).
 * @param meanAll - mean ranking value of every ranked trial.
 * @returns the score, or NaN with no neighbour or when the best is not above the average.
 */
export function plateauScore(best: number, neighbours: readonly number[], meanAll: number): number {
	if (neighbours.length === 0 || !(best > meanAll)) return NaN;
	let s = 0;
	for (const v of neighbours) s += Number.isFinite(v) ? v : meanAll;
	const score = 1 - (best - s / neighbours.length) / (best - meanAll);
	return Math.min(1, Math.max(0, score));
}

/** Everything {@link overfittingReport} needs, gathered by the optimiser. */
export interface OverfittingInput {
	/** Number of trials evaluated (N of the deflation). */
	trials: number;
	/** Moments of the annualised Sharpe ratios of every trial with a defined Sharpe ratio. */
	sharpe: { n: number; mean: number; variance: number };
	/** Periods per year of the Sharpe ratios (365 for daily returns of a crypto market). */
	periodsPerYear: number;
	/** Daily returns of the best trial (the first of `top`). */
	bestReturns: Float64Array;
	/** Daily returns of the best trials, best first, same length (PBO columns; at most a few hundred). */
	top: Float64Array[];
	/** Ranking values of the best trial and of its grid neighbours, and the mean ranking value of every ranked trial. */
	plateau: { best: number; neighbours: number[]; meanAll: number };
	/** CSCV blocks (default 16). */
	blocks?: number;
}

/** The overfitting card / CLI figures. Sharpe ratios per period unless named `…Annualised`. */
export interface OverfittingReport {
	trials: number;
	/** P(true Sharpe of the best trial > 0). */
	psr: number;
	/** P(true Sharpe of the best trial > expectedMaxSharpe). */
	dsr: number;
	/** Expected maximum Sharpe ratio of `trials` unskilled trials, per period. */
	expectedMaxSharpe: number;
	expectedMaxSharpeAnnualised: number;
	/** Observed Sharpe ratio of the best trial, per period and annualised. */
	sharpe: number;
	sharpeAnnualised: number;
	/** Variance of the trials' annualised Sharpe ratios. */
	sharpeVarianceAnnualised: number;
	observations: number;
	skewness: number;
	kurtosis: number;
	/** NaN when it could not be computed (see `notes`). */
	pbo: number;
	pboDetail: PboResult | null;
	plateau: number;
	plateauNeighbours: number;
	/** One line for people. */
	reading: string;
	/** Why a figure is missing, for people. */
	notes: string[];
}

const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(x * 100)} %` : 'n/a');

/**
 * Compute every overfitting figure of an optimisation.
 * @param i - see {@link OverfittingInput}.
 * @returns the report; figures that cannot be computed are NaN with a note (never a throw for thin data).
 */
export function overfittingReport(i: OverfittingInput): OverfittingReport {
	const notes: string[] = [];
	const m = moments(i.bestReturns);
	const sr = m.std > 0 ? m.mean / m.std : NaN;
	if (!Number.isFinite(sr)) notes.push('the best trial has fewer than 2 daily returns or flat equity: no Sharpe ratio.');
	const root = Math.sqrt(i.periodsPerYear);
	const varPerPeriod = i.sharpe.variance / i.periodsPerYear;
	if (!(i.sharpe.n >= 2)) notes.push('fewer than 2 trials with a Sharpe ratio: the deflation has no variance to use.');
	const psr = probabilisticSharpe(sr, 0, m.n, m.skewness, m.kurtosis);
	const d = deflatedSharpe({ sharpe: sr, observations: m.n, skewness: m.skewness, kurtosis: m.kurtosis, trials: i.trials, sharpeVariance: varPerPeriod });
	let pboDetail: PboResult | null = null;
	try {
		pboDetail = probabilityOfBacktestOverfitting(i.top, i.blocks ?? 16);
	} catch (e) {
		notes.push(`PBO: ${(e as Error).message}`);
	}
	const plateau = plateauScore(i.plateau.best, i.plateau.neighbours, i.plateau.meanAll);
	if (i.plateau.neighbours.length === 0) notes.push('plateau: the best trial has no neighbour in the search space (one value per parameter).');
	const pbo = pboDetail?.pbo ?? NaN;
	// Words from the value as shown (two decimals), so "0.70" never reads as "a slope".
	const shown = Math.round(plateau * 100) / 100;
	const plateauWord = Number.isFinite(plateau) ? (shown >= 0.7 ? 'a plateau' : shown >= 0.4 ? 'a slope' : 'a sharp peak') : '';
	const reading =
		`The best of ${i.trials.toLocaleString('en-US')} trials; after deflation the chance its Sharpe ratio is above 0 is ${pct(d.dsr)}` +
		(Number.isFinite(pbo) ? `; probability of overfitting ${pct(pbo)}` : '') +
		(plateauWord ? `; its neighbourhood is ${plateauWord} (${plateau.toFixed(2)})` : '') +
		'.';
	return {
		trials: i.trials,
		psr,
		dsr: d.dsr,
		expectedMaxSharpe: d.expectedMaxSharpe,
		expectedMaxSharpeAnnualised: d.expectedMaxSharpe * root,
		sharpe: sr,
		sharpeAnnualised: sr * root,
		sharpeVarianceAnnualised: i.sharpe.variance,
		observations: m.n,
		skewness: m.skewness,
		kurtosis: m.kurtosis,
		pbo,
		pboDetail,
		plateau,
		plateauNeighbours: i.plateau.neighbours.length,
		reading,
		notes
	};
}
