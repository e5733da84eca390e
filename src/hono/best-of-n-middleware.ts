import type { Context, MiddlewareHandler } from 'hono'
import { runBestOfN, type BestOfNResult } from '../best-of-n.js'
import { InvalidOptionsError } from '../errors.js'
import type { Backend } from '../generate/backend.js'
import type { LogSink } from '../log/preference-record.js'
import type { Endpoint } from '../protocol/best-of-n-request.js'
import { parseRequest } from '../protocol/parse-request.js'
import { readJsonBody } from '../protocol/read-json-body.js'
import { bonbonHeaders } from '../respond/bonbon-summary.js'
import { completionResponse } from '../respond/completion-response.js'
import { bestOfNEventStream } from '../respond/event-stream.js'
import type { RewardModel } from '../score/reward-model.js'

/** Options of the {@link bestOfN} middleware. */
export interface BestOfNOptions {
  /** Where candidates come from. */
  backend: Backend
  /** What scores them. */
  rewardModel: RewardModel
  /** Where each scored set is logged; nothing is kept when absent. */
  log?: LogSink
  /** Fan-out size when a request does not ask for one. @default 4 */
  n?: number
  /** Largest fan-out a request may ask for (`bonbon.n`, `x-bonbon-n`); above it, 400. @default 16 */
  maxN?: number
  /** Interval of SSE heartbeat comments while a streamed answer is chosen, ms. @default 5000 */
  heartbeatMs?: number
  /** Largest request body, in bytes actually read; above it, 413. @default 1048576 */
  bodyLimitBytes?: number
  /** Makes request ids. @default crypto.randomUUID */
  generateId?: () => string
  /** Told when a record could not be handed to the log. @default console.error */
  onLogError?: (error: unknown) => void
  /**
   * Keeps the runtime alive until a log write settles after the response is sent. On Workers pass
   * `(c, promise) => c.executionCtx.waitUntil(promise)`; on Node the sink's own queue suffices.
   * @default none
   */
  waitUntil?: (c: Context, promise: Promise<unknown>) => void
}

/** Context variables the middleware sets for later handlers and middleware. */
export type BestOfNVariables = { bestOfN: BestOfNResult }

/**
 * Hono middleware that answers OpenAI `POST …/chat/completions` and `POST …/completions` with the
 * best of n candidates, and passes every other request on to `next()`. Errors are thrown for the
 * app's `onError` (see `toErrorResponse`), so they reach the client in OpenAI's shape.
 *
 * @example
 * ```ts
 * const app = new Hono()
 * app.use('/v1/*', bestOfN({ backend, rewardModel, n: 4 }))
 * app.onError((error, c) => { const { status, body } = toErrorResponse(error); return c.json(body, status) })
 * ```
 */
export const bestOfN = (options: BestOfNOptions): MiddlewareHandler<{ Variables: BestOfNVariables }> => {
  const resolved = resolveOptions(options)
  return async function bestOfN(c, next) {
    const endpoint = endpointOf(c)
    if (endpoint === undefined) return next()

    const body = await readJsonBody(c.req.raw, resolved.bodyLimitBytes)
    const request = parseRequest(body, { endpoint, headerN: c.req.header('x-bonbon-n') })
    const requestId = resolved.generateId()
    const controller = new AbortController()
    const clientSignal = c.req.raw.signal
    const abort = () => controller.abort(clientSignal.reason)
    clientSignal.addEventListener('abort', abort, { once: true })

    const pending = runBestOfN({ request, requestId, signal: controller.signal }, resolved).then((result) => {
      c.set('bestOfN', result)
      logRecord(c, resolved, result)
      return result
    })
    pending.finally(() => clientSignal.removeEventListener('abort', abort)).catch(() => {})

    if (!request.stream) {
      const result = await pending
      return c.json(completionResponse(result), 200, bonbonHeaders(result))
    }
    // Wait up to one heartbeat before committing to a status: an answer or error that comes quickly
    // gets proper headers (chosen index, or a real 4xx/5xx) instead of living only inside the stream.
    const early = await settledWithin(pending, resolved.heartbeatMs)
    if (early?.status === 'rejected') throw early.reason
    const headers: Record<string, string> = early
      ? bonbonHeaders(early.value)
      : { 'x-bonbon-request-id': requestId }
    return new Response(
      bestOfNEventStream({ pending, heartbeatMs: resolved.heartbeatMs, onCancel: () => controller.abort() }),
      {
        headers: {
          ...headers,
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          'x-accel-buffering': 'no',
        },
      },
    )
  }
}

function resolveOptions(options: BestOfNOptions) {
  const resolved = {
    backend: options.backend,
    rewardModel: options.rewardModel,
    log: options.log,
    n: options.n ?? 4,
    maxN: options.maxN ?? 16,
    heartbeatMs: options.heartbeatMs ?? 5_000,
    bodyLimitBytes: options.bodyLimitBytes ?? 1_048_576,
    generateId: options.generateId ?? (() => crypto.randomUUID()),
    onLogError: options.onLogError ?? ((error: unknown) => console.error('bonbon: could not log a record:', error)),
    waitUntil: options.waitUntil,
  }
  for (const key of ['n', 'maxN', 'heartbeatMs', 'bodyLimitBytes'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 1) {
      throw new InvalidOptionsError(`bestOfN option ${key} must be a positive integer; got ${resolved[key]}.`, { key })
    }
  }
  if (resolved.n > resolved.maxN) {
    throw new InvalidOptionsError(`bestOfN option n (${resolved.n}) must not exceed maxN (${resolved.maxN}).`, { key: 'n' })
  }
  return resolved
}

function endpointOf(c: Context): Endpoint | undefined {
  if (c.req.method !== 'POST') return undefined
  if (c.req.path.endsWith('/chat/completions')) return 'chat'
  if (c.req.path.endsWith('/completions')) return 'completions'
  return undefined
}

function logRecord(c: Context, resolved: ReturnType<typeof resolveOptions>, result: BestOfNResult): void {
  if (!resolved.log) return
  const written = resolved.log.write(result.record).catch(resolved.onLogError)
  resolved.waitUntil?.(c, written)
}

type Settled<T> = { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown }

async function settledWithin<T>(promise: Promise<T>, ms: number): Promise<Settled<T> | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms)
  })
  const settled = promise.then(
    (value): Settled<T> => ({ status: 'fulfilled', value }),
    (reason: unknown): Settled<T> => ({ status: 'rejected', reason }),
  )
  try {
    return await Promise.race([settled, timeout])
  } finally {
    clearTimeout(timer)
  }
}
