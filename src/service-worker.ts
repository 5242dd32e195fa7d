/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/// <reference types="@sveltejs/kit" />
/**
 * The offline service worker. At install it caches, under a cache named after the build version,
 * every file of the build: SvelteKit's lists (`build`, `files`, `prerendered`) plus the list that
 * scripts/precache-manifest.ts injects after the build (worker chunks, the `.wasm`, `404.html`).
 *
 * - Navigations: the cached prerendered page for the path (query ignored), else the network, else
 *   the cached SPA fallback `404.html`. Cache-first, so the page always matches the cached assets of
 *   the active version; a new deployment installs a new worker, and the page offers to reload.
 * - Same-origin GETs of precached files: the cache, else the network.
 * - Everything else (Binance API calls, other origins, non-GET, `_app/version.json`) is left alone:
 *   no `respondWith`, so the browser fetches it from the network as if no worker existed.
 * - A waiting worker activates when a page posts `{ type: 'SKIP_WAITING' }`; activation deletes the
 *   caches of other versions. `{ type: 'VERSION' }` answers `{ version }` on the message's port.
 */
import { base, build, files, prerendered, version } from '$service-worker';
import { cacheName, isStaleCache, navigationCacheKey, precacheUrls, FALLBACK_PAGE, PRECACHE_GLOBAL } from '$lib/pwa/precache';

const sw = self as unknown as ServiceWorkerGlobalScope & { [PRECACHE_GLOBAL]?: string[] };
const CACHE = cacheName(version);
const injected = Array.isArray(sw[PRECACHE_GLOBAL]) ? sw[PRECACHE_GLOBAL] : [];
if (!injected.length) console.warn('service worker: no injected precache list (run scripts/precache-manifest.ts after vite build); worker chunks and .wasm will not be available offline.');
const ASSETS = precacheUrls(base, [build, files, prerendered], injected);
const PRECACHED = new Set(ASSETS);
const PAGES = new Set(prerendered);

sw.addEventListener('install', (event) => {
	event.waitUntil(
		(async () => {
			const cache = await caches.open(CACHE);
			// `reload`: bypass the HTTP cache, so a page of the previous deployment is never cached as this one.
			await cache.addAll(ASSETS.map((url) => new Request(url, { cache: 'reload' })));
		})()
	);
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const key of await caches.keys()) if (isStaleCache(key, CACHE)) await caches.delete(key);
			await sw.clients.claim();
		})()
	);
});

sw.addEventListener('message', (event) => {
	const type = (event.data as { type?: unknown } | null)?.type;
	if (type === 'SKIP_WAITING') void sw.skipWaiting();
	else if (type === 'VERSION') event.ports[0]?.postMessage({ version });
});

/** The cached page for a navigation; the network for a path the build does not know; the fallback page offline. */
async function navigate(request: Request): Promise<Response> {
	const url = new URL(request.url);
	const key = navigationCacheKey(url.pathname, base, PAGES);
	const cache = await caches.open(CACHE);
	const fallback = `${base}/${FALLBACK_PAGE}`;
	if (key !== fallback) {
		const hit = await cache.match(key);
		if (hit) return hit;
	}
	try {
		return await fetch(request);
	} catch (e) {
		const page = (await cache.match(key)) ?? (await cache.match(fallback));
		if (page) return page;
		throw e;
	}
}

/** A precached file from the cache, or from the network if the cache lost it. */
async function cached(request: Request, path: string): Promise<Response> {
	const hit = await (await caches.open(CACHE)).match(path);
	return hit ?? fetch(request);
}

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	if (request.method !== 'GET') return;
	const url = new URL(request.url);
	// Other origins (Binance) go straight to the network: never answer them here.
	if (url.origin !== sw.location.origin) return;
	if (request.mode === 'navigate') {
		event.respondWith(navigate(request));
		return;
	}
	if (PRECACHED.has(url.pathname)) event.respondWith(cached(request, url.pathname));
});
