/**
 * Backup export/import on real data: runs computed by the WASM engine on the Binance fixtures, an
 * optimisation run through the real pool (in-process workers), settings, and candles with coverage
 * metadata, in fake-indexeddb. Checks a bit-exact round trip, idempotent re-import, the conflict
 * policy, each broken-file case (clear message, nothing changed), and rollback on a quota failure.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import { gunzipSync, gzipSync, strFromU8, strToU8, zipSync } from 'fflate';
import { sliceOhlcv, timeframeMs } from '../../../src/lib/core/timeframe';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import type { BacktestConfig } from '../../../src/lib/engine/types';
import type { OptimizationState } from '../../../src/lib/optimize';
import {
	BACKUP_FORMAT,
	BackupError,
	CandleStore,
	StorageFullError,
	decodeTagged,
	encodeTagged,
	exportAll,
	importAll,
	openAppDb,
	readBackup,
	STORES,
	type AppDb
} from '../../../src/lib/persistence';
import { BUNDLED_SETTING_KEY } from '../../../src/lib/persistence/bundled';
import { OptimisationsRepository } from '../../../src/lib/persistence/optimisations';
import { INTERRUPTED_MESSAGE } from '../../../src/lib/persistence/runs';
import { datasetId, type Dataset } from '../../../src/lib/state/market.svelte';
import { BackupState, importSummary } from '../../../src/lib/state/backup.svelte';
import { OptimizeState, type BestTrial } from '../../../src/lib/state/optimize.svelte';
import { runLabel, type Run } from '../../../src/lib/state/runs.svelte';
import { BacktestClient } from '../../../src/lib/workers/backtest-client';
import { createBacktestService } from '../../../src/lib/workers/backtest-service';
import type { BacktestWorkerApi } from '../../../src/lib/workers/protocol';
import { readKlines } from './helpers';

const H = timeframeMs('1h');
let dbCount = 0;
const fresh = () => openAppDb(`backup-${dbCount++}`);

// ---- real data -------------------------------------------------------------------------------

let btc: OhlcvColumns;
let eth: OhlcvColumns;
let runs: Run[];
let optimisation: Awaited<ReturnType<OptimisationsRepository['list']>>[number];

function dataset(symbol: string, ohlcv: OhlcvColumns): Dataset {
	return { id: datasetId(symbol, '1h', ohlcv), symbol, interval: '1h', intervalMs: H, ohlcv, gaps: [], missingBars: 0, sources: ['import'] };
}

/** A completed run as RunsState stores it, computed by the real engine through the worker service. */
async function realRun(id: string, createdAt: number, config: BacktestConfig, ds: Dataset): Promise<Run> {
	const service = createBacktestService(() => createNodeEngine());
	await service.loadDataset(ds.id, ds.ohlcv);
	const r = await service.run({ datasetId: ds.id, config, intervalMs: H, withIndicators: true, market: { symbol: ds.symbol, interval: ds.interval } });
	const n = ds.ohlcv.openTime.length;
	return {
		id,
		createdAt,
		updatedAt: createdAt + 5,
		status: 'completed',
		label: runLabel(config, ds.symbol, ds.interval),
		config,
		market: { symbol: ds.symbol, interval: ds.interval, datasetId: ds.id, firstOpenTime: ds.ohlcv.openTime[0], lastOpenTime: ds.ohlcv.openTime[n - 1], bars: n, source: 'import', missingBars: 0 },
		result: { trades: r.trades, equity: r.equity, openTime: ds.ohlcv.openTime, metrics: r.metrics, ambiguousBars: r.ambiguousBars, indicators: r.indicators, elapsedMs: r.elapsedMs, ...(r.fingerprint ? { fingerprint: r.fingerprint } : {}) }
	};
}

