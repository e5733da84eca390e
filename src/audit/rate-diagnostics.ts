/**
 * Checks of the two things a RATE estimate leans on: that the rewrites really flip W, and that the
 * rewriter's off-target changes do not depend on the direction of the rewrite (assumption A1 of the
 * paper; reference/rate.md §1).
 * @module
 */
import { combineIndependent, differences, meanEstimate, type IntervalEstimate } from './interval-estimate.js'
import type { RateGroupRewards } from './rate-estimators.js'

/** The labeller's verdicts on one group's rewrites, aligned with its items; null = undecided. */
export interface RewriteLabels {
  /** W of each rewrite Re(y, 1 − w) as the labeller sees it (true = W=1), if it was labelled. */
  readonly rewriteLabels?: readonly (boolean | null)[] | undefined
  /** W of each rewrite of a rewrite Re(Re(y, 1 − w), w), if it was labelled. */
  readonly rewriteOfRewriteLabels?: readonly (boolean | null)[] | undefined
}

/** How many rewrites of one kind reached the W they were asked for. */
export interface FlipShare {
  /** Rewrites the labeller puts at the target W. */
  readonly onTarget: number
  /** Rewrites the labeller decided on (undecided ones are not counted). */
  readonly labelled: number
  /** `onTarget / labelled`, or null when nothing was labelled. */
  readonly share: number | null
}

/** Flip shares of the rewrites that aimed at one value of W; null where no labels were given. */
export interface DirectionFlips {
  /** First rewrites aiming at this W (from originals with the other W). */
  readonly rewrite: FlipShare | null
  /** Rewrites of rewrites aiming at this W (back to the originals' W). */
  readonly rewriteOfRewrite: FlipShare | null
}

/** Flip shares per direction of the rewrite. */
export interface FlipDiagnostics {
  /** Rewrites asked to make W=0: W=1 items' rewrites and W=0 items' rewrites of rewrites. */
  readonly toW0: DirectionFlips
  /** Rewrites asked to make W=1: W=0 items' rewrites and W=1 items' rewrites of rewrites. */
  readonly toW1: DirectionFlips
}

/**
 * The reward change of a round trip through the rewriter, R(Re(Re(y, 1 − w), w)) − R(y): the
 * text ends where it started on W, so any change is rewrite error ("rewrite effect" in the paper's
 * code). If that error does not depend on direction, both groups shift alike.
 */
export interface RoundTripDiagnostics {
  /** Mean change over W=1 items (1→0→1), paired SE. */
  readonly w1: IntervalEstimate
  /** Mean change over W=0 items (0→1→0), paired SE. */
  readonly w0: IntervalEstimate
  /** `w1 − w0`: about 0 when rewrite error is direction-free; SE of two independent groups. */
  readonly asymmetry: IntervalEstimate
}

/** Shares of rewrites that reached their target W, per direction and pass. */
export function diagnoseFlips(labels: { readonly w1: RewriteLabels; readonly w0: RewriteLabels }): FlipDiagnostics {
  return {
    toW0: {
      rewrite: flipShare(labels.w1.rewriteLabels, false),
      rewriteOfRewrite: flipShare(labels.w0.rewriteOfRewriteLabels, false),
    },
    toW1: {
      rewrite: flipShare(labels.w0.rewriteLabels, true),
      rewriteOfRewrite: flipShare(labels.w1.rewriteOfRewriteLabels, true),
    },
  }
}

/** The round-trip reward change of each group, and their difference. */
export function diagnoseRoundTrip(w1: RateGroupRewards, w0: RateGroupRewards): RoundTripDiagnostics {
  const w1Shift = meanEstimate(differences(w1.rewriteOfRewrite, w1.original))
  const w0Shift = meanEstimate(differences(w0.rewriteOfRewrite, w0.original))
  return {
    w1: w1Shift,
    w0: w0Shift,
    asymmetry: combineIndependent([
      { part: w1Shift, weight: 1 },
      { part: w0Shift, weight: -1 },
    ]),
  }
}

function flipShare(labels: readonly (boolean | null)[] | undefined, target: boolean): FlipShare | null {
  if (labels === undefined) return null
  let onTarget = 0
  let labelled = 0
  for (const label of labels) {
    if (label === null) continue
    labelled += 1
    if (label === target) onTarget += 1
  }
  return { onTarget, labelled, share: labelled === 0 ? null : onTarget / labelled }
}
