/**
 * The installable offline app on the built site: the manifest and icons; the service worker
 * installs, controls the page and precaches every file of the build (worker chunk and .wasm
 * included); with the network cut, a reload opens the app on the cached candles, a backtest and an
 * optimisation run, History and Optimise open; a new deployment shows an update banner whose
 * Reload activates the new worker (served under a sub-path, as a static host might).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sirv from 'sirv';
import { expect, test, type Page } from '@playwright/test';
import { blockBinance, mockBinance } from './helpers/binance-mock';
import { chartInk, fillOptimisation, openApp, runBacktest } from './helpers/app';
import { buildPrecacheList, cacheName } from '../../src/lib/pwa/precache';
import { listFiles } from '../../scripts/precache-manifest';

const BUILD = 'build';
const buildVersion = (dir = BUILD): string => JSON.parse(readFileSync(join(dir, '_app/version.json'), 'utf8')).version;

/** Wait until a service worker is active and controls the page. */
async function waitControlled(page: Page): Promise<void> {
	await page.evaluate(() => navigator.serviceWorker.ready);
	await page.waitForFunction(() => !!navigator.serviceWorker.controller);
}

/** The build version of the worker that controls the page (it answers `{ type: 'VERSION' }`). */
async function controllerVersion(page: Page): Promise<string> {
	return page.evaluate(
		() =>
			new Promise<string>((resolve, reject) => {
				const sw = navigator.serviceWorker.controller;
				if (!sw) return reject(new Error('no controller'));
				const ch = new MessageChannel();
				ch.port1.onmessage = (e) => resolve((e.data as { version: string }).version);
				sw.postMessage({ type: 'VERSION' }, [ch.port2]);
			})
	);
}

/** Cache name -> the URL paths it holds. */
async function cacheContents(page: Page): Promise<Record<string, string[]>> {
	return page.evaluate(async () => {
		const out: Record<string, string[]> = {};
		for (const name of await caches.keys()) {
			const cache = await caches.open(name);
			out[name] = (await cache.keys()).map((r) => new URL(r.url).pathname);
		}
		return out;
	});
}