beforeAll(async () => {
	btc = sliceOhlcv(readKlines('klines/BTCUSDT-1h.csv'), 60_000, 66_000);
	eth = sliceOhlcv(readKlines('klines/ETHUSDT-1h.csv'), 70_000, 72_500);
	const sma = await realRun('run-a', 1_700_000_000_000, defaultConfig('sma-cross'), dataset('BTCUSDT', btc));
	const rsi = await realRun(
		'run-b',
		1_700_000_100_000,
		{ ...defaultConfig('rsi-mean-reversion'), direction: 'long-short', stopLoss: { mode: 'fraction', value: 0.03 }, takeProfit: { mode: 'atr', value: 2 } },
		dataset('ETHUSDT', eth)
	);
	runs = [sma, rsi];

	// A real optimisation (3 × 3 grid) through the pool, stored by OptimizeState.
	const db = await fresh();
	const repo = new OptimisationsRepository<OptimizationState, BestTrial>(db);
	const client = new BacktestClient(1, 120_000, () => ({
		api: createBacktestService(() => createNodeEngine()) as unknown as Remote<BacktestWorkerApi>,
		terminate: () => {},
		onError: () => {}
	}));
	const opt = new OptimizeState();
	await opt.init({ repo, pool: client.pool });
	opt.setStrategy('sma-cross');
	Object.assign(opt.ranges.find((r) => r.name === 'fast')!, { search: true, start: 5, end: 15, step: 5 });
	Object.assign(opt.ranges.find((r) => r.name === 'slow')!, { search: true, start: 30, end: 50, step: 10 });
	opt.method = 'grid';
	await opt.start(defaultConfig('sma-cross'), dataset('BTCUSDT', sliceOhlcv(btc, 0, 3000)));
	expect(opt.error).toBeNull();
	[optimisation] = await repo.list();
	expect(optimisation.status).toBe('done');
	client.dispose();
	db.close();
}, 120_000);

/** A database holding both runs, the optimisation, settings, and BTC + ETH candles with a known gap. */
async function seeded(): Promise<AppDb> {
	const db = await fresh();
	for (const r of runs) await db.put(STORES.runs, r);
	await db.put(STORES.optimisations, optimisation);
	await db.put(STORES.settings, 1_700_000_000_123, BUNDLED_SETTING_KEY);
	await db.put(STORES.settings, { theme: 'dark', weird: [NaN, -0, Infinity], $t: 'not a tag', when: new Date(5) }, 'ui');
	const store = new CandleStore(db);
	// BTC stored in two parts with a 10-candle hole the source answered as empty (a known gap).
	await store.putCandles('BTCUSDT', '1h', sliceOhlcv(btc, 0, 3000), 'import', { now: 1 });
	await store.putCandles('BTCUSDT', '1h', sliceOhlcv(btc, 3010, 6000), 'binance', {
		covered: { from: btc.openTime[2990], to: btc.openTime[5999] + H },
		now: 2
	});
	await store.putCandles('ETHUSDT', '1h', eth, 'bundled', { now: 3 });
	return db;
}

/** Every record of every store, read in one transaction. */
async function snapshot(db: AppDb) {
	const tx = db.transaction(Object.values(STORES), 'readonly');
	const out = {
		runs: await tx.objectStore(STORES.runs).getAll(),
		optimisations: await tx.objectStore(STORES.optimisations).getAll(),
		settingKeys: await tx.objectStore(STORES.settings).getAllKeys(),
		settings: await tx.objectStore(STORES.settings).getAll(),
		series: await tx.objectStore(STORES.series).getAll(),
		chunks: await tx.objectStore(STORES.candleChunks).getAll()
	};
	await tx.done;
	return out;
}

