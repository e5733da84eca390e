import { z } from 'zod'
import { usageSchema } from './usage.js'

// Every field is `.nullish()`: compatible servers (vLLM with `exclude_unset`, llama.cpp, Ollama, TGI)
// omit what OpenAI sends as null, and the schemas are loose so nothing a backend adds is dropped.

/** Token log-probabilities of a choice: chat (`content[]`) or legacy completion (`token_logprobs`). */
export const upstreamLogprobsSchema = z.looseObject({
  /** Chat: one entry per generated token. */
  content: z.array(z.looseObject({ token: z.string().nullish(), logprob: z.number().nullish() })).nullish(),
  /** Legacy completions: the log-probability of each token; null where none (an echoed first token). */
  token_logprobs: z.array(z.number().nullable()).nullish(),
})

/** Log-probabilities of one choice, as validated. */
export type UpstreamLogprobs = z.infer<typeof upstreamLogprobsSchema>

const messageContentSchema = z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]).nullish()

/**
 * One choice of a chat or legacy completion response. A chat message's `content` may be null when
 * the model only called tools.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
export const upstreamChoiceSchema = z.looseObject({
  index: z.number().int().min(0).nullish(),
  /** Chat completions. */
  message: z.looseObject({ role: z.string().nullish(), content: messageContentSchema }).nullish(),
  /** Legacy completions. */
  text: z.string().nullish(),
  finish_reason: z.string().nullish(),
  // Log-probabilities in a shape we do not know must not cost the answer itself.
  logprobs: upstreamLogprobsSchema.nullish().catch(undefined),
})

/** One choice of a completion response, as validated; unknown fields kept. */
export type UpstreamChoice = z.infer<typeof upstreamChoiceSchema>

/** A chat completion or legacy completion response body. */
export const upstreamCompletionSchema = z.looseObject({
  choices: z.array(upstreamChoiceSchema),
  usage: usageSchema.nullish(),
})

/** A completion response body, as validated; unknown fields kept. */
export type UpstreamCompletion = z.infer<typeof upstreamCompletionSchema>

/** A completion body's choices exactly as they arrived, for forwarding without loss. */
export const rawChoicesSchema = z.looseObject({ choices: z.array(z.looseObject({})) })

/**
 * One choice of a stream chunk. Chunks may carry several choices, in any order; `index` says whose
 * delta it is (LiteLLM #3276, langchain #26719).
 */
export const upstreamChunkChoiceSchema = z.looseObject({
  index: z.number().int().min(0).nullish(),
  /** Chat completions. */
  delta: z.looseObject({ role: z.string().nullish(), content: z.string().nullish() }).nullish(),
  /** Legacy completions. */
  text: z.string().nullish(),
  finish_reason: z.string().nullish(),
  logprobs: z.looseObject({}).nullish(),
})

/** One choice of a stream chunk, as validated; unknown fields kept. */
export type UpstreamChunkChoice = z.infer<typeof upstreamChunkChoiceSchema>

/**
 * One `data:` payload of a completion stream. `choices` may be empty (Azure's `prompt_filter_results`,
 * OpenAI's final usage chunk) or missing.
 */
export const upstreamChunkSchema = z.looseObject({
  choices: z.array(upstreamChunkChoiceSchema).nullish(),
  usage: usageSchema.nullish(),
})

/** One stream chunk, as validated; unknown fields kept. */
export type UpstreamChunk = z.infer<typeof upstreamChunkSchema>

/** An upstream error, whatever envelope it came in. */
export interface UpstreamErrorInfo {
  /** The human-readable message. */
  readonly message: string
  /** The error's type or class (`invalid_request_error`, `BadRequestError`, `empty`), when given. */
  readonly type: string | undefined
  /** The error's code: a string (OpenAI), an HTTP status (vLLM, llama.cpp), or undefined. */
  readonly code: string | number | undefined
  /** The request field at fault, when the server named one. */
  readonly param: string | undefined
}

const optionalText = z.string().nullish().catch(undefined)
const optionalCode = z.union([z.string(), z.number()]).nullish().catch(undefined)

