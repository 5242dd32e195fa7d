/**
 * Rule strategies as strategy definitions: the bridge from a rule text to the parameter model the engine, the
 * optimiser, the forms and share links use for built-in strategies (strategies.ts), registered with
 * {@link setRuleResolver} when this module is imported.
 */
import { ValidationError } from '../core/errors';
import { setRuleResolver, type StrategyDefinition } from '../engine/strategies';
import type { RuleSource } from '../engine/types';
import { checkRules, type RuleProgram } from './check';
import { compileRules } from './compile';
import type { RuleProblem } from './syntax';

/** Longest rule name accepted, characters. */
export const MAX_RULE_NAME = 80;

/** A rule text with problems: every problem with its position, formatted one per line in `message`. */
export class RuleError extends ValidationError {
	constructor(readonly problems: RuleProblem[], name = 'rule') {
		super(`${name} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map(formatProblem).join('\n')}`);
	}
}

/** `line 3, column 14: unknown name \`clsoe\`: did you mean \`close\`?` */
export function formatProblem(p: RuleProblem): string {
	return `line ${p.line}, column ${p.column}: ${p.message}`;
}

const programs = new Map<string, RuleProgram>();
const definitions = new Map<string, StrategyDefinition>();
const CACHE_LIMIT = 64;
/** Compiled plans kept per rule (least recently used dropped first). */
const PLAN_CACHE_LIMIT = 1024;

/**
 * The checked program of a rule text (cached by text).
 * @throws RuleError listing every problem with its line and column
 */
export function ruleProgram(source: string, name = 'rule'): RuleProgram {
	const hit = programs.get(source);
	if (hit) return hit;
	const { program, problems } = checkRules(source);
	if (!program) throw new RuleError(problems, name);
	if (programs.size >= CACHE_LIMIT) programs.delete(programs.keys().next().value as string);
	programs.set(source, program);
	return program;
}

/**
 * The strategy definition of a rule: its declared parameters (with default, range and step), its `require`
 * conditions as constraints, and the compiler for given parameter values.
 * @throws RuleError for a rule text with problems; ValidationError for a bad name
 */
export function ruleDefinition(rules: RuleSource): StrategyDefinition {
	const name = typeof rules.name === 'string' && rules.name.trim() ? rules.name.trim() : 'My rule';
	if (name.length > MAX_RULE_NAME) throw new ValidationError(`the rule name is longer than ${MAX_RULE_NAME} characters: shorten it`);
	const key = `${name}\u0000${rules.source}`;
	const hit = definitions.get(key);
	if (hit) return hit;
	const program = ruleProgram(rules.source, name);
	// Compiled plans by parameter values: walk-forward folds, resumed jobs and genetic searches meet the same values
	// again (a plan depends on the values only, not on the candles).
	const plans = new Map<string, ReturnType<typeof compileRules>>();
	const compileCached = (byName: Readonly<Record<string, number>>) => {
		const key = program.params.map((p) => byName[p.name]).join('|');
		let plan = plans.get(key);
		if (plan) {
			plans.delete(key);
			plans.set(key, plan);
			return plan;
		}
		plan = compileRules(program, byName);
		if (plans.size >= PLAN_CACHE_LIMIT) plans.delete(plans.keys().next().value as string);
		plans.set(key, plan);
		return plan;
	};
	const def: StrategyDefinition = {
		id: 'rules',
		wasmId: 6,
		name,
		description: 'Own rules: ' + name,
		params: program.params,
		constraints: program.constraints.map((c) => ({
			check: (p: Record<string, number>) => {
				try {
					compileConstraint(program, c.text, p);
					return true;
				} catch {
					return false;
				}
			},
			message: `the parameters must satisfy \`require ${c.text}\``
		})),
		ownsExitLevels: Boolean(program.levels.stopLoss || program.levels.takeProfit),
		compileRules: compileCached
	};
	if (definitions.size >= CACHE_LIMIT) definitions.delete(definitions.keys().next().value as string);
	definitions.set(key, def);
	return def;
}

/** Evaluate one `require` condition on parameter values; throws when it fails. */
function compileConstraint(program: RuleProgram, text: string, p: Record<string, number>): void {
	const only = { ...program, constraints: program.constraints.filter((c) => c.text === text), signals: {}, levels: {} };
	compileRules(only, p);
}

setRuleResolver(ruleDefinition);
