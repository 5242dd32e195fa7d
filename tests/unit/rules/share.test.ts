/**
 * Share links with rule strategies: the rule text travels in the link (size-limited, validated with zod, then parsed by
 * the rule language, never run as code); the reproduction is verified identical; a tampered rule text is rejected when
 * it no longer parses, and reported as a mismatch when it parses but trades differently.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import '../../../src/lib/rules';
import { timeframeMs } from '../../../src/lib/core/timeframe';
import { candleDataHash, fingerprintRun } from '../../../src/lib/engine/fingerprint';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import type { BacktestConfig } from '../../../src/lib/engine/types';
import { computeMetrics } from '../../../src/lib/metrics';
import { encodeShareToken, MAX_SHARED_RULE_CHARS, readShareLink, shareUrl, verifyRun, type RunSharePayload } from '../../../src/lib/share';
import { realRunShare } from '../share/helpers';
import { referenceWindow } from '../helpers/fixtures';

const RULE = readFileSync(new URL('../../../static/rules/rsi-trend-filter.rules', import.meta.url), 'utf8');
const CONFIG: BacktestConfig = { ...defaultConfig('rules'), rules: { name: 'RSI pullback', source: RULE }, params: { rsiPeriod: 10, oversold: 35 } };

/** Reproduce a run link the way the share page does: run its configuration on the candles, fingerprint, compare. */
async function reproduce(p: RunSharePayload) {
	const ohlcv = referenceWindow('BTCUSDT');
	const engine = await createNodeEngine();
	engine.load(ohlcv);
	const r = engine.run(p.config);
	const metrics = computeMetrics({ openTime: ohlcv.openTime, close: ohlcv.close, equity: r.equity, trades: r.trades, initialCash: p.config.initialCash, intervalMs: timeframeMs('1h'), ambiguousBars: r.ambiguousBars }) as unknown as Record<string, number>;
	const fingerprint = fingerprintRun({ engineVersion: engine.version, symbol: 'BTCUSDT', interval: '1h', dataHash: candleDataHash(ohlcv), config: p.config, trades: r.trades });
	const n = ohlcv.openTime.length;
	return verifyRun(p, { fingerprint, metrics, bars: n, firstOpenTime: ohlcv.openTime[0], lastOpenTime: ohlcv.openTime[n - 1] });
}
const link = (p: unknown) => `https://example.test/share/#${encodeShareToken(p)}`;

describe('share links with rules', () => {
	it('a rule run travels in a link and is verified identical', async () => {
		const { payload } = await realRunShare(CONFIG);
		expect(payload.expected.metrics.nTrades).toBeGreaterThan(0);
		const url = shareUrl('https://example.test/share/', payload);
		const back = readShareLink(url) as RunSharePayload;
		expect(back.config.rules).toEqual(CONFIG.rules);
		expect((await reproduce(back)).status).toBe('identical');
	});

	it('a tampered rule text: rejected when it does not parse, a mismatch when it trades differently', async () => {
		const { payload } = await realRunShare(CONFIG);
		const broken = structuredClone(payload);
		broken.config.rules!.source = RULE.replace('crossunder(r, oversold)', 'crossunder(r, oversold); fetch("x")');
		expect(() => readShareLink(link(broken))).toThrow(/cannot use[\s\S]*line 11, column 36: unexpected character `;`/);
		const js = structuredClone(payload);
		js.config.rules!.source = 'enterLong = (() => true)()\nexitLong = close < open';
		expect(() => readShareLink(link(js))).toThrow(/not opened/);
		const changed = structuredClone(payload);
		changed.config.rules!.source = RULE.replace('trendPeriod = 200', 'trendPeriod = 100');
		const v = await reproduce(readShareLink(link(changed)) as RunSharePayload);
		expect(v.status).toBe('mismatch');
	});

	it('the rule text is size-limited and plain text; built-ins carry none and rules need one', async () => {
		const { payload } = await realRunShare(CONFIG);
		const long = structuredClone(payload);
		long.config.rules!.source = RULE + '\n#' + 'x'.repeat(MAX_SHARED_RULE_CHARS);
		expect(() => readShareLink(link(long))).toThrow(/at most 6000 characters/);
		const ctrl = structuredClone(payload);
		ctrl.config.rules!.source = RULE + '\u0000';
		expect(() => readShareLink(link(ctrl))).toThrow(/plain text/);
		const none = structuredClone(payload);
		delete none.config.rules;
		expect(() => readShareLink(link(none))).toThrow(/carries its rule text/);
		const builtin = (await realRunShare()).payload;
		const extra = structuredClone(builtin);
		extra.config.rules = CONFIG.rules;
		expect(() => readShareLink(link(extra))).toThrow(/carries its rule text/);
	});
});
