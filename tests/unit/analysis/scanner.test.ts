/**
 * The scanner end to end in Node: real BinanceClient (recorded responses, real daily candles), real CandleStore on
 * fake-indexeddb. Universe rules, cache-first sync (only missing candles are fetched), per-market failures
 * (unlisted, delisted, 451 mid-scan, offline, too few candles) with the rest completing, comparison and exports.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { scanMarket } from '../../../src/lib/analysis/bands';
import { scanToCsv, scanToJson } from '../../../src/lib/analysis/scan-export';
import { compareScans, isLeveragedToken, parseSymbolList, runScan, validateScanInputs, type ScanInputs } from '../../../src/lib/analysis/scanner';
import { BinanceClient, PEGGED_ASSETS } from '../../../src/lib/data/binance-client';
import { CandleStore } from '../../../src/lib/persistence/candle-store';
import { ScansRepository } from '../../../src/lib/persistence/scans';
import { loadKlinesCsv } from '../helpers/fixtures';
import { fakeDailyBinance, type FakeDaily } from './fake-daily-binance';

const NOW = Date.UTC(2026, 2, 2, 12); // 2026-03-02T12:00Z: BTCUSDT's last candle (03-01) has closed
const DAY = 86_400_000;
let fake: FakeDaily;
let client: BinanceClient;
let store: CandleStore;

beforeEach(async () => {
	fake = fakeDailyBinance(NOW);
	client = new BinanceClient({ fetch: fake.fetch, now: fake.now, sleep: async () => {}, hosts: ['https://api.test'] });
	store = await CandleStore.open('scan-test', new IDBFactory());
});

const inputs = (over: Partial<ScanInputs> = {}): ScanInputs => ({ universe: { kind: 'top', n: 12 }, interval: '1d', days: 720, degree: 4, kstd: 2, ...over });
const klineCalls = () => fake.calls.filter((c) => c.startsWith('/api/v3/klines'));

describe('universe', () => {
	it('top N by 24 h quote volume: TRADING USDT markets only, no stablecoin pairs, no leveraged tokens', async () => {
		const scan = await runScan(inputs({ universe: { kind: 'top', n: 300 } }), { client, store, now: fake.now, concurrency: 8 });
		const syms = scan.rows.map((r) => r.symbol);
		expect(syms.length).toBe(300);
		expect(syms[0]).toBe('BTCUSDT');
		expect(syms).not.toContain('FDUSDUSDT');
		expect(syms).not.toContain('USDCUSDT');
		for (const s of syms) {
			expect(s.endsWith('USDT')).toBe(true);
			expect(PEGGED_ASSETS.has(s.slice(0, -4))).toBe(false);
			expect(/(UP|DOWN|BULL|BEAR)USDT$/.test(s) && !['JUPUSDT', 'SUPERUSDT'].includes(s), s).toBe(false);
		}
		// Ranked by volume, descending.
		const vols = scan.rows.map((r) => r.quoteVolume!);
		for (let i = 1; i < vols.length; i++) expect(vols[i]).toBeLessThanOrEqual(vols[i - 1]);
		expect(scan.notes.join(' ')).toMatch(/Leveraged tokens left out: .*BTCUPUSDT|Leveraged tokens left out: .*UP/);
	});
	it('leveraged-token rule does not catch JUP or SUPER', () => {
		const bases = new Set(['BTC', 'ETH', 'J', 'SUP', 'JUP']);
		expect(isLeveragedToken('BTCUP', bases)).toBe(true);
		expect(isLeveragedToken('ETHDOWN', bases)).toBe(true);
		expect(isLeveragedToken('ETHBULL', bases)).toBe(true);
		expect(isLeveragedToken('JUP', new Set(['BTC']))).toBe(false);
		expect(isLeveragedToken('SUPER', bases)).toBe(false);
	});
	it('typed lists: separators, pairs and bare assets', () => {
		expect(parseSymbolList('btc, eth/usdt\nSOL-USDT  ethbtc')).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'ETHBTC']);
		expect(() => parseSymbolList('  ')).toThrow(/empty/);
		expect(() => parseSymbolList('BTC$USDT')).toThrow(/Not a market symbol: "BTC\$USDT"/);
		expect(() => validateScanInputs(inputs({ degree: 11, kstd: 0.5 }))).toThrow(/degree must be a whole number from 2 to 10.*kstd must be a number from 1 to 3/);
	});
});

describe('scan results', () => {
	it('fits each market on its last 720 daily candles exactly like scanMarket on the file; missing data is a per-market error', async () => {
		const scan = await runScan(inputs(), { client, store, now: fake.now });
		expect(scan.rows.length).toBe(12);
		const btc = scan.rows.find((r) => r.symbol === 'BTCUSDT')!;
		const k = loadKlinesCsv('klines-1d/BTCUSDT-1d.csv');
		const ref = scanMarket({ symbol: 'BTCUSDT', openTime: k.openTime, close: k.close }, { days: 720, degree: 4, kstd: 2, interval: '1d' });
		expect(btc.error).toBeNull();
		expect(btc.note).toBeNull();
		expect([btc.signal, btc.close, btc.fit, btc.sigma, btc.candles, btc.asOf]).toEqual([ref.signal, ref.close, ref.fit, ref.sigma, 720, Date.UTC(2026, 2, 1)]);
		expect(btc.series!.fit.length).toBe(720);
		// Markets with no recorded candles (e.g. those listed only on the ticker day) fail alone, with the reason.
		const failed = scan.rows.filter((r) => r.error);
		for (const f of failed) expect(f.error).toMatch(/not enough data: 0 candles, need 30/);
		expect(scan.rows.filter((r) => !r.error).length).toBeGreaterThanOrEqual(5);
		// SHIBUSDT's recorded candles end 2026-01-05: fitted on what there is, with a stale note and its own as-of date.
		const shib = scan.rows.find((r) => r.symbol === 'SHIBUSDT')!;
		expect(shib.error).toBeNull();
		expect(shib.asOf).toBe(Date.UTC(2026, 0, 5));
		expect(shib.note).toMatch(/stale: Binance returned nothing after 2026-01-05 \(55 1d candles ago\)/);
		// ETHUSDT's recorded daily candles end 2022-06-30, outside the last 720 days.
		expect(scan.rows.find((r) => r.symbol === 'ETHUSDT')!.error).toBe(
			'not enough data: 0 candles, need 30 (Binance has no 1d candles of ETHUSDT in the last 720 days and none are stored on this device).'
		);
	});

	it('second scan reads the cache: no kline request until a new candle has closed, then one small request per market', async () => {
		await runScan(inputs({ universe: { kind: 'core' } }), { client, store, now: fake.now });
		const first = klineCalls().length;
		expect(first).toBeGreaterThanOrEqual(3);
		const again = await runScan(inputs({ universe: { kind: 'core' } }), { client, store, now: fake.now });
		// BTCUSDT is cached up to its last closed candle: not requested again. (ETH/SOL have nothing recent, so
		// their newest range stays open and is asked again, as a sync does for a candle that may close later.)
		expect(klineCalls().slice(first).filter((c) => c.includes('BTCUSDT'))).toEqual([]);
		expect(again.candlesFetched).toBe(0);
		const afterSecond = klineCalls().length;
		fake.setNow(NOW + DAY); // 03-02 has closed: BTC gets exactly one new candle
		const next = await runScan(inputs({ universe: { kind: 'core' } }), { client, store, now: fake.now });
		const newCalls = klineCalls().slice(afterSecond);
		expect(newCalls.length).toBe(3);
		const btcCall = newCalls.find((c) => c.includes('BTCUSDT'))!;
		expect(Number(new URL('http://x' + btcCall).searchParams.get('startTime'))).toBeGreaterThan(NOW - 3 * DAY);
		expect(next.rows.find((r) => r.symbol === 'BTCUSDT')!.asOf).toBe(Date.UTC(2026, 2, 1)); // file ends 03-01
	});

	it('bad markets fail alone: unlisted, delisted, 451 mid-scan, too few candles', async () => {
		// ADAUSDT cached first, then 451 for it: fitted from the cache with a note. XRPUSDT 451 with no cache: error.
		await runScan(inputs({ universe: { kind: 'list', symbols: ['ADAUSDT'] } }), { client, store, now: fake.now });
		fake.setNow(NOW + 5 * DAY);
		fake.fail451.add('ADAUSDT');
		fake.fail451.add('XRPUSDT');
		const scan = await runScan(inputs({ universe: { kind: 'list', symbols: ['BTCUSDT', 'NOPEUSDT', 'BCCUSDT', 'ADAUSDT', 'XRPUSDT', 'LPTUSDT', 'DOGEUSDT'] } }), { client, store, now: fake.now });
		const by = Object.fromEntries(scan.rows.map((r) => [r.symbol, r]));
		expect(by.NOPEUSDT.error).toMatch(/NOPEUSDT is not a Binance spot market: check the spelling/);
		expect(by.BCCUSDT.error).toMatch(/BCCUSDT is not trading on Binance \(status BREAK\): delisted or halted/);
		expect(by.ADAUSDT.error).toBeNull();
		expect(by.ADAUSDT.note).toMatch(/Binance refused the request \(HTTP 451, restricted region\): fitted on the candles stored on this device \(last one 2026-03-0\d\)/);
		expect(by.XRPUSDT.error).toBe('Binance refused the request (HTTP 451, restricted region), and no 1d candles of XRPUSDT are stored on this device to fall back on.');
		expect(by.BTCUSDT.error).toBeNull();
		expect(by.DOGEUSDT.error).toBeNull();
		// LPTUSDT has 394 recorded candles: fewer than 720 but more than the minimum, so it is fitted on all of them.
		expect(by.LPTUSDT.error).toBeNull();
		expect(by.LPTUSDT.candles).toBe(394);
		const short = await runScan(inputs({ universe: { kind: 'core' }, days: 20 }), { client, store, now: fake.now });
		expect(short.rows.find((r) => r.symbol === 'BTCUSDT')!.error).toBe('not enough data: 20 candles, need 30');
	});

	it('a market Binance answers with "Invalid symbol" (listed in an old exchangeInfo) fails alone', async () => {
		const c2 = new BinanceClient({ fetch: fake.fetch, now: fake.now, sleep: async () => {}, hosts: ['https://api.test'] });
		// Without exchangeInfo (its request fails), the list is not checked up front: the klines call says -1121.
		const origFetch = fake.fetch;
		const f: typeof fetch = async (input, init) => (String(input).includes('exchangeInfo') ? new Response('{"code":-1000,"msg":"x"}', { status: 400 }) : origFetch(input, init));
		const c3 = new BinanceClient({ fetch: f, now: fake.now, sleep: async () => {}, hosts: ['https://api.test'] });
		const scan = await runScan(inputs({ universe: { kind: 'list', symbols: ['BTCUSDT', 'NOPEUSDT'] } }), { client: c3, store, now: fake.now });
		expect(scan.rows.find((r) => r.symbol === 'NOPEUSDT')!.error).toMatch(/Binance does not list this market \(invalid symbol\)/);
		expect(scan.rows.find((r) => r.symbol === 'BTCUSDT')!.error).toBeNull();
		expect(c2).toBeDefined();
	});

	it('offline: the markets stored on this device are scanned from the cache, each with its as-of date', async () => {
		await runScan(inputs({ universe: { kind: 'list', symbols: ['BTCUSDT', 'ADAUSDT', 'DOGEUSDT'] } }), { client, store, now: fake.now });
		fake.offline = true;
		const calls = fake.calls.length;
		const scan = await runScan(inputs(), { client, store, now: () => NOW + 10 * DAY });
		expect(scan.notes[0]).toMatch(/Binance could not be reached/);
		expect(scan.notes[1]).toMatch(/3 1d USDT markets stored on this device are scanned instead of the top 12/);
		expect(scan.rows.map((r) => r.symbol)).toEqual(['ADAUSDT', 'BTCUSDT', 'DOGEUSDT']);
		for (const r of scan.rows) {
			expect(r.error).toBeNull();
			expect(r.note).toMatch(/cached candles only \(Binance unreachable\): last candle 2026-03-0/);
		}
		// After the first network failure nothing more is requested.
		expect(fake.calls.length - calls).toBeLessThanOrEqual(2);
	});
});

describe('storage, comparison and exports', () => {
	it('stores scans (schema v2), finds the previous comparable scan and the changed signals', async () => {
		const repo = new ScansRepository(store.db);
		const a = await runScan(inputs({ universe: { kind: 'core' }, kstd: 1 }), { client, store, now: fake.now });
		await repo.put(a as never);
		const b = await runScan(inputs({ universe: { kind: 'core' }, kstd: 1 }), { client, store, now: () => NOW + 1000 });
		await repo.put(b as never);
		const back = (await repo.get(b.id)) as unknown as typeof b;
		expect(back.rows.map((r) => [r.symbol, r.signal, r.fit])).toEqual(b.rows.map((r) => [r.symbol, r.signal, r.fit]));
		expect(back.rows[0].series!.fit).toBeInstanceOf(Float64Array);
		expect((await repo.list()).map((s) => s.id)).toEqual([b.id, a.id]);
		// Listing reads no arrays; get() brings them back.
		for (const r of ((await repo.list())[0] as unknown as typeof b).rows) expect(r.series).toBeUndefined();
		expect(back.rows.find((r) => r.symbol === 'BTCUSDT')!.series!.fit).toEqual(b.rows.find((r) => r.symbol === 'BTCUSDT')!.series!.fit);
		expect(await repo.delete(a.id)).toBe(true);
		expect(await repo.get(a.id)).toBeUndefined();
		expect(await store.db.get('scanBands', a.id)).toBeUndefined();
		await repo.put(a as never);
		const { scanCompareKey } = await import('../../../src/lib/analysis/scanner');
		const prev = await repo.previous(b as never, (s) => scanCompareKey((s as unknown as typeof b).inputs));
		expect(prev?.id).toBe(a.id);
		expect(compareScans(b.rows, a.rows)).toEqual([]);
		const changed = compareScans(b.rows, [{ ...a.rows[0], signal: a.rows[0].signal === 'BUY' ? 'SELL' : 'BUY' }, ...a.rows.slice(1)]);
		expect(changed.length).toBe(1);
		expect(changed[0].symbol).toBe(a.rows[0].symbol);
	});
	it('JSON (with band arrays) and CSV exports', async () => {
		const scan = await runScan(inputs({ universe: { kind: 'list', symbols: ['BTCUSDT', 'NOPEUSDT'] } }), { client, store, now: fake.now });
		const json = JSON.parse(scanToJson({ inputs: scan.inputs }, scan.rows, (r) => {
			const s = (r as (typeof scan.rows)[number]).series;
			return s ? { ...s, halfWidth: 2 * r.sigma } : undefined;
		}));
		const btc = json.rows.find((r: { symbol: string }) => r.symbol === 'BTCUSDT');
		expect(btc.asOf).toBe('2026-03-01T00:00:00Z');
		expect(btc.bands.fit.length).toBe(720);
		expect(btc.bands.upper[719]).toBeCloseTo(btc.upper, 6);
		const nope = json.rows.find((r: { symbol: string }) => r.symbol === 'NOPEUSDT');
		expect(nope.close).toBeNull();
		expect(nope.bands).toBeUndefined();
		const csv = scanToCsv(scan.rows).trim().split('\n');
		expect(csv[0]).toBe('symbol,signal,close,fit,sigma,upper,lower,potentialReturnRatio,targetReturnRatio,candles,asOf,quoteVolume,error,note');
		expect(csv.length).toBe(3);
		expect(csv[1]).toMatch(/^BTCUSDT,HOLD,65776.47,/);
		expect(csv[2]).toMatch(/^NOPEUSDT,HOLD,,,,,,0,0,0,,,"?NOPEUSDT is not a Binance spot market/);
	});
});
