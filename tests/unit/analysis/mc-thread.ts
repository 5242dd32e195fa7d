/**
 * Worker-thread entry for the reproduction test: runs the trade Monte Carlo on the sample it is sent and posts the
 * result back (structured clone), like the app's analysis worker does in the browser.
 */
import { parentPort } from 'node:worker_threads';
import { runTradeMonteCarlo, type TradeMonteCarloOptions, type TradeSample } from '../../../src/lib/analysis/monte-carlo';

parentPort!.on('message', (m: { sample: TradeSample; options: TradeMonteCarloOptions }) => {
	parentPort!.postMessage(runTradeMonteCarlo(m.sample, m.options));
});
