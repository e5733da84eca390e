import { z } from 'zod'
import { url } from './common-schema.js'

/** An attribute W a RATE audit can measure, described in words for an LLM labeller and rewriter. */
export const auditAttributeSchema = z.strictObject({
  /** The name `bonbon audit rate --attribute` selects it by (letters, digits, `-`, `_`). */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][\w-]*$/, 'must start with a letter or digit and hold only letters, digits, - and _'),
  /** What the attribute is, in one sentence ("how formal the answer's tone is"). */
  description: z.string().min(1),
  /** What an answer with W = 1 looks like ("formal: no contractions, no slang"). */
  positive: z.string().min(1),
  /** What an answer with W = 0 looks like ("casual: contractions, conversational tone"). */
  negative: z.string().min(1),
})

/** The OpenAI-compatible chat server that rewrites and classifies answers in a RATE audit. */
export const auditRewriterSchema = z.strictObject({
  /** Base URL including `/v1`, e.g. `https://api.openai.com/v1`. */
  baseURL: url,
  /** The chat model that rewrites and labels answers. */
  model: z.string().min(1),
  /** Bearer key for the server. */
  apiKey: z.string().optional(),
})

/** `bonbon audit rate`: how answers are rewritten and labelled. */
export const auditSchema = z.strictObject({
  /**
   * The rewriter and classifier. When absent, the gateway's `openai` upstream is called directly
   * (bypassing best-of-n), with the model given by `--model` or, else, the first audited record's.
   */
  rewriter: auditRewriterSchema.optional(),
  /** Custom attributes, besides the built-in `length`. */
  attributes: z.array(auditAttributeSchema).optional(),
  /** Rewriter and classifier calls in flight at once. @default 4 */
  concurrency: z.number().int().min(1).max(256).default(4),
  /**
   * Retries of a rewriter, classifier or reward-model call that failed with 408, 409, 429, 5xx or a network error.
   * @default 2
   */
  maxRetries: z.number().int().min(0).max(10).default(2),
})

