/**
 * Look-ahead audit of a run (rule strategies and built-ins alike), in the spirit of freqtrade's lookahead-analysis:
 * the run is repeated on prefixes of its candles cut at a few bars chosen deterministically from the run, and nothing
 * decided up to a cut may change: no signal bit (enterLong, exitLong, enterShort, exitShort) and no equity value (so no
 * fill, stop or trade either) of a bar before the cut. A prefix of `c` bars is followed by one made-up bar, the real
 * bar `c` mirrored around the close of bar `c-1` (so the engine decides at bar `c-1` as usual, and a strategy that
 * peeks at the next bar sees the move reversed). A strategy whose decision at bar t used any later bar changes at some
 * cut. Plus a warm-up check: no signal fires before every indicator its rule uses is defined.
 */
import type { OhlcvColumns } from '../core/types';
import type { BacktestConfig } from '../engine/types';
import { toRunScalars, type WasmEngine } from '../engine/wasm-engine';
import { SIGNALS, type SignalName } from './check';

/** Number of prefix cuts per audit. */
export const AUDIT_CUTS = 3;
/** Bars a prefix keeps at least (shorter runs are audited on fewer cuts). */
const MIN_PREFIX = 8;

/** One thing the audit found changed (look-ahead) or out of place (warm-up). */
export interface AuditFinding {
	/** Signal name, or `equity` when the equity curve changed. */
	signal: SignalName | 'equity';
	/** Bar index and open time (ms UTC) of the first difference. */
	bar: number;
	time: number;
	/** The prefix length (bars) that revealed it (look-ahead findings). */
	cut?: number;
}

/** Verdict of a run's audit (stored with the run, shown in the app and in CLI output). */
export interface LookAheadAudit {
	/** Both checks passed. */
	passed: boolean;
	lookAhead: { passed: boolean; cuts: number[]; finding?: AuditFinding };
	warmup: {
		/** False when the strategy has no per-bar signals to check (pattern-zones' limit orders). */
		applicable: boolean;
		passed: boolean;
		/** First bar each signal may fire (every indicator it uses defined), -1 = never. */
		firstBar: Partial<Record<SignalName, number>>;
		finding?: AuditFinding;
	};
	/** One line for people: "look-ahead check passed (3 cuts; warm-up respected)" or what failed where. */
	summary: string;
}

/** 32-bit FNV-1a of a string. */
function fnv(s: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < s.length; i++) {
		h ^= s.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	return h >>> 0;
}

/**
 * Cut points (prefix lengths) for `n` bars, chosen deterministically from `seed` (the run's configuration): one in
 * each of the quarters 2-4 of the bars, ascending, distinct, each in [MIN_PREFIX, n-1].
 */
export function chooseCuts(n: number, seed: string): number[] {
	if (n <= MIN_PREFIX + 1) return [];
	let h = fnv(seed);
	const cuts = new Set<number>();
	for (let k = 1; k <= AUDIT_CUTS; k++) {
		h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
		const lo = Math.floor((n * k) / (AUDIT_CUTS + 1));
		const hi = Math.floor((n * (k + 1)) / (AUDIT_CUTS + 1));
		const c = Math.min(n - 1, Math.max(MIN_PREFIX, lo + (h % Math.max(1, hi - lo))));
		cuts.add(c);
	}
	return [...cuts].sort((a, b) => a - b);
}

/** What one evaluation of a strategy on a prefix gives: signal bytes and equity (one per bar of the prefix run). */
export interface PrefixOutcome {
	signals: Uint8Array | null;
	equity: Float64Array;
}

/**
 * The look-ahead part of the audit over any source of outcomes (the engine, or a crafted source in tests).
 * Compares bars 0 … cut-1 of each prefix run with the full run.
 * @param outcomeOf runs the strategy on all bars (`cut` = bars) or on the first `cut` bars followed by the mirrored bar
 * @param openTime bar open times (ms UTC), for the findings
 */
export function auditPrefixes(outcomeOf: (bars: number) => PrefixOutcome, openTime: ArrayLike<number>, cuts: readonly number[]): LookAheadAudit['lookAhead'] {
	const n = openTime.length;
	const full = outcomeOf(n);
	for (const cut of cuts) {
		const part = outcomeOf(cut);
		const last = cut;
		if (full.signals && part.signals) {
			for (let t = 0; t < last; t++) {
				const diff = full.signals[t] ^ part.signals[t];
				if (diff) {
					const bit = [1, 2, 4, 8].findIndex((b) => diff & b);
					return { passed: false, cuts: [...cuts], finding: { signal: SIGNALS[bit], bar: t, time: openTime[t], cut } };
				}
			}
		}
		for (let t = 0; t < last; t++) {
			if (!Object.is(full.equity[t], part.equity[t])) return { passed: false, cuts: [...cuts], finding: { signal: 'equity', bar: t, time: openTime[t], cut } };
		}
	}
	return { passed: true, cuts: [...cuts] };
}

