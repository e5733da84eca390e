import { describe, expect, it } from 'vitest'
import {
  combineIndependent,
  differences,
  intervalEstimate,
  mean,
  meanEstimate,
  normalQuantile95,
  sampleVariance,
  scaleEstimate,
  welchEstimate,
} from '../../src/audit/interval-estimate.js'

describe('intervalEstimate', () => {
  it('builds the 95% normal interval as estimate ± 1.96·SE', () => {
    const value = intervalEstimate(2, 0.5)
    expect(normalQuantile95).toBe(1.96)
    expect(value.ci?.[0]).toBeCloseTo(1.02, 12)
    expect(value.ci?.[1]).toBeCloseTo(2.98, 12)
  })

  it('turns a non-finite estimate or SE into null instead of NaN', () => {
    expect(intervalEstimate(Number.NaN, 1)).toEqual({ estimate: null, se: null, ci: null })
    expect(intervalEstimate(1, Number.POSITIVE_INFINITY)).toEqual({ estimate: 1, se: null, ci: null })
  })
})

describe('meanEstimate', () => {
  it('gives the mean with SE = sd/√n (ddof 1)', () => {
    const value = meanEstimate([2, 3])
    expect(value.estimate).toBe(2.5)
    expect(value.se).toBeCloseTo(0.5, 12)
  })

  it('has no SE or interval for a single value and no estimate for none', () => {
    expect(meanEstimate([4])).toEqual({ estimate: 4, se: null, ci: null })
    expect(meanEstimate([])).toEqual({ estimate: null, se: null, ci: null })
  })
})

describe('welchEstimate', () => {
  it('uses the unpaired SE √(s²ₐ/nₐ + s²_b/n_b)', () => {
    const value = welchEstimate([3, 5], [1, 2, 6])
    expect(value.estimate).toBe(1)
    expect(value.se).toBeCloseTo(Math.sqrt(2 / 2 + 7 / 3), 12)
  })

  it('has no estimate when a sample is empty', () => {
    expect(welchEstimate([], [1, 2]).estimate).toBeNull()
  })
})

describe('combineIndependent', () => {
  it('weights estimates and adds weighted variances', () => {
    const value = combineIndependent([
      { part: intervalEstimate(2.5, 0.5), weight: 0.4 },
      { part: intervalEstimate(2, Math.sqrt(1 / 3)), weight: 0.6 },
    ])
    expect(value.estimate).toBeCloseTo(2.2, 12)
    expect(value.se).toBeCloseTo(0.4, 12)
  })

  it('skips weight-0 parts and loses the SE when a used part has none', () => {
    expect(combineIndependent([
      { part: intervalEstimate(null, null), weight: 0 },
      { part: intervalEstimate(3, 1), weight: 1 },
    ])).toEqual(intervalEstimate(3, 1))
    expect(combineIndependent([
      { part: intervalEstimate(1, null), weight: 0.5 },
      { part: intervalEstimate(3, 1), weight: 0.5 },
    ])).toEqual({ estimate: 2, se: null, ci: null })
  })
})

describe('scaleEstimate', () => {
  it('divides estimate, SE and interval by the scale', () => {
    expect(scaleEstimate(intervalEstimate(4, 1), 2)).toEqual(intervalEstimate(2, 0.5))
  })

  it('gives nulls when there is no positive scale', () => {
    expect(scaleEstimate(intervalEstimate(4, 1), null)).toEqual({ estimate: null, se: null, ci: null })
    expect(scaleEstimate(intervalEstimate(4, 1), 0)).toEqual({ estimate: null, se: null, ci: null })
  })
})

describe('summary helpers', () => {
  it('compute mean and sample variance, null when undefined', () => {
    expect(mean([])).toBeNull()
    expect(sampleVariance([1])).toBeNull()
    expect(sampleVariance([1, 2, 6])).toBe(7)
  })

  it('refuse paired arrays of different lengths', () => {
    expect(() => differences([1, 2], [1])).toThrow(RangeError)
  })
})
