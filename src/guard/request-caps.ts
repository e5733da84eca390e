import { InvalidRequestError } from '../errors.js'
import type { BestOfNRequest } from '../protocol/best-of-n-request.js'

/** Caps one client's request must respect. */
export interface RequestCaps {
  /** Largest fan-out. @default no cap */
  readonly maxN?: number | undefined
  /** Largest `max_tokens` / `max_completion_tokens`; set as `max_tokens` when the request sets neither. @default no cap */
  readonly maxTokens?: number | undefined
}

const tokenFields = ['max_tokens', 'max_completion_tokens'] as const

/**
 * Checks a parsed request against per-client caps, and returns the request to run: with
 * `max_tokens` set to the cap when the client set no limit of its own, since a backend's default
 * (the whole context window for vLLM) would bypass the cap.
 * @throws InvalidRequestError naming the field above its cap (`bonbon.n`, `n`, `max_tokens`, ...).
 */
export function applyRequestCaps(request: BestOfNRequest, n: number, caps: RequestCaps): BestOfNRequest {
  const { maxN, maxTokens } = caps
  if (maxN !== undefined && n > maxN) {
    // The fan-out is the larger of the asked size and the client's n: name whichever is over.
    const param = request.requestedN !== undefined && request.requestedN > maxN ? (request.requestedNParam ?? 'bonbon.n') : 'n'
    throw new InvalidRequestError(`${param} must be at most ${maxN} for this client; got ${n}.`, {
      param,
      code: 'n_too_large',
    })
  }
  if (maxTokens === undefined) return request
  let limited = false
  for (const field of tokenFields) {
    const value = request.upstreamBody[field]
    if (typeof value !== 'number') continue
    if (value > maxTokens) {
      throw new InvalidRequestError(`${field} must be at most ${maxTokens} for this client; got ${value}.`, {
        param: field,
        code: 'max_tokens_too_large',
      })
    }
    limited = true
  }
  if (limited) return request
  return { ...request, upstreamBody: { ...request.upstreamBody, max_tokens: maxTokens } }
}
