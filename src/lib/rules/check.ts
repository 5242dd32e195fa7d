/**
 * The rule language's checker: names, types and parameters of a parsed rule text (syntax.ts), giving a
 * {@link RuleProgram} that compile.ts turns into the WASM core's signal plan for given parameter values.
 *
 * Values are numbers or yes/no (booleans); each is either a series (one value per bar) or a constant (a literal, a
 * parameter, or arithmetic on them). Periods and lags take constants only.
 */
import type { ParamSchema } from '../engine/strategies';
import { parseRules, type Expr, type RuleProblem, type Span, type Statement } from './syntax';

/** The four signal statements, in the order of the engine's signal bits, then the two exit-level statements. */
export const SIGNALS = ['enterLong', 'exitLong', 'enterShort', 'exitShort'] as const;
export type SignalName = (typeof SIGNALS)[number];
export const LEVELS = ['stopLoss', 'takeProfit'] as const;
export type LevelName = (typeof LEVELS)[number];

/** Candle series: the engine's columns (1..5) and derived columns (6 hl2, 7 hlc3, 8 ohlc4). */
export const SERIES: Readonly<Record<string, { col: number; description: string }>> = {
	open: { col: 1, description: 'open price of the bar' },
	high: { col: 2, description: 'highest price of the bar' },
	low: { col: 3, description: 'lowest price of the bar' },
	close: { col: 4, description: 'close price of the bar' },
	volume: { col: 5, description: 'base-asset volume of the bar' },
	hl2: { col: 6, description: '(high + low) / 2' },
	hlc3: { col: 7, description: '(high + low + close) / 3' },
	ohlc4: { col: 8, description: '(open + high + low + close) / 4' }
};

/** Indicator kinds of the WASM core (assembly/indicators.ts, assembly/rules.ts IND_ROC). */
export const IND_KIND = { sma: 1, ema: 2, rsi: 3, atr: 4, stdev: 5, highest: 6, lowest: 7, roc: 8 } as const;
export type IndicatorName = keyof typeof IND_KIND;

/** Function signatures: what each takes and gives, for the checker, the docs and the editor's completions. */
export const FUNCTIONS: Readonly<Record<string, { signature: string; description: string }>> = {
	sma: { signature: 'sma(series, period)', description: 'simple moving average' },
	ema: { signature: 'ema(series, period)', description: 'exponential moving average, seeded with the SMA' },
	rsi: { signature: 'rsi(period) or rsi(series, period)', description: "Wilder's RSI (0-100) of close or of a series" },
	atr: { signature: 'atr(period)', description: "Wilder's average true range" },
	stdev: { signature: 'stdev(series, period)', description: 'rolling population standard deviation' },
	highest: { signature: 'highest(series, period)', description: 'highest value of the last `period` bars (this bar included)' },
	lowest: { signature: 'lowest(series, period)', description: 'lowest value of the last `period` bars (this bar included)' },
	roc: { signature: 'roc(series, period)', description: 'rate of change (x - x[period]) / x[period], a fraction' },
	bbupper: { signature: 'bbupper(series, period, k)', description: 'Bollinger upper band: sma + k·stdev' },
	bblower: { signature: 'bblower(series, period, k)', description: 'Bollinger lower band: sma − k·stdev' },
	crossover: { signature: 'crossover(a, b)', description: 'a crosses above b on this bar (tie band 1e-9 relative)' },
	crossunder: { signature: 'crossunder(a, b)', description: 'a crosses below b on this bar (tie band 1e-9 relative)' },
	abs: { signature: 'abs(x)', description: 'absolute value' },
	min: { signature: 'min(a, b)', description: 'smaller of two values' },
	max: { signature: 'max(a, b)', description: 'larger of two values' }
};

const ARITY: Record<string, number[]> = {
	sma: [2], ema: [2], rsi: [1, 2], atr: [1], stdev: [2], highest: [2], lowest: [2], roc: [2],
	bbupper: [3], bblower: [3], crossover: [2], crossunder: [2], abs: [1], min: [2], max: [2]
};

