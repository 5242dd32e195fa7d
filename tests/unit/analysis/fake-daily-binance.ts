/**
 * A fake Binance REST endpoint for scanner tests: `GET /api/v3/klines` answered from the real daily candles in
 * tests/fixtures/klines-1d/<SYMBOL>-1d.csv (startTime/endTime on open time, limit ≤ 1000, only candles opened by
 * `now`, 12-field rows), `exchangeInfo` from the recorded full exchangeInfo (2022-12-17) and `ticker/24hr` from the
 * recorded all-symbols ticker (2024-03-10). A symbol missing from exchangeInfo gets Binance's -1121 answer; symbols
 * listed in `fail451` get HTTP 451; `offline` makes every request fail at the network level.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fixtureGunzipText } from '../data/fixtures';
import { fixturePath } from '../helpers/fixtures';

const DAY = 86_400_000;
const files = new Map<string, string[][] | null>();

function rowsOf(symbol: string): string[][] | null {
	if (!files.has(symbol)) {
		const p = fixturePath(`klines-1d/${symbol}-1d.csv`);
		files.set(symbol, existsSync(p) ? readFileSync(p, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')) : null);
	}
	return files.get(symbol)!;
}

let info: { symbols: { symbol: string }[] } | undefined;
let tickerText: string | undefined;

export interface FakeDaily {
	fetch: typeof fetch;
	now: () => number;
	setNow(t: number): void;
	/** URLs requested, in order. */
	calls: string[];
	fail451: Set<string>;
	offline: boolean;
}

export function fakeDailyBinance(now: number): FakeDaily {
	const exchangeText = fixtureGunzipText('api/spot-exchangeInfo-full-2022-12-17.json.gz');
	info ??= JSON.parse(exchangeText);
	tickerText ??= fixtureGunzipText('api/spot-ticker-24hr-all-2024-03-10.json.gz');
	const listed = new Set(info!.symbols.map((s) => s.symbol));
	const state: FakeDaily = {
		calls: [],
		fail451: new Set(),
		offline: false,
		now: () => now,
		setNow: (t) => (now = t),
		fetch: async (input) => {
			const url = new URL(String(input));
			state.calls.push(url.pathname + url.search);
			if (state.offline) throw new TypeError('Failed to fetch');
			const json = (body: string, status = 200) => new Response(body, { status, headers: { 'content-type': 'application/json' } });
			if (url.pathname === '/api/v3/exchangeInfo') return json(exchangeText);
			if (url.pathname === '/api/v3/ticker/24hr') return json(tickerText!);
			if (url.pathname === '/api/v3/klines') {
				const symbol = url.searchParams.get('symbol')!;
				if (state.fail451.has(symbol)) return new Response('', { status: 451 });
				if (!listed.has(symbol)) return json(JSON.stringify({ code: -1121, msg: 'Invalid symbol.' }), 400);
				const start = Number(url.searchParams.get('startTime') ?? 0);
				const end = Number(url.searchParams.get('endTime') ?? Infinity);
				const limit = Number(url.searchParams.get('limit') ?? 500);
				const out = (rowsOf(symbol) ?? [])
					.filter((r) => Number(r[0]) >= start && Number(r[0]) <= end && Number(r[0]) <= now)
					.slice(0, limit)
					.map((r) => [Number(r[0]), r[1], r[2], r[3], r[4], r[5], Number(r[0]) + DAY - 1, '0', 0, '0', '0', '0']);
				return json(JSON.stringify(out));
			}
			return json(JSON.stringify({ code: -1, msg: 'unknown path' }), 404);
		}
	};
	return state;
}
