import { checkFinite, checkInteger } from './check-number.js'
import { klBound } from './kl-bound.js'
import { winRate } from './win-rate.js'

/**
 * b_k = B₂ₖ/(2k)! (B = Bernoulli numbers), k = 1..10: WR*(c) = 1/2 + Σ b_k c^(2k−1), the series of
 * (1/2)coth(c/2) − 1/c. Its ratio of terms is about (c/2π)², so ten terms reach double precision
 * for |c| < 1, where the closed form loses digits to cancellation (both of its terms are ~1/c).
 */
const bernoulliOverFactorial = [
  1 / 12,
  -1 / 720,
  1 / 30_240,
  -1 / 1_209_600,
  1 / 47_900_160,
  -691 / 1_307_674_368_000,
  1 / 74_724_249_600,
  -3617 / 10_670_622_842_880_000,
  43_867 / 5_109_094_217_170_944_000,
  -174_611 / 802_857_662_698_291_200_000,
] as const

/** Below this |c| the series are used. */
const seriesBelow = 1

/** Σ coefficients[k] · s^k by Horner's rule. */
function polynomial(coefficients: readonly number[], s: number): number {
  let sum = 0
  for (let k = coefficients.length - 1; k >= 0; k--) sum = sum * s + (coefficients[k] ?? 0)
  return sum
}

/** KL*(c) = Σ (2k−1)/(2k) · b_k · c^(2k), from KL = c·f′(c) − f(c) with f(c) = log((e^c − 1)/c). */
const klSeries = bernoulliOverFactorial.map((b, index) => ((2 * index + 1) / (2 * index + 2)) * b)

/**
 * Win rate against the base policy of the win-rate-optimal tilt π*_c ∝ π₀ · exp(c · Q(r)), where
 * Q(r) is the reward's CDF under π₀:
 * WR*(c) = E_g[U] = 1/(1 − e^(−c)) − 1/c for the density g(u) = c·e^(cu)/(e^c − 1) on [0, 1].
 *
 * Stable everywhere: a Bernoulli series for |c| < 1 (WR*(c) → 1/2 + c/12 as c → 0) and `expm1`
 * beyond (no overflow at c = 1000, where WR* = 0.999). Negative c tilts towards low rewards:
 * WR*(−c) = 1 − WR*(c).
 *
 * @param c - Tilt strength, c = 1/β in KL-regularised RL on the calibrated reward; any finite number.
 * @throws RangeError when c is not finite.
 * @see https://arxiv.org/abs/2406.00832 (BoN is almost exactly this optimum at the same KL)
 */
export function optimalTiltWinRate(c: number): number {
  checkFinite('optimalTiltWinRate(c): c', c)
  if (Math.abs(c) < seriesBelow) return 0.5 + c * polynomial(bernoulliOverFactorial, c * c)
  return -1 / Math.expm1(-c) - 1 / c
}

/**
 * KL(π*_c ‖ π₀) of the win-rate-optimal tilt, in nats: KL*(c) = c·WR*(c) − log((e^c − 1)/c).
 *
 * Stable everywhere: a series for |c| < 1 (KL* → c²/24 as c → 0), else the rearrangement
 * c/(e^c − 1) − 1 + log c − log(1 − e^(−c)), which neither overflows (c = 1000 gives log 1000 − 1)
 * nor cancels catastrophically. Symmetric: KL*(−c) = KL*(c).
 *
 * @param c - Tilt strength; any finite number.
 * @throws RangeError when c is not finite.
 * @see https://arxiv.org/abs/2406.00832
 */
export function optimalTiltKl(c: number): number {
  checkFinite('optimalTiltKl(c): c', c)
  const size = Math.abs(c)
  if (size < seriesBelow) return size * size * polynomial(klSeries, size * size)
  return size / Math.expm1(size) - 1 + Math.log(size) - Math.log1p(-Math.exp(-size))
}

/** The win-rate-optimal tilt reaching a given KL. */
export interface OptimalTilt {
  /** The tilt strength c ≥ 0 with KL*(c) equal to the requested KL. */
  readonly c: number
  /** Its win rate against the base policy, WR*(c). */
  readonly winRate: number
}

/** The largest KL any finite c reaches: KL*(Number.MAX_VALUE) ≈ 708.8 nats. */
const largestReachableKl = optimalTiltKl(Number.MAX_VALUE)

/**
 * The best win rate any policy can reach against π₀ within `kl` nats of it: solves
 * KL*(c) = kl for c ≥ 0 and returns c with WR*(c).
 *
 * KL*(c) increases with c (its derivative is c·Var_g(U) > 0), so the root is bracketed by doubling
 * from [0, 1] and then bisected down to adjacent doubles: no derivative, no starting guess, no
 * failure mode. At kl = 0 the answer is c = 0 and win rate 1/2.
 *
 * @param kl - KL budget in nats, a finite number in [0, ≈708.8].
 * @throws RangeError when kl is negative, not finite, or beyond what a finite c reaches.
 * @see https://arxiv.org/abs/2406.00832
 */
export function optimalWinRateAtKl(kl: number): OptimalTilt {
  checkFinite('optimalWinRateAtKl(kl): kl', kl, 0, largestReachableKl)
  if (kl === 0) return { c: 0, winRate: 0.5 }
  let low = 0
  let high = 1
  while (optimalTiltKl(high) < kl) {
    low = high
    high = Math.min(high * 2, Number.MAX_VALUE)
  }
  for (;;) {
    const middle = low + (high - low) / 2
    if (middle <= low || middle >= high) break
    if (optimalTiltKl(middle) < kl) low = middle
    else high = middle
  }
  const c = kl - optimalTiltKl(low) < optimalTiltKl(high) - kl ? low : high
  return { c, winRate: optimalTiltWinRate(c) }
}

/**
 * How much win rate the optimal policy gains over best-of-n at the same KL:
 * WR*(c*) − n/(n+1), with KL*(c*) = log n − (n−1)/n. About 0.00924 at n = 2, 0.0008 at n = 8,
 * falling roughly like n⁻³: best-of-n is essentially win-rate-vs-KL optimal.
 *
 * Absolute accuracy is about 1e-15 (a difference of two numbers close to 1).
 *
 * @param n - Number of candidates, an integer ≥ 1 (n = 1 gives 0).
 * @throws RangeError when n is not an integer ≥ 1.
 * @see https://arxiv.org/abs/2406.00832 (Figure 2, right)
 */
export function optimalGainOverBestOfN(n: number): number {
  checkInteger('optimalGainOverBestOfN(n): n', n, 1)
  return optimalWinRateAtKl(klBound(n)).winRate - winRate(n)
}
