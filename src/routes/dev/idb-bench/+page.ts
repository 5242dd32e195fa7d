// Developer harness for the IndexedDB candle store (used by tests/e2e/idb-store.spec.ts and scripts/bench-idb.ts).
export const prerender = true;
export const ssr = false;
