/**
 * Plain-TypeScript reference of the price-action detectors and the `pattern-zones` strategy, written rule by rule
 * from SEMANTICS.md "Price-action patterns". It exists only for parity tests of the WASM core (assembly/zones.ts);
 * the app and the CLI never run it. Clarity over speed: arrays and sorting inside the loop are fine here.
 */
import type { OhlcvColumns } from '../../core/types';
import type { DirectionMode, SizingSpec } from '../types';
import { atrWilder } from './indicators';
import {
	OVERLAP_THRESHOLD, ZONE_ATR_PERIOD,
	type PatternId, type PatternParams, type TradeLeg, type Zone, type ZoneCounts, type ZoneDirection, type ZoneTrade
} from '../zones-types';

/** A raw detection at bar c (before the size filter and de-duplication). */
export interface RawZone {
	pattern: PatternId;
	direction: ZoneDirection;
	c: number;
	bottom: number;
	top: number;
}

/**
 * Zones of `pattern` confirmed at bar `c` (bullish first), from bars `<= c` only.
 * @param L lookback: structureLookback (order-block) or sweepLookback (liquidity-sweep); unused for fvg
 */
export function detectAt(o: OhlcvColumns, pattern: PatternId, c: number, L: number): RawZone[] {
	const { open, high, low, close } = o;
	const out: RawZone[] = [];
	if (pattern === 'fvg') {
		if (c < 2) return out;
		if (low[c] > high[c - 2]) out.push({ pattern, direction: 'bullish', c, bottom: high[c - 2], top: low[c] });
		if (high[c] < low[c - 2]) out.push({ pattern, direction: 'bearish', c, bottom: high[c], top: low[c - 2] });
	} else if (pattern === 'order-block') {
		if (c < L) return out;
		let hh = -Infinity;
		let ll = Infinity;
		for (let i = c - L; i <= c - 1; i++) {
			hh = Math.max(hh, high[i]);
			ll = Math.min(ll, low[i]);
		}
		if (close[c - 1] < open[c - 1] && close[c] > open[c] && close[c] > hh)
			out.push({ pattern, direction: 'bullish', c, bottom: low[c - 1], top: high[c - 1] });
		if (close[c - 1] > open[c - 1] && close[c] < open[c] && close[c] < ll)
			out.push({ pattern, direction: 'bearish', c, bottom: low[c - 1], top: high[c - 1] });
	} else {
		if (c < L) return out;
		let hh = -Infinity;
		let ll = Infinity;
		for (let i = c - L; i <= c - 1; i++) {
			hh = Math.max(hh, high[i]);
			ll = Math.min(ll, low[i]);
		}
		if (low[c] < ll && close[c] > ll) out.push({ pattern, direction: 'bullish', c, bottom: low[c], top: Math.min(open[c], close[c]) });
		if (high[c] > hh && close[c] < hh) out.push({ pattern, direction: 'bearish', c, bottom: Math.max(open[c], close[c]), top: high[c] });
	}
	return out;
}

function lookbackOf(p: Pick<PatternParams, 'structureLookback' | 'sweepLookback'>, pattern: PatternId): number {
	return pattern === 'order-block' ? p.structureLookback : pattern === 'liquidity-sweep' ? p.sweepLookback : 0;
}

/** Overlap of Z with A as a fraction of Z's height (NaN for a zero-height Z, which is then never a duplicate). */
function overlapRatio(z: { bottom: number; top: number }, a: { bottom: number; top: number }): number {
	return Math.max(0, Math.min(z.top, a.top) - Math.max(z.bottom, a.bottom)) / (z.top - z.bottom);
}

/** Options of a detector-only run. */
export type DetectOptions = Pick<PatternParams, 'minZoneRatio' | 'useOverlap' | 'zoneExpiryBars' | 'structureLookback' | 'sweepLookback'>;

/**
 * Detector-only run of one pattern over all bars (SEMANTICS.md "Detections on their own"): every zone with
 * kept/duplicate flags; a kept, non-duplicate zone is active from c+1 until a close invalidates it or the end of
 * bar c + zoneExpiryBars; a zone confirmed at u is compared with the zones still active after bar u's removals.
 */
