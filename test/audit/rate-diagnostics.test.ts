import { describe, expect, it } from 'vitest'
import { computeRateAudit } from '../../src/audit/compute-rate-audit.js'
import { diagnoseFlips, diagnoseRoundTrip } from '../../src/audit/rate-diagnostics.js'
import { createRateWorld } from '../../src/testing/rate-world.js'

describe('diagnoseFlips', () => {
  it('counts, per direction, the labelled rewrites that reached their target W', () => {
    const flips = diagnoseFlips({
      w1: { rewriteLabels: [false, false, true, null], rewriteOfRewriteLabels: [true, true, true, true] },
      w0: { rewriteLabels: [true, true] },
    })
    expect(flips.toW0.rewrite).toEqual({ onTarget: 2, labelled: 3, share: 2 / 3 })
    expect(flips.toW1.rewrite).toEqual({ onTarget: 2, labelled: 2, share: 1 })
    expect(flips.toW1.rewriteOfRewrite).toEqual({ onTarget: 4, labelled: 4, share: 1 })
    expect(flips.toW0.rewriteOfRewrite).toBeNull()
  })

  it('has a null share when every label is undecided', () => {
    expect(diagnoseFlips({ w1: { rewriteLabels: [null] }, w0: {} }).toW0.rewrite).toEqual({
      onTarget: 0,
      labelled: 0,
      share: null,
    })
  })
})

describe('diagnoseRoundTrip', () => {
  it('measures the reward change of original → rewrite → rewrite of rewrite per group', () => {
    const roundTrip = diagnoseRoundTrip(
      { original: [3, 5], rewrite: [1, 2], rewriteOfRewrite: [2, 5] },
      { original: [1, 2, 6], rewrite: [4, 4, 7], rewriteOfRewrite: [2, 1, 6] },
    )
    // W=1: [-1, 0]; W=0: [1, -1, 0]
    expect(roundTrip.w1.estimate).toBe(-0.5)
    expect(roundTrip.w0.estimate).toBe(0)
    expect(roundTrip.asymmetry.estimate).toBe(-0.5)
    expect(roundTrip.asymmetry.se).toBeCloseTo(Math.sqrt(0.5 / 2 + 1 / 3), 12)
  })
})

describe('RATE audit warnings', () => {
  const codes = (report: ReturnType<typeof computeRateAudit>) => report.diagnostics.warnings.map((warning) => warning.code)

  it('stay quiet about flips and direction in a world that meets the assumptions', () => {
    const report = computeRateAudit(createRateWorld({ seed: 11, items: 400 }).input)
    expect(codes(report)).not.toContain('flips-unreliable')
    expect(codes(report)).not.toContain('flips-incomplete')
    expect(codes(report)).not.toContain('round-trip-asymmetric')
  })

  it('call estimates unreliable when rewrites often fail to flip W', () => {
    const report = computeRateAudit(createRateWorld({ seed: 5, items: 2000, flipProbability: 0.62 }).input)
    const share = report.diagnostics.flips.toW0.rewrite?.share ?? 1
    expect(share).toBeGreaterThan(0.57)
    expect(share).toBeLessThan(0.67)
    const unreliable = report.diagnostics.warnings.filter((warning) => warning.code === 'flips-unreliable')
    expect(unreliable.length).toBeGreaterThan(0)
    expect(unreliable[0]?.message).toMatch(/^Only 6\d% of W=1→0 rewrites flipped W \(\d+ of \d+\); estimates are unreliable\.$/)
  })

  it('say the estimates shrink when a few rewrites fail to flip W', () => {
    const report = computeRateAudit(createRateWorld({ seed: 5, items: 2000, flipProbability: 0.9 }).input)
    expect(codes(report)).toContain('flips-incomplete')
    expect(codes(report)).not.toContain('flips-unreliable')
  })

  it('say flips are unchecked when the rewrites carry no labels', () => {
    const { w1, w0 } = createRateWorld({ seed: 5 }).input
    const strip = (group: typeof w1) => ({ original: group.original, rewrite: group.rewrite, rewriteOfRewrite: group.rewriteOfRewrite })
    expect(codes(computeRateAudit({ w1: strip(w1), w0: strip(w0) }))).toContain('flips-unchecked')
  })

  it('flag a rewrite artifact that depends on direction, which biases RATE', () => {
    const world = createRateWorld({ seed: 9, items: 2000, artifactAsymmetry: 0.4 })
    const report = computeRateAudit(world.input)
    expect(codes(report)).toContain('round-trip-asymmetric')
    expect(report.diagnostics.roundTrip.asymmetry.estimate).toBeCloseTo(0.4, 1)
    // RATE's bias is the asymmetry: its interval misses τ
    expect(report.rate.ate.estimate).toBeCloseTo(world.tau + 0.4, 1)
  })

  it('flag a large rewrite artifact relative to the reward SD', () => {
    expect(codes(computeRateAudit(createRateWorld({ seed: 2, artifact: 1.5 }).input))).toContain('rewrite-artifact-large')
    expect(codes(computeRateAudit(createRateWorld({ seed: 2, artifact: 0.05 }).input))).not.toContain('rewrite-artifact-large')
  })
})
