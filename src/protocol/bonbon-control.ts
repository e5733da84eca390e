import { z } from 'zod'

/**
 * The per-request control field `bonbon` in a request body. It is stripped before anything goes
 * upstream, since OpenAI rejects unknown fields.
 */
// Strict: a typo such as `return_candidate` must fail loudly rather than be ignored.
export const bonbonControlSchema = z.strictObject({
  /** Fan-out size for this request (how many candidates to draw). */
  n: z.number().int().min(1).optional(),
  /** Add a `bonbon` object listing every candidate to the response. */
  return_candidates: z.boolean().optional(),
})

export type BonbonControl = z.infer<typeof bonbonControlSchema>