export function detectZonesRef(o: OhlcvColumns, pattern: PatternId, opt: DetectOptions): Zone[] {
	const n = o.close.length;
	const L = lookbackOf(opt, pattern);
	const zones: Zone[] = [];
	const active: Zone[] = [];
	for (let u = 0; u < n; u++) {
		// removals at the end of bar u (invalidation first, then expiry)
		for (let i = active.length - 1; i >= 0; i--) {
			const a = active[i];
			const inval = a.direction === 'bullish' ? o.close[u] < a.bottom : o.close[u] > a.top;
			if (inval || u >= a.c + opt.zoneExpiryBars) {
				a.endBar = u;
				a.end = inval ? 'invalidated' : 'expired';
				active.splice(i, 1);
			}
		}
		for (const r of detectAt(o, pattern, u, L)) {
			const z: Zone = { ...r, time: o.openTime[u], kept: false, duplicate: false, endBar: -1, end: 'not-kept' };
			z.kept = (z.top - z.bottom) / o.close[u] >= opt.minZoneRatio;
			if (z.kept && opt.useOverlap)
				z.duplicate = active.some((a) => a.direction === z.direction && overlapRatio(z, a) >= OVERLAP_THRESHOLD);
			if (z.kept && !z.duplicate) {
				z.end = 'end-of-data';
				z.endBar = n - 1;
				active.push(z);
			} else if (z.duplicate) z.end = 'duplicate';
			zones.push(z);
		}
	}
	return zones;
}

/** Run settings of a pattern-zones simulation besides the strategy parameters. */
export interface ZoneRunSettings {
	direction: DirectionMode;
	feeRate: number;
	/** Against the trader on market exits only (stop-loss, end of data); limit fills (entries, take-profits) are at their price. */
	slippageRate: number;
	initialCash: number;
	sizing: SizingSpec;
}

/** Output of a pattern-zones simulation. */
export interface ZoneSimulation {
	trades: ZoneTrade[];
	equity: Float64Array;
	ambiguousBars: number;
	counts: ZoneCounts;
	zones: Zone[];
}

interface ActiveZone extends Zone {
	entry: number;
	sl: number;
	atr: number;
}

/**
 * Simulate `pattern-zones` (SEMANTICS.md "The pattern-zones strategy"): one position, limit entries into active
 * zones, stop-loss beyond the zone, three take-profit legs.
 */
