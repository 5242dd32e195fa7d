/**
 * Host wrapper of the WASM portfolio loop (assembly/portfolio.ts; rules in SEMANTICS.md "Portfolios"). One instance
 * holds one set of markets: {@link WasmPortfolioEngine.load} aligns them on the union of their open times and writes
 * them into linear memory once; each run passes scalars only.
 *
 * Memory (offsets from the core's exports, never duplicated here): pfStartPtr/pfCountPtr i32[M], pfTimePtr f64[T],
 * pfColPtr(c) f64[N] (0 open, 1 high, 2 low, 3 close, 4 volume, markets concatenated), pfUnionIndexPtr i32[N],
 * pfEquityPtr/pfOpenPositionsPtr f64[T], pfStatePtr f64[M*24] (attribution at 16..20), pfSummaryPtr f64[24],
 * pfRulesPtr f64[M*3] (step, tick, min notional), pfRecordsPtr f64[12] per record (trade: tag 0; event: tag 1).
 */
import { DataError, ValidationError } from '../core/errors';
import { engineVersionOf } from './fingerprint';
import { validatePortfolioConfig } from './portfolio-config';
import type {
	BreakerEvent,
	ExitReason,
	MarketAttribution,
	PortfolioConfig,
	PortfolioMarket,
	PortfolioSimulationOutput,
	PortfolioTrade
} from './types';
import { assertValidOhlcv, instantiateCore, summaryFromCore, toRunScalars, type CoreSummary } from './wasm-engine';

const SUMMARY_LEN = 24;
const REC = 12;
const MS = 24;
const S_N_RECORDS = 17;
const S_N_LIQUIDATIONS = 19;
const S_N_ROUNDED = 20;
const S_N_SKIPPED = 21;
const EXIT_REASONS: ExitReason[] = ['signal', 'stop_loss', 'take_profit', 'end_of_data', 'circuit_breaker', 'liquidation'];
const SIZING_MODE = { 'equity-fraction': 0, 'fixed-notional': 1, risk: 2, 'equity-split': 3 } as const;
/** Most markets in one portfolio run. */
export const MAX_PORTFOLIO_MARKETS = 200;

interface PortfolioCoreExports {
	memory: WebAssembly.Memory;
	pfAllocate(m: number, t: number, n: number): number;
	pfStartPtr(): number;
	pfCountPtr(): number;
	pfTimePtr(): number;
	pfColPtr(c: number): number;
	pfUnionIndexPtr(): number;
	pfEquityPtr(): number;
	pfOpenPositionsPtr(): number;
	pfStatePtr(): number;
	pfSummaryPtr(): number;
	pfRecordsPtr(): number;
	pfRulesPtr(): number;
	pfPrepare(): void;
	pfRun(
		strategy: number, p0: number, p1: number, p2: number, p3: number, p4: number, p5: number, p6: number, p7: number,
		longShort: number, fee: number, slippage: number, initialCash: number,
		slMode: number, slValue: number, tpMode: number, tpValue: number, atrPeriod: number,
		sizingMode: number, sizingValue: number, k: number, leverage: number, mmr: number,
		mdThreshold: number, mdCooldown: number, clCount: number, clFactor: number, record: number,
		makerFee: number, rules: number
	): number;
}

/** A portfolio run's output: the simulation plus the core summary of the portfolio equity and combined trades. */
export interface PortfolioResult extends PortfolioSimulationOutput {
	summary: CoreSummary;
	/** Trades closed by liquidation. */
	liquidations: number;
	/** Entries whose quantity or stop-loss/take-profit price the exchange rules changed (0 without `exchangeRules`). */
	ordersAdjusted: number;
	/** Entries skipped because their notional was under the market's minimum (or the quantity floored to 0). */
	ordersSkipped: number;
}

