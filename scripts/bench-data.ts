/**
 * Speed of the data layer on real fixtures: CSV parse of 78,221 BTCUSDT 1h candles, CSV export, and import of the
 * five 2023 archive months zipped with fflate. Called by scripts/bench.ts (owned by the lead); prints figures, asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import type { OhlcvColumns } from '../src/lib/core/types';
import { importKlineFiles, klinesToCsv, mergeOhlcv, parseKlineCsv } from '../src/lib/data';

function time<T>(f: () => T, iterations: number): { ms: number; result: T } {
	let result = f(); // warm-up
	const t0 = performance.now();
	for (let i = 0; i < iterations; i++) result = f();
	return { ms: (performance.now() - t0) / iterations, result };
}

/** Time parse/export/import and print ms per call. */
export function benchData(iterations = 5): void {
	const text = readFileSync('tests/fixtures/klines/BTCUSDT-1h.csv', 'utf8');
	const parse = time(() => parseKlineCsv(text), iterations);
	const n = parse.result.ohlcv.openTime.length;
	console.log(`data: parseKlineCsv ${n} rows (6-column): ${parse.ms.toFixed(1)} ms (${((n / parse.ms) * 1000).toFixed(0)} rows/s)`);
	const csv = time(() => klinesToCsv(parse.result.ohlcv, { layout: '12-column', intervalMs: 3_600_000 }), iterations);
	console.log(`data: klinesToCsv ${n} rows (12-column): ${csv.ms.toFixed(1)} ms`);
	const months = ['01', '02', '03', '04', '05'].map((m) => `BTCUSDT-1h-2023-${m}`);
	const files = months.map((m) => ({
		name: `${m}.zip`,
		data: zipSync({ [`${m}.csv`]: new Uint8Array(readFileSync(`tests/fixtures/binance-archive/${m}.csv`)) })
	}));
	const imp = time(() => importKlineFiles(files), iterations);
	console.log(`data: importKlineFiles 5 monthly zips (${imp.result.ohlcv.openTime.length} rows): ${imp.ms.toFixed(1)} ms`);

	// Merging many files (issue 17): one merge per file into the growing series (the old import, O(N x files)) against
	// the balanced tree merge of importKlineFiles (O(N log files)), on 2,000 daily slices of the real 1h series.
	const days = Array.from({ length: 2000 }, (_, d) => {
		const o = parse.result.ohlcv;
		const sl = (c: Float64Array) => c.slice(d * 24, d * 24 + 24);
		return { openTime: sl(o.openTime), open: sl(o.open), high: sl(o.high), low: sl(o.low), close: sl(o.close), volume: sl(o.volume) };
	});
	const seq = time(() => days.slice(1).reduce<OhlcvColumns>((acc, x) => mergeOhlcv(acc, x).ohlcv, days[0]), 1);
	const dayFiles = days.map((o, d) => ({ name: `part-${d}.csv`, data: new TextEncoder().encode(klinesToCsv(o, { layout: '12-column', intervalMs: 3_600_000 })) }));
	const many = time(() => importKlineFiles(dayFiles, { intervalMs: 3_600_000 }), 1);
	console.log(
		`data: merging 2,000 daily files (48,000 rows): one-by-one merge ${seq.ms.toFixed(0)} ms (merge only); importKlineFiles ${many.ms.toFixed(0)} ms (parse + tree merge), measured under load`
	);
}

if (import.meta.url === `file://${process.argv[1]}`) benchData();
