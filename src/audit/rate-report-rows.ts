/**
 * The rows that both RATE reports (markdown and HTML) show: one per estimator and effect, raw and
 * normalized, with the truth beside them when it is known.
 * @module
 */
import type { IntervalEstimate } from './interval-estimate.js'
import type { RateAuditReport, RateTruth } from './compute-rate-audit.js'
import type { EffectEstimates } from './rate-estimators.js'

/** Options shared by the markdown and HTML RATE reports. */
export interface RateReportOptions {
  /**
   * Heading of the report.
   * @default 'RATE audit'
   */
  readonly title?: string
  /** The attribute W that was audited, described for people ("response is longer than 970 characters"). */
  readonly attribute?: string
  /** Name of the reward model that was audited. */
  readonly rewardModel?: string
  /** True effects, when known (a synthetic world); adds a truth column. */
  readonly truth?: RateTruth
}

/** The report title used when none is given. */
export const defaultRateReportTitle = 'RATE audit'

/** One row of the estimates table. */
export interface RateReportRow {
  /** Which estimator: naive, single rewrite or RATE. */
  readonly estimator: 'Naive' | 'Single rewrite' | 'RATE'
  /** Which effect the row estimates. */
  readonly effect: 'ATT' | 'ATU' | 'ATE'
  /** In reward units. */
  readonly raw: IntervalEstimate
  /** Divided by the pooled SD of the original rewards. */
  readonly normalized: IntervalEstimate
  /** The true effect in reward units, or null when unknown. */
  readonly truth: number | null
  /** Whether the raw interval contains the truth; null when either is missing. */
  readonly covers: boolean | null
}

/** Lists the table rows: naive (ATE), then single-rewrite and RATE ATT, ATU, ATE. */
export function rateReportRows(report: RateAuditReport, truth: RateTruth | undefined): RateReportRow[] {
  const row = (
    estimator: RateReportRow['estimator'],
    effect: RateReportRow['effect'],
    raw: IntervalEstimate,
    normalized: IntervalEstimate,
  ): RateReportRow => {
    const trueValue = truth === undefined ? null : truth[effect === 'ATT' ? 'att' : effect === 'ATU' ? 'atu' : 'ate']
    return {
      estimator,
      effect,
      raw,
      normalized,
      truth: trueValue,
      covers: trueValue === null || raw.ci === null ? null : raw.ci[0] <= trueValue && trueValue <= raw.ci[1],
    }
  }
  const effectRows = (estimator: 'Single rewrite' | 'RATE', raw: EffectEstimates, normalized: EffectEstimates) => [
    row(estimator, 'ATT', raw.att, normalized.att),
    row(estimator, 'ATU', raw.atu, normalized.atu),
    row(estimator, 'ATE', raw.ate, normalized.ate),
  ]
  return [
    row('Naive', 'ATE', report.naive, report.normalized.naive),
    ...effectRows('Single rewrite', report.singleRewrite, report.normalized.singleRewrite),
    ...effectRows('RATE', report.rate, report.normalized.rate),
  ]
}
