import type { BestOfNRequest } from '../protocol/best-of-n-request.js'
import type { UpstreamReply } from './upstream-call.js'

/** What a fan-out strategy needs to draw candidates for one request. */
export interface FanoutContext {
  /** The validated client request. */
  readonly request: BestOfNRequest
  /** Sends one body to the request's endpoint (URL, headers, streaming and abort are bound). */
  readonly call: (body: Record<string, unknown>) => Promise<UpstreamReply>
  /** Whether calls ask the upstream for an SSE stream. */
  readonly stream: boolean
  /** The clock, in ms. */
  readonly now: () => number
  /** When the fan-out started, on `now`'s clock. */
  readonly startedAt: number
}

/** Fields a body for one upstream call adds to the client's `upstreamBody`. */
export interface UpstreamBodyFields {
  /** How many choices the call asks for. */
  readonly n: number
  /** The seed of this call; `null` removes any seed, `undefined` keeps the client's. */
  readonly seed?: number | null
}

/**
 * The JSON body of one upstream call: the client's fields, then bonbon's `n` and `stream`, and
 * `stream_options.include_usage` when streaming so the usage chunk comes back. `best_of` and
 * `bonbon` are already gone: `parseRequest` strips them.
 */
export function upstreamBody(context: FanoutContext, fields: UpstreamBodyFields): Record<string, unknown> {
  const body: Record<string, unknown> = { ...context.request.upstreamBody, n: fields.n, stream: context.stream }
  if (context.stream) body['stream_options'] = { include_usage: true }
  if (fields.seed === null) delete body['seed']
  else if (fields.seed !== undefined) body['seed'] = fields.seed
  return body
}