export function simulateZonesRef(o: OhlcvColumns, p: PatternParams, s: ZoneRunSettings): ZoneSimulation {
	const n = o.close.length;
	const { open, high, low, close, openTime } = o;
	const f = s.feeRate;
	const slip = s.slippageRate;
	const atr = atrWilder(high, low, close, ZONE_ATR_PERIOD);
	const L = lookbackOf(p, p.pattern);
	const counts: ZoneCounts = { detected: 0, kept: 0, duplicates: 0, beforeAtr: 0, activated: 0, traded: 0, skipped: 0, invalidated: 0, expired: 0, activeAtEnd: 0 };
	const zones: Zone[] = [];
	let active: ActiveZone[] = [];
	const trades: ZoneTrade[] = [];
	const equity = new Float64Array(n);
	let cash = s.initialCash;
	let ambiguous = 0;
	// open position
	let pos: { side: 1 | -1; units: number; P: number; fee: number; bar: number; z: ActiveZone; sl: number; tp: number[]; legUnits: number[]; done: boolean[]; legs: TradeLeg[] } | null = null;

	const exitLeg = (k: number, u: number, raw: number, reason: TradeLeg['reason']) => {
		const ps = pos!;
		const market = reason !== 'take_profit';
		const x = market ? (ps.side > 0 ? raw * (1 - slip) : raw * (1 + slip)) : raw;
		const q = ps.legUnits[k];
		const fee = q * x * f;
		if (ps.side > 0) cash += q * x - fee;
		else cash -= q * x + fee;
		ps.done[k] = true;
		ps.legs.push({ bar: u, time: openTime[u], price: x, units: q, fee, reason });
	};
	const finishIfDone = () => {
		const ps = pos!;
		if (!ps.done.every(Boolean)) return;
		let gross = 0;
		let fees = 0;
		let wsum = 0;
		for (const l of ps.legs) {
			gross += ps.side > 0 ? l.units * (l.price - ps.P) : l.units * (ps.P - l.price);
			fees += l.fee;
			wsum += l.units * l.price;
		}
		const pnl = gross - ps.fee - fees;
		const last = ps.legs[ps.legs.length - 1];
		trades.push({
			direction: ps.side > 0 ? 'long' : 'short',
			entryBar: ps.bar,
			exitBar: last.bar,
			entryTime: openTime[ps.bar],
			exitTime: openTime[last.bar],
			entryPrice: ps.P,
			exitPrice: wsum / ps.units,
			size: ps.units,
			entryFee: ps.fee,
			exitFee: fees,
			pnl,
			profitRatio: pnl / (ps.units * ps.P),
			exitReason: last.reason,
			legs: ps.legs,
			pattern: ps.z.pattern,
			c: ps.z.c,
			bottom: ps.z.bottom,
			top: ps.z.top,
			stopLoss: ps.sl,
			takeProfits: [ps.tp[0], ps.tp[1], ps.tp[2]]
		});
		pos = null;
	};

	for (let u = 0; u < n; u++) {
		// (1) exits of a position opened before u, or entry + entry-bar stop-loss check when flat at the start of u
		if (pos) {
			const ps: NonNullable<typeof pos> = pos;
			const long = ps.side > 0;
			const gapSl = long ? open[u] <= ps.sl : open[u] >= ps.sl;
			const hitSl = long ? low[u] <= ps.sl : high[u] >= ps.sl;
			if (gapSl || hitSl) {
				if (!gapSl) {
					let amb = false;
					for (let k = 0; k < 3; k++) if (!ps.done[k] && (long ? high[u] >= ps.tp[k] : low[u] <= ps.tp[k])) amb = true;
					if (amb) ambiguous++;
				}
				for (let k = 0; k < 3; k++) if (!ps.done[k]) exitLeg(k, u, gapSl ? open[u] : ps.sl, 'stop_loss');
			} else {
				for (let k = 0; k < 3; k++) {
					if (ps.done[k]) continue;
					if (long ? open[u] >= ps.tp[k] : open[u] <= ps.tp[k]) exitLeg(k, u, open[u], 'take_profit');
					else if (long ? high[u] >= ps.tp[k] : low[u] <= ps.tp[k]) exitLeg(k, u, ps.tp[k], 'take_profit');
				}
			}
			finishIfDone();
		} else {
			const order = active
				.map((z, i) => ({ z, i }))
				.sort((a, b) => b.z.c - a.z.c || (a.z.direction === 'bullish' ? 0 : 1) - (b.z.direction === 'bullish' ? 0 : 1));
			const removed = new Set<ActiveZone>();
			for (const { z } of order) {
				const bull = z.direction === 'bullish';
				if (bull ? open[u] <= z.sl : open[u] >= z.sl) {
					counts.skipped++;
					z.end = 'skipped';
					z.endBar = u;
					removed.add(z);
					continue;
				}
				if (bull ? low[u] <= z.entry : high[u] >= z.entry) {
					const P = bull ? Math.min(open[u], z.entry) : Math.max(open[u], z.entry);
					counts.traded++;
					z.end = 'traded';
					z.endBar = u;
					removed.add(z);
					const side: 1 | -1 = bull ? 1 : -1;
					const E = cash;
					const allIn = E / (P * (1 + f));
					let units: number;
					if (s.sizing.mode === 'fixed-notional') units = Math.min(s.sizing.amount, E) / (P * (1 + f));
					else if (s.sizing.mode === 'risk') {
						const dist = Math.abs(P - z.sl);
						units = dist > 0 && dist < Infinity ? Math.min((s.sizing.fraction * E) / dist, allIn) : allIn;
					} else units = (s.sizing.fraction * E) / (P * (1 + f));
					if (!(units > 0 && units < Infinity)) break; // nothing to trade with: the zone is used up, no position
					const fee = units * P * f;
					if (side > 0) cash -= units * P + fee;
					else cash += units * P - fee;
					const R = Math.abs(P - z.sl);
					let D = p.rrTarget * R;
					if (p.tpMethod === 'atr-multiple') D = p.rrTarget * z.atr;
					else if (p.tpMethod === 'swing-target') {
						const from = z.c - p.swingLookback + 1;
						if (from >= 0) {
							let d: number;
							if (bull) {
								let m = -Infinity;
								for (let i = from; i <= z.c; i++) m = Math.max(m, high[i]);
								d = m - P;
							} else {
								let m = Infinity;
								for (let i = from; i <= z.c; i++) m = Math.min(m, low[i]);
								d = P - m;
							}
							if (d > 0) D = d;
						}
					}
					const tp = [1, 2, 3].map((k) => (bull ? P + (k / 3) * D : P - (k / 3) * D));
					const third = units / 3;
					pos = { side, units, P, fee, bar: u, z, sl: z.sl, tp, legUnits: [third, third, units - 2 * third], done: [false, false, false], legs: [] };
					// entry bar: only the stop-loss
					if (bull ? low[u] <= z.sl : high[u] >= z.sl) {
						for (let k = 0; k < 3; k++) exitLeg(k, u, z.sl, 'stop_loss');
						finishIfDone();
					}
					break;
				}
			}
			if (removed.size) active = active.filter((z) => !removed.has(z));
		}
		// (2) end-of-bar removals
		active = active.filter((z) => {
			const inval = z.direction === 'bullish' ? close[u] < z.bottom : close[u] > z.top;
			if (inval) {
				counts.invalidated++;
				z.end = 'invalidated';
				z.endBar = u;
				return false;
			}
			if (u >= z.c + p.zoneExpiryBars) {
				counts.expired++;
				z.end = 'expired';
				z.endBar = u;
				return false;
			}
			return true;
		});
		// (3) zones confirmed at u (bearish added before bullish so that newest-first tries bullish first)
		for (const r of detectAt(o, p.pattern, u, L)) {
			if (s.direction === 'long' && r.direction === 'bearish') continue;
			counts.detected++;
			const h = r.top - r.bottom;
			const z: ActiveZone = { ...r, time: openTime[u], kept: h / close[u] >= p.minZoneRatio, duplicate: false, endBar: -1, end: 'not-kept', entry: NaN, sl: NaN, atr: NaN };
			zones.push(z);
			if (!z.kept) continue;
			counts.kept++;
			if (p.useOverlap && active.some((a) => a.direction === z.direction && overlapRatio(z, a) >= OVERLAP_THRESHOLD)) {
				z.duplicate = true;
				z.end = 'duplicate';
				counts.duplicates++;
				continue;
			}
			if (u < ZONE_ATR_PERIOD) {
				counts.beforeAtr++;
				z.end = 'before-atr';
				continue;
			}
			const a = atr[u];
			const bull = z.direction === 'bullish';
			z.atr = a;
			z.entry =
				p.entryMethod === 'zone-edge' ? (bull ? z.top : z.bottom)
				: p.entryMethod === 'zone-mid' ? (z.top + z.bottom) / 2
				: bull ? z.top + p.entryAtrBuffer * a : z.bottom - p.entryAtrBuffer * a;
			z.sl = bull ? z.bottom - p.slBufferRatio * h : z.top + p.slBufferRatio * h;
			z.end = 'end-of-data';
			z.endBar = n - 1;
			counts.activated++;
			active.push(z);
		}
		// (4) close-marked equity; (5) end-of-data close-out
		if (u === n - 1 && pos) {
			for (let k = 0; k < 3; k++) if (!pos.done[k]) exitLeg(k, u, close[u], 'end_of_data');
			finishIfDone();
		}
		equity[u] = pos ? cash + pos.side * pos.legUnits.reduce((acc, q, k) => acc + (pos!.done[k] ? 0 : q), 0) * close[u] : cash;
	}
	counts.activeAtEnd = active.length;
	return { trades, equity, ambiguousBars: ambiguous, counts, zones };
}
