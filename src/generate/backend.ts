import type { UpstreamReportedError } from '../errors.js'
import type { BestOfNRequest } from '../protocol/best-of-n-request.js'
import type { Usage } from '../protocol/usage.js'

/** How candidates were drawn: one upstream call with `n`, or n calls with `n: 1`. */
export type FanoutMode = 'native' | 'parallel'

/** What the caller asks a backend for. */
export interface GenerateRequest {
  /** The validated client request; its `upstreamBody` is what goes upstream. */
  readonly request: BestOfNRequest
  /** How many candidates to draw. */
  readonly n: number
  /** Aborts every upstream call of this request: the client is gone, `generate` throws. */
  readonly signal?: AbortSignal
  /**
   * Fires at the request's deadline: calls still running are cancelled and their candidates fail
   * with the deadline as their error, while candidates finished by then are returned.
   */
  readonly deadline?: AbortSignal
}

/** One candidate answer. A failed candidate has `error` set and is never chosen. */
export interface Candidate {
  /** Position in the fan-out, 0-based. */
  readonly index: number
  /** The answer's text (chat: message content; completions: text). Empty when it failed. */
  readonly text: string
  /** The upstream's finish reason (`stop`, `length`, ...), or null when it gave none. */
  readonly finishReason: string | null
  /**
   * The upstream choice as it arrived (chat: with `message`; completions: with `text`), kept so the
   * answer forwarded to the client loses no field the backend added. Absent when the candidate failed.
   */
  readonly rawChoice?: Readonly<Record<string, unknown>>
  /** Completion tokens of this candidate, when the upstream reported them per candidate. */
  readonly completionTokens?: number
  /** Sum of the token log-probabilities of this answer, when logprobs were returned. */
  readonly logprobSum?: number
  /** Wall time from the start of the fan-out until this candidate was complete, in ms. */
  readonly latencyMs: number
  /** Why the candidate failed; absent on success. */
  readonly error?: string
  /** The HTTP status of the failure, when the upstream answered with one. */
  readonly errorStatus?: number
  /** The upstream's `Retry-After` of the failure, seconds, when it gave one (a 429 or 503). */
  readonly errorRetryAfterSeconds?: number
  /** The `code` and `param` of the upstream's error body, when it gave them. */
  readonly errorReported?: UpstreamReportedError
}

/** The candidates of one request and what the upstream said about them. */
export interface GenerateResult {
  readonly candidates: readonly Candidate[]
  /** How the candidates were drawn. */
  readonly fanout: FanoutMode
  /** Tokens spent over every upstream call, when reported. */
  readonly usage: Usage | undefined
  /**
   * The top-level fields of the (first) upstream response (`id`, `created`, `model`,
   * `system_fingerprint`, ...), without `choices` and `usage`.
   */
  readonly envelope: Readonly<Record<string, unknown>>
}

/**
 * An inference backend that draws candidate answers. Implementations never throw for a candidate
 * that failed (that is data: `Candidate.error`); they throw only when the request as a whole is
 * impossible (for example a 400 the client must fix).
 */
export interface Backend {
  /** A short name for logs and errors (`openai-compatible`, `replay`). */
  readonly name: string
  generate(request: GenerateRequest): Promise<GenerateResult>
  /** The upstream's `GET /models` list, passed through; absent if the backend has none. */
  listModels?(signal?: AbortSignal): Promise<unknown>
}
