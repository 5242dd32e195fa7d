/**
 * Opening a portfolio share link on the Portfolio screen: validate the link strictly (nothing is
 * fetched, stored or run for a bad one), load each market's exact candles (stored first, Binance for
 * what is missing), re-run through the normal portfolio path (so the run lands in the history) and
 * verify the outcome against what the sender got.
 */
import type { PortfolioConfig } from '../engine/types';
import { readPortfolioShareLink, ShareLinkError, verifyPortfolio, type PortfolioSharePayload, type Verification } from '../share';
import type { PortfolioRun } from './portfolio.svelte';

/** What opening a link needs (the real app passes its PortfolioState; tests pass fakes). */
export interface PortfolioShareDeps {
	runExact(input: { config: PortfolioConfig; interval: PortfolioSharePayload['interval']; markets: PortfolioSharePayload['markets'] }): Promise<string | null>;
	settled(id: string): Promise<PortfolioRun | undefined>;
	/** Why runExact returned null. */
	loadError(): string | null;
}

/** Phases of opening a link. */
export type PortfolioSharePhase = 'idle' | 'invalid' | 'running' | 'done' | 'failed';

/** Rune-backed state of an opened portfolio link; see the module comment. */
export class PortfolioShareState {
	phase = $state<PortfolioSharePhase>('idle');
	payload = $state.raw<PortfolioSharePayload | null>(null);
	error = $state<string | null>(null);
	runId = $state<string | null>(null);
	verification = $state.raw<Verification | null>(null);
	readonly #deps: PortfolioShareDeps;

	constructor(deps: PortfolioShareDeps) {
		this.#deps = deps;
	}

	/** Open a link (page URL, fragment or token). Never throws; the outcome is in the fields. */
	async open(link: string): Promise<void> {
		this.phase = 'idle';
		this.payload = this.verification = null;
		this.error = this.runId = null;
		let p: PortfolioSharePayload;
		try {
			p = readPortfolioShareLink(link);
		} catch (e) {
			this.phase = 'invalid';
			this.error = e instanceof ShareLinkError ? e.message : 'This portfolio link could not be read. Ask the sender for the link again.';
			return;
		}
		this.payload = p;
		this.phase = 'running';
		try {
			const id = await this.#deps.runExact({ config: p.config, interval: p.interval, markets: p.markets });
			if (!id) {
				this.phase = 'failed';
				this.error = this.#deps.loadError() ?? 'The candles of this result are not available.';
				return;
			}
			this.runId = id;
			const run = await this.#deps.settled(id);
			if (!run || run.status !== 'completed' || !run.result) {
				this.phase = 'failed';
				this.error = `The run could not be reproduced: ${run?.error ?? 'it was deleted before it finished.'}`;
				return;
			}
			this.verification = verifyPortfolio(p, { fingerprint: run.result.fingerprint, metrics: run.result.metrics, markets: run.markets });
			this.phase = 'done';
		} catch (e) {
			this.phase = 'failed';
			this.error = `The result could not be reproduced: ${(e as Error).message}`;
		}
	}
}
