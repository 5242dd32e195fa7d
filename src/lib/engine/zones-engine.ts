/**
 * Host side of the WASM core's price-action module (assembly/zones.ts): pattern-zones runs and detector-only runs on
 * the candles a {@link WasmEngine} has loaded (same core instance, same linear memory). Rules: SEMANTICS.md
 * "Price-action patterns".
 *
 * Memory (offsets from the core's exports): `zZonesPtr()` zone records (8 f64: direction ±1, c, bottom, top, flags
 * bit0 kept / bit1 duplicate, end bar, end code, pattern code); `zTradesPtr()` trade records (36 f64: trade fields,
 * zone, stop-loss, three take-profits, zone record index, then three legs of 5 f64: bar, price, units, fee, reason);
 * `zCountsPtr()` counts (16 f64, {@link COUNT_KEYS} order, then the number of zone records).
 */
import { DataError } from '../core/errors';
import type { RunScalars } from './wasm-engine';
import {
	COUNT_KEYS, ENTRY_METHODS, PATTERNS, TP_METHODS,
	type PatternId, type PatternParams, type TradeLeg, type Zone, type ZoneCounts, type ZoneEnd, type ZoneTrade
} from './zones-types';

/** The registry's numeric id of `pattern-zones` (strategies.ts); the engine dispatches on it. */
export const PATTERN_ZONES_WASM_ID = 11;

const ZR_STRIDE = 8;
const ZT_STRIDE = 36;
const ZC_LEN = 16;
const END_CODES: ZoneEnd[] = ['not-kept', 'duplicate', 'before-atr', 'traded', 'skipped', 'invalidated', 'expired', 'end-of-data'];
const REASONS: TradeLeg['reason'][] = ['stop_loss', 'stop_loss', 'take_profit', 'end_of_data'];

/** The exports of the core this module uses. */
export interface ZoneCore {
	memory: WebAssembly.Memory;
	zRun(
		pattern: number, entryMethod: number, tpMethod: number, rrTarget: number, slBufferRatio: number, minZoneRatio: number,
		useOverlap: number, zoneExpiryBars: number, entryAtrBuffer: number, swingLookback: number, structureLookback: number,
		sweepLookback: number, longShort: number, fee: number, slippage: number, initialCash: number, sizingMode: number,
		sizingValue: number, record: number
	): number;
	zDetect(pattern: number, lookback: number, minZoneRatio: number, useOverlap: number, zoneExpiryBars: number): number;
	zZonesPtr(): number;
	zTradesPtr(): number;
	zCountsPtr(): number;
}

/**
 * Pattern parameters from resolved registry values (strategies.ts `pattern-zones` order: pattern, entryMethod,
 * tpMethod, rrTarget, slBufferRatio, minZoneRatio, useOverlap, zoneExpiryBars, entryAtrBuffer, swingLookback,
 * structureLookback, sweepLookback; enumerations as option indices).
 */
export function patternParamsFromValues(p: readonly number[]): PatternParams {
	return {
		pattern: PATTERNS[p[0]],
		entryMethod: ENTRY_METHODS[p[1]],
		tpMethod: TP_METHODS[p[2]],
		rrTarget: p[3],
		slBufferRatio: p[4],
		minZoneRatio: p[5],
		useOverlap: p[6] !== 0,
		zoneExpiryBars: p[7],
		entryAtrBuffer: p[8],
		swingLookback: p[9],
		structureLookback: p[10],
		sweepLookback: p[11]
	};
}

/**
 * One pattern-zones run from run scalars (`s.p` in registry order). Results stay in core memory (equity column,
 * summary, counts; zone and trade records when `record`).
 * @returns final equity
 * @throws DataError when the core cannot grow its memory for the loaded bars
 */
export function runZoneScalars(core: ZoneCore, s: RunScalars, record: boolean): number {
	const p = s.p;
	const eq = core.zRun(
		p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11],
		s.longShort, s.fee, s.slippage, s.initialCash, s.sizingMode, s.sizingValue, record ? 1 : 0
	);
	if (Number.isNaN(eq)) throw new DataError('Not enough memory for the pattern-zones records of this range: choose a shorter range.');
	return eq;
}

/** Counts of the last zone run (strategy or detector-only). */
export function readZoneCounts(core: ZoneCore): ZoneCounts & { zoneRecords: number } {
	const c = new Float64Array(core.memory.buffer, core.zCountsPtr(), ZC_LEN);
	const out = Object.fromEntries(COUNT_KEYS.map((k, i) => [k, c[i]])) as unknown as ZoneCounts;
	return { ...out, zoneRecords: c[10] };
}

/**
 * Zone records of the last run, ordered by confirmation bar, bullish before bearish at the same bar.
 * @param openTime bar open times (ms UTC) of the loaded candles
 */
