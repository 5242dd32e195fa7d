/**
 * Without the compiled core the command fails with exit status 1 and tells the user to build it. The engine's
 * Node loader is replaced by one that throws its real "not found" error (the shared build is left untouched).
 */
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main';

vi.mock('../../../src/lib/engine/node', () => {
	const missing = async () => {
		throw new Error('WASM core not found at /x/assembly/build/release.wasm: run `npm run asbuild` first.');
	};
	return { runBacktest: missing, createNodeEngine: missing };
});

describe('missing WASM build', () => {
	it('is a one-line error naming npm run asbuild:release, exit 1', async () => {
		let stderr = '';
		const status = await main(['--data', 'tests/fixtures/binance-archive/BTCUSDT-1h-2023-02.csv', '--strategy', 'sma-cross'], {
			stdout: () => undefined,
			stderr: (s) => void (stderr += s)
		});
		expect(status).toBe(1);
		expect(stderr).toBe('error: WASM core not found at /x/assembly/build/release.wasm: run `npm run asbuild:release` first.\n');
	});
});
