import { checkInteger } from './check-number.js'

/** Euler–Mascheroni constant γ. */
const eulerGamma = 0.5772156649015329

/**
 * Above this k the asymptotic series is exact to double precision: its first omitted term,
 * 1/(240·k⁸), is below 2⁻⁵³·H_k, and direct summation would only add rounding error.
 */
const asymptoticFrom = 50

/**
 * The k-th harmonic number H_k = Σ_{j=1..k} 1/j, with H_0 = 0.
 *
 * Exact summation (smallest terms first) for k < 50, else the asymptotic expansion
 * H_k = ln k + γ + 1/(2k) − 1/(12k²) + 1/(120k⁴) − 1/(252k⁶), accurate to double precision.
 *
 * @param k - A non-negative safe integer.
 * @throws RangeError when k is not a non-negative safe integer.
 * @see https://arxiv.org/abs/2406.00832 (β*ₙ = 1/(2(n−1)H₍ₙ₋₁₎) uses it)
 */
export function harmonic(k: number): number {
  checkInteger('harmonic(k): k', k, 0)
  if (k < asymptoticFrom) {
    let sum = 0
    for (let j = k; j >= 1; j--) sum += 1 / j
    return sum
  }
  const inverseSquare = 1 / (k * k)
  const tail = inverseSquare * (1 / 12 - inverseSquare * (1 / 120 - inverseSquare / 252))
  return Math.log(k) + eulerGamma + 1 / (2 * k) - tail
}
