/**
 * Point estimates with standard errors and 95% normal intervals, the building block of every
 * RATE audit number. Nothing here ever returns NaN: a quantity that cannot be computed is null.
 * @module
 */

/**
 * The normal quantile of the two-sided 95% interval. Intervals are estimate ± 1.96·SE, as in the
 * RATE paper's plots (reference/rate.md §1, `utils_plotting.py`); no t correction for small groups.
 */
export const normalQuantile95 = 1.96

/** An estimate with its standard error and 95% normal interval, as it appears in report.json. */
export interface IntervalEstimate {
  /** The point estimate, or null when the group it needs is empty. */
  readonly estimate: number | null
  /** The standard error, or null when fewer than two items make it (no spread to measure). */
  readonly se: number | null
  /** `[estimate − 1.96·SE, estimate + 1.96·SE]`, or null whenever `se` is null. */
  readonly ci: readonly [low: number, high: number] | null
}

/** The estimate that cannot be made at all. */
export const emptyEstimate: IntervalEstimate = { estimate: null, se: null, ci: null }

/** Builds an interval estimate from a point estimate and a standard error (either may be null). */
export function intervalEstimate(estimate: number | null, se: number | null): IntervalEstimate {
  if (estimate === null || !Number.isFinite(estimate)) return emptyEstimate
  if (se === null || !Number.isFinite(se)) return { estimate, se: null, ci: null }
  return { estimate, se, ci: [estimate - normalQuantile95 * se, estimate + normalQuantile95 * se] }
}

/** The arithmetic mean, or null for an empty array. */
export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null
  let sum = 0
  for (const value of values) sum += value
  return sum / values.length
}

/** Sum of squared deviations from the mean (0 for fewer than two values). */
export function sumOfSquares(values: readonly number[]): number {
  const center = mean(values)
  if (center === null) return 0
  let sum = 0
  for (const value of values) sum += (value - center) ** 2
  return sum
}

/** The sample variance with n − 1 in the denominator (ddof = 1), or null for fewer than two values. */
export function sampleVariance(values: readonly number[]): number | null {
  return values.length < 2 ? null : sumOfSquares(values) / (values.length - 1)
}

/** Mean of one sample with SE = sd/√n: the paired estimator when the values are per-item differences. */
export function meanEstimate(values: readonly number[]): IntervalEstimate {
  const variance = sampleVariance(values)
  return intervalEstimate(mean(values), variance === null ? null : Math.sqrt(variance / values.length))
}

/** Per-item differences `a[i] − b[i]` of two equally long arrays. */
export function differences(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new RangeError(`Paired arrays differ in length (${a.length} vs ${b.length}).`)
  return a.map((value, index) => value - (b[index] ?? Number.NaN))
}

/**
 * Difference of the means of two independent samples, `mean(a) − mean(b)`, with the unpaired
 * (Welch) SE √(s²ₐ/nₐ + s²_b/n_b).
 */
export function welchEstimate(a: readonly number[], b: readonly number[]): IntervalEstimate {
  const meanA = mean(a)
  const meanB = mean(b)
  if (meanA === null || meanB === null) return emptyEstimate
  const varianceA = sampleVariance(a)
  const varianceB = sampleVariance(b)
  const se =
    varianceA === null || varianceB === null ? null : Math.sqrt(varianceA / a.length + varianceB / b.length)
  return intervalEstimate(meanA - meanB, se)
}

/** One independent part of a weighted combination. */
export interface WeightedPart {
  /** The part's estimate. */
  readonly part: IntervalEstimate
  /** Its weight (for ATE: its group's share of the items). */
  readonly weight: number
}

/**
 * Weighted sum of independent estimates, Σ wₖ·θₖ with SE √(Σ wₖ²·SEₖ²). Parts of weight 0 (empty
 * groups) are left out; the SE is null if any other part lacks one.
 */
export function combineIndependent(parts: readonly WeightedPart[]): IntervalEstimate {
  const used = parts.filter(({ weight }) => weight !== 0)
  if (used.length === 0) return emptyEstimate
  let estimate = 0
  let variance: number | null = 0
  for (const { part, weight } of used) {
    if (part.estimate === null) return emptyEstimate
    estimate += weight * part.estimate
    variance = part.se === null || variance === null ? null : variance + weight ** 2 * part.se ** 2
  }
  return intervalEstimate(estimate, variance === null ? null : Math.sqrt(variance))
}

/** Divides an estimate, its SE and its interval by a positive scale; everything null if the scale is null. */
export function scaleEstimate(value: IntervalEstimate, scale: number | null): IntervalEstimate {
  if (scale === null || !(scale > 0)) return emptyEstimate
  return {
    estimate: value.estimate === null ? null : value.estimate / scale,
    se: value.se === null ? null : value.se / scale,
    ci: value.ci === null ? null : [value.ci[0] / scale, value.ci[1] / scale],
  }
}
