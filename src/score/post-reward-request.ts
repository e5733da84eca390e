import { z } from 'zod'
import { RewardModelError, describeError } from '../errors.js'
import { credentialValues, scrubSecrets } from '../guard/credential-values.js'

/** How much of an error body is kept on a `RewardModelError`, in characters. */
const responseBodyLimit = 2_000

/** Options of {@link postRewardRequest}. */
export interface PostRewardRequestOptions<T> {
  /** The endpoint to POST to. */
  url: string
  /** The JSON body. */
  body: unknown
  /** Bearer key, sent as `Authorization`; redacted from anything kept on an error, as are credential headers. */
  apiKey?: string
  /** Extra headers. */
  headers?: Readonly<Record<string, string>>
  /** Aborts the call; an abort rejects with the signal's reason, not a `RewardModelError`. */
  signal?: AbortSignal
  /** The fetch implementation. */
  fetch: typeof fetch
  /** The expected shape of a successful answer. */
  schema: z.ZodType<T>
}

/**
 * POSTs JSON to a reward-model server and returns its answer, validated against `schema`.
 * @throws RewardModelError when the server cannot be reached, answers non-2xx, or answers with a body
 * that is not JSON of the expected shape.
 */
export async function postRewardRequest<T>(options: PostRewardRequestOptions<T>): Promise<T> {
  const { url, apiKey, signal } = options
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers }
  if (apiKey !== undefined) headers['authorization'] = `Bearer ${apiKey}`
  const secrets = credentialValues(apiKey, options.headers)
  const redact = (text: string) => scrubSecrets(text, secrets)

  let status: number | undefined
  let text: string
  try {
    const response = await options.fetch(url, { method: 'POST', headers, body: JSON.stringify(options.body), signal })
    status = response.status
    text = await response.text()
  } catch (error) {
    if (signal?.aborted) throw signal.reason
    const reason = redact(connectionFailure(error))
    throw new RewardModelError(`Reward model request to ${url} failed: ${reason}`, { url, status, cause: error })
  }

  if (status < 200 || status > 299) {
    const detail = redact(errorMessageOf(text) ?? (text.trim().slice(0, 200) || 'empty body'))
    throw new RewardModelError(`Reward model at ${url} answered HTTP ${status}: ${detail}`, {
      url,
      status,
      responseBody: redact(text.slice(0, responseBodyLimit)),
    })
  }
  const parsed = parseJsonTolerant(text)
  const result = parsed === undefined ? undefined : options.schema.safeParse(parsed.value)
  if (result?.success) return result.data
  const issue = result?.error.issues[0]
  const problem = issue
    ? `an unexpected shape (${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message})`
    : 'a body that is not JSON'
  throw new RewardModelError(`Reward model at ${url} answered with ${problem}.`, {
    url,
    status,
    responseBody: redact(text.slice(0, responseBodyLimit)),
    // A malformed 2xx answer will not get better by asking again.
    isRetryable: false,
  })
}

/** Error envelopes seen in the wild: OpenAI/vLLM ≥ 0.10.1 nested, vLLM < 0.10.1 flat, TEI/TGI, FastAPI. */
const errorEnvelopeSchema = z.looseObject({
  error: z.union([z.string(), z.looseObject({ message: z.string().nullish() })]).nullish(),
  error_type: z.string().nullish(),
  message: z.string().nullish(),
  detail: z.unknown().optional(),
})

/** The human-readable message of an error body, whatever its envelope, or undefined. */
export function errorMessageOf(text: string): string | undefined {
  const parsed = parseJsonTolerant(text)
  const result = parsed === undefined ? undefined : errorEnvelopeSchema.safeParse(parsed.value)
  if (!result?.success) return undefined
  const { error, error_type: errorType, message, detail } = result.data
  if (typeof error === 'string') return errorType ? `${error} (${errorType})` : error
  if (error?.message) return error.message
  if (message) return message
  if (typeof detail === 'string') return detail
  return detail === undefined ? undefined : JSON.stringify(detail)
}

/**
 * `JSON.parse`, but also reading the bare `NaN`, `Infinity` and `-Infinity` that Python's `json`
 * writes by default; they become `null` so that one bad score fails one candidate, not the whole call.
 */
export function parseJsonTolerant(text: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(text) }
  } catch {
    try {
      return { value: JSON.parse(replaceNonFiniteLiterals(text)) }
    } catch {
      return undefined
    }
  }
}

function replaceNonFiniteLiterals(text: string): string {
  let out = ''
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string
    if (inString) {
      out += char
      if (char === '\\') out += text[++i] ?? ''
      else if (char === '"') inString = false
      continue
    }
    if (char === '"') inString = true
    const literal = ['NaN', 'Infinity', '-Infinity'].find((word) => text.startsWith(word, i))
    if (literal !== undefined) {
      out += 'null'
      i += literal.length - 1
      continue
    }
    out += char
  }
  return out
}

function connectionFailure(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined
  const message = describeError(error)
  return code && !message.includes(code) ? `${message} (${code})` : message
}
