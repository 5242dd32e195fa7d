/**
 * Share links of portfolio runs: the `portfolio` payload variant (same token format as run and
 * optimisation links, see codec.ts), its strict zod validation, building it from a stored run, and
 * the check of a reproduced run against it.
 *
 * A portfolio link carries the interval, every market with its exact candle range (first/last open
 * time, bar count) in priority order, the full configuration (K, sizing, leverage, breakers), the
 * engine version and what the sender got: the data hash over all markets' candles, the run
 * fingerprint, the trades hash, the breaker-events hash and the headline statistics.
 *
 * Verdict rule (as for single runs): `identical` when the candles, the trade list, the events and
 * every shared statistic are the same (`Object.is` on float64); otherwise `mismatch` with the reasons.
 */
import { z } from 'zod';
import { isoUtc, TIMEFRAMES } from '../core/timeframe';
import type { Timeframe, UnixMs } from '../core/types';
import type { PortfolioRunFingerprint } from '../engine/fingerprint';
import { validatePortfolioConfig } from '../engine/portfolio-config';
import { STRATEGY_IDS } from '../engine/strategies';
import type { PortfolioConfig } from '../engine/types';
import { decodeShareToken, encodeShareToken, ShareLinkError, tokenFromLink } from './codec';
import type { Verification } from './links';
import { SHARED_RUN_METRICS, type SharedRunMetric } from './schema';

/** Path of the page that opens portfolio links, under the site's base. */
export const PORTFOLIO_SHARE_PAGE = 'portfolio/';

/** Most markets a portfolio link may name (the engine's limit). */
export const MAX_SHARED_MARKETS = 200;

/** One market of a shared portfolio and its exact candle range (open times, ms UTC, inclusive). */
export interface SharedPortfolioMarket {
	symbol: string;
	firstOpenTime: UnixMs;
	lastOpenTime: UnixMs;
	bars: number;
	/** The exchange rules the sender's run applied to this market (present when the configuration applies them). */
	rules?: { stepSize: number; tickSize: number; minNotional: number };
}

/** A shared portfolio backtest. */
export interface PortfolioSharePayload {
	kind: 'portfolio';
	engineVersion: string;
	interval: Timeframe;
	/** Markets in priority order. */
	markets: SharedPortfolioMarket[];
	config: PortfolioConfig;
	expected: {
		dataHash: string;
		fingerprint: string;
		tradesHash: string;
		eventsHash: string;
		metrics: Record<SharedRunMetric, number | null>;
	};
	createdAt: UnixMs;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (a SHA-256)');
const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const nullableFinite = finite.nullable();
const paramName = z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,31}$/, 'must be a parameter name');
const epochMs = z.int().min(1_230_768_000_000).max(7_258_118_400_000);
const nonNegative = finite.refine((v) => v >= 0, 'must be 0 or more');
const symbol = z.string().regex(/^[A-Z0-9]{2,20}$/, 'must be a Binance symbol such as BTCUSDT');
const level = z.discriminatedUnion('mode', [
	z.strictObject({ mode: z.literal('none') }),
	z.strictObject({ mode: z.literal('fraction'), value: finite }),
	z.strictObject({ mode: z.literal('atr'), value: finite })
]);
const breaker = z.discriminatedUnion('kind', [
	z.strictObject({ kind: z.literal('max-drawdown'), threshold: finite, action: z.literal('close-all'), cooldownBars: z.int().min(1).max(10_000_000) }),
	z.strictObject({ kind: z.literal('consecutive-losses'), count: z.int().min(1).max(1_000_000), action: z.literal('reduce'), factor: finite })
]);
const config = z.strictObject({
	strategy: z.enum(STRATEGY_IDS as unknown as [string, ...string[]]),
	params: z.record(paramName, z.union([finite, z.boolean()])).refine((p) => Object.keys(p).length <= 32, 'has too many parameters'),
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
		z.strictObject({ mode: z.literal('risk'), fraction: finite }),
		z.strictObject({ mode: z.literal('equity-split') })
	]),
	makerFeeRate: finite.optional(),
	exchangeRules: z.boolean().optional(),
	maxPositions: z.int().min(1).max(200),
	leverage: finite.refine((l) => l >= 1 && l <= 10, 'must be from 1 to 10'),
	maintenanceMarginRatio: finite.refine((m) => m >= 0 && m < 1, 'must be a fraction from 0 to below 1'),
	breakers: z.array(breaker).max(2)
});
const market = z
	.strictObject({
		symbol,
		firstOpenTime: epochMs,
		lastOpenTime: epochMs,
		bars: z.int().min(1).max(5_300_000),
		rules: z.strictObject({ stepSize: nonNegative, tickSize: nonNegative, minNotional: nonNegative }).optional()
	})
	.refine((m) => m.lastOpenTime >= m.firstOpenTime, 'lastOpenTime must not be before firstOpenTime');
