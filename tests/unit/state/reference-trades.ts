/** Test helper: the backtrader S1 BTCUSDT reference trades (tests/fixtures/reference) in the app's Trade shape. */
import type { Trade } from '../../../src/lib/engine/types';
import { loadReferenceCase } from '../helpers/fixtures';

/** The backtrader S1 trades in the app's Trade shape. */
export function referenceTrades(): Trade[] {
	return loadReferenceCase('S1', 'BTCUSDT').trades.map((t) => ({
		direction: t.direction,
		entryBar: t.entry_bar,
		exitBar: t.exit_bar,
		entryTime: Date.parse(t.entry_time),
		exitTime: Date.parse(t.exit_time),
		entryPrice: t.entry_price,
		exitPrice: t.exit_price,
		size: t.size,
		entryFee: t.entry_fee,
		exitFee: t.exit_fee,
		pnl: t.pnl,
		profitRatio: t.pnl / (t.size * t.entry_price),
		exitReason: t.exit_reason
	}));
}

