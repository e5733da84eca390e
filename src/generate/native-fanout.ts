import type { Usage } from '../protocol/usage.js'
import type { Candidate } from './backend.js'
import { candidateFromChoice } from './candidate-from-choice.js'
import { upstreamBody, type FanoutContext } from './fanout-context.js'

/** What the one native call gave: candidates by fan-out index, or the call's error. */
export type NativeOutcome =
  | {
      readonly ok: true
      /** Candidates for the indices the upstream returned; a backend that ignores `n` returns fewer. */
      readonly candidates: ReadonlyMap<number, Candidate>
      readonly usage: Usage | undefined
      readonly envelope: Record<string, unknown>
    }
  | { readonly ok: false; readonly error: unknown }

/**
 * Draws n candidates in one upstream call with `n` (the prompt is prefilled once on vLLM, SGLang
 * and OpenAI). Choices are matched to candidates by their `index`; indices outside 0..n−1 and
 * repeats are dropped.
 */
export async function drawNative(context: FanoutContext, n: number): Promise<NativeOutcome> {
  let reply
  try {
    reply = await context.call(upstreamBody(context, { n }))
  } catch (error) {
    return { ok: false, error }
  }
  // Usage is per candidate only when the call drew a single one.
  const callCompletionTokens = reply.choices.length === 1 ? reply.usage?.completion_tokens : undefined
  const candidates = new Map<number, Candidate>()
  for (const choice of reply.choices) {
    if (choice.index >= n || candidates.has(choice.index)) continue
    candidates.set(
      choice.index,
      candidateFromChoice({ index: choice.index, choice, startedAt: context.startedAt, callCompletionTokens }),
    )
  }
  return { ok: true, candidates, usage: reply.usage, envelope: reply.envelope }
}