const payload = z.strictObject({
	kind: z.literal('portfolio'),
	engineVersion: z.string().regex(/^\d{1,4}\.\d{1,4}\.\d{1,4}\+[0-9a-z]{1,40}$/, 'must look like 1.0.0+<build id>'),
	interval: z.enum(TIMEFRAMES as unknown as [string, ...string[]]),
	markets: z
		.array(market)
		.min(1)
		.max(MAX_SHARED_MARKETS)
		.refine((ms) => new Set(ms.map((m) => m.symbol)).size === ms.length, 'must not name a market twice'),
	config,
	expected: z.strictObject({
		dataHash: hex64,
		fingerprint: hex64,
		tradesHash: hex64,
		eventsHash: hex64,
		metrics: z.strictObject(Object.fromEntries(SHARED_RUN_METRICS.map((k) => [k, nullableFinite])) as Record<SharedRunMetric, typeof nullableFinite>)
	}),
	createdAt: epochMs
});

/**
 * Validate a decoded portfolio share document.
 * @returns the typed payload.
 * @throws ShareLinkError(`invalid`) naming the first problems; never another exception.
 */
export function parsePortfolioSharePayload(doc: unknown): PortfolioSharePayload {
	const r = payload.safeParse(doc);
	if (!r.success) {
		const issues = r.error.issues
			.slice(0, 4)
			.map((i) => `${i.path.length ? i.path.join('.') : 'link'}: ${i.message}`)
			.join('; ');
		throw new ShareLinkError('invalid', `This portfolio link holds settings this app cannot use (${issues}). It was not opened; ask for a new link.`);
	}
	const p = r.data as PortfolioSharePayload;
	try {
		validatePortfolioConfig(p.config, p.markets.length);
	} catch (e) {
		throw new ShareLinkError('invalid', `This portfolio link holds settings this app cannot use (${(e as Error).message}). It was not opened; ask for a new link.`);
	}
	return p;
}

/** Whether a decoded share document says it is a portfolio link (before its validation). */
export function isPortfolioDocument(doc: unknown): boolean {
	return !!doc && typeof doc === 'object' && (doc as { kind?: unknown }).kind === 'portfolio';
}

/**
 * Decode and validate a portfolio share link.
 * @param link - a full share URL, its fragment, or the bare token.
 * @throws ShareLinkError (and nothing else) when the link is empty, oversized, damaged, cut, of an unknown version or holds unusable settings.
 */
export function readPortfolioShareLink(link: string): PortfolioSharePayload {
	return parsePortfolioSharePayload(decodeShareToken(tokenFromLink(link)));
}

