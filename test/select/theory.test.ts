import { describe, it, expect } from 'vitest'
import fc from 'fast-check'
import {
  betaStar,
  harmonic,
  ipoTarget,
  klBound,
  nForKlBudget,
  nForWinRate,
  optimalGainOverBestOfN,
  optimalTiltKl,
  optimalTiltWinRate,
  optimalWinRateAtKl,
  winRate,
} from '../../src/select/theory/index.js'
import { createSeededRandom, type RandomSource } from '../../src/util/random.js'

/**
 * createSeededRandom shifted by half a step (k/2³² → (k + ½)/2³², exact in a double) into the open
 * interval (0, 1), so that log(u) is always finite.
 */
function openUnitRandom(seed: number): RandomSource {
  const random = createSeededRandom(seed)
  return () => random() + 2 ** -33
}

const draws = 100_000

/** Mean of `draws` samples and its standard error. */
function monteCarlo(sample: () => number): { mean: number; standardError: number } {
  let sum = 0
  let sumOfSquares = 0
  for (let i = 0; i < draws; i++) {
    const x = sample()
    sum += x
    sumOfSquares += x * x
  }
  const mean = sum / draws
  const variance = (sumOfSquares - draws * mean * mean) / (draws - 1)
  return { mean, standardError: Math.sqrt(variance / draws) }
}

function expectWithinThreeStandardErrors(estimate: { mean: number; standardError: number }, exact: number): void {
  expect(estimate.standardError).toBeGreaterThan(0)
  expect(Math.abs(estimate.mean - exact)).toBeLessThan(3 * estimate.standardError)
}

/** Draws n uniforms and returns their max and min. */
function orderStatistics(random: () => number, n: number): { max: number; min: number } {
  let max = 0
  let min = 1
  for (let i = 0; i < n; i++) {
    const u = random()
    if (u > max) max = u
    if (u < min) min = u
  }
  return { max, min }
}

// reference/bonbon.md §1.2: n, KL_BoN, WR_BoN, c*, WR_opt, gain, β*ₙ, 1/(2β*ₙ).
const table = [
  [2, 0.1931, 0.6667, 2.289, 0.6759, 0.00924, 0.5, 1.0],
  [3, 0.4319, 0.75, 3.727, 0.7564, 0.00637, 0.166667, 3.0],
  [4, 0.6363, 0.8, 4.917, 0.804, 0.004, 0.090909, 5.5],
  [5, 0.8094, 0.8333, 6.002, 0.8359, 0.00253, 0.06, 8.333],
  [6, 0.9584, 0.8571, 7.038, 0.8588, 0.00166, 0.043796, 11.417],
  [8, 1.2044, 0.8889, 9.055, 0.8897, 0.00079, 0.027548, 18.15],
  [10, 1.4026, 0.9091, 11.05, 0.9095, 0.00042, 0.019638, 25.461],
  [16, 1.8351, 0.9412, 17.032, 0.9413, 0.00011, 0.010046, 49.773],
  [32, 2.497, 0.9697, 33.016, 0.9697, 0.00001, 0.004005, 124.845],
] as const

describe('harmonic', () => {
  it('gives H_0 = 0, H_1 = 1 and H_7 = 363/140', () => {
    expect(harmonic(0)).toBe(0)
    expect(harmonic(1)).toBe(1)
    expect(harmonic(7)).toBeCloseTo(363 / 140, 15)
  })

  it('stays exact across the switch to the asymptotic series', () => {
    for (const k of [49, 50, 51, 100]) {
      let sum = 0
      for (let j = k; j >= 1; j--) sum += 1 / j
      expect(Math.abs(harmonic(k) - sum)).toBeLessThan(2e-15)
    }
    expect(harmonic(50) - harmonic(49)).toBeCloseTo(1 / 50, 14)
  })

  it('handles a million terms without summing them', () => {
    expect(harmonic(1_000_000)).toBeCloseTo(14.392726722865723, 12)
  })

  it('rejects negative, fractional and non-finite k', () => {
    expect(() => harmonic(-1)).toThrow(RangeError)
    expect(() => harmonic(1.5)).toThrow(/harmonic\(k\): k must be an integer ≥ 0; got 1.5/)
    expect(() => harmonic(Number.NaN)).toThrow(RangeError)
  })
})

