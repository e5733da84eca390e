import type { BestOfNResult } from './best-of-n.js'
import type { Ranking } from './select/rank-candidates.js'
import type { PreferenceRecord } from './log/preference-record.js'

/** What a record needs besides the run itself. */
export interface RecordContext {
  /** Name of the reward model that scored the set. */
  readonly rewardModel: string
  /** When the request arrived. */
  readonly createdAt: Date
  /** End-to-end time of the run, ms. */
  readonly latencyMs: number
}

/** The log record of a finished run: the prompt, its parameters and the whole scored set. */
export function toPreferenceRecord(
  result: Omit<BestOfNResult, 'record' | 'ranking'> & { readonly ranking: Ranking },
  context: RecordContext,
): PreferenceRecord {
  const { request, generation } = result
  const { messages: _messages, prompt: _prompt, ...params } = request.upstreamBody
  return {
    requestId: result.requestId,
    createdAt: context.createdAt.toISOString(),
    endpoint: request.endpoint,
    model: request.model,
    messages: request.messages,
    params,
    n: result.n,
    fanout: generation.fanout,
    rewardModel: context.rewardModel,
    candidates: generation.candidates.map((candidate) => ({
      index: candidate.index,
      text: candidate.text,
      reward: result.rewards[candidate.index] ?? null,
      finishReason: candidate.finishReason,
      completionTokens: tokenCount(candidate.completionTokens),
      logprobSum: finiteOrNull(candidate.logprobSum),
      latencyMs: candidate.latencyMs,
      error: result.errors[candidate.index] ?? null,
    })),
    chosen: result.ranking.chosen,
    best: result.ranking.best,
    worst: result.ranking.worst,
    promptTokens: tokenCount(generation.usage?.prompt_tokens),
    completionTokens: tokenCount(generation.usage?.completion_tokens),
    latencyMs: context.latencyMs,
    degraded: result.degraded,
  }
}

/**
 * Upstreams are not validated strictly (missing is not zero, and odd servers exist), but the store
 * keeps only what a count can be: a negative, fractional or absurd count is recorded as unknown
 * rather than costing the whole record.
 */
function tokenCount(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null
}

function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}
