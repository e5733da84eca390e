import { z } from 'zod'
import { InvalidOptionsError, InvalidRequestError, UpstreamError } from '../errors.js'
import { credentialValues, scrubSecrets } from '../guard/credential-values.js'
import { addUsage } from '../protocol/usage.js'
import { eitherSignal } from '../util/abort-after.js'
import type { Backend, Candidate, FanoutMode, GenerateRequest, GenerateResult } from './backend.js'
import { failedCandidate } from './candidate-from-choice.js'
import type { FanoutContext } from './fanout-context.js'
import { isNRejection } from './n-rejection.js'
import { drawNative } from './native-fanout.js'
import { drawParallel } from './parallel-fanout.js'
import { describeCause } from './stream-collector.js'
import { callUpstream } from './upstream-call.js'
import { parseJsonText } from './upstream-json.js'
import { defaultRetryPolicy, isRetryableError, retrying, type RetryPolicy } from './retry.js'

/** How an OpenAI-compatible backend draws n candidates. */
export type FanoutOption = 'auto' | FanoutMode

/** Options of {@link createOpenAICompatibleBackend}. */
export interface OpenAICompatibleBackendOptions {
  /** Base URL of the server, including `/v1` (`http://127.0.0.1:8000/v1`). */
  baseURL: string
  /** Bearer key sent as `Authorization`; never repeated in error messages. */
  apiKey?: string | undefined
  /** Extra headers sent with every upstream call. */
  headers?: Readonly<Record<string, string>> | undefined
  /**
   * `native`: one call with `n`; `parallel`: n calls with `n: 1` (seeds seed+i); `auto`: native,
   * falling back to parallel, for this backend's lifetime, once the server ignores or rejects `n`.
   * @default 'auto'
   */
  fanout?: FanoutOption | undefined
  /** Ask the upstream for an SSE stream and rebuild the candidates from it. @default false */
  stream?: boolean | undefined
  /** The HTTP client. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch | undefined
  /** The clock for `latencyMs`, in ms. @default performance.now */
  now?: (() => number) | undefined
  /**
   * How a call that failed retryably (connection reset, 408, 409, 429, 5xx) is tried again, within
   * the request's deadline. A server rejecting `n` is not retried: `auto` falls back instead.
   * @default {@link defaultRetryPolicy}: 2 retries, full-jitter back-off from 250 ms up to 4 s
   */
  retry?: RetryPolicy | undefined
}

/** {@link OpenAICompatibleBackendOptions} with every default filled in. */
export interface ResolvedOpenAICompatibleBackendOptions {
  /** Without a trailing slash. */
  readonly baseURL: string
  readonly apiKey: string | undefined
  /** The headers of every call, `Authorization` included. */
  readonly headers: Readonly<Record<string, string>>
  readonly fanout: FanoutOption
  readonly stream: boolean
  readonly fetch: typeof globalThis.fetch
  readonly now: () => number
  readonly retry: RetryPolicy
}

const isFunction = z.custom<unknown>((value) => typeof value === 'function', 'must be a function')

const optionsSchema = z.object({
  baseURL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
  apiKey: z.string().min(1, 'must not be empty').optional(),
  headers: z.record(z.string(), z.string()).optional(),
  fanout: z.enum(['auto', 'native', 'parallel']).optional(),
  stream: z.boolean().optional(),
  fetch: isFunction.optional(),
  now: isFunction.optional(),
  retry: z
    .looseObject({
      maxRetries: z.number().int().min(0).max(10),
      baseDelayMs: z.number().min(0),
      maxDelayMs: z.number().min(0),
    })
    .optional(),
})

/**
 * Checks the options and fills in the defaults, without touching the caller's object.
 * @throws InvalidOptionsError naming the offending key.
 */
export function resolveOpenAICompatibleBackendOptions(
  options: OpenAICompatibleBackendOptions,
): ResolvedOpenAICompatibleBackendOptions {
  const checked = optionsSchema.safeParse(options)
  if (!checked.success) {
    const issue = checked.error.issues[0]
    const key = issue?.path.join('.') ?? ''
    throw new InvalidOptionsError(`Invalid backend option '${key}': ${issue?.message ?? 'invalid'}`, { key })
  }
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = value
  if (options.apiKey !== undefined) headers['authorization'] = `Bearer ${options.apiKey}`
  return {
    baseURL: options.baseURL.replace(/\/+$/, ''),
    apiKey: options.apiKey,
    headers,
    fanout: options.fanout ?? 'auto',
    stream: options.stream ?? false,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    now: options.now ?? (() => performance.now()),
    retry: options.retry ?? defaultRetryPolicy,
  }
}

/**
 * A backend for any OpenAI-compatible server: vLLM, SGLang, TGI, llama.cpp, Ollama, OpenAI.
 *
 * `generate` never throws for a failed candidate (it carries `error` and `errorStatus`); it throws
 * only the signal's reason when the request is aborted, after every upstream call is cancelled.
 * With `fanout: 'auto'` the result's `fanout` is `parallel` as soon as any candidate was drawn by
 * a parallel call.
 * @throws InvalidOptionsError at construction, for invalid options.
 * @example
 * ```ts
 * const backend = createOpenAICompatibleBackend({ baseURL: 'http://127.0.0.1:8000/v1' })
 * const { candidates } = await backend.generate({ request, n: 4 })
 * ```
 */
