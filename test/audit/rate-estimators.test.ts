import { describe, expect, it } from 'vitest'
import {
  estimateNaive,
  estimateRate,
  estimateSingleRewrite,
  pooledRewardSd,
  rateUnpairedStandardErrors,
  type RateGroupRewards,
} from '../../src/audit/rate-estimators.js'

// Small enough to check by hand; every expected number below is worked out in the comments.
const w1: RateGroupRewards = { original: [3, 5], rewrite: [1, 2], rewriteOfRewrite: [2, 5] }
const w0: RateGroupRewards = { original: [1, 2, 6], rewrite: [4, 4, 7], rewriteOfRewrite: [2, 1, 6] }

describe('estimateNaive', () => {
  it('compares the originals of the two groups with the Welch SE', () => {
    // means 4 and 3; variances 2 and 7
    const naive = estimateNaive(w1, w0)
    expect(naive.estimate).toBe(1)
    expect(naive.se).toBeCloseTo(Math.sqrt(2 / 2 + 7 / 3), 12)
  })
})

describe('estimateSingleRewrite', () => {
  it('pairs each original with its rewrite', () => {
    // ATT: y − Re(y,0) = [2, 3]; ATU: Re(y,1) − y = [3, 2, 1]
    const single = estimateSingleRewrite(w1, w0)
    expect(single.att.estimate).toBe(2.5)
    expect(single.att.se).toBeCloseTo(0.5, 12)
    expect(single.atu.estimate).toBe(2)
    expect(single.atu.se).toBeCloseTo(Math.sqrt(1 / 3), 12)
    // ATE = (2·2.5 + 3·2)/5; SE = √(0.4²·0.25 + 0.6²·(1/3)) = 0.4
    expect(single.ate.estimate).toBeCloseTo(2.2, 12)
    expect(single.ate.se).toBeCloseTo(0.4, 12)
    expect(single.ate.ci?.[0]).toBeCloseTo(2.2 - 1.96 * 0.4, 12)
    expect(single.ate.ci?.[1]).toBeCloseTo(2.2 + 1.96 * 0.4, 12)
  })
})

describe('estimateRate', () => {
  it('compares rewrites with rewrites of rewrites, never the originals', () => {
    // ATT: Re(Re(y,0),1) − Re(y,0) = [1, 3]; ATU: Re(y,1) − Re(Re(y,1),0) = [2, 3, 1]
    const rate = estimateRate(w1, w0)
    expect(rate.att.estimate).toBe(2)
    expect(rate.att.se).toBeCloseTo(1, 12)
    expect(rate.atu.estimate).toBe(2)
    expect(rate.atu.se).toBeCloseTo(Math.sqrt(1 / 3), 12)
    expect(rate.ate.estimate).toBeCloseTo(2, 12)
    expect(rate.ate.se).toBeCloseTo(Math.sqrt(0.16 + 0.12), 12)
    const shifted = estimateRate({ ...w1, original: [100, -100] }, { ...w0, original: [50, 50, 50] })
    expect(shifted).toEqual(rate)
  })

  it('weights ATT and ATU by group size in ATE', () => {
    const rate = estimateRate(
      { original: [0], rewrite: [0], rewriteOfRewrite: [10] },
      { original: [0, 0, 0], rewrite: [1, 1, 1], rewriteOfRewrite: [0, 0, 0] },
    )
    expect(rate.ate.estimate).toBeCloseTo((1 * 10 + 3 * 1) / 4, 12)
    // W=1 has one item: no SE there, so none for ATE either
    expect(rate.att.se).toBeNull()
    expect(rate.ate.se).toBeNull()
    expect(rate.ate.ci).toBeNull()
  })
})

describe('rateUnpairedStandardErrors', () => {
  it("reproduces the paper code's unpaired SEs", () => {
    const unpaired = rateUnpairedStandardErrors(w1, w0)
    // ATT: Welch([2, 5], [1, 2]) = √(4.5/2 + 0.5/2)
    expect(unpaired.att).toBeCloseTo(Math.sqrt(2.5), 12)
    // ATE: Welch(do1 = [2, 5, 4, 4, 7], do0 = [1, 2, 2, 1, 6]); variances 3.3 and 4.3
    expect(unpaired.ate).toBeCloseTo(Math.sqrt(3.3 / 5 + 4.3 / 5), 12)
  })
})

describe('pooledRewardSd', () => {
  it('pools the within-group variances of the originals', () => {
    // SS 2 and 14 over 1 + 2 degrees of freedom
    expect(pooledRewardSd(w1.original, w0.original)).toBeCloseTo(Math.sqrt(16 / 3), 12)
  })

  it('uses the one group there is, and is null without spread', () => {
    expect(pooledRewardSd([], [1, 2, 6])).toBeCloseTo(Math.sqrt(7), 12)
    expect(pooledRewardSd([1], [2])).toBeNull()
    expect(pooledRewardSd([3, 3], [1, 1])).toBeNull()
  })
})
