/**
 * ScannerState with real storage (fake-indexeddb) and the real Binance client answering from recorded data: a scan
 * from the form, live rows, counts, sorting, exports, the scan reopened by a fresh state (as after a reload), and the
 * comparison with the previous scan.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { BinanceClient } from '../../../src/lib/data/binance-client';
import { CandleStore } from '../../../src/lib/persistence/candle-store';
import { ScansRepository } from '../../../src/lib/persistence/scans';
import { ScannerState, sortRows } from '../../../src/lib/state/scanner.svelte';
import type { ScanRow } from '../../../src/lib/analysis/scanner';
import { fakeDailyBinance } from '../analysis/fake-daily-binance';

const NOW = Date.UTC(2026, 2, 2, 12);

describe('ScannerState', () => {
	it('scans from the form, stores the scan, and a new state (page reload) reopens it', async () => {
		const fake = fakeDailyBinance(NOW);
		const client = new BinanceClient({ fetch: fake.fetch, now: fake.now, sleep: async () => {}, hosts: ['https://api.test'] });
		const store = await CandleStore.open('scanner-state', new IDBFactory());
		const repo = new ScansRepository(store.db);
		const s = new ScannerState();
		await s.init({ client, store, repo });
		expect(s.current).toBeNull();
		s.universeKind = 'list';
		s.listText = 'btc, doge/usdt NEAR nopeusdt';
		s.degree = 11;
		await s.start();
		expect(s.formError).toMatch(/degree must be a whole number from 2 to 10, got 11/);
		s.degree = 4;
		await s.start();
		expect(s.error).toBeNull();
		expect(s.rows.map((r) => r.symbol)).toEqual(['BTCUSDT', 'DOGEUSDT', 'NEARUSDT', 'NOPEUSDT']);
		expect(s.counts.failed).toBe(1);
		expect(s.counts.BUY + s.counts.SELL + s.counts.HOLD).toBe(3);
		expect(s.progress?.done).toBe(4);
		s.sortBy('symbol');
		expect(s.sortedRows.map((r) => r.symbol)).toEqual(['BTCUSDT', 'DOGEUSDT', 'NEARUSDT', 'NOPEUSDT']);
		s.sortBy('symbol');
		expect(s.sortedRows.map((r) => r.symbol)).toEqual(['NEARUSDT', 'DOGEUSDT', 'BTCUSDT', 'NOPEUSDT']); // failed rows stay last
		expect(s.exportCsv().split('\n').length).toBe(6);
		const json = JSON.parse(s.exportJson(true));
		expect(json.inputs.universe).toEqual({ kind: 'list', symbols: ['BTCUSDT', 'DOGEUSDT', 'NEARUSDT', 'NOPEUSDT'] });
		expect(json.rows[0].bands.fit.length).toBe(json.rows[0].candles);
		expect(json.rows[0].candles).toBeGreaterThan(400);

		const reopened = new ScannerState();
		await reopened.init({ client, store, repo });
		expect(reopened.current?.id).toBe(s.current!.id);
		expect(reopened.rows.map((r) => [r.symbol, r.signal, r.fit])).toEqual(s.rows.map((r) => [r.symbol, r.signal, r.fit]));
		expect(reopened.universeKind).toBe('list');
		expect(reopened.previous).toBeNull();

		await reopened.start();
		expect(reopened.history.length).toBe(2);
		expect(reopened.previous?.id).toBe(s.current!.id);
		expect(reopened.changes).toEqual([]);
		await reopened.remove(s.current!.id);
		expect(reopened.history.length).toBe(1);
	});

	it('sortRows: numbers numerically with missing values last, signals BUY, SELL, HOLD, failed rows last', () => {
		const row = (symbol: string, signal: ScanRow['signal'], potential: number, error: string | null = null): ScanRow =>
			({ symbol, signal, potentialReturnRatio: potential, error, quoteVolume: null, note: null }) as ScanRow;
		const rows = [row('A', 'HOLD', 0), row('B', 'BUY', 0.3), row('C', 'SELL', 0.5), row('D', 'HOLD', 0, 'failed'), row('E', 'BUY', 0.9)];
		expect(sortRows(rows, 'potentialReturnRatio', 'desc').map((r) => r.symbol)).toEqual(['E', 'C', 'B', 'A', 'D']);
		expect(sortRows(rows, 'signal', 'asc').map((r) => r.symbol)).toEqual(['B', 'E', 'C', 'A', 'D']);
	});
});
