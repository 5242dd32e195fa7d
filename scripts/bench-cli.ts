/**
 * The command line as a user feels it: whole processes, start-up included, timed from spawn to exit. One S1
 * backtest (sma-cross 10/30 on the last 8,760 bars of BTCUSDT 1h, SCENARIOS.md) and the S1 100-combination grid
 * (fast 5..14 × slow 20..65/5), each through `npm run --silent` (what the README shows) and as a bare `node` process
 * on the bundle, interleaved and repeated; prints the median wall time and the median CPU time (user + system: less
 * sensitive to other load on the machine). With `--crossover`, also the 10,000 × 17,520 grid with 1 and 2 threads
 * and the 100-grid with 2 threads: where worker threads start to pay (see src/cli/threads.ts).
 *
 * `npx tsx scripts/bench-cli.ts [--repeats N] [--before DIR] [--crossover]`: DIR is a checkout of an older commit
 * (with node_modules and assembly/build) whose `npm run` scripts are timed in the same rounds, for a before/after.
 * Needs `npm run build:cli` (the bundles in dist-cli/) and /usr/bin/time.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const DATA = resolve('tests/fixtures/klines/BTCUSDT-1h.csv');
const S1 = ['--data', DATA, '--strategy', 'sma-cross', '--last-contiguous', '8760', '--slippage', '0'];
const S1_RUN = [...S1, '--param', 'fast=10', '--param', 'slow=30'];
const S1_GRID = [...S1, '--param', 'fast=5:14:1', '--param', 'slow=20:65:5', '--objective', 'sharpeRatio'];
const BIG_GRID = ['--data', DATA, '--strategy', 'sma-cross', '--last-contiguous', '17520', '--param', 'fast=2:101:1', '--param', 'slow=102:201:1'];

interface Case {
	label: string;
	cwd: string;
	command: string[];
}

interface Sample {
	wallMs: number;
	cpuMs: number;
}

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Run one whole process under /usr/bin/time. @throws Error when it fails. */
function time(c: Case): Sample {
	const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S', ...c.command], { cwd: c.cwd, encoding: 'utf8' });
	const last = r.stderr.trim().split('\n').pop() ?? '';
	const [e, u, s] = last.split(' ').map(Number);
	if (r.status !== 0 || !Number.isFinite(e)) throw new Error(`${c.label} failed (${r.status}): ${r.stderr.slice(-500)}`);
	return { wallMs: e * 1000, cpuMs: (u + s) * 1000 };
}

/** Options of {@link benchCli}. */
export interface BenchCliOptions {
	repeats?: number;
	/** An older checkout to time in the same rounds. */
	before?: string;
	/** Also time the large grid with 1 and 2 threads and the 100-grid with 2 threads. */
	crossover?: boolean;
}

/**
 * Time the cases, interleaved, and print medians.
 * @throws Error when dist-cli/ is missing or a process fails.
 */
export async function benchCli(o: BenchCliOptions = {}): Promise<void> {
	if (!existsSync('dist-cli/backtest.mjs')) throw new Error('dist-cli/ is missing: run `npm run build:cli` first.');
	if (!existsSync('/usr/bin/time')) throw new Error('/usr/bin/time is missing (Debian package `time`).');
	const repeats = o.repeats ?? 5;
	const out = mkdtempSync(join(tmpdir(), 'bench-cli-'));
	const root = process.cwd();
	const cases: Case[] = [];
	const add = (label: string, cwd: string, command: string[]) => cases.push({ label, cwd, command });
	if (o.before) add(`S1 backtest, before: npm run backtest (${o.before})`, o.before, ['npm', 'run', '--silent', 'backtest', '--', ...S1_RUN]);
	add('S1 backtest: npm run backtest', root, ['npm', 'run', '--silent', 'backtest', '--', ...S1_RUN]);
	add('S1 backtest: node dist-cli/backtest.mjs', root, [process.execPath, 'dist-cli/backtest.mjs', ...S1_RUN]);
	if (o.before) add(`S1 100-grid, before: npm run optimize (${o.before}, default threads)`, o.before, ['npm', 'run', '--silent', 'optimize', '--', ...S1_GRID, '--out', join(out, 'before.csv')]);
	add('S1 100-grid: npm run optimize (default threads: 1 for this size)', root, ['npm', 'run', '--silent', 'optimize', '--', ...S1_GRID, '--out', join(out, 'grid.csv')]);
	add('S1 100-grid: node dist-cli/optimize.mjs', root, [process.execPath, 'dist-cli/optimize.mjs', ...S1_GRID, '--out', join(out, 'grid-node.csv')]);
	if (o.crossover) {
		add('S1 100-grid: node dist-cli/optimize.mjs --threads 2', root, [process.execPath, 'dist-cli/optimize.mjs', ...S1_GRID, '--threads', '2', '--out', join(out, 'grid-2.csv')]);
		add('10,000 x 17,520 grid: node dist-cli/optimize.mjs --threads 1', root, [process.execPath, 'dist-cli/optimize.mjs', ...BIG_GRID, '--threads', '1', '--out', join(out, 'big-1.csv')]);
		add('10,000 x 17,520 grid: node dist-cli/optimize.mjs --threads 2', root, [process.execPath, 'dist-cli/optimize.mjs', ...BIG_GRID, '--threads', '2', '--out', join(out, 'big-2.csv')]);
	}
	const samples = new Map<string, Sample[]>(cases.map((c) => [c.label, []]));
	try {
		// One untimed round warms the file cache.
		for (const c of cases) time(c);
		for (let r = 0; r < repeats; r++) for (const c of cases) samples.get(c.label)!.push(time(c));
	} finally {
		rmSync(out, { recursive: true, force: true });
	}
	for (const c of cases) {
		const s = samples.get(c.label)!;
		console.log(
			`cli (whole process): ${c.label}: ${median(s.map((x) => x.wallMs)).toFixed(0)} ms wall, ${median(s.map((x) => x.cpuMs)).toFixed(0)} ms CPU ` +
				`(medians of ${repeats} interleaved; fastest ${Math.min(...s.map((x) => x.wallMs)).toFixed(0)} ms wall; wall ${s.map((x) => x.wallMs.toFixed(0)).join(', ')})`
		);
	}
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const at = process.argv.indexOf('--repeats');
	const b = process.argv.indexOf('--before');
	await benchCli({
		repeats: at > 0 ? Number(process.argv[at + 1]) : undefined,
		before: b > 0 ? resolve(process.argv[b + 1]) : undefined,
		crossover: process.argv.includes('--crossover')
	});
}
