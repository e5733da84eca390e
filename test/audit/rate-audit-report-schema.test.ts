import { describe, expect, it } from 'vitest'
import { computeRateAudit } from '../../src/audit/compute-rate-audit.js'
import { parseRateAuditReport } from '../../src/audit/rate-audit-report-schema.js'
import { createRateWorld } from '../../src/testing/rate-world.js'

describe('parseRateAuditReport', () => {
  it('reads back a report written as JSON, nulls included', () => {
    const full = computeRateAudit(createRateWorld({ seed: 12, flipProbability: 0.8 }).input)
    expect(parseRateAuditReport(JSON.stringify(full))).toEqual(full)
    const tiny = computeRateAudit({
      w1: { original: [1], rewrite: [0], rewriteOfRewrite: [1] },
      w0: { original: [], rewrite: [], rewriteOfRewrite: [] },
    })
    expect(parseRateAuditReport(JSON.stringify(tiny))).toEqual(tiny)
  })

  it('rejects a report with a missing or wrong field', () => {
    const report = computeRateAudit(createRateWorld({ seed: 12 }).input)
    const { rate, ...withoutRate } = report
    expect(rate).toBeDefined()
    expect(() => parseRateAuditReport(JSON.stringify(withoutRate))).toThrow(/rate/)
    expect(() => parseRateAuditReport(JSON.stringify({ ...report, n1: 'many' }))).toThrow(/n1/)
    expect(() => parseRateAuditReport('not json')).toThrow(SyntaxError)
  })
})