const nestedErrorSchema = z.looseObject({
  error: z.looseObject({ message: optionalText, type: optionalText, code: optionalCode, param: optionalText }),
})
const flatErrorSchema = z.looseObject({
  object: z.literal('error'),
  message: z.string(),
  type: optionalText,
  code: optionalCode,
  param: optionalText,
})
const stringErrorSchema = z.looseObject({ error: z.string(), error_type: optionalText, type: optionalText })
const fastApiErrorSchema = z.looseObject({
  detail: z.union([
    z.string(),
    z.array(
      z.looseObject({ msg: z.string(), loc: z.array(z.union([z.string(), z.number()])).nullish().catch(undefined) }),
    ),
  ]),
})

/**
 * Reads an error envelope in any of the shapes OpenAI-compatible servers use, or returns undefined
 * when `body` is not one (a 200 whose body parses here is an error nonetheless):
 * - OpenAI, vLLM ≥ 0.10.1, llama.cpp, Ollama: `{"error": {"message", "type", "param", "code"}}`;
 * - vLLM < 0.10.1: `{"object": "error", "message", "type", "code"}`;
 * - TEI / TGI: `{"error": "…", "error_type": "…"}`; optillm: `{"error": "…"}`;
 * - FastAPI validation: `{"detail": "…" | [{"msg": "…"}]}`.
 */
export function parseUpstreamError(body: unknown): UpstreamErrorInfo | undefined {
  // Every shape above has `error`, `detail` or `object: "error"`; a completion, every successful call, has none.
  if (typeof body !== 'object' || body === null) return undefined
  if (!('error' in body) && !('detail' in body) && (body as { object?: unknown }).object !== 'error') return undefined
  const nested = nestedErrorSchema.safeParse(body)
  if (nested.success) {
    const error = nested.data.error
    return info({ ...error, message: error.message ?? error.type ?? 'The upstream reported an error.' })
  }
  const flat = flatErrorSchema.safeParse(body)
  if (flat.success) return info(flat.data)
  const plain = stringErrorSchema.safeParse(body)
  if (plain.success) {
    return info({ message: plain.data.error, type: plain.data.error_type ?? plain.data.type })
  }
  const fastApi = fastApiErrorSchema.safeParse(body)
  if (fastApi.success) {
    const detail = fastApi.data.detail
    if (typeof detail === 'string') return info({ message: detail })
    // FastAPI names the field at fault by its path: ["body", "n"].
    const field = detail[0]?.loc?.at(-1)
    const message = detail.map((entry) => (entry.loc ? `${entry.loc.join('.')}: ${entry.msg}` : entry.msg)).join('; ')
    return info({ message, param: typeof field === 'string' ? field : undefined })
  }
  return undefined
}

function info(fields: {
  message: string
  type?: string | null | undefined
  code?: string | number | null | undefined
  param?: string | null | undefined
}): UpstreamErrorInfo {
  return {
    message: fields.message,
    type: fields.type ?? undefined,
    code: fields.code ?? undefined,
    param: fields.param ?? undefined,
  }
}

/**
 * The sum of a choice's token log-probabilities, or undefined when it has none. Tokens without a
 * value (a legacy echoed first token) are skipped.
 */
export function sumLogprobs(logprobs: UpstreamLogprobs | null | undefined): number | undefined {
  const values = logprobValues(logprobs)
  if (values === undefined) return undefined
  return values.reduce((total, value) => total + value, 0)
}

/** How many tokens a choice's log-probabilities cover, or undefined when it has none. */
export function countLogprobTokens(logprobs: UpstreamLogprobs | null | undefined): number | undefined {
  if (logprobs?.content) return logprobs.content.length
  if (logprobs?.token_logprobs) return logprobs.token_logprobs.length
  return undefined
}

function logprobValues(logprobs: UpstreamLogprobs | null | undefined): number[] | undefined {
  if (logprobs?.content) {
    return logprobs.content.flatMap((entry) => (typeof entry.logprob === 'number' ? [entry.logprob] : []))
  }
  if (logprobs?.token_logprobs) {
    return logprobs.token_logprobs.flatMap((value) => (value === null ? [] : [value]))
  }
  return undefined
}
