/**
 * A RATE audit end to end, as a library: label each answer's W, rewrite it to flip W and rewrite
 * the rewrite back (through an OpenAI-compatible model, cached by content), score the three texts
 * of each item in one reward-model call, and compute the estimates.
 * @module
 */
import { BonbonError, InvalidOptionsError, RewardModelError, describeError } from '../errors.js'
import type { RewardModel } from '../score/reward-model.js'
import { createMemoryAuditCache, type AuditCache } from './audit-cache.js'
import { createAuditChatClient, type AuditChatClient, type AuditRewriterConfig } from './audit-chat-client.js'
import { computeRateAudit, type RateAuditReport } from './compute-rate-audit.js'
import { createLimiter, mapWithConcurrency } from './concurrency-limit.js'
import type { RateAttribute } from './rate-attribute.js'
import { createAuditCalls, type AuditCallCounts } from './rate-audit-calls.js'
import { auditRateItem, type RateAuditItemResult } from './rate-audit-item.js'
import { planRateAudit, type RateAuditPlan } from './rate-audit-plan.js'
import type { RateAuditItem } from './rate-audit-source.js'
import type { RateWarningThresholds } from './rate-warnings.js'
import { abortableSleep, auditRetryPolicy, retrying } from '../generate/retry.js'

/** Options of {@link createRateAudit}. */
export interface RateAuditOptions {
  /** The answers to audit. */
  readonly items: readonly RateAuditItem[]
  /** The attribute W (see `resolveRateAttribute`). */
  readonly attribute: RateAttribute
  /** The rewriter and classifier: where it lives, or a ready client. */
  readonly rewriter: AuditRewriterConfig | AuditChatClient
  /** The reward model under audit. */
  readonly rewardModel: RewardModel
  /** Where paid outputs are kept between runs. @default an in-memory cache (lost when the process ends) */
  readonly cache?: AuditCache | undefined
  /** The fetch the rewriter uses when given as a config. @default globalThis.fetch */
  readonly fetch?: typeof fetch | undefined
  /** Rewriter calls (and items) in flight at once. @default 4 */
  readonly concurrency?: number | undefined
  /** Retries of a rewriter or reward-model call that failed transiently. @default 2 */
  readonly maxRetries?: number | undefined
  /** Wait before the first retry, doubled for each further one, ms. @default 1000 */
  readonly retryDelayMs?: number | undefined
  /** Waits between retries. @default a timer */
  readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined
  /** Warning thresholds of the report. @default defaultRateWarningThresholds */
  readonly thresholds?: Partial<RateWarningThresholds> | undefined
}

/** Progress of a running audit, reported after each item. */
export interface RateAuditProgress {
  /** Items finished. */
  readonly done: number
  /** Items in all. */
  readonly total: number
  /** Paid calls so far: made, answered from the cache, failed. */
  readonly calls: Readonly<AuditCallCounts>
}

/** Options of one run. */
export interface RateAuditRunOptions {
  /** Stops the audit; outputs obtained so far stay cached. */
  readonly signal?: AbortSignal | undefined
  /** Told after each item. */
  readonly onProgress?: ((progress: RateAuditProgress) => void) | undefined
}

/** What an audit produced. */
export interface RateAuditResult {
  /** The estimates and diagnostics (report.json). */
  readonly report: RateAuditReport
  /** Every item with its texts, labels and rewards, in source order. */
  readonly items: readonly RateAuditItemResult[]
  /** Items left out because the classifier could not decide the original's W. */
  readonly unlabelled: number
  /** Paid calls: made, answered from the cache, failed. */
  readonly calls: Readonly<AuditCallCounts>
  /** The first few failures, for the summary. */
  readonly failures: readonly string[]
  /** Name of the reward model. */
  readonly rewardModel: string
  /** The rewriter model. */
  readonly rewriterModel: string
}

/** A configured RATE audit: plan it, then run it. */
export interface RateAudit {
  /** What the audit will cost, from the cache alone; calls nothing. */
  plan(): Promise<RateAuditPlan>
  /** Runs the audit. */
  run(options?: RateAuditRunOptions): Promise<RateAuditResult>
}

/**
 * Creates a RATE audit.
 * @throws InvalidOptionsError for bad options (concurrency, retries, rewriter).
 * @example
 * ```ts
 * const audit = createRateAudit({ items, attribute: { kind: 'length', name: 'length', threshold: 400 },
 *   rewriter: { baseURL: 'http://127.0.0.1:8000/v1', model: 'qwen' }, rewardModel })
 * console.log(await audit.plan())
 * const { report } = await audit.run()
 * ```
 */
