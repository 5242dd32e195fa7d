// Minimal-loop probe: the machine's practical limit for an SMA-cross backtest (issue #18). It does only what such
// a backtest must do per bar: the crossing test of two cached SMAs, a fill at the next open with a fee, stop-loss and
// take-profit against the bar's low/high, equity marked at the close, and the running peak / maximum drawdown.
// Nothing else: no tie band, no trade records, no equity column, no daily returns, no exposure or ambiguity counts.
// `npm run bench` prints the kernel's speed on the same grid beside it (scripts/bench-kernel.ts); their ratio is how
// close run() is to the limit. Not part of the product's semantics: never used for results.
import { colPtr, barCount, COL_OPEN, COL_HIGH, COL_LOW, COL_CLOSE } from './layout';
import { ld } from './layout';
import { indicator, nextStamp, IND_SMA } from './indicators';


let probeMaxDd: f64 = 0;

/**
 * Long-only SMA(fast)/SMA(slow) cross over the loaded bars with fractional stop-loss `sl` and take-profit `tp`
 * (0 = none), `fee` per fill (fraction of notional), all-in sizing from `initialCash`. Returns the final equity;
 * probeDrawdown() the maximum drawdown ratio of the run.
 */
export function probeSmaCross(fast: i32, slow: i32, fee: f64, sl: f64, tp: f64, initialCash: f64): f64 {
  const n = barCount();
  nextStamp();
  const a = indicator(IND_SMA, COL_CLOSE, fast);
  const b = indicator(IND_SMA, COL_CLOSE, slow);
  const oP = colPtr(COL_OPEN);
  const hP = colPtr(COL_HIGH);
  const lP = colPtr(COL_LOW);
  const cP = colPtr(COL_CLOSE);
  const slK = sl > 0 ? 1.0 - sl : -Infinity;
  const tpK = tp > 0 ? 1.0 + tp : Infinity;
  const buyK = 1.0 + fee;
  const sellK = 1.0 - fee;
  let cash = initialCash;
  let peak = initialCash;
  let maxDd: f64 = 0;
  let ddThr = initialCash; // equity below this is a new maximum drawdown
  let above = ld(a, 0) > ld(b, 0);
  let t = 1;
  while (t < n - 1) {
    // Flat: equity is the cash (peak and drawdown cannot change); wait for the fast SMA to cross above the slow one.
    while (t < n - 1) {
      const up = ld(a, t) > ld(b, t);
      const cross = up && !above;
      above = up;
      t++;
      if (cross) break;
    }
    if (t >= n - 1) break;
    // Enter at this open; then levels, equity, drawdown and the cross below, bar by bar.
    const entry = ld(oP, t);
    const units = cash / (entry * buyK);
    const slL = entry * slK;
    const tpL = entry * tpK;
    let exitAt: f64 = 0;
    while (t < n - 1) {
      if (ld(lP, t) <= slL) {
        const o = ld(oP, t);
        exitAt = o < slL ? o : slL;
        break;
      }
      if (ld(hP, t) >= tpL) {
        const o = ld(oP, t);
        exitAt = o > tpL ? o : tpL;
        break;
      }
      const eq = units * ld(cP, t);
      if (eq > peak) {
        peak = eq;
        ddThr = peak * (1.0 - maxDd);
      } else if (eq < ddThr) {
        maxDd = 1.0 - eq / peak;
        ddThr = peak * (1.0 - maxDd);
      }
      const up = ld(a, t) > ld(b, t);
      const down = above && !up;
      above = up;
      t++;
      if (down) {
        exitAt = ld(oP, t);
        break;
      }
    }
    cash = units * (exitAt > 0 ? exitAt : ld(cP, n - 1)) * sellK;
    if (cash < ddThr) {
      maxDd = 1.0 - cash / peak;
      ddThr = peak * (1.0 - maxDd);
    }
    t++;
  }
  probeMaxDd = maxDd;
  return cash;
}

/** Maximum drawdown ratio of the last probeSmaCross run. */
export function probeDrawdown(): f64 {
  return probeMaxDd;
}
