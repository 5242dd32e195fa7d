/**
 * State of the "Backup & restore" panel: export every local record (candles optional) as one file,
 * import such a file, and the result or error to show. The file format and the import policy live in
 * `persistence/backup.ts`; this layer adds the checks that need the engine's types (a run's
 * configuration is validated against the strategy registry) and the wording of the summary.
 */
import { validateConfig } from '../engine/strategies';
import type { BacktestConfig } from '../engine/types';
import { backupFileName, exportAll, importAll, type ImportReport } from '../persistence/backup';
import type { AppDb } from '../persistence/db';
import type { StoredOptimisation } from '../persistence/optimisations';
import type { StoredRun } from '../persistence/runs';
import type { RunResult } from './runs.svelte';

/**
 * Checks of a run in a backup that need the engine's types: a valid configuration, and for a completed
 * run a result whose equity and open times have one value per bar.
 * @param run - the decoded run.
 * @returns a problem description, or null when the run is usable.
 */
export function checkRunPayload(run: StoredRun): string | null {
	try {
		validateConfig(run.config as BacktestConfig);
	} catch (e) {
		return `config: ${(e as Error).message}`;
	}
	if (run.status === 'completed') {
		const r = run.result as RunResult | undefined;
		if (!r) return 'a completed run has no result';
		if (r.equity.length !== run.market.bars) return `result.equity has ${r.equity.length} values but the run has ${run.market.bars} bars`;
	}
	return null;
}

/**
 * Checks of an optimisation in a backup: its runner state must be of the version this app resumes.
 * @param job - the decoded optimisation.
 * @returns a problem description, or null.
 */
export function checkOptimisationPayload(job: StoredOptimisation): string | null {
	const state = job.state as { version?: unknown; job?: unknown } | null;
	if (!state || state.version !== 1 || typeof state.job !== 'object' || state.job === null) return 'state: not an optimisation state of version 1';
	return null;
}

/** `1,234 B`, `12.3 KB`, `4.56 MB` (decimal units, as file managers show). */
export function formatBytes(n: number): string {
	if (n < 1000) return `${n.toLocaleString('en-US')} B`;
	if (n < 1e6) return `${(n / 1e3).toFixed(1)} KB`;
	return `${(n / 1e6).toFixed(2)} MB`;
}

function plural(n: number, one: string, many = `${one}s`): string {
	return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/**
 * One-paragraph summary of an import: what was added, what was already stored (kept).
 * @param r - the import report.
 * @returns lines of text: added, kept, interrupted note.
 */
export function importSummary(r: ImportReport): string[] {
	const lines = [
		`Added ${plural(r.runs.added, 'run')}, ${plural(r.optimisations.added, 'optimisation')}, ${plural(r.settings.added, 'setting')}, ${plural(r.candles.added, 'candle')}${r.candles.series ? ` (${plural(r.candles.series, 'series', 'series')} updated)` : ''}.`,
		`Already stored and kept as they are: ${plural(r.runs.skipped, 'run')}, ${plural(r.optimisations.skipped, 'optimisation')}, ${plural(r.settings.skipped, 'setting')}, ${plural(r.candles.skipped, 'candle')}.`
	];
	if (r.portfolioRuns) lines.push(`Portfolio runs: ${r.portfolioRuns.added} added, ${r.portfolioRuns.skipped} already stored and kept.`);
	if (r.research) {
		const { researchJobs: j, presets: p, recommendations: c } = r.research;
		lines.push(`Research: ${plural(j.added, 'job')}, ${plural(p.added, 'preset')}, ${plural(c.added, 'recommendation')} added; ${j.skipped + p.skipped + c.skipped} already stored and kept.`);
	}
	if (r.ruleStrategies) lines.push(`My strategies: ${plural(r.ruleStrategies.added, 'rule strategy', 'rule strategies')} added, ${r.ruleStrategies.skipped} already stored and kept.`);
	if (r.interrupted) lines.push(`${plural(r.interrupted, 'run or optimisation', 'runs or optimisations')} were still running when the backup was made and are marked interrupted.`);
	return lines;
}

/** Dependencies of {@link BackupState}. */
export interface BackupDeps {
	/** The open app database, or null while the app is starting. */
	db: () => AppDb | null;
	/** Called after a successful import (e.g. reload the run history). */
	onImported?: () => Promise<void> | void;
}

/** Rune-backed state of the backup panel. */
export class BackupState {
	/** Whether the export includes candles. */
	includeCandles = $state(false);
	/** What is in progress. */
	busy = $state<'export' | 'import' | null>(null);
	/** Last export's file name and size (bytes). */
	lastExport = $state<{ name: string; size: number; includesCandles: boolean } | null>(null);
	/** Last import's outcome. */
	report = $state.raw<ImportReport | null>(null);
	/** Name of the last imported file. */
	importedName = $state<string | null>(null);
	/** Problem of the last export or import, in words. */
	error = $state<string | null>(null);
	readonly #deps: BackupDeps;

	/** @param deps - database access and the after-import hook. */
	constructor(deps: BackupDeps) {
		this.#deps = deps;
	}

	#db(): AppDb {
		const db = this.#deps.db();
		if (!db) throw new Error('Local storage is still opening; try again in a moment.');
		return db;
	}

	/**
	 * Build the backup file.
	 * @param now - clock (Unix ms) for the file's `createdAt` and name.
	 * @returns the file's bytes and name, or null on failure (then `error` says why).
	 */
	async exportData(now = Date.now()): Promise<{ bytes: Uint8Array; name: string } | null> {
		this.error = null;
		this.busy = 'export';
		try {
			const includesCandles = this.includeCandles;
			const bytes = await exportAll(this.#db(), { includeCandles: includesCandles, now });
			const name = backupFileName(now);
			this.lastExport = { name, size: bytes.length, includesCandles };
			return { bytes, name };
		} catch (e) {
			this.error = `Export failed: ${(e as Error).message}`;
			return null;
		} finally {
			this.busy = null;
		}
	}

	/**
	 * Import a backup file (validated whole first; nothing is written if anything is wrong).
	 * @param file - the chosen or dropped file.
	 * @returns the report, or null on failure (then `error` holds the message of the problem and its fix).
	 */
	async importFile(file: Blob & { name?: string }): Promise<ImportReport | null> {
		this.error = null;
		this.report = null;
		this.importedName = file.name ?? null;
		this.busy = 'import';
		try {
			const bytes = new Uint8Array(await file.arrayBuffer());
			const report = await importAll(this.#db(), bytes, { checkRun: checkRunPayload, checkOptimisation: checkOptimisationPayload });
			this.report = report;
			await this.#deps.onImported?.();
			return report;
		} catch (e) {
			this.error = (e as Error).message;
			return null;
		} finally {
			this.busy = null;
		}
	}
}
