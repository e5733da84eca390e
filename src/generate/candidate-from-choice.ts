import { UpstreamError, describeError } from '../errors.js'
import { messageText } from '../protocol/chat-message.js'
import { countLogprobTokens, sumLogprobs } from '../protocol/upstream-response.js'
import type { Candidate } from './backend.js'
import type { UpstreamReplyChoice } from './upstream-call.js'

/** What {@link candidateFromChoice} needs besides the choice. */
export interface CandidateFromChoiceOptions {
  /** The candidate's position in the fan-out. */
  readonly index: number
  readonly choice: UpstreamReplyChoice
  /** When the fan-out started, on the same clock as `choice.completedAt`. */
  readonly startedAt: number
  /** The call's `usage.completion_tokens`, when the call drew this candidate alone. */
  readonly callCompletionTokens?: number | null | undefined
}

/**
 * A successful candidate from an upstream choice. Its completion tokens come from its own call's
 * usage, else from the number of log-probabilities it carries, else stay unknown.
 */
export function candidateFromChoice(options: CandidateFromChoiceOptions): Candidate {
  const { choice } = options.choice
  const text = choice.message ? messageText(choice.message.content) : (choice.text ?? '')
  const completionTokens = options.callCompletionTokens ?? countLogprobTokens(choice.logprobs)
  const logprobSum = sumLogprobs(choice.logprobs)
  return {
    index: options.index,
    text,
    finishReason: choice.finish_reason ?? null,
    rawChoice: options.choice.rawChoice,
    latencyMs: options.choice.completedAt - options.startedAt,
    ...(completionTokens === undefined ? {} : { completionTokens }),
    ...(logprobSum === undefined ? {} : { logprobSum }),
  }
}

/** A candidate that failed, carrying the upstream's status when there was one. */
export function failedCandidate(index: number, error: unknown, latencyMs: number): Candidate {
  const status = UpstreamError.isInstance(error) ? error.status : undefined
  const retryAfterSeconds = UpstreamError.isInstance(error) ? error.retryAfterSeconds : undefined
  const reported = UpstreamError.isInstance(error) ? error.reported : undefined
  return {
    index,
    text: '',
    finishReason: null,
    latencyMs,
    error: describeError(error),
    ...(status === undefined ? {} : { errorStatus: status }),
    ...(retryAfterSeconds === undefined ? {} : { errorRetryAfterSeconds: retryAfterSeconds }),
    ...(reported === undefined ? {} : { errorReported: reported }),
  }
}
