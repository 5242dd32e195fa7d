/**
 * The WASM simulation core's host wrapper. Works in Node and in a browser worker: give it compiled or raw wasm
 * bytes. Bars are written into WASM linear memory once per dataset ({@link WasmEngine.load}); each run passes
 * scalars only and reads results straight out of linear memory.
 *
 * Memory layout (assembly/layout.ts; offsets come from the core's exports, never duplicated here): `columnPtr(c)` is the
 * f64[n] column c (0 openTime, 1 open, 2 high, 3 low, 4 close, 5 volume, 6 equity); `tradesPtr()` the trade records
 * (10 f64 each: direction, entry bar, exit bar, entry price, exit price, size, entry fee, exit fee, pnl, exit reason);
 * `summaryPtr()` the run summary (24 f64).
 */
import { DataError, ValidationError } from '../core/errors';
import type { OhlcvColumns } from '../core/types';
import { inferIntervalMs } from '../core/timeframe';
import { engineBuildId, engineVersionOf } from './fingerprint';
import { getStrategy, strategyDefinitionOf, validateConfig, type RulePlan } from './strategies';
import type { BacktestConfig, ExitReason, SimulationOutput, Trade } from './types';
import {
	PATTERN_ZONES_WASM_ID, detectZonesCore, patternParamsFromValues, readZoneCounts, readZoneTrades, readZones, runZoneScalars,
	type DetectZonesOptions, type DetectZonesResult, type ZoneCore
} from './zones-engine';
import type { Zone, ZoneCounts } from './zones-types';

const COL = { openTime: 0, open: 1, high: 2, low: 3, close: 4, volume: 5, equity: 6 } as const;
const TRADE_STRIDE = 10;
const SUMMARY_LEN = 24;
const EXIT_REASONS: ExitReason[] = ['signal', 'stop_loss', 'take_profit', 'end_of_data'];
const IND = { sma: 1, ema: 2, rsi: 3, atr: 4, std: 5, highest: 6, lowest: 7 } as const;
const LEVEL_MODE = { none: 0, fraction: 1, atr: 2 } as const;
const SIZING_MODE = { 'equity-fraction': 0, 'fixed-notional': 1, risk: 2 } as const;

/** Indicator kinds the core computes (see assembly/indicators.ts for the formulas). */
export type IndicatorKind = keyof typeof IND;
/** Which price/volume column an indicator reads. */
export type IndicatorSource = 'open' | 'high' | 'low' | 'close' | 'volume';

/** Headline statistics computed inside the core in the same pass as the simulation (what optimisation trials rank by). */
export interface CoreSummary {
	/** Equity after the end-of-data close-out, quote currency. */
	finalEquity: number;
	/** finalEquity / initialCash - 1. */
	totalReturnRatio: number;
	/** max_t (1 - equity[t] / max(initialCash, max_{s<=t} equity[s])), close-marked. */
	maxDrawdownRatio: number;
	/** Largest peak-to-trough fall of the close-marked equity, quote currency. */
	maxDrawdownAmount: number;
	nTrades: number;
	nWins: number;
	nLosses: number;
	/** nWins / nTrades (NaN with no trades). */
	winRate: number;
	totalFees: number;
	grossProfit: number;
	/** Sum of losing trades' pnl (<= 0). */
	grossLoss: number;
	/** grossProfit / |grossLoss| (Infinity with profits and no losses, NaN with neither). */
	profitFactor: number;
	/** Mean / sample std of daily returns (equity at each UTC day's last bar) × sqrt(365); NaN with < 2 daily returns or std 0. */
	sharpeRatio: number;
	/** Mean daily return / sqrt(mean(min(r, 0)^2)) × sqrt(365). */
	sortinoRatio: number;
	/** Van Tharp SQN: sqrt(n) × mean / sample std of trade profitRatio. */
	sqn: number;
	/** Bars with a position open at any moment of the bar / all bars. */
	exposureRatio: number;
	/** Bars where stop-loss and take-profit were both inside the range (stop-loss assumed first). */
	ambiguousBars: number;
}

/** Output of a full run: what {@link SimulationOutput} has plus the core summary. */
export interface BacktestResult extends SimulationOutput {
	summary: CoreSummary;
	/** pattern-zones runs: every zone the run detected (SEMANTICS.md "Price-action patterns"). */
	zones?: Zone[];
	/** pattern-zones runs: zones detected / kept / duplicates / traded / skipped / invalidated / expired … */
	zoneCounts?: ZoneCounts;
}

