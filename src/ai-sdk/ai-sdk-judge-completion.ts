import type { LanguageModelV4, LanguageModelV4GenerateResult, SharedV4ProviderOptions } from '@ai-sdk/provider'
import { z } from 'zod'
import { InvalidOptionsError } from '../errors.js'
import type { JudgeCompletion, JudgeTokenLogprob } from '../score/judge-completion.js'
import { resultText } from './draw-model-candidates.js'

/** Options of {@link createAiSdkJudgeCompletion}. */
export interface AiSdkJudgeCompletionOptions {
  /** The judge: any AI SDK 7 language model. */
  model: LanguageModelV4
  /** Sampling temperature; 0 makes grades repeatable. @default 0 */
  temperature?: number
  /** Largest answer in tokens; the provider's default when absent. */
  maxOutputTokens?: number
  /**
   * Provider options of every judge call. To score by log-probabilities, ask the provider for them
   * here, e.g. `{ openai: { logprobs: 20 } }` with `@ai-sdk/openai`.
   * @default none
   */
  providerOptions?: SharedV4ProviderOptions
  /**
   * Reads per-token log-probabilities out of a result, when the provider returned any.
   * @default readProviderLogprobs: OpenAI-shaped `logprobs` under any provider's metadata
   */
  readLogprobs?: (result: LanguageModelV4GenerateResult) => readonly JudgeTokenLogprob[] | undefined
}

const alternativeSchema = z.looseObject({ token: z.string(), logprob: z.number() })
const openaiLogprobsSchema = z
  .array(alternativeSchema.extend({ top_logprobs: z.array(alternativeSchema).nullish() }))
  .min(1)

/**
 * Per-token log-probabilities in a result's provider metadata: the first provider entry whose
 * `logprobs` has OpenAI's shape (`[{ token, logprob, top_logprobs }]`), as `@ai-sdk/openai` reports
 * them. The AI SDK has no standard field for them.
 */
export function readProviderLogprobs(result: LanguageModelV4GenerateResult): JudgeTokenLogprob[] | undefined {
  for (const metadata of Object.values(result.providerMetadata ?? {})) {
    const parsed = openaiLogprobsSchema.safeParse(metadata['logprobs'])
    if (parsed.success) {
      return parsed.data.map((token) => ({
        token: token.token,
        logprob: token.logprob,
        topLogprobs: token.top_logprobs ?? [],
      }))
    }
  }
  return undefined
}

/**
 * An AI SDK model as the chat model of an LLM judge (`createJudgeRewardModel({ judge })`), asking for
 * JSON with the judge's schema through `responseFormat`. Log-probabilities come only from providers
 * that report them (see {@link readProviderLogprobs}); without them a `logprobs` judge falls back to
 * the written grade.
 * @throws InvalidOptionsError when `model` is not a V4 language model or a number is out of range.
 * @example
 * ```ts
 * const judge = createAiSdkJudgeCompletion({ model: anthropic('claude-haiku-4-5') })
 * const rewardModel = createJudgeRewardModel({ judge })
 * ```
 */
export function createAiSdkJudgeCompletion(options: AiSdkJudgeCompletionOptions): JudgeCompletion {
  const { model, temperature = 0, maxOutputTokens } = options
  if (model?.specificationVersion !== 'v4' || typeof model.doGenerate !== 'function') {
    throw new InvalidOptionsError('createAiSdkJudgeCompletion needs an AI SDK language model (specification v4).', {
      key: 'model',
    })
  }
  if (!Number.isFinite(temperature) || temperature < 0) {
    throw new InvalidOptionsError(`temperature must be a number ≥ 0; got ${temperature}.`, { key: 'temperature' })
  }
  if (maxOutputTokens !== undefined && (!Number.isInteger(maxOutputTokens) || maxOutputTokens < 1)) {
    throw new InvalidOptionsError(`maxOutputTokens must be a positive integer; got ${maxOutputTokens}.`, {
      key: 'maxOutputTokens',
    })
  }
  const providerOptions =
    options.providerOptions === undefined ? {} : { providerOptions: { ...options.providerOptions } }
  const readLogprobs = options.readLogprobs ?? readProviderLogprobs
  return {
    name: `${model.provider}:${model.modelId}`,
    async complete(messages, call) {
      const result = await model.doGenerate({
        prompt: messages.map((message) =>
          message.role === 'system'
            ? { role: 'system', content: message.content }
            : { role: 'user', content: [{ type: 'text', text: message.content }] },
        ),
        temperature,
        ...(maxOutputTokens === undefined ? {} : { maxOutputTokens }),
        responseFormat: { type: 'json', schema: { ...call.responseFormat.schema }, name: call.responseFormat.name },
        ...providerOptions,
        abortSignal: call.signal,
      })
      const logprobs = call.logprobs ? readLogprobs(result) : undefined
      return { text: resultText(result), ...(logprobs === undefined ? {} : { logprobs }) }
    },
  }
}
