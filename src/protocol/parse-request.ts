import type { z } from 'zod'
import { InvalidRequestError } from '../errors.js'
import type { BestOfNRequest, Endpoint } from './best-of-n-request.js'
import { chatCompletionRequestSchema, type ChatCompletionRequest } from './chat-completion-request.js'
import type { ChatMessage } from './chat-message.js'
import { completionRequestSchema, type CompletionRequest } from './completion-request.js'

/** Fields bonbon owns and never forwards: `best_of` would make vLLM error and OpenAI chat 400. */
const ownedFields = new Set(['n', 'stream', 'stream_options', 'best_of', 'bonbon'])

/** Options of {@link parseRequest}. */
export interface ParseRequestOptions {
  /** The endpoint the body arrived on. */
  endpoint: Endpoint
  /** The value of the `x-bonbon-n` header, if any. */
  headerN?: string | null
}

/**
 * Validates a client body and normalises it into a {@link BestOfNRequest}.
 * @throws InvalidRequestError naming the field at fault (`param`), as OpenAI does.
 */
export function parseRequest(body: unknown, options: ParseRequestOptions): BestOfNRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('The request body must be a JSON object.')
  }
  let parsed: ChatCompletionRequest | CompletionRequest
  let messages: ChatMessage[]
  if (options.endpoint === 'chat') {
    const chat = checked(chatCompletionRequestSchema.safeParse(body))
    parsed = chat
    messages = chat.messages
  } else {
    const completion = checked(completionRequestSchema.safeParse(body))
    parsed = completion
    const prompt = typeof completion.prompt === 'string' ? completion.prompt : completion.prompt[0]
    messages = [{ role: 'user', content: prompt ?? '' }]
  }

  // fromEntries defines each key as an own property: a client's "__proto__" stays data, where an
  // assignment would have replaced the object's prototype and dropped the field.
  const upstreamBody = Object.fromEntries(Object.entries(body).filter(([key]) => !ownedFields.has(key)))
  return {
    endpoint: options.endpoint,
    model: parsed.model,
    upstreamBody,
    messages,
    clientN: parsed.n ?? 1,
    // The body wins over the header; legacy completions' own `best_of` ("generate best_of, return the
    // best") is the same idea, so it sets the fan-out when nothing else does.
    ...requestedFanout(parsed, options.headerN),
    stream: parsed.stream === true,
    includeUsage: parsed.stream_options?.include_usage === true,
    seed: parsed.seed ?? undefined,
    returnCandidates: parsed.bonbon?.return_candidates === true,
  }
}

/** The fan-out the request asks for, and where: the body wins over the header, then `best_of`. */
function requestedFanout(
  parsed: ChatCompletionRequest | CompletionRequest,
  headerN: string | null | undefined,
): Pick<BestOfNRequest, 'requestedN' | 'requestedNParam'> {
  const fromBody = parsed.bonbon?.n
  if (fromBody !== undefined) return { requestedN: fromBody, requestedNParam: 'bonbon.n' }
  const fromHeader = parseHeaderN(headerN)
  if (fromHeader !== undefined) return { requestedN: fromHeader, requestedNParam: 'x-bonbon-n' }
  const bestOf = bestOfField(parsed)
  return bestOf === undefined ? { requestedN: undefined } : { requestedN: bestOf, requestedNParam: 'best_of' }
}

function parseHeaderN(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return undefined
  const n = Number(value)
  // Only a short prefix of a bad value is echoed: a header can be many kilobytes.
  const shown = value.length <= 32 ? value : `${value.slice(0, 32)}…`
  if (!/^\d+$/.test(value.trim()) || n < 1) {
    throw new InvalidRequestError(`Header x-bonbon-n must be a positive integer; got "${shown}".`, { param: 'x-bonbon-n' })
  }
  if (!Number.isSafeInteger(n)) {
    throw new InvalidRequestError(`Header x-bonbon-n is far too large; got "${shown}".`, { param: 'x-bonbon-n', code: 'n_too_large' })
  }
  return n
}

function checked<T>(result: z.ZodSafeParseResult<T>): T {
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const param = issue && issue.path.length > 0 ? issue.path.join('.') : null
  const message = issue ? `${param ? `Invalid '${param}': ` : ''}${issue.message}` : 'Invalid request.'
  throw new InvalidRequestError(message, { param })
}

function bestOfField(parsed: ChatCompletionRequest | CompletionRequest): number | undefined {
  const bestOf = parsed['best_of']
  return typeof bestOf === 'number' ? bestOf : undefined
}
