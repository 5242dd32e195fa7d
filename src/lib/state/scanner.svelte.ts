/**
 * State of the market scanner screen: the scan form, a running scan with progress and live rows, stored scans
 * (reopen, delete, compare with the previous comparable scan), sorting, the selected market and exports.
 * Logic lives in src/lib/analysis/scanner.ts; this class holds UI state only.
 */
import { rankSignals, BAND_LIMITS, type ScanInterval } from '../analysis/bands';
import { scanToCsv, scanToJson, type ExportRow } from '../analysis/scan-export';
import {
	compareScans,
	defaultScanInputs,
	parseSymbolList,
	runScan,
	scanCompareKey,
	validateScanInputs,
	type ScanDeps,
	type ScanInputs,
	type ScanProgress,
	type ScanResult,
	type ScanRow,
	type SignalChange
} from '../analysis/scanner';
import type { ScanRecordBase } from '../persistence/db';
import { ScansRepository } from '../persistence/scans';
import { describeError } from './market.svelte';

/** Columns the table sorts by. */
export type ScanSortKey =
	| 'symbol' | 'signal' | 'close' | 'lower' | 'fit' | 'upper' | 'sigma'
	| 'potentialReturnRatio' | 'targetReturnRatio' | 'candles' | 'asOf' | 'quoteVolume';

/** One stored scan in the list. */
export interface ScanListItem {
	id: string;
	createdAt: number;
	label: string;
	counts: { BUY: number; SELL: number; HOLD: number; failed: number };
}

/** What {@link ScannerState.init} needs. */
export interface ScannerDeps {
	client: ScanDeps['client'];
	store: ScanDeps['store'];
	repo: ScansRepository<ScanRecordBase>;
	/** Fits one market (a worker in the app). */
	fit?: ScanDeps['fit'];
	/** Makes sure the bundled daily candles are in the store (first use); a scan waits for it. */
	bundled?: () => Promise<unknown>;
}

const SIGNAL_ORDER = { BUY: 0, SELL: 1, HOLD: 2 } as const;

/** Counts of BUY / SELL / HOLD (fitted rows) and failed rows. */
export function countSignals(rows: readonly ScanRow[]): ScanListItem['counts'] {
	const c = { BUY: 0, SELL: 0, HOLD: 0, failed: 0 };
	for (const r of rows) {
		if (r.error) c.failed++;
		else c[r.signal]++;
	}
	return c;
}

/** Short title of a scan's inputs, e.g. `Top 100 · 1d · 720 d · degree 4 · 2σ`. */
export function scanLabel(inputs: ScanInputs): string {
	const u = inputs.universe;
	const who = u.kind === 'top' ? `Top ${u.n}` : u.kind === 'core' ? 'Core movers' : `${u.symbols.length} market${u.symbols.length === 1 ? '' : 's'}`;
	return `${who} · ${inputs.interval} · ${inputs.days} d · degree ${inputs.degree} · ${inputs.kstd}σ`;
}

/**
 * Sort rows for the table: failed rows last whatever the key; numbers compare numerically (missing last), the
 * signal in the order BUY, SELL, HOLD.
 */
export function sortRows(rows: readonly ScanRow[], key: ScanSortKey, dir: 'asc' | 'desc'): ScanRow[] {
	const sign = dir === 'asc' ? 1 : -1;
	const val = (r: ScanRow): number | string | null => {
		if (key === 'symbol') return r.symbol;
		if (key === 'signal') return SIGNAL_ORDER[r.signal];
		const v = r[key];
		return typeof v === 'number' && Number.isFinite(v) ? v : null;
	};
	return [...rows].sort((a, b) => {
		if (!!a.error !== !!b.error) return a.error ? 1 : -1;
		const x = val(a);
		const y = val(b);
		if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
		const c = x < y ? -1 : x > y ? 1 : 0;
		return c * sign || (a.symbol < b.symbol ? -1 : 1);
	});
}

/** Rune-backed scanner state; see the module comment. */
export class ScannerState {
	// Form.
	universeKind = $state<'top' | 'core' | 'list'>('top');
	topN = $state<number | null>(100);
	listText = $state('BTCUSDT ETHUSDT SOLUSDT');
	interval = $state<ScanInterval>('1d');
	days = $state<number | null>(BAND_LIMITS.days.default);
	degree = $state<number | null>(BAND_LIMITS.degree.default);
	kstd = $state<number | null>(BAND_LIMITS.kstd.default);
	formError = $state<string | null>(null);

	// Running scan.
	running = $state(false);
	progress = $state<ScanProgress | null>(null);
	liveRows = $state.raw<ScanRow[]>([]);
	error = $state<string | null>(null);
	/** Wall time of the last scan, ms. */
	lastDurationMs = $state<number | null>(null);

	// Shown scan.
	current = $state.raw<ScanResult | null>(null);
	previous = $state.raw<ScanResult | null>(null);
	changes = $state.raw<SignalChange[]>([]);
	history = $state.raw<ScanListItem[]>([]);
	sortKey = $state<ScanSortKey>('potentialReturnRatio');
	sortDir = $state<'asc' | 'desc'>('desc');
	selected = $state<string | null>(null);
	ready = $state(false);

	#deps: ScannerDeps | null = null;
	#abort: AbortController | null = null;

	/** Rows shown: the running scan's so far, else the opened scan's. */
	get rows(): ScanRow[] {
		return this.running ? this.liveRows : (this.current?.rows ?? []);
	}

	get sortedRows(): ScanRow[] {
		return sortRows(this.rows, this.sortKey, this.sortDir);
	}

	get counts(): ScanListItem['counts'] {
		return countSignals(this.rows);
	}