export function createRateAudit(options: RateAuditOptions): RateAudit {
  const concurrency = options.concurrency ?? 4
  const maxRetries = options.maxRetries ?? 2
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new InvalidOptionsError('concurrency must be an integer ≥ 1.', { key: 'concurrency' })
  }
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new InvalidOptionsError('maxRetries must be an integer ≥ 0.', { key: 'maxRetries' })
  }
  const retryDelayMs = options.retryDelayMs ?? 1_000
  const sleep = options.sleep ?? abortableSleep
  const client =
    'complete' in options.rewriter
      ? options.rewriter
      : createAuditChatClient({ ...options.rewriter, fetch: options.fetch, maxRetries, retryDelayMs, sleep })
  const items = [...options.items]
  const { attribute, rewardModel } = options
  const cache = options.cache ?? createMemoryAuditCache()
  const thresholds = options.thresholds === undefined ? undefined : { ...options.thresholds }

  return {
    plan: () => planRateAudit(items, attribute, createAuditCalls({ attribute, client, cache, limit: createLimiter(concurrency) })),
    async run(runOptions = {}) {
      const { signal, onProgress } = runOptions
      const calls = createAuditCalls({ attribute, client, cache, limit: createLimiter(concurrency) })
      const score = scoreWithBreaker(rewardModel, (request) =>
        retrying(() => rewardModel.score(request), {
          policy: auditRetryPolicy({ maxRetries, baseDelayMs: retryDelayMs, maxDelayMs: 60_000 }),
          sleep,
          signal,
        }),
      )
      let done = 0
      const results = await mapWithConcurrency(items, concurrency, async (item) => {
        if (signal?.aborted) throw signal.reason
        const result = await auditRateItem({ item, calls, score, signal })
        done += 1
        onProgress?.({ done, total: items.length, calls: { ...calls.counts } })
        return result
      })
      return {
        report: computeRateAudit(
          { w1: groupInput(results, true), w0: groupInput(results, false) },
          thresholds === undefined ? {} : { thresholds },
        ),
        items: results,
        unlabelled: results.filter((result) => result.w === null).length,
        calls: { ...calls.counts },
        failures: [...calls.failures, ...scoringFailures(results)].slice(0, 5),
        rewardModel: rewardModel.name,
        rewriterModel: client.model,
      }
    },
  }
}

/** Creates and runs a RATE audit in one call. */
export function runRateAudit(options: RateAuditOptions & RateAuditRunOptions): Promise<RateAuditResult> {
  return createRateAudit(options).run({ signal: options.signal, onProgress: options.onProgress })
}

function groupInput(results: readonly RateAuditItemResult[], w: boolean) {
  const group = results.filter((result) => result.w === w)
  return {
    original: group.map((result) => result.rewards.original),
    rewrite: group.map((result) => result.rewards.rewrite),
    rewriteOfRewrite: group.map((result) => result.rewards.rewriteOfRewrite),
    rewriteLabels: group.map((result) => result.rewriteLabel),
    rewriteOfRewriteLabels: group.map((result) => result.rewriteOfRewriteLabel),
  }
}

function scoringFailures(results: readonly RateAuditItemResult[]): string[] {
  return results.flatMap((result) => (result.error === null ? [] : [`${result.id}: ${result.error}`]))
}

/** Consecutive failed scoring calls after which the audit stops instead of paying for more rewrites. */
const maxConsecutiveScoringFailures = 8

// A reward model that is down fails every item; stopping early keeps the rewriter bill small (and
// what was paid for is cached). The error is deliberately not a RewardModelError, which an item
// would absorb as its own failure.
function scoreWithBreaker(rewardModel: RewardModel, score: RewardModel['score']): RewardModel['score'] {
  let consecutive = 0
  return async (request) => {
    try {
      const scores = await score(request)
      consecutive = 0
      return scores
    } catch (error) {
      if (RewardModelError.isInstance(error) && ++consecutive >= maxConsecutiveScoringFailures) {
        throw new BonbonError(
          'reward_model_error',
          `The reward model ${rewardModel.name} failed ${consecutive} items in a row; stopping (rewrites so far are cached). ` +
            `Last error: ${describeError(error)}`,
          { cause: error },
        )
      }
      throw error
    }
  }
}
