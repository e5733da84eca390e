/**
 * What `bonbon audit rate` prints when it finishes: the estimates table and the warnings of
 * report.md, and report.json's record of how the audit was made.
 * @module
 */
import type { RateAuditPlan } from './rate-audit-plan.js'
import type { RateAuditResult } from './rate-audit.js'
import { describeRateAttribute, type RateAttribute } from './rate-attribute.js'
import { rateTemplateVersion } from './rate-audit-prompts.js'

/**
 * The "Estimates" and "Warnings" sections of a RATE report's markdown (from its `## Estimates`
 * heading up to `## Diagnostics`), the part worth printing to a terminal.
 */
export function rateReportHighlights(markdown: string): string {
  const start = markdown.indexOf('## Estimates')
  if (start === -1) return markdown
  const end = markdown.indexOf('## Diagnostics', start)
  return markdown.slice(start, end === -1 ? undefined : end).trimEnd()
}

/** How an audit was made, kept beside the estimates in report.json under `audit`. */
export interface RateAuditMetadata {
  /** The attribute's name. */
  readonly attribute: string
  /** The attribute in words. */
  readonly attributeDescription: string
  /** `length` only: the threshold in characters. */
  readonly threshold: number | null
  /** How W was labelled. */
  readonly labeller: 'character count' | 'llm classifier'
  /** Name of the audited reward model. */
  readonly rewardModel: string
  /** The rewriter (and classifier) model. */
  readonly rewriterModel: string
  /** Version of the rewrite and classification prompts. */
  readonly templateVersion: string
  /** Where the answers came from. */
  readonly source: string
  /** Answers read. */
  readonly items: number
  /** Answers left out because the classifier could not decide W of the original. */
  readonly unlabelled: number
  /** Paid calls: made, answered from the cache, failed. */
  readonly calls: RateAuditResult['calls']
  /** When the audit finished, ISO 8601. */
  readonly finishedAt: string
}

/** Collects report.json's `audit` record. */
export function rateAuditMetadata(options: {
  readonly result: RateAuditResult
  readonly attribute: RateAttribute
  readonly source: string
  readonly finishedAt: Date
}): RateAuditMetadata {
  const { result, attribute } = options
  return {
    attribute: attribute.name,
    attributeDescription: describeRateAttribute(attribute),
    threshold: attribute.kind === 'length' ? attribute.threshold : null,
    labeller: attribute.kind === 'length' ? 'character count' : 'llm classifier',
    rewardModel: result.rewardModel,
    rewriterModel: result.rewriterModel,
    templateVersion: rateTemplateVersion,
    source: options.source,
    items: result.items.length,
    unlabelled: result.unlabelled,
    calls: result.calls,
    finishedAt: options.finishedAt.toISOString(),
  }
}

/** One line on the calls of a finished run ("38 calls made, 12 from the cache, 0 failed"). */
export function formatRateAuditCalls(result: RateAuditResult, plan?: RateAuditPlan): string {
  const { made, cached, failed } = result.calls
  const planned = plan === undefined ? '' : ` (planned ${plan.toMake})`
  return `${made} calls made${planned}, ${cached} answered from the cache, ${failed} failed`
}