/** Deep equality where every number (typed-array elements included) must be `Object.is`-identical. */
function expectBitIdentical(a: unknown, b: unknown, path = '$'): void {
	if (typeof a === 'number' || typeof b === 'number') {
		if (!Object.is(a, b)) throw new Error(`${path}: ${String(a)} !== ${String(b)}`);
		return;
	}
	if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
		if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) throw new Error(`${path}: typed array type differs`);
		const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
		const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
		if (x.length !== y.length) throw new Error(`${path}: byte length ${x.length} !== ${y.length}`);
		for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) throw new Error(`${path}: byte ${i} differs`);
		const ea = a as unknown as ArrayLike<number>;
		const eb = b as unknown as ArrayLike<number>;
		for (let i = 0; i < ea.length; i++) if (!Object.is(ea[i], eb[i])) throw new Error(`${path}[${i}]: ${ea[i]} !== ${eb[i]}`);
		return;
	}
	if (a instanceof Date || b instanceof Date) {
		if (!(a instanceof Date && b instanceof Date) || !Object.is(a.getTime(), b.getTime())) throw new Error(`${path}: dates differ`);
		return;
	}
	if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
		if (a !== b) throw new Error(`${path}: ${String(a)} !== ${String(b)}`);
		return;
	}
	if (Array.isArray(a) !== Array.isArray(b)) throw new Error(`${path}: array vs object`);
	const ka = Object.keys(a).sort();
	const kb = Object.keys(b).sort();
	if (ka.join() !== kb.join()) throw new Error(`${path}: keys [${ka}] !== [${kb}]`);
	for (const k of ka) expectBitIdentical((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
}

function rewrite(bytes: Uint8Array, edit: (doc: Record<string, unknown>) => void): Uint8Array {
	const doc = JSON.parse(strFromU8(gunzipSync(bytes)));
	edit(doc);
	return gzipSync(strToU8(JSON.stringify(doc)));
}

// ---- tests -----------------------------------------------------------------------------------

describe('encodeTagged / decodeTagged', () => {
	it('keeps special numbers, -0, undefined, typed arrays (NaN payload bits too), Map, Set, Date and $t keys', () => {
		const f = new Float64Array([1.5, NaN, -0, Infinity, -Infinity, 5e-324, 1.7976931348623157e308]);
		new DataView(f.buffer).setUint32(8, 0x7ff80000 | 0xbeef, true); // NaN with a payload
		const bigBuf = new Float64Array(10);
		const value = {
			f,
			view: new Float64Array(bigBuf.buffer, 16, 3), // a view with an offset
			i: Int32Array.of(-1, 2 ** 31 - 1),
			u8: Uint8Array.of(0, 255),
			n: [NaN, -0, Infinity, -Infinity, 0, 1e-300],
			u: undefined,
			m: new Map<unknown, unknown>([['a', 1], [2, NaN]]),
			s: new Set([1, 'x']),
			d: new Date(Date.UTC(2025, 0, 1)),
			$t: 'user data',
			nested: { $t: 'f64', b64: 'AAAA' }
		};
		const json = JSON.parse(JSON.stringify(encodeTagged(value)));
		const back = decodeTagged(json) as typeof value;
		expectBitIdentical(back.f, value.f);
		expectBitIdentical(back.view, value.view);
		expect(back.view.length).toBe(3);
		expectBitIdentical(back.i, value.i);
		expectBitIdentical(back.n, value.n);
		expect('u' in back && back.u === undefined).toBe(true);
		expect(back.m).toEqual(value.m);
		expect(back.s).toEqual(value.s);
		expect(back.d.getTime()).toBe(value.d.getTime());
		expect(back.$t).toBe('user data');
		expect(back.nested).toEqual({ $t: 'f64', b64: 'AAAA' });
	});

	it('refuses values that are not plain data and unknown tags, naming the path', () => {
		expect(() => encodeTagged({ a: [1, () => 1] })).toThrow(/\$\.a\[1\].*function/);
		expect(() => encodeTagged({ a: new (class Foo {})() })).toThrow(/Foo object is not plain data/);
		expect(() => decodeTagged({ x: { $t: 'f65', b64: '' } })).toThrow(/\$\.x: unknown tagged value "f65"/);
		expect(() => decodeTagged({ $t: 'f64', b64: 'AAAA' })).toThrow(/3 bytes, not a multiple of 8/);
		expect(() => decodeTagged({ $t: 'f64', b64: '!!!' })).toThrow(/not valid base64/);
	});
});

describe('exportAll + importAll', () => {
	it('round-trips every store into an empty database bit for bit (candles included)', async () => {
		const src = await seeded();
		const before = await snapshot(src);
		expect(before.runs).toHaveLength(2);
		expect(before.chunks.length).toBeGreaterThan(2);
		expect(before.series.find((s) => s.symbol === 'BTCUSDT')!.gaps).toHaveLength(1);
		const bytes = await exportAll(src, { includeCandles: true, now: 1_800_000_000_000 });
		expect(bytes[0]).toBe(0x1f);
		const doc = readBackup(bytes);
		expect(doc).toMatchObject({ format: BACKUP_FORMAT, version: 1, createdAt: 1_800_000_000_000, includesCandles: true });

		const dst = await fresh();
		const report = await importAll(dst, bytes);
		expect(report).toEqual({
			backupCreatedAt: 1_800_000_000_000,
			runs: { added: 2, skipped: 0 },
			optimisations: { added: 1, skipped: 0 },
			settings: { added: 2, skipped: 0 },
			candles: { series: 2, added: 5990 + 2500, skipped: 0 },
			interrupted: 0
		});
		const after = await snapshot(dst);
		expectBitIdentical(after, before);
		// The runs carry NaN / Infinity metrics and NaN-led indicator lines: check they are really there.
		const values = Object.values(runs[0].result!.metrics);
		expect(values.some((v) => Number.isNaN(v) || !Number.isFinite(v)) || runs[0].result!.indicators[0].values.some(Number.isNaN)).toBe(true);
		expect((after.runs[0] as Run).result!.equity).toBeInstanceOf(Float64Array);
		// Candles read back through the store are the same columns.
		expectBitIdentical(await new CandleStore(dst).getCandles('ETHUSDT', '1h'), eth);
	});

	it('without candles writes no candle data and a much smaller file', async () => {
		const src = await seeded();
		const small = await exportAll(src);
		const big = await exportAll(src, { includeCandles: true });
		expect(small.length).toBeLessThan(big.length / 2);
		const doc = readBackup(small);
		expect(doc.includesCandles).toBe(false);
		expect(doc.candles).toBeUndefined();
		const dst = await fresh();
		const report = await importAll(dst, small);
		expect(report.candles).toEqual({ series: 0, added: 0, skipped: 0 });
		expect((await snapshot(dst)).chunks).toHaveLength(0);
	});

	it('is idempotent: importing the same file again adds nothing and changes nothing', async () => {
		const bytes = await exportAll(await seeded(), { includeCandles: true });
		const dst = await fresh();
		await importAll(dst, bytes);
		const once = await snapshot(dst);
		const again = await importAll(dst, bytes);
		expect(again).toMatchObject({
			runs: { added: 0, skipped: 2 },
			optimisations: { added: 0, skipped: 1 },
			settings: { added: 0, skipped: 2 },
			candles: { series: 0, added: 0, skipped: 5990 + 2500 }
		});
		expectBitIdentical(await snapshot(dst), once);
	});

	it('keeps what is stored: same-id runs/optimisations and existing settings win; candles are merged add-only', async () => {
		const bytes = await exportAll(await seeded(), { includeCandles: true });
		const dst = await fresh();
		const mine = { ...runs[0], label: 'my local label' };
		await dst.put(STORES.runs, mine);
		await dst.put(STORES.settings, 'local value', 'ui');
		// Locally: BTC candles 2000..3999 with changed volumes, and a covered range of our own.
		const local = sliceOhlcv(btc, 2000, 4000);
		local.volume = local.volume.map((v) => v + 1);
		const store = new CandleStore(dst);
		await store.putCandles('BTCUSDT', '1h', local, 'binance', { now: 9 });
		const report = await importAll(dst, bytes);
		expect(report.runs).toEqual({ added: 1, skipped: 1 });
		expect(report.settings).toEqual({ added: 1, skipped: 1 });
		// BTC in the backup: 0..2999 and 3010..5999; 2000..2999 and 3010..3999 are stored already.
		expect(report.candles.added).toBe(5990 + 2500 - 1000 - 990);
		expect(report.candles.skipped).toBe(1000 + 990);
		expect((await dst.get(STORES.runs, 'run-a'))!.label).toBe('my local label');
		expect(await dst.get(STORES.settings, 'ui')).toBe('local value');
		const merged = await store.getCandles('BTCUSDT', '1h');
		expect(merged.openTime.length).toBe(6000); // the local 3000..3009 fill the backup's gap
		expectBitIdentical(merged.openTime, btc.openTime);
		expectBitIdentical(merged.volume.subarray(2000, 4000), local.volume); // local values kept
		expectBitIdentical(merged.volume.subarray(0, 2000), btc.volume.subarray(0, 2000));
		expectBitIdentical(merged.close, btc.close);
		const cov = (await store.getCoverage('BTCUSDT', '1h'))!;
		expect(cov).toMatchObject({ count: 6000, runs: [[btc.openTime[0], btc.openTime[5999]]], gaps: [], firstOpenTime: btc.openTime[0], source: 'binance', lastSync: 9 });
		expect(cov.sources.sort()).toEqual(['binance', 'import']);
		expect(cov.covered).toEqual([{ from: btc.openTime[0], to: btc.openTime[5999] + H }]);
	});

	it('imports runs that were still running as interrupted (failed), as the app does at start-up', async () => {
		const src = await fresh();
		await src.put(STORES.runs, { ...runs[0], status: 'running', result: undefined });
		await src.put(STORES.optimisations, { ...optimisation, status: 'running' });
		const dst = await fresh();
		const report = await importAll(dst, await exportAll(src), { now: 42 });
		expect(report.interrupted).toBe(2);
		expect(await dst.get(STORES.runs, 'run-a')).toMatchObject({ status: 'failed', error: INTERRUPTED_MESSAGE, updatedAt: 42 });
		expect((await dst.get(STORES.optimisations, optimisation.id))?.status).toBe('interrupted');
	});
});

describe('broken backup files: a clear message and nothing changed', () => {
	let good: Uint8Array;
	beforeAll(async () => {
		good = await exportAll(await seeded(), { includeCandles: true });
	});

	const cases: Array<[string, () => Uint8Array, RegExp]> = [
		['an empty file', () => new Uint8Array(0), /file is empty.*Export all data/],
		['a PNG image', () => Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), /not a backup of this app: it is neither gzip nor JSON \(it starts with bytes 89 50 4e 47\)/],
		['a zip archive', () => zipSync({ 'a.txt': strToU8('hi') }), /neither gzip nor JSON \(it is a zip archive\)/],
		['a truncated gzip file', () => good.slice(0, Math.floor(good.length / 2)), /damaged: its gzip data cannot be decompressed.*cut short.*export it again/],
		[
			'a gzip file with corrupted bytes',
			() => {
				const b = good.slice();
				for (let i = 200; i < 260; i++) b[i] ^= 0x5a;
				return b;
			},
			/damaged: its gzip data cannot be decompressed/
		],
		['gzip of truncated JSON', () => gzipSync(strToU8(strFromU8(gunzipSync(good)).slice(0, 5000))), /damaged: its content is not complete JSON.*nothing was imported/],
		['another JSON file', () => gzipSync(strToU8(JSON.stringify({ name: 'package', version: '1.0.0' }))), /not a backup of this app: it has no "format": "backtester-backup"/],
		['another format name', () => strToU8(JSON.stringify({ format: 'freqtrade-backtest' })), /its format is "freqtrade-backtest"/],
		['a newer format version', () => rewrite(good, (d) => (d.version = 2)), /format version 2, newer than this app reads \(1\): update the app/],
		['a newer storage schema', () => rewrite(good, (d) => (d.schemaVersion = 99)), /newer app version \(storage schema 99.*reload the page/],
		['a missing list', () => rewrite(good, (d) => delete d.runs), /header or lists are malformed: runs: /],
		[
			'a run whose equity is a plain array',
			() => rewrite(good, (d) => ((d.runs as { result: { equity: unknown } }[])[1].result.equity = [1, 2, 3])),
			/invalid at runs\[1\] \(id "run-b"\): result\.equity: must be a Float64Array.*nothing was imported/
		],
		[
			'a run with a bad status',
			() => rewrite(good, (d) => ((d.runs as { status: string }[])[0].status = 'done')),
			/invalid at runs\[0\] \(id "run-a"\): status/
		],
		[
			'bad base64 inside a chunk',
			() => rewrite(good, (d) => ((d.candles as { chunks: { close: { b64: string } }[] }).chunks[0].close.b64 = '@@@')),
			/invalid at candles\.chunks\[0\]\.close: the base64 data of a "f64" array is not valid base64/
		],
		[
			'a chunk whose open times are out of order',
			() =>
				rewrite(good, (d) => {
					const c = (d.candles as { chunks: { openTime: { b64: string } }[] }).chunks[1];
					const t = decodeTagged(c.openTime) as Float64Array;
					[t[3], t[4]] = [t[4], t[3]];
					c.openTime = encodeTagged(t) as { b64: string };
				}),
			/invalid at candles\.chunks\[1\]: openTime\[4\] .* is not a whole number of 1h intervals/
		],
		['chunks without series metadata', () => rewrite(good, (d) => ((d.candles as { series: unknown[] }).series = [])), /no series metadata for BTCUSDT 1h/],
		[
			'two runs with one id',
			() => rewrite(good, (d) => ((d.runs as { id: string }[])[1].id = 'run-a')),
			/runs has two records with id "run-a"/
		]
	];

	for (const [name, make, message] of cases) {
		it(`rejects ${name}`, async () => {
			const dst = await seeded();
			const before = await snapshot(dst);
			const err = await importAll(dst, make()).catch((e) => e);
			expect(err).toBeInstanceOf(BackupError);
			expect(err.code).toBe('invalid_backup');
			expect(err.message).toMatch(message);
			expectBitIdentical(await snapshot(dst), before);
		});
	}

	it('a failing check of the layer above names the run', () => {
		expect(() => readBackup(good, { checkRun: (r) => (r.id === 'run-b' ? 'config.feeRate must be a fraction' : null) })).toThrow(
			/invalid at runs\[1\] \(id "run-b"\): config\.feeRate must be a fraction/
		);
	});

	it('accepts the plain (not gzipped) JSON document too', async () => {
		const dst = await fresh();
		const report = await importAll(dst, gunzipSync(good));
		expect(report.runs.added).toBe(2);
	});
});

describe('storage failures roll the whole import back', () => {
	const proto = IDBObjectStore.prototype;
	const originalPut = proto.put;
	afterEach(() => {
		proto.put = originalPut;
	});

	it('a QuotaExceededError on a candle write leaves runs, settings and candles as they were', async () => {
		const bytes = await exportAll(await seeded(), { includeCandles: true });
		const dst = await fresh();
		await dst.put(STORES.settings, 'kept', 'existing');
		await new CandleStore(dst).putCandles('BTCUSDT', '1h', sliceOhlcv(btc, 0, 100), 'binance');
		const before = await snapshot(dst);
		let puts = 0;
		proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
			if (this.name === STORES.candleChunks && ++puts === 2) throw new DOMException('quota exceeded (simulated)', 'QuotaExceededError');
			return originalPut.apply(this, args);
		};
		const err = await importAll(dst, bytes).catch((e) => e);
		expect(puts).toBe(2);
		expect(err).toBeInstanceOf(StorageFullError);
		expect(err.message).toMatch(/storage is full: the backup was not imported and nothing was changed/i);
		proto.put = originalPut;
		expectBitIdentical(await snapshot(dst), before);
		// The database still works, and the same import now succeeds.
		expect((await importAll(dst, bytes)).runs.added).toBe(2);
	});

	it('a transaction aborted with QuotaExceededError at commit time also leaves everything as it was', async () => {
		const bytes = await exportAll(await seeded(), { includeCandles: true });
		const dst = await fresh();
		const before = await snapshot(dst);
		proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
			const req = originalPut.apply(this, args);
			if (this.name === STORES.series) (this.transaction as unknown as { _abort(name: string): void })._abort('QuotaExceededError');
			return req;
		};
		const err = await importAll(dst, bytes).catch((e) => e);
		expect(err).toBeInstanceOf(StorageFullError);
		expect(err.cause?.name).toBe('QuotaExceededError');
		proto.put = originalPut;
		expectBitIdentical(await snapshot(dst), before);
	});
});

