import { z } from 'zod'
import { InvalidOptionsError, RewardModelError, describeError } from '../errors.js'
import type { ChatMessage } from '../protocol/chat-message.js'
import { createChatTemplateRenderer, type ChatTemplateRenderer } from './create-chat-template-renderer.js'
import { postRewardRequest } from './post-reward-request.js'
import {
  checkHttpUrl,
  endpointUrl,
  resolveRemoteOptions,
  type RemoteRewardModelOptions,
  type ResolvedRemoteRewardModelOptions,
} from './remote-reward-model-options.js'
import type { RewardModel, Score, ScoreRequest } from './reward-model.js'
import { toScore } from './to-score.js'

/** Options of {@link createVllmRewardModel}. */
export interface VllmRewardModelOptions extends RemoteRewardModelOptions {
  /**
   * The vLLM API to call: `pooling` (`POST /pooling`, any pooling model) or `classify` (`POST /classify`,
   * sequence classifiers).
   */
  endpoint: 'pooling' | 'classify'
  /** The server's root URL, where `/pooling` and `/classify` live (no `/v1`), e.g. `http://127.0.0.1:8001`. */
  baseURL: string
  /** The reward model's name as the server knows it. */
  model: string
  /**
   * The reward model's own chat template (Jinja, from its `tokenizer_config.json`). When set, every
   * candidate is rendered here and all are scored in one batched `input` call; otherwise one `messages`
   * call per candidate lets the server render them.
   */
  chatTemplate?: string
  /** Special tokens the template refers to (`bos_token`, ...). */
  templateVariables?: Readonly<Record<string, string>>
}

/**
 * `/pooling` puts the score in `data`, `/classify` in `probs` (or `logits`); one tolerant schema reads
 * both. The scores stay `unknown` until {@link toScore} checks them one by one.
 */
const vllmResponseSchema = z.looseObject({
  data: z.array(
    z.looseObject({
      index: z.number().int(),
      data: z.unknown().optional(),
      probs: z.unknown().optional(),
      logits: z.unknown().optional(),
    }),
  ),
})
type ScoredItem = z.infer<typeof vllmResponseSchema>['data'][number]

/**
 * A reward model served by vLLM (`--runner pooling`), e.g. Skywork-Reward-V2. Every request carries
 * `use_activation: false`: otherwise vLLM applies a sigmoid to 1-label models and Skywork's logits
 * (up to ~23) all saturate to 1.0, tying exactly the candidates best-of-n must tell apart.
 * @see https://docs.vllm.ai/en/latest/models/pooling_models.html
 * @example
 * ```ts
 * const rewardModel = createVllmRewardModel({
 *   endpoint: 'pooling',
 *   baseURL: 'http://127.0.0.1:8001',
 *   model: 'Skywork/Skywork-Reward-V2-Llama-3.1-8B',
 * })
 * const scores = await rewardModel.score({ prompt: [{ role: 'user', content: 'Hi' }], candidates: ['Hello!'] })
 * ```
 */
export function createVllmRewardModel(options: VllmRewardModelOptions): RewardModel {
  const { endpoint } = options
  if (endpoint !== 'pooling' && endpoint !== 'classify') {
    throw new InvalidOptionsError(`endpoint must be 'pooling' or 'classify'; got ${JSON.stringify(endpoint)}.`, {
      key: 'endpoint',
    })
  }
  if (typeof options.model !== 'string' || options.model === '') {
    throw new InvalidOptionsError('model must be a non-empty string.', { key: 'model' })
  }
  const url = endpointUrl(checkHttpUrl(options.baseURL, 'baseURL'), endpoint)
  const remote = resolveRemoteOptions(options)
  const render =
    options.chatTemplate === undefined
      ? undefined
      : createChatTemplateRenderer({ chatTemplate: options.chatTemplate, templateVariables: options.templateVariables })
  const call: VllmCall = { url, model: options.model, endpoint, remote }

  return {
    name: `vllm-${endpoint}:${options.model}`,
    score(request) {
      if (request.candidates.length === 0) return Promise.resolve([])
      return render ? scoreRendered(call, render, request) : scoreEachConversation(call, request)
    },
  }
}

