/**
 * The ruleStrategies store ("My strategies"): an upgrade from the previous schema keeps every record; the migration
 * creates only what is missing (so it may follow any other migration at merge); put, list newest save first, rename
 * by re-put, delete.
 */
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS, openAppDb, vRuleStrategies } from '../../../src/lib/persistence/db';
import { RuleStrategiesRepository, newRuleStrategyId } from '../../../src/lib/persistence/rule-strategies';
import { freshFactory } from './helpers';

describe('rule strategies store', () => {
	it('upgrading from the version before keeps runs and adds an empty store; running the migration twice is harmless', async () => {
		const factory = freshFactory();
		const i = MIGRATIONS.indexOf(vRuleStrategies);
		expect(i).toBe(MIGRATIONS.length - 1);
		const before = await openAppDb('t', factory, { migrations: MIGRATIONS.slice(0, i) });
		await before.put('runs', { id: 'r1', createdAt: 1, label: 'kept' });
		before.close();
		const db = await openAppDb('t', factory);
		expect(db.version).toBe(MIGRATIONS.length);
		expect(await db.get('runs', 'r1')).toEqual({ id: 'r1', createdAt: 1, label: 'kept' });
		expect(await new RuleStrategiesRepository(db).list()).toEqual([]);
		await new RuleStrategiesRepository(db).put({ id: 'x', name: 'kept', source: 'a', createdAt: 1, updatedAt: 1 });
		db.close();
		// The same migration again (as if reordered after another one at merge): the store and its records stay.
		const again = await openAppDb('t', factory, { migrations: [...MIGRATIONS, vRuleStrategies] });
		expect((await new RuleStrategiesRepository(again).list()).map((r) => r.name)).toEqual(['kept']);
		again.close();
	});

	it('saves, lists by last save (newest first), renames and deletes', async () => {
		const db = await openAppDb('t2', freshFactory());
		const repo = new RuleStrategiesRepository(db);
		const a = { id: newRuleStrategyId(1000), name: 'A', source: 'enterLong = close > open\nexitLong = close < open', createdAt: 1000, updatedAt: 1000 };
		const b = { ...a, id: newRuleStrategyId(2000), name: 'B', createdAt: 2000, updatedAt: 2000 };
		await repo.put(a);
		await repo.put(b);
		expect((await repo.list()).map((r) => r.name)).toEqual(['B', 'A']);
		await repo.put({ ...a, name: 'A renamed', updatedAt: 3000 });
		expect((await repo.list()).map((r) => r.name)).toEqual(['A renamed', 'B']);
		expect((await repo.get(a.id))?.source).toBe(a.source);
		await repo.delete(b.id);
		expect((await repo.list()).map((r) => r.id)).toEqual([a.id]);
		expect(a.id).toMatch(/^rule-[0-9a-z]+-[0-9a-z]{1,6}$/);
		db.close();
	});
});
