import type { LanguageModelV4CallOptions, LanguageModelV4GenerateResult } from '@ai-sdk/provider'
import { MockLanguageModelV4 } from 'ai/test'

/** What the mock model answers to one call: text, or an error to throw. */
export type MockAnswer = string | Error

/**
 * A mock model whose answer depends only on the call's seed, as a seeded real model's does: the call
 * with seed `baseSeed + i` answers `answers[i]`. Each call reports 10 input and `words` output tokens.
 */
export function seededMockModel(answers: readonly MockAnswer[], baseSeed: number): MockLanguageModelV4 {
  return new MockLanguageModelV4({
    doGenerate: async (options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> => {
      const answer = answers[(options.seed ?? Number.NaN) - baseSeed]
      if (answer === undefined) throw new Error(`no answer for seed ${options.seed}`)
      if (answer instanceof Error) throw answer
      return {
        content: [{ type: 'text', text: answer }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: usage(10, answer.split(' ').length),
        warnings: [],
        response: { id: `response-${options.seed}`, modelId: 'mock-model-id', timestamp: new Date(1_700_000_000_000) },
      }
    },
  })
}

/** A V4 usage with the totals given and the breakdowns unknown. */
export function usage(input: number, output: number): LanguageModelV4GenerateResult['usage'] {
  return {
    inputTokens: { total: input, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: undefined, reasoning: undefined },
  }
}
