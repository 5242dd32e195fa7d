/**
 * The patterns command as a function: detect fair value gaps, order blocks and liquidity sweeps in a kline CSV file
 * with the WASM core (detector-only runs, SEMANTICS.md "Price-action patterns"), print counts per pattern and
 * direction with the duplicate analysis and the zone size distribution, and write every zone to JSON or CSV.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Papa from 'papaparse';
import { ValidationError } from '../lib/core/errors';
import { TIMEFRAMES, isoUtc, timeframeMs } from '../lib/core/timeframe';
import { createNodeEngine } from '../lib/engine/node';
import { PATTERNS, type PatternId } from '../lib/engine/zones-types';
import { summarizeZones, type PatternSummaryRow } from '../lib/engine/zones-summary';
import { parseTime, type WindowOptions } from './args';
import { EXIT, type CliIo } from './main';
import { formatCliError } from './output';
import { loadKlineFile, selectWindow } from './run';

const OPTIONS = {
	data: { type: 'string' },
	interval: { type: 'string' },
	from: { type: 'string' },
	to: { type: 'string' },
	'last-contiguous': { type: 'string' },
	pattern: { type: 'string' },
	'min-zone-ratio': { type: 'string' },
	'no-overlap': { type: 'boolean' },
	'zone-expiry': { type: 'string' },
	'structure-lookback': { type: 'string' },
	'sweep-lookback': { type: 'string' },
	out: { type: 'string' },
	help: { type: 'boolean', short: 'h' }
} as const;

/** A validated patterns request. */
export interface PatternsOptions {
	dataPath: string;
	intervalMs?: number;
	window: WindowOptions;
	patterns: PatternId[];
	minZoneRatio: number;
	useOverlap: boolean;
	zoneExpiryBars: number;
	structureLookback: number;
	sweepLookback: number;
	outPath?: string;
}

export function patternsHelp(): string {
	return `Detect price-action zones (fair value gaps, order blocks, liquidity sweeps) in a Binance kline CSV file
with the WASM core. Each zone is known at the close of its confirmation bar only (no look-ahead).

Usage:
  npm run --silent patterns -- --data FILE.csv [--pattern P] [--min-zone-ratio R] [--no-overlap] --out zones.json|csv

Options:
  --data FILE              kline CSV (6-column with header, or the 12-column Binance file).
  --interval TF            candle length, one of ${TIMEFRAMES.join(' ')} (default: inferred from the file).
  --from TIME, --to TIME   keep bars with open time in [from, to] (ISO-8601 UTC or Unix ms).
  --last-contiguous N      then keep the last N bars of the most recent run without missing candles.
  --pattern P              ${PATTERNS.join(', ')} or all (default all).
  --min-zone-ratio R       smallest zone kept, height / close (default 0.0015 = 0.15 %).
  --no-overlap             keep zones overlapping an active zone by >= 70 % (default: mark them duplicates).
  --zone-expiry N          bars a zone stays active for the overlap check (default 100).
  --structure-lookback N   order-block lookback in bars (default 10).
  --sweep-lookback N       liquidity-sweep lookback in bars (default 20).
  --out FILE.json|FILE.csv every zone: pattern, direction, c (bar index), time (ISO UTC), bottom, top, heightRatio,
                           kept, duplicate, endBar, end (why it stopped being active); JSON adds the summary.

Prints counts per pattern and direction (detected, kept, duplicates and their share of the kept zones,
invalidated, expired, still active) and the kept zones' size distribution (height / close percentiles).

Example:
  npm run --silent patterns -- --data tests/fixtures/klines/BTCUSDT-1h.csv --last-contiguous 8760 --out zones.csv
`;
}

function int(flag: string, raw: string | undefined, def: number): number {
	if (raw === undefined) return def;
	const v = Number(raw);
	if (!/^\d+$/.test(raw.trim()) || v < 1) throw new ValidationError(`${flag} must be a whole number of bars >= 1, got '${raw}'.`);
	return v;
}

/**
 * Parse the patterns command's arguments.
 * @returns null for --help, else the options.
 * @throws ValidationError naming the flag, the problem and the allowed values.
 */