	/** BUY and SELL rows ranked by potential return (BANDS.md). */
	get ranked(): { buy: ScanRow[]; sell: ScanRow[] } {
		return rankSignals(this.rows.filter((r) => !r.error));
	}

	get selectedRow(): ScanRow | null {
		return this.rows.find((r) => r.symbol === this.selected) ?? null;
	}

	/** Open the store, list stored scans and reopen the newest one. */
	async init(deps: ScannerDeps): Promise<void> {
		this.#deps = deps;
		await this.refreshHistory();
		if (this.history.length && !this.current) await this.open(this.history[0].id);
		this.ready = true;
	}

	async refreshHistory(): Promise<void> {
		if (!this.#deps) return;
		const all = (await this.#deps.repo.list()) as unknown as ScanResult[];
		this.history = all.map((s) => ({ id: s.id, createdAt: s.createdAt, label: scanLabel(s.inputs), counts: countSignals(s.rows) }));
	}

	/** The form as scan inputs. @throws ValidationError with every problem. */
	inputs(): ScanInputs {
		const d = defaultScanInputs();
		const universe =
			this.universeKind === 'top'
				? { kind: 'top' as const, n: this.topN ?? NaN }
				: this.universeKind === 'core'
					? { kind: 'core' as const }
					: { kind: 'list' as const, symbols: parseSymbolList(this.listText) };
		const inputs: ScanInputs = { ...d, universe, interval: this.interval, days: this.days ?? NaN, degree: this.degree ?? NaN, kstd: this.kstd ?? NaN };
		validateScanInputs(inputs);
		return inputs;
	}

	/** Fill the form from a scan's inputs. */
	setInputs(i: ScanInputs): void {
		this.universeKind = i.universe.kind;
		if (i.universe.kind === 'top') this.topN = i.universe.n;
		if (i.universe.kind === 'list') this.listText = i.universe.symbols.join(' ');
		this.interval = i.interval;
		this.days = i.days;
		this.degree = i.degree;
		this.kstd = i.kstd;
	}

	/** Run a scan with the form's inputs, store it and show it. */
	async start(): Promise<void> {
		if (!this.#deps || this.running) return;
		this.formError = null;
		this.error = null;
		let inputs: ScanInputs;
		try {
			inputs = this.inputs();
		} catch (e) {
			this.formError = describeError(e);
			return;
		}
		const deps = this.#deps;
		this.running = true;
		this.liveRows = [];
		this.selected = null;
		this.progress = null;
		this.#abort = new AbortController();
		const t0 = performance.now();
		try {
			await deps.bundled?.().catch(() => undefined);
			const scan = await runScan(inputs, {
				client: deps.client,
				store: deps.store,
				fit: deps.fit,
				signal: this.#abort.signal,
				onProgress: (p) => (this.progress = p),
				onRow: (r) => (this.liveRows = [...this.liveRows, r])
			});
			this.lastDurationMs = performance.now() - t0;
			try {
				await deps.repo.put(scan as unknown as ScanRecordBase);
			} catch (e) {
				this.error = `The scan finished but could not be stored: ${describeError(e)}`;
			}
			await this.#show(scan);
			await this.refreshHistory();
		} catch (e) {
			this.error = this.#abort?.signal.aborted ? 'Scan cancelled. Candles fetched so far are kept in the cache.' : describeError(e);
		} finally {
			this.running = false;
			this.#abort = null;
		}
	}

	/** Stop a running scan (candles stored so far stay stored). */
	cancel(): void {
		this.#abort?.abort();
	}

	/** Show a stored scan. */
	async open(id: string): Promise<void> {
		if (!this.#deps) return;
		const scan = (await this.#deps.repo.get(id)) as unknown as ScanResult | undefined;
		if (!scan) {
			this.error = 'That scan is not stored any more.';
			return;
		}
		this.selected = null;
		await this.#show(scan);
	}

	/** Delete a stored scan. */
	async remove(id: string): Promise<void> {
		if (!this.#deps) return;
		await this.#deps.repo.delete(id);
		if (this.current?.id === id) {
			this.current = null;
			this.previous = null;
			this.changes = [];
		}
		await this.refreshHistory();
	}

	async #show(scan: ScanResult): Promise<void> {
		this.current = scan;
		this.setInputs(scan.inputs);
		const prev = (await this.#deps!.repo.previous(scan as unknown as ScanRecordBase, (s) => scanCompareKey((s as unknown as ScanResult).inputs))) as unknown as ScanResult | undefined;
		this.previous = prev ?? null;
		this.changes = prev ? compareScans(scan.rows, prev.rows) : [];
	}

	/** Sort by a column (again: reverse). */
	sortBy(key: ScanSortKey): void {
		if (this.sortKey === key) this.sortDir = this.sortDir === 'asc' ? 'desc' : 'asc';
		else {
			this.sortKey = key;
			this.sortDir = key === 'symbol' || key === 'signal' ? 'asc' : 'desc';
		}
	}

	/** The shown scan as JSON text (with the band arrays when `withBands`). */
	exportJson(withBands: boolean): string {
		const s = this.current;
		if (!s) return '';
		const meta = { inputs: s.inputs, createdAt: new Date(s.createdAt).toISOString(), notes: s.notes };
		return scanToJson(meta, s.rows, withBands ? (r: ExportRow) => {
			const row = r as ScanRow;
			return row.series ? { ...row.series, halfWidth: s.inputs.kstd * row.sigma } : undefined;
		} : undefined);
	}

	/** The shown scan as CSV text. */
	exportCsv(): string {
		return this.current ? scanToCsv(this.current.rows) : '';
	}
}
