import { z } from 'zod'

/**
 * Token usage as OpenAI reports it. Every field is optional: compatible servers omit some, and a
 * missing count is not a zero.
 */
export const usageSchema = z.looseObject({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  total_tokens: z.number().nullish(),
})

export type Usage = z.infer<typeof usageSchema>

/** Token counts added over several upstream calls; a count stays missing unless some call reported it. */
export function addUsage(total: Usage | undefined, next: Usage | null | undefined): Usage | undefined {
  if (!next) return total
  const sum = (a: number | null | undefined, b: number | null | undefined) =>
    typeof a === 'number' || typeof b === 'number' ? (a ?? 0) + (b ?? 0) : undefined
  return {
    prompt_tokens: sum(total?.prompt_tokens, next.prompt_tokens),
    completion_tokens: sum(total?.completion_tokens, next.completion_tokens),
    total_tokens: sum(total?.total_tokens, next.total_tokens),
  }
}
