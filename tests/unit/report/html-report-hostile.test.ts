/**
 * The HTML report against a hostile or damaged run (issue 17, item 8): a restored backup can hold any value in any
 * field. Markup in a trade's direction, exit reason, status, source or id is escaped; non-numeric or absurd times do
 * not stop the report; the file carries a CSP meta that forbids every script and request.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { OhlcvColumns } from '../../../src/lib/core/types';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import { REPORT_CSP, runReportHtml } from '../../../src/lib/report/html-report';
import type { Run } from '../../../src/lib/state/runs.svelte';
import { createBacktestService } from '../../../src/lib/workers/backtest-service';
import { referenceWindow } from '../helpers/fixtures';
import { datasetId } from '../../../src/lib/state/market.svelte';
import { runLabel } from '../../../src/lib/state/runs.svelte';

let run: Run;
let candles: OhlcvColumns;

beforeAll(async () => {
	candles = referenceWindow('BTCUSDT');
	const service = createBacktestService(() => createNodeEngine());
	const config = defaultConfig('sma-cross');
	const ds = datasetId('BTCUSDT', '1h', candles);
	await service.loadDataset(ds, candles);
	const r = await service.run({ datasetId: ds, config, intervalMs: 3_600_000, withIndicators: false, market: { symbol: 'BTCUSDT', interval: '1h' } });
	const n = candles.openTime.length;
	run = {
		id: 'r1',
		createdAt: Date.UTC(2026, 0, 1),
		updatedAt: Date.UTC(2026, 0, 1),
		status: 'completed',
		label: runLabel(config, 'BTCUSDT', '1h'),
		config,
		market: { symbol: 'BTCUSDT', interval: '1h', datasetId: ds, firstOpenTime: candles.openTime[0], lastOpenTime: candles.openTime[n - 1], bars: n, source: 'binance', missingBars: 0 },
		result: { trades: r.trades, equity: r.equity, openTime: candles.openTime, metrics: r.metrics, ambiguousBars: r.ambiguousBars, elapsedMs: r.elapsedMs }
	} as unknown as Run;
}, 60_000);

const HOSTILE = `<img src=x onerror="alert(1)"><script>alert(2)</script>`;

describe('HTML report with hostile stored values', () => {
	it('escapes a trade direction and exit reason holding markup (was written raw)', () => {
		const trades = run.result!.trades.map((t, i) => (i === 0 ? { ...t, direction: HOSTILE, exitReason: HOSTILE } : t));
		const out = runReportHtml({ ...run, result: { ...run.result!, trades } } as unknown as Run, candles);
		expect(out).not.toMatch(/<img/i);
		expect(out).not.toMatch(/<script/i);
		expect(out).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
	});

	it('escapes status, source and id; a non-numeric trade time or range does not throw (was: RangeError)', () => {
		const trades = run.result!.trades.map((t, i) => (i === 0 ? { ...t, entryTime: 'yesterday', exitTime: NaN } : t));
		const out = runReportHtml(
			{
				...run,
				id: HOSTILE,
				market: { ...run.market, source: HOSTILE, firstOpenTime: 'x', lastOpenTime: 1e300 },
				createdAt: -Infinity,
				result: { ...run.result!, trades }
			} as unknown as Run,
			candles,
			{ generatedAt: NaN }
		);
		expect(out).not.toMatch(/<img|<script/i);
		expect(out).toContain('—');
	});

	it('carries a CSP meta: no script, no request; inline styles and data images only', () => {
		const out = runReportHtml(run, candles);
		expect(REPORT_CSP).toMatch(/^default-src 'none'; style-src 'unsafe-inline'; img-src data:/);
		expect(out).toContain(`<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`);
		// The meta comes before anything else that could load.
		expect(out.indexOf('Content-Security-Policy')).toBeLessThan(out.indexOf('<style>'));
	});
});
