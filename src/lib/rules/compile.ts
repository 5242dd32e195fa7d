/**
 * Compilation of a checked rule (check.ts) with given parameter values into the WASM core's signal plan
 * (assembly/rules.ts: ops over whole f64 columns). Parameters are folded in first, so a plan holds constants only;
 * equal sub-expressions are computed once (hash-consing), and every indicator goes through the core's indicator
 * code and caches (the engine's cache for candle columns, the rules cache for derived columns and expressions), so
 * an optimisation computes each distinct indicator series once per job.
 *
 * Values: numbers, and yes/no values as 1 / 0 with NaN = undefined (Kleene's three-valued `and`/`or`/`not`); a
 * signal fires only where its value is 1. In the core a yes/no register is one byte per bar (assembly/rules.ts); the
 * compiler tracks which registers are yes/no and picks the ops for them.
 */
import { ValidationError } from '../core/errors';
import type { LevelSpec } from '../engine/types';
import { IND_KIND, SERIES, SIGNALS, type RuleProgram, type SignalName } from './check';
import type { Expr } from './syntax';

// Op codes of assembly/rules.ts.
export const OP = {
	COL: 1, CONST: 2, ADD: 3, SUB: 4, MUL: 5, DIV: 6, NEG: 7, ADDK: 8, MULK: 9, KSUB: 10, KDIV: 11, DIVK: 12,
	CMP: 13, CMPK: 14, AND: 15, OR: 16, NOT: 17, CROSS: 18, CROSSK: 19, LAG: 20, IND: 21, ABS: 22, MIN: 23, MAX: 24,
	CROSSB: 26, CMPB: 27, CMPKB: 28, LAGB: 29, CONSTB: 30
} as const;
/** Ops whose register holds yes/no values (bytes in the core). */
const BOOL_OPS: ReadonlySet<number> = new Set([OP.CMP, OP.CMPK, OP.AND, OP.OR, OP.NOT, OP.CROSS, OP.CROSSK, OP.CROSSB, OP.CMPB, OP.CMPKB, OP.LAGB, OP.CONSTB]);
const OP_STRIDE = 8;
const HEADER = 11;
/** Plan capacity of the core (f64 words, assembly/rules.ts PLAN_WORDS). */
export const PLAN_WORDS = 8192;
/** Most ops one plan may hold. */
export const MAX_OPS = Math.floor((PLAN_WORDS - HEADER) / OP_STRIDE);
/** Candle-column indicators a plan sends to the engine's own cache; more go to the rules cache. */
const ENGINE_CACHE_SHARE = 8;
/** Longest indicator period accepted (as the engine wrapper's MAX_INDICATOR_PERIOD). */
const MAX_PERIOD = 1_000_000;

const CMP_CODE: Record<string, number> = { '>': 0, '>=': 1, '<': 2, '<=': 3, '==': 4, '!=': 5 };
const CMP_FLIP: Record<string, string> = { '>': '<', '>=': '<=', '<': '>', '<=': '>=', '==': '==', '!=': '!=' };

/** A folded value: a constant, or a register of the plan with the bar from which it is defined. */
/** A register; `band` when it is `a + k·c` (a band around `a`), which a crossing can fuse into one pass. */
type RegVal = { r: number; key: string; fd: number; label: string; bool: boolean; band?: { a: number; c: number; k: number } };
type Val = { c: number } | RegVal;

/** An indicator series of a compiled plan (its register, for charts after a run). */
export interface PlanSeries {
	reg: number;
	label: string;
	pane: 'price' | 'oscillator';
}

/** A rule compiled for one set of parameter values. */
export interface CompiledRules {
	/** The plan's f64 words (header, then ops); word 2 (data generation) is set by the host when it loads the plan. */
	plan: Float64Array;
	nRegs: number;
	/**
	 * Warm-up per signal: the first bar at which every indicator the signal uses is defined (lags and crossings
	 * included); -1 when the signal never fires. The look-ahead audit checks that no signal fires earlier.
	 */
	warmup: Record<SignalName, number>;
	/** Exit levels the rule sets (then the configuration's stop-loss / take-profit are ignored). */
	levels: { stopLoss?: LevelSpec; takeProfit?: LevelSpec; atrPeriod?: number } | null;
	/** Indicator series the rule uses, for charts. */
	series: PlanSeries[];
	/** Values of the named expressions asked for in `options.outputs`: a register (`bool`: of yes/no values), or a constant. */
	outputs: Record<string, { reg: number; bool: boolean } | { value: number }>;
}

