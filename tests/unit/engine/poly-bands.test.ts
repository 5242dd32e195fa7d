/**
 * The causal `poly-bands` strategy (BANDS.md "Band strategy"):
 * - golden case PB1 (BTCUSDT 1d, W 120, d 2, k 2.0, exit at fit, long-only): trades exactly, equity within
 *   SCENARIOS.md's tolerance, causal bands within 1e-9 of the numpy reference — WASM core and TS reference engine;
 * - parity WASM vs TS reference on random parameters over real daily windows (BTC, ETH, ADA, DOGE);
 * - no look-ahead: changing bars after k changes no band, signal, trade or equity value before k;
 * - the scanner's whole-window fit repaints: at past bars it differs from the causal band (measured).
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import { polyBands } from '../../../src/lib/analysis/bands';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { referenceSignals, runReferenceBacktest } from '../../../src/lib/engine/reference';
import { referencePolyBands } from '../../../src/lib/engine/reference/polybands';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import type { BacktestConfig, Trade } from '../../../src/lib/engine/types';
import type { WasmEngine } from '../../../src/lib/engine/wasm-engine';
import { closeTo, fixturePath, loadKlinesCsv, sliceColumns } from '../helpers/fixtures';

const pb1Config: BacktestConfig = {
	...defaultConfig('poly-bands'),
	params: { window: 120, degree: 2, kstd: 2.0, exitAt: 0 },
	direction: 'long',
	feeRate: 0.001,
	initialCash: 10_000
};

function csv(rel: string): string[][] {
	return Papa.parse<string[]>(readFileSync(fixturePath(rel), 'utf8'), { skipEmptyLines: true }).data.slice(1);
}

function expectPb1Trades(trades: Trade[], label: string) {
	const ref = csv('bands/PB1.trades.csv');
	expect(trades.length, label).toBe(ref.length);
	expect(ref.length).toBe(32);
	ref.forEach((r, i) => {
		const t = trades[i];
		expect([t.direction, t.entryBar, t.exitBar, t.exitReason], `${label} trade ${i}`).toEqual([r[1], Number(r[2]), Number(r[5]), r[12] === 'end_of_data' ? 'end_of_data' : 'signal']);
		expect(closeTo(t.entryPrice, Number(r[4]), 1e-15), `${label} trade ${i} entry`).toBe(true);
		expect(closeTo(t.exitPrice, Number(r[7]), 1e-15), `${label} trade ${i} exit`).toBe(true);
		for (const [k, c] of [['size', 8], ['entryFee', 9], ['exitFee', 10], ['pnl', 11]] as const) {
			expect(closeTo(t[k], Number(r[c]), 1e-7, 1e-4), `${label} trade ${i} ${k}: ${t[k]} vs ${r[c]}`).toBe(true);
		}
	});
}

function expectPb1Equity(equity: Float64Array, label: string) {
	const ref = csv('bands/PB1.equity.csv');
	expect(equity.length).toBe(ref.length);
	let worst = 0;
	ref.forEach((r, i) => (worst = Math.max(worst, Math.abs(equity[i] - Number(r[4])))));
	expect(worst, label).toBeLessThan(1e-4);
	const pb1 = JSON.parse(readFileSync(fixturePath('bands/PB1.json'), 'utf8'));
	expect(closeTo(equity[equity.length - 1], pb1.summary.final_equity, 1e-9), label).toBe(true);
}

describe('PB1 golden (BTCUSDT 1d, W 120, d 2, k 2, exit at fit, long)', () => {
	const btc = () => loadKlinesCsv('klines-1d/BTCUSDT-1d.csv');
	it('WASM core: causal bands within 1e-9 of the reference at every bar', async () => {
		const e = await createNodeEngine();
		e.load(btc());
		const b = e.polyBands(120, 2, 2.0);
		const ref = csv('bands/PB1.equity.csv');
		let worstFit = 0;
		let worstSigma = 0;
		ref.forEach((r, i) => {
			if (r[5] === '') {
				expect(Number.isNaN(b.mid[i])).toBe(true);
				return;
			}
			worstFit = Math.max(worstFit, Math.abs(b.mid[i] - Number(r[5])) / Math.abs(Number(r[5])));
			worstSigma = Math.max(worstSigma, Math.abs(b.sigma[i] - Number(r[6])) / Math.abs(Number(r[6])));
			const scale = Math.max(Math.abs(Number(r[7])), Math.abs(Number(r[5])));
			expect(Math.abs(b.lower[i] - Number(r[7])) / scale).toBeLessThan(1e-9);
		});
		expect(worstFit).toBeLessThan(1e-9);
		expect(worstSigma).toBeLessThan(1e-9);
	});
	it('WASM core: the 32 trades exactly, equity within 1e-4 USDT at every bar', async () => {
		const e = await createNodeEngine();
		e.load(btc());
		const r = e.run(pb1Config);
		expectPb1Trades(r.trades, 'wasm');
		expectPb1Equity(r.equity, 'wasm');
	});
	it('TS reference engine: the same trades and equity', () => {
		const r = runReferenceBacktest(btc(), pb1Config);
		expectPb1Trades(r.trades, 'reference');
		expectPb1Equity(r.equity, 'reference');
	});
	it('exitAt is an enumeration: fit (0) and opposite-band (1) only', async () => {
		const e = await createNodeEngine();
		e.load(btc());
		expect(() => e.run({ ...pb1Config, params: { ...pb1Config.params, exitAt: 2 } })).toThrow(/exitAt must be one of 0 \(fit\), 1 \(opposite-band\)/);
		expect(() => e.run({ ...pb1Config, params: { ...pb1Config.params, window: 3, degree: 2 } })).toThrow(/window must be/);
	});
});

/** mulberry32 */
function rng(seed: number) {
	return () => {
		seed |= 0;
		seed = (seed + 0x6d2b79f5) | 0;
		let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

describe('parity WASM vs TS reference on real daily windows', () => {
	const markets = ['BTCUSDT', 'ETHUSDT', 'ADAUSDT', 'DOGEUSDT'];
	const data: Record<string, OhlcvColumns> = {};
	const engines: Record<string, WasmEngine> = {};
	beforeAll(async () => {
		for (const m of markets) {
			const k = loadKlinesCsv(`klines-1d/${m}-1d.csv`);
			data[m] = sliceColumns(k, Math.max(0, k.openTime.length - 900), k.openTime.length);
			engines[m] = await createNodeEngine();
			engines[m].load(data[m]);
		}
	});
	it('24 random configurations (window 20-250, degree 1-10, kstd 0.5-3, both exits, both directions) agree', () => {
		const r = rng(20261201);
		let trades = 0;
		for (let i = 0; i < 24; i++) {
			const m = markets[i % markets.length];
			const degree = 1 + Math.floor(r() * 10);
			const window = Math.max(degree + 2, 20 + Math.floor(r() * 230));
			const config: BacktestConfig = {
				...defaultConfig('poly-bands'),
				params: { window, degree, kstd: +(0.5 + r() * 2.5).toFixed(2), exitAt: r() < 0.5 ? 0 : 1 },
				direction: r() < 0.5 ? 'long' : 'long-short',
				slippageRate: r() < 0.5 ? 0 : 0.0005
			};
			const w = engines[m].run(config);
			const t = runReferenceBacktest(data[m], config);
			const ctx = `${m} ${JSON.stringify(config.params)} ${config.direction}`;
			expect(w.trades.map((x) => [x.direction, x.entryBar, x.exitBar, x.exitReason]), ctx).toEqual(t.trades.map((x) => [x.direction, x.entryBar, x.exitBar, x.exitReason]));
			for (let b = 0; b < t.equity.length; b++) if (!closeTo(w.equity[b], t.equity[b], 1e-9, 1e-9)) expect([b, w.equity[b]], ctx).toEqual([b, t.equity[b]]);
			// The bands themselves agree closely (different methods: orthonormal projection vs normal equations + refinement).
			const wb = engines[m].polyBands(window, degree, 1);
			const rb = referencePolyBands(data[m].close, window, degree);
			for (let b = window - 1; b < rb.mid.length; b++) {
				expect(Math.abs(wb.mid[b] - rb.mid[b]) / Math.abs(rb.mid[b]), ctx).toBeLessThan(1e-9);
				expect(Math.abs(wb.sigma[b] - rb.sigma[b]) / Math.abs(rb.sigma[b]), ctx).toBeLessThan(1e-9);
			}
			trades += t.trades.length;
		}
		expect(trades).toBeGreaterThan(100);
	});
});

describe('no look-ahead in poly-bands', () => {
	it('replacing every bar after k changes no band, signal, trade or equity value before k', async () => {
		const btc = loadKlinesCsv('klines-1d/BTCUSDT-1d.csv');
		const eth = loadKlinesCsv('klines-1d/ETHUSDT-1d.csv');
		const n = 1500;
		const base = sliceColumns(btc, btc.openTime.length - n, btc.openTime.length);
		const k = 1100;
		const src = sliceColumns(eth, eth.openTime.length - n, eth.openTime.length);
		const scale = base.close[k - 1] / src.open[k];
		const alt = (a: Float64Array, b: Float64Array, s: number) => a.map((v, i) => (i < k ? v : b[i] * s));
		const altered: OhlcvColumns = {
			openTime: base.openTime.slice(),
			open: alt(base.open, src.open, scale),
			high: alt(base.high, src.high, scale),
			low: alt(base.low, src.low, scale),
			close: alt(base.close, src.close, scale),
			volume: alt(base.volume, src.volume, 1)
		};
		const a = await createNodeEngine();
		const b = await createNodeEngine();
		a.load(base);
		b.load(altered);
		for (const config of [
			{ ...defaultConfig('poly-bands'), params: { window: 180, degree: 3, kstd: 2.5, exitAt: 1 }, direction: 'long-short' as const },
			{ ...defaultConfig('poly-bands'), params: { window: 60, degree: 5, kstd: 1.5, exitAt: 0 }, direction: 'long-short' as const }
		]) {
			const ra = a.run(config);
			const rb = b.run(config);
			expect(ra.equity[n - 1]).not.toBe(rb.equity[n - 1]);
			expect(Array.from(ra.equity.subarray(0, k))).toEqual(Array.from(rb.equity.subarray(0, k)));
			expect(rb.trades.filter((t) => t.exitBar < k)).toEqual(ra.trades.filter((t) => t.exitBar < k));
			const p = config.params as { window: number; degree: number; kstd: number };
			const ba = a.polyBands(p.window, p.degree, p.kstd);
			const bb = b.polyBands(p.window, p.degree, p.kstd);
			expect(Array.from(bb.mid.subarray(0, k))).toEqual(Array.from(ba.mid.subarray(0, k)));
			expect(Array.from(bb.sigma.subarray(0, k))).toEqual(Array.from(ba.sigma.subarray(0, k)));
			expect(bb.mid[k + 5]).not.toBe(ba.mid[k + 5]);
			const sa = referenceSignals(base, config);
			const sb = referenceSignals(altered, config);
			for (const key of ['enterLong', 'exitLong', 'enterShort', 'exitShort'] as const) expect(Array.from(sb[key].subarray(0, k))).toEqual(Array.from(sa[key].subarray(0, k)));
		}
	});
});

describe('the scanner fit repaints; the causal band does not', () => {
	it('BTCUSDT 1d, 720 days, degree 4: equal at the last bar, far apart at past bars', async () => {
		const btc = loadKlinesCsv('klines-1d/BTCUSDT-1d.csv');
		const N = btc.close.length;
		const W = 720;
		const scan = polyBands(btc.close.slice(N - W), 4, 2.0);
		const e = await createNodeEngine();
		e.load(btc);
		const causal = e.polyBands(W, 4, 2.0);
		// Same window at the last bar: same fit and sigma.
		expect(Math.abs(causal.mid[N - 1] - scan.fit[W - 1]) / scan.fit[W - 1]).toBeLessThan(1e-9);
		expect(Math.abs(causal.upper[N - 1] - scan.upper[W - 1]) / scan.upper[W - 1]).toBeLessThan(1e-9);
		// Past bars: the scanner's curve uses later prices. Measure how far the two curves are apart.
		const rel: number[] = [];
		let signalDiffers = 0;
		for (let i = 0; i < W - 1; i++) {
			const t = N - W + i;
			rel.push(Math.abs(scan.fit[i] - causal.mid[t]) / btc.close[t]);
			const sScan = btc.close[t] < scan.lower[i] ? 1 : btc.close[t] > scan.upper[i] ? -1 : 0;
			const sCausal = btc.close[t] < causal.lower[t] ? 1 : btc.close[t] > causal.upper[t] ? -1 : 0;
			if (sScan !== sCausal) signalDiffers++;
		}
		rel.sort((a, b) => a - b);
		const median = rel[Math.floor(rel.length / 2)];
		const max = rel[rel.length - 1];
		// Measured on this data: median 7.7 %, max 31.8 % of the close; the band signal differs on 187 of 719 past bars.
		console.log(`repaint BTCUSDT 1d 720/4: median |scanFit - causalFit|/close = ${(median * 100).toFixed(1)} %, max ${(max * 100).toFixed(1)} %, band signal differs on ${signalDiffers} of ${W - 1} past bars`);
		expect(median).toBeGreaterThan(0.02);
		expect(signalDiffers).toBeGreaterThan(10);
	});
});

describe('band cache inside the core', () => {
	it('a new dataset of the same length, and a change of window or degree, recompute the bands', async () => {
		const btc = loadKlinesCsv('klines-1d/BTCUSDT-1d.csv');
		const eth = loadKlinesCsv('klines-1d/ETHUSDT-1d.csv');
		const a = sliceColumns(btc, btc.openTime.length - 1000, btc.openTime.length);
		const b = sliceColumns(eth, eth.openTime.length - 1000, eth.openTime.length);
		const reused = await createNodeEngine();
		const config = (window: number, degree: number, kstd: number): BacktestConfig => ({ ...defaultConfig('poly-bands'), params: { window, degree, kstd, exitAt: 0 }, direction: 'long-short' });
		const fresh = async (d: OhlcvColumns, c: BacktestConfig) => {
			const e = await createNodeEngine();
			e.load(d);
			return e.run(c);
		};
		reused.load(a);
		reused.run(config(120, 3, 2));
		for (const c of [config(120, 3, 1.5), config(150, 3, 1.5), config(150, 4, 1.5)]) {
			expect(reused.run(c).equity).toEqual((await fresh(a, c)).equity);
		}
		reused.load(b); // same length, other closes
		const c = config(150, 4, 1.5);
		expect(reused.run(c).equity).toEqual((await fresh(b, c)).equity);
		expect(reused.run(c).trades).toEqual((await fresh(b, c)).trades);
	});
});
