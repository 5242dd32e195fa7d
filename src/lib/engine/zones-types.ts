/**
 * Types and enumerations of the price-action pattern detectors and the `pattern-zones` strategy
 * (SEMANTICS.md "Price-action patterns"), shared by the WASM wrapper (zones-engine.ts), the TS reference
 * (reference/zones.ts), the CLI and the app.
 */
import type { Trade } from './types';

/** Detector names, in the order of their numeric codes in the WASM core (0, 1, 2). */
export const PATTERNS = ['fvg', 'order-block', 'liquidity-sweep'] as const;
export type PatternId = (typeof PATTERNS)[number];
/** Entry level methods, in core code order. */
export const ENTRY_METHODS = ['zone-edge', 'zone-mid', 'atr-buffer'] as const;
export type EntryMethod = (typeof ENTRY_METHODS)[number];
/** Take-profit methods, in core code order. */
export const TP_METHODS = ['fixed-rr', 'atr-multiple', 'swing-target'] as const;
export type TpMethod = (typeof TP_METHODS)[number];

/** Overlap threshold of the de-duplication (fraction of the new zone's height). */
export const OVERLAP_THRESHOLD = 0.7;
/** First bar at which a zone may become active in the strategy (Wilder ATR14 defined). */
export const ZONE_ATR_PERIOD = 14;

/** Resolved parameters of one pattern run (numbers and enumeration values). */
export interface PatternParams {
	pattern: PatternId;
	entryMethod: EntryMethod;
	tpMethod: TpMethod;
	/** Final target distance in R (fixed-rr) or in ATR[c] (atr-multiple). */
	rrTarget: number;
	/** Stop-loss buffer beyond the zone, fraction of the zone height. */
	slBufferRatio: number;
	/** Minimum zone height / close[c] (fraction, 0.0015 = 0.15 %). */
	minZoneRatio: number;
	/** Drop zones overlapping an active zone of the same pattern and direction by >= 70 %. */
	useOverlap: boolean;
	/** Bars after its confirmation bar a zone stays active (it is removed at the end of bar c + zoneExpiryBars). */
	zoneExpiryBars: number;
	/** atr-buffer entry: ATR[c] multiple beyond the zone edge. */
	entryAtrBuffer: number;
	/** swing-target: bars of the swing window ending at c. */
	swingLookback: number;
	/** order-block: L bars before c whose high/low the close must clear. */
	structureLookback: number;
	/** liquidity-sweep: L bars before c whose lowest low / highest high is swept. */
	sweepLookback: number;
}

export type ZoneDirection = 'bullish' | 'bearish';
/** Why a zone stopped being active. `before-atr`: confirmed before ATR14 exists (strategy only). */
export type ZoneEnd = 'traded' | 'skipped' | 'invalidated' | 'expired' | 'end-of-data' | 'duplicate' | 'not-kept' | 'before-atr';

/** One detected zone. `c` = confirmation bar (the zone is known at its close, never earlier). */
export interface Zone {
	pattern: PatternId;
	direction: ZoneDirection;
	c: number;
	/** open time of bar c, ms UTC */
	time: number;
	bottom: number;
	top: number;
	/** height / close[c] >= minZoneRatio */
	kept: boolean;
	/** dropped by the 70 % overlap de-duplication */
	duplicate: boolean;
	/** last bar at which the zone was active (its end bar); -1 when it never became active */
	endBar: number;
	end: ZoneEnd;
}

/** Zone counts of one run (strategy runs; detector-only runs fill detected/kept/duplicates/invalidated/expired). */
export interface ZoneCounts {
	detected: number;
	kept: number;
	duplicates: number;
	/** kept zones confirmed before ATR14 exists (never active in the strategy) */
	beforeAtr: number;
	activated: number;
	traded: number;
	skipped: number;
	invalidated: number;
	expired: number;
	activeAtEnd: number;
}

/** One exit fill of a trade's leg. */
export interface TradeLeg {
	bar: number;
	time: number;
	price: number;
	units: number;
	fee: number;
	reason: 'stop_loss' | 'take_profit' | 'end_of_data';
}

/** A pattern-zones trade: a {@link Trade} (exitPrice = units-weighted mean of the legs) with its zone and legs. */
export interface ZoneTrade extends Trade {
	legs: TradeLeg[];
	pattern: PatternId;
	/** the traded zone's confirmation bar and bounds */
	c: number;
	bottom: number;
	top: number;
	stopLoss: number;
	takeProfits: [number, number, number];
}

export const EMPTY_COUNTS: Readonly<ZoneCounts> = Object.freeze({
	detected: 0, kept: 0, duplicates: 0, beforeAtr: 0, activated: 0, traded: 0, skipped: 0, invalidated: 0, expired: 0, activeAtEnd: 0
});

/** Order of the counts in the core's count block (assembly/zones.ts ZC_*). */
export const COUNT_KEYS: (keyof ZoneCounts)[] = [
	'detected', 'kept', 'duplicates', 'beforeAtr', 'activated', 'traded', 'skipped', 'invalidated', 'expired', 'activeAtEnd'
];
