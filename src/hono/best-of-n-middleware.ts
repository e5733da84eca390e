import type { Context, MiddlewareHandler } from 'hono'
import { resolveFanoutSize, runBestOfN, type BestOfNPipeline, type BestOfNResult } from '../best-of-n.js'
import { InvalidOptionsError, UpstreamError } from '../errors.js'
import type { Backend } from '../generate/backend.js'
import type { LogSink, PreferenceRecord } from '../log/preference-record.js'
import type { BestOfNRequest, Endpoint } from '../protocol/best-of-n-request.js'
import { parseRequest } from '../protocol/parse-request.js'
import { withReferenceLogprobs } from '../protocol/reference-logprobs.js'
import { readJsonBody } from '../protocol/read-json-body.js'
import { bonbonHeaders } from '../respond/bonbon-summary.js'
import { completionResponse } from '../respond/completion-response.js'
import { answerEvents, bestOfNEventStream } from '../respond/event-stream.js'
import type { RewardModel } from '../score/reward-model.js'
import { defaultRewardTimeoutMs } from '../score/score-candidates.js'
import { checkTimerMs } from '../util/abort-after.js'
import { logRecord } from './log-record.js'

/** Running counts of what the middleware answered, e.g. for a health or metrics endpoint. */
export interface BestOfNCounters {
  /** Requests the middleware took (valid or not). */
  requests: number
  /** Requests answered with a choice. */
  answered: number
  /** Answers that are not a best-of-n choice (the reward model failed and `onRewardFailure` is `first`). */
  degraded: number
  /** Requests answered with an error. */
  failed: number
}

/** What an `admit` hook decided for one request it let through. */
export interface BestOfNAdmission {
  /** The request to run instead of the parsed one (a capped `max_tokens`, say). @default the parsed request */
  readonly request?: BestOfNRequest | undefined
  /** Called once when the run settles: answered, failed or aborted. */
  readonly release?: (() => void) | undefined
  /** Prepares the record for the log (redaction); returning undefined keeps no record. @default the record as is */
  readonly record?: ((record: PreferenceRecord) => PreferenceRecord | undefined) | undefined
}

/** Longest a stream waits for the run before its headers must go out, ms. */
const statusWaitMs = 1_000

