import type { LanguageModelV4CallOptions } from '@ai-sdk/provider'
import { describeError } from '../errors.js'
import type { PreferenceRecord } from '../log/preference-record.js'
import type { ChatMessage } from '../protocol/chat-message.js'
import type { Ranking } from '../select/rank-candidates.js'
import { resultText, sumUsage, type ModelDraw } from './draw-model-candidates.js'
import { openaiFinishReason } from './openai-finish-reason.js'

/** What {@link modelPreferenceRecord} needs: one scored fan-out of an AI SDK model. */
export interface ModelPreferenceRecordInput {
  readonly requestId: string
  readonly createdAt: Date
  readonly modelId: string
  readonly messages: readonly ChatMessage[]
  readonly params: LanguageModelV4CallOptions
  readonly baseSeed: number
  readonly draws: readonly ModelDraw[]
  readonly rewards: readonly (number | null)[]
  /** Why each candidate has no reward, or null. */
  readonly errors: readonly (string | null)[]
  readonly ranking: Ranking
  readonly rewardModel: string
  readonly latencyMs: number
}

/**
 * The log record of a middleware call, in the gateway's terms, so that one store and one exporter
 * serve both: endpoint `chat`, fan-out `parallel`, sampling parameters under their OpenAI names.
 */
export function modelPreferenceRecord(input: ModelPreferenceRecordInput): PreferenceRecord {
  const usage = sumUsage(input.draws.flatMap((draw) => ('result' in draw ? [draw.result.usage] : [])))
  return {
    requestId: input.requestId,
    createdAt: input.createdAt.toISOString(),
    endpoint: 'chat',
    model: input.modelId,
    messages: input.messages,
    params: openaiParams(input.params, input.baseSeed),
    n: input.draws.length,
    fanout: 'parallel',
    rewardModel: input.rewardModel,
    candidates: input.draws.map((draw) => {
      const result = 'result' in draw ? draw.result : undefined
      return {
        index: draw.index,
        text: result ? resultText(result) : '',
        reward: input.rewards[draw.index] ?? null,
        finishReason: result ? openaiFinishReason(result.finishReason) : null,
        completionTokens: result?.usage.outputTokens.total ?? null,
        logprobSum: null,
        latencyMs: draw.latencyMs,
        error: 'error' in draw ? describeError(draw.error) : (input.errors[draw.index] ?? null),
      }
    }),
    chosen: input.ranking.chosen,
    best: input.ranking.best,
    worst: input.ranking.worst,
    promptTokens: usage.inputTokens.total ?? null,
    completionTokens: usage.outputTokens.total ?? null,
    latencyMs: input.latencyMs,
    degraded: null,
  }
}

function openaiParams(params: LanguageModelV4CallOptions, seed: number): Record<string, unknown> {
  const named: Record<string, unknown> = {
    temperature: params.temperature,
    max_tokens: params.maxOutputTokens,
    top_p: params.topP,
    top_k: params.topK,
    presence_penalty: params.presencePenalty,
    frequency_penalty: params.frequencyPenalty,
    stop: params.stopSequences,
    seed,
  }
  return Object.fromEntries(Object.entries(named).filter(([, value]) => value !== undefined))
}