/** An indicator series for charts, aligned with the bars (NaN while undefined). */
export interface IndicatorSeries {
	id: string;
	label: string;
	pane: 'price' | 'oscillator';
	values: Float64Array;
}

interface CoreExports {
	memory: WebAssembly.Memory;
	allocate(n: number): number;
	barCount(): number;
	columnPtr(c: number): number;
	tradesPtr(): number;
	summaryPtr(): number;
	prepare(): void;
	indicator(kind: number, source: number, period: number): number;
	polyBandsCompute(window: number, degree: number): number;
	rulesPlanPtr(regs: number): number;
	signalsPtr(): number;
	rulesRegPtr(r: number): number;
	run(
		strategy: number, p0: number, p1: number, p2: number, p3: number, p4: number, p5: number, p6: number, p7: number,
		longShort: number, fee: number, slippage: number, initialCash: number,
		slMode: number, slValue: number, tpMode: number, tpValue: number, atrPeriod: number,
		sizingMode: number, sizingValue: number, record: number
	): number;
	/** `run` through the generic path: the signal pre-pass writes the flag bytes, then the flag-reading loop. */
	runFlags: CoreExports['run'];
}

/** Scalars of one run, resolved from a {@link BacktestConfig} once (optimisers reuse them). */
export interface RunScalars {
	strategy: number;
	p: number[];
	longShort: number;
	fee: number;
	slippage: number;
	initialCash: number;
	slMode: number;
	slValue: number;
	tpMode: number;
	tpValue: number;
	atrPeriod: number;
	sizingMode: number;
	sizingValue: number;
	/** Rule strategies (strategy 6): the compiled signal plan. */
	rules?: RulePlan;
}

/** Strategy id of rule strategies in the core (assembly/rules.ts STRAT_RULES). */
export const RULES_WASM_ID = 6;

/**
 * Check candles before they go into the core.
 * @throws DataError for empty input, columns of different lengths, NaN/Infinity, or open times that are not strictly
 * ascending — naming the first offending bar index and time, and how to fix it.
 */
export function assertValidOhlcv(ohlcv: OhlcvColumns): void {
	const n = ohlcv?.openTime?.length ?? 0;
	if (n === 0) throw new DataError('No candles to backtest: the selected range is empty. Choose a range with data or sync/import candles first.');
	for (const k of ['open', 'high', 'low', 'close', 'volume'] as const) {
		if (!ohlcv[k] || ohlcv[k].length !== n)
			throw new DataError(`Column ${k} has ${ohlcv[k]?.length ?? 0} values but openTime has ${n}: all OHLCV columns must have one value per bar.`);
	}
	const cols = ['openTime', 'open', 'high', 'low', 'close', 'volume'] as const;
	for (let i = 0; i < n; i++) {
		for (const k of cols) {
			const v = ohlcv[k][i];
			if (!Number.isFinite(v)) {
				const when = Number.isFinite(ohlcv.openTime[i]) ? ` (${new Date(ohlcv.openTime[i]).toISOString()})` : '';
				throw new DataError(`Bar ${i}${when} has ${k} = ${v}: every OHLCV value must be a finite number. Re-import or re-sync this range.`);
			}
		}
		if (i > 0 && !(ohlcv.openTime[i] > ohlcv.openTime[i - 1])) {
			throw new DataError(
				`Bar ${i} (${new Date(ohlcv.openTime[i]).toISOString()}) is not after bar ${i - 1} (${new Date(ohlcv.openTime[i - 1]).toISOString()}): candles must be sorted by open time without duplicates.`
			);
		}
	}
}

