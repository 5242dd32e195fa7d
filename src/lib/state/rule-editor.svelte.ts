/**
 * State of the "My strategies" screen: the rule being edited (name and text), its live check (problems with
 * positions, declared parameters), the parameter values to run with, the saved rule strategies (IndexedDB) and the
 * examples shipped with the app (static/rules/*.rules, the four built-ins as rules, and two more).
 */
import { checkRules, type RuleProblem } from '../rules';
import type { ParamSchema } from '../engine/strategies';
import type { BacktestConfig, RuleSource } from '../engine/types';
import { newRuleStrategyId, type RuleStrategiesRepository, type RuleStrategyRecord } from '../persistence/rule-strategies';
import smaCross from '../../../static/rules/sma-cross.rules?raw';
import rsiMeanReversion from '../../../static/rules/rsi-mean-reversion.rules?raw';
import emaAtrBreakout from '../../../static/rules/ema-atr-breakout.rules?raw';
import rsiAtrMomentum from '../../../static/rules/rsi-atr-momentum.rules?raw';
import rsiTrend from '../../../static/rules/rsi-trend-filter.rules?raw';
import bollinger from '../../../static/rules/bollinger-breakout.rules?raw';

/** Examples to start from (name, text): the built-ins as rules first. */
export const RULE_EXAMPLES: readonly RuleSource[] = Object.freeze([
	{ name: 'sma-cross', source: smaCross },
	{ name: 'rsi-mean-reversion', source: rsiMeanReversion },
	{ name: 'ema-atr-breakout', source: emaAtrBreakout },
	{ name: 'rsi-atr-momentum', source: rsiAtrMomentum },
	{ name: 'rsi-trend-filter', source: rsiTrend },
	{ name: 'bollinger-breakout', source: bollinger }
]);

/** Longest name accepted for a saved rule strategy (characters). */
export const MAX_NAME = 80;

/** Rune-backed state of the rule editor; see the module comment. */
export class RuleEditorState {
	/** Id of the saved rule being edited (null: not saved yet). */
	id = $state<string | null>(null);
	name = $state('My strategy');
	source = $state(RULE_EXAMPLES[0].source);
	/** Parameter values by name (declared defaults until changed). */
	values = $state<Record<string, number | null | undefined>>({});
	saved = $state.raw<RuleStrategyRecord[]>([]);
	/** Text as last saved (to tell unsaved edits). */
	savedSource = $state<string | null>(null);
	savedName = $state<string | null>(null);
	error = $state<string | null>(null);
	ready = $state(false);
	#repo: RuleStrategiesRepository | null = null;

	/** Problems of the current text (empty when it is a valid rule). */
	readonly check = $derived.by(() => checkRules(this.source));

	get problems(): RuleProblem[] {
		return this.check.problems;
	}

	/** Declared parameters of the current text (of the last valid text while it has problems). */
	#lastParams: ParamSchema[] = [];
	get params(): ParamSchema[] {
		const p = this.check.program?.params;
		if (p) this.#lastParams = p;
		return p ?? this.#lastParams;
	}

	/** Unsaved edits (or never saved). */
	get dirty(): boolean {
		return this.source !== this.savedSource || this.name !== this.savedName;
	}

	/** Connect to storage and list the saved rules. */
	async init(repo: RuleStrategiesRepository): Promise<void> {
		this.#repo = repo;
		try {
			this.saved = await repo.list();
		} catch (e) {
			this.error = `Saved strategies are unavailable: ${(e as Error).message}`;
		}
		this.ready = true;
	}

	/** Start from an example (not saved until Save). */
	openExample(ex: RuleSource): void {
		this.id = null;
		this.name = ex.name;
		this.source = ex.source;
		this.savedSource = null;
		this.savedName = null;
		this.values = {};
	}

