/**
 * report.html of a RATE audit: one self-contained page that works offline, with a horizontal
 * interval plot (Chart.js, inlined) and the same tables as report.md.
 * @module
 */
import type { RateAuditReport } from './compute-rate-audit.js'
import { rateIntervalPlotScript } from './rate-interval-plot-script.js'
import { defaultRateReportTitle, rateReportRows, type RateReportOptions } from './rate-report-rows.js'
import { rateReportContent, type TextTable } from './rate-report-tables.js'

/** Options of {@link renderRateReportHtml}. */
export interface RateReportHtmlOptions extends RateReportOptions {
  /**
   * The text of Chart.js's UMD build (`chart.js/dist/chart.umd.js`), inlined so that the page needs
   * no network; Node callers get it from `readChartJsSource()`.
   */
  readonly chartJsSource: string
}

/** One plotted row, as the page's script reads it from the embedded JSON. */
export interface RateChartRow {
  /** Axis label, e.g. "RATE ATE". */
  readonly label: string
  /** The point estimate, or null. */
  readonly estimate: number | null
  /** Lower end of the 95% interval, or null. */
  readonly low: number | null
  /** Upper end of the 95% interval, or null. */
  readonly high: number | null
  /** The true effect, or null when unknown. */
  readonly truth: number | null
}

/**
 * Renders a RATE audit as a self-contained HTML page. Every interpolated string is escaped; the
 * page loads nothing (a Content-Security-Policy forbids it).
 *
 * @example
 * ```ts
 * const html = renderRateReportHtml(report, { chartJsSource: await readChartJsSource(), rewardModel: 'ArmoRM' })
 * ```
 */
export function renderRateReportHtml(report: RateAuditReport, options: RateReportHtmlOptions): string {
  const title = options.title ?? defaultRateReportTitle
  const content = rateReportContent(report, options)
  const chartRows: RateChartRow[] = rateReportRows(report, options.truth).map((row) => ({
    label: `${row.estimator} ${row.effect}`,
    estimate: row.raw.estimate,
    low: row.raw.ci?.[0] ?? null,
    high: row.raw.ci?.[1] ?? null,
    truth: row.truth,
  }))
  const { warnings } = report.diagnostics
  const truthNote = options.truth === undefined ? '' : '; crosses mark the true effect'
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<ul>${content.facts.map((fact) => `<li>${escapeHtml(fact)}</li>`).join('')}</ul>
<h2>Estimates</h2>
<figure>
<div class="chart"><canvas id="rate-chart" role="img" aria-label="Estimates with their 95% intervals"></canvas></div>
<figcaption>Point estimates (dots) with 95% intervals (bars), in reward units${truthNote}. The dashed line is 0.</figcaption>
</figure>
${htmlTable(content.estimates)}
<h2>Warnings</h2>
${
  warnings.length === 0
    ? '<p>None.</p>'
    : `<ul class="warnings">${warnings
        .map((warning) => `<li><strong>${escapeHtml(warning.code)}</strong>: ${escapeHtml(warning.message)}</li>`)
        .join('')}</ul>`
}
<h2>Diagnostics</h2>
<h3>Rewrites that reached their target W</h3>
${content.flips === null ? '<p>Not checked: the rewrites were not labelled.</p>' : htmlTable(content.flips)}
<h3>Round trip: reward of the rewrite of a rewrite minus that of the original</h3>
<p>${escapeHtml(content.roundTripNote)}</p>
${htmlTable(content.roundTrip)}
<h3>RATE standard errors</h3>
${htmlTable(content.standardErrors)}
<p>${escapeHtml(content.dropped)}</p>
<script>${inlineScript(options.chartJsSource)}</script>
<script type="application/json" id="rate-report-data">${jsonForScript({ rows: chartRows })}</script>
<script>${inlineScript(rateIntervalPlotScript)}</script>
</body>
</html>
`
}

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => htmlEntities[character] ?? character)
}

const htmlEntities: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

// Inside <script>, "</script" ends the element early and "<!--" changes how the HTML parser finds
// the end; "\x3C" is "<" in every JavaScript context where these can occur (strings, templates,
// regular expressions, comments).
function inlineScript(source: string): string {
  return source.replace(/<(?=\/script|!--)/gi, '\\x3C')
}

// JSON.stringify escapes nothing the HTML parser cares about, so "<", ">" and "&" become \u escapes.
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

// Numbers, intervals and the em dash of a missing value are right-aligned, and so is the heading
// of a column whose first cell is one; words are not.
const numericCell = /^[-\d[—]/

function htmlTable(table: TextTable): string {
  const cell = (tag: 'th' | 'td', value: string, numeric: boolean) =>
    `<${tag}${numeric ? ' class="number"' : ''}>${escapeHtml(value)}</${tag}>`
  const head = table.header.map((value, column) => cell('th', value, numericCell.test(table.rows[0]?.[column] ?? ''))).join('')
  const body = table.rows
    .map((row) => `<tr>${row.map((value) => cell('td', value, numericCell.test(value))).join('')}</tr>`)
    .join('')
  return `<div class="table"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`
}

const style = `
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; color: #1b1b1b; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2rem; font-size: 1.25rem; } h3 { font-size: 1.05rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; white-space: nowrap; }
th.number, td.number { text-align: right; }
.table { overflow-x: auto; }
.chart { position: relative; height: 22rem; }
figure { margin: 0; } figcaption { color: #555; font-size: 0.9rem; }
.warnings li { color: #8a3b00; }
`