/** Resolve a configuration into the core's scalars. @throws ValidationError (see validateConfig). */
export function toRunScalars(config: BacktestConfig): RunScalars {
	const values = validateConfig(config);
	const def = strategyDefinitionOf(config);
	const p = [...values];
	while (p.length < 8) p.push(0);
	let slMode: number = LEVEL_MODE[config.stopLoss.mode];
	let slValue = config.stopLoss.mode === 'none' ? 0 : config.stopLoss.value;
	let tpMode: number = LEVEL_MODE[config.takeProfit.mode];
	let tpValue = config.takeProfit.mode === 'none' ? 0 : config.takeProfit.value;
	let atrPeriod = config.atrPeriod;
	if (def.ownsExitLevels) {
		// rsi-atr-momentum: its own ATR(atrPeriod) stop-loss / take-profit multiples (params 1, 6, 7).
		slMode = LEVEL_MODE.atr;
		slValue = p[6];
		tpMode = LEVEL_MODE.atr;
		tpValue = p[7];
		atrPeriod = p[1];
	}
	const s = config.sizing;
	const scalars: RunScalars = {
		strategy: def.wasmId,
		p,
		longShort: config.direction === 'long-short' ? 1 : 0,
		fee: config.feeRate,
		slippage: config.slippageRate,
		initialCash: config.initialCash,
		slMode,
		slValue,
		tpMode,
		tpValue,
		atrPeriod,
		sizingMode: SIZING_MODE[s.mode],
		sizingValue: s.mode === 'fixed-notional' ? s.amount : s.fraction
	};
	if (def.compileRules) withRulePlan(scalars, def.compileRules(Object.fromEntries(def.params.map((q, i) => [q.name, values[i]]))));
	return scalars;
}

/**
 * Put a rule plan into run scalars (in place): the plan, and the rule's own exit levels when it sets any (they replace
 * the configuration's, as rsi-atr-momentum's do).
 * @returns the same scalars
 */
export function withRulePlan(scalars: RunScalars, rp: RulePlan): RunScalars {
	scalars.rules = rp;
	const lv = rp.levels;
	if (lv) {
		scalars.slMode = lv.stopLoss ? LEVEL_MODE[lv.stopLoss.mode] : LEVEL_MODE.none;
		scalars.slValue = lv.stopLoss && lv.stopLoss.mode !== 'none' ? lv.stopLoss.value : 0;
		scalars.tpMode = lv.takeProfit ? LEVEL_MODE[lv.takeProfit.mode] : LEVEL_MODE.none;
		scalars.tpValue = lv.takeProfit && lv.takeProfit.mode !== 'none' ? lv.takeProfit.value : 0;
		if (lv.atrPeriod !== undefined) scalars.atrPeriod = lv.atrPeriod;
	}
	return scalars;
}

/** Longest indicator window accepted, bars (the core indexes with 32-bit integers; 2^31 bars would wrap). */
export const MAX_INDICATOR_PERIOD = 1_000_000;

/**
 * One instance of the WASM core with one dataset loaded.
 * @example
 * const engine = await WasmEngine.create(bytes);
 * engine.load(ohlcv);                        // once per dataset
 * const result = engine.run(defaultConfig()); // many times
 */
export class WasmEngine {
	private readonly core: CoreExports;
	private n = 0;
	private base = 0;
	private openTime = new Float64Array(0);
	private intervalMs = NaN;
	/** Data generation: changes on every load (the core's rules cache is keyed by it). */
	private generation = 0;
	/** Set by {@link withSignals}: runs go through the core's flag-writing path. */
	private signalsPass = false;
	private loadedPlan: Float64Array | null = null;
	private ohlcv: OhlcvColumns | null = null;

	/** Engine version recorded in run fingerprints: `ENGINE_SEMVER+<build id>` (see fingerprint.ts). */
	readonly version: string;

	private constructor(core: CoreExports, buildId: string) {
		this.core = core;
		this.version = engineVersionOf(buildId);
	}

	/**
	 * Instantiate the core.
	 * @param wasm compiled module or raw bytes of assembly/build/release.wasm
	 * @param options.buildId - {@link engineBuildId} of the module's bytes; computed here when `wasm` is bytes,
	 *   `unknown` when a module is given without it.
	 */
	static async create(wasm: WebAssembly.Module | BufferSource, options: { buildId?: string } = {}): Promise<WasmEngine> {
		const { exports, buildId } = await instantiateCore(wasm, options);
		return new WasmEngine(exports as unknown as CoreExports, buildId);
	}

	/** Number of bars currently loaded. */
	get barCount(): number {
		return this.n;
	}