	/** Edit a saved rule (its parameters back to their defaults unless `keepValues`). */
	open(r: RuleStrategyRecord, keepValues = false): void {
		this.id = r.id;
		this.name = r.name;
		this.source = r.source;
		this.savedSource = r.source;
		this.savedName = r.name;
		if (!keepValues) this.values = {};
	}

	/** Parameter value to run with: the edited value, else the declared default. */
	valueOf(p: ParamSchema): number | null {
		if (!Object.hasOwn(this.values, p.name)) return p.default;
		const v = this.values[p.name];
		return v === undefined || v === null ? null : v;
	}

	/** The rule as a strategy configuration on top of `base` (execution settings), or a message when it cannot run. */
	configFor(base: BacktestConfig): { config: BacktestConfig | null; problem: string | null } {
		if (!this.check.program) return { config: null, problem: `Fix the rule first: ${this.problems.length} problem${this.problems.length === 1 ? '' : 's'}.` };
		const params: Record<string, number> = {};
		for (const p of this.params) {
			const v = this.valueOf(p);
			if (v === null || !Number.isFinite(v)) return { config: null, problem: `${p.name} needs a value (${p.min} to ${p.max}).` };
			params[p.name] = v;
		}
		const name = this.name.trim() || 'My strategy';
		return { config: { ...structuredClone(base), strategy: 'rules', rules: { name, source: this.source }, params }, problem: null };
	}

	/**
	 * Save the rule (a new record, or the one being edited). A rule with problems is saved too (work in progress).
	 * @returns the saved record, or null when the name is empty or storage failed (see {@link error})
	 */
	async save(asCopy = false): Promise<RuleStrategyRecord | null> {
		this.error = null;
		const name = this.name.trim();
		if (!name) {
			this.error = 'Give the strategy a name.';
			return null;
		}
		if (name.length > MAX_NAME) {
			this.error = `The name is longer than ${MAX_NAME} characters: shorten it.`;
			return null;
		}
		if (!this.#repo) {
			this.error = 'Storage is still starting; try again in a moment.';
			return null;
		}
		const now = Date.now();
		const existing = !asCopy && this.id ? this.saved.find((s) => s.id === this.id) : undefined;
		const record: RuleStrategyRecord = {
			id: existing?.id ?? newRuleStrategyId(now),
			name: asCopy && this.id ? `${name} (copy)` : name,
			source: this.source,
			createdAt: existing?.createdAt ?? now,
			updatedAt: now
		};
		try {
			await this.#repo.put(record);
		} catch (e) {
			this.error = `Could not save: ${(e as Error).message}. Nothing was changed.`;
			return null;
		}
		this.saved = [record, ...this.saved.filter((s) => s.id !== record.id)];
		this.open(record, true);
		return record;
	}

	/** Rename a saved rule (keeps its text). */
	async rename(id: string, name: string): Promise<void> {
		const r = this.saved.find((s) => s.id === id);
		const clean = name.trim();
		if (!r || !clean || clean.length > MAX_NAME || !this.#repo) {
			this.error = !clean ? 'A name cannot be empty.' : clean.length > MAX_NAME ? `The name is longer than ${MAX_NAME} characters.` : null;
			return;
		}
		const next = { ...r, name: clean, updatedAt: Date.now() };
		try {
			await this.#repo.put(next);
		} catch (e) {
			this.error = `Could not rename: ${(e as Error).message}`;
			return;
		}
		this.saved = [next, ...this.saved.filter((s) => s.id !== id)];
		if (this.id === id) {
			this.name = clean;
			this.savedName = clean;
		}
	}

	/** Delete a saved rule (the editor keeps its text as an unsaved rule). */
	async remove(id: string): Promise<void> {
		if (!this.#repo) return;
		try {
			await this.#repo.delete(id);
		} catch (e) {
			this.error = `Could not delete: ${(e as Error).message}`;
			return;
		}
		this.saved = this.saved.filter((s) => s.id !== id);
		if (this.id === id) {
			this.id = null;
			this.savedSource = null;
			this.savedName = null;
		}
	}
}
