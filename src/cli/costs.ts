/**
 * Cost flags of `npm run backtest` and `npm run optimize`: `--fee` and `--slippage` as a fraction
 * (`0.001`) or with `%` (`0.1%`), defaults matching the app (fee 0.1 %, slippage 0.05 %), and
 * `--allow-large-costs` for rates of 5 % or more (which are refused otherwise, so `--fee 0.1` is
 * no longer silently 10 %). Parsing itself lives in src/lib/core/costs.ts, shared with the app.
 */
import { DEFAULT_FEE_RATE, DEFAULT_SLIPPAGE_RATE, parseCostRate } from '../lib/core/costs';

/** Help lines of the cost flags (inside the "Execution" section). */
export const COSTS_HELP = `  --fee RATE               fee per fill on traded notional: a fraction or a percentage, 0.001 = 0.1% (default 0.1%).
  --slippage RATE          price slippage against the trader on every fill: 0.0005 = 0.05% (default 0.05%).
  --allow-large-costs      accept a fee or slippage of 5 % or more (refused otherwise: --fee 0.1 is 10 %).`;

/**
 * Fee and slippage rates from parsed flags, defaults filled in.
 * @param values - parseArgs values with optional `fee`, `slippage` strings and `allow-large-costs` boolean.
 * @returns `{ feeRate, slippageRate }` as fractions.
 * @throws ValidationError (one line) for a malformed, negative, >= 100 % or (without `--allow-large-costs`) >= 5 % rate.
 */
export function parseCosts(values: { fee?: string; slippage?: string; 'allow-large-costs'?: boolean }): { feeRate: number; slippageRate: number } {
	const allowLarge = values['allow-large-costs'] === true;
	return {
		feeRate: values.fee === undefined ? DEFAULT_FEE_RATE : parseCostRate(values.fee, '--fee', { allowLarge }),
		slippageRate: values.slippage === undefined ? DEFAULT_SLIPPAGE_RATE : parseCostRate(values.slippage, '--slippage', { allowLarge })
	};
}
