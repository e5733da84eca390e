import type { ExportSplit, ExportSummary } from './export-records.js'
import type { PairSkipReason } from './preference-pair.js'

const reasonLabels: Record<PairSkipReason, string> = {
  noPair: 'no pair (fewer than 2 scored)',
  fewerScored: 'fewer scored than --min-n',
  tie: 'tie',
  belowMargin: 'below --min-margin',
}

/**
 * The one-line summary `bonbon export` prints at the end: records read, lines written (per split,
 * with the files), records skipped by reason, duplicates, and flattened prompts when there were any.
 * @example
 * formatExportSummary(summary, { train: 'pairs.train.jsonl', test: 'pairs.test.jsonl' })
 * // 'bonbon export: 40 records read, 38 written (train 35 → pairs.train.jsonl, test 3 → pairs.test.jsonl); skipped 2: tie 2; 0 duplicates'
 */
export function formatExportSummary(summary: ExportSummary, targets: Partial<Record<ExportSplit, string>> = {}): string {
  const split = targets.train !== undefined || targets.test !== undefined
  const where = split
    ? ` (train ${summary.train} → ${targets.train ?? '?'}, test ${summary.test} → ${targets.test ?? '?'})`
    : targets.all !== undefined
      ? ` → ${targets.all}`
      : ''
  const reasons = (Object.keys(reasonLabels) as PairSkipReason[])
    .filter((reason) => summary.skipped[reason] > 0)
    .map((reason) => `${reasonLabels[reason]} ${summary.skipped[reason]}`)
  const skippedTotal = Object.values(summary.skipped).reduce((total, count) => total + count, 0)
  const parts = [
    `bonbon export: ${summary.read} records read, ${summary.written} written${where}`,
    `skipped ${skippedTotal}${reasons.length > 0 ? `: ${reasons.join(', ')}` : ''}`,
    `${summary.duplicates} duplicate${summary.duplicates === 1 ? '' : 's'}`,
  ]
  if (summary.flattened > 0) parts.push(`${summary.flattened} prompts flattened to their last user message (system prompt or earlier turns dropped)`)
  return parts.join('; ')
}
