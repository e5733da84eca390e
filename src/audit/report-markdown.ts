/**
 * report.md of a RATE audit: the estimates table (naive vs single rewrite vs RATE), the warnings
 * and the diagnostics, in GitHub-flavoured markdown.
 * @module
 */
import type { RateAuditReport } from './compute-rate-audit.js'
import { defaultRateReportTitle, type RateReportOptions } from './rate-report-rows.js'
import { rateReportContent, type TextTable } from './rate-report-tables.js'

/**
 * Renders a RATE audit as markdown. Every string is escaped, so a title or attribute cannot break
 * the tables or inject markup.
 *
 * @example
 * ```ts
 * const markdown = renderRateReportMarkdown(computeRateAudit(input), { attribute: 'long answer' })
 * ```
 */
export function renderRateReportMarkdown(report: RateAuditReport, options: RateReportOptions = {}): string {
  const content = rateReportContent(report, options)
  const { warnings } = report.diagnostics
  const lines = [
    `# ${escapeMarkdown(options.title ?? defaultRateReportTitle)}`,
    '',
    ...content.facts.map((fact) => `- ${escapeMarkdown(fact)}`),
    '',
    '## Estimates',
    '',
    ...markdownTable(content.estimates),
    '',
    '## Warnings',
    '',
    ...(warnings.length === 0
      ? ['None.']
      : warnings.map((warning) => `- **${escapeMarkdown(warning.code)}**: ${escapeMarkdown(warning.message)}`)),
    '',
    '## Diagnostics',
    '',
    '### Rewrites that reached their target W',
    '',
    ...(content.flips === null ? ['Not checked: the rewrites were not labelled.'] : markdownTable(content.flips)),
    '',
    '### Round trip: reward of the rewrite of a rewrite minus that of the original',
    '',
    escapeMarkdown(content.roundTripNote),
    '',
    ...markdownTable(content.roundTrip),
    '',
    '### RATE standard errors',
    '',
    ...markdownTable(content.standardErrors),
    '',
    escapeMarkdown(content.dropped),
  ]
  return `${lines.join('\n')}\n`
}

/**
 * Escapes what markdown (and the HTML it may become) would interpret: emphasis, code, HTML and
 * autolinks, table pipes, and inline links (a "](" is broken; brackets alone stay readable, which
 * keeps intervals like "[0.27, 0.31]" clean). Newlines become spaces.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_<>|~]/g, (character) => `\\${character}`)
    .replace(/\]\(/g, ']\\(')
    .replace(/\r\n?|\n/g, ' ')
}

function markdownTable(table: TextTable): string[] {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeMarkdown).join(' | ')} |`
  return [line(table.header), `|${table.header.map(() => '---').join('|')}|`, ...table.rows.map(line)]
}