/** First bar at which every series is defined (not NaN), or -1 when one never is. */
function firstDefined(series: Float64Array[]): number {
	let first = 0;
	for (const s of series) {
		let i = 0;
		while (i < s.length && Number.isNaN(s[i])) i++;
		if (i === s.length) return -1;
		first = Math.max(first, i);
	}
	return first;
}

/** Bars 0 … cut-1, then bar `cut` mirrored around close[cut-1] (high and low swap roles). */
export function prefixWithMirror(c: OhlcvColumns, cut: number): OhlcvColumns {
	const take = (a: Float64Array) => {
		const out = new Float64Array(cut + 1);
		out.set(a.subarray(0, cut));
		return out;
	};
	const p = { openTime: take(c.openTime), open: take(c.open), high: take(c.high), low: take(c.low), close: take(c.close), volume: take(c.volume) };
	const pivot = c.close[cut - 1];
	const m = (x: number) => 2 * pivot - x;
	p.openTime[cut] = c.openTime[cut];
	p.open[cut] = m(c.open[cut]);
	p.high[cut] = m(c.low[cut]);
	p.low[cut] = m(c.high[cut]);
	p.close[cut] = m(c.close[cut]);
	p.volume[cut] = c.volume[cut];
	return p;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(':00.000Z', 'Z');

/**
 * Audit one configuration on the candles loaded in `engine` (the engine is reloaded with prefixes and then with the
 * full candles again, so its indicator cache starts afresh).
 * @throws what {@link WasmEngine.run} throws for an invalid configuration
 */
export function auditRun(engine: WasmEngine, config: BacktestConfig): LookAheadAudit {
	const data = engine.loaded;
	if (!data) throw new Error('auditRun: no candles loaded');
	const n = data.openTime.length;
	const scalars = toRunScalars(config);
	const hasSignals = config.strategy !== 'pattern-zones';
	// Warm-up: first bar per signal where what it uses is defined.
	const fullSignals = engine.withSignals(() => {
		engine.runScalars(scalars, false);
		return hasSignals ? engine.readSignals() : null;
	});
	const firstBar: Partial<Record<SignalName, number>> = {};
	if (scalars.rules) Object.assign(firstBar, scalars.rules.warmup);
	else if (hasSignals) {
		const fd = firstDefined(engine.indicatorSeries(config).map((s) => s.values));
		for (const s of SIGNALS) firstBar[s] = fd;
	}
	let warmFinding: AuditFinding | undefined;
	if (fullSignals) {
		for (let t = 0; t < n && !warmFinding; t++) {
			const f = fullSignals[t];
			if (!f) continue;
			for (let k = 0; k < 4; k++) {
				const first = firstBar[SIGNALS[k]] ?? 0;
				if (f & (1 << k) && (first < 0 || t < first)) {
					warmFinding = { signal: SIGNALS[k], bar: t, time: data.openTime[t] };
					break;
				}
			}
		}
	}
	const cuts = chooseCuts(n, JSON.stringify(config) + ':' + n);
	let lookAhead: LookAheadAudit['lookAhead'];
	try {
		lookAhead = auditPrefixes(
			(cut) => {
				if (cut === n) {
					if (engine.barCount !== n || engine.loaded !== data) engine.load(data);
				} else engine.load(prefixWithMirror(data, cut));
				return engine.withSignals(() => {
					const r = engine.run(config);
					return { signals: hasSignals ? engine.readSignals() : null, equity: r.equity };
				});
			},
			data.openTime,
			cuts
		);
	} finally {
		if (engine.loaded !== data) engine.load(data);
	}
	const warmup = { applicable: hasSignals, passed: !warmFinding, firstBar, finding: warmFinding };
	const passed = lookAhead.passed && warmup.passed;
	let summary: string;
	if (passed) summary = `look-ahead check passed (${cuts.length} cut${cuts.length === 1 ? '' : 's'}${hasSignals ? '; warm-up respected' : ''})`;
	else if (!lookAhead.passed) {
		const f = lookAhead.finding!;
		summary = `look-ahead check FAILED: ${f.signal === 'equity' ? 'the equity' : f.signal} at bar ${f.bar} (${iso(f.time)}) changed when the data was cut at bar ${f.cut}: the strategy uses later bars`;
	} else {
		const f = warmFinding!;
		summary = `warm-up check FAILED: ${f.signal} fires at bar ${f.bar} (${iso(f.time)}) before every indicator it uses is defined (from bar ${firstBar[f.signal as SignalName]})`;
	}
	return { passed, lookAhead, warmup, summary };
}