/**
 * Align markets on the union of their open times.
 * @param openTimes one strictly ascending Float64Array (ms UTC) per market
 * @returns `openTime`: the sorted union (length T); `unionIndex[m][j]`: the union bar of market m's bar j
 */
export function alignOpenTimes(openTimes: ArrayLike<number>[]): { openTime: Float64Array; unionIndex: Int32Array[] } {
	const sameAsFirst = (ot: ArrayLike<number>) => {
		const a = openTimes[0];
		if (ot.length !== a.length) return false;
		for (let j = 0; j < ot.length; j++) if (ot[j] !== a[j]) return false;
		return true;
	};
	if (openTimes.every(sameAsFirst)) {
		// Common case: every market has the same bars.
		const openTime = Float64Array.from(openTimes[0]);
		const idx = Int32Array.from({ length: openTime.length }, (_, j) => j);
		return { openTime, unionIndex: openTimes.map(() => idx.slice()) };
	}
	const total = openTimes.reduce((a, ot) => a + ot.length, 0);
	const all = new Float64Array(total);
	let at = 0;
	for (const ot of openTimes) {
		all.set(ot, at);
		at += ot.length;
	}
	all.sort();
	let n = 0;
	for (let i = 0; i < total; i++) if (i === 0 || all[i] !== all[n - 1]) all[n++] = all[i];
	const openTime = all.slice(0, n);
	const unionIndex = openTimes.map((ot) => {
		const idx = new Int32Array(ot.length);
		let u = 0;
		for (let j = 0; j < ot.length; j++) {
			while (openTime[u] < ot[j]) u++;
			idx[j] = u;
		}
		return idx;
	});
	return { openTime, unionIndex };
}

/**
 * One instance of the WASM core holding one portfolio of markets.
 * @example
 * const engine = await WasmPortfolioEngine.create(bytes);
 * engine.load([{ symbol: 'BTCUSDT', ohlcv: btc }, { symbol: 'ETHUSDT', ohlcv: eth }]);
 * const result = engine.run({ ...defaultPortfolioConfig(), maxPositions: 2 });
 */
export class WasmPortfolioEngine {
	private readonly core: PortfolioCoreExports;
	private symbols: string[] = [];
	private counts: number[] = [];
	private openTime: Float64Array = new Float64Array(0);

	/** Engine version recorded in fingerprints: `ENGINE_SEMVER+<build id>`. */
	readonly version: string;

	private constructor(core: PortfolioCoreExports, buildId: string) {
		this.core = core;
		this.version = engineVersionOf(buildId);
	}

	/** Instantiate the core (see {@link instantiateCore}). */
	static async create(wasm: WebAssembly.Module | BufferSource, options: { buildId?: string } = {}): Promise<WasmPortfolioEngine> {
		const { exports, buildId } = await instantiateCore(wasm, options);
		return new WasmPortfolioEngine(exports as unknown as PortfolioCoreExports, buildId);
	}

	/** Symbols of the loaded markets, in priority order. */
	get marketSymbols(): string[] {
		return this.symbols.slice();
	}

	/** Union bars of the loaded markets. */
	get barCount(): number {
		return this.openTime.length;
	}

