/**
 * Source of a Node worker thread's bootstrap for the command-line pools (optimize-pool.ts, research-pool.ts).
 * Node only.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Code for `new Worker(code, { eval: true })` that starts the worker entry `name` (e.g. `optimize-worker`).
 * From the command-line bundle (dist-cli/, see scripts/build-cli.mjs) the worker is the bundled `./<name>.mjs` next to
 * the running bundle. From the sources the entry is TypeScript, and worker threads do not inherit tsx's loader hooks
 * on Node 20, so the bootstrap registers tsx in the worker and then imports `./<name>.ts` (this folder).
 * @param name - worker entry file name without extension, in src/cli/ (and dist-cli/ once bundled).
 * @returns JavaScript source to evaluate as an ES module in the worker.
 */
export function workerBootstrap(name: string): string {
	const bundled = new URL(`./${name}.mjs`, import.meta.url);
	if (import.meta.url.endsWith('.mjs') && existsSync(bundled)) return `import(${JSON.stringify(bundled.href)});`;
	const entry = new URL(`./${name}.ts`, import.meta.url).href;
	let api: string;
	try {
		api = import.meta.resolve('tsx/esm/api');
	} catch {
		api = new URL(`file://${createRequire(import.meta.url).resolve('tsx/esm/api')}`).href;
	}
	return `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
}
