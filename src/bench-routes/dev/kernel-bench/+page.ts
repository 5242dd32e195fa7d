// Developer harness for the kernel benchmark in Chromium (scripts/bench-kernel-browser.ts); built only by
// `npm run build:bench` (src/bench-routes), never part of the production build.
export const prerender = true;
export const ssr = false;
export const trailingSlash = 'always';
