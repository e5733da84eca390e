import { z } from 'zod'
import { messageText } from '../protocol/chat-message.js'

/** Which OpenAI endpoint a simulated call came in on. */
export type SimulatedEndpoint = 'chat' | 'completions'

/** What the answer function is told about one choice to write. */
export interface SimulatedAnswerInput {
  /** The prompt: the last user message's text (chat) or the prompt string (completions). */
  readonly prompt: string
  /** The choice's index within its call (0 for every call with `n: 1`). */
  readonly index: number
  /** The choice's seed: the request's seed plus `index`, as vLLM does, or undefined without one. */
  readonly seed: number | undefined
  /** The 0-based number of this completion call on the server, so unseeded calls can differ. */
  readonly call: number
  /** The endpoint the call came in on. */
  readonly endpoint: SimulatedEndpoint
  /** The request body as received. */
  readonly body: Readonly<Record<string, unknown>>
}

/**
 * The default answer: deterministic, different for every seed (or, unseeded, every call and index),
 * and holding two-, three- and four-byte UTF-8 characters (é, —, 🍬) so that split reads get exercised.
 * A seeded choice depends only on its seed, so native choice i and a parallel call with seed+i agree.
 */
export function defaultSimulatedAnswer(input: SimulatedAnswerInput): string {
  const draw = input.seed === undefined ? `draw ${input.call}.${input.index}` : `seed ${input.seed}`
  const topic = input.prompt.length > 40 ? `${input.prompt.slice(0, 40)}…` : input.prompt
  return `Réponse (${draw}) — about "${topic}": café au lait 🍬 done.`
}

/** The request fields the simulated server reads; everything else is recorded and ignored. */
export const simulatedRequestSchema = z.looseObject({
  model: z.string().nullish(),
  messages: z.array(z.looseObject({ role: z.string(), content: z.unknown() })).nullish(),
  prompt: z.union([z.string(), z.array(z.string())]).nullish(),
  n: z.number().int().min(1).max(128).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  seed: z.number().int().nullish(),
  logprobs: z.union([z.boolean(), z.number().int().min(0)]).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
})

/** A completion request body as the simulated server reads it. */
export type SimulatedRequestBody = z.infer<typeof simulatedRequestSchema>

/** One choice the server will send. */
export interface SimulatedChoice {
  readonly index: number
  /** The answer cut into tokens (a word with its leading space). */
  readonly tokens: readonly string[]
  readonly finishReason: 'stop' | 'length'
}

/** Everything needed to write one completion, streamed or not. */
export interface SimulatedPlan {
  readonly endpoint: SimulatedEndpoint
  readonly id: string
  readonly created: number
  readonly model: string
  readonly choices: readonly SimulatedChoice[]
  readonly promptTokens: number
  /** Whether log-probabilities were asked for (`logprobs: true` on chat, a number on completions). */
  readonly logprobs: boolean
}

/** What {@link planCompletion} needs. */
export interface PlanCompletionOptions {
  readonly endpoint: SimulatedEndpoint
  readonly body: SimulatedRequestBody
  /** How many choices to write (the request's `n`, or 1 where the server ignores it). */
  readonly choiceCount: number
  readonly call: number
  readonly answer: (input: SimulatedAnswerInput) => string
}

/** Decides the choices of one call: their tokens, truncated at `max_tokens` with `finish_reason: length`. */
export function planCompletion(options: PlanCompletionOptions): SimulatedPlan {
  const { body, endpoint, call } = options
  const prompt = promptText(endpoint, body)
  const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? Number.POSITIVE_INFINITY
  const choices = Array.from({ length: options.choiceCount }, (_, index): SimulatedChoice => {
    const seed = typeof body.seed === 'number' ? body.seed + index : undefined
    const tokens = tokenize(options.answer({ prompt, index, seed, call, endpoint, body }))
    return tokens.length > maxTokens
      ? { index, tokens: tokens.slice(0, maxTokens), finishReason: 'length' }
      : { index, tokens, finishReason: 'stop' }
  })
  return {
    endpoint,
    id: `${endpoint === 'chat' ? 'chatcmpl' : 'cmpl'}-simulated-${call}`,
    created: 1_700_000_000 + call,
    model: body.model ?? 'simulated-model',
    choices,
    promptTokens: tokenize(prompt).length,
    logprobs: endpoint === 'chat' ? body.logprobs === true : typeof body.logprobs === 'number',
  }
}

/** Cuts text into tokens that join back into it exactly: each word with the whitespace before it. */
export function tokenize(text: string): string[] {
  return text.match(/\s*\S+|\s+$/gu) ?? []
}

/** A deterministic log-probability per token, so sums can be checked. */
export function simulatedLogprob(token: string): number {
  return -((token.length % 7) + 1) / 10
}

/** The usage of a whole call: prompt counted once, completion tokens summed over choices. */
export function planUsage(plan: SimulatedPlan): Record<string, number> {
  const completion = plan.choices.reduce((total, choice) => total + choice.tokens.length, 0)
  return {
    prompt_tokens: plan.promptTokens,
    completion_tokens: completion,
    total_tokens: plan.promptTokens + completion,
  }
}

/** The log-probabilities of some tokens, in the endpoint's shape. */
export function logprobsOf(plan: SimulatedPlan, tokens: readonly string[], offset: number): Record<string, unknown> {
  if (plan.endpoint === 'chat') {
    const encoder = new TextEncoder()
    const content = tokens.map((token) => {
      const logprob = simulatedLogprob(token)
      const bytes = [...encoder.encode(token)]
      return { token, logprob, bytes, top_logprobs: [{ token, logprob, bytes }] }
    })
    return { content, refusal: null }
  }
  let position = offset
  const textOffset = tokens.map((token) => {
    const start = position
    position += token.length
    return start
  })
  return {
    tokens: [...tokens],
    token_logprobs: tokens.map(simulatedLogprob),
    top_logprobs: tokens.map((token) => ({ [token]: simulatedLogprob(token) })),
    text_offset: textOffset,
  }
}

/** The non-streaming response body; choices carry vLLM's extra `stop_reason`, as a backend-added field. */
export function completionBody(plan: SimulatedPlan): Record<string, unknown> {
  const choices = plan.choices.map((choice) => {
    const text = choice.tokens.join('')
    const logprobs = plan.logprobs ? logprobsOf(plan, choice.tokens, 0) : null
    const content = plan.endpoint === 'chat' ? { message: { role: 'assistant', content: text } } : { text }
    return { index: choice.index, ...content, logprobs, finish_reason: choice.finishReason, stop_reason: null }
  })
  return {
    id: plan.id,
    object: plan.endpoint === 'chat' ? 'chat.completion' : 'text_completion',
    created: plan.created,
    model: plan.model,
    system_fingerprint: 'fp_simulated',
    choices,
    usage: planUsage(plan),
  }
}

function promptText(endpoint: SimulatedEndpoint, body: SimulatedRequestBody): string {
  if (endpoint === 'completions') return typeof body.prompt === 'string' ? body.prompt : (body.prompt?.[0] ?? '')
  const messages = body.messages ?? []
  const lastUser = [...messages].reverse().find((message) => message.role === 'user')
  const content = lastUser?.content
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  const parts = z.array(z.looseObject({ type: z.string() })).safeParse(content)
  return parts.success ? messageText(parts.data) : ''
}
