/**
 * MarketState offline behaviour on real storage (fake-indexeddb) with real BTCUSDT 1h candles: 4h
 * candles derived from stored 1h ones (marked derived, equal to Binance's own 4h), date presets,
 * a sync error cleared by a market change, and offline symbol suggestions.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { BinanceClient } from '../../../src/lib/data/binance-client';
import { CandleStore } from '../../../src/lib/persistence/candle-store';
import { DERIVED_SOURCE, MarketState, toInputUtc } from '../../../src/lib/state/market.svelte';
import { lastRunId, rememberedForm, rememberForm, rememberLastRun } from '../../../src/lib/state/session-memory';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import { loadKlinesCsv, sliceColumns } from '../helpers/fixtures';

const offline = (async () => {
	throw new TypeError('Failed to fetch');
}) as typeof fetch;

async function offlineMarket() {
	const store = await CandleStore.open(`market-derived-${Math.random()}`);
	const h1 = loadKlinesCsv('klines/BTCUSDT-1h.csv');
	// 2026-01-01T00:00Z .. the end of the fixture (2026-07-25T16:00Z).
	const from = h1.openTime.indexOf(Date.UTC(2026, 0, 1));
	await store.putCandles('BTCUSDT', '1h', sliceColumns(h1, from, h1.openTime.length), 'bundled');
	const m = new MarketState();
	await m.init({ store, client: new BinanceClient({ fetch: offline, sleep: async () => {} }) });
	await m.loadSymbols();
	return m;
}

describe('MarketState offline', () => {
	it('builds 4h candles from the stored 1h ones, marked derived, equal to Binance 4h', async () => {
		const m = await offlineMarket();
		expect(m.binanceOk).toBe(false);
		await m.select('BTCUSDT', '4h');
		const d = m.dataset!;
		expect(d.derived).toEqual({ from: '1h', partial: 0 });
		expect(d.sources).toEqual([DERIVED_SOURCE]);
		// 2026-01-01 00:00 .. 2026-07-25 12:00 (the 16:00 period is incomplete: 16:00 only).
		expect(d.ohlcv.openTime[0]).toBe(Date.UTC(2026, 0, 1));
		expect(d.ohlcv.openTime[d.ohlcv.openTime.length - 1]).toBe(Date.UTC(2026, 6, 25, 12));
		const ref = loadKlinesCsv('klines/BTCUSDT-4h-2025-2026.csv');
		const j = ref.openTime.indexOf(Date.UTC(2026, 0, 1));
		for (let i = 0; i < d.ohlcv.openTime.length; i++) {
			expect(d.ohlcv.openTime[i]).toBe(ref.openTime[j + i]);
			expect(d.ohlcv.close[i]).toBe(ref.close[j + i]);
			expect(d.ohlcv.high[i]).toBe(ref.high[j + i]);
		}
	});

	it('date presets end at the last stored candle; a market change clears the sync error', async () => {
		const m = await offlineMarket();
		await m.presetRange(30 * 86_400_000);
		expect(m.to).toBe(toInputUtc(Date.UTC(2026, 6, 25, 16)));
		expect(m.dataset!.ohlcv.openTime.length).toBe(720);
		await m.presetRange(null);
		expect(m.from).toBe(toInputUtc(Date.UTC(2026, 0, 1)));
		m.from = toInputUtc(Date.UTC(2025, 0, 1));
		await m.sync();
		expect(m.syncError).toMatch(/Could not reach Binance/);
		await m.select('ETHUSDT', '1h');
		expect(m.syncError).toBeNull();
		expect(m.search('')).toEqual(['BTCUSDT']);
	});
});

describe('session memory', () => {
	it('remembers the last run and a valid form per market, ignores a broken one', () => {
		const map = new Map<string, string>();
		const st = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k) };
		rememberLastRun('run-1', st);
		expect(lastRunId(st)).toBe('run-1');
		const c = { ...defaultConfig('rsi-mean-reversion'), feeRate: 0.002 };
		rememberForm('ETHUSDT', '4h', c, st);
		expect(rememberedForm('ETHUSDT', '4h', st)).toEqual(c);
		expect(rememberedForm('BTCUSDT', '1h', st)).toBeNull();
		map.set('backtester.v1.form.BTCUSDT:1h', JSON.stringify({ ...c, feeRate: -1 }));
		expect(rememberedForm('BTCUSDT', '1h', st)).toBeNull();
		rememberLastRun(null, st);
		expect(lastRunId(st)).toBeNull();
	});
});