/** Options of the {@link bestOfN} middleware. */
export interface BestOfNOptions extends Pick<BestOfNPipeline, 'minCandidates' | 'onRewardFailure' | 'rewardRetry'> {
  /** Where candidates come from. */
  backend: Backend
  /**
   * Deadline for drawing a request's candidates, retries included, ms: calls still running are
   * cancelled and the candidates finished by then are scored and chosen among. @default 120000
   */
  deadlineMs?: number | undefined
  /** Longest one scoring attempt may take, ms (a timed-out attempt is retried per `rewardRetry`). @default 30000 */
  rewardTimeoutMs?: number | undefined
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
  /**
   * Whether the server itself bounds this request's body within `limit` bytes, so that it may be
   * read in one piece (`arrayBuffer()`) rather than streamed and counted against the limit; the
   * bytes are checked as any body is (encoding, UTF-8, nesting, JSON). `createApp` on Node says so
   * for HTTP/1 bodies with a `Content-Length` within the limit, which Node's parser delivers exactly:
   * @hono/node-server reads those straight from the socket, where `c.req.raw.body` would first build
   * a whole Web Request, the largest cost of a small request. @default none: every body is streamed
   */
  isBodyBounded?: ((c: Context, limit: number) => boolean) | undefined
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
  /**
   * Called with each parsed request and its fan-out size before any candidate is drawn: throws to
   * refuse it (per-client caps and limits), or says how to run and log it. @default every request runs
   */
  admit?: (
    c: Context,
    request: BestOfNRequest,
    n: number,
  ) => BestOfNAdmission | undefined | Promise<BestOfNAdmission | undefined>
  /**
   * Ask the upstream for the sampled tokens' log-probabilities so each logged candidate keeps their
   * sum (BoNBoN's reference log-probability); clients that did not ask do not see them. @default false
   */
  referenceLogprobs?: boolean
  /** Counts requests, answers, degraded answers and failures into this object. @default a private one */
  counters?: BestOfNCounters
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
    const { counters } = resolved
    counters.requests += 1
    try {
      return await answer(c, endpoint)
    } catch (error) {
      counters.failed += 1
      throw error
    }
  }

  async function answer(c: Context<{ Variables: BestOfNVariables }>, endpoint: Endpoint): Promise<Response> {
    const bounded = resolved.isBodyBounded?.(c, resolved.bodyLimitBytes) === true
    const body = await readJsonBody(c.req.raw, resolved.bodyLimitBytes, { bounded })
    const client = parseRequest(body, { endpoint, headerN: c.req.header('x-bonbon-n') })
    const parsed = resolved.referenceLogprobs ? withReferenceLogprobs(client) : client
    const admission = await resolved.admit?.(c, parsed, resolveFanoutSize(parsed, resolved))
    const request = admission?.request ?? parsed
    const requestId = resolved.generateId()
    const controller = new AbortController()
    const clientSignal = c.req.raw.signal
    const abort = () => controller.abort(clientSignal.reason)
    clientSignal.addEventListener('abort', abort, { once: true })

    const prepare = admission?.record
    // A run that paid for candidates but cannot answer is still logged (chosen null), never durably:
    // the client gets the error either way. Such a write never rejects, so nothing is left unhandled.
    const onFailedRun = (record: PreferenceRecord) => void logRecord(resolved, { c, record, prepare, awaitDurable: false })
    const run = runBestOfN({ request, requestId, signal: controller.signal, onFailedRun }, resolved)
    const answered = async (result: BestOfNResult) => {
      c.set('bestOfN', result)
      await logRecord(resolved, { c, record: result.record, prepare, awaitDurable: true })
      resolved.counters.answered += 1
      if (result.degraded !== null) resolved.counters.degraded += 1
    }
    run
      .finally(() => {
        clientSignal.removeEventListener('abort', abort)
        admission?.release?.()
      })
      .catch(() => {})

    if (!request.stream) {
      const result = await run
      // Serialise before logging: a record must not claim an answer the client never got.
      const text = serialise(completionResponse(result))
      await answered(result)
      return c.body(text, 200, { ...bonbonHeaders(result), 'content-type': 'application/json' })
    }
    const pending = run.then(async (result) => {
      // Encoded before it is logged, as the JSON answer is serialised first.
      const events = answerEvents(result)
      await answered(result)
      return { result, events }
    })
    // A failure after the stream started is answered inside the stream, so it is counted here.
    let streaming = false
    pending.catch(() => {
      if (streaming) resolved.counters.failed += 1
    })
    // Wait briefly before committing to a status: an answer or error that comes quickly gets proper
    // headers (chosen index, or a real 4xx/5xx); past that, bytes must flow for first-byte timeouts.
    const early = await settledWithin(pending, Math.min(resolved.heartbeatMs, statusWaitMs))
    if (early?.status === 'rejected') throw early.reason
    const headers: Record<string, string> = early
      ? bonbonHeaders(early.value.result)
      : { 'x-bonbon-request-id': requestId }
    streaming = true
    return new Response(
      bestOfNEventStream({
        pending: pending.then(({ events }) => events),
        heartbeatMs: resolved.heartbeatMs,
        onCancel: () => controller.abort(),
      }),
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
    isBodyBounded: options.isBodyBounded,
    generateId: options.generateId ?? (() => crypto.randomUUID()),
    onLogError: options.onLogError ?? ((error: unknown) => console.error('bonbon: could not log a record:', error)),
    waitUntil: options.waitUntil,
    referenceLogprobs: options.referenceLogprobs ?? false,
    admit: options.admit,
    counters: options.counters ?? { requests: 0, answered: 0, degraded: 0, failed: 0 },
    // The same defaults as the configuration's (bestOfN.deadlineMs, reward.timeoutMs): without them a
    // hung upstream or reward model would hold the request, and its client, indefinitely.
    deadlineMs: options.deadlineMs ?? 120_000,
    minCandidates: options.minCandidates,
    onRewardFailure: options.onRewardFailure,
    rewardTimeoutMs: options.rewardTimeoutMs ?? defaultRewardTimeoutMs,
    rewardRetry: options.rewardRetry,
  }
  for (const key of ['n', 'maxN', 'heartbeatMs', 'bodyLimitBytes'] as const) {
    if (!Number.isInteger(resolved[key]) || resolved[key] < 1) {
      throw new InvalidOptionsError(`bestOfN option ${key} must be a positive integer; got ${resolved[key]}.`, { key })
    }
  }
  for (const key of ['deadlineMs', 'rewardTimeoutMs'] as const) checkTimerMs(resolved[key], 'bestOfN', key)
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

/** JSON text of an answer; an upstream choice too odd to serialise (say, nested past the stack) is a 502. */
function serialise(body: unknown): string {
  try {
    return JSON.stringify(body)
  } catch (error) {
    throw new UpstreamError('The upstream answer could not be serialised for the client.', { cause: error, isRetryable: false })
  }
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
