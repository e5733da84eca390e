import { UpstreamError } from '../errors.js'
import { scrubSecrets } from '../guard/credential-values.js'
import type { Endpoint } from '../protocol/best-of-n-request.js'
import { readSseEvents } from '../protocol/sse-reader.js'
import {
  parseUpstreamError,
  rawChoicesSchema,
  upstreamChoiceSchema,
  upstreamCompletionSchema,
  type UpstreamChoice,
} from '../protocol/upstream-response.js'
import type { Usage } from '../protocol/usage.js'
import { collectStream, describeCause, httpStatusOf } from './stream-collector.js'
import { envelopeOf, parseJsonText } from './upstream-json.js'

/** How many characters of an upstream body an error keeps for diagnosis. */
const responseBodyLimit = 2048

/** One upstream completion request. */
export interface UpstreamCallOptions {
  readonly fetch: typeof globalThis.fetch
  /** The endpoint URL (`…/chat/completions` or `…/completions`). */
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  /** The JSON body, `n` and `stream` included. */
  readonly body: Readonly<Record<string, unknown>>
  /** Whether `body` asks for an SSE stream. */
  readonly stream: boolean
  readonly endpoint: Endpoint
  readonly now: () => number
  readonly signal?: AbortSignal | undefined
  /** Strings (the API key) replaced by `[redacted]` wherever an error would repeat them. */
  readonly secrets: readonly string[]
}

/** One choice of an upstream reply. */
export interface UpstreamReplyChoice {
  /** The upstream's `index`, or the choice's position when it gave none. */
  readonly index: number
  readonly choice: UpstreamChoice
  /** The choice as it arrived, or as rebuilt from its stream deltas. */
  readonly rawChoice: Record<string, unknown>
  /** The clock reading when the choice was complete. */
  readonly completedAt: number
}

/** What one successful upstream call returned. */
export interface UpstreamReply {
  readonly choices: readonly UpstreamReplyChoice[]
  readonly usage: Usage | undefined
  readonly envelope: Record<string, unknown>
}

/**
 * POSTs one completion request and reads the reply, streamed or not, into choices.
 * @throws UpstreamError for a failed call, an error status, an error body (also with status 200), an
 * error frame in a stream, or a body that is not a completion; the signal's reason when it aborts.
 */
export async function callUpstream(options: UpstreamCallOptions): Promise<UpstreamReply> {
  try {
    return await exchange(options)
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason
    throw redact(
      UpstreamError.isInstance(error)
        ? error
        : new UpstreamError(`Upstream call to ${options.url} failed: ${describeCause(error)}`, {
            url: options.url,
            cause: error,
          }),
      options.secrets,
    )
  }
}

async function exchange(options: UpstreamCallOptions): Promise<UpstreamReply> {
  const { url } = options
  const response = await options.fetch(url, {
    method: 'POST',
    headers: { ...options.headers, accept: options.stream ? 'text/event-stream' : 'application/json' },
    body: JSON.stringify(options.body),
    signal: options.signal ?? null,
  })
  if (!response.ok) throw await errorFromResponse(response, url)
  const contentType = response.headers.get('content-type') ?? ''
  // A server that ignores `stream`, or fails before streaming, answers with plain JSON.
  if (options.stream && response.body !== null && !contentType.includes('application/json')) {
    const events = readSseEvents(response.body, options.signal)
    const collected = await collectStream(events, {
      endpoint: options.endpoint,
      now: options.now,
      url,
      signal: options.signal,
    })
    const choices = collected.choices.map((entry) => {
      const parsed = upstreamChoiceSchema.safeParse(entry.rawChoice)
      if (!parsed.success) throw new UpstreamError('Upstream stream rebuilt into an unreadable choice.', { url })
      return { index: entry.index, choice: parsed.data, rawChoice: entry.rawChoice, completedAt: entry.completedAt }
    })
    return { choices, usage: collected.usage, envelope: collected.envelope }
  }
  const text = await response.text()
  const completedAt = options.now()
  const json = parseJsonText(text)
  const failure = json.ok ? parseUpstreamError(json.value) : undefined
  if (failure !== undefined) {
    throw new UpstreamError(`Upstream answered ${response.status} with an error: ${failure.message}`, {
      url,
      status: httpStatusOf(failure.code),
      responseBody: text.slice(0, responseBodyLimit),
    })
  }
  const parsed = json.ok ? upstreamCompletionSchema.safeParse(json.value) : undefined
  if (!parsed?.success) {
    throw new UpstreamError('Upstream answered with a body that is not a completion.', {
      url,
      responseBody: text.slice(0, responseBodyLimit),
      cause: parsed?.error,
    })
  }
  const raw = json.ok ? rawChoicesSchema.safeParse(json.value).data : undefined
  const choices = parsed.data.choices.map((choice, position) => ({
    index: choice.index ?? position,
    choice,
    rawChoice: raw?.choices[position] ?? choice,
    completedAt,
  }))
  return { choices, usage: parsed.data.usage ?? undefined, envelope: envelopeOf(parsed.data) }
}

async function errorFromResponse(response: Response, url: string): Promise<UpstreamError> {
  const text = await response.text().catch(() => '')
  const json = parseJsonText(text)
  const failure = json.ok ? parseUpstreamError(json.value) : undefined
  const detail = failure?.message ?? (text.trim().slice(0, 200) || response.statusText)
  return new UpstreamError(`Upstream answered ${response.status}: ${detail}`, {
    url,
    status: response.status,
    responseBody: text.slice(0, responseBodyLimit),
    retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after')),
    reported: failure && { code: typeof failure.code === 'string' ? failure.code : undefined, param: failure.param },
  })
}

/**
 * Seconds to wait from a `Retry-After` header: delay-seconds or an HTTP date.
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export function parseRetryAfter(value: string | null, nowMs: number = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined
  // Cut at a day: a server asking for longer (or for 10^400 s) means "not soon", and the value is
  // passed on to clients, where it must stay a plain integer.
  if (/^\d+$/.test(value.trim())) return Math.min(Number(value.trim()), maxRetryAfterSeconds)
  const date = Date.parse(value)
  return Number.isNaN(date) ? undefined : Math.min(maxRetryAfterSeconds, Math.max(0, Math.ceil((date - nowMs) / 1000)))
}

/** The longest `Retry-After` taken from an upstream, seconds: one day. */
const maxRetryAfterSeconds = 86_400

function redact(error: UpstreamError, secrets: readonly string[]): UpstreamError {
  const leaks = secrets.some(
    (secret) => error.message.includes(secret) || (error.responseBody?.includes(secret) ?? false),
  )
  if (!leaks) return error
  return new UpstreamError(scrubSecrets(error.message, secrets), {
    url: error.url,
    status: error.status,
    responseBody: error.responseBody === undefined ? undefined : scrubSecrets(error.responseBody, secrets),
    isRetryable: error.isRetryable,
    retryAfterSeconds: error.retryAfterSeconds,
    reported: error.reported,
  })
}
