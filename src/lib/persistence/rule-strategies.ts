/**
 * Repository of saved rule strategies ("My strategies"): name and rule text, newest save first. The text is stored as
 * written (it is data: parsed and compiled, never run as code); checking it is the rules layer's job.
 */
import { z } from 'zod';
import type { UnixMs } from '../core/types';
import { STORES, type AppDb, type RuleStrategyRecord } from './db';

export type { RuleStrategyRecord };

/** Longest name of a saved rule strategy (the editor's limit). */
export const MAX_RULE_STRATEGY_NAME = 80;
/** Longest rule text a stored record may hold (far above the rules' own limit: drafts with problems are kept too). */
export const MAX_RULE_STRATEGY_SOURCE = 1_000_000;

/**
 * Shape of a stored rule strategy (backup import checks each record against it). The rule text is checked only as
 * text: a draft with problems is a valid record (the editor saves work in progress), and it is parsed, never run.
 */
export const ruleStrategyShape = z.object({
	id: z.string().min(1),
	name: z.string().refine((n) => n.trim().length > 0 && n.length <= MAX_RULE_STRATEGY_NAME, `a name of 1 to ${MAX_RULE_STRATEGY_NAME} characters`),
	source: z.string().max(MAX_RULE_STRATEGY_SOURCE),
	createdAt: z.number().finite(),
	updatedAt: z.number().finite()
});

/** A new id: time-ordered (`rule-<ms base36>-<random>`). */
export function newRuleStrategyId(now: UnixMs = Date.now()): string {
	return `rule-${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** CRUD over the `ruleStrategies` store. */
export class RuleStrategiesRepository {
	readonly #db: AppDb;

	/** @param db - the opened app database (`openAppDb()`, with the ruleStrategies migration). */
	constructor(db: AppDb) {
		this.#db = db;
	}

	/** Every saved rule strategy, most recently saved first. */
	async list(): Promise<RuleStrategyRecord[]> {
		const all = await this.#db.getAllFromIndex(STORES.ruleStrategies, 'by-updatedAt');
		return all.reverse();
	}

	/** The rule strategy with `id`, or undefined. */
	async get(id: string): Promise<RuleStrategyRecord | undefined> {
		return this.#db.get(STORES.ruleStrategies, id);
	}

	/**
	 * Insert or replace a rule strategy.
	 * @throws DOMException from IndexedDB (e.g. QuotaExceededError): nothing is written then
	 */
	async put(record: RuleStrategyRecord): Promise<void> {
		await this.#db.put(STORES.ruleStrategies, record);
	}

	/** Delete by id (no error when absent). */
	async delete(id: string): Promise<void> {
		await this.#db.delete(STORES.ruleStrategies, id);
	}
}
