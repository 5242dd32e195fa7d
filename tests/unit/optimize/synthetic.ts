/**
 * A synthetic engine for optimiser tests: instead of simulating trades it scores the parameters with a known
 * function, so search methods can be checked against a known optimum (and runs are instant).
 */
import type { CoreSummary, RunScalars } from '../../../src/lib/engine/wasm-engine';
import type { TrialEngine } from '../../../src/lib/optimize';

/** Summary fields derived from a single "return" value; nTrades fixed at 20 unless the function says otherwise. */
export function summaryFromReturn(ret: number, nTrades = 20): CoreSummary {
	return {
		finalEquity: 10_000 * (1 + ret),
		totalReturnRatio: ret,
		maxDrawdownRatio: 0.1,
		maxDrawdownAmount: 1000,
		nTrades,
		nWins: nTrades / 2,
		nLosses: nTrades / 2,
		winRate: 0.5,
		totalFees: 10,
		grossProfit: 100,
		grossLoss: -50,
		profitFactor: 2,
		sharpeRatio: ret,
		sortinoRatio: ret,
		sqn: 1,
		exposureRatio: 0.5,
		ambiguousBars: 0
	};
}

/**
 * An engine whose total return is `f(p)` for the first parameters of the core (`p[0]`, `p[1]`, ...).
 * Counts its runs.
 */
export class SyntheticEngine implements TrialEngine {
	runs = 0;
	private last: number[] = [];
	constructor(private readonly f: (p: readonly number[]) => number, private readonly trades: (p: readonly number[]) => number = () => 20) {}
	runScalars(s: RunScalars): number {
		this.runs++;
		this.last = [...s.p];
		return 0;
	}
	readSummary(): CoreSummary {
		return summaryFromReturn(this.f(this.last), this.trades(this.last));
	}
}

/** A smooth single-peak function with its maximum (0) at (a, b). */
export function peak(a: number, b: number, wa = 50, wb = 20): (p: readonly number[]) => number {
	return (p) => -(((p[0] - a) / wa) ** 2) - ((p[1] - b) / wb) ** 2;
}
