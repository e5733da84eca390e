/**
 * Plain-language warnings about a RATE audit, each with a stable code, from the diagnostics and the
 * group sizes. Thresholds are named so that a caller can see and tune them.
 * @module
 */
import { formatNumber, formatPercent } from './format-number.js'
import type { DirectionFlips, FlipDiagnostics, FlipShare, RoundTripDiagnostics } from './rate-diagnostics.js'

/** Where a RATE audit starts to warn. */
export interface RateWarningThresholds {
  /**
   * Below this share of rewrites reaching their target W the estimates are called unreliable: a
   * rewrite that fails to flip W contributes about 0 to its difference and shrinks the effect.
   * @default 0.8
   */
  readonly unreliableFlipShare: number
  /**
   * Below this share of rewrites reaching their target W the estimates are said to be shrunk
   * toward 0.
   * @default 0.95
   */
  readonly incompleteFlipShare: number
  /**
   * Groups smaller than this get a warning that the normal 95% interval is only approximate.
   * @default 30
   */
  readonly minGroupSize: number
  /**
   * The round-trip asymmetry (W=1 items' shift minus W=0 items') is flagged when it is more than
   * this many standard errors from 0.
   * @default 3
   */
  readonly roundTripAsymmetryZ: number
  /**
   * A round trip that moves reward by more than this many reward SDs (in either group) is flagged
   * as a large rewrite artifact.
   * @default 0.5
   */
  readonly largeRoundTripShiftSd: number
}

/** The default warning thresholds. */
export const defaultRateWarningThresholds: RateWarningThresholds = {
  unreliableFlipShare: 0.8,
  incompleteFlipShare: 0.95,
  minGroupSize: 30,
  roundTripAsymmetryZ: 3,
  largeRoundTripShiftSd: 0.5,
}

/** Stable codes of RATE audit warnings. */
export const rateWarningCodes = [
  'group-empty',
  'group-too-small',
  'group-small',
  'items-dropped',
  'flips-unchecked',
  'flips-unreliable',
  'flips-incomplete',
  'round-trip-asymmetric',
  'rewrite-artifact-large',
  'reward-sd-unavailable',
] as const

/** One of {@link rateWarningCodes}. */
export type RateWarningCode = (typeof rateWarningCodes)[number]

/** One warning: a stable code and a sentence for people. */
export interface RateWarning {
  /** Stable, machine-readable kind of the warning. */
  readonly code: RateWarningCode
  /** What is wrong and what it means for the estimates, in plain language. */
  readonly message: string
}

/** What {@link rateWarnings} looks at. */
export interface RateWarningFacts {
  /** Items with W=1 used. */
  readonly n1: number
  /** Items with W=0 used. */
  readonly n0: number
  /** Items left out per group because a reward was missing. */
  readonly droppedItems: { readonly w1: number; readonly w0: number }
  /** Flip shares per direction. */
  readonly flips: FlipDiagnostics
  /** Round-trip reward changes. */
  readonly roundTrip: RoundTripDiagnostics
  /** Pooled SD of the original rewards, or null. */
  readonly rewardSd: number | null
}

/** Lists the warnings that apply, most serious first. */
export function rateWarnings(facts: RateWarningFacts, thresholds: RateWarningThresholds): RateWarning[] {
  const noSpread = facts.rewardSd === null && facts.n1 + facts.n0 > 0
  return [
    ...groupSizeWarnings('W=1', 'ATT', facts.n1, thresholds),
    ...groupSizeWarnings('W=0', 'ATU', facts.n0, thresholds),
    ...flipWarnings(facts.flips, thresholds),
    ...roundTripWarnings(facts, thresholds),
    ...droppedWarnings(facts.droppedItems),
    ...(noSpread
      ? [warning('reward-sd-unavailable', 'The original rewards have no spread to measure, so no normalized estimates are given.')]
      : []),
  ]
}

function warning(code: RateWarningCode, message: string): RateWarning {
  return { code, message }
}

