/**
 * `npm run bench`: prints speed and memory figures of every layer (never a timed unit test).
 * Browser figures (IndexedDB in Chromium) need the built site (`npm run build`); they are skipped with a note otherwise.
 */
import { existsSync } from 'node:fs';
import { benchEngine } from './bench-engine';
import { benchMetrics } from './bench-metrics';
import { benchData } from './bench-data';
import { benchShare } from './bench-share';
import { benchPortfolio } from './bench-portfolio';
import { benchPortfolioService } from './bench-portfolio-service';
import { benchZones } from './bench-zones';

const only = process.argv.slice(2);
const want = (name: string) => only.length === 0 || only.includes(name);

if (want('engine')) await benchEngine();
if (want('kernel')) {
	// The kernel against the minimal-loop probe (the machine's limit), Node and Chromium (issue #18).
	const { benchKernel } = await import('./bench-kernel');
	await benchKernel();
	if (!existsSync('build-bench/dev/kernel-bench/index.html')) console.log('kernel (Chromium): skipped (run `npm run build:bench` first)');
	else {
		const { benchKernelBrowser } = await import('./bench-kernel-browser');
		await benchKernelBrowser();
	}
}
if (want('portfolio')) await benchPortfolio();
if (want('portfolio-service')) await benchPortfolioService();
if (want('zones')) await benchZones();
if (want('metrics')) benchMetrics();
if (want('data')) benchData();
if (want('share')) await benchShare();
if (want('scanner')) {
	const { benchScanner } = await import('./bench-scanner');
	await benchScanner();
}
if (want('optimize') && existsSync('scripts/bench-optimize.ts')) {
	const { benchOptimize } = await import('./bench-optimize');
	await benchOptimize();
}
if (want('research')) {
	const { benchResearch } = await import('./bench-research');
	await benchResearch();
}
if (want('rules')) {
	const { benchRules } = await import('./bench-rules');
	await benchRules();
}
if (want('montecarlo')) {
	const { benchMonteCarlo } = await import('./bench-montecarlo');
	await benchMonteCarlo();
}
if (want('idb') || want('browser')) {
	if (!existsSync('build/index.html')) console.log('browser: skipped (run `npm run build` first: IndexedDB and worker-pool figures come from Chromium on the built site)');
	else {
		const { benchIdb } = await import('./bench-idb');
		await benchIdb();
		const { benchOptimizeBrowser } = await import('./bench-optimize-browser');
		await benchOptimizeBrowser();
		const { benchMonteCarloBrowser } = await import('./bench-montecarlo-browser');
		await benchMonteCarloBrowser();
	}
}
if (want('research-browser') || (want('research') && only.length > 0)) {
	// The research job through the browser worker pool, next to the Node figures of `research` (needs the build).
	if (!existsSync('build/research/index.html')) console.log('research (Chromium): skipped (run `npm run build` first)');
	else {
		const { benchResearchBrowser } = await import('./bench-research-browser');
		await benchResearchBrowser();
	}
} else if (want('idb') || want('browser')) {
	if (existsSync('build/research/index.html')) {
		const { benchResearchBrowser } = await import('./bench-research-browser');
		await benchResearchBrowser();
	}
}
if (want('cli')) {
	if (!existsSync('dist-cli/backtest.mjs')) console.log('cli: skipped (run `npm run build:cli` first: the whole-process figures time the bundled command-line tools)');
	else {
		const { benchCli } = await import('./bench-cli');
		await benchCli({ repeats: 5, crossover: only.includes('cli') });
	}
}
if (want('memory')) {
	const m = process.memoryUsage();
	console.log(`memory: Node process RSS ${(m.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(m.heapUsed / 2 ** 20).toFixed(0)} MiB after the benchmarks`);
}
