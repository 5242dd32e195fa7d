/**
 * Traders' own rule strategies: the rule language (syntax.ts, check.ts), its compilation to the WASM core's signal
 * plan (compile.ts), rule definitions for the engine and optimiser (strategy.ts) and the look-ahead audit (audit.ts).
 * Importing this module registers rule strategies with the engine (strategies.ts setRuleResolver).
 */
export { parseRules, MAX_RULE_LENGTH, type Expr, type RuleProblem, type Span, type Statement } from './syntax';
export { checkRules, suggest, SERIES, FUNCTIONS, SIGNALS, LEVELS, type RuleProgram, type SignalName } from './check';
export { compileRules, type CompiledRules } from './compile';
export { ruleDefinition, ruleProgram, RuleError, formatProblem, MAX_RULE_NAME } from './strategy';