	/**
	 * Write candles into WASM memory (once per dataset; runs then pass scalars only).
	 * @throws DataError when the candles are empty, NaN, unordered or of mismatched lengths.
	 */
	load(ohlcv: OhlcvColumns): void {
		assertValidOhlcv(ohlcv);
		const n = ohlcv.openTime.length;
		let base = 0;
		try {
			base = this.core.allocate(n);
			if (base !== 0) new Float64Array(this.core.memory.buffer, this.core.columnPtr(5), n); // the last column fits
		} catch (e) {
			// Growing linear memory past its limit, or a view past its end, is a RangeError (or a WASM trap): the same
			// "not enough memory" as an allocation the core refuses.
			if (!(e instanceof RangeError || e instanceof WebAssembly.RuntimeError)) throw e;
			base = 0;
		}
		if (base === 0) throw new DataError(`Not enough memory for ${n} bars in the simulation core: choose a shorter range.`);
		this.n = n;
		this.base = base;
		const cols = [ohlcv.openTime, ohlcv.open, ohlcv.high, ohlcv.low, ohlcv.close, ohlcv.volume];
		for (let c = 0; c < cols.length; c++) this.column(c).set(cols[c]);
		this.core.prepare();
		this.openTime = ohlcv.openTime.slice();
		this.ohlcv = ohlcv;
		this.generation++;
		this.loadedPlan = null;
		this.intervalMs = inferIntervalMs(ohlcv.openTime);
	}

	private column(c: number): Float64Array {
		return new Float64Array(this.core.memory.buffer, this.core.columnPtr(c), this.n);
	}

	private requireData(): void {
		if (this.n === 0) throw new DataError('No candles loaded into the engine: call load(ohlcv) first.');
	}