export function createOpenAICompatibleBackend(options: OpenAICompatibleBackendOptions): Backend {
  const resolved = resolveOpenAICompatibleBackendOptions(options)
  const secrets = credentialValues(resolved.apiKey, options.headers)
  // Set once a server has ignored or rejected `n`, so later requests skip the doomed native call.
  let nativeUnsupported = false

  async function generate({ request, n, signal, deadline }: GenerateRequest): Promise<GenerateResult> {
    if (!Number.isInteger(n) || n < 1) {
      throw new InvalidRequestError(`The fan-out size must be a positive integer; got ${n}.`)
    }
    signal?.throwIfAborted()
    const url = `${resolved.baseURL}/${request.endpoint === 'chat' ? 'chat/completions' : 'completions'}`
    // Calls stop at the client's abort or the deadline; only the former makes `generate` throw, so
    // candidates finished before the deadline are still returned.
    const calls = eitherSignal(signal, deadline)
    const callSignal = calls.signal
    const context: FanoutContext = {
      request,
      stream: resolved.stream,
      now: resolved.now,
      startedAt: resolved.now(),
      call: (body) =>
        retrying(
          () =>
            callUpstream({
              fetch: resolved.fetch,
              url,
              headers: resolved.headers,
              body,
              stream: resolved.stream,
              endpoint: request.endpoint,
              now: resolved.now,
              signal: callSignal,
              secrets,
            }),
          {
            policy: resolved.retry,
            signal: callSignal,
            shouldRetry: (error) => isRetryableError(error) && !(resolved.fanout !== 'native' && isNRejection(error)),
          },
        ),
    }
    try {
      const result = await fanOut(context, n)
      signal?.throwIfAborted()
      return result
    } finally {
      calls.release()
    }
  }

  async function fanOut(context: FanoutContext, n: number): Promise<GenerateResult> {
    const all = Array.from({ length: n }, (_, index) => index)
    if (resolved.fanout === 'parallel' || (resolved.fanout === 'auto' && nativeUnsupported)) {
      const drawn = await drawParallel(context, all)
      return { candidates: drawn.candidates, fanout: 'parallel', usage: drawn.usage, envelope: drawn.envelope ?? {} }
    }
    const native = await drawNative(context, n)
    if (!native.ok) {
      if (resolved.fanout === 'auto' && isNRejection(native.error)) {
        nativeUnsupported = true
        return fanOut(context, n)
      }
      const latencyMs = context.now() - context.startedAt
      const candidates = all.map((index) => failedCandidate(index, native.error, latencyMs))
      return { candidates, fanout: 'native', usage: undefined, envelope: {} }
    }
    const missing = all.filter((index) => !native.candidates.has(index))
    if (missing.length === 0) {
      const candidates = all.map((index) => pick(native.candidates, index))
      return { candidates, fanout: 'native', usage: native.usage, envelope: native.envelope }
    }
    if (resolved.fanout === 'native') {
      const latencyMs = context.now() - context.startedAt
      const shortfall = new UpstreamError(
        `Upstream returned ${native.candidates.size} of ${n} choices asked for with n.`,
      )
      const candidates = all.map(
        (index) => native.candidates.get(index) ?? failedCandidate(index, shortfall, latencyMs),
      )
      return { candidates, fanout: 'native', usage: native.usage, envelope: native.envelope }
    }
    // The server ignored `n` (Ollama, TGI): keep what it gave and draw the rest one by one.
    nativeUnsupported = true
    const rest = await drawParallel(context, missing)
    const drawn = new Map<number, Candidate>(native.candidates)
    for (const candidate of rest.candidates) drawn.set(candidate.index, candidate)
    return {
      candidates: all.map((index) => pick(drawn, index)),
      fanout: 'parallel',
      usage: addUsage(native.usage, rest.usage),
      envelope: native.envelope,
    }
  }

  async function listModels(signal?: AbortSignal): Promise<unknown> {
    const url = `${resolved.baseURL}/models`
    const headers: Record<string, string> = { ...resolved.headers, accept: 'application/json' }
    delete headers['content-type']
    let response: Response
    let text: string
    try {
      response = await resolved.fetch(url, { method: 'GET', headers, signal: signal ?? null })
      text = await response.text()
    } catch (error) {
      if (signal?.aborted) throw signal.reason
      throw new UpstreamError(`Upstream call to ${url} failed: ${describeCause(error)}`, { url, cause: error })
    }
    const json = parseJsonText(text)
    const body = json.ok ? z.looseObject({}).safeParse(json.value) : undefined
    if (!response.ok || !body?.success) {
      throw new UpstreamError(`Upstream answered ${response.status} to GET /models with an unexpected body.`, {
        url,
        status: response.ok ? undefined : response.status,
        responseBody: scrubSecrets(text.slice(0, 2048), secrets),
      })
    }
    return body.data
  }

  return { name: 'openai-compatible', generate, listModels }
}

function pick(candidates: ReadonlyMap<number, Candidate>, index: number): Candidate {
  const candidate = candidates.get(index)
  if (candidate === undefined) throw new Error(`bonbon bug: no candidate for index ${index}`)
  return candidate
}
