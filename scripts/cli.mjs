/**
 * How `npm run backtest` (optimize, montecarlo, scan, patterns, research) starts a command-line tool: `node scripts/cli.mjs NAME
 * [args]` runs the esbuild bundle dist-cli/NAME.mjs (made by `npm run build:cli`, `npm run build` and `prepare`: plain
 * JavaScript, no TypeScript compilation at start-up). When the bundle is missing, or a source file it was built from
 * changed since (dist-cli/inputs.json lists them), it runs src/cli/NAME.ts through tsx instead: same behaviour, slower
 * start. `npm run dev:NAME` always runs the sources.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const name = process.argv[2];
if (!name || !/^[a-z][a-z0-9-]*$/.test(name)) {
	process.stderr.write('usage: node scripts/cli.mjs NAME [arguments] (NAME: backtest, optimize, montecarlo, scan, patterns, research)\n');
	process.exit(2);
}
// The tool reads its own arguments from process.argv.slice(2).
process.argv.splice(2, 1);

/** True when dist-cli/NAME.mjs exists and is newer than every source file it was built from. */
function bundleIsFresh() {
	const bundle = `${root}dist-cli/${name}.mjs`;
	if (!existsSync(bundle)) return false;
	try {
		const built = statSync(bundle).mtimeMs;
		const { entries, inputs } = JSON.parse(readFileSync(`${root}dist-cli/inputs.json`, 'utf8'));
		if (!entries.includes(name)) return false;
		for (const p of inputs) if (statSync(root + p).mtimeMs > built) return false;
		return true;
	} catch {
		return false;
	}
}

if (bundleIsFresh()) {
	await import(new URL(`../dist-cli/${name}.mjs`, import.meta.url).href);
} else {
	const source = `${root}src/cli/${name}.ts`;
	if (!existsSync(source)) {
		process.stderr.write(`error: no command-line tool '${name}' (src/cli/${name}.ts does not exist).\n`);
		process.exit(2);
	}
	const { register } = await import('tsx/esm/api');
	register();
	await import(new URL(`../src/cli/${name}.ts`, import.meta.url).href);
}
