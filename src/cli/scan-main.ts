/**
 * The scan command as a function (see src/cli/scan.ts): polynomial-regression bands of one or more kline CSV
 * files, one row per file, written as JSON or CSV. Returns the exit status so tests can call it in-process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { BAND_LIMITS, SCAN_INTERVALS, errorRow, scanMarket, validateBandInputs, type BandRowWithBands, type ScanInterval } from '../lib/analysis/bands';
import { scanToCsv, scanToJson } from '../lib/analysis/scan-export';
import { ValidationError } from '../lib/core/errors';
import { timeframeMs } from '../lib/core/timeframe';
import { parseKlineCsv } from '../lib/data/kline-csv';

/** Where the command writes. */
export interface ScanIo {
	stdout: (text: string) => void;
	stderr: (text: string) => void;
}

/** Exit statuses: success, a runtime error, bad arguments. */
export const SCAN_EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2 });

/** `--help` text. */
export function scanHelpText(): string {
	const L = BAND_LIMITS;
	return `Polynomial-regression bands of Binance kline CSV files (one row per file): BUY below the lower band,
SELL above the upper band, HOLD otherwise, with the fit, sigma and both return ratios at the last candle.

Usage:
  npm run --silent scan -- --data FILE [--data FILE ...] [options]

  --data FILE      kline CSV (6-column with header, or the 12-column Binance file, ms or µs times); repeatable.
                   The symbol is the file name's part before the first '-' (BTCUSDT-1d.csv -> BTCUSDT).
  --days N         days of candles per fit (default ${L.days.default}); n = N (1d), 6·N (4h), 24·N (1h).
  --degree D       polynomial degree, ${L.degree.min}-${L.degree.max} (default ${L.degree.default}).
  --kstd K         band half-width in standard deviations of the residuals, ${L.kstd.min}-${L.kstd.max} (default ${L.kstd.default}).
  --interval TF    ${Object.keys(SCAN_INTERVALS).join(', ')} (default: inferred from each file; must be one of these).
  --out FILE       write JSON (.json) or CSV (.csv); '-' writes JSON to stdout. Without it a table is printed.
  --bands          JSON only: include each market's arrays (openTime, close, fit, upper, lower).
  --help           this text.

A file that cannot be read or fitted (missing, NaN, too few candles: "not enough data: 12 candles, need 30")
gives its row an error and HOLD; the other files are still fitted. Exit status: 0 done, 1 nothing could be
written, 2 bad arguments.

Example:
  npm run --silent scan -- --data tests/fixtures/klines-1d/BTCUSDT-1d.csv --data tests/fixtures/klines-1d/ETHUSDT-1d.csv \\
    --days 720 --degree 4 --kstd 2 --out scan.csv
`;
}

function fail(msg: string): never {
	throw new ValidationError(msg);
}

function intArg(name: string, raw: string | undefined, def: number): number {
	if (raw === undefined) return def;
	if (!/^\d+$/.test(raw.trim())) fail(`--${name} must be a whole number, got '${raw}'.`);
	return Number(raw);
}

/**
 * Run the scan command.
 * @param argv - arguments after the script name.
 * @returns 0 on success (even when some files failed: their rows say why), 2 for bad arguments, 1 when the
 *   output cannot be written.
 */
