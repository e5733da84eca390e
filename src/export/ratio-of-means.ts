/** The two-sided 95% normal quantile. */
const z95 = 1.959963984540054

/** A ratio of means with its delta-method standard error and 95% interval. */
export interface RatioEstimate {
  /** mean(x) / mean(y), or null when there are no pairs or mean(y) is 0. */
  readonly estimate: number | null
  /** Delta-method standard error, or null with fewer than two pairs. */
  readonly se: number | null
  /** `[estimate − 1.96·se, estimate + 1.96·se]`, or null whenever `se` is null. */
  readonly ci: readonly [low: number, high: number] | null
}

/** Accumulates (x, y) pairs in constant memory and estimates mean(x)/mean(y). */
export interface RatioOfMeans {
  /** Adds one paired observation (numerator x, denominator y). */
  add(x: number, y: number): void
  /** Pairs added so far. */
  readonly count: number
  /** Mean of x so far (0 before any pair). */
  readonly meanX: number
  /** Mean of y so far (0 before any pair). */
  readonly meanY: number
  /** The ratio of the means so far, with its interval. */
  estimate(): RatioEstimate
}

/**
 * Creates a streaming estimator of R = mean(x)/mean(y) over paired observations (one pair per
 * request), with the delta-method variance
 * Var(R̂) ≈ (s²ₓ − 2R·sₓᵧ + R²·s²ᵧ) / (N·ȳ²)
 * and a 95% normal interval. Means and co-moments are updated with Welford's recurrences, so
 * memory is constant and no cancellation creeps in over millions of requests. The delta method
 * rather than a bootstrap keeps `bonbon stats` a single pass; it is accurate once N is in the tens
 * and ȳ is well away from 0, which mean lengths always are.
 */
export function createRatioOfMeans(): RatioOfMeans {
  let count = 0
  let meanX = 0
  let meanY = 0
  let sumSquaresX = 0
  let sumSquaresY = 0
  let coMoment = 0
  return {
    add(x, y) {
      count += 1
      const dx = x - meanX
      const dy = y - meanY
      meanX += dx / count
      meanY += dy / count
      sumSquaresX += dx * (x - meanX)
      sumSquaresY += dy * (y - meanY)
      coMoment += dx * (y - meanY)
    },
    get count() {
      return count
    },
    get meanX() {
      return meanX
    },
    get meanY() {
      return meanY
    },
    estimate() {
      if (count === 0 || meanY === 0) return { estimate: null, se: null, ci: null }
      const ratio = meanX / meanY
      if (count < 2) return { estimate: ratio, se: null, ci: null }
      const variance =
        (sumSquaresX - 2 * ratio * coMoment + ratio * ratio * sumSquaresY) / (count - 1) / (count * meanY * meanY)
      const se = Math.sqrt(Math.max(0, variance))
      return { estimate: ratio, se, ci: [ratio - z95 * se, ratio + z95 * se] }
    },
  }
}
