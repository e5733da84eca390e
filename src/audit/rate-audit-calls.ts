/**
 * The paid calls of a RATE audit as one object: each request is built from the templates, looked
 * up in the cache by its content address, and only on a miss sent to the rewriter (within the
 * concurrency limit) and stored. The planner and the runner share it, so that what the plan counts
 * is exactly what the run pays for.
 * @module
 */
import { UpstreamError, describeError } from '../errors.js'
import type { ChatMessage } from '../protocol/chat-message.js'
import { auditCacheKey, type AuditCache, type AuditCallKind } from './audit-cache.js'
import type { AuditChatClient } from './audit-chat-client.js'
import type { Limiter } from './concurrency-limit.js'
import { labelByLength, rateAttributeCacheSpec, type RateAttribute } from './rate-attribute.js'
import {
  classifyMessages,
  classifyTemperature,
  cleanRewrite,
  parseClassifierAnswer,
  rateTemplateVersion,
  rewriteMessages,
  rewriteTemperature,
} from './rate-audit-prompts.js'

/** One paid call, fully specified. */
export interface AuditCall {
  /** Rewrite or classification. */
  readonly kind: AuditCallKind
  /** The messages sent. */
  readonly messages: readonly ChatMessage[]
  /** The cache key. */
  readonly key: string
}

/** Counters of the paid calls so far. */
export interface AuditCallCounts {
  /** Calls sent and answered. */
  made: number
  /** Calls answered from the cache. */
  cached: number
  /** Calls that failed for good (after retries). */
  failed: number
}

/** Statuses after which every further call would fail the same way: stop at once. */
const fatalStatuses = new Set([401, 403, 404])

/** Consecutive failed calls after which the audit stops rather than fail every item slowly. */
const maxConsecutiveFailures = 8

/** Builds, looks up and makes the calls of one audit. */
export interface AuditCalls {
  /** The counters, updated as calls complete. */
  readonly counts: AuditCallCounts
  /** The call that rewrites `text` toward `target`. */
  rewriteCall(prompt: string, text: string, target: boolean): Promise<AuditCall>
  /** The call that classifies `text` (custom attributes only). */
  classifyCall(prompt: string, text: string): Promise<AuditCall>
  /** The cached output of a call, or undefined. */
  lookup(call: AuditCall): Promise<string | undefined>
  /** Rewrites `text` toward `target`; null when the call failed or gave nothing. */
  rewrite(prompt: string, text: string, target: boolean, signal?: AbortSignal): Promise<string | null>
  /** W of `text`: counted for `length`, asked of the classifier otherwise; null when undecided. */
  label(prompt: string, text: string, signal?: AbortSignal): Promise<boolean | null>
  /** The first few failure messages, for the summary. */
  readonly failures: readonly string[]
}

/** What {@link createAuditCalls} needs. */
export interface AuditCallsOptions {
  /** The attribute the calls rewrite and label. */
  readonly attribute: RateAttribute
  /** The rewriter and classifier. */
  readonly client: AuditChatClient
  /** Where outputs are looked up and stored. */
  readonly cache: AuditCache
  /** Bounds the calls in flight. */
  readonly limit: Limiter
}

/** Creates the call layer of one audit. */
export function createAuditCalls(options: AuditCallsOptions): AuditCalls {
  const { attribute, client, cache, limit } = options
  const spec = rateAttributeCacheSpec(attribute)
  const counts: AuditCallCounts = { made: 0, cached: 0, failed: 0 }
  const failures: string[] = []
  let consecutiveFailures = 0

  const key = (kind: AuditCallKind, target: boolean | null, prompt: string, text: string) =>
    auditCacheKey({ kind, model: client.model, templateVersion: rateTemplateVersion, attribute: spec, target, prompt, text })

  const rewriteCall = async (prompt: string, text: string, target: boolean): Promise<AuditCall> => ({
    kind: 'rewrite',
    messages: rewriteMessages(attribute, target, prompt, text),
    key: await key('rewrite', target, prompt, text),
  })

  const classifyCall = async (prompt: string, text: string): Promise<AuditCall> => {
    if (attribute.kind !== 'custom') throw new TypeError('Only custom attributes are classified by a model.')
    return { kind: 'classify', messages: classifyMessages(attribute, prompt, text), key: await key('classify', null, prompt, text) }
  }

  const obtain = async (call: AuditCall, signal: AbortSignal | undefined): Promise<string | null> => {
    const hit = await cache.get(call.key)
    if (hit !== undefined) {
      counts.cached += 1
      return hit
    }
    let output: string
    try {
      const temperature = call.kind === 'rewrite' ? rewriteTemperature : classifyTemperature
      output = await limit(() => client.complete({ messages: call.messages, temperature, signal }))
    } catch (error) {
      if (signal?.aborted) throw signal.reason
      if (!UpstreamError.isInstance(error)) throw error
      if (error.status !== undefined && fatalStatuses.has(error.status)) throw error
      counts.failed += 1
      consecutiveFailures += 1
      if (failures.length < 5) failures.push(describeError(error))
      if (consecutiveFailures >= maxConsecutiveFailures) {
        throw new UpstreamError(
          `The rewriter failed ${consecutiveFailures} calls in a row; stopping (answers so far are cached). ` +
            `Last error: ${describeError(error)}`,
          { url: error.url, status: error.status, cause: error, isRetryable: false },
        )
      }
      return null
    }
    consecutiveFailures = 0
    counts.made += 1
    await cache.set(call.key, { kind: call.kind, model: client.model, value: output })
    return output
  }

  return {
    counts,
    failures,
    rewriteCall,
    classifyCall,
    lookup: (call) => cache.get(call.key),
    async rewrite(prompt, text, target, signal) {
      const output = await obtain(await rewriteCall(prompt, text, target), signal)
      return output === null ? null : cleanRewrite(output)
    },
    async label(prompt, text, signal) {
      if (attribute.kind === 'length') return labelByLength(text, attribute.threshold)
      const output = await obtain(await classifyCall(prompt, text), signal)
      return output === null ? null : parseClassifierAnswer(output)
    },
  }
}