export async function scanMain(argv: readonly string[], io: ScanIo = processIo): Promise<number> {
	let opts: { files: string[]; days: number; degree: number; kstd: number; interval?: ScanInterval; out?: string; bands: boolean };
	try {
		const { values } = parseArgs({
			args: [...argv],
			options: {
				data: { type: 'string', multiple: true },
				days: { type: 'string' },
				degree: { type: 'string' },
				kstd: { type: 'string' },
				interval: { type: 'string' },
				out: { type: 'string' },
				bands: { type: 'boolean' },
				help: { type: 'boolean' }
			},
			strict: true
		});
		if (values.help) {
			io.stdout(scanHelpText());
			return SCAN_EXIT.ok;
		}
		const files = values.data ?? [];
		if (files.length === 0) fail('--data FILE is required (repeat it for several markets); see --help.');
		const kstdRaw = values.kstd;
		const kstd = kstdRaw === undefined ? BAND_LIMITS.kstd.default : Number(kstdRaw);
		if (kstdRaw !== undefined && !/^\d+(\.\d+)?$/.test(kstdRaw.trim())) fail(`--kstd must be a number such as 2 or 2.5, got '${kstdRaw}'.`);
		const interval = values.interval as ScanInterval | undefined;
		if (interval !== undefined && !(interval in SCAN_INTERVALS)) fail(`--interval must be one of ${Object.keys(SCAN_INTERVALS).join(', ')}, got '${interval}'.`);
		const out = values.out;
		if (out !== undefined && out !== '-' && !/\.(json|csv)$/i.test(out)) fail(`--out must end in .json or .csv (or be '-' for JSON on stdout), got '${out}'.`);
		if (values.bands && out !== undefined && /\.csv$/i.test(out)) fail('--bands needs JSON output (--out FILE.json or --out -): CSV has one line per market.');
		opts = {
			files,
			days: intArg('days', values.days, BAND_LIMITS.days.default),
			degree: intArg('degree', values.degree, BAND_LIMITS.degree.default),
			kstd,
			interval,
			out,
			bands: values.bands ?? false
		};
		validateBandInputs(opts);
	} catch (e) {
		const msg = (e as Error).message.replace(/^Invalid scanner settings: /, '');
		io.stderr(`error: ${msg}\n`);
		return SCAN_EXIT.usage;
	}

	const rows: BandRowWithBands[] = [];
	for (const file of opts.files) {
		const symbol = basename(file).split('-')[0].replace(/\.(csv|txt)$/i, '').toUpperCase();
		try {
			let text: string;
			try {
				text = readFileSync(file, 'utf8');
			} catch (e) {
				throw new Error(`cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
			}
			const parsed = parseKlineCsv(text, { source: basename(file) });
			let interval = opts.interval;
			if (interval === undefined) {
				const found = (Object.keys(SCAN_INTERVALS) as ScanInterval[]).find((tf) => timeframeMs(tf) === parsed.intervalMs);
				if (!found) throw new Error(`the candles of '${basename(file)}' are ${parsed.intervalMs / 60_000} min apart; the scanner takes 1d, 4h or 1h candles (or pass --interval).`);
				interval = found;
			}
			const c = parsed.ohlcv;
			rows.push(scanMarket({ symbol, openTime: c.openTime, close: c.close }, { days: opts.days, degree: opts.degree, kstd: opts.kstd, interval, includeBands: opts.bands }));
		} catch (e) {
			rows.push(errorRow(symbol, (e as Error).message));
		}
	}
	for (const r of rows) if (r.error) io.stderr(`warning: ${r.symbol}: ${r.error}\n`);

	const meta = { inputs: { days: opts.days, degree: opts.degree, kstd: opts.kstd, interval: opts.interval ?? 'inferred', files: opts.files } };
	const bandsOf = opts.bands ? (r: BandRowWithBands) => (r.bands ? { ...r.bands, halfWidth: opts.kstd * r.sigma } : undefined) : undefined;
	if (opts.out === '-') {
		io.stdout(scanToJson(meta, rows, bandsOf as never));
		return SCAN_EXIT.ok;
	}
	io.stdout(formatTable(rows));
	if (opts.out !== undefined) {
		try {
			writeFileSync(opts.out, /\.csv$/i.test(opts.out) ? scanToCsv(rows) : scanToJson(meta, rows, bandsOf as never));
		} catch (e) {
			io.stderr(`error: cannot write --out file '${opts.out}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.\n`);
			return SCAN_EXIT.failure;
		}
		io.stdout(`Wrote ${opts.out}\n`);
	}
	return SCAN_EXIT.ok;
}

/** A readable table: one line per market. */
function formatTable(rows: readonly BandRowWithBands[]): string {
	const f = (v: number) => (Number.isFinite(v) ? (Math.abs(v) >= 1000 ? v.toFixed(2) : v.toPrecision(6)) : '');
	const pct = (v: number) => (Number.isFinite(v) && v !== 0 ? `${(v * 100).toFixed(2)} %` : '');
	const head = ['market', 'signal', 'close', 'lower', 'fit', 'upper', 'potential', 'target', 'candles', 'as of'];
	const lines = rows.map((r) =>
		r.error
			? [r.symbol, 'HOLD', '', '', '', '', '', '', String(r.candles), r.asOf === null ? '' : new Date(r.asOf).toISOString().slice(0, 10), `  ${r.error}`]
			: [r.symbol, r.signal, f(r.close), f(r.lower), f(r.fit), f(r.upper), pct(r.potentialReturnRatio), pct(r.targetReturnRatio), String(r.candles), new Date(r.asOf!).toISOString().slice(0, 10)]
	);
	const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
	const fmt = (l: string[]) => l.slice(0, head.length).map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ') + (l[head.length] ?? '');
	return [fmt(head), ...lines.map(fmt)].join('\n') + '\n';
}

const processIo: ScanIo = {
	stdout: (text) => void process.stdout.write(text),
	stderr: (text) => void process.stderr.write(text)
};
