/**
 * How this project launches Chromium (e2e tests, benchmarks, icon rendering): Debian's build at
 * /usr/bin/chromium (override with CHROMIUM_PATH) and flags that keep it quiet and runnable as root.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--no-first-run'
];
