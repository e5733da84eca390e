import type { LanguageModelV4CallOptions } from '@ai-sdk/provider'
import { z } from 'zod'
import { InvalidRequestError } from '../errors.js'
import type { BestOfNRequest } from '../protocol/best-of-n-request.js'
import { chatMessagesToPrompt } from './chat-messages-to-prompt.js'

const reasoningEfforts = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const

// The OpenAI fields an AI SDK call can carry; the rest of the body (user, metadata, logprobs, ...) has no
// V4 counterpart and is not forwarded.
const samplingSchema = z.looseObject({
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  top_k: z.number().int().nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  presence_penalty: z.number().nullish(),
  frequency_penalty: z.number().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  reasoning_effort: z.enum(reasoningEfforts).nullish(),
  response_format: z
    .looseObject({
      type: z.enum(['text', 'json_object', 'json_schema']),
      json_schema: z
        .looseObject({
          name: z.string().nullish(),
          description: z.string().nullish(),
          schema: z.record(z.string(), z.unknown()).nullish(),
        })
        .nullish(),
    })
    .nullish(),
  tools: z.array(z.unknown()).nullish(),
  functions: z.array(z.unknown()).nullish(),
})

/**
 * The AI SDK call options of a bonbon request: its messages as a V4 prompt, and the OpenAI sampling
 * fields under their V4 names (`max_completion_tokens` or `max_tokens` → `maxOutputTokens`, `stop` →
 * `stopSequences`, `response_format` → `responseFormat`, ...). The seed is left to the fan-out. A
 * legacy completions prompt arrives as one user message, as bonbon parses it: AI SDK models are chat
 * models. Tools are refused: the backend returns text candidates only.
 * @throws InvalidRequestError for a field of the wrong type, tools, or messages a prompt cannot carry.
 */
export function callOptionsFromRequest(request: BestOfNRequest): LanguageModelV4CallOptions {
  const parsed = samplingSchema.safeParse(request.upstreamBody)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const param = issue?.path.join('.') ?? null
    throw new InvalidRequestError(`Invalid '${param}': ${issue?.message ?? 'unexpected value'}.`, { param })
  }
  const body = parsed.data
  if ((body.tools?.length ?? 0) > 0 || (body.functions?.length ?? 0) > 0) {
    throw new InvalidRequestError('The AI SDK backend does not support tools.', {
      param: body.tools ? 'tools' : 'functions',
      code: 'unsupported_parameter',
    })
  }
  const options: LanguageModelV4CallOptions = { prompt: chatMessagesToPrompt(request.messages) }
  const maxOutputTokens = body.max_completion_tokens ?? body.max_tokens
  if (maxOutputTokens != null) options.maxOutputTokens = maxOutputTokens
  if (body.temperature != null) options.temperature = body.temperature
  if (body.top_p != null) options.topP = body.top_p
  if (body.top_k != null) options.topK = body.top_k
  if (body.presence_penalty != null) options.presencePenalty = body.presence_penalty
  if (body.frequency_penalty != null) options.frequencyPenalty = body.frequency_penalty
  if (body.stop != null) options.stopSequences = typeof body.stop === 'string' ? [body.stop] : body.stop
  if (body.reasoning_effort != null) options.reasoning = body.reasoning_effort
  const format = body.response_format
  if (format?.type === 'json_object') options.responseFormat = { type: 'json' }
  if (format?.type === 'json_schema') {
    const { name, description, schema } = format.json_schema ?? {}
    options.responseFormat = {
      type: 'json',
      ...(schema == null ? {} : { schema }),
      ...(name == null ? {} : { name }),
      ...(description == null ? {} : { description }),
    }
  }
  return options
}
