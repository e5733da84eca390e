import type { BestOfNResult } from '../best-of-n.js'
import { publicMessage } from '../protocol/public-message.js'
import { klBound } from '../select/theory/kl-bound.js'
import { winRate } from '../select/theory/win-rate.js'

/** The `bonbon` object added to a response when the request asked for `return_candidates`. */
export interface BonbonSummary {
  readonly candidates: readonly {
    readonly index: number
    readonly reward: number | null
    readonly finish_reason: string | null
    readonly error: string | null
  }[]
  readonly chosen: number
  readonly best: number | null
  readonly worst: number | null
  readonly n: number
  /** Why the answer is not a best-of-n choice, or null. */
  readonly degraded: string | null
}

/** Summarises a run for the client: every candidate's reward and fate, and the choice. */
export function bonbonSummary(result: BestOfNResult): BonbonSummary {
  return {
    candidates: result.generation.candidates.map((candidate) => ({
      index: candidate.index,
      reward: result.rewards[candidate.index] ?? null,
      finish_reason: candidate.finishReason,
      error: nullableMessage(result.errors[candidate.index]),
    })),
    chosen: result.ranking.chosen,
    best: result.ranking.best,
    worst: result.ranking.worst,
    n: result.n,
    degraded: nullableMessage(result.degraded),
  }
}

/** The `x-bonbon-*` response headers of a finished run. */
export function bonbonHeaders(result: BestOfNResult): Record<string, string> {
  const reward = result.rewards[result.ranking.chosen]
  const scored = scoredCount(result)
  return {
    'x-bonbon-request-id': result.requestId,
    'x-bonbon-n': String(result.n),
    'x-bonbon-chosen-index': String(result.ranking.chosen),
    // What the choice bought in theory (continuous rewards): n/(n+1) and log n − (n−1)/n, for the n
    // candidates it was really made among; with fewer than two there was no best-of-n choice to describe.
    ...(scored >= 2
      ? { 'x-bonbon-expected-win-rate': winRate(scored).toFixed(4), 'x-bonbon-kl-bound': klBound(scored).toFixed(4) }
      : {}),
    // At n = 1 nothing is scored, and a missing reward is not a zero.
    ...(typeof reward === 'number' ? { 'x-bonbon-chosen-reward': String(reward) } : {}),
    ...(result.degraded === null ? {} : { 'x-bonbon-degraded': result.degraded.split(':')[0] ?? 'degraded' }),
  }
}

/**
 * How many candidates the answer was chosen among: those scored, which k failed candidates (or a
 * deadline) leave below the fan-out size, and none when the answer is degraded (not a choice).
 */
function scoredCount(result: BestOfNResult): number {
  return result.degraded === null ? result.ranking.order.length : 0
}

/** The candidates returned to the client: the top `clientN` by reward, best first. */
export function returnedCandidates(result: BestOfNResult): number[] {
  return result.ranking.order.slice(0, result.request.clientN)
}

function nullableMessage(message: string | null | undefined): string | null {
  return message === null || message === undefined ? null : publicMessage(message)
}
