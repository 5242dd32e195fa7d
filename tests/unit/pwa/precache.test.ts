/**
 * The offline-cache rules (src/lib/pwa/precache.ts) and the post-build step that injects the
 * precache list into the built service worker (scripts/precache-manifest.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
	buildPrecacheList,
	cacheName,
	injectPrecacheList,
	isStaleCache,
	navigationCacheKey,
	precacheUrls,
	PRECACHE_GLOBAL,
	PRECACHE_MARKER,
	urlPathOfFile
} from '../../../src/lib/pwa/precache';
import { listFiles, writePrecacheManifest } from '../../../scripts/precache-manifest';

/** The files adapter-static wrote for this app (a real build's layout, hashes shortened). */
const BUILD_FILES = [
	'404.html',
	'index.html',
	'history/index.html',
	'optimize/index.html',
	'favicon.svg',
	'_headers',
	'manifest.webmanifest',
	'icons/icon-192.png',
	'data/BTCUSDT-1h-2y.csv.gz',
	'service-worker.js',
	'_app/version.json',
	'_app/env.js',
	'_app/immutable/entry/start.5Ny.js',
	'_app/immutable/chunks/BDvBX9Px.js',
	'_app/immutable/workers/backtest-worker-Dxy.js',
	'_app/immutable/workers/assets/release-BDx.wasm',
	'_app/immutable/chunks/BDvBX9Px.js.map',
	'.DS_Store',
	'data/.hidden/x.bin'
];

describe('urlPathOfFile', () => {
	it('requests pages by their directory (trailing slash) and the root as the empty path', () => {
		expect(urlPathOfFile('index.html')).toBe('');
		expect(urlPathOfFile('history/index.html')).toBe('history/');
		expect(urlPathOfFile('dev\\idb-bench\\index.html')).toBe('dev/idb-bench/');
		expect(urlPathOfFile('./404.html')).toBe('404.html');
		expect(urlPathOfFile('_app/immutable/workers/assets/release-BDx.wasm')).toBe('_app/immutable/workers/assets/release-BDx.wasm');
	});
});

describe('buildPrecacheList', () => {
	const list = buildPrecacheList(BUILD_FILES);

	it('lists the worker chunk, the .wasm and the SPA fallback that SvelteKit’s lists miss', () => {
		expect(list).toContain('_app/immutable/workers/backtest-worker-Dxy.js');
		expect(list).toContain('_app/immutable/workers/assets/release-BDx.wasm');
		expect(list).toContain('404.html');
		expect(list).toContain('data/BTCUSDT-1h-2y.csv.gz');
		expect(list).toContain('history/');
		expect(list).toContain('');
	});

	it('leaves out the worker itself, version.json, the host headers file, dot-files and source maps', () => {
		for (const never of ['service-worker.js', '_app/version.json', '.DS_Store', 'data/.hidden/x.bin', '_app/immutable/chunks/BDvBX9Px.js.map', '_headers'])
			expect(list).not.toContain(never);
		expect(list).toHaveLength(BUILD_FILES.length - 6);
	});

	it('is sorted and free of duplicates whatever the input order', () => {
		const shuffled = [...BUILD_FILES].reverse().concat(['index.html', 'history\\index.html']);
		expect(buildPrecacheList(shuffled)).toEqual(list);
		expect([...list].sort()).toEqual(list);
	});
});

describe('injectPrecacheList', () => {
	const sw = 'const a=1;self.addEventListener("install",()=>{});\n';

	it('puts one line defining the global before the worker code', () => {
		const out = injectPrecacheList(sw, ['', '404.html']);
		const [first, ...rest] = out.split('\n');
		expect(first).toBe(`${PRECACHE_MARKER}self.${PRECACHE_GLOBAL}=["","404.html"];`);
		expect(rest.join('\n')).toBe(sw);
		const self: Record<string, unknown> = {};
		new Function('self', first)(self);
		expect(self[PRECACHE_GLOBAL]).toEqual(['', '404.html']);
	});

	it('replaces its own line when run again instead of stacking lines', () => {
		const twice = injectPrecacheList(injectPrecacheList(sw, ['a.js']), ['b.js']);
		expect(twice).toBe(injectPrecacheList(sw, ['b.js']));
		expect(twice.split(PRECACHE_MARKER)).toHaveLength(2);
	});

	it('refuses an empty worker with a message that says how to fix it', () => {
		expect(() => injectPrecacheList('  \n', [])).toThrow(/run `vite build` first/);
	});
});