const finiteOrNull = (v: number | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The share document of a completed portfolio run.
 * @throws Error when the run has no result or fingerprint.
 */
export function portfolioSharePayload(
	run: {
		config: PortfolioConfig;
		interval: string;
		markets: SharedPortfolioMarket[];
		result?: { fingerprint?: PortfolioRunFingerprint; metrics: Record<string, number> };
	},
	now: UnixMs = Date.now()
): PortfolioSharePayload {
	const fp = run.result?.fingerprint;
	if (!run.result || !fp) throw new Error('This portfolio run has no result to share. Run it again, then share the new run.');
	return {
		kind: 'portfolio',
		engineVersion: fp.engineVersion,
		interval: run.interval as Timeframe,
		markets: run.markets.map((m) => ({
			symbol: m.symbol,
			firstOpenTime: m.firstOpenTime,
			lastOpenTime: m.lastOpenTime,
			bars: m.bars,
			...(run.config.exchangeRules && m.rules ? { rules: { stepSize: m.rules.stepSize, tickSize: m.rules.tickSize, minNotional: m.rules.minNotional } } : {})
		})),
		config: structuredClone(run.config),
		expected: {
			dataHash: fp.dataHash,
			fingerprint: fp.fingerprint,
			tradesHash: fp.tradesHash,
			eventsHash: fp.eventsHash,
			metrics: Object.fromEntries(SHARED_RUN_METRICS.map((k) => [k, finiteOrNull(run.result!.metrics[k])])) as Record<SharedRunMetric, number | null>
		},
		createdAt: Math.round(now)
	};
}

/**
 * A portfolio share URL: `…/portfolio/#v1.<token>`.
 * @param pageUrl - absolute URL of the portfolio page.
 * @throws ShareLinkError(`oversized`) when the document does not fit in a link (very large baskets).
 */
export function portfolioShareUrl(pageUrl: string | URL, p: PortfolioSharePayload): string {
	const url = new URL(String(pageUrl));
	url.search = '';
	url.hash = encodeShareToken(p);
	return url.toString();
}

/**
 * Check a reproduced portfolio run against its link.
 * @param p - the validated link.
 * @param got - the reproduction: fingerprint, statistics and each market's candles used (in order).
 */
export function verifyPortfolio(
	p: PortfolioSharePayload,
	got: { fingerprint: PortfolioRunFingerprint; metrics: Record<string, number>; markets: SharedPortfolioMarket[] }
): Verification {
	const reasons: string[] = [];
	const notes: string[] = [];
	const want = p.markets;
	if (got.markets.length !== want.length || got.markets.some((m, i) => m.symbol !== want[i].symbol)) {
		reasons.push(`Different markets: the sender ran ${want.map((m) => m.symbol).join(', ')}; here ${got.markets.map((m) => m.symbol).join(', ') || 'none'} could be run.`);
	} else {
		want.forEach((w, i) => {
			const g = got.markets[i];
			if (g.bars !== w.bars || g.firstOpenTime !== w.firstOpenTime || g.lastOpenTime !== w.lastOpenTime)
				reasons.push(
					`Different data for ${w.symbol}: the sender ran on ${w.bars.toLocaleString('en-US')} candles ${isoUtc(w.firstOpenTime)} → ${isoUtc(w.lastOpenTime)}; ${g.bars.toLocaleString('en-US')} candles ${isoUtc(g.firstOpenTime)} → ${isoUtc(g.lastOpenTime)} are available here.`
				);
		});
		if (!reasons.length && got.fingerprint.dataHash !== p.expected.dataHash)
			reasons.push(`Different data: the candles here do not hash like the sender's (${got.fingerprint.dataHash.slice(0, 12)}… vs ${p.expected.dataHash.slice(0, 12)}…): some prices or volumes differ.`);
	}
	const engineDiffers = got.fingerprint.engineVersion !== p.engineVersion;
	const differing = SHARED_RUN_METRICS.filter((k) => !Object.is(finiteOrNull(got.metrics[k]), p.expected.metrics[k]));
	const tradesDiffer = got.fingerprint.tradesHash !== p.expected.tradesHash;
	const eventsDiffer = got.fingerprint.eventsHash !== p.expected.eventsHash;
	if (tradesDiffer || eventsDiffer || differing.length) {
		if (engineDiffers) reasons.push(`Different engine version: the link was made with engine ${p.engineVersion}; this app runs ${got.fingerprint.engineVersion}.`);
		const what = [tradesDiffer ? 'the trade list' : '', eventsDiffer ? 'the breaker events' : '', ...differing].filter(Boolean).join(', ');
		reasons.push(reasons.length ? `Different result: ${what}.` : `Different result with identical inputs (${what}): the engine did not reproduce the run. Please report this link.`);
	} else if (engineDiffers) {
		notes.push(`Different engine version: the link was made with engine ${p.engineVersion}; this app runs ${got.fingerprint.engineVersion}. The results are identical.`);
	}
	if (!reasons.length && !engineDiffers && got.fingerprint.fingerprint !== p.expected.fingerprint)
		notes.push('The run fingerprint differs although data, engine and results agree (the link was made by another app version that encodes the configuration differently).');
	return { status: reasons.length ? 'mismatch' : 'identical', reasons, notes };
}
