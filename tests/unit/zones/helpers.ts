/**
 * Helpers of the pattern tests: the PATTERNS.md fixtures (tests/fixtures/reference/patterns/) and their parameters.
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { fixturePath } from '../helpers/fixtures';
import type { PatternParams, ZoneCounts } from '../../../src/lib/engine/zones-types';
import type { DirectionMode } from '../../../src/lib/engine/types';

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
