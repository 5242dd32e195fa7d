/**
 * `npm run build:cli` (also run by `npm run build` and `prepare`): bundle every command-line tool of src/cli (each
 * file that starts a command with `process.exitCode = await ...`, and each worker thread, `*-worker.ts`) into one plain
 * JavaScript file per tool in dist-cli/ with esbuild, so `npm run backtest` and the others start with `node` alone:
 * no TypeScript compilation at start-up. Writes dist-cli/inputs.json (the source files of the bundles), which
 * scripts/cli.mjs checks to fall back to the TypeScript sources when one changed after the bundle was made.
 * Plain JavaScript (not TypeScript) so that it runs before anything is compiled. Run from the project root.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const SRC = 'src/cli';
// `--outdir DIR` (tests): somewhere else than dist-cli/ (the wasm is then looked up in DIR/../assembly/build/).
const at = process.argv.indexOf('--outdir');
const OUT = at > 0 ? process.argv[at + 1] : 'dist-cli';

const entries = readdirSync(SRC)
	.filter((f) => f.endsWith('.ts'))
	.filter((f) => f.endsWith('-worker.ts') || /^process\.exitCode = await /m.test(readFileSync(join(SRC, f), 'utf8')))
	.map((f) => join(SRC, f));

rmSync(OUT, { recursive: true, force: true });
const t0 = performance.now();
const result = await build({
	entryPoints: entries,
	outdir: OUT,
	outExtension: { '.js': '.mjs' },
	bundle: true,
	platform: 'node',
	format: 'esm',
	target: 'node20',
	// Smaller files parse faster; names are kept for readable stack traces.
	minifyWhitespace: true,
	minifySyntax: true,
	keepNames: true,
	legalComments: 'none',
	metafile: true,
	logLevel: 'warning',
	// CommonJS dependencies (papaparse) may call require() for Node built-ins.
	banner: { js: "import { createRequire as __cliCreateRequire } from 'node:module'; const require = __cliCreateRequire(import.meta.url);" }
});
const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.startsWith('node_modules/'));
writeFileSync(join(OUT, 'inputs.json'), JSON.stringify({ entries: entries.map((e) => e.slice(SRC.length + 1, -3)), inputs }, null, '\t') + '\n');
console.log(`build:cli: ${entries.length} bundles in ${OUT}/ (${inputs.length} source files) in ${(performance.now() - t0).toFixed(0)} ms`);
