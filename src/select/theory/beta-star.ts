import { checkInteger } from './check-number.js'
import { harmonic } from './harmonic.js'

const pairNeedsTwo = 'best and worst of n need at least two draws'

/**
 * BoNBoN's IPO regularisation β*ₙ = 1 / (2(n−1)H₍ₙ₋₁₎), with H the harmonic number.
 *
 * Chosen so that the IPO target 1/(2β) equals the expected best-over-worst log-ratio margin of the
 * best-of-n policy, E[h*] = (n−1)(E[log U₍ₙ₎] − E[log U₍₁₎]) = (n−1)H₍ₙ₋₁₎.
 * β*₈ = 1/36.3 = 0.0275482094, the value in the authors' README.
 *
 * @param n - Number of candidates the best/worst pair was drawn from, an integer ≥ 2.
 * @throws RangeError when n is not an integer ≥ 2.
 * @see https://arxiv.org/abs/2406.00832 (BoNBoN, eq. for β*ₙ)
 */
export function betaStar(n: number): number {
  checkInteger('betaStar(n): n', n, 2, pairNeedsTwo)
  return 1 / (2 * ipoTarget(n))
}

/**
 * The IPO-BoN target margin 1/(2β*ₙ) = (n−1)H₍ₙ₋₁₎, in nats of sequence-level log-ratio:
 * the expected log[π/π₀](best) − log[π/π₀](worst) under the best-of-n policy (18.15 at n = 8).
 *
 * @param n - Number of candidates the best/worst pair was drawn from, an integer ≥ 2.
 * @throws RangeError when n is not an integer ≥ 2.
 * @see https://arxiv.org/abs/2406.00832
 */
export function ipoTarget(n: number): number {
  checkInteger('ipoTarget(n): n', n, 2, pairNeedsTwo)
  return (n - 1) * harmonic(n - 1)
}