describe('betaStar and ipoTarget', () => {
  it('reproduce the β*₈ of the BoNBoN README to 1e-10', () => {
    expect(Math.abs(betaStar(8) - 0.0275482094)).toBeLessThan(1e-10)
    expect(ipoTarget(8)).toBeCloseTo(18.15, 12)
  })

  it('are reciprocal: 1/(2β*ₙ) equals (n−1)H₍ₙ₋₁₎ for n = 2..64', () => {
    for (let n = 2; n <= 64; n++) {
      expect(1 / (2 * betaStar(n))).toBeCloseTo(ipoTarget(n), 10)
      expect(ipoTarget(n)).toBeCloseTo((n - 1) * harmonic(n - 1), 12)
    }
    expect(betaStar(2)).toBe(0.5)
  })

  it('refuse n below 2 because a best/worst pair needs two draws', () => {
    expect(() => betaStar(1)).toThrow(/betaStar\(n\): n must be an integer ≥ 2 \(best and worst of n need at least two draws\); got 1/)
    expect(() => ipoTarget(1)).toThrow(RangeError)
    expect(() => betaStar(2.5)).toThrow(RangeError)
    expect(() => betaStar(Number.POSITIVE_INFINITY)).toThrow(RangeError)
  })
})

describe('the table of reference/bonbon.md §1.2', () => {
  for (const [n, kl, bonWinRate, c, optimalWinRate, gain, beta, target] of table) {
    it(`matches every column for n = ${n}`, () => {
      const optimal = optimalWinRateAtKl(klBound(n))
      expect(klBound(n)).toBeCloseTo(kl, 4)
      expect(winRate(n)).toBeCloseTo(bonWinRate, 4)
      expect(optimal.c).toBeCloseTo(c, 3)
      expect(optimal.winRate).toBeCloseTo(optimalWinRate, 4)
      expect(optimalGainOverBestOfN(n)).toBeCloseTo(gain, 5)
      expect(betaStar(n)).toBeCloseTo(beta, 6)
      expect(ipoTarget(n)).toBeCloseTo(target, 3)
    })
  }

  it('shows the optimal policy beating best-of-2 by about 0.0092 and the gain shrinking with n', () => {
    expect(optimalGainOverBestOfN(2)).toBeCloseTo(0.0092, 4)
    expect(optimalGainOverBestOfN(1)).toBe(0)
    let previous = Number.POSITIVE_INFINITY
    for (let n = 2; n <= 64; n++) {
      const gain = optimalGainOverBestOfN(n)
      expect(gain).toBeGreaterThan(0)
      expect(gain).toBeLessThan(previous)
      previous = gain
    }
  })
})

describe('winRate and klBound', () => {
  it('give 1/2 and 0 for n = 1, the base policy itself', () => {
    expect(winRate(1)).toBe(0.5)
    expect(klBound(1)).toBe(0)
  })

  it('reject n that is not a positive integer', () => {
    expect(() => winRate(0)).toThrow(/winRate\(n\): n must be an integer ≥ 1; got 0/)
    expect(() => klBound(2.5)).toThrow(RangeError)
    expect(() => klBound(Number.NaN)).toThrow(RangeError)
  })
})

