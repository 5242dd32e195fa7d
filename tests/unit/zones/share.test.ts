/**
 * Share links carry enumeration parameters as their option names: a pattern-zones run round-trips, reproduces to
 * an identical verdict, and a link with an unknown option value is refused with a message naming the allowed values.
 */
import { describe, expect, it } from 'vitest';
import { candleDataHash, fingerprintRun } from '../../../src/lib/engine/fingerprint';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import type { BacktestConfig } from '../../../src/lib/engine/types';
import { encodeShareToken, readShareLink, ShareLinkError, shareUrl, verifyRun, type RunSharePayload } from '../../../src/lib/share';
import { realRunShare } from '../share/helpers';
import { referenceWindow } from '../helpers/fixtures';

const CONFIG: BacktestConfig = {
	...defaultConfig('pattern-zones'),
	direction: 'long-short',
	params: { pattern: 'liquidity-sweep', entryMethod: 'atr-buffer', tpMethod: 'swing-target', rrTarget: 2, slBufferRatio: 0.05, minZoneRatio: 0.002 }
};

describe('pattern-zones share links', () => {
	it('round-trip with option names and verify as identical', async () => {
		const { payload, metrics } = await realRunShare(CONFIG);
		const back = readShareLink(shareUrl('https://example.org/share/', payload)) as RunSharePayload;
		expect(back).toEqual(payload);
		expect(back.config.params).toMatchObject({ pattern: 'liquidity-sweep', entryMethod: 'atr-buffer', tpMethod: 'swing-target' });
		const ohlcv = referenceWindow('BTCUSDT');
		const engine = await createNodeEngine();
		engine.load(ohlcv);
		const r = engine.run(back.config);
		const fingerprint = fingerprintRun({ engineVersion: engine.version, symbol: 'BTCUSDT', interval: '1h', dataHash: candleDataHash(ohlcv), config: back.config, trades: r.trades });
		const n = ohlcv.openTime.length;
		const v = verifyRun(back, { fingerprint, metrics, bars: n, firstOpenTime: ohlcv.openTime[0], lastOpenTime: ohlcv.openTime[n - 1] });
		expect(v.status).toBe('identical');
	});

	it('refuse an unknown option value, naming the allowed ones', async () => {
		const { payload } = await realRunShare(CONFIG);
		const bad = { ...payload, config: { ...payload.config, params: { ...payload.config.params, entryMethod: 'zone-top' } } };
		try {
			readShareLink('#' + encodeShareToken(bad));
			throw new Error('accepted');
		} catch (e) {
			expect(e).toBeInstanceOf(ShareLinkError);
			expect((e as Error).message).toMatch(/entryMethod must be one of zone-edge, zone-mid, atr-buffer/);
		}
	});
});
