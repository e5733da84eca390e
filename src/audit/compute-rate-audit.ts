/**
 * One call from rewards to the whole RATE audit result (the report.json shape): naive,
 * single-rewrite and RATE estimates in raw and normalized units, diagnostics and warnings.
 * @module
 */
import { InvalidOptionsError } from '../errors.js'
import { normalQuantile95, scaleEstimate, type IntervalEstimate } from './interval-estimate.js'
import {
  diagnoseFlips,
  diagnoseRoundTrip,
  type FlipDiagnostics,
  type RewriteLabels,
  type RoundTripDiagnostics,
} from './rate-diagnostics.js'
import {
  estimateNaive,
  estimateRate,
  estimateSingleRewrite,
  pooledRewardSd,
  rateUnpairedStandardErrors,
  type EffectEstimates,
  type RateGroupRewards,
  type UnpairedStandardErrors,
} from './rate-estimators.js'
import {
  defaultRateWarningThresholds,
  rateWarnings,
  type RateWarning,
  type RateWarningThresholds,
} from './rate-warnings.js'

/**
 * One group's rewards and rewrite labels, aligned by item index. A null reward (scoring failed)
 * drops that item from every estimate, so that all estimators use the same items.
 */
export interface RateGroupInput extends RewriteLabels {
  /** R(x, y) of each original, or null when it could not be scored. */
  readonly original: readonly (number | null)[]
  /** R(x, Re(y, 1 − w)) of each rewrite, or null. */
  readonly rewrite: readonly (number | null)[]
  /** R(x, Re(Re(y, 1 − w), w)) of each rewrite of a rewrite, or null. */
  readonly rewriteOfRewrite: readonly (number | null)[]
}

/** The rewards of an audit, split by the attribute W of the original response. */
export interface RateAuditInput {
  /** Items whose original response has W=1. */
  readonly w1: RateGroupInput
  /** Items whose original response has W=0. */
  readonly w0: RateGroupInput
}

/** True effects, when they are known (a synthetic world); shown beside the estimates in reports. */
export interface RateTruth {
  /** True average effect over the W=1 items. */
  readonly att: number
  /** True average effect over the W=0 items. */
  readonly atu: number
  /** True average effect over all items. */
  readonly ate: number
}

/** Options of {@link computeRateAudit}. */
export interface RateAuditOptions {
  /**
   * Warning thresholds to override.
   * @default defaultRateWarningThresholds
   */
  readonly thresholds?: Partial<RateWarningThresholds>
}

/** The naive estimate and the two families of effect estimates, in one unit. */
export interface RateEstimateSet {
  /** Mean reward of W=1 originals minus that of W=0 originals (Welch SE); confounded. */
  readonly naive: IntervalEstimate
  /** Originals against their single rewrites (paired SEs); carries rewrite artifacts. */
  readonly singleRewrite: EffectEstimates
  /** Rewrites against rewrites of rewrites (paired SEs). */
  readonly rate: EffectEstimates
}

/** How the numbers were computed, spelled out for readers of report.json. */
export interface RateAuditMethod {
  /** Intervals are estimate ± z·SE with this normal quantile. */
  readonly intervalZ: number
  /** Always `'normal'`: no t correction for small groups. */
  readonly interval: 'normal'
  /** Standard errors of single-rewrite and RATE estimates: of the mean of per-item differences. */
  readonly standardError: 'paired'
  /** Normalized estimates are divided by the pooled within-group SD of the original rewards. */
  readonly normalization: 'pooled-within-group-sd-of-original-rewards'
}

/** Everything beyond the estimates: checks of the assumptions, counts and warnings. */
export interface RateDiagnostics {
  /** Pooled within-group SD of the original rewards (the normalization unit), or null. */
  readonly rewardSd: number | null
  /** Shares of labelled rewrites that reached their target W, per direction (over every labelled item, dropped ones too). */
  readonly flips: FlipDiagnostics
  /** Reward change of a round trip through the rewriter, per group. */
  readonly roundTrip: RoundTripDiagnostics
  /** RATE SEs as the paper's code computes them (unpaired, conservative), for comparison. */
  readonly unpairedRateSe: UnpairedStandardErrors
  /** Items left out per group because a reward was missing. */
  readonly droppedItems: { readonly w1: number; readonly w0: number }
  /** How the numbers were computed. */
  readonly method: RateAuditMethod
  /** Plain-language warnings, most serious first. */
  readonly warnings: readonly RateWarning[]
}

/** The result of a RATE audit, serialisable as report.json. Raw estimates are in reward units. */
export interface RateAuditReport extends RateEstimateSet {
  /** The same estimates divided by `diagnostics.rewardSd` (all null when it is null). */
  readonly normalized: RateEstimateSet
  /** Checks, counts and warnings. */
  readonly diagnostics: RateDiagnostics
  /** Items with W=1 used. */
  readonly n1: number
  /** Items with W=0 used. */
  readonly n0: number
}

