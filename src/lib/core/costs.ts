/**
 * Trading costs shared by the app and the command line: the defaults (the owner's realistic
 * execution on Binance spot: fee 0.1 % per fill, slippage 0.05 % per fill) and the parser of a
 * fee or slippage typed as a fraction (`0.001`) or a percentage (`0.1%`). A plain number is a
 * fraction, so `--fee 0.1` means 10 % and is refused as an implausible cost unless large costs
 * are allowed explicitly.
 */
import { ValidationError } from './errors';

/** Fee per fill as a fraction of traded notional: 0.1 % (Binance spot's base taker fee). */
export const DEFAULT_FEE_RATE = 0.001;
/** Slippage per fill as a fraction of price: 0.05 %. */
export const DEFAULT_SLIPPAGE_RATE = 0.0005;
/** Costs at or above this fraction (5 %) are refused unless explicitly allowed. */
export const LARGE_COST_RATE = 0.05;

/**
 * Parse a fee or slippage rate.
 * @param text - a fraction (`0.001`, `1e-3`) or a percentage (`0.1%`, `0.1 %`).
 * @param name - what it is, for messages (e.g. `--fee`).
 * @param opts - `allowLarge`: accept rates >= {@link LARGE_COST_RATE} (5 %); the flag's name for the hint.
 * @returns the rate as a fraction (0.001 for `0.1%`), rounded to 15 significant digits.
 * @throws ValidationError for text that is not a number, a negative rate, a rate of 100 % or more, or a rate of 5 % or more without `allowLarge`.
 */
export function parseCostRate(text: string, name: string, opts: { allowLarge?: boolean; allowFlag?: string } = {}): number {
	const t = String(text).trim();
	const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*(%?)$/i.exec(t);
	if (!m) throw new ValidationError(`${name} must be a fraction like 0.001 or a percentage like 0.1%, got "${t}"`);
	const v = Number(m[1]);
	const rate = Number((m[2] ? v / 100 : v).toPrecision(15));
	if (!Number.isFinite(rate) || rate < 0) throw new ValidationError(`${name} must not be negative, got "${t}"`);
	if (rate >= 1) throw new ValidationError(`${name} must be below 100 %, got "${t}" (= ${fmtPct(rate)}); write 0.1% or 0.001 for 0.1 %`);
	if (rate >= LARGE_COST_RATE && !opts.allowLarge) {
		const hint = m[2] ? '' : ` A plain number is a fraction: for ${v} % write ${t}% (or ${Number((v / 100).toPrecision(12))}).`;
		throw new ValidationError(
			`${name} ${t} is ${fmtPct(rate)} per fill, an implausible cost.${hint} Pass ${opts.allowFlag ?? '--allow-large-costs'} to use it anyway.`
		);
	}
	return rate;
}

function fmtPct(rate: number): string {
	return `${Number((rate * 100).toPrecision(10))} %`;
}
