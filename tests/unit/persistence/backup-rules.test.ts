/**
 * Backups carry the saved rule strategies ("My strategies", schema v5): exported and imported exactly (a draft with
 * rule problems too: the editor keeps work in progress), add-only (a stored rule with the same id is kept as it is),
 * a second import adds nothing, a malformed record rejects the whole file naming it, and a backup made before v5
 * still imports.
 */
import 'fake-indexeddb/auto';
import { gunzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { BackupError, exportAll, importAll, readBackup } from '../../../src/lib/persistence/backup';
import { openAppDb } from '../../../src/lib/persistence/db';
import { RuleStrategiesRepository, type RuleStrategyRecord } from '../../../src/lib/persistence/rule-strategies';
import { importSummary } from '../../../src/lib/state/backup.svelte';
import { freshFactory } from './helpers';

const crossing: RuleStrategyRecord = {
	id: 'rule-a',
	name: 'SMA crossing',
	source: 'param fast = 10 in 2..50 step 1\nparam slow = 30 in 5..200 step 1\nenter long when crossover(sma(close, fast), sma(close, slow))\nexit long when crossunder(sma(close, fast), sma(close, slow))\n',
	createdAt: 1_000,
	updatedAt: 2_000
};
const draft: RuleStrategyRecord = { id: 'rule-b', name: 'Draft (unfinished)', source: 'enter long when rsi(close, 14) <', createdAt: 3_000, updatedAt: 3_000 };

const docOf = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(gunzipSync(bytes)));
const fileOf = (doc: unknown) => new TextEncoder().encode(JSON.stringify(doc));

describe('backup of saved rule strategies', () => {
	it('round-trips them exactly (drafts too), add-only: a stored rule with the same id is kept; a second import adds nothing', async () => {
		const src = await openAppDb('rules-src', freshFactory());
		const repo = new RuleStrategiesRepository(src);
		await repo.put(crossing);
		await repo.put(draft);
		const bytes = await exportAll(src, { now: 5_000 });
		expect(readBackup(bytes).ruleStrategies).toEqual([crossing, draft]);

		const dst = await openAppDb('rules-dst', freshFactory());
		const mine: RuleStrategyRecord = { ...crossing, name: 'My own edit', source: 'enter long when close > open\n', updatedAt: 9_000 };
		await new RuleStrategiesRepository(dst).put(mine);
		const report = await importAll(dst, bytes);
		expect(report.ruleStrategies).toEqual({ added: 1, skipped: 1 });
		expect(await new RuleStrategiesRepository(dst).get('rule-a')).toEqual(mine);
		expect(await new RuleStrategiesRepository(dst).get('rule-b')).toEqual(draft);
		expect(importSummary(report).join('\n')).toMatch(/My strategies: 1 rule strategy added, 1 already stored and kept\./);
		expect((await importAll(dst, bytes)).ruleStrategies).toEqual({ added: 0, skipped: 2 });
		expect((await new RuleStrategiesRepository(dst).list()).length).toBe(2);
	});

	it('a malformed rule strategy rejects the whole file, naming it; nothing is written', async () => {
		const src = await openAppDb('rules-bad', freshFactory());
		await src.put('settings', 'kept in the file', 'some-setting');
		const doc = docOf(await exportAll(src, { now: 1 }));
		for (const [bad, field] of [
			[{ ...crossing, source: 42 }, /ruleStrategies\[0\] \(id "rule-a"\).*source/],
			[{ ...crossing, name: '   ' }, /ruleStrategies\[0\] \(id "rule-a"\).*name/],
			[{ ...crossing, name: 'x'.repeat(81) }, /ruleStrategies\[0\] \(id "rule-a"\).*name/],
			[{ ...crossing, updatedAt: 'yesterday' }, /ruleStrategies\[0\] \(id "rule-a"\).*updatedAt/]
		] as const) {
			const dst = await openAppDb(`rules-bad-dst-${String(field).length}-${Math.random()}`, freshFactory());
			const err = await importAll(dst, fileOf({ ...doc, ruleStrategies: [bad] })).catch((e) => e);
			expect(err).toBeInstanceOf(BackupError);
			expect(err.message).toMatch(field);
			expect(await dst.getAll('ruleStrategies')).toEqual([]);
			expect(await dst.getAll('settings')).toEqual([]);
		}
		const twice = await importAll(await openAppDb('rules-dup', freshFactory()), fileOf({ ...doc, ruleStrategies: [crossing, crossing] })).catch((e) => e);
		expect(twice.message).toMatch(/ruleStrategies has two records with id "rule-a"/);
	});

	it('a backup made before schema v5 (no ruleStrategies list) still imports', async () => {
		const src = await openAppDb('rules-old', freshFactory());
		const doc = docOf(await exportAll(src, { now: 1 }));
		delete doc.ruleStrategies;
		doc.schemaVersion = 4;
		const dst = await openAppDb('rules-old-dst', freshFactory());
		const report = await importAll(dst, fileOf(doc));
		expect(report.ruleStrategies).toBeUndefined();
		expect(readBackup(fileOf(doc)).ruleStrategies).toEqual([]);
	});
});
