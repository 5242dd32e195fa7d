import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	build: {
		// Never inline .wasm as a data URL: workers fetch and compile it (and the PWA caches it).
		assetsInlineLimit: (file) => (file.endsWith('.wasm') ? false : undefined)
	},
	worker: { format: 'es' },
	test: {
		include: ['tests/unit/**/*.test.ts'],
		environment: 'node',
		testTimeout: 60_000,
		hookTimeout: 60_000
	}
});
