import { z } from 'zod'
import { samplingFields } from './chat-completion-request.js'

/**
 * A legacy OpenAI completion request. bonbon takes one prompt per request: a string, or a list
 * holding exactly one string.
 * @see https://platform.openai.com/docs/api-reference/completions/create
 */
export const completionRequestSchema = z.looseObject({
  model: z.string().min(1),
  prompt: z.union([
    z.string(),
    z.array(z.string()).length(1, 'bonbon takes one prompt per request'),
  ]),
  logprobs: z.number().int().min(0).max(5).nullish(),
  best_of: z.number().int().min(1).nullish(),
  ...samplingFields,
})

export type CompletionRequest = z.infer<typeof completionRequestSchema>
