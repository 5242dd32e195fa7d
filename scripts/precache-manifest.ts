/**
 * Post-build step (`npm run build` runs it after `vite build`): list every file of `build/` that
 * the service worker must cache for offline use, and inject the list at the top of
 * `build/service-worker.js` as `self.__PWA_PRECACHE__ = [...]`.
 *
 * SvelteKit's `$service-worker` lists miss the Web Worker chunk and its `.wasm`
 * (`_app/immutable/workers/...`) and `404.html`; a directory walk after the adapter has written
 * `build/` misses nothing. Running it again on the same build replaces its own line.
 *
 * Usage: `tsx scripts/precache-manifest.ts [buildDir]` (default `build`).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildPrecacheList, injectPrecacheList } from '../src/lib/pwa/precache';

/**
 * Every file under a directory, as paths relative to it with `/` separators.
 * @param root - the directory to walk (e.g. `build`).
 * @returns relative paths, unsorted.
 */
export function listFiles(root: string): string[] {
	const out: string[] = [];
	const walk = (dir: string): void => {
		for (const entry of readdirSync(dir, { withFileTypes: true })) {
			const full = join(dir, entry.name);
			if (entry.isDirectory()) walk(full);
			else if (entry.isFile()) out.push(relative(root, full).split('\\').join('/'));
		}
	};
	walk(root);
	return out;
}

/**
 * Inject the precache list into `<buildDir>/service-worker.js`.
 * @param buildDir - the adapter's output directory.
 * @returns the injected list and its total size in bytes.
 * @throws Error if `<buildDir>/service-worker.js` does not exist (no `vite build`, or no src/service-worker.ts).
 */
export function writePrecacheManifest(buildDir = 'build'): { list: string[]; bytes: number } {
	const swPath = join(buildDir, 'service-worker.js');
	let source: string;
	try {
		source = readFileSync(swPath, 'utf8');
	} catch {
		throw new Error(`${swPath} not found: run \`vite build\` first (the service worker is built from src/service-worker.ts).`);
	}
	const files = listFiles(buildDir);
	const list = buildPrecacheList(files);
	let bytes = 0;
	for (const f of files) if (f !== 'service-worker.js') bytes += statSync(join(buildDir, f)).size;
	writeFileSync(swPath, injectPrecacheList(source, list));
	return { list, bytes };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
	const dir = process.argv[2] ?? 'build';
	const { list, bytes } = writePrecacheManifest(dir);
	console.log(`precache: ${list.length} files (${(bytes / 1024).toFixed(0)} KiB) listed in ${dir}/service-worker.js`);
}
