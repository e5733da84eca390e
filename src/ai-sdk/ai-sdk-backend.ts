import type { LanguageModelV4, LanguageModelV4GenerateResult, SharedV4ProviderOptions } from '@ai-sdk/provider'
import { InvalidOptionsError, describeError } from '../errors.js'
import type { Backend, Candidate } from '../generate/backend.js'
import type { Endpoint } from '../protocol/best-of-n-request.js'
import type { Usage } from '../protocol/usage.js'
import { callOptionsFromRequest } from './call-options-from-request.js'
import { drawModelCandidates, randomBaseSeed, resultText, sumUsage, type ModelDraw } from './draw-model-candidates.js'
import { openaiFinishReason } from './openai-finish-reason.js'

/** Options of {@link createAiSdkBackend}. */
export interface AiSdkBackendOptions {
  /** The model that draws the candidates: any AI SDK 7 provider's language model. */
  model: LanguageModelV4
  /** Provider options sent with every call (`{ anthropic: { ... } }`). @default none */
  providerOptions?: SharedV4ProviderOptions
  /** Headers sent with every call, for HTTP-based providers. @default none */
  headers?: Readonly<Record<string, string>>
  /** The base seed of a request that sets none. @default 30 random bits from the Web Crypto API */
  randomSeed?: () => number
  /** Milliseconds since the epoch, for latencies. @default Date.now */
  now?: () => number
}

/**
 * An AI SDK model (Anthropic, Google, Bedrock, a local provider, ...) as the gateway's upstream, so
 * that it answers behind bonbon's OpenAI-compatible endpoint. Each request becomes n `doGenerate`
 * calls with seeds seed + i (a random base when the client sent none); candidates come back in
 * OpenAI's shape (`message` or `text`, `finish_reason`, `logprobs: null`) with `usage` under OpenAI's
 * names, summed over the calls. Log-probabilities are not available through the AI SDK.
 * @throws InvalidOptionsError when `model` is not a V4 language model.
 * @example
 * ```ts
 * const backend = createAiSdkBackend({ model: anthropic('claude-haiku-4-5') })
 * const app = createApp(config, { backend })
 * ```
 */
export function createAiSdkBackend(options: AiSdkBackendOptions): Backend {
  const { model } = options
  if (model?.specificationVersion !== 'v4' || typeof model.doGenerate !== 'function') {
    throw new InvalidOptionsError('createAiSdkBackend needs an AI SDK language model (specification v4).', {
      key: 'model',
    })
  }
  const providerOptions =
    options.providerOptions === undefined ? {} : { providerOptions: { ...options.providerOptions } }
  const headers = options.headers === undefined ? {} : { headers: { ...options.headers } }
  const randomSeed = options.randomSeed ?? randomBaseSeed
  const now = options.now ?? Date.now
  return {
    name: `ai-sdk:${model.provider}`,
    async generate({ request, n, signal }) {
      const params = { ...callOptionsFromRequest(request), ...providerOptions, ...headers, abortSignal: signal }
      const draws = await drawModelCandidates({ model, params, n, baseSeed: request.seed ?? randomSeed(), now })
      if (signal?.aborted) throw signal.reason
      const results = draws.flatMap((draw) => ('result' in draw ? [draw.result] : []))
      const first = results[0]
      return {
        candidates: draws.map((draw) => toCandidate(draw, request.endpoint)),
        fanout: 'parallel',
        usage: results.length === 0 ? undefined : openaiUsage(results),
        envelope: first === undefined ? {} : envelopeOf(first, model.modelId),
      }
    },
  }
}

function toCandidate(draw: ModelDraw, endpoint: Endpoint): Candidate {
  if ('error' in draw) {
    const status = statusOf(draw.error)
    return {
      index: draw.index,
      text: '',
      finishReason: null,
      latencyMs: draw.latencyMs,
      error: describeError(draw.error),
      ...(status === undefined ? {} : { errorStatus: status }),
    }
  }
  const { result } = draw
  const text = resultText(result)
  const finishReason = openaiFinishReason(result.finishReason)
  const reasoning = result.content.map((part) => (part.type === 'reasoning' ? part.text : '')).join('')
  const rawChoice =
    endpoint === 'chat'
      ? {
          index: draw.index,
          // reasoning_content is where vLLM, SGLang and DeepSeek put a reasoning model's thoughts.
          message: { role: 'assistant', content: text, ...(reasoning === '' ? {} : { reasoning_content: reasoning }) },
          finish_reason: finishReason,
          logprobs: null,
        }
      : { index: draw.index, text, finish_reason: finishReason, logprobs: null }
  const completionTokens = result.usage.outputTokens.total
  return {
    index: draw.index,
    text,
    finishReason,
    rawChoice,
    latencyMs: draw.latencyMs,
    ...(completionTokens === undefined ? {} : { completionTokens }),
  }
}

/** Usage under OpenAI's names; cached and reasoning tokens go where OpenAI reports them. */
function openaiUsage(results: readonly LanguageModelV4GenerateResult[]): Usage {
  const { inputTokens, outputTokens } = sumUsage(results.map((result) => result.usage))
  const usage: Record<string, unknown> = {}
  if (inputTokens.total !== undefined) usage['prompt_tokens'] = inputTokens.total
  if (outputTokens.total !== undefined) usage['completion_tokens'] = outputTokens.total
  if (inputTokens.total !== undefined && outputTokens.total !== undefined) {
    usage['total_tokens'] = inputTokens.total + outputTokens.total
  }
  if (inputTokens.cacheRead !== undefined) usage['prompt_tokens_details'] = { cached_tokens: inputTokens.cacheRead }
  if (outputTokens.reasoning !== undefined) {
    usage['completion_tokens_details'] = { reasoning_tokens: outputTokens.reasoning }
  }
  return usage
}

function envelopeOf(result: LanguageModelV4GenerateResult, modelId: string): Record<string, unknown> {
  const { id, timestamp, modelId: responseModel } = result.response ?? {}
  return {
    ...(id === undefined ? {} : { id }),
    ...(timestamp === undefined ? {} : { created: Math.floor(timestamp.getTime() / 1000) }),
    model: responseModel ?? modelId,
  }
}

/** The HTTP status of a provider error (the AI SDK's `APICallError.statusCode`), read without importing it. */
function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined
  return typeof error.statusCode === 'number' ? error.statusCode : undefined
}