test('manifest, icons, and a service worker that controls the page and precaches the worker chunk and the .wasm', async ({ page }) => {
	await blockBinance(page);
	await openApp(page);

	// The manifest is linked, valid, relative (works under a sub-path), and its icons exist.
	const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
	expect(manifestHref).toBe('./manifest.webmanifest');
	const manifest = await page.evaluate(async (href) => {
		const r = await fetch(href);
		return { type: r.headers.get('content-type'), body: await r.json() };
	}, manifestHref!);
	expect(manifest.type).toContain('application/manifest+json');
	expect(manifest.body).toMatchObject({ name: 'Backtester · Binance spot', short_name: 'Backtester', start_url: './', scope: './', display: 'standalone' });
	expect(manifest.body.theme_color).toBe(await page.locator('meta[name="theme-color"]').getAttribute('content'));
	const icons = manifest.body.icons as { src: string; sizes: string; purpose: string }[];
	for (const [sizes, purpose] of [['192x192', 'any'], ['512x512', 'any'], ['512x512', 'maskable']]) {
		const icon = icons.find((i) => i.sizes === sizes && i.purpose === purpose);
		expect(icon, `${sizes} ${purpose} icon`).toBeTruthy();
		const size = await page.evaluate(async (src) => {
			const img = new Image();
			img.src = src;
			await img.decode();
			return `${img.naturalWidth}x${img.naturalHeight}`;
		}, icon!.src);
		expect(size).toBe(sizes);
	}
	const touch = await page.locator('link[rel="apple-touch-icon"]').evaluate(async (link: HTMLLinkElement) => {
		const img = new Image();
		img.src = link.href;
		await img.decode();
		return { path: new URL(link.href).pathname, size: `${img.naturalWidth}x${img.naturalHeight}` };
	});
	expect(touch).toEqual({ path: '/icons/apple-touch-icon.png', size: '180x180' });

	// The worker activates and, after a reload, controls the page.
	const reg = await page.evaluate(async () => {
		const r = await navigator.serviceWorker.ready;
		// `ready` resolves once a worker is active, possibly still `activating` (its activate handler drops old caches).
		const w = r.active!;
		if (w.state === 'activating') await new Promise((done) => w.addEventListener('statechange', () => w.state !== 'activating' && done(null)));
		return { scope: r.scope, script: w.scriptURL, state: w.state };
	});
	const origin = new URL(page.url()).origin;
	expect(reg).toEqual({ scope: `${origin}/`, script: `${origin}/service-worker.js`, state: 'activated' });
	await page.reload();
	await expect(page.getByTestId('bar-count')).toBeVisible();
	expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${origin}/service-worker.js`);
	expect(await controllerVersion(page)).toBe(buildVersion());

	// One cache, named after this build, holding every file of build/ (its own walk of the directory).
	const contents = await cacheContents(page);
	expect(Object.keys(contents)).toEqual([cacheName(buildVersion())]);
	const cached = new Set(Object.values(contents)[0]);
	const expected = buildPrecacheList(listFiles(BUILD)).map((p) => `/${p}`);
	expect(expected.filter((u) => !cached.has(u))).toEqual([]);
	const wasm = expected.filter((u) => /^\/_app\/immutable\/workers\/.*\.wasm$/.test(u));
	const workerChunks = expected.filter((u) => /^\/_app\/immutable\/workers\/[^/]+\.js$/.test(u));
	expect(wasm.length).toBeGreaterThanOrEqual(1);
	expect(workerChunks.length).toBeGreaterThanOrEqual(1);
	for (const u of ['/', '/history/', '/optimize/', '/404.html', '/data/BTCUSDT-1h-2y.csv.gz', ...wasm, ...workerChunks]) expect(cached).toContain(u);
	expect(cached).not.toContain('/service-worker.js');
	expect(cached).not.toContain('/_app/version.json');
});

test('Binance requests of a controlled page bypass the worker, so page.route still answers them', async ({ page }) => {
	const log = await mockBinance(page);
	await openApp(page);
	await waitControlled(page);
	const before = log.requests.length;
	await page.reload();
	await expect(page.getByTestId('bar-count')).toBeVisible();
	await expect(page.getByText('Binance online')).toBeVisible();
	expect(log.requests.length).toBeGreaterThan(before);
	expect(log.requests.every((u) => u.pathname.startsWith('/api/v3/'))).toBe(true);
});

test('offline: a reload opens the app on cached candles, a backtest and an optimisation run, History and Optimise open', async ({ page, context }) => {
	const errors: string[] = [];
	page.on('pageerror', (e) => errors.push(e.message));
	await blockBinance(page);
	await openApp(page); // first visit: the bundled BTCUSDT 1h candles go into IndexedDB
	await expect(page.getByTestId('bar-count')).toHaveText('17,520');
	await waitControlled(page);
	await expect(page.getByTestId('offline-indicator')).toHaveCount(0);

	await context.setOffline(true);
	await page.reload();
	await expect(page.getByTestId('offline-indicator')).toBeVisible();
	await expect(page.getByTestId('offline-indicator')).toHaveText('Offline');
	await expect(page.getByTestId('bar-count')).toHaveText('17,520');
	expect(await page.evaluate(() => navigator.onLine)).toBe(false);
	// The network is really cut: a file outside the cache cannot be fetched.
	expect(await page.evaluate(() => fetch('./_app/version.json').then(() => 'fetched', () => 'failed'))).toBe('failed');

	expect(await runBacktest(page)).toBe('completed');
	await expect.poll(() => chartInk(page, 'chart')).toBeGreaterThan(20_000);

	// Full navigations (not client-side): each page comes from the cache, query strings ignored.
	await page.goto('./history/?from=offline');
	await expect(page.getByRole('link', { name: 'History' })).toHaveAttribute('aria-current', 'page');
	await expect(page.getByTestId('history-row')).toHaveCount(1);
	await expect(page.getByTestId('history-row').first()).toContainText('completed');
	await expect(page.getByTestId('offline-indicator')).toBeVisible();

	await page.goto('./optimize/');
	await expect(page.getByRole('link', { name: 'Optimise' })).toHaveAttribute('aria-current', 'page');
	await expect(page.getByTestId('bar-count')).toHaveText('17,520');
	await fillOptimisation(page, 'sma-cross', { fast: [5, 6, 1], slow: [20, 25, 5] }, 'grid');
	await page.getByTestId('opt-start').click();
	await expect(page.getByTestId('opt-status')).toHaveText('done', { timeout: 60_000 });
	await expect(page.getByTestId('opt-completed')).toHaveText('4');
	await expect(page.getByTestId('opt-row')).toHaveCount(4);

	// A path this build does not know opens the SPA fallback (the app shell) from the cache.
	await page.goto('./no-such-page/');
	await expect(page.getByRole('link', { name: 'History' })).toBeVisible();
	await expect(page.getByTestId('offline-indicator')).toBeVisible();

	// Back online: the indicator goes away without a reload.
	await context.setOffline(false);
	await expect(page.getByTestId('offline-indicator')).toHaveCount(0);
	expect(errors).toEqual([]);
});

test.describe('update prompt', () => {
	const PREFIX = '/tools/backtester';
	let server: Server;
	let origin = '';
	let nextDir = '';
	let serve: ReturnType<typeof sirv>;

	test.beforeAll(async () => {
		// Deployment 2: the same files, but a service worker of another build version.
		nextDir = mkdtempSync(join(tmpdir(), 'pwa-next-'));
		cpSync(BUILD, nextDir, { recursive: true });
		const v1 = buildVersion();
		const swPath = join(nextDir, 'service-worker.js');
		const sw = readFileSync(swPath, 'utf8');
		expect(sw).toContain(v1);
		writeFileSync(swPath, sw.split(v1).join(`${v1}2`));
		writeFileSync(join(nextDir, '_app/version.json'), JSON.stringify({ version: `${v1}2` }));

		serve = sirv(BUILD, { dev: true, single: '404.html' });
		// The site lives under a sub-path, as on a static host's project page.
		server = createServer((req, res) => {
			const url = req.url ?? '/';
			if (!url.startsWith(`${PREFIX}/`)) {
				res.statusCode = 404;
				return res.end('not here');
			}
			req.url = url.slice(PREFIX.length);
			serve(req, res, () => {
				res.statusCode = 404;
				res.end('not found');
			});
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
	});

	test.afterAll(async () => {
		await new Promise((resolve) => server?.close(resolve));
		if (nextDir) rmSync(nextDir, { recursive: true, force: true });
	});

	test('a new deployment shows the banner; Reload activates the new worker, reloads, and drops the old cache', async ({ page }) => {
		const v1 = buildVersion();
		const v2 = `${v1}2`;
		await blockBinance(page);
		await openApp(page, `${origin}${PREFIX}/`);
		await waitControlled(page);
		expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${origin}${PREFIX}/service-worker.js`);
		expect(await controllerVersion(page)).toBe(v1);
		await expect(page.getByTestId('update-banner')).toHaveCount(0);

		// Deploy version 2 and let the page look for it (the browser also does on navigation).
		serve = sirv(nextDir, { dev: true, single: '404.html' });
		await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
		const banner = page.getByTestId('update-banner');
		await expect(banner).toBeVisible();
		await expect(banner).toContainText('A new version is available');
		// The old version keeps control until the user agrees.
		expect(await controllerVersion(page)).toBe(v1);
		expect(await page.evaluate(async () => !!(await navigator.serviceWorker.getRegistration())?.waiting)).toBe(true);

		await page.evaluate(() => ((window as unknown as { __beforeUpdate: boolean }).__beforeUpdate = true));
		await page.getByTestId('update-reload').click();
		// The page reloaded (the marker is gone), under the new worker.
		await page.waitForFunction(() => !(window as unknown as { __beforeUpdate?: boolean }).__beforeUpdate);
		await expect(page.getByTestId('bar-count')).toBeVisible();
		await waitControlled(page);
		expect(await controllerVersion(page)).toBe(v2);
		await expect(page.getByTestId('update-banner')).toHaveCount(0);
		await expect.poll(async () => Object.keys(await cacheContents(page))).toEqual([cacheName(v2)]);
	});
});
