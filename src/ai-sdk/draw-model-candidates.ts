import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4Usage,
} from '@ai-sdk/provider'
import { randomSeed } from '../util/random.js'

/** One of n calls to a model: its result, or why it failed. */
export type ModelDraw = {
  /** Position in the fan-out, 0-based. */
  readonly index: number
  /** The seed it was drawn with. */
  readonly seed: number
  /** Time from the start of the fan-out until this call settled, ms. */
  readonly latencyMs: number
} & ({ readonly result: LanguageModelV4GenerateResult } | { readonly error: unknown })

/** What {@link drawModelCandidates} needs. */
export interface DrawModelCandidatesOptions {
  readonly model: LanguageModelV4
  /** The call options every draw shares; each draw gets its own `seed`. */
  readonly params: LanguageModelV4CallOptions
  readonly n: number
  /** Seed of draw 0; draw i gets baseSeed + i. */
  readonly baseSeed: number
  /** Milliseconds, for latencies. */
  readonly now: () => number
}

/**
 * Calls `model.doGenerate` n times at once with seeds baseSeed + i (vLLM's rule for the children of
 * one seeded request), so the draws differ yet replay. The model is the inner one: the `doGenerate`
 * thunk a middleware receives is bound to the caller's params, seed included. Each call fails alone.
 */
export async function drawModelCandidates(options: DrawModelCandidatesOptions): Promise<ModelDraw[]> {
  const { model, params, baseSeed, now } = options
  const startedAt = now()
  return Promise.all(
    Array.from({ length: options.n }, async (_, index): Promise<ModelDraw> => {
      const seed = baseSeed + index
      try {
        const result = await model.doGenerate({ ...params, seed })
        return { index, seed, latencyMs: now() - startedAt, result }
      } catch (error) {
        return { index, seed, latencyMs: now() - startedAt, error }
      }
    }),
  )
}

/**
 * A base seed when the caller gave none: 30 random bits, so that base + i stays a positive 32-bit
 * integer, the range every provider that takes a seed accepts.
 */
export function randomBaseSeed(): number {
  return Math.floor(randomSeed() / 4)
}

/** The answer text of a result: its text parts, joined. */
export function resultText(result: LanguageModelV4GenerateResult): string {
  return result.content.map((part) => (part.type === 'text' ? part.text : '')).join('')
}

/**
 * Token usage added over several calls, field by field; a count stays undefined unless some call
 * reported it (missing is not zero). The providers' `raw` usage is not summed: it has no common shape.
 */
export function sumUsage(usages: readonly LanguageModelV4Usage[]): LanguageModelV4Usage {
  const sum = (pick: (usage: LanguageModelV4Usage) => number | undefined) =>
    usages.reduce<number | undefined>((total, usage) => {
      const value = pick(usage)
      return value === undefined ? total : (total ?? 0) + value
    }, undefined)
  return {
    inputTokens: {
      total: sum((usage) => usage.inputTokens.total),
      noCache: sum((usage) => usage.inputTokens.noCache),
      cacheRead: sum((usage) => usage.inputTokens.cacheRead),
      cacheWrite: sum((usage) => usage.inputTokens.cacheWrite),
    },
    outputTokens: {
      total: sum((usage) => usage.outputTokens.total),
      text: sum((usage) => usage.outputTokens.text),
      reasoning: sum((usage) => usage.outputTokens.reasoning),
    },
  }
}
