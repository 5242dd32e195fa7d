/**
 * Speed of the IndexedDB candle store in real Chromium: writes the 78,221 real BTCUSDT 1h candles of
 * tests/fixtures/klines/BTCUSDT-1h.csv through the dev harness page (src/bench-routes/dev/idb-bench), reopens
 * the database and reads them back into columns. Needs the harness build (`npm run build:bench`).
 * Called by scripts/bench.ts (owned by the lead); prints figures, asserts only that the data round-tripped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium } from '@playwright/test';
import { readKlinesPlain as readKlines, type PlainKlines as Plain } from '../tests/e2e/helpers/klines';

import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../tests/e2e/helpers/chromium';


/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const srv = createServer();
		srv.once('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address() as { port: number };
			srv.close(() => resolve(port));
		});
	});
}

/**
 * Start sirv (sirv-cli) on a build directory and wait until it answers.
 * @param port - TCP port.
 * @param dir - `build` (the app, default) or `build-bench` (developer harness pages, `npm run build:bench`).
 */
export async function serveBuild(port: number, dir = 'build'): Promise<ChildProcess> {
	const args = [dir, '--port', String(port), '--host', '127.0.0.1', ...(dir === 'build' ? ['--single', '404.html'] : [])];
	const child = spawn('node_modules/.bin/sirv', args, { stdio: 'ignore' });
	const deadline = Date.now() + 30_000;
	while (Date.now() < deadline) {
		try {
			const r = await fetch(`http://127.0.0.1:${port}/${dir === 'build' ? '' : 'dev/idb-bench/'}`);
			if (r.ok) return child;
		} catch {
			// not up yet
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	child.kill();
	throw new Error(`sirv did not start on port ${port} within 30 s`);
}

/**
 * Time an IndexedDB write and a columnar read of 78,221 real 1h candles in Chromium and print them.
 * @param repeats - number of write/read round trips; the median of each is printed (default 3).
 * @returns median write and read times in ms.
 * @throws Error if build-bench/ is missing (run `npm run build:bench`) or the read-back differs from the written candles.
 */
export async function benchIdb(repeats = 3): Promise<{ writeMs: number; readMs: number }> {
	if (!existsSync('build-bench/dev/idb-bench/index.html')) {
		throw new Error('build-bench/dev/idb-bench/index.html is missing: run `npm run build:bench` first.');
	}
	const data = readKlines('tests/fixtures/klines/BTCUSDT-1h.csv');
	const n = data.openTime.length;
	const port = await freePort();
	const server = await serveBuild(port, 'build-bench');
	const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
	try {
		const page = await browser.newPage();
		await page.goto(`http://127.0.0.1:${port}/dev/idb-bench/`);
		await page.waitForFunction(() => (window as unknown as { __idbBench?: unknown }).__idbBench !== undefined);
		const writes: number[] = [];
		const reads: number[] = [];
		for (let i = 0; i < repeats; i++) {
			const r = await page.evaluate(
				(d) => (window as unknown as { __idbBench: { roundTrip(d: unknown): Promise<{ writeMs: number; readMs: number; columns: Plain }> } }).__idbBench.roundTrip(d),
				data
			);
			if (r.columns.close.length !== n || r.columns.openTime.some((t, k) => t !== data.openTime[k]) || r.columns.close.some((c, k) => c !== data.close[k])) {
				throw new Error('IndexedDB round trip returned different candles');
			}
			writes.push(r.writeMs);
			reads.push(r.readMs);
		}
		const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
		const writeMs = median(writes);
		const readMs = median(reads);
		const fmt = n.toLocaleString('en-US');
		console.log(`IndexedDB read of ${fmt} 1h candles into columns: ${readMs.toFixed(1)} ms (median of ${repeats}, Chromium)`);
		console.log(`IndexedDB write of ${fmt} 1h candles (merge into chunks, one transaction): ${writeMs.toFixed(1)} ms (median of ${repeats})`);
		return { writeMs, readMs };
	} finally {
		await browser.close();
		server.kill();
	}
}

if (import.meta.url === `file://${process.argv[1]}`) await benchIdb();
