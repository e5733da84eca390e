import { checkFinite, checkInteger } from './check-number.js'

/**
 * KL(best-of-n ‖ base policy) = log n − (n−1)/n, in nats.
 *
 * Exact for continuous rewards: log π⁽ⁿ⁾/π₀ = log n + (n−1)·log U₍ₙ₎ with E[log U₍ₙ₎] = −1/n.
 * With ties (discrete rewards, repeated answers) it is an upper bound (Beirami et al., Thm 3.1).
 *
 * @param n - Number of candidates, an integer ≥ 1 (n = 1 gives 0).
 * @throws RangeError when n is not an integer ≥ 1.
 * @see https://arxiv.org/abs/2406.00832
 * @see https://arxiv.org/abs/2401.01879
 */
export function klBound(n: number): number {
  checkInteger('klBound(n): n', n, 1)
  return Math.log(n) - (n - 1) / n
}

/**
 * The largest n ≥ 1 whose best-of-n KL, log n − (n−1)/n, stays within `budget` nats.
 *
 * n = 1 has KL 0, so any budget ≥ 0 has an answer. For example a budget of 1 nat gives n = 6
 * (KL 0.958; n = 7 would be 1.089).
 *
 * @param budget - KL budget in nats, a finite number ≥ 0.
 * @throws RangeError when the budget is negative or not finite, or allows an n beyond
 *   `Number.MAX_SAFE_INTEGER` (a budget above about 35.7 nats).
 * @see https://arxiv.org/abs/2406.00832
 */
export function nForKlBudget(budget: number): number {
  checkFinite('nForKlBudget(budget): budget', budget, 0)
  if (klBound(Number.MAX_SAFE_INTEGER) <= budget) {
    throw new RangeError(
      `nForKlBudget(budget): a budget of ${budget} nats allows n beyond Number.MAX_SAFE_INTEGER; ` +
        `use a budget below ${klBound(Number.MAX_SAFE_INTEGER)}.`,
    )
  }
  // klBound increases with n (its derivative is (n−1)/n² ≥ 0): bracket, then bisect on integers.
  let low = 1
  let high = 2
  while (klBound(high) <= budget) {
    low = high
    high = Math.min(high * 2, Number.MAX_SAFE_INTEGER)
  }
  while (high - low > 1) {
    const middle = low + Math.floor((high - low) / 2)
    if (klBound(middle) <= budget) low = middle
    else high = middle
  }
  return low
}
