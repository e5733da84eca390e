import type { ChatMessage } from './chat-message.js'

/** Which OpenAI endpoint a request came in on. */
export type Endpoint = 'chat' | 'completions'

/**
 * A client request, validated and normalised: what the pipeline needs, and the body to forward.
 */
export interface BestOfNRequest {
  readonly endpoint: Endpoint
  /** The model the client asked for. */
  readonly model: string
  /**
   * The client's body as it will go upstream: every field it sent, minus those bonbon owns
   * (`n`, `stream`, `stream_options`, `best_of`, `bonbon`). Backends add their own `n` and `stream`.
   */
  readonly upstreamBody: Readonly<Record<string, unknown>>
  /** The prompt as chat messages; a legacy completion prompt becomes one user message. */
  readonly messages: readonly ChatMessage[]
  /** How many choices the client wants back (OpenAI's `n`). */
  readonly clientN: number
  /** The fan-out size the client asked for (`bonbon.n`, `x-bonbon-n` or `best_of`), when it did. */
  readonly requestedN: number | undefined
  /** Where the client asked for it, named in errors about it. @default 'bonbon.n' */
  readonly requestedNParam?: 'bonbon.n' | 'x-bonbon-n' | 'best_of'
  /** Whether the client wants an SSE stream. */
  readonly stream: boolean
  /** Whether the stream ends with a usage chunk (`stream_options.include_usage`). */
  readonly includeUsage: boolean
  /** The client's seed, when it sent one. */
  readonly seed: number | undefined
  /** Whether to add the `bonbon` candidates object to the response. */
  readonly returnCandidates: boolean
  /** Logprobs were asked upstream for the log only (reference log-probabilities): keep them from the client. */
  readonly hideLogprobs?: boolean
}
