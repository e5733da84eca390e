import { describe, expect, it } from 'vitest'
import { computeRateAudit } from '../../src/audit/compute-rate-audit.js'
import { escapeMarkdown, renderRateReportMarkdown } from '../../src/audit/report-markdown.js'
import { createRateWorld } from '../../src/testing/rate-world.js'

const world = createRateWorld({ seed: 21 })
const report = computeRateAudit(world.input)

describe('renderRateReportMarkdown', () => {
  it('has a table of naive vs single-rewrite vs RATE with estimate, SE, CI and normalized columns', () => {
    const markdown = renderRateReportMarkdown(report)
    expect(markdown).toContain('| Estimator | Effect | Estimate | SE | 95% CI | Normalized | Normalized 95% CI |')
    const rateAte = markdown.split('\n').find((line) => line.startsWith('| RATE | ATE |'))
    const { estimate, se, ci } = report.rate.ate
    expect(rateAte).toBe(
      `| RATE | ATE | ${estimate?.toPrecision(4)} | ${se?.toPrecision(4)} | [${ci?.[0].toPrecision(4)}, ${ci?.[1].toPrecision(4)}] | ${report.normalized.rate.ate.estimate?.toPrecision(4)} | [${report.normalized.rate.ate.ci?.[0].toPrecision(4)}, ${report.normalized.rate.ate.ci?.[1].toPrecision(4)}] |`,
    )
    for (const row of ['| Naive | ATE |', '| Single rewrite | ATT |', '| Single rewrite | ATU |', '| Single rewrite | ATE |', '| RATE | ATT |', '| RATE | ATU |']) {
      expect(markdown).toContain(row)
    }
    expect(markdown).toContain(`n₁ = ${report.n1} with W=1, n₀ = ${report.n0} with W=0`)
    expect(markdown).toContain('95% normal, estimate ± 1.96·SE')
  })

  it('adds the truth and whether each interval covers it when the truth is known', () => {
    const markdown = renderRateReportMarkdown(report, { truth: world.truth })
    expect(markdown).toContain('| Truth | Covers truth |')
    expect(markdown).toMatch(/\| Naive \| ATE \|.*\| 0\.5000 \| no \|/)
    const covers = report.rate.ate.ci !== null && report.rate.ate.ci[0] <= 0.5 && 0.5 <= report.rate.ate.ci[1]
    expect(markdown).toMatch(new RegExp(`\\| RATE \\| ATE \\|.*\\| 0\\.5000 \\| ${covers ? 'yes' : 'no'} \\|`))
  })

  it('lists the warnings and the diagnostics', () => {
    const flawed = computeRateAudit(createRateWorld({ seed: 21, flipProbability: 0.6 }).input)
    const markdown = renderRateReportMarkdown(flawed)
    expect(markdown).toMatch(/- \*\*flips-unreliable\*\*: Only \d+% of W=1→0 rewrites flipped W/)
    expect(markdown).toContain('| W=1→0 | rewrite of a W=1 original |')
    expect(markdown).toContain('| W=1 items (1→0→1) |')
    expect(markdown).toContain("| Effect | Paired SE (used here) | Unpaired SE (the paper's code) |")
    const clean = computeRateAudit(createRateWorld({ seed: 21, artifact: 0.1 }).input)
    expect(renderRateReportMarkdown(clean)).toContain('## Warnings\n\nNone.')
  })

  it('escapes caller strings so they cannot break a table or add markup', () => {
    const markdown = renderRateReportMarkdown(report, {
      title: 'RM <b>audit</b>',
      attribute: 'a | b\n## injected',
      rewardModel: '[click](http://example.com)',
    })
    expect(markdown.startsWith('# RM \\<b\\>audit\\</b\\>\n')).toBe(true)
    expect(markdown).toContain('- Attribute W: a \\| b ## injected')
    expect(markdown).not.toContain('](http')
  })

  it('shows an em dash where a value could not be computed', () => {
    const tiny = computeRateAudit({
      w1: { original: [1], rewrite: [0], rewriteOfRewrite: [1] },
      w0: { original: [0], rewrite: [1], rewriteOfRewrite: [0] },
    })
    expect(renderRateReportMarkdown(tiny)).toContain('| RATE | ATE | 1.000 | — | — | — | — |')
  })
})

describe('escapeMarkdown', () => {
  it('leaves interval brackets readable', () => {
    expect(escapeMarkdown('[0.1, 0.2]')).toBe('[0.1, 0.2]')
    expect(escapeMarkdown('*a*_b_`c`')).toBe('\\*a\\*\\_b\\_\\`c\\`')
  })
})