describe('precacheUrls', () => {
	it('joins SvelteKit’s absolute lists and the injected relative list under a sub-path base, once each', () => {
		const base = '/tools/bt';
		const urls = precacheUrls(
			base,
			[[`${base}/_app/immutable/entry/start.js`], [`${base}/favicon.svg`], [`${base}/`, `${base}/history/`]],
			['', 'history/', 'favicon.svg', '404.html', '_app/immutable/workers/assets/release.wasm']
		);
		expect(urls).toEqual([
			'/tools/bt/',
			'/tools/bt/404.html',
			'/tools/bt/_app/immutable/entry/start.js',
			'/tools/bt/_app/immutable/workers/assets/release.wasm',
			'/tools/bt/favicon.svg',
			'/tools/bt/history/'
		]);
	});

	it('never caches version.json or the worker even if a list names them', () => {
		expect(precacheUrls('', [['/_app/version.json', '/service-worker.js', '/']], ['_app/version.json'])).toEqual(['/']);
	});
});

describe('navigationCacheKey', () => {
	const pages = new Set(['/', '/history/', '/optimize/', '/dev/idb-bench/']);

	it('serves the prerendered page for its path, with or without trailing slash or index.html', () => {
		expect(navigationCacheKey('/', '', pages)).toBe('/');
		expect(navigationCacheKey('/history/', '', pages)).toBe('/history/');
		expect(navigationCacheKey('/history', '', pages)).toBe('/history/');
		expect(navigationCacheKey('/optimize/index.html', '', pages)).toBe('/optimize/');
		expect(navigationCacheKey('/index.html', '', pages)).toBe('/');
		expect(navigationCacheKey('/dev/idb-bench', '', pages)).toBe('/dev/idb-bench/');
	});

	it('serves the SPA fallback for a path the build does not know (e.g. a page added later)', () => {
		expect(navigationCacheKey('/share/', '', pages)).toBe('/404.html');
		expect(navigationCacheKey('/nope/deeper', '', pages)).toBe('/404.html');
	});

	it('works under a sub-path', () => {
		const sub = new Set(['/app/', '/app/history/']);
		expect(navigationCacheKey('/app/history', '/app', sub)).toBe('/app/history/');
		expect(navigationCacheKey('/app', '/app', sub)).toBe('/app/');
		expect(navigationCacheKey('/app/share/', '/app', sub)).toBe('/app/404.html');
	});
});

describe('cache names', () => {
	it('deletes this app’s caches of other builds only', () => {
		const current = cacheName('1767225600000');
		expect(current).toBe('backtester-precache-1767225600000');
		expect(isStaleCache(cacheName('1767225599999'), current)).toBe(true);
		expect(isStaleCache(current, current)).toBe(false);
		expect(isStaleCache('some-other-app', current)).toBe(false);
	});
});

describe('writePrecacheManifest (post-build step)', () => {
	let dir = '';
	afterEach(() => {
		if (dir) rmSync(dir, { recursive: true, force: true });
	});

	it('walks a build directory and injects every file into service-worker.js', () => {
		dir = mkdtempSync(join(tmpdir(), 'precache-'));
		for (const f of BUILD_FILES) {
			mkdirSync(join(dir, f, '..'), { recursive: true });
			writeFileSync(join(dir, f), f === 'service-worker.js' ? 'self.addEventListener("fetch",()=>{});' : `x${f}`);
		}
		expect(listFiles(dir).sort()).toEqual([...BUILD_FILES].sort());
		const { list, bytes } = writePrecacheManifest(dir);
		expect(list).toEqual(buildPrecacheList(BUILD_FILES));
		expect(bytes).toBe(BUILD_FILES.filter((f) => f !== 'service-worker.js').reduce((n, f) => n + f.length + 1, 0));
		const sw = readFileSync(join(dir, 'service-worker.js'), 'utf8');
		expect(sw).toBe(injectPrecacheList('self.addEventListener("fetch",()=>{});', list));
		// Idempotent: a second run gives the same file.
		writePrecacheManifest(dir);
		expect(readFileSync(join(dir, 'service-worker.js'), 'utf8')).toBe(sw);
	});

	it('says to build first when there is no service worker', () => {
		dir = mkdtempSync(join(tmpdir(), 'precache-'));
		expect(() => writePrecacheManifest(dir)).toThrow(/service-worker\.js not found: run `vite build` first/);
	});
});
