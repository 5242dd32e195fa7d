/**
 * What the Backtest screen remembers across reloads, in localStorage: the last run shown, and the
 * strategy form (strategy, parameters, execution settings) per market (`SYMBOL:interval`). Values
 * are validated on the way back in: a stored configuration the registry rejects (older version,
 * edited by hand) is ignored, never half-applied. Storage being unavailable (private mode, quota)
 * only means nothing is remembered.
 */
import { validateConfig } from '../engine/strategies';
import type { BacktestConfig } from '../engine/types';

const PREFIX = 'backtester.v1.';
const LAST_RUN = `${PREFIX}lastRun`;
const formKey = (symbol: string, interval: string) => `${PREFIX}form.${symbol}:${interval}`;

/** The subset of the Web Storage API used here (tests pass a Map-backed one). */
export type KeyValueStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function storage(s?: KeyValueStorage | null): KeyValueStorage | null {
	if (s) return s;
	try {
		return typeof localStorage === 'undefined' ? null : localStorage;
	} catch {
		return null;
	}
}

/** Remember the run shown (null forgets it). */
export function rememberLastRun(id: string | null, s?: KeyValueStorage | null): void {
	const st = storage(s);
	try {
		if (id) st?.setItem(LAST_RUN, id);
		else st?.removeItem(LAST_RUN);
	} catch {
		/* storage full or disabled: nothing remembered */
	}
}

/** The last run shown, or null. */
export function lastRunId(s?: KeyValueStorage | null): string | null {
	try {
		return storage(s)?.getItem(LAST_RUN) ?? null;
	} catch {
		return null;
	}
}

/** Remember the form's configuration for a market. */
export function rememberForm(symbol: string, interval: string, config: BacktestConfig, s?: KeyValueStorage | null): void {
	try {
		storage(s)?.setItem(formKey(symbol, interval), JSON.stringify(config));
	} catch {
		/* storage full or disabled */
	}
}

/**
 * The configuration last used on a market.
 * @returns the stored configuration when it still validates, else null.
 */
export function rememberedForm(symbol: string, interval: string, s?: KeyValueStorage | null): BacktestConfig | null {
	try {
		const text = storage(s)?.getItem(formKey(symbol, interval));
		if (!text) return null;
		const c = JSON.parse(text) as BacktestConfig;
		validateConfig(c);
		return c;
	} catch {
		return null;
	}
}
