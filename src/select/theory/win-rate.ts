import { checkFinite, checkInteger } from './check-number.js'

/**
 * Win rate of best-of-n against one draw of the base policy: P(r(best of n) > r(y₀)) = n/(n+1).
 *
 * Exact for continuous rewards (no ties): with U = Q(r) uniform under the base policy, the best of
 * n has U₍ₙ₎ ~ Beta(n, 1) and the win rate is E[U₍ₙ₎]. With ties it is an upper bound.
 *
 * @param n - Number of candidates, an integer ≥ 1 (n = 1 is the base policy: 1/2).
 * @throws RangeError when n is not an integer ≥ 1.
 * @see https://arxiv.org/abs/2406.00832 (BoNBoN, §1 of the design notes)
 * @see https://arxiv.org/abs/2401.01879 (Beirami et al.: the bound with ties)
 */
export function winRate(n: number): number {
  checkInteger('winRate(n): n', n, 1)
  return n / (n + 1)
}

/**
 * The smallest n whose best-of-n win rate n/(n+1) reaches `target`: n = ⌈w/(1−w)⌉, at least 1.
 *
 * @param target - Win rate wanted, in [0, 1). Below 1/2, the answer is 1 (the base policy already
 *   wins half the time).
 * @throws RangeError when the target is not finite, is below 0, is 1 or more (no finite n reaches
 *   it), or needs an n beyond `Number.MAX_SAFE_INTEGER`.
 * @see https://arxiv.org/abs/2406.00832
 */
export function nForWinRate(target: number): number {
  checkFinite('nForWinRate(target): target', target, 0)
  if (target >= 1) {
    throw new RangeError(
      `nForWinRate(target): target must be below 1, since best-of-n wins with probability n/(n+1) < 1; got ${target}.`,
    )
  }
  // Start from the closed form, then step against rounding (0.9/0.1 is 9.000000000000002).
  let n = Math.max(1, Math.ceil(target / (1 - target)))
  if (!Number.isSafeInteger(n + 1)) {
    throw new RangeError(`nForWinRate(target): target ${target} needs n beyond Number.MAX_SAFE_INTEGER.`)
  }
  while (n > 1 && (n - 1) / n >= target) n--
  while (n / (n + 1) < target) n++
  return n
}
