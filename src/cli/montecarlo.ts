/**
 * `npm run --silent montecarlo -- <backtest flags> --method shuffle|bootstrap|execution|win-rate ...`: Monte Carlo
 * analysis of a backtest on a Binance kline CSV file (see `--help`, or {@link monteCarloMain}).
 */
import { monteCarloMain } from './montecarlo-main';

process.exitCode = await monteCarloMain(process.argv.slice(2));