const exprIds = new Map<string, number>();
/** Stable number of an expression source for the core's rules cache (16 and up; 0-15 are columns). */
function exprId(key: string): number {
	let id = exprIds.get(key);
	if (id === undefined) {
		id = 16 + exprIds.size;
		exprIds.set(key, id);
	}
	return id;
}

const isConst = (v: Val): v is { c: number } => 'c' in v;

// Op tags: one number per expression key (with its constants), never reused, so the core can keep a register whose
// expression did not change between two trials of an optimisation.
const tags = new Map<string, number>();
let nextTag = 1;
function tagOf(key: string): number {
	let t = tags.get(key);
	if (t === undefined) {
		if (tags.size >= 200_000) tags.clear(); // numbers keep counting: a forgotten key gets a new number
		t = nextTag++;
		tags.set(key, t);
	}
	return t;
}
const fmt = (x: number) => (Number.isInteger(x) ? String(x) : String(+x.toPrecision(10)));

class Builder {
	readonly ops: number[] = [];
	nRegs = 0;
	readonly memo = new Map<string, Val>();
	engineIndicators = 0;
	readonly series: PlanSeries[] = [];

	node(key: string, label: string, fd: number, op: number, a: number, b: number, c: number, d: number, e = -1): Val {
		const hit = this.memo.get(key);
		if (hit) return hit;
		const r = this.nRegs++;
		this.ops.push(op, r, a, b, c, d, e, tagOf(key));
		if (this.ops.length / OP_STRIDE > MAX_OPS)
			throw new ValidationError(`the rule needs more than ${MAX_OPS} column operations: simplify it (name repeated parts, fewer indicators)`);
		// Parents embed this short name, not the whole key: keys stay short however deep the expression.
		const v: Val = { r, key: op === OP.COL ? key : `#${tagOf(key)}`, fd, label, bool: BOOL_OPS.has(op) };
		this.memo.set(key, v);
		return v;
	}

	/** A register for a value (a constant gets one; `bool`: a yes/no constant, 1 / 0 / NaN). */
	reg(v: Val, bool = false): RegVal {
		if (!isConst(v)) return v;
		if (bool) return this.node(`kb${v.c}`, fmt(v.c), 0, OP.CONSTB, -1, -1, v.c, 0) as RegVal;
		return this.node(`k${v.c}`, fmt(v.c), 0, OP.CONST, -1, -1, v.c, 0) as RegVal;
	}
}

/**
 * Compile a checked rule for given parameter values.
 * @param values parameter values by name (every declared parameter; booleans as 1/0)
 * @throws ValidationError naming the problem: a period or lag that is not a whole number in range, a failed
 *   `require`, an exit level out of range, or a plan too large for the core.
 */