describe('optimalTiltWinRate and optimalTiltKl', () => {
  it('reach the c → 0 limits: win rate 1/2 + c/12, KL c²/24', () => {
    expect(optimalTiltWinRate(0)).toBe(0.5)
    expect(optimalTiltKl(0)).toBe(0)
    expect(optimalTiltWinRate(1e-9)).toBeCloseTo(0.5 + 1e-9 / 12, 16)
    expect(optimalTiltKl(1e-6) / (1e-12 / 24)).toBeCloseTo(1, 10)
    expect(optimalTiltKl(1e-200)).toBeGreaterThanOrEqual(0)
  })

  it('agree with the closed forms at c = 0.5 and join continuously at c = 1', () => {
    const c = 0.5
    expect(optimalTiltWinRate(c)).toBeCloseTo(1 / (1 - Math.exp(-c)) - 1 / c, 14)
    const winRateAt = optimalTiltWinRate(c)
    expect(optimalTiltKl(c)).toBeCloseTo(c * winRateAt - Math.log((Math.exp(c) - 1) / c), 14)
    // Just below c = 1 the series is used; the closed form is still accurate there.
    const below = 1 - 1e-12
    const closedWinRate = 1 / (1 - Math.exp(-below)) - 1 / below
    expect(Math.abs(optimalTiltWinRate(below) - closedWinRate)).toBeLessThan(1e-15)
    const closedKl = below * closedWinRate - Math.log(Math.expm1(below) / below)
    expect(Math.abs(optimalTiltKl(below) - closedKl)).toBeLessThan(1e-15)
    expect(optimalTiltKl(1)).toBeCloseTo(1 / (1 - Math.exp(-1)) - 1 - Math.log(Math.E - 1), 15)
  })

  it('do not overflow at c = 1000', () => {
    expect(optimalTiltWinRate(1000)).toBeCloseTo(1 - 1 / 1000, 15)
    expect(optimalTiltKl(1000)).toBeCloseTo(Math.log(1000) - 1, 13)
    expect(Number.isFinite(optimalTiltKl(1e300))).toBe(true)
  })

  it('mirror negative c: WR*(−c) = 1 − WR*(c) and KL*(−c) = KL*(c)', () => {
    for (const c of [0.3, 2, 40]) {
      expect(optimalTiltWinRate(-c)).toBeCloseTo(1 - optimalTiltWinRate(c), 14)
      expect(optimalTiltKl(-c)).toBe(optimalTiltKl(c))
    }
  })

  it('reject a non-finite c', () => {
    expect(() => optimalTiltWinRate(Number.POSITIVE_INFINITY)).toThrow(/optimalTiltWinRate\(c\): c must be a finite number/)
    expect(() => optimalTiltKl(Number.NaN)).toThrow(RangeError)
  })
})

describe('optimalWinRateAtKl', () => {
  it('returns c = 0 and win rate 1/2 for a zero budget', () => {
    expect(optimalWinRateAtKl(0)).toEqual({ c: 0, winRate: 0.5 })
  })

  it('inverts optimalTiltKl across tiny, moderate and huge budgets', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-12, max: 700, noNaN: true }), (kl) => {
        const { c, winRate: optimal } = optimalWinRateAtKl(kl)
        expect(Math.abs(optimalTiltKl(c) - kl) / kl).toBeLessThan(1e-9)
        expect(optimal).toBe(optimalTiltWinRate(c))
      }),
    )
  })

  it('never loses to best-of-n at the same KL', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), (n) => {
        expect(optimalWinRateAtKl(klBound(n)).winRate).toBeGreaterThanOrEqual(winRate(n) - 1e-15)
      }),
    )
  })

  it('rejects a negative, non-finite or unreachable budget', () => {
    expect(() => optimalWinRateAtKl(-0.1)).toThrow(/optimalWinRateAtKl\(kl\): kl must be a finite number in \[0, /)
    expect(() => optimalWinRateAtKl(Number.POSITIVE_INFINITY)).toThrow(RangeError)
    expect(() => optimalWinRateAtKl(800)).toThrow(RangeError)
  })
})

describe('nForKlBudget', () => {
  it('allows n = 6 within 1 nat (KL 0.958; n = 7 would be 1.089)', () => {
    expect(nForKlBudget(1.0)).toBe(6)
    expect(klBound(6)).toBeLessThanOrEqual(1)
    expect(klBound(7)).toBeGreaterThan(1)
  })

  it('returns n = 1 for a zero budget and includes a budget met exactly', () => {
    expect(nForKlBudget(0)).toBe(1)
    expect(nForKlBudget(klBound(2) / 2)).toBe(1)
    expect(nForKlBudget(klBound(8))).toBe(8)
    expect(nForKlBudget(klBound(8) - 1e-12)).toBe(7)
  })

  it('round-trips klBound for any n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e12 }), (n) => {
        expect(nForKlBudget(klBound(n))).toBe(n)
      }),
    )
  })

  it('rejects a negative, non-finite or astronomically large budget', () => {
    expect(() => nForKlBudget(-0.1)).toThrow(/nForKlBudget\(budget\): budget must be a finite number ≥ 0; got -0.1/)
    expect(() => nForKlBudget(Number.NaN)).toThrow(RangeError)
    expect(() => nForKlBudget(40)).toThrow(/beyond Number.MAX_SAFE_INTEGER/)
  })
})

