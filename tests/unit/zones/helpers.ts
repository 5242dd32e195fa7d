/**
 * Helpers of the pattern tests: the PATTERNS.md fixtures (tests/fixtures/reference/patterns/) and their parameters.
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { fixturePath } from '../helpers/fixtures';
import { ENTRY_METHODS, TP_METHODS, type PatternId, type PatternParams, type ZoneCounts } from '../../../src/lib/engine/zones-types';
import type { BacktestConfig, DirectionMode, SizingSpec } from '../../../src/lib/engine/types';
import { defaultConfig } from '../../../src/lib/engine/strategies';

export interface PatternCaseTradeLeg { bar: number; time: string; price: number; units: number; fee: number; reason: string }
export interface PatternCaseTrade {
	direction: 'long' | 'short';
	entryBar: number;
	exitBar: number;
	entryPrice: number;
	size: number;
	entryFee: number;
	pnl: number;
	exitReason: string;
	legs: PatternCaseTradeLeg[];
	pattern: string;
	c: number;
	bottom: number;
	top: number;
	stopLoss: number;
	takeProfits: number[];
}
export interface PatternCase {
	case: string;
	params: PatternParams & { direction: DirectionMode; fee: number; initialCash: number };
	summary: { finalEquity: number; maxDrawdownRatio: number; nTrades: number; nWins: number; totalFees: number; ambiguousBars: number };
	counts: ZoneCounts;
	trades: PatternCaseTrade[];
	equity: number[];
}

/** A visible PATTERNS.md case (Z1, Z3). */
export function loadPatternCase(id: 'Z1' | 'Z3'): PatternCase {
	return JSON.parse(readFileSync(fixturePath(`reference/patterns/${id}.json`), 'utf8')) as PatternCase;
}

export interface DetectionRow { pattern: string; direction: string; c: number; time: string; bottom: number; top: number; kept: boolean; duplicate: boolean }

/** detections.BTCUSDT.csv rows (file order). */
export function loadDetections(): DetectionRow[] {
	const res = Papa.parse<string[]>(readFileSync(fixturePath('reference/patterns/detections.BTCUSDT.csv'), 'utf8'), { skipEmptyLines: true });
	return res.data.slice(1).map((r) => ({
		pattern: r[0], direction: r[1], c: Number(r[2]), time: r[3], bottom: Number(r[4]), top: Number(r[5]), kept: r[6] === 'true', duplicate: r[7] === 'true'
	}));
}

/** Defaults of the detections file (PATTERNS.md): minZoneRatio 0.0015, overlap on, expiry 100, lookbacks 10 / 20. */
export const DETECTION_OPTIONS = { minZoneRatio: 0.0015, useOverlap: true, zoneExpiryBars: 100, structureLookback: 10, sweepLookback: 20 };

export function relClose(a: number, b: number, rel = 1e-9, abs = 1e-6): boolean {
	return Math.abs(a - b) <= Math.max(abs, rel * Math.max(Math.abs(a), Math.abs(b)));
}

/** A random pattern-zones configuration of `pattern` (enumerations as strings, as users give them). */
export function randomZoneConfig(pattern: PatternId, r: () => number): BacktestConfig {
	const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
	const u = r();
	const sizing: SizingSpec = u < 0.6 ? { mode: 'equity-fraction', fraction: u < 0.4 ? 1 : 0.2 + r() * 0.8 } : u < 0.8 ? { mode: 'fixed-notional', amount: 1000 + r() * 20000 } : { mode: 'risk', fraction: 0.005 + r() * 0.05 };
	return {
		...defaultConfig('pattern-zones'),
		direction: r() < 0.5 ? 'long' : 'long-short',
		feeRate: pick([0, 0.001, 0.00075]),
		slippageRate: r() < 0.3 ? r() * 0.001 : 0,
		initialCash: pick([10_000, 1_000]),
		sizing,
		params: {
			pattern,
			entryMethod: pick(ENTRY_METHODS),
			tpMethod: pick(TP_METHODS),
			rrTarget: +(0.5 + r() * 4).toFixed(2),
			slBufferRatio: +(r() * 0.5).toFixed(3),
			minZoneRatio: pick([0, 0.0005, 0.001, 0.0015, 0.0025, 0.005]),
			useOverlap: r() < 0.6,
			zoneExpiryBars: pick([5, 20, 100, 400]),
			entryAtrBuffer: +(r() * 1).toFixed(2),
			swingLookback: pick([3, 10, 20, 50]),
			structureLookback: pick([3, 10, 30]),
			sweepLookback: pick([5, 20, 60])
		}
	};
}

