/**
 * What a share link carries, and its strict validation (zod): unknown keys, wrong types, strings
 * that are not what they claim (symbols, hashes), out-of-range numbers and configurations the
 * engine would refuse are all rejected with a message naming the field. Nothing from a link is
 * used before it passed {@link parseSharePayload}.
 *
 * Two kinds:
 * - `run`: a backtest — market and exact candle range, full configuration, the engine version,
 *   and what the sender got (data hash, run fingerprint, trades hash, headline statistics).
 * - `optimisation`: an optimisation job — market, base configuration, searched axes, objective,
 *   search method with its seed, and what the sender got (data hash, trials evaluated, best trials).
 */
import { z } from 'zod';
import { TIMEFRAMES } from '../core/timeframe';
import type { Timeframe, UnixMs } from '../core/types';
import { STRATEGY_IDS, validateConfig } from '../engine/strategies';
import '../rules'; // rule strategies in links are parsed and checked by the rule language, never run as code
import type { BacktestConfig } from '../engine/types';
import { resolveObjective, STATISTIC_KEYS, validateMethod, type AxisSpec, type ObjectiveSpec, type SearchMethod, type StatisticKey } from '../optimize';
import { ShareLinkError } from './codec';
import { checkSharedSearch } from './workload';

/** Headline statistics a run link carries (null where the value is not finite, e.g. profit factor without losses). */
export const SHARED_RUN_METRICS = ['finalEquity', 'totalReturnRatio', 'maxDrawdownRatio', 'nTrades', 'winRate', 'profitFactor', 'sharpeRatio'] as const;
export type SharedRunMetric = (typeof SHARED_RUN_METRICS)[number];

/** Market and exact candle range of a shared result (open times, ms UTC, inclusive). */
export interface SharedMarket {
	symbol: string;
	interval: Timeframe;
	firstOpenTime: UnixMs;
	lastOpenTime: UnixMs;
	bars: number;
}

/** A shared backtest. */
export interface RunSharePayload {
	kind: 'run';
	engineVersion: string;
	market: SharedMarket;
	config: BacktestConfig;
	expected: {
		dataHash: string;
		fingerprint: string;
		tradesHash: string;
		metrics: Record<SharedRunMetric, number | null>;
	};
	/** When the sender ran it, ms UTC. */
	createdAt: UnixMs;
}

/** One of the best trials of a shared optimisation. */
export interface SharedTrial {
	/** Combination index in the search space. */
	index: number;
	/** Searched parameter values, axis order. */
	values: number[];
	/** The objective statistic's value (null when not finite). */
	objective: number | null;
}

/** A shared optimisation. */
export interface OptimisationSharePayload {
	kind: 'optimisation';
	engineVersion: string;
	market: SharedMarket;
	job: { config: BacktestConfig; axes: AxisSpec[]; objective: ObjectiveSpec };
	method: SearchMethod;
	expected: { dataHash: string; evaluated: number; best: SharedTrial[] };
	createdAt: UnixMs;
}

export type SharePayload = RunSharePayload | OptimisationSharePayload;

/** Most best trials a link carries. */
export const MAX_SHARED_TRIALS = 5;
/** Most bars a shared range may hold (about 10 years of 1-minute candles). */
export const MAX_SHARED_BARS = 5_300_000;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (a SHA-256)');
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const nullableFinite = finite.nullable();
const paramName = z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,31}$/, 'must be a parameter name');
/** Epoch ms between 2009-01-01 (before any crypto exchange) and 2200. */
const epochMs = z.int().min(1_230_768_000_000).max(7_258_118_400_000);

const level = z.discriminatedUnion('mode', [
	z.strictObject({ mode: z.literal('none') }),
	z.strictObject({ mode: z.literal('fraction'), value: finite }),
	z.strictObject({ mode: z.literal('atr'), value: finite })
]);

/** Longest rule text a share link carries (characters; links are size-limited). */
export const MAX_SHARED_RULE_CHARS = 6_000;

/**
 * A rule strategy's text: data for the rule parser (never run as code), size-limited, printable characters only.
 * validateConfig then parses and checks it; a tampered text either fails there or gives another run fingerprint.
 */
const rules = z.strictObject({
	name: z.string().min(1).max(80).regex(/^[^\u0000-\u001f\u007f]+$/, 'must be a name without control characters'),
	source: z
		.string()
		.max(MAX_SHARED_RULE_CHARS, `must be at most ${MAX_SHARED_RULE_CHARS} characters`)
		.regex(/^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, 'must be plain text')
});

