/** Test helper: the backtrader S1 BTCUSDT reference trades (tests/fixtures/reference) in the app's Trade shape. */
import type { Trade } from '../../../src/lib/engine/types';
import { loadReferenceCase, referenceTradeToTrade } from '../helpers/fixtures';

/** The backtrader S1 trades in the app's Trade shape. */
export function referenceTrades(): Trade[] {
	return loadReferenceCase('S1', 'BTCUSDT').trades.map(referenceTradeToTrade);
}
