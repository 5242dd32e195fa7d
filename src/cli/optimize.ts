/**
 * `npm run --silent optimize -- --data FILE.csv --strategy ID --param NAME=START:END:STEP ... --out grid.csv`:
 * run every combination of a parameter grid on a Binance kline CSV file with the WASM core in worker threads
 * (see `--help`, or {@link optimizeMain} in ./optimize-main.ts).
 */
import { optimizeMain } from './optimize-main';

process.exitCode = await optimizeMain(process.argv.slice(2));