const config = z.strictObject({
	strategy: z.enum([...STRATEGY_IDS, 'rules'] as unknown as [string, ...string[]]),
	rules: rules.optional(),
	params: z.record(paramName, z.union([finite, z.boolean(), z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be an option name')])).refine((p) => Object.keys(p).length <= 32, 'has too many parameters'),
	direction: z.enum(['long', 'long-short']),
	feeRate: finite,
	slippageRate: finite,
	initialCash: finite,
	stopLoss: level,
	takeProfit: level,
	atrPeriod: z.int().min(1).max(10_000),
	sizing: z.discriminatedUnion('mode', [
		z.strictObject({ mode: z.literal('equity-fraction'), fraction: finite }),
		z.strictObject({ mode: z.literal('fixed-notional'), amount: finite }),
		z.strictObject({ mode: z.literal('risk'), fraction: finite })
	])
}).refine((c) => (c.strategy === 'rules') === (c.rules !== undefined), 'rules: a rules strategy carries its rule text, a built-in none');

const market = z
	.strictObject({
		symbol: z.string().regex(/^[A-Z0-9]{2,20}$/, 'must be a Binance symbol such as BTCUSDT'),
		interval: z.enum(TIMEFRAMES as unknown as [string, ...string[]]),
		firstOpenTime: epochMs,
		lastOpenTime: epochMs,
		bars: z.int().min(1).max(MAX_SHARED_BARS)
	})
	.refine((m) => m.lastOpenTime >= m.firstOpenTime, 'lastOpenTime must not be before firstOpenTime');

const engineVersion = z.string().regex(/^\d{1,4}\.\d{1,4}\.\d{1,4}\+[0-9a-z]{1,40}$/, 'must look like 1.0.0+<build id>');

const runPayload = z.strictObject({
	kind: z.literal('run'),
	engineVersion,
	market,
	config,
	expected: z.strictObject({
		dataHash: hex64,
		fingerprint: hex64,
		tradesHash: hex64,
		metrics: z.strictObject(Object.fromEntries(SHARED_RUN_METRICS.map((k) => [k, nullableFinite])) as Record<SharedRunMetric, typeof nullableFinite>)
	}),
	createdAt: epochMs
});

const axis = z.strictObject({ name: paramName, start: finite, end: finite, step: finite.refine((s) => s > 0, 'must be above 0') });
const seed = z.int().min(0).max(2 ** 32 - 1);
const method = z.discriminatedUnion('kind', [
	z.strictObject({ kind: z.literal('grid') }),
	z.strictObject({ kind: z.literal('random'), trials: z.int().min(1).max(10_000_000), seed }),
	z.strictObject({
		kind: z.literal('genetic'),
		population: z.int().min(2).max(100_000),
		generations: z.int().min(1).max(100_000),
		crossoverRate: finite,
		mutationRate: finite,
		elitism: z.int().min(0),
		seed,
		tournamentSize: z.int().min(1).max(1000).optional()
	}),
	z.strictObject({ kind: z.literal('adaptive'), iterations: z.int().min(1).max(100), refinementFactor: finite, pointsPerAxis: z.int().min(2).max(1000) })
]);

const optimisationPayload = z.strictObject({
	kind: z.literal('optimisation'),
	engineVersion,
	market,
	job: z.strictObject({
		config,
		axes: z.array(axis).min(1).max(8),
		objective: z.strictObject({
			key: z.enum(STATISTIC_KEYS as unknown as [string, ...string[]]),
			direction: z.enum(['max', 'min']).optional(),
			minTrades: z.int().min(0).max(1_000_000).optional()
		})
	}),
	method,
	expected: z.strictObject({
		dataHash: hex64,
		evaluated: z.int().min(0),
		best: z.array(z.strictObject({ index: z.int().min(0), values: z.array(finite).max(8), objective: nullableFinite })).max(MAX_SHARED_TRIALS)
	}),
	createdAt: epochMs
});

const payload = z.discriminatedUnion('kind', [runPayload, optimisationPayload]);

/** `market.symbol: must be a Binance symbol such as BTCUSDT; config.feeRate: …` (first few issues). */
function describeIssues(error: z.ZodError): string {
	return error.issues
		.slice(0, 4)
		.map((i) => `${i.path.length ? i.path.join('.') : 'link'}: ${i.message}`)
		.join('; ');
}

/**
 * Validate a decoded share document.
 * @param doc - output of decodeShareToken (any JSON value).
 * @returns the typed payload; optimisation jobs and methods are also checked by the optimiser's own validation.
 * @throws ShareLinkError(`invalid`) naming the first problems; never another exception.
 */
export function parseSharePayload(doc: unknown): SharePayload {
	const r = payload.safeParse(doc);
	if (!r.success) {
		throw new ShareLinkError('invalid', `This share link holds settings this app cannot use (${describeIssues(r.error)}). It was not opened; ask for a new link.`);
	}
	const p = r.data as SharePayload;
	try {
		if (p.kind === 'run') {
			validateConfig(p.config);
		} else {
			validateMethod(p.method);
			validateConfig(p.job.config);
			resolveObjective({ ...p.job.objective, key: p.job.objective.key as StatisticKey });
			for (const t of p.expected.best) {
				if (t.values.length !== p.job.axes.length) throw new Error(`a best trial has ${t.values.length} values for ${p.job.axes.length} axes`);
			}
			// Arithmetic only: the search space is never scanned here (decoding stays fast for any link).
			checkSharedSearch(p);
		}
	} catch (e) {
		throw new ShareLinkError('invalid', `This share link holds settings this app cannot use (${(e as Error).message}). It was not opened; ask for a new link.`);
	}
	return p;
}
