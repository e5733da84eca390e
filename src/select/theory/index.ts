/**
 * Best-of-n theory (`bonbon/theory`): the closed forms behind choosing n and training BoNBoN.
 *
 * Under a continuous reward with no ties, best-of-n against its base policy wins with probability
 * n/(n+1) at KL log n − (n−1)/n, and is within 0.01 of the best win rate any policy reaches at that
 * KL. BoNBoN trains a model to imitate its own best-of-n with an IPO target of (n−1)H₍ₙ₋₁₎.
 *
 * @see https://arxiv.org/abs/2406.00832 (Gui, Gârbacea, Veitch: BoNBoN alignment, NeurIPS 2024)
 * @module
 */
export { harmonic } from './harmonic.js'
export { winRate, nForWinRate } from './win-rate.js'
export { klBound, nForKlBudget } from './kl-bound.js'
export { betaStar, ipoTarget } from './beta-star.js'
export {
  optimalTiltWinRate,
  optimalTiltKl,
  optimalWinRateAtKl,
  optimalGainOverBestOfN,
  type OptimalTilt,
} from './optimal-tilt.js'