/**
 * Computes a RATE audit from the rewards of originals, rewrites and rewrites of rewrites.
 *
 * @see reference/rate.md: the estimators are those of Reber et al. (arXiv 2410.11348), with paired
 * standard errors where the paper's code uses unpaired ones.
 * @example
 * ```ts
 * const report = computeRateAudit({
 *   w1: { original: [2.1, 1.7], rewrite: [1.2, 1.0], rewriteOfRewrite: [2.0, 1.9] },
 *   w0: { original: [0.4, 0.9], rewrite: [1.5, 1.8], rewriteOfRewrite: [0.6, 0.7] },
 * })
 * report.rate.ate // { estimate, se, ci }
 * ```
 */
export function computeRateAudit(input: RateAuditInput, options: RateAuditOptions = {}): RateAuditReport {
  const thresholds = resolveThresholds(options.thresholds)
  const w1 = completeItems(input.w1, 'w1')
  const w0 = completeItems(input.w0, 'w0')
  const raw: RateEstimateSet = {
    naive: estimateNaive(w1.rewards, w0.rewards),
    singleRewrite: estimateSingleRewrite(w1.rewards, w0.rewards),
    rate: estimateRate(w1.rewards, w0.rewards),
  }
  const rewardSd = pooledRewardSd(w1.rewards.original, w0.rewards.original)
  const n1 = w1.rewards.original.length
  const n0 = w0.rewards.original.length
  const flips = diagnoseFlips({ w1: input.w1, w0: input.w0 })
  const roundTrip = diagnoseRoundTrip(w1.rewards, w0.rewards)
  const droppedItems = { w1: w1.dropped, w0: w0.dropped }
  return {
    ...raw,
    normalized: scaleSet(raw, rewardSd),
    diagnostics: {
      rewardSd,
      flips,
      roundTrip,
      unpairedRateSe: rateUnpairedStandardErrors(w1.rewards, w0.rewards),
      droppedItems,
      method: {
        interval: 'normal',
        intervalZ: normalQuantile95,
        standardError: 'paired',
        normalization: 'pooled-within-group-sd-of-original-rewards',
      },
      warnings: rateWarnings({ n1, n0, droppedItems, flips, roundTrip, rewardSd }, thresholds),
    },
    n1,
    n0,
  }
}

function resolveThresholds(overrides: Partial<RateWarningThresholds> | undefined): RateWarningThresholds {
  const thresholds = { ...defaultRateWarningThresholds, ...overrides }
  for (const [key, value] of Object.entries(thresholds)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InvalidOptionsError(`thresholds.${key} must be a finite number ≥ 0.`, { key: `thresholds.${key}` })
    }
  }
  if (thresholds.unreliableFlipShare > 1 || thresholds.incompleteFlipShare > 1) {
    throw new InvalidOptionsError('Flip-share thresholds must lie in [0, 1].', { key: 'thresholds' })
  }
  return thresholds
}

function completeItems(group: RateGroupInput, name: string): { rewards: RateGroupRewards; dropped: number } {
  const length = group.original.length
  const aligned = {
    rewrite: group.rewrite,
    rewriteOfRewrite: group.rewriteOfRewrite,
    rewriteLabels: group.rewriteLabels,
    rewriteOfRewriteLabels: group.rewriteOfRewriteLabels,
  }
  for (const [key, values] of Object.entries(aligned)) {
    if (values !== undefined && values.length !== length) {
      throw new InvalidOptionsError(`${name}.${key} has ${values.length} entries but ${name}.original has ${length}.`, {
        key: `${name}.${key}`,
      })
    }
  }
  const rewards: { original: number[]; rewrite: number[]; rewriteOfRewrite: number[] } = {
    original: [],
    rewrite: [],
    rewriteOfRewrite: [],
  }
  let dropped = 0
  for (let index = 0; index < length; index++) {
    const original = checkedReward(group.original[index], `${name}.original.${index}`)
    const rewrite = checkedReward(group.rewrite[index], `${name}.rewrite.${index}`)
    const rewriteOfRewrite = checkedReward(group.rewriteOfRewrite[index], `${name}.rewriteOfRewrite.${index}`)
    if (original === null || rewrite === null || rewriteOfRewrite === null) {
      dropped += 1
      continue
    }
    rewards.original.push(original)
    rewards.rewrite.push(rewrite)
    rewards.rewriteOfRewrite.push(rewriteOfRewrite)
  }
  return { rewards, dropped }
}

function checkedReward(value: number | null | undefined, key: string): number | null {
  if (value === null || value === undefined) return null
  if (!Number.isFinite(value)) throw new InvalidOptionsError(`${key} is ${value}; rewards must be finite numbers or null.`, { key })
  return value
}

function scaleSet(set: RateEstimateSet, scale: number | null): RateEstimateSet {
  const scaleEffects = (effects: EffectEstimates): EffectEstimates => ({
    att: scaleEstimate(effects.att, scale),
    atu: scaleEstimate(effects.atu, scale),
    ate: scaleEstimate(effects.ate, scale),
  })
  return {
    naive: scaleEstimate(set.naive, scale),
    singleRewrite: scaleEffects(set.singleRewrite),
    rate: scaleEffects(set.rate),
  }
}
