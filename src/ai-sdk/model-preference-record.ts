import type { LanguageModelV4CallOptions } from '@ai-sdk/provider'
import { describeError } from '../errors.js'
import type { Candidate } from '../generate/backend.js'
import type { PreferenceRecord } from '../log/preference-record.js'
import type { BestOfNRequest } from '../protocol/best-of-n-request.js'
import type { ChatMessage } from '../protocol/chat-message.js'
import type { Ranking } from '../select/rank-candidates.js'
import { toPreferenceRecord } from '../to-preference-record.js'
import { resultText, sumUsage, type ModelDraw } from './draw-model-candidates.js'
import { openaiFinishReason } from './openai-finish-reason.js'

/** What {@link modelPreferenceRecord} needs: one fan-out of an AI SDK model, scored or failed. */
export interface ModelPreferenceRecordInput {
  readonly requestId: string
  readonly createdAt: Date
  readonly modelId: string
  readonly messages: readonly ChatMessage[]
  readonly params: LanguageModelV4CallOptions
  readonly baseSeed: number
  readonly draws: readonly ModelDraw[]
  readonly rewards: readonly (number | null)[]
  /** Why each candidate has no reward (its generation error included), or null. */
  readonly errors: readonly (string | null)[]
  readonly ranking: Ranking
  /** Why the answer is not a best-of-n choice, or why the call failed (`failed: <code>: …`), or null. */
  readonly degraded: string | null
  readonly rewardModel: string
  readonly latencyMs: number
}

/** The draws as the pipeline's candidates: text, OpenAI finish reason, and why a draw failed. */
export function modelCandidates(draws: readonly ModelDraw[]): Candidate[] {
  return draws.map((draw) => {
    const base = { index: draw.index, latencyMs: draw.latencyMs }
    if ('error' in draw) return { ...base, text: '', finishReason: null, error: describeError(draw.error) }
    const completionTokens = draw.result.usage.outputTokens.total
    return {
      ...base,
      text: resultText(draw.result),
      finishReason: openaiFinishReason(draw.result.finishReason),
      ...(completionTokens === undefined ? {} : { completionTokens }),
    }
  })
}

/**
 * The log record of a middleware call, made by the gateway's own `toPreferenceRecord` so that one
 * store and one exporter serve both: the call is put in the gateway's terms (endpoint `chat`, fan-out
 * `parallel`, sampling parameters under their OpenAI names, the seed being draw 0's).
 */
export function modelPreferenceRecord(input: ModelPreferenceRecordInput): PreferenceRecord {
  const usage = sumUsage(input.draws.flatMap((draw) => ('result' in draw ? [draw.result.usage] : [])))
  const n = input.draws.length
  // The fields the record does not read are those of a plain call for one choice.
  const request: BestOfNRequest = {
    endpoint: 'chat',
    model: input.modelId,
    upstreamBody: openaiParams(input.params, input.baseSeed),
    messages: input.messages,
    clientN: 1,
    requestedN: n,
    stream: false,
    includeUsage: false,
    seed: input.baseSeed,
    returnCandidates: false,
  }
  return toPreferenceRecord(
    {
      requestId: input.requestId,
      request,
      n,
      generation: {
        candidates: modelCandidates(input.draws),
        fanout: 'parallel',
        usage: { prompt_tokens: usage.inputTokens.total, completion_tokens: usage.outputTokens.total },
        envelope: {},
      },
      rewards: input.rewards,
      errors: input.errors,
      ranking: input.ranking,
      degraded: input.degraded,
    },
    { rewardModel: input.rewardModel, createdAt: input.createdAt, latencyMs: input.latencyMs },
  )
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
