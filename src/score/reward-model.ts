import type { ChatMessage } from '../protocol/chat-message.js'

/** What a reward model is asked to score: one prompt and several answers to it. */
export interface ScoreRequest {
  /** The conversation so far, ending before the answer. */
  readonly prompt: readonly ChatMessage[]
  /** The candidate answers, in order. */
  readonly candidates: readonly string[]
  /** Aborts the scoring calls. */
  readonly signal?: AbortSignal
}

/** A candidate's score: a finite reward, or why it could not be scored. */
export type Score = { readonly reward: number; readonly error?: undefined } | { readonly reward?: undefined; readonly error: string }

/**
 * A reward model. `score` returns one {@link Score} per candidate, in order. A non-finite number is
 * an error, never a reward. It throws `RewardModelError` only when no candidate could be scored.
 */
export interface RewardModel {
  /** A short name for logs (`vllm-pooling:Skywork/...`). */
  readonly name: string
  score(request: ScoreRequest): Promise<Score[]>
}