function groupSizeWarnings(group: string, effect: string, n: number, thresholds: RateWarningThresholds): RateWarning[] {
  if (n === 0) {
    const message = `No items with ${group}: ${effect} and the naive estimate cannot be computed, and ATE covers the other group only.`
    return [warning('group-empty', message)]
  }
  if (n < 2) {
    const message = `Only 1 item with ${group}: ${effect}, ATE and the naive estimate have no standard error or interval.`
    return [warning('group-too-small', message)]
  }
  if (n < thresholds.minGroupSize) {
    const message = `Only ${n} items with ${group}: the normal 95% intervals are approximate and may be too narrow.`
    return [warning('group-small', message)]
  }
  return []
}

function flipWarnings(flips: FlipDiagnostics, thresholds: RateWarningThresholds): RateWarning[] {
  const shares: [string, FlipShare | null][] = [
    ...directionShares('W=1→0', flips.toW0),
    ...directionShares('W=0→1', flips.toW1),
  ]
  const labelled = shares.filter((entry): entry is [string, FlipShare] => entry[1] !== null && entry[1].labelled > 0)
  if (labelled.length === 0) {
    const message = 'The rewrites were not labelled, so whether they really flip W is unknown; estimates assume every rewrite did.'
    return [warning('flips-unchecked', message)]
  }
  const warnings: RateWarning[] = []
  for (const [name, { share, onTarget, labelled: count }] of labelled) {
    if (share === null) continue
    const flipped = `Only ${formatPercent(share)} of ${name} flipped W (${onTarget} of ${count})`
    if (share < thresholds.unreliableFlipShare) {
      warnings.push(warning('flips-unreliable', `${flipped}; estimates are unreliable.`))
    } else if (share < thresholds.incompleteFlipShare) {
      warnings.push(warning('flips-incomplete', `${flipped}; estimates are shrunk toward 0.`))
    }
  }
  return warnings
}

function directionShares(direction: string, flips: DirectionFlips): [string, FlipShare | null][] {
  return [
    [`${direction} rewrites`, flips.rewrite],
    [`${direction} rewrites of rewrites`, flips.rewriteOfRewrite],
  ]
}

function roundTripWarnings(facts: RateWarningFacts, thresholds: RateWarningThresholds): RateWarning[] {
  const warnings: RateWarning[] = []
  const { w1, w0, asymmetry } = facts.roundTrip
  if (asymmetry.estimate !== null && asymmetry.se !== null && asymmetry.se > 0) {
    const z = Math.abs(asymmetry.estimate / asymmetry.se)
    if (z > thresholds.roundTripAsymmetryZ) {
      // With a direction-dependent artifact, RATE's bias is exactly this difference (rate-world).
      const message =
        `A round trip through the rewriter changes reward by ${formatNumber(w1.estimate)} for W=1 items (1→0→1) ` +
        `but by ${formatNumber(w0.estimate)} for W=0 items (0→1→0), ${z.toFixed(1)} standard errors apart: ` +
        'rewrite errors seem to depend on direction, which RATE assumes they do not, ' +
        `so RATE may be off by about the difference (${formatNumber(asymmetry.estimate)}).`
      warnings.push(warning('round-trip-asymmetric', message))
    }
  }
  const sd = facts.rewardSd
  const largest = Math.max(Math.abs(w1.estimate ?? 0), Math.abs(w0.estimate ?? 0))
  if (sd !== null && largest > thresholds.largeRoundTripShiftSd * sd) {
    const message =
      `A round trip through the rewriter moves reward by up to ${formatNumber(largest / sd)} reward SDs: ` +
      'the rewrites change more than W. Single-rewrite estimates carry that change; ' +
      'RATE cancels it only if it is the same in both directions.'
    warnings.push(warning('rewrite-artifact-large', message))
  }
  return warnings
}

function droppedWarnings(dropped: { readonly w1: number; readonly w0: number }): RateWarning[] {
  const total = dropped.w1 + dropped.w0
  if (total === 0) return []
  const items = total === 1 ? 'item was' : 'items were'
  const message = `${total} ${items} left out (${dropped.w1} with W=1, ${dropped.w0} with W=0) because a reward was missing.`
  return [warning('items-dropped', message)]
}
