/**
 * The four built-in strategies written as rules (static/rules/<id>.rules) give bit-identical trades, equity, signals
 * and summaries to the built-in versions: on the golden reference cases, and on random parameters, directions, stops
 * and sizing on three markets.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../../src/lib/rules';
import { createNodeEngine } from '../../../src/lib/engine/node';
import type { WasmEngine } from '../../../src/lib/engine/wasm-engine';
import type { BacktestConfig, BuiltinStrategyId } from '../../../src/lib/engine/types';
import { listReferenceCases, loadSymbolKlines, referenceWindow, scenarioConfig, sliceColumns, type RefSymbol } from '../helpers/fixtures';
import { randomConfig, rng } from '../helpers/random-config';

const IDS: BuiltinStrategyId[] = ['sma-cross', 'rsi-mean-reversion', 'ema-atr-breakout', 'rsi-atr-momentum'];
const ruleText = (id: string) => readFileSync(new URL(`../../../static/rules/${id}.rules`, import.meta.url), 'utf8');
const asRules = (c: BacktestConfig): BacktestConfig => ({ ...c, strategy: 'rules', rules: { name: c.strategy, source: ruleText(c.strategy) } });

function expectIdentical(engine: WasmEngine, config: BacktestConfig): number {
	// Signals compared through the generic path (the built-ins' fast path writes no flag bytes); trades, equity and
	// summary of the built-in come from its fast path.
	const sa = engine.withSignals(() => (engine.run(config), engine.readSignals()));
	const a = engine.run(config);
	const b = engine.run(asRules(config));
	const sb = engine.readSignals();
	expect(Buffer.from(sb).equals(Buffer.from(sa)), `signals of ${JSON.stringify(config)}`).toBe(true);
	expect(b.trades).toEqual(a.trades);
	expect(Buffer.from(b.equity.buffer).equals(Buffer.from(a.equity.buffer)), 'equity bit for bit').toBe(true);
	expect(b.summary).toEqual(a.summary);
	return a.trades.length;
}

describe('built-in strategies as rules', () => {
	const engines = new Map<RefSymbol, WasmEngine>();
	beforeAll(async () => {
		for (const symbol of ['BTCUSDT', 'ETHUSDT'] as RefSymbol[]) {
			const e = await createNodeEngine();
			e.load(referenceWindow(symbol));
			engines.set(symbol, e);
		}
	});

	it('the rule files declare the built-ins\' parameter names and defaults', async () => {
		const { ruleDefinition } = await import('../../../src/lib/rules');
		const { getStrategy } = await import('../../../src/lib/engine/strategies');
		for (const id of IDS) {
			const def = ruleDefinition({ name: id, source: ruleText(id) });
			const builtin = getStrategy(id);
			expect(def.params.map((p) => [p.name, p.default, p.min, p.max, p.type === 'bool' ? 'bool' : 'num'])).toEqual(
				builtin.params.map((p) => [p.name, p.default, p.min, p.max, p.type === 'bool' ? 'bool' : 'num'])
			);
		}
	});

	for (const [scenario, symbol] of listReferenceCases()) {
		it(`golden case ${scenario} ${symbol}: identical trades, equity and signals`, () => {
			expectIdentical(engines.get(symbol)!, scenarioConfig(scenario));
		});
	}

	it('random parameters, directions, stops and sizing on BTC, ETH and SOL: identical (200 runs)', async () => {
		const sol = await createNodeEngine();
		const s = loadSymbolKlines('SOLUSDT' as RefSymbol);
		sol.load(sliceColumns(s, s.openTime.length - 6000, s.openTime.length));
		const pool = [engines.get('BTCUSDT')!, engines.get('ETHUSDT')!, sol];
		const r = rng(15);
		let trades = 0;
		let withTrades = 0;
		for (let i = 0; i < 200; i++) {
			const id = IDS[i % IDS.length];
			const config = randomConfig(id, r);
			const n = expectIdentical(pool[i % pool.length], config);
			trades += n;
			if (n > 0) withTrades++;
		}
		expect(withTrades).toBeGreaterThan(150);
		expect(trades).toBeGreaterThan(5000);
	});
});
