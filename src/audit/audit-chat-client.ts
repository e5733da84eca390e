/**
 * The rewriter and classifier of a RATE audit: one OpenAI-compatible chat model, called directly
 * (never through the best-of-n gateway, whose selection would bias the rewrites toward what the
 * audited reward model likes), with retries on transient failures.
 * @module
 */
import { InvalidOptionsError, UpstreamError } from '../errors.js'
import { callUpstream } from '../generate/upstream-call.js'
import { messageText, type ChatMessage } from '../protocol/chat-message.js'
import { abortableSleep, auditRetryPolicy, retrying } from '../generate/retry.js'

/** One chat call of an audit. */
export interface AuditChatRequest {
  /** The conversation to send. */
  readonly messages: readonly ChatMessage[]
  /** Sampling temperature. */
  readonly temperature: number
  /** Aborts the call (and any wait before a retry). */
  readonly signal?: AbortSignal | undefined
}

/** A chat model that rewrites and labels answers. */
export interface AuditChatClient {
  /** The model name, part of every cache key. */
  readonly model: string
  /** Sends one conversation; resolves to the first choice's text. */
  complete(request: AuditChatRequest): Promise<string>
}

/** Where the rewriter lives. */
export interface AuditRewriterConfig {
  /** Base URL including `/v1`. */
  readonly baseURL: string
  /** The chat model. */
  readonly model: string
  /** Bearer key. @default none */
  readonly apiKey?: string | undefined
  /** Extra headers. @default none */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/** Options of {@link createAuditChatClient}. */
export interface AuditChatClientOptions extends AuditRewriterConfig {
  /** The fetch implementation. @default globalThis.fetch */
  readonly fetch?: typeof fetch | undefined
  /** Retries of a call that failed with no response, 408, 409, 429 or 5xx. @default 2 */
  readonly maxRetries?: number | undefined
  /** Wait before the first retry, doubled for each further one, ms. @default 1000 */
  readonly retryDelayMs?: number | undefined
  /** Waits between retries; tests pass one that records instead of waiting. @default a timer */
  readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined
}

/** Longest wait before a retry, `Retry-After` included, ms. */
const maxRetryDelayMs = 60_000

/**
 * Creates a chat client for an OpenAI-compatible `POST {baseURL}/chat/completions`.
 * @throws InvalidOptionsError for a base URL that is not http(s), an empty model or bad retry options.
 * @example
 * ```ts
 * const rewriter = createAuditChatClient({ baseURL: 'http://127.0.0.1:8000/v1', model: 'qwen2.5-7b-instruct' })
 * const text = await rewriter.complete({ messages: [{ role: 'user', content: 'Hi' }], temperature: 0 })
 * ```
 */
export function createAuditChatClient(options: AuditChatClientOptions): AuditChatClient {
  const baseURL = checkBaseURL(options.baseURL)
  const model = options.model
  if (typeof model !== 'string' || model === '') throw new InvalidOptionsError('model must be a non-empty string.', { key: 'model' })
  const maxRetries = options.maxRetries ?? 2
  const retryDelayMs = options.retryDelayMs ?? 1_000
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new InvalidOptionsError('maxRetries must be an integer ≥ 0.', { key: 'maxRetries' })
  }
  if (!Number.isFinite(retryDelayMs) || retryDelayMs < 0) {
    throw new InvalidOptionsError('retryDelayMs must be a number ≥ 0.', { key: 'retryDelayMs' })
  }
  const fetchImpl = options.fetch ?? globalThis.fetch
  const sleep = options.sleep ?? abortableSleep
  const url = `${baseURL}/chat/completions`
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers }
  if (options.apiKey !== undefined && options.apiKey !== '') headers['authorization'] = `Bearer ${options.apiKey}`
  const secrets = options.apiKey ? [options.apiKey] : []

  const once = async (request: AuditChatRequest): Promise<string> => {
    const reply = await callUpstream({
      fetch: fetchImpl,
      url,
      headers,
      body: { model, messages: request.messages, temperature: request.temperature, stream: false },
      stream: false,
      endpoint: 'chat',
      now: () => Date.now(),
      signal: request.signal,
      secrets,
    })
    const choice = reply.choices[0]?.choice
    const text = choice?.message ? messageText(choice.message.content) : choice?.text
    if (typeof text !== 'string') throw new UpstreamError(`${url} answered without a message.`, { url, isRetryable: false })
    return text
  }

  return {
    model,
    complete: (request) =>
      retrying(() => once(request), {
        policy: auditRetryPolicy({ maxRetries, baseDelayMs: retryDelayMs, maxDelayMs: maxRetryDelayMs }),
        sleep,
        signal: request.signal,
      }),
  }
}

function checkBaseURL(value: string): string {
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    throw new InvalidOptionsError(`baseURL must be an http(s) URL, got "${value}".`, { key: 'baseURL' })
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InvalidOptionsError(`baseURL must be an http(s) URL, got "${value}".`, { key: 'baseURL' })
  }
  return value.replace(/\/+$/, '')
}