describe('nForWinRate', () => {
  it('needs n = 9 for a win rate of 0.9 despite 0.9/0.1 rounding above 9', () => {
    expect(nForWinRate(0.9)).toBe(9)
    expect(nForWinRate(0.9 + 1e-12)).toBe(10)
  })

  it('answers n = 1 for targets up to one half', () => {
    expect(nForWinRate(0)).toBe(1)
    expect(nForWinRate(0.3)).toBe(1)
    expect(nForWinRate(0.5)).toBe(1)
    expect(nForWinRate(0.5000001)).toBe(2)
  })

  it('returns the smallest n whose win rate reaches the target', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.5, max: 0.999999, noNaN: true }), (target) => {
        const n = nForWinRate(target)
        expect(winRate(n)).toBeGreaterThanOrEqual(target)
        if (n > 1) expect(winRate(n - 1)).toBeLessThan(target)
      }),
    )
  })

  it('rejects targets of 1 or more, negative ones and unreachable ones', () => {
    expect(() => nForWinRate(1)).toThrow(/target must be below 1, since best-of-n wins with probability n\/\(n\+1\) < 1; got 1/)
    expect(() => nForWinRate(1.2)).toThrow(RangeError)
    expect(() => nForWinRate(-0.1)).toThrow(/nForWinRate\(target\): target must be a finite number ≥ 0; got -0.1/)
    expect(() => nForWinRate(Number.NaN)).toThrow(RangeError)
    expect(() => nForWinRate(1 - 1e-17)).toThrow(RangeError)
    expect(() => nForWinRate(1 - 2 ** -53)).toThrow(/beyond Number.MAX_SAFE_INTEGER/)
  })
})

describe('closed forms against Monte Carlo (10⁵ seeded draws, 3 standard errors)', () => {
  for (const n of [2, 4, 8]) {
    it(`confirms the best-of-${n} win rate n/(n+1)`, () => {
      const random = openUnitRandom(1000 + n)
      const estimate = monteCarlo(() => (orderStatistics(random, n).max > random() ? 1 : 0))
      expectWithinThreeStandardErrors(estimate, winRate(n))
    })
  }

  for (const n of [2, 8]) {
    it(`confirms the best-of-${n} KL as E[log n + (n−1) log U₍ₙ₎]`, () => {
      const random = openUnitRandom(2000 + n)
      const estimate = monteCarlo(() => Math.log(n) + (n - 1) * Math.log(orderStatistics(random, n).max))
      expectWithinThreeStandardErrors(estimate, klBound(n))
    })

    it(`confirms the best-of-${n} IPO target E[(n−1)(log U₍ₙ₎ − log U₍₁₎)] = (n−1)H₍ₙ₋₁₎`, () => {
      const random = openUnitRandom(3000 + n)
      const estimate = monteCarlo(() => {
        const { max, min } = orderStatistics(random, n)
        return (n - 1) * (Math.log(max) - Math.log(min))
      })
      expectWithinThreeStandardErrors(estimate, ipoTarget(n))
    })
  }

  for (const c of [2.289, 9.055]) {
    // Inverse CDF of g(u) = c·e^(cu)/(e^c − 1): u = log(1 + v·(e^c − 1))/c.
    const sampleTilted = (random: () => number): number => Math.log1p(random() * Math.expm1(c)) / c

    it(`confirms the win rate of the tilt with c = ${c} against a base draw`, () => {
      const random = openUnitRandom(Math.round(4000 + c * 1000))
      const estimate = monteCarlo(() => (sampleTilted(random) > random() ? 1 : 0))
      expectWithinThreeStandardErrors(estimate, optimalTiltWinRate(c))
    })

    it(`confirms the KL of the tilt with c = ${c} as E_g[log g(U)]`, () => {
      const random = openUnitRandom(Math.round(5000 + c * 1000))
      const logNormaliser = Math.log(c / Math.expm1(c))
      const estimate = monteCarlo(() => c * sampleTilted(random) + logNormaliser)
      expectWithinThreeStandardErrors(estimate, optimalTiltKl(c))
    })
  }
})
