import { UpstreamError } from '../errors.js'
import { addUsage, type Usage } from '../protocol/usage.js'
import type { Candidate } from './backend.js'
import { candidateFromChoice, failedCandidate } from './candidate-from-choice.js'
import { upstreamBody, type FanoutContext } from './fanout-context.js'

/** The candidates of a parallel draw and what their calls said. */
export interface ParallelOutcome {
  /** One candidate per requested index, in the order asked; failed ones carry `error`. */
  readonly candidates: readonly Candidate[]
  /** Usage summed over the calls that reported it. */
  readonly usage: Usage | undefined
  /** The envelope of the lowest-index call that succeeded, if any did. */
  readonly envelope: Record<string, unknown> | undefined
}

/**
 * Draws one candidate per index, each in its own call with `n: 1`, all at once. With a client seed,
 * candidate i is drawn with seed+i (vLLM's rule for its own children), so the draws differ while
 * staying reproducible; without one no seed is sent. Each call fails alone.
 */
export async function drawParallel(context: FanoutContext, indices: readonly number[]): Promise<ParallelOutcome> {
  const seed = context.request.seed
  const draws = await Promise.all(
    indices.map(async (index) => {
      try {
        const body = upstreamBody(context, { n: 1, seed: seed === undefined ? null : seed + index })
        const reply = await context.call(body)
        const choice = reply.choices[0]
        if (choice === undefined) throw new UpstreamError('Upstream returned no choice.')
        const candidate = candidateFromChoice({
          index,
          choice,
          startedAt: context.startedAt,
          callCompletionTokens: reply.usage?.completion_tokens,
        })
        return { candidate, usage: reply.usage, envelope: reply.envelope }
      } catch (error) {
        return { candidate: failedCandidate(index, error, context.now() - context.startedAt) }
      }
    }),
  )
  let usage: Usage | undefined
  let envelope: Record<string, unknown> | undefined
  for (const draw of draws) {
    usage = addUsage(usage, draw.usage)
    envelope ??= draw.envelope
  }
  return { candidates: draws.map((draw) => draw.candidate), usage, envelope }
}