	/**
	 * Align the markets on the union of their open times and write them into the core (once per set of markets).
	 * @param markets 1 … 200 markets of one interval, in priority order, unique symbols, each with valid candles
	 * @throws ValidationError for no markets, too many or duplicate symbols; DataError for bad candles (naming the
	 *   market) or when the core cannot get the memory
	 */
	load(markets: PortfolioMarket[]): void {
		if (!Array.isArray(markets) || markets.length === 0) throw new ValidationError('A portfolio needs at least one market: add markets and try again.');
		if (markets.length > MAX_PORTFOLIO_MARKETS)
			throw new ValidationError(`A portfolio holds at most ${MAX_PORTFOLIO_MARKETS} markets, got ${markets.length}: remove some.`);
		const seen = new Set<string>();
		for (const m of markets) {
			if (seen.has(m.symbol)) throw new ValidationError(`Market ${m.symbol} is listed twice: each market may appear once.`);
			const r = m.rules;
			if (r && ![r.stepSize, r.tickSize, r.minNotional].every((x) => Number.isFinite(x) && x >= 0))
				throw new ValidationError(`${m.symbol}: exchange rules must be finite numbers >= 0 (0 = no rule), got ${JSON.stringify(r)}.`);
			seen.add(m.symbol);
			try {
				assertValidOhlcv(m.ohlcv);
			} catch (e) {
				if (e instanceof DataError) throw new DataError(`${m.symbol}: ${e.message}`);
				throw e;
			}
		}
		const { openTime, unionIndex } = alignOpenTimes(markets.map((m) => m.ohlcv.openTime));
		const counts = markets.map((m) => m.ohlcv.openTime.length);
		const total = counts.reduce((a, b) => a + b, 0);
		const c = this.core;
		if (c.pfAllocate(markets.length, openTime.length, total) === 0)
			throw new DataError(`Not enough memory for ${markets.length} markets and ${total} bars in the simulation core: choose fewer markets or a shorter range.`);
		const buf = c.memory.buffer;
		const start = new Int32Array(buf, c.pfStartPtr(), markets.length);
		const count = new Int32Array(buf, c.pfCountPtr(), markets.length);
		new Float64Array(buf, c.pfTimePtr(), openTime.length).set(openTime);
		const uidx = new Int32Array(buf, c.pfUnionIndexPtr(), total);
		const rules = new Float64Array(buf, c.pfRulesPtr(), markets.length * 3);
		const cols = [0, 1, 2, 3, 4].map((k) => new Float64Array(buf, c.pfColPtr(k), total));
		let at = 0;
		markets.forEach((m, i) => {
			start[i] = at;
			count[i] = counts[i];
			cols[0].set(m.ohlcv.open, at);
			cols[1].set(m.ohlcv.high, at);
			cols[2].set(m.ohlcv.low, at);
			cols[3].set(m.ohlcv.close, at);
			cols[4].set(m.ohlcv.volume, at);
			uidx.set(unionIndex[i], at);
			const r = m.rules;
			rules.set([r?.stepSize ?? 0, r?.tickSize ?? 0, r?.minNotional ?? 0], i * 3);
			at += counts[i];
		});
		c.pfPrepare();
		this.symbols = markets.map((m) => m.symbol);
		this.counts = counts;
		this.openTime = openTime;
	}