export function parsePatternsArgs(argv: readonly string[]): PatternsOptions | null {
	let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: false }>>['values'];
	try {
		values = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false, strict: true }).values;
	} catch (e) {
		throw new ValidationError(`${String((e as Error).message).split('\n')[0]}; see --help for the options.`);
	}
	if (values.help) return null;
	if (!values.data) throw new ValidationError('--data FILE.csv is required: the kline file to scan.');
	let patterns: PatternId[] = [...PATTERNS];
	if (values.pattern !== undefined && values.pattern !== 'all') {
		if (!(PATTERNS as readonly string[]).includes(values.pattern))
			throw new ValidationError(`--pattern must be one of ${PATTERNS.join(', ')}, all; got '${values.pattern}'.`);
		patterns = [values.pattern as PatternId];
	}
	let minZoneRatio = 0.0015;
	if (values['min-zone-ratio'] !== undefined) {
		minZoneRatio = Number(values['min-zone-ratio']);
		if (values['min-zone-ratio'].trim() === '' || !(minZoneRatio >= 0 && minZoneRatio < 1))
			throw new ValidationError(`--min-zone-ratio must be a fraction from 0 to below 1 (0.0015 = 0.15 %), got '${values['min-zone-ratio']}'.`);
	}
	const window: WindowOptions = {};
	if (values.from !== undefined) window.fromMs = parseTime('--from', values.from);
	if (values.to !== undefined) window.toMs = parseTime('--to', values.to);
	if (values['last-contiguous'] !== undefined) window.lastContiguous = int('--last-contiguous', values['last-contiguous'], 0);
	let intervalMs: number | undefined;
	if (values.interval !== undefined) {
		try {
			intervalMs = timeframeMs(values.interval);
		} catch {
			throw new ValidationError(`--interval must be one of ${TIMEFRAMES.join(', ')}, got '${values.interval}'.`);
		}
	}
	if (values.out !== undefined && !/\.(json|csv)$/i.test(values.out)) throw new ValidationError(`--out must end in .json or .csv (the format), got '${values.out}'.`);
	return {
		dataPath: values.data,
		intervalMs,
		window,
		patterns,
		minZoneRatio,
		useOverlap: !values['no-overlap'],
		zoneExpiryBars: int('--zone-expiry', values['zone-expiry'], 100),
		structureLookback: int('--structure-lookback', values['structure-lookback'], 10),
		sweepLookback: int('--sweep-lookback', values['sweep-lookback'], 20),
		outPath: values.out
	};
}

const pct = (x: number, d = 2) => (Number.isFinite(x) ? `${(x * 100).toFixed(d)} %` : '—');

function formatTable(rows: PatternSummaryRow[]): string {
	const head = ['pattern', 'direction', 'detected', 'kept', 'duplicates', 'dup share', 'invalidated', 'expired', 'active', 'size p10', 'median', 'p90'];
	const body = rows.map((r) => [
		r.pattern, r.direction, String(r.detected), String(r.kept), String(r.duplicates), pct(r.duplicateRatio, 1), String(r.invalidated),
		String(r.expired), String(r.activeAtEnd), pct(r.heightRatioP10, 3), pct(r.heightRatioMedian, 3), pct(r.heightRatioP90, 3)
	]);
	const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
	const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
	return [line(head), ...body.map(line)].join('\n') + '\n';
}

/**
 * Run the patterns command.
 * @returns 0 on success, 2 for bad arguments, 1 for a bad data file or any runtime error (one `error: ` line on stderr).
 */
export async function patternsMain(argv: readonly string[], io: CliIo): Promise<number> {
	let opts: PatternsOptions | null;
	try {
		opts = parsePatternsArgs(argv);
	} catch (e) {
		io.stderr(`error: ${formatCliError(e)}\n`);
		return EXIT.usage;
	}
	if (!opts) {
		io.stdout(patternsHelp());
		return EXIT.ok;
	}
	try {
		const file = loadKlineFile(opts.dataPath, opts.intervalMs);
		const win = selectWindow(file.ohlcv, file.intervalMs, opts.window);
		const engine = await createNodeEngine();
		engine.load(win.ohlcv);
		const { zones } = engine.detectZones(opts);
		const t = win.ohlcv.openTime;
		const summary = summarizeZones(zones, win.ohlcv.close, opts.patterns);
		io.stdout(
			`Data      ${opts.dataPath}: ${t.length.toLocaleString('en-US')} bars, ${isoUtc(t[0])} .. ${isoUtc(t[t.length - 1])} (${win.description})\n` +
				`Settings  min zone ${pct(opts.minZoneRatio, 3)} of close, overlap de-duplication ${opts.useOverlap ? 'on (70 %)' : 'off'}, ` +
				`zone expiry ${opts.zoneExpiryBars} bars, order-block lookback ${opts.structureLookback}, sweep lookback ${opts.sweepLookback}\n\n` +
				formatTable(summary)
		);
		if (opts.outPath) {
			const rows = zones.map((z) => ({
				pattern: z.pattern, direction: z.direction, c: z.c, time: isoUtc(z.time), bottom: z.bottom, top: z.top,
				heightRatio: (z.top - z.bottom) / win.ohlcv.close[z.c], kept: z.kept, duplicate: z.duplicate, endBar: z.endBar, end: z.end
			}));
			const text = /\.csv$/i.test(opts.outPath)
				? Papa.unparse(rows) + '\n'
				: JSON.stringify(
						{
							input: { data: opts.dataPath, bars: t.length, firstOpenTime: isoUtc(t[0]), lastOpenTime: isoUtc(t[t.length - 1]), window: win.description },
							options: { patterns: opts.patterns, minZoneRatio: opts.minZoneRatio, useOverlap: opts.useOverlap, overlapThreshold: 0.7, zoneExpiryBars: opts.zoneExpiryBars, structureLookback: opts.structureLookback, sweepLookback: opts.sweepLookback },
							summary: summary.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' && !Number.isFinite(v) ? null : v]))),
							zones: rows
						},
						null,
						1
					) + '\n';
			try {
				writeFileSync(opts.outPath, text);
			} catch (e) {
				throw new Error(`cannot write --out file '${opts.outPath}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
			}
			io.stdout(`Wrote ${zones.length} zones to ${opts.outPath}\n`);
		}
		return EXIT.ok;
	} catch (e) {
		io.stderr(`error: ${formatCliError(e)}\n`);
		return EXIT.failure;
	}
}
