/**
 * `--rules FILE` of the backtest and optimise commands: read a rule file (the rule language, src/lib/rules) and check
 * it, so a broken rule is reported with its line and column before any candle is read.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { ValidationError } from '../lib/core/errors';
import type { RuleSource } from '../lib/engine/types';
import { MAX_RULE_LENGTH, ruleProgram } from '../lib/rules';

/**
 * Read and check a rule file.
 * @returns the rule (name = the file name without `.rules`) and its text
 * @throws ValidationError when the file cannot be read, is too long, or has problems (each with line and column)
 */
export function readRulesFile(path: string): RuleSource {
	let source: string;
	try {
		source = readFileSync(path, 'utf8');
	} catch (e) {
		const code = (e as NodeJS.ErrnoException).code;
		throw new ValidationError(`cannot read --rules file '${path}': ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message}.`);
	}
	if (source.length > MAX_RULE_LENGTH) throw new ValidationError(`--rules file '${path}' has ${source.length} characters, more than ${MAX_RULE_LENGTH}: shorten it.`);
	const name = basename(path).replace(/\.rules$/i, '') || 'rules';
	try {
		ruleProgram(source, path);
	} catch (e) {
		throw new ValidationError((e as Error).message);
	}
	return { name, source };
}