	private runCore(config: PortfolioConfig, record: boolean): void {
		if (this.symbols.length === 0) throw new DataError('No markets loaded into the portfolio engine: call load(markets) first.');
		validatePortfolioConfig(config, this.symbols.length);
		const single = toRunScalars({ ...config, sizing: config.sizing.mode === 'equity-split' ? { mode: 'equity-fraction', fraction: 1 } : config.sizing });
		const sz = config.sizing;
		const sizingValue = sz.mode === 'fixed-notional' ? sz.amount : sz.mode === 'equity-split' ? 0 : sz.fraction;
		const md = config.breakers.find((b) => b.kind === 'max-drawdown');
		const cl = config.breakers.find((b) => b.kind === 'consecutive-losses');
		const p = single.p;
		this.core.pfRun(
			single.strategy, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7],
			single.longShort, single.fee, single.slippage, single.initialCash,
			single.slMode, single.slValue, single.tpMode, single.tpValue, single.atrPeriod,
			SIZING_MODE[sz.mode], sizingValue, config.maxPositions, config.leverage, config.maintenanceMarginRatio,
			md && md.kind === 'max-drawdown' ? md.threshold : 0, md && md.kind === 'max-drawdown' ? md.cooldownBars : 0,
			cl && cl.kind === 'consecutive-losses' ? cl.count : 0, cl && cl.kind === 'consecutive-losses' ? cl.factor : 1,
			record ? 1 : 0,
			config.makerFeeRate ?? single.fee,
			config.exchangeRules ? 1 : 0
		);
	}

	private summaryArray(): Float64Array {
		return new Float64Array(this.core.memory.buffer, this.core.pfSummaryPtr(), SUMMARY_LEN);
	}

	/**
	 * Run a portfolio backtest on the loaded markets.
	 * @returns trades with their market (bars index `openTime`), equity and open positions per union bar, breaker
	 *   events, per-market attribution and the core summary
	 * @throws ValidationError for an invalid configuration (see validatePortfolioConfig); DataError when nothing is loaded
	 */
	run(config: PortfolioConfig): PortfolioResult {
		this.runCore(config, true);
		const c = this.core;
		const buf = c.memory.buffer; // after the run: the records may have grown memory
		const sArr = this.summaryArray();
		const summary = summaryFromCore(sArr, config.initialCash, this.openTime.length);
		const nRec = sArr[S_N_RECORDS];
		const rec = new Float64Array(buf, c.pfRecordsPtr(), nRec * REC);
		const ot = this.openTime;
		const trades: PortfolioTrade[] = [];
		const events: BreakerEvent[] = [];
		for (let k = 0; k < nRec; k++) {
			const o = k * REC;
			if (rec[o] === 0) {
				const entryBar = rec[o + 3];
				const exitBar = rec[o + 4];
				const size = rec[o + 7];
				const entryPrice = rec[o + 5];
				const pnl = rec[o + 10];
				trades.push({
					symbol: this.symbols[rec[o + 1]],
					direction: rec[o + 2] > 0 ? 'long' : 'short',
					entryBar,
					exitBar,
					entryTime: ot[entryBar],
					exitTime: ot[exitBar],
					entryPrice,
					exitPrice: rec[o + 6],
					size,
					entryFee: rec[o + 8],
					exitFee: rec[o + 9],
					pnl,
					profitRatio: pnl / (size * entryPrice),
					exitReason: EXIT_REASONS[rec[o + 11]]
				});
			} else {
				const bar = rec[o + 3];
				events.push({
					bar,
					time: ot[bar],
					type: rec[o + 1] === 0 ? 'max-drawdown' : 'consecutive-losses',
					action: rec[o + 2] === 0 ? 'trip' : 'release',
					value: rec[o + 4]
				});
			}
		}
		const state = new Float64Array(buf, c.pfStatePtr(), this.symbols.length * MS);
		const attribution: MarketAttribution[] = this.symbols.map((symbol, m) => {
			const o = m * MS;
			const nT = state[o + 17];
			return {
				symbol,
				pnl: state[o + 16],
				trades: nT,
				wins: state[o + 18],
				winRate: nT > 0 ? state[o + 18] / nT : NaN,
				fees: state[o + 19],
				exposureRatio: this.counts[m] > 0 ? state[o + 20] / this.counts[m] : NaN,
				bars: this.counts[m]
			};
		});
		return {
			symbols: this.symbols.slice(),
			openTime: ot.slice(),
			trades,
			equity: new Float64Array(buf, c.pfEquityPtr(), ot.length).slice(),
			openPositions: new Float64Array(buf, c.pfOpenPositionsPtr(), ot.length).slice(),
			events,
			attribution,
			ambiguousBars: summary.ambiguousBars,
			summary,
			liquidations: sArr[S_N_LIQUIDATIONS],
			ordersAdjusted: sArr[S_N_ROUNDED],
			ordersSkipped: sArr[S_N_SKIPPED]
		};
	}

	/**
	 * Run and return only the core summary (no records or copies): the fast path for optimising portfolio settings.
	 * @throws ValidationError for an invalid configuration
	 */
	runSummary(config: PortfolioConfig): CoreSummary {
		this.runCore(config, false);
		return summaryFromCore(this.summaryArray(), config.initialCash, this.openTime.length);
	}
}
