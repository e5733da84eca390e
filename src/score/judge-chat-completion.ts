import { z } from 'zod'
import { InvalidOptionsError, RewardModelError } from '../errors.js'
import type { JudgeCompletion, JudgeTokenLogprob } from './judge-completion.js'
import { postRewardRequest } from './post-reward-request.js'
import {
  checkHttpUrl,
  endpointUrl,
  resolveRemoteOptions,
  type RemoteRewardModelOptions,
} from './remote-reward-model-options.js'

/** Options of {@link createJudgeChatCompletion}. */
export interface JudgeChatCompletionOptions extends RemoteRewardModelOptions {
  /** Base URL of an OpenAI-compatible server, `/v1` included (`https://api.openai.com/v1`). */
  baseURL: string
  /** The judge model's name as the server knows it. */
  model: string
  /**
   * Sampling temperature of the judge; 0 makes its grades repeatable.
   * @default 0
   */
  temperature?: number
  /** Largest answer in tokens (`max_tokens`); the server's default when absent. */
  maxTokens?: number
  /**
   * How many alternatives per token to ask for when log-probabilities are wanted (`top_logprobs`).
   * @default 20
   */
  topLogprobs?: number
}

const alternativeSchema = z.looseObject({ token: z.string(), logprob: z.number() })
const tokenLogprobSchema = alternativeSchema.extend({ top_logprobs: z.array(alternativeSchema).nullish() })

// Limited to what the judge reads, so that servers adding fields (reasoning_content, ...) still parse.
const chatResponseSchema = z.looseObject({
  choices: z
    .array(
      z.looseObject({
        message: z.looseObject({ content: z.string().nullish() }).nullish(),
        logprobs: z.looseObject({ content: z.array(tokenLogprobSchema).nullish() }).nullish(),
      }),
    )
    .min(1),
})

/**
 * A judge on any OpenAI-compatible chat endpoint (OpenAI, vLLM, SGLang, llama.cpp, Ollama): POSTs
 * `/chat/completions` with the judge's JSON schema as `response_format` and, when asked,
 * `logprobs: true` with `top_logprobs`.
 * @throws InvalidOptionsError for an invalid URL, model, temperature or token count.
 * @example
 * ```ts
 * const judge = createJudgeChatCompletion({ baseURL: 'https://api.openai.com/v1', model: 'gpt-4o-mini', apiKey })
 * ```
 */
export function createJudgeChatCompletion(options: JudgeChatCompletionOptions): JudgeCompletion {
  const baseURL = checkHttpUrl(options.baseURL, 'baseURL')
  const remote = resolveRemoteOptions(options)
  const { model, temperature = 0, maxTokens, topLogprobs = 20 } = options
  if (typeof model !== 'string' || model === '') {
    throw new InvalidOptionsError('model must be a non-empty string.', { key: 'model' })
  }
  if (!Number.isFinite(temperature) || temperature < 0) {
    throw new InvalidOptionsError(`temperature must be a number ≥ 0; got ${temperature}.`, { key: 'temperature' })
  }
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1)) {
    throw new InvalidOptionsError(`maxTokens must be a positive integer; got ${maxTokens}.`, { key: 'maxTokens' })
  }
  if (!Number.isInteger(topLogprobs) || topLogprobs < 1 || topLogprobs > 20) {
    throw new InvalidOptionsError(`topLogprobs must be an integer from 1 to 20; got ${topLogprobs}.`, {
      key: 'topLogprobs',
    })
  }
  const url = endpointUrl(baseURL, 'chat/completions')
  return {
    name: `${model}@${new URL(baseURL).host}`,
    async complete(messages, call) {
      const body = {
        model,
        messages,
        temperature,
        ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
        response_format: {
          type: 'json_schema',
          json_schema: { name: call.responseFormat.name, schema: call.responseFormat.schema, strict: true },
        },
        ...(call.logprobs ? { logprobs: true, top_logprobs: topLogprobs } : {}),
      }
      const { signal } = call
      const response = await postRewardRequest({ ...remote, url, body, signal, schema: chatResponseSchema })
      const choice = response.choices[0]
      if (choice === undefined) throw new RewardModelError(`Judge at ${url} returned no choice.`, { url })
      const logprobs = choice.logprobs?.content?.map(
        (token): JudgeTokenLogprob => ({
          token: token.token,
          logprob: token.logprob,
          topLogprobs: token.top_logprobs ?? [],
        }),
      )
      return { text: choice.message?.content ?? '', ...(logprobs === undefined ? {} : { logprobs }) }
    },
  }
}