export type ValueType = 'number' | 'bool';

/** A checked rule: parameters, named expressions, signals, exit levels and constraints. */
export interface RuleProgram {
	source: string;
	params: ParamSchema[];
	/** Named expressions in definition order (each may use the ones above it). */
	bindings: Map<string, Expr>;
	signals: Partial<Record<SignalName, Expr>>;
	levels: Partial<Record<LevelName, Expr>>;
	constraints: { expr: Expr; text: string }[];
}

/** Every known name, for "did you mean". */
const BUILTIN_NAMES = [...Object.keys(SERIES), ...Object.keys(FUNCTIONS), ...SIGNALS, ...LEVELS, 'and', 'or', 'not', 'true', 'false', 'require'];

/** Levenshtein distance, capped (small strings only). */
function distance(a: string, b: string): number {
	const al = a.toLowerCase();
	const bl = b.toLowerCase();
	const m = al.length;
	const n = bl.length;
	if (Math.abs(m - n) > 3) return 99;
	let prev = Array.from({ length: n + 1 }, (_, j) => j);
	for (let i = 1; i <= m; i++) {
		const cur = [i];
		for (let j = 1; j <= n; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (al[i - 1] === bl[j - 1] ? 0 : 1));
		prev = cur;
	}
	return prev[n];
}

/** The known name closest to `name` (case-insensitive edit distance up to 2, or 1 for short names), if any. */
export function suggest(name: string, known: Iterable<string>): string | undefined {
	let best: string | undefined;
	let bestD = name.length <= 3 ? 1 : 2;
	for (const k of known) {
		if (k === name) continue;
		const d = distance(name, k);
		if (d < bestD || (d === bestD && best === undefined && d <= bestD)) {
			if (d <= bestD) {
				best = k;
				bestD = d;
			}
		}
	}
	return best;
}

function problemAt(span: Span, message: string, extra: Partial<RuleProblem> = {}): RuleProblem {
	return { line: span.line, column: span.column, from: span.from, to: Math.max(span.to, span.from + 1), message, ...extra };
}

/** Result of {@link checkRules}: the program when there is no problem. */
export interface CheckResult {
	program: RuleProgram | null;
	problems: RuleProblem[];
}

/**
 * Parse and check a rule text.
 * @returns the program (null when there is any problem) and every problem found, sorted by position
 */