export function readZones(core: ZoneCore, count: number, openTime: Float64Array): Zone[] {
	const r = new Float64Array(core.memory.buffer, core.zZonesPtr(), count * ZR_STRIDE);
	const zones: Zone[] = new Array(count);
	for (let k = 0; k < count; k++) {
		const o = k * ZR_STRIDE;
		const c = r[o + 1];
		zones[k] = {
			pattern: PATTERNS[r[o + 7]],
			direction: r[o] > 0 ? 'bullish' : 'bearish',
			c,
			time: openTime[c],
			bottom: r[o + 2],
			top: r[o + 3],
			kept: (r[o + 4] & 1) !== 0,
			duplicate: (r[o + 4] & 2) !== 0,
			endBar: r[o + 5],
			end: END_CODES[r[o + 6]]
		};
	}
	return zones.sort((a, b) => a.c - b.c || (a.direction === b.direction ? 0 : a.direction === 'bullish' ? -1 : 1));
}

/** Trade records (with legs) of the last recorded pattern-zones run. */
export function readZoneTrades(core: ZoneCore, count: number, openTime: Float64Array, pattern: PatternId): ZoneTrade[] {
	const r = new Float64Array(core.memory.buffer, core.zTradesPtr(), count * ZT_STRIDE);
	const trades: ZoneTrade[] = new Array(count);
	for (let k = 0; k < count; k++) {
		const o = k * ZT_STRIDE;
		const entryBar = r[o + 1];
		const exitBar = r[o + 2];
		const size = r[o + 5];
		const entryPrice = r[o + 3];
		const pnl = r[o + 8];
		const legs: TradeLeg[] = [];
		for (let j = 0; j < 3; j++) {
			const q = o + 18 + j * 5;
			legs.push({ bar: r[q], time: openTime[r[q]], price: r[q + 1], units: r[q + 2], fee: r[q + 3], reason: REASONS[r[q + 4]] });
		}
		trades[k] = {
			direction: r[o] > 0 ? 'long' : 'short',
			entryBar,
			exitBar,
			entryTime: openTime[entryBar],
			exitTime: openTime[exitBar],
			entryPrice,
			exitPrice: r[o + 4],
			size,
			entryFee: r[o + 6],
			exitFee: r[o + 7],
			pnl,
			profitRatio: pnl / (size * entryPrice),
			exitReason: REASONS[r[o + 9]],
			legs,
			pattern,
			c: r[o + 10],
			bottom: r[o + 11],
			top: r[o + 12],
			stopLoss: r[o + 13],
			takeProfits: [r[o + 14], r[o + 15], r[o + 16]]
		};
	}
	return trades;
}

/** Options of a detector-only run (defaults: PATTERNS.md). */
export interface DetectZonesOptions {
	/** Patterns to detect (default all three). */
	patterns?: readonly PatternId[];
	/** Minimum zone height / close[c] (default 0.0015). */
	minZoneRatio?: number;
	/** Overlap de-duplication (default true). */
	useOverlap?: boolean;
	/** Bars a zone stays active for de-duplication (default 100). */
	zoneExpiryBars?: number;
	/** order-block lookback (default 10). */
	structureLookback?: number;
	/** liquidity-sweep lookback (default 20). */
	sweepLookback?: number;
}

/** Result of a detector-only run: every zone, and counts per pattern. */
export interface DetectZonesResult {
	zones: Zone[];
	counts: Partial<Record<PatternId, ZoneCounts>>;
}

/**
 * Detector-only run of each requested pattern (SEMANTICS.md "Detections on their own").
 * @throws RangeError for a bad option (naming the allowed values)
 */
export function detectZonesCore(core: ZoneCore, openTime: Float64Array, opts: DetectZonesOptions = {}): DetectZonesResult {
	const patterns = opts.patterns ?? PATTERNS;
	const minZoneRatio = opts.minZoneRatio ?? 0.0015;
	const expiry = opts.zoneExpiryBars ?? 100;
	const L = { structure: opts.structureLookback ?? 10, sweep: opts.sweepLookback ?? 20 };
	for (const p of patterns) if (!PATTERNS.includes(p)) throw new RangeError(`Unknown pattern "${p}": use one of ${PATTERNS.join(', ')}`);
	if (!(minZoneRatio >= 0 && minZoneRatio < 1)) throw new RangeError(`minZoneRatio must be a fraction from 0 to below 1 (0.0015 = 0.15 %), got ${minZoneRatio}`);
	for (const [name, v] of [['zoneExpiryBars', expiry], ['structureLookback', L.structure], ['sweepLookback', L.sweep]] as const)
		if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a whole number of bars >= 1, got ${v}`);
	const zones: Zone[] = [];
	const counts: Partial<Record<PatternId, ZoneCounts>> = {};
	for (const p of patterns) {
		const code = PATTERNS.indexOf(p);
		const lookback = p === 'order-block' ? L.structure : p === 'liquidity-sweep' ? L.sweep : 2;
		const nz = core.zDetect(code, lookback, minZoneRatio, opts.useOverlap === false ? 0 : 1, expiry);
		if (nz < 0) throw new DataError('Not enough memory for the zone records of this range: choose a shorter range.');
		const { zoneRecords: _, ...c } = readZoneCounts(core);
		counts[p] = c;
		zones.push(...readZones(core, nz, openTime));
	}
	return { zones, counts };
}
