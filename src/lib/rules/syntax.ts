/**
 * The rule language's lexer and parser (a hand-written Pratt parser; nothing here ever runs user text as code).
 *
 * A rule file is a list of statements, one per line (a line may continue after an operator, a comma or an open
 * bracket); `#` and `//` start a comment:
 *
 *   fast = 10 [2..100 step 1]          # a parameter: default, range, step (the optimiser searches it)
 *   useFilter = true                   # a yes/no parameter
 *   trend = close > sma(close, 200)    # a named expression, usable below
 *   require fast < slow                # a constraint on the parameters
 *   enterLong = crossover(sma(close, fast), sma(close, slow)) and trend
 *   exitLong = crossunder(sma(close, fast), sma(close, slow))
 *   stopLoss = 1.5 * atr(14)           # or a fraction of the entry price: stopLoss = 0.02
 *
 * Operator precedence, loosest first: `or`; `and`; `not`; comparisons (`> >= < <= == !=`, not chainable);
 * `+ -`; `* /`; unary `-`; postfix lag `x[k]` and calls. Lags are non-negative whole-number constants (a literal or a
 * whole-number parameter), so no expression can refer to a later bar.
 */

/** Where a piece of text sits: 1-based line and column, and the 0-based offsets [from, to). */
export interface Span {
	line: number;
	column: number;
	from: number;
	to: number;
}

/** One problem in a rule text, with its position; `expected` and `suggestion` when known. */
export interface RuleProblem extends Span {
	message: string;
	/** What the parser expected at this point (e.g. "an expression", "`)`"). */
	expected?: string;
	/** A known name close to an unknown one ("did you mean"). */
	suggestion?: string;
}

export type Expr =
	| { kind: 'num'; value: number; span: Span }
	| { kind: 'bool'; value: boolean; span: Span }
	| { kind: 'name'; name: string; span: Span }
	| { kind: 'call'; name: string; args: Expr[]; span: Span; nameSpan: Span }
	| { kind: 'unary'; op: '-' | 'not'; arg: Expr; span: Span }
	| { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; span: Span; paren?: boolean }
	| { kind: 'lag'; arg: Expr; lag: Expr; span: Span };

export type BinaryOp = '+' | '-' | '*' | '/' | '>' | '>=' | '<' | '<=' | '==' | '!=' | 'and' | 'or';

export type Statement =
	| {
			kind: 'param';
			name: string;
			value: number | boolean;
			range?: { min: number; max: number; step?: number };
			span: Span;
			nameSpan: Span;
	  }
	| { kind: 'assign'; name: string; expr: Expr; span: Span; nameSpan: Span }
	| { kind: 'require'; expr: Expr; span: Span; text: string };

export interface ParsedRules {
	statements: Statement[];
	problems: RuleProblem[];
	/** Names assigned by statements that failed to parse (so a check does not also call them missing). */
	brokenNames: string[];
}

type TokKind = 'num' | 'ident' | 'op' | 'nl' | 'eof';
interface Token extends Span {
	kind: TokKind;
	text: string;
}

/** Longest rule text accepted, characters (share links carry rules; an editor never needs more). */
export const MAX_RULE_LENGTH = 20_000;
/** Deepest nesting of expressions accepted (keeps the recursive parser far from the stack limit). */
export const MAX_DEPTH = 64;

const OPS = ['>=', '<=', '==', '!=', '..', '+', '-', '*', '/', '>', '<', '(', ')', '[', ']', ',', '='];
const CONTINUES = new Set(['+', '-', '*', '/', '>', '>=', '<', '<=', '==', '!=', ',', '(', '[', '=', 'and', 'or', 'not']);

const STATEMENT_START = /^[ \t]*(?:[A-Za-z_][A-Za-z0-9_]*[ \t]*=(?!=)|require\b)/;

class LexError extends Error {
	constructor(readonly problem: RuleProblem) {
		super(problem.message);
	}
}

function describe(t: Token): string {
	if (t.kind === 'eof') return 'the end of the text';
	if (t.kind === 'nl') return 'the end of the line';
	return `\`${t.text}\``;
}

