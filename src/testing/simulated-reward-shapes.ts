import { z } from 'zod'
import { chatMessageSchema, messageText } from '../protocol/chat-message.js'
import { lastUserText } from '../util/last-user-text.js'

/** The wire protocol a simulated reward server speaks. */
export type SimulatedRewardShape = 'vllm-pooling' | 'vllm-classify' | 'tei' | 'http'

/** One (prompt, answer) pair a simulated server was asked to score. */
export interface ScoredPair {
  readonly prompt: string
  readonly answer: string
}

/** What a request asks for, read the way the real server reads it. */
export type ParsedRewardRequest =
  | {
      readonly ok: true
      readonly pairs: readonly ScoredPair[]
      /** Whether the server would apply its activation (sigmoid for 1-label models). */
      readonly activation: boolean
      /** The model the request names (vLLM). */
      readonly model?: string
      /** TEI: one unbatched input, answered with one unbatched list. */
      readonly single: boolean
    }
  | { readonly ok: false; readonly message: string }

/** The path each shape serves. */
export const shapePaths = {
  'vllm-pooling': '/pooling',
  'vllm-classify': '/classify',
  tei: '/predict',
  http: '/score',
} as const satisfies Record<SimulatedRewardShape, string>

const vllmRequestSchema = z.looseObject({
  model: z.string().nullish(),
  messages: z.array(chatMessageSchema).nullish(),
  input: z.union([z.string(), z.array(z.string())]).nullish(),
  use_activation: z.boolean().nullish(),
})
const teiSequenceSchema = z.union([z.string(), z.tuple([z.string()]), z.tuple([z.string(), z.string()])])
const teiRequestSchema = z.looseObject({
  // TEI reads `["q", "a"]` as one pair before it reads it as a batch of two (serde untagged order).
  inputs: z.union([z.string(), z.tuple([z.string(), z.string()]), z.array(teiSequenceSchema).min(1)]),
  raw_scores: z.boolean().nullish(),
})
const httpRequestSchema = z.looseObject({ prompt: z.array(chatMessageSchema), candidates: z.array(z.string()) })

/**
 * Reads a request body the way the real server of `shape` would. Activation is on unless the client
 * turned it off: vLLM's `use_activation: false`, TEI's `raw_scores: true`.
 */
export function parseRewardRequest(
  shape: SimulatedRewardShape,
  body: unknown,
  parseRenderedInput: (input: string) => ScoredPair,
): ParsedRewardRequest {
  if (shape === 'tei') {
    const result = teiRequestSchema.safeParse(body)
    if (!result.success) return invalid(result.error)
    const { inputs } = result.data
    const single = typeof inputs === 'string' || isPair(inputs)
    const sequences = single ? [inputs] : (inputs as readonly z.infer<typeof teiSequenceSchema>[])
    const pairs = sequences.map((sequence): ScoredPair => {
      if (typeof sequence === 'string') return { prompt: '', answer: sequence }
      return sequence.length === 2 ? { prompt: sequence[0], answer: sequence[1] } : { prompt: '', answer: sequence[0] }
    })
    return { ok: true, pairs, activation: result.data.raw_scores !== true, single }
  }
  if (shape === 'http') {
    const result = httpRequestSchema.safeParse(body)
    if (!result.success) return invalid(result.error)
    const prompt = lastUserText(result.data.prompt)
    const pairs = result.data.candidates.map((answer) => ({ prompt, answer }))
    return { ok: true, pairs, activation: false, single: false }
  }
  const result = vllmRequestSchema.safeParse(body)
  if (!result.success) return invalid(result.error)
  const { messages, input, model } = result.data
  if ((messages == null) === (input == null)) {
    return { ok: false, message: 'Either `messages` or `input` must be given, not both.' }
  }
  const activation = result.data.use_activation !== false
  if (messages) {
    const last = messages.at(-1)
    const answer = last?.role === 'assistant' ? messageText(last.content) : ''
    const pairs = [{ prompt: lastUserText(messages), answer }]
    return { ok: true, pairs, activation, model: model ?? undefined, single: false }
  }
  const texts = typeof input === 'string' ? [input] : (input ?? [])
  return { ok: true, pairs: texts.map(parseRenderedInput), activation, model: model ?? undefined, single: false }
}

/** Builds the success body of `shape` for scores (already activated, or replaced by a fault). */
export function rewardResponseBody(options: {
  shape: SimulatedRewardShape
  scores: readonly unknown[]
  single: boolean
  model: string
  reverseOrder: boolean
  nestedPoolingData: boolean
}): unknown {
  const { shape, scores } = options
  if (shape === 'http') return { scores }
  if (shape === 'tei') {
    const lists = scores.map((score) => [{ score, label: 'LABEL_0' }])
    return options.single ? lists[0] : lists
  }
  const data = scores.map((score, index) =>
    shape === 'vllm-pooling'
      ? { index, object: 'pooling', data: options.nestedPoolingData ? [[score]] : [score] }
      : { index, label: 'LABEL_0', probs: [score], num_classes: 1 },
  )
  if (options.reverseOrder) data.reverse()
  return {
    id: `${shape === 'vllm-pooling' ? 'pool' : 'classify'}-${crypto.randomUUID()}`,
    object: 'list',
    created: Math.floor(Date.now() / 1000),
    model: options.model,
    data,
    usage: { prompt_tokens: null, total_tokens: null, completion_tokens: 0, prompt_tokens_details: null },
  }
}

/** An error body in the envelope `shape`'s real server uses. */
export function errorBody(shape: SimulatedRewardShape, status: number, message: string): unknown {
  if (shape === 'tei') return { error: message, error_type: status === 413 ? 'validation' : 'backend' }
  if (shape === 'http') return { error: message }
  // vLLM ≥ 0.10.1: OpenAI's nesting, with an integer code.
  const type = status < 500 ? 'BadRequestError' : 'InternalServerError'
  return { error: { message, type, param: null, code: status } }
}

/**
 * Reads a Llama-3-style rendering (`<|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>`) back
 * into the last user turn and a final assistant turn; text in another format is all answer.
 */
export function parseLlama3Rendering(input: string): ScoredPair {
  const blocks = [...input.matchAll(/<\|start_header_id\|>(\w+)<\|end_header_id\|>\n\n([\s\S]*?)<\|eot_id\|>/g)]
  if (blocks.length === 0) return { prompt: '', answer: input }
  const last = blocks.at(-1)
  const answer = last?.[1] === 'assistant' ? (last[2] ?? '') : ''
  const user = blocks.findLast((block) => block[1] === 'user')
  return { prompt: user?.[2] ?? '', answer }
}

/**
 * JSON as Python's `json.dumps` writes it: non-finite numbers become bare `NaN`, `Infinity` and
 * `-Infinity`, which is what a Python reward server really sends when its model outputs one.
 */
export function stringifyLikePython(value: unknown): string {
  const marker = '\u0000nonfinite:'
  const text = JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'number' && !Number.isFinite(item) ? `${marker}${String(item)}` : item,
  )
  return text.replace(/"\\u0000nonfinite:(NaN|Infinity|-Infinity)"/g, '$1')
}

/** The logistic function the real servers apply when activation is on. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x))
}

function isPair(value: unknown): value is [string, string] {
  return Array.isArray(value) && value.length === 2 && value.every((item) => typeof item === 'string')
}

function invalid(error: z.ZodError): ParsedRewardRequest {
  const issue = error.issues[0]
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''
  return { ok: false, message: `Invalid request: ${where}${issue?.message ?? 'bad body'}` }
}