interface VllmCall {
  readonly url: string
  readonly model: string
  readonly endpoint: 'pooling' | 'classify'
  readonly remote: ResolvedRemoteRewardModelOptions
}

async function scoreRendered(call: VllmCall, render: ChatTemplateRenderer, request: ScoreRequest): Promise<Score[]> {
  const rendered = request.candidates.map((candidate) => {
    try {
      return { text: render(withAnswer(request.prompt, candidate)) }
    } catch (error) {
      const reason = describeError(error)
      return { error: `could not render the reward model's chat template (are its templateVariables set?): ${reason}` }
    }
  })
  const inputs = rendered.flatMap((item, position) => (item.text === undefined ? [] : [{ position, text: item.text }]))
  if (inputs.length === 0) {
    throw new RewardModelError(rendered[0]?.error ?? 'nothing to score', { url: call.url, isRetryable: false })
  }
  // The template already put in the BOS; `add_special_tokens: false` stops the tokenizer adding another.
  const body = {
    model: call.model,
    input: inputs.map((item) => item.text),
    add_special_tokens: false,
    use_activation: false,
  }
  const batch = await post(call, { body, count: inputs.length, signal: request.signal })
  const scores: Score[] = rendered.map((item) => ({ error: item.error ?? 'not scored' }))
  inputs.forEach((item, i) => {
    scores[item.position] = batch[i] as Score
  })
  return scores
}

async function scoreEachConversation(call: VllmCall, request: ScoreRequest): Promise<Score[]> {
  const settled = await Promise.allSettled(
    request.candidates.map((candidate) =>
      post(call, {
        body: { model: call.model, messages: withAnswer(request.prompt, candidate), use_activation: false },
        count: 1,
        signal: request.signal,
      }),
    ),
  )
  if (request.signal?.aborted) throw request.signal.reason
  const firstFailure = settled.find((result) => result.status === 'rejected')
  if (firstFailure && settled.every((result) => result.status === 'rejected')) throw firstFailure.reason
  return settled.map((result) =>
    result.status === 'fulfilled' ? (result.value[0] as Score) : { error: describeError(result.reason) },
  )
}

interface VllmPost {
  readonly body: Readonly<Record<string, unknown>>
  /** How many inputs the body holds, so how many indices the answer may use. */
  readonly count: number
  readonly signal: AbortSignal | undefined
}

async function post(call: VllmCall, { body, count, signal }: VllmPost): Promise<Score[]> {
  const response = await postRewardRequest({ ...call.remote, url: call.url, body, signal, schema: vllmResponseSchema })
  return matchByIndex(response.data, count, call)
}

/** vLLM answers `data` with an `index` per input; the order of the list is not a promise. */
function matchByIndex(items: readonly ScoredItem[], count: number, call: VllmCall): Score[] {
  const scores: (Score | undefined)[] = new Array(count).fill(undefined)
  for (const item of items) {
    if (item.index < 0 || item.index >= count || scores[item.index] !== undefined) {
      throw new RewardModelError(
        `Reward model at ${call.url} answered with index ${item.index}, ` +
          `which matches none of the ${count} inputs or repeats one.`,
        { url: call.url, isRetryable: false },
      )
    }
    scores[item.index] =
      call.endpoint === 'pooling' ? poolingScore(item.data) : toScore(firstOf(item.probs ?? item.logits))
  }
  return scores.map((score) => score ?? { error: 'reward model returned no score for this candidate' })
}

/** A 1-label model pools to `[score]` (some versions nest it: `[[score]]`); anything longer is not one reward. */
function poolingScore(data: unknown): Score {
  const inner = Array.isArray(data) && data.length === 1 ? data[0] : data
  const value = Array.isArray(inner) && inner.length === 1 ? inner[0] : inner
  if (Array.isArray(value)) {
    return { error: `reward model returned ${value.length} values instead of one score; is it a 1-label reward model?` }
  }
  return toScore(value)
}

function firstOf(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value
}

function withAnswer(prompt: readonly ChatMessage[], answer: string): ChatMessage[] {
  return [...prompt, { role: 'assistant', content: answer }]
}
