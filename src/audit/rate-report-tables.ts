/**
 * The text content both RATE reports share (facts, tables, notes) as plain strings, so that the
 * markdown and HTML renderers differ only in markup and escaping.
 * @module
 */
import type { RateAuditReport } from './compute-rate-audit.js'
import { formatInterval, formatNumber } from './format-number.js'
import type { IntervalEstimate } from './interval-estimate.js'
import type { FlipShare } from './rate-diagnostics.js'
import { rateReportRows, type RateReportOptions } from './rate-report-rows.js'

/** A table of unescaped strings. */
export interface TextTable {
  /** Column headings. */
  readonly header: readonly string[]
  /** Cells, row by row. */
  readonly rows: readonly (readonly string[])[]
}

/** Everything a RATE report says, before markup. */
export interface RateReportContent {
  /** Short facts for the top of the report (attribute, model, counts, method). */
  readonly facts: readonly string[]
  /** Naive vs single rewrite vs RATE, raw and normalized, with the truth when known. */
  readonly estimates: TextTable
  /** Flip shares, or null when the rewrites were not labelled. */
  readonly flips: TextTable | null
  /** Round-trip reward change per group and its asymmetry. */
  readonly roundTrip: TextTable
  /** What the round-trip table means. */
  readonly roundTripNote: string
  /** Paired vs unpaired (paper's code) RATE standard errors. */
  readonly standardErrors: TextTable
  /** How many items were left out. */
  readonly dropped: string
}

/** Builds the shared content of the RATE reports. */
export function rateReportContent(report: RateAuditReport, options: RateReportOptions): RateReportContent {
  const { diagnostics } = report
  const facts = [
    options.attribute === undefined ? null : `Attribute W: ${options.attribute}`,
    options.rewardModel === undefined ? null : `Reward model: ${options.rewardModel}`,
    `Items: n₁ = ${report.n1} with W=1, n₀ = ${report.n0} with W=0`,
    `Intervals: 95% normal, estimate ± ${diagnostics.method.intervalZ}·SE; ` +
      'single-rewrite and RATE SEs are paired (SE of the mean of per-item differences)',
    `Normalized: divided by the pooled within-group SD of the original rewards (${formatNumber(diagnostics.rewardSd)})`,
  ].filter((fact) => fact !== null)
  return {
    facts,
    estimates: estimatesTable(report, options),
    flips: flipsTable(report),
    roundTrip: {
      header: ['Group', 'Mean change', 'SE', '95% CI'],
      rows: [
        ['W=1 items (1→0→1)', ...estimateCells(diagnostics.roundTrip.w1)],
        ['W=0 items (0→1→0)', ...estimateCells(diagnostics.roundTrip.w0)],
        ['Difference (W=1 − W=0)', ...estimateCells(diagnostics.roundTrip.asymmetry)],
      ],
    },
    roundTripNote:
      'Both texts have the original W, so a change is rewrite error. RATE assumes that error does not depend ' +
      'on the direction of the rewrite: the difference should be near 0.',
    standardErrors: {
      header: ['Effect', 'Paired SE (used here)', "Unpaired SE (the paper's code)"],
      rows: (['att', 'atu', 'ate'] as const).map((key) => [
        key.toUpperCase(),
        formatNumber(report.rate[key].se),
        formatNumber(diagnostics.unpairedRateSe[key]),
      ]),
    },
    dropped:
      `Items left out for a missing reward: ${diagnostics.droppedItems.w1} with W=1, ` +
      `${diagnostics.droppedItems.w0} with W=0.`,
  }
}

function estimatesTable(report: RateAuditReport, options: RateReportOptions): TextTable {
  const withTruth = options.truth !== undefined
  const header = ['Estimator', 'Effect', 'Estimate', 'SE', '95% CI', 'Normalized', 'Normalized 95% CI']
  if (withTruth) header.push('Truth', 'Covers truth')
  const rows = rateReportRows(report, options.truth).map((row) => {
    const cells = [
      row.estimator,
      row.effect,
      ...estimateCells(row.raw),
      formatNumber(row.normalized.estimate),
      formatInterval(row.normalized.ci),
    ]
    if (withTruth) cells.push(formatNumber(row.truth), row.covers === null ? '—' : row.covers ? 'yes' : 'no')
    return cells
  })
  return { header, rows }
}

function flipsTable(report: RateAuditReport): TextTable | null {
  const { flips } = report.diagnostics
  const entries: [string, string, FlipShare | null][] = [
    ['W=1→0', 'rewrite of a W=1 original', flips.toW0.rewrite],
    ['W=1→0', 'rewrite of a rewrite (W=0 item)', flips.toW0.rewriteOfRewrite],
    ['W=0→1', 'rewrite of a W=0 original', flips.toW1.rewrite],
    ['W=0→1', 'rewrite of a rewrite (W=1 item)', flips.toW1.rewriteOfRewrite],
  ]
  const rows = entries.flatMap(([direction, text, share]) =>
    share === null
      ? []
      : [
          [
            direction,
            text,
            String(share.onTarget),
            String(share.labelled),
            share.share === null ? '—' : `${(share.share * 100).toFixed(1)}%`,
          ],
        ],
  )
  return rows.length === 0 ? null : { header: ['Direction', 'Text', 'On target', 'Labelled', 'Share'], rows }
}

function estimateCells(value: IntervalEstimate): string[] {
  return [formatNumber(value.estimate), formatNumber(value.se), formatInterval(value.ci)]
}
