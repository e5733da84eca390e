import { describe, expect, it } from 'vitest'
import { computeRateAudit } from '../../src/audit/compute-rate-audit.js'
import { InvalidOptionsError } from '../../src/errors.js'
import { createRateWorld } from '../../src/testing/rate-world.js'

const meanOf = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length

describe('createRateWorld', () => {
  it('gives the same world for the same seed and a different one for another seed', () => {
    expect(createRateWorld({ seed: 42, items: 50 })).toEqual(createRateWorld({ seed: 42, items: 50 }))
    expect(createRateWorld({ seed: 43, items: 50 }).input).not.toEqual(createRateWorld({ seed: 42, items: 50 }).input)
  })

  it('reports τ as the true ATT, ATU and ATE', () => {
    const world = createRateWorld({ seed: 1, effect: -0.25 })
    expect(world.tau).toBe(-0.25)
    expect(world.truth).toEqual({ att: -0.25, atu: -0.25, ate: -0.25 })
  })

  it('splits items by the W of the original, with aligned rewards and labels', () => {
    const world = createRateWorld({ seed: 3, items: 200 })
    const { w1, w0 } = world.input
    expect(w1.original.length + w0.original.length).toBe(200)
    expect(w1.rewrite).toHaveLength(w1.original.length)
    expect(w1.rewriteOfRewriteLabels).toHaveLength(w1.original.length)
    expect(w1.rewriteLabels?.every((label) => label === false)).toBe(true)
    expect(w0.rewriteLabels?.every((label) => label === true)).toBe(true)
    expect(w0.rewriteOfRewriteLabels?.every((label) => label === false)).toBe(true)
  })

  it('ties W to quality: W=1 originals are of higher quality', () => {
    const world = createRateWorld({ seed: 4, items: 2000 })
    const quality = (w: boolean) => meanOf(world.items.filter((item) => item.original.w === w).map((item) => item.quality))
    expect(quality(true) - quality(false)).toBeGreaterThan(0.5)
    expect(world.input.w1.original.length).toBeLessThan(1000)
    expect(createRateWorld({ seed: 4, items: 2000, treatedLogit: 0.8 }).input.w1.original.length).toBeGreaterThan(1000)
  })

  it('adds the artifact δ to every rewrite, once, in the default idempotent mode', () => {
    const world = createRateWorld({ seed: 8, items: 4000, artifact: 2, effect: 0, textNoise: 0 })
    const shift = (pick: (item: (typeof world.items)[number]) => number) =>
      meanOf(world.items.map((item) => pick(item) - item.original.reward))
    expect(shift((item) => item.rewrite.reward)).toBeCloseTo(2, 10)
    expect(shift((item) => item.rewriteOfRewrite.reward)).toBeCloseTo(2, 10)
  })

  it('adds δ again on the second pass in cumulative mode, which biases RATE ATT by +δ and ATU by −δ', () => {
    const world = createRateWorld({ seed: 8, items: 4000, artifact: 0.6, artifactMode: 'cumulative' })
    const report = computeRateAudit(world.input)
    expect(report.rate.att.estimate).toBeCloseTo(world.tau + 0.6, 1)
    expect(report.rate.atu.estimate).toBeCloseTo(world.tau - 0.6, 1)
  })

  it('lets a share of rewrites miss their target W', () => {
    const world = createRateWorld({ seed: 6, items: 4000, flipProbability: 0.7 })
    const flipped = world.items.filter((item) => item.rewrite.w !== item.original.w).length / world.items.length
    expect(flipped).toBeGreaterThan(0.67)
    expect(flipped).toBeLessThan(0.73)
    // A rewrite of a rewrite aims back at the original W; one that starts there stays there.
    expect(world.items.filter((item) => item.rewrite.w === item.original.w).every((item) => item.rewriteOfRewrite.w === item.original.w)).toBe(true)
  })

  it('rejects invalid options with InvalidOptionsError', () => {
    expect(() => createRateWorld({ seed: 1.5 })).toThrow(InvalidOptionsError)
    expect(() => createRateWorld({ seed: 1, items: -1 })).toThrow(/items/)
    expect(() => createRateWorld({ seed: 1, flipProbability: 1.2 })).toThrow(/flipProbability/)
    expect(() => createRateWorld({ seed: 1, textNoise: -1 })).toThrow(/Noise/)
    expect(() => createRateWorld({ seed: 1, effect: Number.NaN })).toThrow(/effect/)
  })
})
