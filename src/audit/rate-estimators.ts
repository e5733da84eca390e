/**
 * The three estimators of a RATE audit: naive, single-rewrite and RATE (rewrite of rewrite), for the
 * effect on reward of a binary attribute W. Formulas follow Algorithm 1 of Reber et al. (arXiv
 * 2410.11348) and `treatment_effects.py` of the paper's code; see reference/rate.md §1.
 * @module
 */
import {
  combineIndependent,
  differences,
  emptyEstimate,
  meanEstimate,
  sumOfSquares,
  welchEstimate,
  type IntervalEstimate,
} from './interval-estimate.js'

/** The rewards of one group's items, aligned by index (item i is at index i of each array). */
export interface RateGroupRewards {
  /** R(x, y): reward of each original response. */
  readonly original: readonly number[]
  /** R(x, Re(y, 1 − w)): reward of the rewrite that flips W. */
  readonly rewrite: readonly number[]
  /** R(x, Re(Re(y, 1 − w), w)): reward of the rewrite of that rewrite, back to the original W. */
  readonly rewriteOfRewrite: readonly number[]
}

/** Effects on the treated (W=1), on the untreated (W=0) and on everyone. */
export interface EffectEstimates {
  /** Average effect of W on reward over the items with W=1. */
  readonly att: IntervalEstimate
  /** Average effect over the items with W=0. */
  readonly atu: IntervalEstimate
  /** Average effect over all items: (n₁·ATT + n₀·ATU)/n. */
  readonly ate: IntervalEstimate
}

/** Standard errors of the RATE estimates as the paper's code computes them (unpaired). */
export interface UnpairedStandardErrors {
  /** Unpaired SE of ATT, or null. */
  readonly att: number | null
  /** Unpaired SE of ATU, or null. */
  readonly atu: number | null
  /** Unpaired SE of ATE, or null. */
  readonly ate: number | null
}

/**
 * Naive estimate: mean reward of the W=1 originals minus that of the W=0 originals, with the
 * unpaired (Welch) SE. It mixes the effect of W with everything W is correlated with.
 */
export function estimateNaive(w1: RateGroupRewards, w0: RateGroupRewards): IntervalEstimate {
  return welchEstimate(w1.original, w0.original)
}

/**
 * Single-rewrite estimates: each original against its one rewrite. ATT = mean over W=1 of
 * R(y) − R(Re(y,0)); ATU = mean over W=0 of R(Re(y,1)) − R(y); paired SEs. Any reward change the
 * rewriter causes besides flipping W (fixing typos, reformatting) enters these differences.
 */
export function estimateSingleRewrite(w1: RateGroupRewards, w0: RateGroupRewards): EffectEstimates {
  return combineEffects(
    meanEstimate(differences(w1.original, w1.rewrite)),
    meanEstimate(differences(w0.rewrite, w0.original)),
    w1.original.length,
    w0.original.length,
  )
}

/**
 * RATE estimates: both texts of every difference have been through the rewriter, so a
 * direction-free rewrite artifact cancels. ATT = mean over W=1 of R(Re(Re(y,0),1)) − R(Re(y,0));
 * ATU = mean over W=0 of R(Re(y,1)) − R(Re(Re(y,1),0)); ATE = (n₁·ATT + n₀·ATU)/n.
 *
 * Standard errors are paired (SD of the per-item differences / √n), and ATE's combines the two
 * independent groups with weights n₁/n and n₀/n. The paper's code uses the unpaired SE here
 * (`paired=False` in `calculate_treatment_effects`), which ignores the strong positive
 * correlation between an item's two rewrites and comes out about twice too wide
 * (reference/rate.md §1, "Standard errors / CIs"); {@link rateUnpairedStandardErrors} gives it for
 * comparison.
 */
export function estimateRate(w1: RateGroupRewards, w0: RateGroupRewards): EffectEstimates {
  return combineEffects(
    meanEstimate(differences(w1.rewriteOfRewrite, w1.rewrite)),
    meanEstimate(differences(w0.rewrite, w0.rewriteOfRewrite)),
    w1.original.length,
    w0.original.length,
  )
}

/**
 * The RATE SEs computed the way the paper's code does: Welch over the two arrays of each
 * estimate, and for ATE over the "do W=1" and "do W=0" arrays of all n items. Conservative; kept
 * only so that numbers can be compared with the paper's.
 */
export function rateUnpairedStandardErrors(w1: RateGroupRewards, w0: RateGroupRewards): UnpairedStandardErrors {
  const doW1 = [...w1.rewriteOfRewrite, ...w0.rewrite]
  const doW0 = [...w1.rewrite, ...w0.rewriteOfRewrite]
  return {
    att: welchEstimate(w1.rewriteOfRewrite, w1.rewrite).se,
    atu: welchEstimate(w0.rewrite, w0.rewriteOfRewrite).se,
    ate: welchEstimate(doW1, doW0).se,
  }
}

/**
 * The pooled within-group SD of the original rewards, √((SS₁ + SS₀)/(n₁ − 1 + n₀ − 1)), which the
 * paper's code divides every plotted effect by (a Cohen's d denominator; reference/rate.md §1,
 * "Normalisation"). Null when it cannot be computed or is 0.
 */
export function pooledRewardSd(w1Original: readonly number[], w0Original: readonly number[]): number | null {
  const groups = [w1Original, w0Original].filter((group) => group.length > 0)
  const degreesOfFreedom = groups.reduce((sum, group) => sum + group.length - 1, 0)
  if (degreesOfFreedom < 1) return null
  const sd = Math.sqrt(groups.reduce((sum, group) => sum + sumOfSquares(group), 0) / degreesOfFreedom)
  return sd > 0 ? sd : null
}

function combineEffects(att: IntervalEstimate, atu: IntervalEstimate, n1: number, n0: number): EffectEstimates {
  const n = n1 + n0
  const ate =
    n === 0
      ? emptyEstimate
      : combineIndependent([
          { part: att, weight: n1 / n },
          { part: atu, weight: n0 / n },
        ])
  return { att, atu, ate }
}
