/**
 * `npm run --silent backtest -- --data FILE.csv --strategy ID [options]`: backtest a built-in strategy on a
 * Binance kline CSV file with the WASM core (see `--help`, or {@link main} in ./main.ts).
 */
import { main } from './main';

process.exitCode = await main(process.argv.slice(2));
