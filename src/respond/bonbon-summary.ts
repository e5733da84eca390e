import type { BestOfNResult } from '../best-of-n.js'

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
}

/** Summarises a run for the client: every candidate's reward and fate, and the choice. */
export function bonbonSummary(result: BestOfNResult): BonbonSummary {
  return {
    candidates: result.generation.candidates.map((candidate) => ({
      index: candidate.index,
      reward: result.rewards[candidate.index] ?? null,
      finish_reason: candidate.finishReason,
      error: result.errors[candidate.index] ?? null,
    })),
    chosen: result.ranking.chosen,
    best: result.ranking.best,
    worst: result.ranking.worst,
    n: result.n,
  }
}

/** The `x-bonbon-*` response headers of a finished run. */
export function bonbonHeaders(result: BestOfNResult): Record<string, string> {
  const reward = result.rewards[result.ranking.chosen]
  return {
    'x-bonbon-request-id': result.requestId,
    'x-bonbon-n': String(result.n),
    'x-bonbon-chosen-index': String(result.ranking.chosen),
    // At n = 1 nothing is scored, and a missing reward is not a zero.
    ...(typeof reward === 'number' ? { 'x-bonbon-chosen-reward': String(reward) } : {}),
  }
}

/** The candidates returned to the client: the top `clientN` by reward, best first. */
export function returnedCandidates(result: BestOfNResult): number[] {
  return result.ranking.order.slice(0, result.request.clientN)
}
