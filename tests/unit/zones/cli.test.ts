/**
 * Command line of the price-action patterns: `npm run patterns` reproduces detections.BTCUSDT.csv, the backtest and
 * optimise parsers take enumeration parameters by name, and bad values are clear errors naming the allowed values.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../../src/cli/args';
import { main } from '../../../src/cli/main';
import { parseOptimizeArgs } from '../../../src/cli/optimize-args';
import { patternsMain } from '../../../src/cli/patterns-main';
import { fixturePath } from '../helpers/fixtures';
import { loadDetections, loadPatternCase } from './helpers';

const BTC = fixturePath('klines/BTCUSDT-1h.csv');
const tmp = mkdtempSync(join(tmpdir(), 'patterns-cli-'));

function io() {
	const out: string[] = [];
	const err: string[] = [];
	return { io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t) }, out, err };
}

describe('npm run patterns', () => {
	it('lists every zone of the S-window exactly as detections.BTCUSDT.csv, with counts per pattern and direction', async () => {
		const file = join(tmp, 'zones.csv');
		const { io: sink, out } = io();
		expect(await patternsMain(['--data', BTC, '--last-contiguous', '8760', '--out', file], sink)).toBe(0);
		const rows = Papa.parse<{ pattern: string; direction: string; c: string; time: string; bottom: string; top: string; kept: string; duplicate: string }>(readFileSync(file, 'utf8'), { header: true, skipEmptyLines: true }).data;
		const key = (r: { pattern: string; direction: string; c: string | number }) => `${r.pattern}|${r.direction}|${r.c}`;
		const got = new Map(rows.map((r) => [key(r), r]));
		const expected = loadDetections();
		expect(rows.length).toBe(expected.length);
		for (const e of expected) {
			const r = got.get(key(e))!;
			expect({ time: r.time, bottom: Number(r.bottom), top: Number(r.top), kept: r.kept === 'true', duplicate: r.duplicate === 'true' }, key(e)).toEqual({
				time: e.time, bottom: e.bottom, top: e.top, kept: e.kept, duplicate: e.duplicate
			});
		}
		const text = out.join('');
		expect(text).toMatch(/fvg\s+bullish\s+859\s+387\s+9\s/);
		expect(text).toMatch(/liquidity-sweep\s+bullish\s+438\s+375\s+54\s/);
	});

	it('JSON output with one pattern, no overlap and a summary', async () => {
		const file = join(tmp, 'ob.json');
		expect(await patternsMain(['--data', BTC, '--last-contiguous', '8760', '--pattern', 'order-block', '--no-overlap', '--min-zone-ratio', '0.001', '--out', file], io().io)).toBe(0);
		const j = JSON.parse(readFileSync(file, 'utf8'));
		expect(j.options).toMatchObject({ patterns: ['order-block'], useOverlap: false, minZoneRatio: 0.001 });
		expect(j.zones.every((z: { pattern: string; duplicate: boolean }) => z.pattern === 'order-block' && !z.duplicate)).toBe(true);
		expect(j.summary.map((r: { detected: number }) => r.detected).reduce((a: number, b: number) => a + b, 0)).toBe(247);
	});

	it('bad arguments are one clear error line with exit status 2', async () => {
		for (const [argv, re] of [
			[['--data', BTC, '--pattern', 'fvgs'], /--pattern must be one of fvg, order-block, liquidity-sweep, all; got 'fvgs'/],
			[['--data', BTC, '--min-zone-ratio', 'abc'], /--min-zone-ratio must be a fraction/],
			[['--data', BTC, '--out', 'z.txt'], /--out must end in \.json or \.csv/],
			[['--pattern', 'fvg'], /--data FILE\.csv is required/]
		] as const) {
			const { io: sink, err } = io();
			expect(await patternsMain([...argv], sink)).toBe(2);
			expect(err.join('')).toMatch(re);
		}
	});
});

describe('enumeration parameters on the command line', () => {
	it('backtest: --param pattern=order-block --param entryMethod=zone-mid … reproduces case Z3', async () => {
		const cs = loadPatternCase('Z3');
		const file = join(tmp, 'z3.json');
		const { io: sink, out } = io();
		const code = await main(
			['--data', BTC, '--last-contiguous', '8760', '--strategy', 'pattern-zones', '--direction', 'long-short', '--param', 'pattern=order-block', '--param', 'entryMethod=zone-mid',
				'--param', 'tpMethod=atr-multiple', '--param', 'rrTarget=2.5', '--param', 'slBufferRatio=0.15', '--param', 'minZoneRatio=0.001', '--slippage', '0', '--out', file],
			sink
		);
		expect(code).toBe(0);
		const j = JSON.parse(readFileSync(file, 'utf8'));
		expect(j.config.params).toMatchObject({ pattern: 'order-block', entryMethod: 'zone-mid', tpMethod: 'atr-multiple' });
		expect(j.zoneCounts).toEqual(cs.counts);
		expect(j.trades.length).toBe(cs.trades.length);
		expect(j.trades[0].legs[0].time).toBe(cs.trades[0].legs[0].time);
		expect(Math.abs(j.summary.finalEquity - cs.summary.finalEquity)).toBeLessThan(1e-6);
		expect(out.join('')).toMatch(/Zones\s+detected 247, kept 243, duplicates 0, traded 193/);
	});

	it('an unknown value names the allowed values', () => {
		expect(() => parseCliArgs(['--data', BTC, '--strategy', 'pattern-zones', '--param', 'entryMethod=zone-top'])).toThrow(
			"--param entryMethod must be one of zone-edge, zone-mid, atr-buffer, got 'zone-top'."
		);
		expect(() => parseCliArgs(['--data', BTC, '--strategy', 'pattern-zones', '--stop-loss', '0.02'])).toThrow(/slBufferRatio/);
	});

	it('optimise: enumeration axes by name (--param tpMethod=fixed-rr,swing-target,atr-multiple)', () => {
		const cmd = parseOptimizeArgs([
			'--data', BTC, '--strategy', 'pattern-zones', '--param', 'tpMethod=fixed-rr,swing-target,atr-multiple', '--param', 'entryMethod=zone-edge,zone-mid',
			'--param', 'rrTarget=1.5:3.5:0.5', '--param', 'pattern=fvg', '--out', join(tmp, 'g.csv')
		]);
		if (cmd.kind !== 'run') throw new Error('expected a run');
		const axes = cmd.options.axes;
		expect(axes.find((a) => a.name === 'tpMethod')).toEqual({ name: 'tpMethod', values: ['fixed-rr', 'swing-target', 'atr-multiple'] });
		expect(() =>
			parseOptimizeArgs(['--data', BTC, '--strategy', 'pattern-zones', '--param', 'tpMethod=fixed-rr,swing', '--out', join(tmp, 'g.csv')])
		).toThrow(/tpMethod: 'swing' is not one of fixed-rr, atr-multiple, swing-target/);
	});
});

describe('optimise output names enumeration values', () => {
	it('grid CSV rows and the best-trial lines use option names', async () => {
		const { optimizeMain } = await import('../../../src/cli/optimize-main');
		const file = join(tmp, 'grid.csv');
		const { io: sink, out } = io();
		const code = await optimizeMain(
			['--data', BTC, '--last-contiguous', '8760', '--strategy', 'pattern-zones', '--param', 'tpMethod=fixed-rr,swing-target', '--param', 'rrTarget=2,3', '--threads', '1', '--slippage', '0', '--out', file],
			sink
		);
		expect(code).toBe(0);
		const lines = readFileSync(file, 'utf8').trim().split('\n');
		expect(lines[0].startsWith('tpMethod,rrTarget,finalEquity')).toBe(true);
		expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(','))).toEqual(['fixed-rr,2', 'fixed-rr,3', 'swing-target,2', 'swing-target,3']);
		// fixed-rr 2 with the defaults is case Z1
		expect(Number(lines[1].split(',')[2])).toBeCloseTo(loadPatternCase('Z1').summary.finalEquity, 6);
		expect(out.join('')).toMatch(/tpMethod=(fixed-rr|swing-target) rrTarget=/);
	});
});
