/**
 * What a configuration changes from the app's defaults, in a few words, so that runs and
 * optimisation jobs with the same strategy read differently in lists ("fee 0.2 %, SL 2 %, long &
 * short"). Plain functions; the defaults are the app's (registry defaults, fee 0.1 %, slippage 0.05 %).
 */
import { DEFAULT_FEE_RATE, DEFAULT_SLIPPAGE_RATE } from '../core/costs';
import { defaultConfig } from '../engine/strategies';
import type { BacktestConfig, LevelSpec } from '../engine/types';

const pct = (v: number) => `${Number((v * 100).toPrecision(6))} %`;
const level = (l: LevelSpec, atr: number) => (l.mode === 'fraction' ? pct(l.value) : l.mode === 'atr' ? `${l.value}×ATR${atr}` : 'none');

/**
 * The execution settings of `config` that differ from the app's defaults.
 * @param config - a full configuration.
 * @param opts - `params`: also list strategy parameters that differ from their defaults (default false).
 * @returns short phrases in a fixed order, e.g. `['long & short', 'fee 0.2 %', 'SL 2 %']`; empty when all are defaults.
 */
export function configDifferences(config: BacktestConfig, opts: { params?: boolean } = {}): string[] {
	const d = { ...defaultConfig(config.strategy), ...(config.strategy === 'rules' ? { params: config.params } : {}), feeRate: DEFAULT_FEE_RATE, slippageRate: DEFAULT_SLIPPAGE_RATE };
	const out: string[] = [];
	if (opts.params) {
		for (const [k, v] of Object.entries(config.params)) if (d.params[k] !== undefined && d.params[k] !== v) out.push(`${k} ${v}`);
	}
	if (config.direction !== d.direction) out.push(config.direction === 'long-short' ? 'long & short' : 'long only');
	if (config.feeRate !== d.feeRate) out.push(`fee ${pct(config.feeRate)}`);
	if (config.slippageRate !== d.slippageRate) out.push(`slippage ${pct(config.slippageRate)}`);
	if (config.stopLoss.mode !== 'none') out.push(`SL ${level(config.stopLoss, config.atrPeriod)}`);
	if (config.takeProfit.mode !== 'none') out.push(`TP ${level(config.takeProfit, config.atrPeriod)}`);
	const s = config.sizing;
	if (s.mode === 'fixed-notional') out.push(`${s.amount.toLocaleString('en-US')} per trade`);
	else if (s.mode === 'risk') out.push(`risk ${pct(s.fraction)}`);
	else if (s.fraction !== 1) out.push(`${pct(s.fraction)} of equity`);
	if (config.initialCash !== d.initialCash) out.push(`cash ${config.initialCash.toLocaleString('en-US')}`);
	return out;
}