	/**
	 * Run the core with resolved scalars; `record` = store trade records and the equity column (a summary-only run
	 * leaves the equity column as it was). Returns final equity.
	 */
	runScalars(s: RunScalars, record = false): number {
		this.requireData();
		if (s.strategy === PATTERN_ZONES_WASM_ID) {
			this.scratchClobbered();
			return runZoneScalars(this.core as unknown as ZoneCore, s, record);
		}
		if (s.rules) this.loadPlan(s.rules);
		else if (s.strategy === 5) this.scratchClobbered();
		const p = s.p;
		return (this.signalsPass ? this.core.runFlags : this.core.run)(
			s.strategy, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7],
			s.longShort, s.fee, s.slippage, s.initialCash,
			s.slMode, s.slValue, s.tpMode, s.tpValue, s.atrPeriod,
			s.sizingMode, s.sizingValue, record ? 1 : 0
		);
	}

	/**
	 * poly-bands and pattern-zones use the scratch space after the layout that the rules plan, derived columns and
	 * rules cache also use: after them, a new generation makes the core recompute those and the plan is rewritten.
	 */
	private scratchClobbered(): void {
		this.generation++;
		this.loadedPlan = null;
	}

	/** Write a rule plan into the core (skipped when this very plan is loaded already for the current data). */
	private loadPlan(rp: RulePlan): void {
		if (this.loadedPlan === rp.plan) return;
		const ptr = this.core.rulesPlanPtr(rp.nRegs);
		if (ptr === 0) throw new DataError(`Not enough memory in the simulation core for this rule over ${this.n} bars: choose a shorter range or a simpler rule.`);
		const words = new Float64Array(this.core.memory.buffer, ptr, rp.plan.length);
		words.set(rp.plan);
		words[2] = this.generation;
		this.loadedPlan = rp.plan;
	}

	/**
	 * Run `fn` with every run of this engine going through the core's generic path (`runFlags`: the signal pre-pass
	 * writes the flag bytes, then the flag-reading loop), so that {@link readSignals} sees each run's signals. Results
	 * are bit-identical to the fast path (tests/unit/engine/inline-signals.test.ts); only slower.
	 */
	withSignals<T>(fn: () => T): T {
		const was = this.signalsPass;
		this.signalsPass = true;
		try {
			return fn();
		} finally {
			this.signalsPass = was;
		}
	}

	/**
	 * Signal bits of the last run, one byte per bar (bit 0 enterLong, 1 exitLong, 2 enterShort, 3 exitShort), copied.
	 * Meaningful after a run inside {@link withSignals} of a strategy that has signals (every strategy but
	 * pattern-zones); the built-in strategies' fast path evaluates their signals inside the bar loop and writes none.
	 */
	readSignals(): Uint8Array {
		const f = new Uint8Array(this.core.memory.buffer, this.core.signalsPtr(), this.n).slice();
		for (let i = 0; i < f.length; i++) f[i] &= 0x0f;
		return f;
	}

	/**
	 * Copy of register `reg` of the last rules plan run, one value per bar; `bool`: a yes/no register (one byte per bar
	 * in the core: 2 true, 0 false, 1 undefined), returned as 1 / 0 / NaN.
	 */
	readRuleRegister(reg: number, bool = false): Float64Array {
		if (!bool) return new Float64Array(this.core.memory.buffer, this.core.rulesRegPtr(reg), this.n).slice();
		const bytes = new Uint8Array(this.core.memory.buffer, this.core.rulesRegPtr(reg), this.n);
		const out = new Float64Array(this.n);
		for (let i = 0; i < this.n; i++) out[i] = bytes[i] === 2 ? 1 : bytes[i] === 0 ? 0 : NaN;
		return out;
	}

	/** The candles currently loaded (the arrays given to {@link load}), null before any load. */
	get loaded(): OhlcvColumns | null {
		return this.ohlcv;
	}

	/** The core summary of the last run (see {@link CoreSummary}). */
	readSummary(initialCash: number): CoreSummary {
		return summaryFromCore(new Float64Array(this.core.memory.buffer, this.core.summaryPtr(), SUMMARY_LEN), initialCash, this.n);
	}

	/** Copy the trade records of the last run (which must have been run with `record`). */
	readTrades(count: number): Trade[] {
		const rec = new Float64Array(this.core.memory.buffer, this.core.tradesPtr(), count * TRADE_STRIDE);
		const ot = this.openTime;
		const trades: Trade[] = new Array(count);
		for (let k = 0; k < count; k++) {
			const o = k * TRADE_STRIDE;
			const entryBar = rec[o + 1];
			const exitBar = rec[o + 2];
			const size = rec[o + 5];
			const entryPrice = rec[o + 3];
			const pnl = rec[o + 8];
			trades[k] = {
				direction: rec[o] > 0 ? 'long' : 'short',
				entryBar,
				exitBar,
				entryTime: ot[entryBar],
				exitTime: ot[exitBar],
				entryPrice,
				exitPrice: rec[o + 4],
				size,
				entryFee: rec[o + 6],
				exitFee: rec[o + 7],
				pnl,
				profitRatio: pnl / (size * entryPrice),
				exitReason: EXIT_REASONS[rec[o + 9]]
			};
		}
		return trades;
	}

	/**
	 * Run one backtest on the loaded candles.
	 * @returns trades, equity (copied, length = bars) and the core summary.
	 * @throws ValidationError for an invalid configuration; DataError when no candles are loaded.
	 */
	run(config: BacktestConfig): BacktestResult {
		const scalars = toRunScalars(config);
		this.runScalars(scalars, true);
		const summary = this.readSummary(config.initialCash);
		if (scalars.strategy === PATTERN_ZONES_WASM_ID) {
			const core = this.core as unknown as ZoneCore;
			const { zoneRecords, ...zoneCounts } = readZoneCounts(core);
			return {
				trades: readZoneTrades(core, summary.nTrades, this.openTime, patternParamsFromValues(scalars.p).pattern),
				equity: this.column(COL.equity).slice(),
				ambiguousBars: summary.ambiguousBars,
				summary,
				zones: readZones(core, zoneRecords, this.openTime),
				zoneCounts
			};
		}
		return {
			trades: this.readTrades(summary.nTrades),
			equity: this.column(COL.equity).slice(),
			ambiguousBars: summary.ambiguousBars,
			summary
		};
	}

	/**
	 * Run and return only the core summary (no trade list or equity copy): the fast path for optimisation trials.
	 * @throws ValidationError for an invalid configuration.
	 */
	runSummary(config: BacktestConfig): CoreSummary {
		this.runScalars(toRunScalars(config), false);
		return this.readSummary(config.initialCash);
	}

	/**
	 * Compute one indicator over the loaded bars with the core's own code (the single source of truth for values).
	 * @param period window length in bars, 1..bars
	 * @returns a copy, Float64Array of length = bars, NaN while undefined
	 * @throws ValidationError for an unknown kind or a bad period
	 */
	indicator(kind: IndicatorKind, period: number, source: IndicatorSource = 'close'): Float64Array {
		this.requireData();
		if (!(kind in IND)) throw new ValidationError(`Unknown indicator "${kind}": use one of ${Object.keys(IND).join(', ')}`);
		if (!Number.isInteger(period) || period < 1 || period > MAX_INDICATOR_PERIOD) {
			throw new ValidationError(`Indicator period must be a whole number of bars from 1 to ${MAX_INDICATOR_PERIOD.toLocaleString('en-US')}, got ${period}`);
		}
		const ptr = this.core.indicator(IND[kind], COL[source], period);
		return new Float64Array(this.core.memory.buffer, ptr, this.n).slice();
	}

	/**
	 * Causal polynomial-regression bands of `poly-bands` over the loaded bars, computed by the core (BANDS.md "Band
	 * strategy"): at bar t the degree-`degree` fit of the trailing `window` closes only.
	 * @returns mid (the fit at the window's last point), upper, lower and sigma, Float64Array of length = bars each,
	 *   NaN before bar `window - 1` (and everywhere when there are fewer bars than `window`).
	 * @throws ValidationError when window < degree + 2 or degree is outside 1..10; DataError when the core is out of memory.
	 */
	polyBands(window: number, degree: number, kstd: number): { mid: Float64Array; upper: Float64Array; lower: Float64Array; sigma: Float64Array } {
		this.requireData();
		if (!Number.isInteger(degree) || degree < 1 || degree > 10) throw new ValidationError(`degree must be a whole number from 1 to 10, got ${degree}`);
		if (!Number.isInteger(window) || window < degree + 2) throw new ValidationError(`window must be a whole number of bars ≥ degree + 2 (${degree + 2}), got ${window}`);
		this.scratchClobbered();
		const ptr = this.core.polyBandsCompute(window, degree);
		if (ptr === 0) throw new DataError(`Not enough memory in the simulation core for poly-bands over ${this.n} bars: choose a shorter range.`);
		const mid = new Float64Array(this.core.memory.buffer, ptr, this.n).slice();
		const sigma = new Float64Array(this.core.memory.buffer, ptr + this.n * 8, this.n).slice();
		return { mid, sigma, upper: mid.map((m, i) => m + kstd * sigma[i]), lower: mid.map((m, i) => m - kstd * sigma[i]) };
	}

	/** Indicator series a strategy uses, for chart overlays (price pane) and oscillator panes. */
	indicatorSeries(config: BacktestConfig): IndicatorSeries[] {
		if (config.strategy === 'rules') {
			const scalars = toRunScalars(config);
			this.runScalars(scalars, false);
			return (scalars.rules?.series ?? []).map((s, i) => ({
				id: `rule-${i}`, label: s.label, pane: s.pane,
				values: new Float64Array(this.core.memory.buffer, this.core.rulesRegPtr(s.reg), this.n).slice()
			}));
		}
		const values = toRunScalars(config).p;
		const p: Record<string, number> = Object.fromEntries(getStrategy(config.strategy).params.map((d, i) => [d.name, values[i]]));
		switch (config.strategy) {
			case 'sma-cross':
				return [
					{ id: 'sma-fast', label: `SMA ${p.fast}`, pane: 'price', values: this.indicator('sma', p.fast) },
					{ id: 'sma-slow', label: `SMA ${p.slow}`, pane: 'price', values: this.indicator('sma', p.slow) }
				];
			case 'rsi-mean-reversion':
				return [{ id: 'rsi', label: `RSI ${p.period}`, pane: 'oscillator', values: this.indicator('rsi', p.period) }];
			case 'ema-atr-breakout': {
				const ema = this.indicator('ema', p.emaPeriod);
				const atr = this.indicator('atr', p.atrPeriod);
				const k = p.atrMultiplier;
				return [
					{ id: 'ema', label: `EMA ${p.emaPeriod}`, pane: 'price', values: ema },
					{ id: 'upper', label: `EMA + ${k}·ATR ${p.atrPeriod}`, pane: 'price', values: ema.map((e, i) => e + k * atr[i]) },
					{ id: 'lower', label: `EMA − ${k}·ATR ${p.atrPeriod}`, pane: 'price', values: ema.map((e, i) => e - k * atr[i]) }
				];
			}
			case 'rsi-atr-momentum':
				return [{ id: 'rsi', label: `RSI ${p.rsiPeriod}`, pane: 'oscillator', values: this.indicator('rsi', p.rsiPeriod) }];
			case 'poly-bands': {
				const b = this.polyBands(p.window, p.degree, p.kstd);
				const tag = `poly ${p.degree}, ${p.window} bars`;
				return [
					{ id: 'poly-fit', label: `Causal fit (${tag})`, pane: 'price', values: b.mid },
					{ id: 'poly-upper', label: `Fit + ${p.kstd}σ`, pane: 'price', values: b.upper },
					{ id: 'poly-lower', label: `Fit − ${p.kstd}σ`, pane: 'price', values: b.lower }
				];
			}
			case 'pattern-zones':
				return []; // zones are drawn from the run's `zones`, not as a line series
		}
	}

	/**
	 * Detector-only run over the loaded candles (SEMANTICS.md "Detections on their own"): every zone of each requested
	 * pattern with its kept / duplicate flags, and counts per pattern.
	 * @throws DataError when no candles are loaded; RangeError for a bad option
	 */
	detectZones(options: DetectZonesOptions = {}): DetectZonesResult {
		this.requireData();
		this.scratchClobbered();
		return detectZonesCore(this.core as unknown as ZoneCore, this.openTime, options);
	}

	/** Bar length inferred from the loaded open times (ms; the most common spacing). */
	get barIntervalMs(): number {
		return this.intervalMs;
	}
}