export function checkRules(source: string): CheckResult {
	const parsed = parseRules(source);
	const problems: RuleProblem[] = [...parsed.problems];
	const params: ParamSchema[] = [];
	const paramByName = new Map<string, ParamSchema>();
	const bindings = new Map<string, Expr>();
	const bindingTypes = new Map<string, { type: ValueType; constant: boolean }>();
	const signals: Partial<Record<SignalName, Expr>> = {};
	const levels: Partial<Record<LevelName, Expr>> = {};
	const constraints: { expr: Expr; text: string }[] = [];
	const defined = new Set<string>();
	const reserved = new Set<string>([...Object.keys(SERIES), ...Object.keys(FUNCTIONS)]);
	// Names declared anywhere (so a use above its definition says "define it first", not "unknown").
	const declaredLater = new Set([...parsed.statements.filter((s) => s.kind !== 'require').map((s) => (s as { name: string }).name), ...parsed.brokenNames]);

	const knownNames = () => [...BUILTIN_NAMES, ...params.map((p) => p.name), ...bindings.keys()];

	/** Type of an expression, reporting problems; null when it has a problem. */
	const typeOf = (e: Expr): { type: ValueType; constant: boolean } | null => {
		switch (e.kind) {
			case 'num':
				return { type: 'number', constant: true };
			case 'bool':
				return { type: 'bool', constant: true };
			case 'name': {
				if (Object.hasOwn(SERIES, e.name)) return { type: 'number', constant: false };
				const p = paramByName.get(e.name);
				if (p) return { type: p.type === 'bool' ? 'bool' : 'number', constant: true };
				const b = bindingTypes.get(e.name);
				if (b) return b;
				if (Object.hasOwn(FUNCTIONS, e.name)) {
					problems.push(problemAt(e.span, `\`${e.name}\` is a function: call it as ${FUNCTIONS[e.name].signature}`, { expected: '`(`' }));
					return null;
				}
				if ((SIGNALS as readonly string[]).includes(e.name) || (LEVELS as readonly string[]).includes(e.name)) {
					problems.push(problemAt(e.span, `\`${e.name}\` is an output of the rule and cannot be used in an expression: name the expression (e.g. \`entry = …\`) and use that name`));
					return null;
				}
				if (declaredLater.has(e.name)) {
					problems.push(problemAt(e.span, `\`${e.name}\` is used before it is defined: move its definition above this line`));
					return null;
				}
				const s = suggest(e.name, knownNames());
				problems.push(problemAt(e.span, `unknown name \`${e.name}\`${s ? `: did you mean \`${s}\`?` : ''}`, { expected: 'a series (open, high, low, close, volume, hl2, hlc3, ohlc4), a parameter or a named expression', suggestion: s }));
				return null;
			}
			case 'unary': {
				const t = typeOf(e.arg);
				if (!t) return null;
				if (e.op === '-' && t.type !== 'number') {
					problems.push(problemAt(e.span, '`-` needs a number, got a yes/no value'));
					return null;
				}
				if (e.op === 'not' && t.type !== 'bool') {
					problems.push(problemAt(e.span, '`not` needs a yes/no value (a comparison, a crossing, …), got a number'));
					return null;
				}
				return t;
			}
			case 'binary': {
				const l = typeOf(e.left);
				const r = typeOf(e.right);
				if (!l || !r) return null;
				const constant = l.constant && r.constant;
				if (e.op === 'and' || e.op === 'or') {
					if (l.type !== 'bool' || r.type !== 'bool') {
						problems.push(problemAt(l.type !== 'bool' ? e.left.span : e.right.span, `\`${e.op}\` joins yes/no values (comparisons, crossings), got a number: compare it, e.g. \`x > 0\``));
						return null;
					}
					return { type: 'bool', constant };
				}
				if (e.op === '==' || e.op === '!=') {
					if (l.type !== r.type) {
						problems.push(problemAt(e.span, `\`${e.op}\` compares two numbers or two yes/no values, got a ${l.type === 'bool' ? 'yes/no value' : 'number'} and a ${r.type === 'bool' ? 'yes/no value' : 'number'}`));
						return null;
					}
					return { type: 'bool', constant };
				}
				if (l.type !== 'number' || r.type !== 'number') {
					problems.push(problemAt(l.type !== 'number' ? e.left.span : e.right.span, `\`${e.op}\` needs numbers, got a yes/no value`));
					return null;
				}
				return { type: ['+', '-', '*', '/'].includes(e.op) ? 'number' : 'bool', constant };
			}
			case 'lag': {
				const t = typeOf(e.arg);
				if (!t) return null;
				if (e.lag.kind === 'name') {
					const p = paramByName.get(e.lag.name);
					if (!p) {
						const s = suggest(e.lag.name, params.map((q) => q.name));
						problems.push(problemAt(e.lag.span, `a lag must be a whole number or a whole-number parameter; \`${e.lag.name}\` is not a parameter${s ? `: did you mean \`${s}\`?` : ''}`, { suggestion: s }));
						return null;
					}
					if (p.type !== 'int' || p.min < 0) {
						problems.push(problemAt(e.lag.span, `the lag parameter \`${p.name}\` must be a whole number from 0 up (declare it like \`${p.name} = 1 [0..10 step 1]\`)`));
						return null;
					}
				}
				return t;
			}
			case 'call': {
				if (!Object.hasOwn(FUNCTIONS, e.name)) {
					const s = suggest(e.name, Object.keys(FUNCTIONS));
					problems.push(problemAt(e.nameSpan, `unknown function \`${e.name}\`${s ? `: did you mean \`${s}\`?` : ''}`, { expected: `one of ${Object.keys(FUNCTIONS).join(', ')}`, suggestion: s }));
					return null;
				}
				const arity = ARITY[e.name];
				if (!arity.includes(e.args.length)) {
					problems.push(problemAt(e.span, `${e.name} takes ${arity.join(' or ')} argument${arity[arity.length - 1] > 1 ? 's' : ''}: ${FUNCTIONS[e.name].signature}`, { expected: FUNCTIONS[e.name].signature }));
					return null;
				}
				const ts = e.args.map(typeOf);
				if (ts.some((t) => !t)) return null;
				const types = ts as { type: ValueType; constant: boolean }[];
				const bad = types.findIndex((t) => t.type !== 'number');
				if (bad >= 0) {
					problems.push(problemAt(e.args[bad].span, `${e.name} needs numbers, argument ${bad + 1} is a yes/no value`));
					return null;
				}
				if (e.name === 'crossover' || e.name === 'crossunder') return { type: 'bool', constant: false };
				if (e.name === 'abs' || e.name === 'min' || e.name === 'max') return { type: 'number', constant: types.every((t) => t.constant) };
				// Indicators: the period (last for most, after the series; k of Bollinger bands is a constant too).
				const periodAt = e.name === 'atr' || (e.name === 'rsi' && e.args.length === 1) ? 0 : 1;
				for (let i = periodAt; i < e.args.length; i++) {
					if (!types[i].constant) {
						problems.push(problemAt(e.args[i].span, `${i === periodAt ? 'the period' : 'k'} of ${e.name} must be a constant (a number or a parameter), not a series`));
						return null;
					}
				}
				return { type: 'number', constant: false };
			}
		}
	};

	for (const st of parsed.statements) {
		checkStatement(st);
	}

	function checkStatement(st: Statement): void {
		if (st.kind === 'require') {
			const t = typeOf(st.expr);
			if (!t) return;
			if (t.type !== 'bool' || !t.constant) {
				problems.push(problemAt(st.expr.span, '`require` takes a yes/no condition on parameters only (e.g. `require fast < slow`)'));
				return;
			}
			constraints.push({ expr: st.expr, text: st.text });
			return;
		}
		const name = st.name;
		if (reserved.has(name) || ['and', 'or', 'not', 'true', 'false', 'require'].includes(name)) {
			problems.push(problemAt(st.nameSpan, `\`${name}\` is a built-in name and cannot be redefined: choose another name`));
			return;
		}
		if (defined.has(name)) {
			problems.push(problemAt(st.nameSpan, `\`${name}\` is defined twice: keep one definition`));
			return;
		}
		const isOutput = (SIGNALS as readonly string[]).includes(name) || (LEVELS as readonly string[]).includes(name);
		if (st.kind === 'param') {
			if (isOutput) {
				if (typeof st.value === 'boolean' && !st.range && (SIGNALS as readonly string[]).includes(name)) {
					defined.add(name);
					signals[name as SignalName] = { kind: 'bool', value: st.value, span: st.span };
					return;
				}
				if (typeof st.value === 'number' && !st.range && (LEVELS as readonly string[]).includes(name)) {
					defined.add(name);
					levels[name as LevelName] = { kind: 'num', value: st.value, span: st.span };
					return;
				}
				problems.push(problemAt(st.nameSpan, `\`${name}\` is ${(SIGNALS as readonly string[]).includes(name) ? 'a signal: it needs a yes/no expression' : 'an exit level: a fraction (0.02) or a multiple of atr (1.5 * atr(14))'}, not a parameter`));
				return;
			}
			const p = paramSchema(st);
			if (!p) return;
			defined.add(name);
			params.push(p);
			paramByName.set(name, p);
			return;
		}
		const t = typeOf(st.expr);
		defined.add(name);
		if (!t) return;
		if ((SIGNALS as readonly string[]).includes(name)) {
			if (t.type !== 'bool') {
				problems.push(problemAt(st.expr.span, `${name} must be a yes/no condition (a comparison, a crossing, \`and\`/\`or\`), got a number`));
				return;
			}
			signals[name as SignalName] = st.expr;
		} else if ((LEVELS as readonly string[]).includes(name)) {
			if (t.type !== 'number') {
				problems.push(problemAt(st.expr.span, `${name} must be a number: a fraction of the entry price (0.02) or a multiple of atr (1.5 * atr(14))`));
				return;
			}
			const shape = levelShape(st.expr);
			if (!shape || (shape === 'fraction' && !t.constant)) {
				problems.push(problemAt(st.expr.span, `${name} must be a fraction of the entry price (e.g. 0.02 or a parameter) or k × atr(period) (e.g. 1.5 * atr(14)): the engine fixes exit levels at the entry fill`));
				return;
			}
			levels[name as LevelName] = st.expr;
		} else {
			bindings.set(name, st.expr);
			bindingTypes.set(name, t);
		}
	}

	function paramSchema(st: Extract<Statement, { kind: 'param' }>): ParamSchema | null {
		const { name, value, range } = st;
		if (typeof value === 'boolean') {
			return { name, type: 'bool', default: value ? 1 : 0, min: 0, max: 1, step: 1, description: `Yes/no parameter declared in the rule (default ${value}).` };
		}
		const min = range?.min ?? value;
		const max = range?.max ?? value;
		const isInt = [value, min, max, range?.step ?? 1].every(Number.isInteger);
		const step = range?.step ?? (isInt ? 1 : Math.abs(max - min) / 10 || 1);
		if (min > max) {
			problems.push(problemAt(st.span, `the range of \`${name}\` goes from ${min} down to ${max}: write [${max}..${min}]`));
			return null;
		}
		if (value < min || value > max) {
			problems.push(problemAt(st.span, `the default of \`${name}\` (${value}) is outside its range [${min}..${max}]`));
			return null;
		}
		if (!(step > 0)) {
			problems.push(problemAt(st.span, `the step of \`${name}\` must be above 0, got ${step}`));
			return null;
		}
		return {
			name, type: isInt ? 'int' : 'float', default: value, min, max, step,
			description: range ? `Declared in the rule: ${value} in [${min}..${max}], step ${step}.` : `Declared in the rule: ${value} (no range given: fixed).`
		};
	}

	for (const required of ['enterLong', 'exitLong'] as const) {
		if (!signals[required] && !declaredLater.has(required)) {
			const end = source.length;
			const lines = source.split('\n');
			problems.push({ line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1, from: end, to: end, message: `the rule has no \`${required}\`: add a line such as \`${required} = crossover(close, sma(close, 20))\``, expected: `\`${required} = …\`` });
		}
	}
	problems.sort((a, b) => a.from - b.from);
	if (problems.length) return { program: null, problems };
	return { program: { source, params, bindings, signals, levels, constraints }, problems };
}

/** A level expression the engine can carry: a constant fraction, or constant × atr(constant) (either order). */
export function levelShape(e: Expr): 'fraction' | 'atr' | null {
	const isAtr = (x: Expr) => x.kind === 'call' && x.name === 'atr';
	const isConst = (x: Expr): boolean =>
		x.kind === 'num' || x.kind === 'name' || (x.kind === 'binary' && ['+', '-', '*', '/'].includes(x.op) && isConst(x.left) && isConst(x.right)) || (x.kind === 'unary' && x.op === '-' && isConst(x.arg));
	if (isAtr(e)) return 'atr';
	if (e.kind === 'binary' && e.op === '*' && ((isAtr(e.left) && isConst(e.right)) || (isAtr(e.right) && isConst(e.left)))) return 'atr';
	if (isConst(e)) return 'fraction';
	return null;
}
