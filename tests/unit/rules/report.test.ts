/**
 * Rules in run records and exports: a rule run through the worker service carries the look-ahead audit and its
 * indicator series; the HTML report shows the rule text (escaped, never as markup) and the audit verdict; the run's
 * JSON export carries the rule.
 */
import { describe, expect, it } from 'vitest';
import '../../../src/lib/rules';
import { timeframeMs } from '../../../src/lib/core/timeframe';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import type { BacktestConfig } from '../../../src/lib/engine/types';
import { runReportHtml } from '../../../src/lib/report';
import { datasetId } from '../../../src/lib/state/market.svelte';
import { runJson } from '../../../src/lib/state/run-export';
import { runLabel, type Run } from '../../../src/lib/state/runs.svelte';
import { createBacktestService } from '../../../src/lib/workers/backtest-service';
import { referenceWindow } from '../helpers/fixtures';

const SOURCE = `# a <b>bold</b> & "quoted" comment
n = 20 [5..50 step 1]
enterLong = crossover(close, bbupper(close, n, 2))
exitLong = crossunder(close, sma(close, n))
`;

describe('rules in run records, reports and exports', () => {
	it('the worker service runs a rule with its audit and series; the report and JSON carry the rule', async () => {
		const ohlcv = referenceWindow('BTCUSDT');
		const service = createBacktestService(() => createNodeEngine());
		const ds = datasetId('BTCUSDT', '1h', ohlcv);
		await service.loadDataset(ds, ohlcv);
		const config: BacktestConfig = { ...defaultConfig('rules'), rules: { name: 'Bollinger <up>', source: SOURCE }, params: { n: 25 } };
		const r = await service.run({ datasetId: ds, config, intervalMs: timeframeMs('1h'), withIndicators: true, market: { symbol: 'BTCUSDT', interval: '1h' } });
		expect(r.trades.length).toBeGreaterThan(5);
		expect(r.audit?.passed).toBe(true);
		expect(r.indicators.map((i) => i.label)).toEqual(['sma(close, 25)', 'stdev(close, 25)']);
		const n = ohlcv.openTime.length;
		const run: Run = {
			id: 'run-rules-1', createdAt: Date.UTC(2026, 10, 3), updatedAt: Date.UTC(2026, 10, 3), status: 'completed',
			label: runLabel(config, 'BTCUSDT', '1h'), config,
			market: { symbol: 'BTCUSDT', interval: '1h', datasetId: ds, firstOpenTime: ohlcv.openTime[0], lastOpenTime: ohlcv.openTime[n - 1], bars: n, source: 'binance', missingBars: 0 },
			result: { trades: r.trades, equity: r.equity, openTime: ohlcv.openTime, metrics: r.metrics, ambiguousBars: r.ambiguousBars, indicators: r.indicators, elapsedMs: r.elapsedMs, fingerprint: r.fingerprint, audit: r.audit }
		};
		expect(run.label).toMatch(/^Bollinger <up> 25 · BTCUSDT 1h/);
		const html = runReportHtml(run, ohlcv, { generatedAt: Date.UTC(2026, 10, 4) });
		expect(html).toContain('<pre class="rule" data-testid="report-rule"># a &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; comment');
		expect(html).not.toContain('<b>bold</b>');
		expect(html).toContain('Rule “Bollinger &lt;up&gt;”');
		expect(html).toMatch(/data-testid="report-audit">✓ look-ahead check passed \(3 cuts; warm-up respected\)/);
		const json = JSON.parse(runJson(run));
		expect(JSON.stringify(json)).toContain(JSON.stringify(SOURCE));
	});
});
