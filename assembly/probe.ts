// Minimal-loop probe: the machine's practical limit for an SMA-cross backtest (issue #18). It does only what such
// a backtest must do per bar: the crossing test of two cached SMAs, a fill at the next open with a fee, stop-loss and
// take-profit against the bar's low/high, equity marked at the close, and the running peak / maximum drawdown.
// Nothing else: no tie band, no trade records, no equity column, no daily returns, no exposure or ambiguity counts.
// `npm run bench` prints the kernel's speed on the same grid beside it (scripts/bench-kernel.ts); their ratio is how
// close run() is to the limit. Not part of the product's semantics: never used for results.
import { colPtr, barCount, COL_OPEN, COL_HIGH, COL_LOW, COL_CLOSE } from './layout';
import { indicator, nextStamp, IND_SMA } from './indicators';

// @ts-ignore: decorator
@inline function ld(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

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
  let units: f64 = 0;
  let slL: f64 = 0;
  let tpL: f64 = 0;
  let pend: i32 = 0; // 1 buy, 2 sell at the next open
  let above = ld(a, 0) > ld(b, 0);
  let peak = initialCash;
  let maxDd: f64 = 0;
  let ddThr = initialCash; // equity below this is a new maximum drawdown
  let eq = initialCash;
  for (let t = 1; t < n; t++) {
    if (pend != 0) {
      const o = ld(oP, t);
      if (pend == 1) {
        units = cash / (o * buyK);
        cash = 0;
        slL = o * slK;
        tpL = o * tpK;
      } else {
        cash = units * o * sellK;
        units = 0;
      }
      pend = 0;
    }
    if (units != 0) {
      const l = ld(lP, t);
      const h = ld(hP, t);
      if (l <= slL) {
        const o = ld(oP, t);
        cash = units * (o < slL ? o : slL) * sellK;
        units = 0;
      } else if (h >= tpL) {
        const o = ld(oP, t);
        cash = units * (o > tpL ? o : tpL) * sellK;
        units = 0;
      }
    }
    eq = cash + units * ld(cP, t);
    if (eq > peak) {
      peak = eq;
      ddThr = peak * (1.0 - maxDd);
    } else if (eq < ddThr) {
      maxDd = 1.0 - eq / peak;
      ddThr = peak * (1.0 - maxDd);
    }
    const up = ld(a, t) > ld(b, t);
    if (up != above) {
      if (up && units == 0) pend = 1;
      else if (!up && units != 0) pend = 2;
      above = up;
    }
  }
  probeMaxDd = maxDd;
  return eq;
}

/** Maximum drawdown ratio of the last probeSmaCross run. */
export function probeDrawdown(): f64 {
  return probeMaxDd;
}
