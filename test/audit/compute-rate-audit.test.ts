import { describe, expect, it } from 'vitest'
import { computeRateAudit, type RateAuditInput } from '../../src/audit/compute-rate-audit.js'
import { InvalidOptionsError } from '../../src/errors.js'

const input: RateAuditInput = {
  w1: { original: [3, 5], rewrite: [1, 2], rewriteOfRewrite: [2, 5] },
  w0: { original: [1, 2, 6], rewrite: [4, 4, 7], rewriteOfRewrite: [2, 1, 6] },
}

describe('computeRateAudit', () => {
  it('returns the report.json shape in raw reward units', () => {
    const report = computeRateAudit(input)
    const json: unknown = JSON.parse(JSON.stringify(report))
    expect(json).toMatchObject({
      naive: { estimate: 1 },
      singleRewrite: { att: { estimate: 2.5 }, atu: { estimate: 2 } },
      rate: { att: { estimate: 2, se: 1, ci: [2 - 1.96, 2 + 1.96] }, atu: { estimate: 2 } },
      n1: 2,
      n0: 3,
    })
    expect(Object.keys(report).sort()).toEqual(['diagnostics', 'n0', 'n1', 'naive', 'normalized', 'rate', 'singleRewrite'])
  })

  it('divides every normalized number by the pooled SD of the original rewards', () => {
    const report = computeRateAudit(input)
    const sd = Math.sqrt(16 / 3)
    expect(report.diagnostics.rewardSd).toBeCloseTo(sd, 12)
    expect(report.normalized.rate.ate.estimate).toBeCloseTo(2 / sd, 12)
    expect(report.normalized.rate.ate.se).toBeCloseTo(Math.sqrt(0.28) / sd, 12)
    expect(report.normalized.naive.ci?.[1]).toBeCloseTo((report.naive.ci?.[1] ?? Number.NaN) / sd, 12)
  })

  it('states its method and gives the paper-style unpaired SEs beside the paired ones', () => {
    const { diagnostics } = computeRateAudit(input)
    expect(diagnostics.method).toEqual({
      interval: 'normal',
      intervalZ: 1.96,
      standardError: 'paired',
      normalization: 'pooled-within-group-sd-of-original-rewards',
    })
    expect(diagnostics.unpairedRateSe.att).toBeCloseTo(Math.sqrt(2.5), 12)
  })

  it('drops items with a missing reward from every estimator and says so', () => {
    const report = computeRateAudit({
      w1: { original: [3, 5, 9], rewrite: [1, 2, null], rewriteOfRewrite: [2, 5, 0] },
      w0: { original: [1, null, 2, 6], rewrite: [4, 0, 4, 7], rewriteOfRewrite: [2, 0, 1, 6] },
    })
    expect(report.n1).toBe(2)
    expect(report.n0).toBe(3)
    expect(report.naive.estimate).toBe(1)
    expect(report.rate).toEqual(computeRateAudit(input).rate)
    expect(report.diagnostics.droppedItems).toEqual({ w1: 1, w0: 1 })
    expect(report.diagnostics.warnings.map((warning) => warning.code)).toContain('items-dropped')
  })

  it('reports null SEs and intervals for one-item groups and nothing NaN in JSON', () => {
    const report = computeRateAudit({
      w1: { original: [3], rewrite: [1], rewriteOfRewrite: [2] },
      w0: { original: [1], rewrite: [4], rewriteOfRewrite: [2] },
    })
    const text = JSON.stringify(report)
    expect(text).not.toMatch(/NaN|Infinity/)
    expect(report.rate.att).toEqual({ estimate: 1, se: null, ci: null })
    expect(report.rate.ate.se).toBeNull()
    expect(report.naive).toEqual({ estimate: 2, se: null, ci: null })
    expect(report.diagnostics.rewardSd).toBeNull()
    expect(report.normalized.rate.ate).toEqual({ estimate: null, se: null, ci: null })
    expect(report.diagnostics.warnings.map((warning) => warning.code)).toEqual(
      expect.arrayContaining(['group-too-small', 'reward-sd-unavailable']),
    )
  })

  it('handles an empty group: no ATT, ATE from the other group alone', () => {
    const report = computeRateAudit({
      w1: { original: [], rewrite: [], rewriteOfRewrite: [] },
      w0: input.w0,
    })
    expect(JSON.stringify(report)).not.toMatch(/NaN|Infinity/)
    expect(report.rate.att).toEqual({ estimate: null, se: null, ci: null })
    expect(report.naive.estimate).toBeNull()
    expect(report.rate.ate).toEqual(report.rate.atu)
    expect(report.diagnostics.warnings[0]?.code).toBe('group-empty')
  })

  it('handles no items at all', () => {
    const empty = { original: [], rewrite: [], rewriteOfRewrite: [] }
    const report = computeRateAudit({ w1: empty, w0: empty })
    expect(JSON.stringify(report)).not.toMatch(/NaN|Infinity/)
    expect(report.rate.ate.estimate).toBeNull()
  })

  it('rejects misaligned arrays and non-finite rewards with InvalidOptionsError', () => {
    const misaligned = () =>
      computeRateAudit({ ...input, w0: { ...input.w0, rewriteOfRewrite: [1, 2] } })
    expect(misaligned).toThrow(InvalidOptionsError)
    expect(misaligned).toThrow(/w0\.rewriteOfRewrite has 2 entries/)
    expect(() => computeRateAudit({ ...input, w1: { ...input.w1, rewriteLabels: [true] } })).toThrow(/rewriteLabels/)
    expect(() => computeRateAudit({ ...input, w1: { ...input.w1, rewrite: [1, Number.NaN] } })).toThrow(
      /w1\.rewrite\.1 is NaN/,
    )
  })

  it('rejects out-of-range thresholds without touching the caller object', () => {
    const thresholds = { unreliableFlipShare: 1.5 }
    expect(() => computeRateAudit(input, { thresholds })).toThrow(InvalidOptionsError)
    expect(() => computeRateAudit(input, { thresholds: { minGroupSize: -1 } })).toThrow(/minGroupSize/)
    expect(thresholds).toEqual({ unreliableFlipShare: 1.5 })
  })

  it('applies threshold overrides', () => {
    expect(computeRateAudit(input).diagnostics.warnings.map((warning) => warning.code)).toContain('group-small')
    const report = computeRateAudit(input, { thresholds: { minGroupSize: 2 } })
    expect(report.diagnostics.warnings.map((warning) => warning.code)).not.toContain('group-small')
  })
})
