import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		// Fully static, prerendered site: every page is built to HTML; the app runs client-side.
		adapter: adapter({ pages: 'build', assets: 'build', fallback: '404.html', precompress: false, strict: true }),
		paths: { relative: true },
		// src/service-worker.ts is registered by src/lib/state/pwa.svelte.ts (it needs the registration for the update prompt).
		serviceWorker: { register: false }
	}
};

export default config;
