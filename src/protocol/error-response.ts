import {
  AllCandidatesFailedError,
  AuthenticationError,
  BonbonError,
  DeadlineExceededError,
  InvalidRequestError,
  MethodNotAllowedError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitError,
  RewardModelError,
  UpstreamError,
} from '../errors.js'
import { publicMessage } from './public-message.js'

/** The body of an OpenAI error response. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null }
}

/** An error as it goes to the client: an HTTP status and an OpenAI-shaped body. */
export interface ErrorResponse {
  readonly status: number
  readonly body: OpenAIErrorBody
  /** Headers the answer must carry (`Retry-After` on a 429, `WWW-Authenticate` on a 401), when any. */
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * Maps anything thrown on the request path to an OpenAI-shaped error. This is the only place that
 * decides HTTP statuses for errors. Unknown errors become a 500 whose message reveals nothing
 * internal (no stack, no upstream URL, no key).
 */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (InvalidRequestError.isInstance(error)) {
    return make(400, error.message, 'invalid_request_error', error.code, error.param)
  }
  if (PayloadTooLargeError.isInstance(error)) {
    return make(413, error.message, 'invalid_request_error', error.code)
  }
  if (AuthenticationError.isInstance(error)) {
    // RFC 6750 §3: a 401 names the scheme the client should use.
    return { ...make(401, error.message, 'invalid_request_error', error.code), headers: { 'www-authenticate': 'Bearer' } }
  }
  if (RateLimitError.isInstance(error)) {
    const retryAfter = String(error.retryAfterSeconds)
    return { ...make(429, error.message, 'rate_limit_error', error.code), headers: { 'retry-after': retryAfter } }
  }
  if (NotFoundError.isInstance(error)) {
    return make(404, error.message, 'invalid_request_error', error.code)
  }
  if (MethodNotAllowedError.isInstance(error)) {
    // RFC 9110 §15.5.6: a 405 lists the methods the route does answer.
    return { ...make(405, error.message, 'invalid_request_error', error.code), headers: { allow: error.allow.join(', ') } }
  }
  if (AllCandidatesFailedError.isInstance(error)) {
    // Every candidate failed the same client error (bad model name, prompt too long): the client
    // must fix the request, so it sees the upstream's 4xx rather than a gateway error.
    // 401/403 mean the gateway's own upstream credentials are wrong: not the client's to fix.
    const status = error.upstreamStatus
    const clientFault = status !== undefined && status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status)
    if (clientFault) {
      const cause = publicMessage(error.causes[0] ?? error.message)
      // The upstream's own code and param (`context_length_exceeded`, `max_tokens`): clients branch on them.
      const { code, param } = error.reported ?? {}
      return make(status, cause, 'invalid_request_error', code ?? 'upstream_rejected_request', param ?? null)
    }
    // The upstream's own Retry-After tells the client when trying again can help.
    const retryAfter = error.retryAfterSeconds === undefined ? undefined : { 'retry-after': String(error.retryAfterSeconds) }
    if (status === 429) {
      return { ...make(429, publicMessage(error.message), 'rate_limit_error', 'upstream_rate_limited'), ...(retryAfter && { headers: retryAfter }) }
    }
    return { ...make(502, publicMessage(error.message), 'api_error', error.code), ...(retryAfter && { headers: retryAfter }) }
  }
  if (DeadlineExceededError.isInstance(error)) return make(504, error.message, 'api_error', error.code)
  if (UpstreamError.isInstance(error)) return make(502, publicMessage(error.message), 'api_error', error.code)
  if (RewardModelError.isInstance(error)) {
    return make(503, `Reward model unavailable: ${publicMessage(error.message)}`, 'api_error', error.code)
  }
  if (BonbonError.isInstance(error)) return make(500, error.message, 'server_error', error.code)
  return make(500, 'Internal error in the bonbon gateway.', 'server_error', 'internal_error')
}

function make(status: number, message: string, type: string, code: string | null, param: string | null = null): ErrorResponse {
  return { status, body: { error: { message, type, param, code } } }
}
