/**
 * `npm run --silent research -- --data FILE.csv ... --strategy ID ... --param ... --objective KEY --out job.json`:
 * optimise strategies over several markets and timeframes with an out-of-sample check per row, and optionally print
 * recommendations (see `--help`, or {@link researchMain} in ./research-main.ts).
 */
import { researchMain } from './research-main';

process.exitCode = await researchMain(process.argv.slice(2));
