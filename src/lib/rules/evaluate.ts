/**
 * Values of a rule's named expressions over the loaded candles, computed by the WASM core (the plan interpreter of
 * assembly/rules.ts): for charts of a rule's own series and for tests of the language against other libraries.
 */
import { defaultConfig } from '../engine/strategies';
import type { RuleSource } from '../engine/types';
import { toRunScalars, type WasmEngine } from '../engine/wasm-engine';
import { compileRules } from './compile';
import { ruleProgram } from './strategy';

/**
 * Evaluate named expressions of a rule (`name = expression` lines) with given parameter values.
 * @param engine a core with candles loaded
 * @param params parameter values by name (defaults fill the rest)
 * @returns one Float64Array per name, one value per bar (yes/no values as 1 / 0, NaN where undefined)
 * @throws RuleError for a rule with problems; ValidationError for bad parameters or an unknown name
 */
export function evaluateNamed(
	engine: WasmEngine,
	rules: RuleSource,
	names: readonly string[],
	params: Record<string, number | boolean> = {}
): Record<string, Float64Array> {
	const config = { ...defaultConfig('rules'), rules, params };
	const scalars = toRunScalars(config);
	const program = ruleProgram(rules.source, rules.name);
	const byName = Object.fromEntries(program.params.map((p, i) => [p.name, scalars.p[i]]));
	const compiled = compileRules(program, byName, { outputs: names });
	engine.runScalars({ ...scalars, rules: compiled }, false);
	const out: Record<string, Float64Array> = {};
	for (const name of names) {
		const o = compiled.outputs[name];
		out[name] = 'reg' in o ? engine.readRuleRegister(o.reg, o.bool) : new Float64Array(engine.barCount).fill(o.value);
	}
	return out;
}
