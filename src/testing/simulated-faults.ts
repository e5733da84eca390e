import type { SimulatedEndpoint } from './simulated-completion.js'

/**
 * A failure the simulated server plays instead of (or in the middle of) a normal answer.
 * - `http-error`: answer `status` with an error body (OpenAI-shaped unless `body` is given);
 *   a 429 carries `Retry-After` (1 s unless `retryAfter` says otherwise).
 * - `error-body`: answer 200 whose body is an error envelope.
 * - `stream-error`: stream `afterChunks` normal chunks, then `data: {"error":…}` and `data: [DONE]`,
 *   as vLLM does when generation fails; a non-streaming call gets a 200 error body instead.
 * - `drop`: destroy the socket after `afterBytes` bytes of the body (half of it by default).
 */
export type SimulatedFault =
  | {
      readonly kind: 'http-error'
      /** The HTTP status, e.g. 400, 429, 500, 503. */
      readonly status: number
      /** The body: JSON-serialised unless a string. @default an OpenAI error envelope */
      readonly body?: unknown
      /** The `Retry-After` header value. @default 1 for a 429, none otherwise */
      readonly retryAfter?: string | number
    }
  | {
      readonly kind: 'error-body'
      /** The body sent with status 200. @default an OpenAI error envelope */
      readonly body?: unknown
    }
  | {
      readonly kind: 'stream-error'
      /** Normal chunks sent before the error frame. @default 2 */
      readonly afterChunks?: number
      /** The error frame's JSON. @default an OpenAI error envelope */
      readonly body?: unknown
    }
  | {
      readonly kind: 'drop'
      /** Body bytes written before the socket is destroyed. @default half the body */
      readonly afterBytes?: number
    }

/** What a fault function is told about a completion call. */
export interface SimulatedCall {
  /** The 0-based number of this completion call on the server. */
  readonly call: number
  readonly endpoint: SimulatedEndpoint
  /** The request body as received. */
  readonly body: Readonly<Record<string, unknown>>
  /** The request headers, lower-cased names. */
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Faults to play on completion calls: a queue (entry i applies to the i-th call; `null` means answer
 * normally; calls past its end answer normally) or a function asked on every call.
 */
export type SimulatedFaults =
  | readonly (SimulatedFault | null | undefined)[]
  | ((call: SimulatedCall) => SimulatedFault | null | undefined)

/** The OpenAI-shaped error envelope the simulated server sends unless told otherwise. */
export function defaultErrorBody(status: number): Record<string, unknown> {
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error'
  const code = status === 429 ? 'rate_limit_exceeded' : null
  return { error: { message: `Simulated upstream error (${status}).`, type, param: null, code } }
}

/** The body of llama.cpp's answer to `n > 1` on builds without `n_cmpl`. */
export const llamaCppNRejection = {
  error: { code: 500, message: 'Only one completion choice is allowed', type: 'server_error' },
} as const