/**
 * Instantiate the WASM core (single-market and portfolio loops live in one module).
 * @param wasm compiled module or raw bytes of assembly/build/release.wasm
 * @param options.buildId {@link engineBuildId} of the bytes; computed from bytes, `unknown` for a module without it
 */
export async function instantiateCore(
	wasm: WebAssembly.Module | BufferSource,
	options: { buildId?: string } = {}
): Promise<{ exports: WebAssembly.Exports; buildId: string }> {
	const buildId =
		options.buildId ??
		(wasm instanceof WebAssembly.Module
			? 'unknown'
			: engineBuildId(ArrayBuffer.isView(wasm) ? new Uint8Array(wasm.buffer, wasm.byteOffset, wasm.byteLength) : new Uint8Array(wasm)));
	const imports = {
		env: {
			abort(_msg: number, _file: number, line: number, col: number) {
				throw new Error(`WASM core aborted at ${line}:${col}`);
			},
			seed: () => 0
		}
	};
	const instance =
		wasm instanceof WebAssembly.Module
			? await WebAssembly.instantiate(wasm, imports)
			: (await WebAssembly.instantiate(wasm as BufferSource, imports)).instance;
	return { exports: instance.exports, buildId };
}

/**
 * Statistics from the core's summary block (layout.ts S_* fields; formulas in {@link CoreSummary}).
 * @param s f64[SUMMARY_LEN] summary of a run; @param initialCash quote currency; @param bars bars of the run
 */
