/** The seeded generator lives in the core layer (the analysis layer below this one uses it too). */
export { Rng, IndexPermutation, hash32 } from '../core/rng';
export type { RngState } from '../core/rng';