describe('BackupState (the panel state over the real repositories)', () => {
	it('exports, imports with the engine-level checks, and summarises', async () => {
		const src = await seeded();
		const exporter = new BackupState({ db: () => src });
		exporter.includeCandles = true;
		const file = await exporter.exportData(Date.UTC(2026, 10, 3, 14, 5, 9));
		expect(file!.name).toBe('backtester-backup-2026-11-03T14-05-09Z.json.gz');
		expect(exporter.lastExport).toEqual({ name: file!.name, size: file!.bytes.length, includesCandles: true });

		const dst = await fresh();
		let refreshed = 0;
		const importer = new BackupState({ db: () => dst, onImported: () => void refreshed++ });
		const report = await importer.importFile(new Blob([file!.bytes as BlobPart]));
		expect(importer.error).toBeNull();
		expect(refreshed).toBe(1);
		expect(importSummary(report!)).toEqual([
			'Added 2 runs, 1 optimisation, 2 settings, 8,490 candles (2 series updated).',
			'Already stored and kept as they are: 0 runs, 0 optimisations, 0 settings, 0 candles.'
		]);
	});

	it('rejects a run whose configuration the engine refuses, naming it, and stores nothing', async () => {
		const src = await fresh();
		await src.put(STORES.runs, runs[0]);
		await src.put(STORES.runs, { ...runs[1], config: { ...runs[1].config, feeRate: 2 } });
		const bytes = await exportAll(src);
		const dst = await fresh();
		const state = new BackupState({ db: () => dst });
		expect(await state.importFile(new Blob([bytes as BlobPart]))).toBeNull();
		expect(state.error).toMatch(/invalid at runs\[1\] \(id "run-b"\): config: .*feeRate must be a fraction/);
		expect(await dst.count(STORES.runs)).toBe(0);
	});

	it('says when storage is not open yet', async () => {
		const state = new BackupState({ db: () => null });
		expect(await state.exportData()).toBeNull();
		expect(state.error).toMatch(/still opening/);
	});
});
