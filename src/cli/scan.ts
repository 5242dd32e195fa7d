/**
 * `npm run --silent scan -- --data FILE [--data FILE …] --days N --degree D --kstd K [--interval TF] --out scan.json|csv [--bands]`:
 * polynomial-regression bands of kline CSV files (see `--help`, or {@link scanMain} in ./scan-main.ts).
 */
import { scanMain } from './scan-main';

process.exitCode = await scanMain(process.argv.slice(2));
