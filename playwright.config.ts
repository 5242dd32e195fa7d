import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './tests/e2e/helpers/chromium';

/**
 * End-to-end tests run the *built* static site (`build/`, served by a plain static server, as a
 * user's static host would) in Debian's Chromium. Binance is never contacted: tests answer its
 * requests with `page.route()` from recorded real data in tests/fixtures.
 */

/** Port of the static server; set E2E_PORT to run several checkouts' e2e suites side by side. */
const PORT = Number(process.env.E2E_PORT ?? 4173);

export default defineConfig({
	testDir: 'tests/e2e',
	timeout: 120_000,
	expect: { timeout: 30_000 },
	fullyParallel: false,
	workers: 1,
	retries: 0,
	reporter: [['list']],
	outputDir: 'test-results',
	use: {
		baseURL: `http://127.0.0.1:${PORT}`,
		viewport: { width: 1280, height: 800 },
		launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
		trace: 'off',
		screenshot: 'only-on-failure'
	},
	webServer: [
		{
			command: `npx sirv build --port ${PORT} --host 127.0.0.1 --single 404.html`,
			url: `http://127.0.0.1:${PORT}`,
			reuseExistingServer: !process.env.CI,
			timeout: 60_000
		},
		{
			// Developer harness pages (npm run build:bench), never part of the production build.
			command: `npx sirv build-bench --port ${PORT + 1} --host 127.0.0.1`,
			url: `http://127.0.0.1:${PORT + 1}/dev/idb-bench/`,
			reuseExistingServer: !process.env.CI,
			timeout: 60_000
		}
	]
});
