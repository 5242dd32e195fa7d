/**
 * The optimise command as a function: parse, load the candles, run every combination of the grid (worker threads),
 * stream the rows to the CSV/JSON file in grid order, print a summary. Returns the exit status (tests call it
 * in-process).
 */
import { createWriteStream, existsSync, readFileSync, statSync, writeFileSync, type WriteStream } from 'node:fs';
import { formatMetric, metricInfo } from '../lib/metrics';
import type { StatisticKey, TopKRow } from '../lib/optimize';
import { checkResumable, readState, writeState } from './optimize-method';
import { ValidationError } from '../lib/core/errors';
import { createNodeEngine } from '../lib/engine/node';
import type { OverfittingReport } from '../lib/analysis/overfitting';
import { getStrategy, paramValueLabel } from '../lib/engine/strategies';
import type { StrategyId } from '../lib/engine/types';
import {
	BatchSizer,
	dataSpanMs,
	evaluateBatch,
	MAX_OVERFITTING_TRIALS,
	optimizationOverfitting,
	overfittingEvidence,
	overfittingRequest,
	runOptimization,
	topKRows,
	type OptimizationJob,
	type TrialBatch,
	type TrialResult
} from '../lib/optimize';
import { formatCliError } from './output';
import { loadKlineFile, selectWindow } from './run';
import { optimizeHelpText, parseOptimizeArgs, type OptimizeCommand, type OptimizeOptions } from './optimize-args';
import { NodeOptimizePool } from './optimize-pool';
import { autoThreads, estimatedWork } from './threads';

/** Where the command writes. */
export interface OptimizeIo {
	stdout: (text: string) => void;
	stderr: (text: string) => void;
}

/** Statistics written for every combination, in column order. */
export const ROW_STATS = ['finalEquity', 'totalReturnRatio', 'maxDrawdownRatio', 'nTrades', 'winRate', 'sharpeRatio'] as const;

/** One output row as a plain object: searched parameters then {@link ROW_STATS} (non-finite values as null). */
export function rowObject(names: readonly string[], r: TrialResult, strategy?: StrategyId): Record<string, number | string | null> {
	const o: Record<string, number | string | null> = {};
	// enumeration parameters by option name when the strategy is known
	const schemas = strategy && strategy !== 'rules' ? getStrategy(strategy).params : []; // rule parameters are numbers
	names.forEach((n, d) => {
		const schema = schemas.find((p) => p.name === n);
		o[n] = schema ? paramValueLabel(schema, r.values[d]) : r.values[d];
	});
	for (const k of ROW_STATS) o[k] = Number.isFinite(r.stats[k]) ? r.stats[k] : null;
	return o;
}

/** One CSV line (full precision; an undefined value is an empty cell). */
function csvLine(values: readonly (number | string | null)[]): string {
	return values.map((v) => (v === null ? '' : String(v))).join(',') + '\n';
}

