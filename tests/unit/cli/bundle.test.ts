/**
 * The command-line bundles (scripts/build-cli.mjs, esbuild): built into a temporary directory next to a link to the
 * compiled core, they run with plain `node` (no tsx), find the wasm file, start the optimiser's worker threads from
 * the bundled worker, and give byte-identical output to the TypeScript sources run through tsx. The launcher
 * scripts/cli.mjs (what `npm run backtest` and the others call) runs a tool and rejects a bad tool name.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../helpers/fixtures';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
const tmp = mkdtempSync(join(tmpdir(), 'cli-bundle-'));
const out = join(tmp, 'dist-cli');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function node(args: string[]) {
	try {
		const r = await run(process.execPath, args, { cwd: root });
		return { code: 0, stdout: r.stdout, stderr: r.stderr };
	} catch (e) {
		const err = e as { code: number; stdout: string; stderr: string };
		return { code: err.code, stdout: err.stdout, stderr: err.stderr };
	}
}

const S1 = ['--data', fixturePath('klines/BTCUSDT-1h.csv'), '--strategy', 'sma-cross', '--last-contiguous', '8760', '--slippage', '0'];

describe('command-line bundles', () => {
	beforeAll(async () => {
		const b = await node(['scripts/build-cli.mjs', '--outdir', out]);
		expect(b.code, b.stderr).toBe(0);
		symlinkSync(join(root, 'assembly'), join(tmp, 'assembly'));
	}, 60_000);

	it('bundles every tool and lists the sources they were built from', () => {
		const inputs = JSON.parse(readFileSync(join(out, 'inputs.json'), 'utf8'));
		expect(inputs.entries.sort()).toEqual(expect.arrayContaining(['backtest', 'montecarlo', 'optimize', 'optimize-worker', 'patterns', 'scan']));
		expect(inputs.inputs).toContain('src/lib/engine/node.ts');
		// Plain JavaScript: no TypeScript import is left for a loader to compile.
		expect(readFileSync(join(out, 'backtest.mjs'), 'utf8')).not.toMatch(/from\s*["'][^"']+\.ts["']/);
	});

	it('backtest: the bundle with plain node writes exactly what the sources write', async () => {
		const args = [...S1, '--param', 'fast=10', '--param', 'slow=30'];
		const [a, b] = await Promise.all([node([join(out, 'backtest.mjs'), ...args, '--out', join(tmp, 'a.json')]), node([tsx, 'src/cli/backtest.ts', ...args, '--out', join(tmp, 'b.json')])]);
		expect(a.stderr).toBe('');
		expect(a.code).toBe(0);
		expect(b.code).toBe(0);
		expect(readFileSync(join(tmp, 'a.json'), 'utf8')).toBe(readFileSync(join(tmp, 'b.json'), 'utf8'));
	}, 60_000);

	it('optimize: the bundle starts its worker threads from the bundled worker and writes the same grid', async () => {
		const args = [...S1, '--param', 'fast=5:14:1', '--param', 'slow=20:65:5', '--objective', 'sharpeRatio'];
		const [a, b] = await Promise.all([
			node([join(out, 'optimize.mjs'), ...args, '--threads', '2', '--out', join(tmp, 'a.csv')]),
			node([tsx, 'src/cli/optimize.ts', ...args, '--threads', '1', '--out', join(tmp, 'b.csv')])
		]);
		expect(a.stderr).toBe('');
		expect(a.code).toBe(0);
		expect(a.stdout).toMatch(/100 combinations on 8,760 bars .* with 2 thread\(s\)/);
		expect(b.code).toBe(0);
		expect(readFileSync(join(tmp, 'a.csv'), 'utf8')).toBe(readFileSync(join(tmp, 'b.csv'), 'utf8'));
		const sa = JSON.parse(readFileSync(join(tmp, 'a.summary.json'), 'utf8'));
		const sb = JSON.parse(readFileSync(join(tmp, 'b.summary.json'), 'utf8'));
		expect(sa).toEqual(sb);
	}, 60_000);

	it('optimize without --threads runs a grid too small to repay worker start-up in one thread', async () => {
		const r = await node([join(out, 'optimize.mjs'), ...S1, '--param', 'fast=5:14:1', '--param', 'slow=20:65:5', '--out', join(tmp, 'c.csv')]);
		expect(r.code, r.stderr).toBe(0);
		expect(r.stdout).toMatch(/with 1 thread\(s\)/);
	}, 60_000);

	it('the launcher runs a tool (its bundle when fresh, else its sources) and rejects a bad name', async () => {
		const help = await node(['scripts/cli.mjs', 'backtest', '--help']);
		expect(help.code).toBe(0);
		expect(help.stdout).toMatch(/--strategy/);
		const bad = await node(['scripts/cli.mjs', 'no-such-tool']);
		expect(bad.code).toBe(2);
		expect(bad.stderr).toMatch(/no command-line tool 'no-such-tool'/);
		const none = await node(['scripts/cli.mjs']);
		expect(none.code).toBe(2);
	}, 60_000);
});
