/**
 * Rules of the offline cache, shared by the service worker (src/service-worker.ts) and the
 * post-build step that lists what it must precache (scripts/precache-manifest.ts). Plain
 * TypeScript with no DOM or worker globals, so it is testable in Node.
 *
 * SvelteKit's `$service-worker` lists (`build`, `files`, `prerendered`) miss what Vite emits for
 * Web Workers (the worker chunk and the `.wasm` it imports, under `_app/immutable/workers/`) and the
 * SPA fallback page (`404.html`, written by adapter-static after the worker is built). The
 * post-build step therefore walks `build/` and injects the full list into `service-worker.js`.
 */

/** Global the post-build step defines at the top of `service-worker.js`: `self[PRECACHE_GLOBAL] = [...]`. */
export const PRECACHE_GLOBAL = '__PWA_PRECACHE__';

/** Marker comment on the injected line, so the step can replace its own line when run again. */
export const PRECACHE_MARKER = '/* pwa-precache-manifest */';

/** Cache names start with this; the build version follows. Caches of other versions are deleted on activate. */
export const CACHE_PREFIX = 'backtester-precache-';

/** The SPA fallback page (adapter-static `fallback`), served for unknown paths when offline. */
export const FALLBACK_PAGE = '404.html';

/**
 * Build-relative files that are never precached:
 * - `service-worker.js`: the browser fetches it itself (and it must bypass every cache to update);
 * - `_app/version.json`: SvelteKit reads it to detect a new deployment, so it must come from the network.
 */
const NEVER_PRECACHE = new Set(['service-worker.js', '_app/version.json', '_headers']);

/**
 * Name of the cache holding one build's files.
 * @param version - the build version (`version` from `$service-worker`, SvelteKit's `kit.version.name`).
 * @returns e.g. `backtester-precache-1767225600000`.
 */
export function cacheName(version: string): string {
	return `${CACHE_PREFIX}${version}`;
}

/**
 * Whether a cache belongs to this app but to another build (so the activating worker deletes it).
 * @param name - a name from `caches.keys()`.
 * @param current - the current cache's name ({@link cacheName}).
 * @returns true for `backtester-precache-*` names other than `current`; false for every other cache.
 */
export function isStaleCache(name: string, current: string): boolean {
	return name.startsWith(CACHE_PREFIX) && name !== current;
}

/**
 * The URL path (relative to the site's base) under which a built file is requested:
 * a page `x/index.html` is requested as `x/` (the site uses `trailingSlash: 'always'`),
 * `index.html` as the empty path (the site root); every other file by its own path.
 * @param file - path relative to `build/`, with `/` or `\` separators, e.g. `history\\index.html`.
 * @returns the relative URL path, e.g. `history/`, `` or `_app/immutable/workers/assets/release-x.wasm`.
 */
export function urlPathOfFile(file: string): string {
	const p = file.replace(/\\/g, '/').replace(/^\.?\/+/, '');
	if (p === 'index.html') return '';
	if (p.endsWith('/index.html')) return p.slice(0, -'index.html'.length);
	return p;
}

/**
 * The list the service worker precaches besides SvelteKit's own lists: every file of the build,
 * as URL paths relative to the site's base, without what must never be cached, dot-files and
 * source maps; deduplicated and sorted (so the same build always gives the same list).
 * @param files - paths relative to `build/` (as a directory walk returns them; any order).
 * @returns relative URL paths (see {@link urlPathOfFile}), sorted; `''` stands for the site root.
 */
export function buildPrecacheList(files: readonly string[]): string[] {
	const out = new Set<string>();
	for (const raw of files) {
		const file = raw.replace(/\\/g, '/').replace(/^\.?\/+/, '');
		if (!file || NEVER_PRECACHE.has(file)) continue;
		if (file.split('/').some((part) => part.startsWith('.'))) continue;
		if (file.endsWith('.map')) continue;
		out.add(urlPathOfFile(file));
	}
	return [...out].sort();
}

/**
 * The line the post-build step puts at the top of `service-worker.js`.
 * @param list - the output of {@link buildPrecacheList}.
 * @returns `/* pwa-precache-manifest *\/self.__PWA_PRECACHE__=[...];` (one line, no newline).
 */
export function precacheLine(list: readonly string[]): string {
	return `${PRECACHE_MARKER}self.${PRECACHE_GLOBAL}=${JSON.stringify(list)};`;
}

/**
 * Put the precache line at the top of the built service worker, replacing one injected by an earlier run.
 * @param source - the text of `build/service-worker.js`.
 * @param list - the output of {@link buildPrecacheList}.
 * @returns the new text: the line, a newline, then the worker code without any earlier line.
 * @throws Error if `source` is empty (the build did not write a service worker).
 */
export function injectPrecacheList(source: string, list: readonly string[]): string {
	if (!source.trim()) throw new Error('build/service-worker.js is empty: run `vite build` first (src/service-worker.ts must exist).');
	const rest = source.startsWith(PRECACHE_MARKER) ? source.slice(source.indexOf('\n') + 1) : source;
	return `${precacheLine(list)}\n${rest}`;
}

/**
 * Every URL the service worker caches at install: SvelteKit's lists plus the injected one,
 * absolute paths under `base`, without duplicates and without what must never be cached.
 * @param base - the site's base path as the worker sees it (`''` at the root, `/app` under a sub-path).
 * @param kitLists - `build`, `files` and `prerendered` from `$service-worker` (absolute paths under `base`).
 * @param injected - the injected relative list (`[]` when the post-build step did not run).
 * @returns absolute URL paths, e.g. `['/','/404.html','/_app/…']`, sorted.
 */
export function precacheUrls(base: string, kitLists: readonly (readonly string[])[], injected: readonly string[]): string[] {
	const out = new Set<string>();
	for (const list of kitLists) for (const u of list) out.add(u);
	for (const p of injected) out.add(`${base}/${p}`);
	for (const never of NEVER_PRECACHE) out.delete(`${base}/${never}`);
	return [...out].sort();
}

/**
 * Which cached page answers a navigation: the prerendered page for the path (the query string and
 * hash are ignored; `x/index.html` and `x` mean `x/`), or the SPA fallback page for any other path.
 * @param pathname - the request URL's pathname, e.g. `/history`, `/app/optimize/index.html`.
 * @param base - the site's base path (`''` at the root).
 * @param pages - absolute paths of the prerendered pages (`prerendered` from `$service-worker`).
 * @returns the cache key (absolute path), e.g. `/history/` or `/404.html`.
 */
export function navigationCacheKey(pathname: string, base: string, pages: ReadonlySet<string>): string {
	let p = pathname;
	if (p.endsWith('/index.html')) p = p.slice(0, -'index.html'.length);
	if (pages.has(p)) return p;
	if (!p.endsWith('/') && pages.has(`${p}/`)) return `${p}/`;
	return `${base}/${FALLBACK_PAGE}`;
}