/** Split a rule text into tokens. A newline is a token except inside brackets or after an operator that needs more. */
function lex(src: string): { tokens: Token[]; problems: RuleProblem[] } {
	const tokens: Token[] = [];
	const problems: RuleProblem[] = [];
	let i = 0;
	let line = 1;
	let lineStart = 0;
	let depth = 0;
	const push = (kind: TokKind, text: string, from: number) => {
		tokens.push({ kind, text, line, column: from - lineStart + 1, from, to: from + text.length });
	};
	while (i < src.length) {
		const ch = src[i];
		if (ch === '\n') {
			const prev = tokens[tokens.length - 1];
			// A line that starts a new statement (`name =`, `require`) ends the one before, even after an operator or
			// inside brackets (then the unfinished statement is reported at its own line).
			const startsStatement = STATEMENT_START.test(src.slice(i + 1, i + 200).replace(/^(?:[ \t\r]*(?:(?:#|\/\/)[^\n]*)?\n)*/, ''));
			if (startsStatement) depth = 0;
			if (prev && prev.kind !== 'nl' && (startsStatement || (depth === 0 && !(CONTINUES.has(prev.text) && prev.kind !== 'num')))) push('nl', '\n', i);
			i++;
			line++;
			lineStart = i;
			continue;
		}
		if (ch === ' ' || ch === '\t' || ch === '\r') {
			i++;
			continue;
		}
		if (ch === '#' || (ch === '/' && src[i + 1] === '/')) {
			while (i < src.length && src[i] !== '\n') i++;
			continue;
		}
		if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
			const m = /^(?:[0-9]+(?:\.(?!\.)[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(src.slice(i, i + 64));
			const text = m ? m[0] : ch;
			push('num', text, i);
			i += text.length;
			if (/[A-Za-z_]/.test(src[i] ?? '')) {
				problems.push({ message: `a number cannot run into a name (\`${text}${src[i]}\`): put an operator or a space between them`, line, column: i - lineStart + 1, from: i, to: i + 1, expected: 'an operator' });
			}
			continue;
		}
		if (/[A-Za-z_]/.test(ch)) {
			const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 256))!;
			push('ident', m[0], i);
			i += m[0].length;
			continue;
		}
		const op = OPS.find((o) => src.startsWith(o, i));
		if (op) {
			if (op === '(' || op === '[') depth++;
			else if ((op === ')' || op === ']') && depth > 0) depth--;
			push('op', op, i);
			i += op.length;
			continue;
		}
		const hint = ch === '&' ? ' (write `and`)' : ch === '|' ? ' (write `or`)' : ch === '!' ? ' (write `not`)' : ch === ';' ? ' (one statement per line)' : '';
		problems.push({ message: `unexpected character \`${ch}\`${hint}`, line, column: i - lineStart + 1, from: i, to: i + 1, expected: 'a name, a number or an operator' });
		i++;
	}
	if (tokens.length && tokens[tokens.length - 1].kind !== 'nl') push('nl', '', src.length);
	tokens.push({ kind: 'eof', text: '', line, column: src.length - lineStart + 1, from: src.length, to: src.length });
	return { tokens, problems };
}

const BINARY: Record<string, { prec: number; op: BinaryOp }> = {
	or: { prec: 1, op: 'or' },
	and: { prec: 2, op: 'and' },
	'>': { prec: 4, op: '>' },
	'>=': { prec: 4, op: '>=' },
	'<': { prec: 4, op: '<' },
	'<=': { prec: 4, op: '<=' },
	'==': { prec: 4, op: '==' },
	'!=': { prec: 4, op: '!=' },
	'+': { prec: 5, op: '+' },
	'-': { prec: 5, op: '-' },
	'*': { prec: 6, op: '*' },
	'/': { prec: 6, op: '/' }
};
const PREC_NOT = 3;
const PREC_CMP = 4;
const PREC_NEG = 7;
const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false', 'require', 'step']);

function join(a: Span, b: Span): Span {
	return { line: a.line, column: a.column, from: a.from, to: b.to };
}

class Parser {
	private pos = 0;
	private depth = 0;
	constructor(private readonly toks: Token[], private readonly src: string) {}

	private get tok(): Token {
		return this.toks[this.pos];
	}
	/** At the end of a statement (line end or text end); a method, so type narrowing of `tok` does not stick. */
	private atEnd(): boolean {
		const k = this.toks[this.pos].kind;
		return k === 'nl' || k === 'eof';
	}
	private next(): Token {
		const t = this.toks[this.pos];
		if (t.kind !== 'eof') this.pos++;
		return t;
	}
	private fail(expected: string, at: Token = this.tok, message?: string): never {
		throw new LexError({ message: message ?? `expected ${expected}, found ${describe(at)}`, expected, line: at.line, column: at.column, from: at.from, to: Math.max(at.to, at.from + 1) });
	}
	private isOp(text: string): boolean {
		return this.tok.kind === 'op' && this.tok.text === text;
	}
	private expectOp(text: string): Token {
		if (!this.isOp(text)) this.fail(`\`${text}\``);
		return this.next();
	}

	/** Parse every statement; a broken statement is reported and skipped up to its line's end. */
	program(): ParsedRules {
		const statements: Statement[] = [];
		const problems: RuleProblem[] = [];
		const brokenNames: string[] = [];
		while (this.tok.kind !== 'eof') {
			if (this.tok.kind === 'nl') {
				this.next();
				continue;
			}
			const start = this.pos;
			try {
				statements.push(this.statement());
				if (!this.atEnd()) this.fail('the end of the line (one statement per line)');
			} catch (e) {
				if (!(e instanceof LexError)) throw e;
				problems.push(e.problem);
				const [a, b] = [this.toks[start], this.toks[start + 1]];
				if (a?.kind === 'ident' && b?.kind === 'op' && b.text === '=') brokenNames.push(a.text);
				while (!this.atEnd()) this.next();
			}
		}
		return { statements, problems, brokenNames };
	}

	private statement(): Statement {
		const first = this.tok;
		if (first.kind === 'ident' && first.text === 'require') {
			this.next();
			const expr = this.expr(0);
			return { kind: 'require', expr, span: join(first, expr.span), text: this.src.slice(expr.span.from, expr.span.to) };
		}
		if (first.kind !== 'ident') this.fail('a statement (`name = expression`, a parameter such as `fast = 10 [2..100 step 1]`, or `require …`)');
		if (KEYWORDS.has(first.text)) this.fail('a name', first, `\`${first.text}\` is a keyword and cannot be assigned`);
		this.next();
		const nameSpan: Span = { line: first.line, column: first.column, from: first.from, to: first.to };
		if (!this.isOp('=')) this.fail('`=`');
		this.next();
		// A parameter: a literal number or true/false, optionally with [min..max step s].
		const lit = this.literalParam();
		if (lit) {
			const { value, span } = lit;
			let range: { min: number; max: number; step?: number } | undefined;
			let end = span;
			if (this.isOp('[')) {
				if (typeof value === 'boolean') this.fail('the end of the line', this.tok, 'a yes/no parameter takes no range: it is searched over false and true');
				this.next();
				const min = this.signedNumber();
				this.expectOp('..');
				const max = this.signedNumber();
				let step: number | undefined;
				if (this.tok.kind === 'ident' && this.tok.text === 'step') {
					this.next();
					step = this.signedNumber();
				}
				end = this.expectOp(']');
				range = { min, max, step };
			}
			return { kind: 'param', name: first.text, value, range, span: join(first, end), nameSpan };
		}
		const expr = this.expr(0);
		return { kind: 'assign', name: first.text, expr, span: join(first, expr.span), nameSpan };
	}

	/** `10`, `-0.5`, `true` followed by the line's end or a range: a parameter declaration. */
	private literalParam(): { value: number | boolean; span: Span } | null {
		const save = this.pos;
		const t = this.tok;
		let sign = 1;
		if (this.isOp('-')) {
			sign = -1;
			this.next();
		}
		const v = this.tok;
		let value: number | boolean | null = null;
		if (v.kind === 'num') value = sign * Number(v.text);
		else if (sign === 1 && v.kind === 'ident' && (v.text === 'true' || v.text === 'false')) value = v.text === 'true';
		if (value !== null) {
			this.next();
			if (this.atEnd() || this.isOp('[')) return { value, span: join(t, v) };
		}
		this.pos = save;
		return null;
	}

	private signedNumber(): number {
		let sign = 1;
		if (this.isOp('-')) {
			sign = -1;
			this.next();
		}
		if (this.tok.kind !== 'num') this.fail('a number');
		const v = sign * Number(this.next().text);
		if (!Number.isFinite(v)) this.fail('a finite number');
		return v;
	}

	expr(minPrec: number): Expr {
		if (++this.depth > MAX_DEPTH) this.fail('a simpler expression', this.tok, `expression nested deeper than ${MAX_DEPTH} levels: split it into named parts`);
		try {
			let left = this.prefix();
			for (;;) {
				const t = this.tok;
				const info = (t.kind === 'op' || (t.kind === 'ident' && (t.text === 'and' || t.text === 'or'))) ? BINARY[t.text] : undefined;
				if (!info || info.prec <= minPrec) {
					if (t.kind === 'ident' && (t.text === 'not' || !KEYWORDS.has(t.text)) && minPrec === 0)
						this.fail('an operator (`and`, `or`, `+`, `>`, …) or the end of the line');
					break;
				}
				if (info.prec === PREC_CMP && left.kind === 'binary' && !left.paren && BINARY[left.op].prec === PREC_CMP && minPrec < PREC_CMP)
					this.fail('`and`', t, 'comparisons cannot be chained: write `a < b and b < c`');
				this.next();
				const right = this.expr(info.prec);
				if (info.prec === PREC_CMP && right.kind === 'binary' && !right.paren && BINARY[right.op].prec === PREC_CMP)
					this.fail('`and`', t, 'comparisons cannot be chained: write `a < b and b < c`');
				left = { kind: 'binary', op: info.op, left, right, span: join(left.span, right.span) };
			}
			return left;
		} finally {
			this.depth--;
		}
	}

	private prefix(): Expr {
		const t = this.tok;
		let e: Expr;
		if (t.kind === 'op' && t.text === '-') {
			this.next();
			const arg = this.expr(PREC_NEG);
			return { kind: 'unary', op: '-', arg, span: join(t, arg.span) };
		}
		if (t.kind === 'ident' && t.text === 'not') {
			this.next();
			const arg = this.expr(PREC_NOT);
			return { kind: 'unary', op: 'not', arg, span: join(t, arg.span) };
		}
		if (t.kind === 'num') {
			this.next();
			const value = Number(t.text);
			if (!Number.isFinite(value)) this.fail('a finite number', t);
			e = { kind: 'num', value, span: t };
		} else if (t.kind === 'ident') {
			if (t.text === 'true' || t.text === 'false') {
				this.next();
				e = { kind: 'bool', value: t.text === 'true', span: t };
			} else if (KEYWORDS.has(t.text)) {
				this.fail('an expression', t, `expected an expression, found the keyword \`${t.text}\``);
			} else {
				this.next();
				if (this.isOp('(')) {
					this.next();
					const args: Expr[] = [];
					if (!this.isOp(')')) {
						for (;;) {
							args.push(this.expr(0));
							if (this.isOp(',')) {
								this.next();
								continue;
							}
							if (!this.isOp(')')) this.fail('`,` or `)`');
							break;
						}
					}
					const close = this.expectOp(')');
					e = { kind: 'call', name: t.text, args, span: join(t, close), nameSpan: t };
				} else e = { kind: 'name', name: t.text, span: t };
			}
		} else if (t.kind === 'op' && t.text === '(') {
			this.next();
			const inner = this.expr(0);
			const close = this.expectOp(')');
			e = { ...inner, span: join(t, close), ...(inner.kind === 'binary' ? { paren: true } : {}) } as Expr;
		} else {
			this.fail('an expression (a number, a name such as `close`, a call such as `sma(close, 20)`, or `(`)');
		}
		// Postfix lags: x[1], x[lag]
		while (this.isOp('[')) {
			const open = this.next();
			let lag: Expr;
			if (this.isOp('-')) this.fail('a lag of 0 or more bars', this.tok, 'a lag must be 0 or more bars back: the rule language cannot look at later bars');
			if (this.tok.kind === 'num') {
				const n = this.next();
				const v = Number(n.text);
				if (!Number.isInteger(v)) this.fail('a whole number of bars', n, `a lag must be a whole number of bars, got ${n.text}`);
				lag = { kind: 'num', value: v, span: n };
			} else if (this.tok.kind === 'ident' && !KEYWORDS.has(this.tok.text)) {
				const n = this.next();
				lag = { kind: 'name', name: n.text, span: n };
			} else this.fail('a lag: a whole number of bars (`close[1]`) or a whole-number parameter');
			const close = this.expectOp(']');
			void open;
			e = { kind: 'lag', arg: e, lag, span: join(e.span, close) };
		}
		return e;
	}
}

/**
 * Parse a rule text into statements. Never throws for bad input: every problem is returned with its position
 * (a statement with a syntax error is skipped, the others are kept).
 */
export function parseRules(src: string): ParsedRules {
	if (typeof src !== 'string') return { statements: [], brokenNames: [], problems: [{ message: 'the rules must be text', line: 1, column: 1, from: 0, to: 0 }] };
	if (src.length > MAX_RULE_LENGTH)
		return { statements: [], brokenNames: [], problems: [{ message: `the rules are ${src.length} characters long, more than ${MAX_RULE_LENGTH}: shorten them`, line: 1, column: 1, from: 0, to: 0 }] };
	const { tokens, problems } = lex(src);
	const parsed = new Parser(tokens, src).program();
	return { statements: parsed.statements, brokenNames: parsed.brokenNames, problems: [...problems, ...parsed.problems].sort((a, b) => a.from - b.from) };
}
