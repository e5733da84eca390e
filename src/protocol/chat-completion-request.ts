import { z } from 'zod'
import { bonbonControlSchema } from './bonbon-control.js'
import { chatMessageSchema } from './chat-message.js'

/** Fields whose ranges both chat and legacy completions share; OpenAI's documented bounds. */
export const samplingFields = {
  n: z.number().int().min(1).max(128).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  seed: z.number().int().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  bonbon: bonbonControlSchema.nullish(),
}

/**
 * An OpenAI chat-completion request. Unknown fields pass through untouched (loose object), so new
 * OpenAI parameters reach the backend without a bonbon release.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(chatMessageSchema).min(1, 'messages must contain at least one message'),
  max_completion_tokens: z.number().int().min(1).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  ...samplingFields,
})

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>
