/**
 * Writes the files of a RATE audit into a folder: report.json, report.md, report.html (offline,
 * Chart.js inlined) and items.jsonl (every text, label and reward, to see what the rewriter did).
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readChartJsSource } from './chart-js-source.node.js'
import { describeRateAttribute, type RateAttribute } from './rate-attribute.js'
import { rateAuditMetadata } from './rate-audit-summary.js'
import type { RateAuditResult } from './rate-audit.js'
import { renderRateReportHtml } from './report-html.js'
import { renderRateReportMarkdown } from './report-markdown.js'

/** Options of {@link writeRateAuditReports}. */
export interface WriteRateAuditReportsOptions {
  /** The folder; created when missing. */
  readonly dir: string
  /** The finished audit. */
  readonly result: RateAuditResult
  /** The attribute audited. */
  readonly attribute: RateAttribute
  /** Where the answers came from, for report.json. */
  readonly source: string
  /** When the audit finished. @default now */
  readonly finishedAt?: Date | undefined
}

/** The files written, and the markdown (for printing). */
export interface WrittenRateAuditReports {
  /** Paths of report.json, report.md, report.html and items.jsonl. */
  readonly files: readonly string[]
  /** The text of report.md. */
  readonly markdown: string
}

/** Writes the four files of a RATE audit. */
export async function writeRateAuditReports(options: WriteRateAuditReportsOptions): Promise<WrittenRateAuditReports> {
  const { dir, result, attribute } = options
  await mkdir(dir, { recursive: true })
  const reportOptions = {
    title: `RATE audit: ${attribute.name}`,
    attribute: describeRateAttribute(attribute),
    rewardModel: result.rewardModel,
  }
  const markdown = renderRateReportMarkdown(result.report, reportOptions)
  const html = renderRateReportHtml(result.report, { ...reportOptions, chartJsSource: await readChartJsSource() })
  const audit = rateAuditMetadata({ result, attribute, source: options.source, finishedAt: options.finishedAt ?? new Date() })
  const contents: [string, string][] = [
    ['report.json', `${JSON.stringify({ ...result.report, audit }, null, 2)}\n`],
    ['report.md', markdown],
    ['report.html', html],
    ['items.jsonl', result.items.map((item) => `${JSON.stringify(item)}\n`).join('')],
  ]
  const files = contents.map(([name]) => join(dir, name))
  await Promise.all(contents.map(([name, text]) => writeFile(join(dir, name), text, 'utf8')))
  return { files, markdown }
}
