/**
 * Run fingerprints on real candles: the hashes equal an independent computation with node:crypto
 * over the documented byte layout, react to a one-ulp change of one candle, to one parameter, and
 * to the engine version, and the same run gives bit-identical results and fingerprints in fresh
 * engine instances and through the worker service.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sliceOhlcv } from '../../../src/lib/core/timeframe';
import {
	candleDataHash,
	canonicalConfig,
	ENGINE_SEMVER,
	engineBuildId,
	EXIT_REASONS,
	fingerprintRun,
	runFingerprint,
	tradesHash
} from '../../../src/lib/engine/fingerprint';
import { createNodeEngine, wasmPath } from '../../../src/lib/engine/node';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import type { BacktestConfig, Trade } from '../../../src/lib/engine/types';
import { createBacktestService } from '../../../src/lib/workers/backtest-service';
import { referenceWindow } from '../helpers/fixtures';

const ohlcv = referenceWindow('BTCUSDT');

function nodeSha(parts: Buffer[]): string {
	const h = createHash('sha256');
	for (const p of parts) h.update(p);
	return h.digest('hex');
}

function f64Buffer(values: ArrayLike<number>): Buffer {
	const b = Buffer.alloc(values.length * 8);
	for (let i = 0; i < values.length; i++) b.writeDoubleLE(values[i], i * 8);
	return b;
}

const s1: BacktestConfig = { ...defaultConfig('sma-cross'), stopLoss: { mode: 'fraction', value: 0.03 }, takeProfit: { mode: 'fraction', value: 0.06 } };

describe('fingerprints', () => {
	it('hash the candles as documented (checked with node:crypto)', () => {
		const expected = nodeSha([
			Buffer.from(`ohlcv-f64le-v1:${ohlcv.openTime.length}\n`),
			...[ohlcv.openTime, ohlcv.open, ohlcv.high, ohlcv.low, ohlcv.close, ohlcv.volume].map(f64Buffer)
		]);
		expect(candleDataHash(ohlcv)).toBe(expected);
		// A view into a larger window hashes its own bars only.
		const part = sliceOhlcv(ohlcv, 100, 600);
		const expectedPart = nodeSha([Buffer.from('ohlcv-f64le-v1:500\n'), ...[part.openTime, part.open, part.high, part.low, part.close, part.volume].map(f64Buffer)]);
		expect(candleDataHash(part)).toBe(expectedPart);
	});

	it('hash the trade list as documented (checked with node:crypto)', async () => {
		const engine = await createNodeEngine();
		engine.load(ohlcv);
		const { trades } = engine.run(s1);
		// The window has stop-loss, take-profit and signal exits, so every code path of the record is hashed.
		for (const reason of ['signal', 'stop_loss', 'take_profit'] as const) expect(trades.some((t) => t.exitReason === reason)).toBe(true);
		const records = trades.map((t: Trade) =>
			Buffer.concat([
				Buffer.from([t.direction === 'long' ? 0 : 1, EXIT_REASONS.indexOf(t.exitReason)]),
				f64Buffer([t.entryBar, t.exitBar, t.entryTime, t.exitTime, t.entryPrice, t.exitPrice, t.size, t.entryFee, t.exitFee, t.pnl, t.profitRatio])
			])
		);
		expect(tradesHash(trades)).toBe(nodeSha([Buffer.from(`trades-v1:${trades.length}\n`), ...records]));
		expect(tradesHash([])).toBe(nodeSha([Buffer.from('trades-v1:0\n')]));
	});

	it('change with one ulp of one candle, one parameter, the market and the engine version; not with explicit defaults', () => {
		const base = { engineVersion: `${ENGINE_SEMVER}+abc`, symbol: 'BTCUSDT', interval: '1h', dataHash: candleDataHash(ohlcv), config: s1 };
		const fp = runFingerprint(base);
		expect(fp).toMatch(/^[0-9a-f]{64}$/);

		const nudged = { ...ohlcv, close: Float64Array.from(ohlcv.close) };
		const c = nudged.close[4000];
		nudged.close[4000] = c + c * Number.EPSILON; // next float64 up
		expect(nudged.close[4000]).not.toBe(c);
		expect(candleDataHash(nudged)).not.toBe(base.dataHash);
		expect(runFingerprint({ ...base, dataHash: candleDataHash(nudged) })).not.toBe(fp);

		expect(runFingerprint({ ...base, config: { ...s1, params: { fast: 11, slow: 30 } } })).not.toBe(fp);
		expect(runFingerprint({ ...base, config: { ...s1, feeRate: 0.00075 } })).not.toBe(fp);
		expect(runFingerprint({ ...base, symbol: 'ETHUSDT' })).not.toBe(fp);
		expect(runFingerprint({ ...base, engineVersion: `${ENGINE_SEMVER}+abd` })).not.toBe(fp);

		// Defaults written out, and keys in another order, are the same configuration.
		const reordered = Object.fromEntries(Object.entries({ ...s1, params: { slow: 30, fast: 10 } }).reverse());
		const explicit = JSON.parse(JSON.stringify(reordered)) as BacktestConfig;
		expect(Object.keys(explicit)[0]).toBe('sizing');
		expect(canonicalConfig(explicit)).toBe(canonicalConfig({ ...s1, params: {} }));
		expect(runFingerprint({ ...base, config: explicit })).toBe(fp);
	});

	it('the engine version carries the build id of the wasm bytes', async () => {
		const engine = await createNodeEngine();
		const bytes = new Uint8Array(readFileSync(wasmPath('release')));
		expect(engine.version).toBe(`${ENGINE_SEMVER}+${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}`);
		expect(engineBuildId(bytes)).toBe(engine.version.split('+')[1]);
	});

	it('the same run is bit-identical in fresh engines and through the worker service', async () => {
		const configs: BacktestConfig[] = [
			s1,
			{ ...defaultConfig('rsi-mean-reversion'), direction: 'long-short', slippageRate: 0.0005 },
			{ ...defaultConfig('ema-atr-breakout'), sizing: { mode: 'risk', fraction: 0.01 }, stopLoss: { mode: 'atr', value: 2 } }
		];
		const service = createBacktestService(() => createNodeEngine());
		await service.loadDataset('btc', ohlcv);
		for (const config of configs) {
			const outs = [];
			for (let k = 0; k < 2; k++) {
				const engine = await createNodeEngine();
				engine.load(ohlcv);
				const r = engine.run(config);
				outs.push({ trades: r.trades, equity: Float64Array.from(r.equity), version: engine.version });
			}
			const viaService = await service.run({ datasetId: 'btc', config, intervalMs: 3_600_000, withIndicators: false, market: { symbol: 'BTCUSDT', interval: '1h' } });
			expect(Buffer.from(outs[1].equity.buffer).equals(Buffer.from(outs[0].equity.buffer))).toBe(true);
			expect(Buffer.from(viaService.equity.buffer).equals(Buffer.from(outs[0].equity.buffer))).toBe(true);
			const expected = fingerprintRun({
				engineVersion: outs[0].version,
				symbol: 'BTCUSDT',
				interval: '1h',
				dataHash: candleDataHash(ohlcv),
				config,
				trades: outs[0].trades
			});
			expect(tradesHash(outs[1].trades)).toBe(expected.tradesHash);
			expect(viaService.fingerprint).toEqual(expected);
			expect(outs[0].trades.length).toBeGreaterThan(5);
		}
	});
});
