import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/**
 * `BENCH_BUILD=1` (npm run build:bench) builds only the developer harness pages of src/bench-routes into
 * build-bench/ for the browser benches and the IndexedDB e2e spec; the production build (build/) never contains them.
 */
const bench = process.env.BENCH_BUILD === '1';

/** Binance hosts the page fetches klines and exchange info from (see src/lib/data/binance-client.ts). */
const BINANCE_HOSTS = ['https://data-api.binance.vision', 'https://api.binance.com'];

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// Fully static, prerendered site: every page is built to HTML; the app runs client-side.
		adapter: bench
			? adapter({ pages: 'build-bench', assets: 'build-bench', fallback: undefined, precompress: false, strict: true })
			: adapter({ pages: 'build', assets: 'build', fallback: '404.html', precompress: false, strict: true }),
		paths: { relative: true },
		files: bench ? { routes: 'src/bench-routes' } : {},
		outDir: bench ? '.svelte-kit-bench' : '.svelte-kit',
		// src/service-worker.ts is registered by src/lib/state/pwa.svelte.ts (it needs the registration for the update prompt).
		serviceWorker: { register: false },
		// Content-Security-Policy, written by SvelteKit as a <meta http-equiv> into every prerendered page, with the
		// SHA-256 of its own bootstrap script (hash mode): no other inline script runs. `wasm-unsafe-eval` lets the
		// WASM core compile; the page talks only to itself and the two Binance hosts. frame-ancestors cannot be set by
		// a <meta> (browsers ignore it there): set it as an HTTP header on the static host (README "Security and limits").
		csp: {
			mode: 'hash',
			directives: {
				'default-src': ['self'],
				'script-src': ['self', 'wasm-unsafe-eval'],
				'connect-src': ['self', ...BINANCE_HOSTS],
				'worker-src': ['self'],
				'img-src': ['self', 'data:', 'blob:'],
				'style-src': ['self', 'unsafe-inline'],
				'font-src': ['self'],
				'manifest-src': ['self'],
				'object-src': ['none'],
				'base-uri': ['none'],
				'form-action': ['self']
			}
		}
	}
};

export default config;