export function compileRules(program: RuleProgram, values: Readonly<Record<string, number>>, options: { outputs?: readonly string[] } = {}): CompiledRules {
	const b = new Builder();
	const bindings = new Map<string, Val>();
	const env = (name: string): number | undefined => (Object.hasOwn(values, name) ? values[name] : undefined);

	const intArg = (v: Val, what: string, min: number): number => {
		if (!isConst(v)) throw new ValidationError(`${what} must be a constant`);
		const x = v.c;
		if (!Number.isInteger(x) || x < min || x > MAX_PERIOD)
			throw new ValidationError(`${what} must be a whole number from ${min} to ${MAX_PERIOD.toLocaleString('en-US')}, got ${x}`);
		return x;
	};

	const indicator = (name: keyof typeof IND_KIND, src: Val, period: number): Val => {
		const kind = IND_KIND[name];
		const s = name === 'atr' ? (ev({ kind: 'name', name: 'close', span: zero }) as Exclude<Val, { c: number }>) : b.reg(src);
		const col = /^col(\d)$/.exec(s.key);
		let srcKey: number;
		const colNo = col ? Number(col[1]) : -1;
		if (colNo >= 1 && colNo <= 5 && name !== 'roc') {
			const k = `i${kind}:${name === 'atr' ? 4 : colNo}:${period}`;
			const seen = b.memo.has(k);
			if (seen || b.engineIndicators < ENGINE_CACHE_SHARE) {
				if (!seen) b.engineIndicators++;
				srcKey = name === 'atr' ? 4 : colNo;
			} else srcKey = exprId(s.key);
		} else if (colNo >= 6) srcKey = colNo;
		else srcKey = exprId(s.key);
		const lead = name === 'sma' || name === 'ema' || name === 'stdev' || name === 'highest' || name === 'lowest' ? period - 1 : period;
		const fd = name === 'atr' ? period : s.fd + lead;
		const label = name === 'atr' ? `atr(${period})` : name === 'rsi' && s.key === 'col4' ? `rsi(${period})` : `${name}(${s.label}, ${period})`;
		const key = `i${kind}:${srcKey < 16 ? srcKey : s.key}:${period}`;
		const before = b.nRegs;
		const v = b.node(key, label, fd, OP.IND, s.r, kind, srcKey, period);
		if (b.nRegs > before) {
			const price = name !== 'rsi' && name !== 'atr' && name !== 'stdev' && name !== 'roc' && /^col[1-46-8]$/.test(s.key);
			b.series.push({ reg: (v as { r: number }).r, label, pane: price ? 'price' : 'oscillator' });
		}
		return v;
	};

	const arith = (op: '+' | '-' | '*' | '/', lv: Val, rv: Val): Val => {
		const l = lv as RegVal & { c: number };
		const r = rv as RegVal & { c: number };
		if (isConst(lv) && isConst(rv)) {
			return { c: op === '+' ? l.c + r.c : op === '-' ? l.c - r.c : op === '*' ? l.c * r.c : l.c / r.c };
		}
		const fd = Math.max(isConst(lv) ? 0 : l.fd, isConst(rv) ? 0 : r.fd);
		const lab = (v: Val) => (isConst(v) ? fmt(v.c) : v.label);
		const label = `(${lab(lv)} ${op} ${lab(rv)})`;
		if (isConst(rv)) {
			// x + k, x - k (as x + (-k) would change rounding: kept as SUB with a constant register), x * k, x / k
			if (op === '+') return b.node(`(${l.key}+k${r.c})`, label, fd, OP.ADDK, l.r, -1, r.c, 0);
			if (op === '*') return b.node(`(${l.key}*k${r.c})`, label, fd, OP.MULK, l.r, -1, r.c, 0);
			if (op === '/') return b.node(`(${l.key}/k${r.c})`, label, fd, OP.DIVK, l.r, -1, r.c, 0);
		}
		if (isConst(lv)) {
			// k + x = x + k and k * x = x * k exactly (IEEE addition and multiplication commute)
			if (op === '+') return b.node(`(${r.key}+k${l.c})`, label, fd, OP.ADDK, r.r, -1, l.c, 0);
			if (op === '*') return b.node(`(${r.key}*k${l.c})`, label, fd, OP.MULK, r.r, -1, l.c, 0);
			if (op === '-') return b.node(`(k${l.c}-${r.key})`, label, fd, OP.KSUB, r.r, -1, l.c, 0);
			if (op === '/') return b.node(`(k${l.c}/${r.key})`, label, fd, OP.KDIV, r.r, -1, l.c, 0);
		}
		const lr = b.reg(lv);
		const rr = b.reg(rv);
		const code = op === '+' ? OP.ADD : op === '-' ? OP.SUB : op === '*' ? OP.MUL : OP.DIV;
		const out = b.node(`(${lr.key}${op}${rr.key})`, label, fd, code, lr.r, rr.r, 0, 0) as RegVal;
		// a ± k·c with k·c a MULK node: remember the band, so that a crossing with it is one fused pass
		// (bit-identical: a - k·c == a + (-k)·c in IEEE arithmetic).
		const mulk = (r: number) => (b.ops[r * OP_STRIDE] === OP.MULK ? { c: b.ops[r * OP_STRIDE + 2], k: b.ops[r * OP_STRIDE + 4] } : undefined);
		const right = mulk(rr.r);
		const left = mulk(lr.r);
		if ((op === '+' || op === '-') && right) out.band = { a: lr.r, c: right.c, k: op === '+' ? right.k : -right.k };
		else if (op === '+' && left) out.band = { a: rr.r, c: left.c, k: left.k };
		return out;
	};

	const compare = (op: string, l: Val, r: Val): Val => {
		if (isConst(l) && isConst(r)) {
			if (Number.isNaN(l.c) || Number.isNaN(r.c)) return { c: NaN };
			const x = l.c;
			const y = r.c;
			const t = op === '>' ? x > y : op === '>=' ? x >= y : op === '<' ? x < y : op === '<=' ? x <= y : op === '==' ? x === y : x !== y;
			return { c: t ? 1 : 0 };
		}
		if (isConst(l)) return compare(CMP_FLIP[op], r, l);
		const label = `(${l.label} ${op} ${isConst(r) ? fmt(r.c) : r.label})`;
		// yes/no operands (== and != only, both sides yes/no by the checker): compared as 1 / 0 / NaN in the core
		if (isConst(r)) return b.node(`(${l.key}${op}k${r.c})`, label, l.fd, l.bool ? OP.CMPKB : OP.CMPK, l.r, -1, r.c, CMP_CODE[op]);
		if (l.bool || r.bool) {
			const lb = b.reg(l, true);
			const rb = b.reg(r, true);
			return b.node(`(${lb.key}${op}${rb.key})`, label, Math.max(lb.fd, rb.fd), OP.CMPB, lb.r, rb.r, 0, CMP_CODE[op]);
		}
		return b.node(`(${l.key}${op}${r.key})`, label, Math.max(l.fd, r.fd), OP.CMP, l.r, r.r, 0, CMP_CODE[op]);
	};

	const logic = (op: 'and' | 'or', l: Val, r: Val): Val => {
		const absorb = op === 'and' ? 0 : 1;
		if (isConst(l) && l.c === absorb) return { c: absorb };
		if (isConst(r) && r.c === absorb) return { c: absorb };
		if (isConst(l) && l.c === 1 - absorb) return r;
		if (isConst(r) && r.c === 1 - absorb) return l;
		if (isConst(l) && isConst(r)) return { c: NaN };
		const lr = b.reg(l, true);
		const rr = b.reg(r, true);
		return b.node(`(${lr.key} ${op} ${rr.key})`, `(${lr.label} ${op} ${rr.label})`, Math.max(lr.fd, rr.fd), op === 'and' ? OP.AND : OP.OR, lr.r, rr.r, 0, 0);
	};

	function ev(e: Expr): Val {
		switch (e.kind) {
			case 'num':
				return { c: e.value };
			case 'bool':
				return { c: e.value ? 1 : 0 };
			case 'name': {
				if (Object.hasOwn(SERIES, e.name)) {
					const col = SERIES[e.name].col;
					return b.node(`col${col}`, e.name, 0, OP.COL, -1, -1, 0, col);
				}
				const p = env(e.name);
				if (p !== undefined && program.params.some((q) => q.name === e.name)) return { c: p };
				const bound = bindings.get(e.name);
				if (bound) return bound;
				const expr = program.bindings.get(e.name);
				if (!expr) throw new ValidationError(`no value for parameter \`${e.name}\``);
				const v = ev(expr);
				bindings.set(e.name, v);
				return v;
			}
			case 'unary': {
				const a = ev(e.arg);
				if (e.op === '-') {
					if (isConst(a)) return { c: -a.c };
					return b.node(`(-${a.key})`, `-${a.label}`, a.fd, OP.NEG, a.r, -1, 0, 0);
				}
				if (isConst(a)) return { c: a.c === 1 ? 0 : a.c === 0 ? 1 : NaN };
				return b.node(`(not ${a.key})`, `not ${a.label}`, a.fd, OP.NOT, a.r, -1, 0, 0);
			}
			case 'binary': {
				const l = ev(e.left);
				const r = ev(e.right);
				if (e.op === '+' || e.op === '-' || e.op === '*' || e.op === '/') return arith(e.op, l, r);
				if (e.op === 'and' || e.op === 'or') return logic(e.op, l, r);
				return compare(e.op, l, r);
			}
			case 'lag': {
				const a = ev(e.arg);
				const k = intArg(ev(e.lag), 'a lag', 0);
				if (isConst(a) || k === 0) return a;
				return b.node(`(${a.key})[${k}]`, `${a.label}[${k}]`, a.fd + k, a.bool ? OP.LAGB : OP.LAG, a.r, -1, 0, k);
			}
			case 'call': {
				const args = e.args.map(ev);
				switch (e.name) {
					case 'crossover':
					case 'crossunder': {
						const dir = e.name === 'crossover' ? 1 : -1;
						const [x, y] = args;
						if (isConst(x) && isConst(y)) return { c: 0 };
						const xr = b.reg(x);
						const label = `${e.name}(${xr.label}, ${isConst(y) ? fmt(y.c) : y.label})`;
						if (isConst(y)) return b.node(`${e.name}(${xr.key},k${y.c})`, label, xr.fd + 1, OP.CROSSK, xr.r, -1, y.c, dir);
						if (y.band) return b.node(`${e.name}(${xr.key},${y.key})`, label, Math.max(xr.fd, y.fd) + 1, OP.CROSSB, xr.r, y.band.a, y.band.k, dir, y.band.c);
						return b.node(`${e.name}(${xr.key},${y.key})`, label, Math.max(xr.fd, y.fd) + 1, OP.CROSS, xr.r, y.r, 0, dir);
					}
					case 'abs': {
						const [x] = args;
						if (isConst(x)) return { c: Math.abs(x.c) };
						return b.node(`abs(${x.key})`, `abs(${x.label})`, x.fd, OP.ABS, x.r, -1, 0, 0);
					}
					case 'min':
					case 'max': {
						const [x, y] = args;
						if (isConst(x) && isConst(y)) return { c: Number.isNaN(x.c) || Number.isNaN(y.c) ? NaN : e.name === 'min' ? Math.min(x.c, y.c) : Math.max(x.c, y.c) };
						const xr = b.reg(x);
						const yr = b.reg(y);
						return b.node(`${e.name}(${xr.key},${yr.key})`, `${e.name}(${xr.label}, ${yr.label})`, Math.max(xr.fd, yr.fd), e.name === 'min' ? OP.MIN : OP.MAX, xr.r, yr.r, 0, 0);
					}
					case 'bbupper':
					case 'bblower': {
						const p = intArg(args[1], `the period of ${e.name}`, 1);
						const mid = indicator('sma', args[0], p);
						const band = arith('*', args[2], indicator('stdev', args[0], p));
						return arith(e.name === 'bbupper' ? '+' : '-', mid, band);
					}
					case 'atr':
						return indicator('atr', { c: 0 }, intArg(args[0], 'the period of atr', 1));
					case 'rsi':
						if (args.length === 1) return indicator('rsi', ev({ kind: 'name', name: 'close', span: zero }), intArg(args[0], 'the period of rsi', 1));
						return indicator('rsi', args[0], intArg(args[1], 'the period of rsi', 1));
					default: {
						const name = e.name as keyof typeof IND_KIND;
						return indicator(name, args[0], intArg(args[1], `the period of ${name}`, 1));
					}
				}
			}
		}
	}

	for (const c of program.constraints) {
		const v = ev(c.expr);
		if (!isConst(v) || v.c !== 1) throw new ValidationError(`the parameters break the rule's condition \`require ${c.text}\``);
	}
	const sig: number[] = [];
	const warmup = {} as Record<SignalName, number>;
	for (const s of SIGNALS) {
		const e = program.signals[s];
		const v = e ? ev(e) : { c: 0 };
		if (isConst(v)) {
			sig.push(v.c === 1 ? b.reg(v, true).r : -1);
			warmup[s] = v.c === 1 ? 0 : -1;
		} else {
			sig.push(v.r);
			warmup[s] = v.fd;
		}
	}
	let levels: CompiledRules['levels'] = null;
	if (program.levels.stopLoss || program.levels.takeProfit) {
		levels = {};
		for (const name of ['stopLoss', 'takeProfit'] as const) {
			const e = program.levels[name];
			if (!e) continue;
			let atrCall: Expr | undefined;
			let kExpr: Expr | undefined;
			if (e.kind === 'call' && e.name === 'atr') atrCall = e;
			else if (e.kind === 'binary' && e.op === '*') {
				if (e.left.kind === 'call' && e.left.name === 'atr') [atrCall, kExpr] = [e.left, e.right];
				else if (e.right.kind === 'call' && e.right.name === 'atr') [atrCall, kExpr] = [e.right, e.left];
			}
			if (atrCall && atrCall.kind === 'call') {
				const period = intArg(ev(atrCall.args[0]), `the atr period of ${name}`, 1);
				const k = kExpr ? ev(kExpr) : { c: 1 };
				if (!isConst(k) || !(k.c > 0) || !Number.isFinite(k.c)) throw new ValidationError(`${name}: the ATR multiple must be above 0, got ${isConst(k) ? k.c : 'a series'}`);
				if (levels.atrPeriod !== undefined && levels.atrPeriod !== period)
					throw new ValidationError(`stopLoss and takeProfit use atr(${levels.atrPeriod}) and atr(${period}): the engine takes one ATR period for both levels; use the same period`);
				levels.atrPeriod = period;
				levels[name] = { mode: 'atr', value: k.c };
			} else {
				const v = ev(e);
				if (!isConst(v)) throw new ValidationError(`${name} must be a constant fraction`);
				if (!(v.c > 0) || !Number.isFinite(v.c) || (name === 'stopLoss' && v.c >= 1))
					throw new ValidationError(`${name} must be a fraction of the entry price above 0${name === 'stopLoss' ? ' and below 1' : ''} (0.02 = 2 %), got ${v.c}`);
				levels[name] = { mode: 'fraction', value: v.c };
			}
		}
	}
	const outputs: CompiledRules['outputs'] = {};
	for (const name of options.outputs ?? []) {
		if (!program.bindings.has(name) && !program.params.some((p) => p.name === name)) throw new ValidationError(`the rule has no named expression \`${name}\``);
		const v = ev({ kind: 'name', name, span: zero });
		outputs[name] = isConst(v) ? { value: v.c } : { reg: v.r, bool: v.bool };
	}
	// A signal that is `x and y` (and nothing else uses that register) is tested in the core's final pass as the pair
	// (x, y): `and` is 1 exactly when both are 1.
	const refs = new Uint16Array(b.nRegs);
	for (let r = 0; r < b.nRegs; r++) {
		const at = r * OP_STRIDE;
		for (const operand of [b.ops[at + 2], b.ops[at] === OP.IND ? -1 : b.ops[at + 3], b.ops[at + 6]]) if (operand >= 0) refs[operand]++;
	}
	for (const r of sig) if (r >= 0) refs[r]++;
	for (const o of Object.values(outputs)) if ('reg' in o) refs[o.reg]++;
	const sig2 = sig.map(() => -1);
	sig.forEach((r, i) => {
		if (r >= 0 && b.ops[r * OP_STRIDE] === OP.AND && refs[r] === 1) {
			sig[i] = b.ops[r * OP_STRIDE + 2];
			sig2[i] = b.ops[r * OP_STRIDE + 3];
		}
	});
	// Dead ops (e.g. a band only used by fused crossings) are dropped; registers keep their numbers.
	const used = new Uint8Array(b.nRegs);
	for (const r of [...sig, ...sig2]) if (r >= 0) used[r] = 1;
	for (const o of Object.values(outputs)) if ('reg' in o) used[o.reg] = 1;
	for (const s of b.series) used[s.reg] = 1;
	const keep: number[] = [];
	for (let r = b.nRegs - 1; r >= 0; r--) {
		if (!used[r]) continue;
		keep.push(r);
		const at = r * OP_STRIDE;
		const op = b.ops[at];
		for (const operand of [b.ops[at + 2], op === OP.IND ? -1 : b.ops[at + 3], b.ops[at + 6]]) if (operand >= 0) used[operand] = 1;
	}
	keep.reverse();
	const nOps = keep.length;
	const plan = new Float64Array(HEADER + nOps * OP_STRIDE);
	plan[0] = b.nRegs;
	plan[1] = nOps;
	plan[2] = 0;
	for (let i = 0; i < 4; i++) {
		plan[3 + i] = sig[i];
		plan[7 + i] = sig2[i];
	}
	keep.forEach((r, i) => plan.set(b.ops.slice(r * OP_STRIDE, (r + 1) * OP_STRIDE), HEADER + i * OP_STRIDE));
	return { plan, nRegs: b.nRegs, warmup, levels, series: b.series, outputs };
}

const zero = { line: 1, column: 1, from: 0, to: 0 };
