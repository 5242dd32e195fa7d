/**
 * `npm run --silent patterns -- --data FILE.csv [--pattern P] [--min-zone-ratio R] [--no-overlap] --out zones.json|csv`:
 * list every fair value gap, order block and liquidity sweep zone of a kline file (see `--help`, or
 * {@link patternsMain} in ./patterns-main.ts).
 */
import { patternsMain } from './patterns-main';

process.exitCode = await patternsMain(process.argv.slice(2), {
	stdout: (t) => process.stdout.write(t),
	stderr: (t) => process.stderr.write(t)
});
