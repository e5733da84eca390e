import { describe, expect, it } from 'vitest'
import { computeRateAudit } from '../../src/audit/compute-rate-audit.js'
import type { IntervalEstimate } from '../../src/audit/interval-estimate.js'
import { createRateWorld } from '../../src/testing/rate-world.js'

// 500 worlds of 300 items: coverage is measured to about ±1 percentage point, and the whole file
// takes well under a second of CPU.
const worlds = 500
const items = 300

type Estimator = 'naive' | 'singleAtt' | 'singleAtu' | 'singleAte' | 'rateAtt' | 'rateAtu' | 'rateAte'

interface Tally {
  readonly errors: number[]
  covered: number
}

function simulate() {
  const tallies = new Map<Estimator, Tally>()
  let paperCovered = 0
  let pairedSeSum = 0
  let paperSeSum = 0
  for (let seed = 1; seed <= worlds; seed++) {
    const world = createRateWorld({ seed, items })
    const report = computeRateAudit(world.input)
    const estimates: Record<Estimator, IntervalEstimate> = {
      naive: report.naive,
      singleAtt: report.singleRewrite.att,
      singleAtu: report.singleRewrite.atu,
      singleAte: report.singleRewrite.ate,
      rateAtt: report.rate.att,
      rateAtu: report.rate.atu,
      rateAte: report.rate.ate,
    }
    for (const [name, value] of Object.entries(estimates) as [Estimator, IntervalEstimate][]) {
      const tally = tallies.get(name) ?? { errors: [], covered: 0 }
      tallies.set(name, tally)
      if (value.estimate === null || value.ci === null) throw new Error(`${name} has no interval in world ${seed}`)
      tally.errors.push(value.estimate - world.tau)
      if (value.ci[0] <= world.tau && world.tau <= value.ci[1]) tally.covered += 1
    }
    const ate = report.rate.ate
    const paperSe = report.diagnostics.unpairedRateSe.ate
    if (ate.estimate === null || ate.se === null || paperSe === null) throw new Error(`no RATE ATE in world ${seed}`)
    if (Math.abs(ate.estimate - world.tau) <= 1.96 * paperSe) paperCovered += 1
    pairedSeSum += ate.se
    paperSeSum += paperSe
  }
  const summary = (name: Estimator) => {
    const tally = tallies.get(name)
    if (tally === undefined) throw new Error(`no tally for ${name}`)
    const n = tally.errors.length
    const meanError = tally.errors.reduce((sum, error) => sum + error, 0) / n
    const sd = Math.sqrt(tally.errors.reduce((sum, error) => sum + (error - meanError) ** 2, 0) / (n - 1))
    return { meanError, z: meanError / (sd / Math.sqrt(n)), coverage: tally.covered / n }
  }
  return {
    summary,
    paperCoverage: paperCovered / worlds,
    seRatio: paperSeSum / pairedSeSum,
  }
}

const result = simulate()

describe('RATE coverage over synthetic worlds with a known effect', () => {
  it.each(['rateAtt', 'rateAtu', 'rateAte'] as const)('%s: the 95% interval covers the true τ in 90–99% of worlds', (name) => {
    const { coverage } = result.summary(name)
    expect(coverage).toBeGreaterThanOrEqual(0.9)
    // An interval that always covers would be too wide to be the paired one.
    expect(coverage).toBeLessThanOrEqual(0.99)
  })

  it.each(['rateAtt', 'rateAtu', 'rateAte'] as const)('%s: the mean error over worlds is within 3 standard errors of 0', (name) => {
    expect(Math.abs(result.summary(name).z)).toBeLessThan(3)
  })

  it('naive: confounding with quality biases it far from τ and its interval rarely covers', () => {
    const naive = result.summary('naive')
    expect(naive.z).toBeGreaterThan(20)
    expect(naive.meanError).toBeGreaterThan(0.5)
    expect(naive.coverage).toBeLessThan(0.5)
  })

  it('single rewrite: the rewrite artifact δ = 0.8 biases ATT down and ATU up', () => {
    const att = result.summary('singleAtt')
    const atu = result.summary('singleAtu')
    expect(att.meanError).toBeCloseTo(-0.8, 1)
    expect(atu.meanError).toBeCloseTo(0.8, 1)
    expect(att.coverage).toBeLessThan(0.5)
    expect(atu.coverage).toBeLessThan(0.5)
  })

  it('single rewrite: ATE is biased by δ·(n₀ − n₁)/n when the groups differ in size', () => {
    const ate = result.summary('singleAte')
    expect(ate.z).toBeGreaterThan(20)
    expect(ate.coverage).toBeLessThan(0.5)
  })

  it("the paper code's unpaired SE is much wider than the paired one, so its interval over-covers", () => {
    expect(result.seRatio).toBeGreaterThan(2)
    expect(result.paperCoverage).toBeGreaterThan(0.99)
  })
})
