/**
 * Runner of the kernel benchmark, shared by Node (scripts/bench-kernel.ts) and the Chromium harness page
 * (+page.svelte here): loads bars into a core instance and runs grid rows or the minimal-loop probe. Browser-safe.
 */

/** Number of run() arguments (strategy, p0..p7, longShort, fee, slippage, cash, sl, tp, atrPeriod, sizing, record). */
export const RUN_ARGS = 21;

/** One grid: `rows` holds `count` rows of RUN_ARGS run() arguments (record = 0), in grid order (last axis fastest). */
export interface KernelGrid {
	id: string;
	label: string;
	count: number;
	rows: number[];
}

/** The probe's grid: SMA pairs with stop-loss 2 % / take-profit 4 % and fee 0.1 % (the first kernel grid's settings). */
export interface ProbeGrid {
	pairs: number[]; // fast0, slow0, fast1, slow1, ...
	fee: number;
	sl: number;
	tp: number;
	cash: number;
}

/** The core exports the kernel benchmark calls. */
export interface KernelCore {
	memory: WebAssembly.Memory;
	allocate(n: number): number;
	columnPtr(c: number): number;
	prepare(): void;
	run(...args: number[]): number;
	probeSmaCross?(fast: number, slow: number, fee: number, sl: number, tp: number, cash: number): number;
}

/** Write bars into a core instance (columns 0..5) and prepare it. */
export function loadCore(core: KernelCore, cols: number[][]): void {
	const n = cols[0].length;
	if (core.allocate(n) === 0) throw new Error('the core cannot grow its memory');
	for (let c = 0; c < 6; c++) new Float64Array(core.memory.buffer, core.columnPtr(c), n).set(cols[c]);
	core.prepare();
}

/** Run every row of a grid; returns the sum of final equities (a checksum: equal across bit-identical kernels). */
export function runGrid(core: KernelCore, g: KernelGrid): number {
	const r = g.rows;
	let sum = 0;
	for (let i = 0; i < g.count; i++) {
		const o = i * RUN_ARGS;
		sum += core.run(
			r[o], r[o + 1], r[o + 2], r[o + 3], r[o + 4], r[o + 5], r[o + 6], r[o + 7], r[o + 8], r[o + 9], r[o + 10],
			r[o + 11], r[o + 12], r[o + 13], r[o + 14], r[o + 15], r[o + 16], r[o + 17], r[o + 18], r[o + 19], r[o + 20]
		);
	}
	return sum;
}

/** Run the probe over every pair; returns the sum of final equities. */
export function runProbe(core: KernelCore, p: ProbeGrid): number {
	let sum = 0;
	for (let i = 0; i < p.pairs.length; i += 2) sum += core.probeSmaCross!(p.pairs[i], p.pairs[i + 1], p.fee, p.sl, p.tp, p.cash);
	return sum;
}
