/**
 * The zones module shares the core's linear memory with the other strategies: a pattern-zones run between two runs
 * of another strategy (poly-bands keeps cached bands after the flag bytes) changes nothing in them, and vice versa.
 */
import { expect, it } from 'vitest';
import { createNodeEngine } from '../../../src/lib/engine/node';
import { defaultConfig } from '../../../src/lib/engine/strategies';
import { STRATEGY_IDS } from '../../../src/lib/engine/strategies';
import { referenceWindow } from '../helpers/fixtures';

it('runs of other strategies are identical before and after a pattern-zones run on the same engine', async () => {
	const engine = await createNodeEngine();
	engine.load(referenceWindow('BTCUSDT'));
	const zones = { ...defaultConfig('pattern-zones'), direction: 'long-short' as const };
	const z0 = engine.run(zones);
	for (const id of STRATEGY_IDS.filter((s) => s !== 'pattern-zones')) {
		const c = defaultConfig(id);
		const before = engine.run(c);
		engine.run(zones);
		const after = engine.run(c);
		expect(Array.from(after.equity), id).toEqual(Array.from(before.equity));
		expect(after.trades, id).toEqual(before.trades);
		const z = engine.run(zones);
		expect(Array.from(z.equity), id).toEqual(Array.from(z0.equity));
		expect(z.trades).toEqual(z0.trades);
	}
});
