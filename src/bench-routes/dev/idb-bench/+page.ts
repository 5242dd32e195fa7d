// Developer harness for the IndexedDB candle store (used by tests/e2e/idb-store.spec.ts and scripts/bench-idb.ts);
// built only by `npm run build:bench` (src/bench-routes), never part of the production build.
export const prerender = true;
export const ssr = false;
export const trailingSlash = 'always';