class RowWriter {
	private readonly stream: WriteStream;
	private readonly ready = new Map<number, { to: number; rows: TrialResult[] }>();
	private next = 0;
	private count = 0;
	constructor(path: string, private readonly names: string[], private readonly format: 'csv' | 'json', private readonly strategy?: StrategyId) {
		this.stream = createWriteStream(path);
		this.stream.write(format === 'csv' ? [...names, ...ROW_STATS].join(',') + '\n' : '[');
	}
	static open(path: string, names: string[], format: 'csv' | 'json', strategy?: StrategyId): RowWriter {
		return new RowWriter(path, names, format, strategy);
	}
	/** Accept a finished range batch; write every batch that is now contiguous with what was written. */
	add(batch: TrialBatch, rows: TrialResult[]): void {
		if (batch.kind !== 'range') throw new Error('grid batches are ranges');
		this.ready.set(batch.from, { to: batch.to, rows });
		for (let b = this.ready.get(this.next); b; b = this.ready.get(this.next)) {
			this.ready.delete(this.next);
			this.next = b.to;
			let text = '';
			for (const r of b.rows) {
				const o = rowObject(this.names, r, this.strategy);
				if (this.format === 'csv') text += csvLine(Object.values(o));
				else text += (this.count > 0 ? ',\n' : '\n') + JSON.stringify(o);
				this.count++;
			}
			if (text) this.stream.write(text);
		}
	}
	async close(): Promise<void> {
		if (this.format === 'json') this.stream.write('\n]\n');
		await new Promise<void>((resolve, reject) => this.stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
	}
}

/**
 * Run the optimise command.
 * @param argv - arguments after the script name.
 * @param io - output sinks (default: process stdout/stderr).
 * @returns 0 on success, 2 for bad arguments, 1 for a bad data file, a missing WASM build or another runtime error.
 *   Errors are one line on stderr starting with `error: `.
 */
export async function optimizeMain(argv: readonly string[], io: OptimizeIo = processIo): Promise<number> {
	let command: OptimizeCommand;
	try {
		command = parseOptimizeArgs(argv);
	} catch (e) {
		io.stderr(`error: ${formatCliError(e)}\n`);
		return e instanceof ValidationError ? 2 : 1;
	}
	if (command.kind === 'help') {
		io.stdout(optimizeHelpText());
		return 0;
	}
	try {
		return await runGrid(command.options, io);
	} catch (e) {
		io.stderr(`error: ${formatCliError(e)}\n`);
		return e instanceof ValidationError ? 2 : 1;
	}
}

/** Rows written in arrival order (non-grid methods, resumed runs), appending to an existing file on resume. */
class AppendWriter {
	private readonly stream: WriteStream;
	private count = 0;
	constructor(path: string, private readonly names: string[], private readonly format: 'csv' | 'json', append: boolean) {
		const has = append && existsSync(path) && statSync(path).size > 0;
		if (has && format === 'json') {
			// Re-open the JSON array: drop its closing bracket.
			const text = readFileSync(path, 'utf8').replace(/\n?\]\s*$/, '');
			writeFileSync(path, text);
			this.count = text.trim() === '[' ? 0 : 1;
		}
		this.stream = createWriteStream(path, { flags: has ? 'a' : 'w' });
		if (!has) this.stream.write(format === 'csv' ? [...names, ...ROW_STATS].join(',') + '\n' : '[');
	}
	add(_batch: TrialBatch, rows: TrialResult[]): void {
		let text = '';
		for (const r of rows) {
			const o = rowObject(this.names, r);
			if (this.format === 'csv') text += csvLine(Object.values(o));
			else text += (this.count > 0 ? ',\n' : '\n') + JSON.stringify(o);
			this.count++;
		}
		if (text) this.stream.write(text);
	}
	async close(): Promise<void> {
		if (this.format === 'json') this.stream.write('\n]\n');
		await new Promise<void>((resolve, reject) => this.stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
	}
}

/** Columns of the printed table of best trials: statistic and header. */
const TABLE_STATS: { key: StatisticKey; head: string }[] = [
	{ key: 'finalEquity', head: 'Final equity' },
	{ key: 'totalReturnRatio', head: 'Return' },
	{ key: 'maxDrawdownRatio', head: 'Max DD' },
	{ key: 'sharpeRatio', head: 'Sharpe' },
	{ key: 'profitFactor', head: 'PF' },
	{ key: 'winRate', head: 'Win rate' },
	{ key: 'nTrades', head: 'Trades' }
];

/**
 * The best trials as an aligned text table with formatted numbers (ratios as %, amounts with
 * separators), e.g. `  #  fast  slow  Final equity  Return  Max DD ...`.
 */
export function bestTable(rows: readonly TopKRow[], names: readonly string[], objective: StatisticKey, strategy?: string): string {
	const schemas = strategy && strategy !== 'rules' ? getStrategy(strategy).params : [];
	const label = (n: string, v: number) => {
		const schema = schemas.find((q) => q.name === n);
		return String(schema ? paramValueLabel(schema, v) : v);
	};
	const cols = [...TABLE_STATS];
	if (!cols.some((c) => c.key === objective)) cols.unshift({ key: objective, head: objective === 'score' ? 'Score' : (metricInfo(objective)?.label ?? objective) });
	const fmt = (k: string, v: number) => (!Number.isFinite(v) ? (Number.isNaN(v) ? '—' : v > 0 ? '∞' : '−∞') : k === 'score' ? v.toFixed(4) : formatMetric(k, v));
	const header = ['#', ...names, ...cols.map((c) => c.head)];
	const body = rows.map((r) => [String(r.rank), ...names.map((n) => label(n, r.params[n])), ...cols.map((c) => fmt(c.key, (r.stats as unknown as Record<string, number>)[c.key]))]);
	const width = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
	const line = (cells: string[]) => '  ' + cells.map((c, i) => c.padStart(width[i])).join('  ') + '\n';
	const best = rows[0] ? `  best: ${names.map((n) => `${n}=${label(n, rows[0].params[n])}`).join(' ')} (as --param flags of npm run backtest)\n` : '';
	return line(header) + body.map(line).join('') + best;
}

async function runGrid(o: OptimizeOptions, io: OptimizeIo): Promise<number> {
	const file = loadKlineFile(o.dataPath, o.intervalMs);
	const win = selectWindow(file.ohlcv, file.intervalMs, o.window);
	const bars = win.ohlcv.openTime.length;
	const job: OptimizationJob = {
		config: o.config,
		axes: o.axes,
		objective: { key: o.objective, minTrades: o.minTrades },
		data: { bars, spanMs: dataSpanMs(win.ohlcv.openTime, file.intervalMs) }
	};
	const resume = o.resumePath ? readState(o.resumePath) : undefined;
	if (resume) checkResumable(resume, job, o.method, o.resumePath!);
	// Without --threads, a job too small to repay starting worker threads runs in the main thread.
	const threads = o.threadsGiven ? o.threads : autoThreads(estimatedWork(job, o.method), o.threads);
	o = { ...o, threads };
	let evaluate: (b: TrialBatch) => Promise<TrialResult[]>;
	let pool: NodeOptimizePool | null = null;
	// The main thread's engine also re-runs the best trials for the overfitting statistics.
	const engine = await createNodeEngine();
	engine.load(win.ohlcv);
	// With worker threads, batches are sized by measured cost (about 5 ms of work each), two in flight per thread.
	let sizer: BatchSizer | null = null;
	if (o.threads > 1) {
		pool = await NodeOptimizePool.start(o.threads, win.ohlcv, job);
		// Smaller than the browser's 30 ms: here the main thread formats every row and shares the cores with the workers,
		// and small batches of results die young (measured: a 1,000,000-trial grid on 300 bars ran 1.5× slower with 30 ms
		// batches of up to 8,192 trials, the main thread mostly collecting garbage).
		sizer = new BatchSizer({ bars, targetMs: 5, maxTrials: 256 });
		pool.onMeasured = (n, ms) => sizer!.record(n, ms);
		evaluate = (b) => pool!.evaluate(b);
	} else {
		evaluate = async (b) => evaluateBatch(engine, job, b);
	}
	const names = o.axes.map((a) => a.name);
	const ordered = o.method.kind === 'grid' && !resume;
	const writer = ordered ? RowWriter.open(o.outPath, names, o.format, o.config.strategy) : new AppendWriter(o.outPath, names, o.format, !!resume);
	const statePath = o.statePath ?? o.resumePath;
	const abort = new AbortController();
	const onSigint = () => abort.abort();
	process.once('SIGINT', onSigint);
	let lastSave = performance.now();
	const t0 = performance.now();
	try {
		const out = await runOptimization({
			job,
			method: o.method,
			resume,
			evaluate,
			signal: abort.signal,
			concurrency: o.threads * 2,
			batchSize: sizer ? (remaining) => sizer!.next(remaining, o.threads * 2) : o.method.kind === 'grid' ? 64 : 16,
			topK: MAX_OVERFITTING_TRIALS,
			onResults: (rows, batch) => writer.add(batch, rows),
			onProgress: (p) => {
				if (!statePath || performance.now() - lastSave < 5000) return;
				lastSave = performance.now();
				writeState(statePath, p.snapshot());
			}
		});
		await writer.close();
		if (statePath) writeState(statePath, out.state);
		const secs = (performance.now() - t0) / 1000;
		const n = out.state.evaluated - (resume?.evaluated ?? 0);
		const notes = [o.method.kind === 'grid' ? '' : `${o.method.kind} search`, resume ? `resumed: ${out.state.evaluated.toLocaleString('en-US')} in all` : ''].filter(Boolean);
		io.stdout(
			`${n.toLocaleString('en-US')} combinations${notes.length ? ` (${notes.join(', ')})` : ''} on ${bars.toLocaleString('en-US')} bars (${win.description}) in ${secs.toFixed(2)} s ` +
				`with ${o.threads} thread(s): ${Math.round((n * bars) / Math.max(secs, 1e-9)).toLocaleString('en-US')} bar-evaluations/s\n`
		);
		if (out.state.planner.kind === 'genetic' && out.state.planner.exhausted) {
			io.stdout(`Search space exhausted: every valid combination (${out.state.evaluated.toLocaleString('en-US')}) was evaluated; the genetic search stopped early.\n`);
		}
		const rows = topKRows(out.aggregates.space, out.top.slice(0, 10), o.objective);
		if (rows.length) {
			io.stdout(`Best by ${o.objective === 'score' ? 'score' : (metricInfo(o.objective)?.label ?? o.objective)} (at least ${o.minTrades} trade(s)):\n`);
			io.stdout(bestTable(rows, names, o.objective, o.config.strategy));
		}
		io.stdout(`Wrote ${o.outPath}${statePath ? ` and the search state to ${statePath}` : ''}\n`);
		if (out.status === 'cancelled') {
			io.stderr(statePath ? `Stopped: resume with the same command and --resume ${statePath}\n` : 'Stopped (no --state FILE given: nothing to resume from).\n');
			return 130;
		}
		let overfitting: OverfittingReport | null = null;
		if (out.top.length > 0) {
			const evidence = overfittingEvidence(engine, job, overfittingRequest(out.aggregates.space, out.top), win.ohlcv.openTime, file.intervalMs);
			overfitting = optimizationOverfitting(out.state, out.top, evidence);
			io.stdout(formatOverfitting(overfitting));
		} else {
			io.stdout('Overfitting: no ranked trial (every combination had too few trades).\n');
		}
		const summary = {
			combinations: n,
			bars,
			objective: o.objective,
			best: rows.map((r) => ({ rank: r.rank, params: r.params, objective: r.objective, stats: r.stats })),
			overfitting: overfitting && {
				trials: overfitting.trials,
				psr: overfitting.psr,
				dsr: overfitting.dsr,
				expectedMaxSharpe: overfitting.expectedMaxSharpe,
				pbo: overfitting.pbo,
				plateau: overfitting.plateau,
				expectedMaxSharpeAnnualised: overfitting.expectedMaxSharpeAnnualised,
				sharpe: overfitting.sharpe,
				sharpeAnnualised: overfitting.sharpeAnnualised,
				sharpeVarianceAnnualised: overfitting.sharpeVarianceAnnualised,
				observations: overfitting.observations,
				skewness: overfitting.skewness,
				kurtosis: overfitting.kurtosis,
				pboTrials: overfitting.pboDetail?.strategies ?? null,
				pboCombinations: overfitting.pboDetail?.combinations ?? null,
				plateauNeighbours: overfitting.plateauNeighbours,
				reading: overfitting.reading,
				notes: overfitting.notes
			}
		};
		const replacer = (_k: string, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v);
		try {
			writeFileSync(o.summaryPath, JSON.stringify(summary, replacer, 2) + '\n');
		} catch (e) {
			throw new Error(`cannot write --summary file '${o.summaryPath}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}.`);
		}
		io.stdout(`Wrote ${o.summaryPath}\n`);
		return 0;
	} finally {
		process.off('SIGINT', onSigint);
		await pool?.close();
	}
}

/** The overfitting figures as printed lines. */
export function formatOverfitting(r: OverfittingReport): string {
	const p = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : 'n/a');
	const f = (x: number, d = 4) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
	return (
		`Overfitting (best trial, ${r.observations} daily returns):\n` +
		`  trials ${r.trials.toLocaleString('en-US')}  Sharpe ${f(r.sharpeAnnualised, 2)} (annualised)  expected max Sharpe of ${r.trials.toLocaleString('en-US')} unskilled trials ${f(r.expectedMaxSharpeAnnualised, 2)}\n` +
		`  psr ${p(r.psr)}  dsr ${p(r.dsr)}  pbo ${p(r.pbo)}${r.pboDetail ? ` (${r.pboDetail.strategies} trials, ${r.pboDetail.combinations.toLocaleString('en-US')} splits)` : ''}  plateau ${f(r.plateau, 2)} (${r.plateauNeighbours} neighbours)\n` +
		`  ${r.reading}\n` +
		r.notes.map((n) => `  note: ${n}\n`).join('')
	);
}

const processIo: OptimizeIo = {
	stdout: (text) => void process.stdout.write(text),
	stderr: (text) => void process.stderr.write(text)
};