export function summaryFromCore(s: Float64Array, initialCash: number, bars: number): CoreSummary {
		const nTrades = s[1];
		const grossProfit = s[3];
		const grossLoss = s[4];
		const dN = s[9];
		const dMean = dN > 0 ? s[10] / dN : NaN;
		const dVar = dN > 1 ? (s[11] - dN * dMean * dMean) / (dN - 1) : NaN;
		const dDown = dN > 0 ? Math.sqrt(s[12] / dN) : NaN;
		const prMean = nTrades > 0 ? s[14] / nTrades : NaN;
		const prVar = nTrades > 1 ? (s[15] - nTrades * prMean * prMean) / (nTrades - 1) : NaN;
		return {
			finalEquity: s[0],
			totalReturnRatio: s[0] / initialCash - 1,
			maxDrawdownRatio: s[6],
			maxDrawdownAmount: s[13],
			nTrades,
			nWins: s[2],
			nLosses: s[16],
			winRate: nTrades > 0 ? s[2] / nTrades : NaN,
			totalFees: s[5],
			grossProfit,
			grossLoss,
			profitFactor: grossLoss < 0 ? grossProfit / -grossLoss : grossProfit > 0 ? Infinity : NaN,
			sharpeRatio: dVar > 0 ? (dMean / Math.sqrt(dVar)) * Math.sqrt(365) : NaN,
			sortinoRatio: dDown > 0 ? (dMean / dDown) * Math.sqrt(365) : NaN,
			sqn: prVar > 0 ? (Math.sqrt(nTrades) * prMean) / Math.sqrt(prVar) : NaN,
			exposureRatio: bars > 0 ? s[8] / bars : NaN,
			ambiguousBars: s[7]
		};
}
