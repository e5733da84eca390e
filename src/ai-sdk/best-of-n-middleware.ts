import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4Middleware,
} from '@ai-sdk/provider'
import { InvalidOptionsError, RewardModelError } from '../errors.js'
import type { LogSink } from '../log/preference-record.js'
import type { RewardModel } from '../score/reward-model.js'
import { rankCandidates } from '../select/rank-candidates.js'
import { drawModelCandidates, randomBaseSeed, resultText, sumUsage, type ModelDraw } from './draw-model-candidates.js'
import { modelPreferenceRecord } from './model-preference-record.js'
import { promptToChatMessages } from './prompt-to-chat-messages.js'
import { streamGenerateResult } from './stream-generate-result.js'

/** Options of {@link bestOfNMiddleware}. */
export interface BestOfNMiddlewareOptions {
  /** How many candidates to draw per call, 1 to 128; 1 passes every call through untouched. */
  n: number
  /** Scores the candidates' text: any bonbon `RewardModel` (`createRewardModel({ kind: 'http', url })`, a judge). */
  rewardModel: RewardModel
  /** Where each scored set is logged, as the gateway logs it; nothing is kept when absent. */
  log?: LogSink
  /** Told when a record could not be handed to the log. @default console.error */
  onLogError?: (error: unknown) => void
  /** Makes the id of each call's record, also returned in the provider metadata. @default crypto.randomUUID */
  generateId?: () => string
  /** The base seed of a call that sets none. @default 30 random bits from the Web Crypto API */
  randomSeed?: () => number
  /** Milliseconds since the epoch, for timestamps and latencies. @default Date.now */
  now?: () => number
}

/** What the middleware adds to the chosen result's `providerMetadata.bonbon`. */
export interface BestOfNProviderMetadata {
  /** The reward of every candidate in draw order; null where it failed to generate or to be scored. */
  readonly rewards: (number | null)[]
  /** Which candidate was returned. */
  readonly chosenIndex: number
  /** How many candidates were drawn. */
  readonly n: number
  /** The id of the call's preference record. */
  readonly requestId: string
}

const maxN = 128

/**
 * Best-of-n for any AI SDK model: each call draws n candidates from the wrapped model (seeds seed + i,
 * or a random base when the call sets none), scores their text with a bonbon reward model, and returns
 * the best. Its `providerMetadata.bonbon` holds the rewards and the chosen index; the scored set goes
 * to `log` as a preference record, like the gateway's.
 *
 * - `usage` is summed over the n calls: that is what the call cost (the gateway reports it the same way).
 * - Streaming draws the candidates with `doGenerate` and then streams the winner: no token can be sent
 *   before every candidate is complete and scored, so n streams would buy nothing but parsing.
 * - Failed candidates are never chosen; when all fail, the first error is thrown as is (an AI SDK
 *   `APICallError` keeps its `isRetryable`). A reward model that scores none throws `RewardModelError`.
 * @throws InvalidOptionsError for invalid options, at construction.
 * @example
 * ```ts
 * const model = wrapLanguageModel({
 *   model: openai('gpt-4o-mini'),
 *   middleware: bestOfNMiddleware({ n: 4, rewardModel: createRewardModel({ kind: 'http', url }) }),
 * })
 * const { text, providerMetadata } = await generateText({ model, prompt: 'Write a haiku about tea.' })
 * ```
 */
export function bestOfNMiddleware(options: BestOfNMiddlewareOptions): LanguageModelV4Middleware {
  const resolved = resolveOptions(options)
  // Without wrappers, wrapLanguageModel calls the model itself: n = 1 costs and changes nothing.
  if (resolved.n === 1) return { specificationVersion: 'v4' }
  return {
    specificationVersion: 'v4',
    wrapGenerate: ({ model, params }) => bestOfModel(resolved, model, params),
    wrapStream: async ({ model, params }) => streamGenerateResult(await bestOfModel(resolved, model, params)),
  }
}

type ResolvedOptions = Required<Omit<BestOfNMiddlewareOptions, 'log'>> & Pick<BestOfNMiddlewareOptions, 'log'>

function resolveOptions(options: BestOfNMiddlewareOptions): ResolvedOptions {
  const { n, rewardModel, log } = options
  if (!Number.isInteger(n) || n < 1 || n > maxN) {
    throw new InvalidOptionsError(`bestOfNMiddleware option n must be an integer from 1 to ${maxN}; got ${n}.`, {
      key: 'n',
    })
  }
  if (typeof rewardModel?.score !== 'function') {
    throw new InvalidOptionsError('bestOfNMiddleware needs a rewardModel with a score method.', { key: 'rewardModel' })
  }
  if (log !== undefined && typeof log.write !== 'function') {
    throw new InvalidOptionsError('bestOfNMiddleware option log must be a LogSink.', { key: 'log' })
  }
  return {
    n,
    rewardModel,
    log,
    onLogError: options.onLogError ?? ((error: unknown) => console.error('bonbon: could not log a record:', error)),
    generateId: options.generateId ?? (() => crypto.randomUUID()),
    randomSeed: options.randomSeed ?? randomBaseSeed,
    now: options.now ?? Date.now,
  }
}

async function bestOfModel(
  resolved: ResolvedOptions,
  model: LanguageModelV4,
  params: LanguageModelV4CallOptions,
): Promise<LanguageModelV4GenerateResult> {
  const { n, rewardModel, now } = resolved
  const startedAt = now()
  const baseSeed = params.seed ?? resolved.randomSeed()
  const draws = await drawModelCandidates({ model, params, n, baseSeed, now })
  const succeeded = draws.filter((draw): draw is Extract<ModelDraw, { result: unknown }> => 'result' in draw)
  const firstFailure = draws.find((draw) => 'error' in draw)
  if (succeeded.length === 0 && firstFailure !== undefined && 'error' in firstFailure) throw firstFailure.error

  const messages = promptToChatMessages(params.prompt)
  const scores = await rewardModel.score({
    prompt: messages,
    candidates: succeeded.map((draw) => resultText(draw.result)),
    signal: params.abortSignal,
  })
  if (scores.length !== succeeded.length) {
    throw new RewardModelError(`Reward model returned ${scores.length} scores for ${succeeded.length} candidates.`)
  }
  const rewards: (number | null)[] = draws.map(() => null)
  const errors: (string | null)[] = draws.map(() => null)
  succeeded.forEach((draw, position) => {
    const score = scores[position]
    if (score?.error === undefined && Number.isFinite(score?.reward)) rewards[draw.index] = score?.reward ?? null
    else errors[draw.index] = `reward: ${score?.error ?? 'non-finite score'}`
  })
  const ranking = rankCandidates(rewards)
  const requestId = resolved.generateId()
  if (resolved.log) {
    const record = modelPreferenceRecord({
      requestId,
      createdAt: new Date(startedAt),
      modelId: model.modelId,
      messages,
      params,
      baseSeed,
      draws,
      rewards,
      errors,
      ranking,
      rewardModel: rewardModel.name,
      latencyMs: now() - startedAt,
    })
    // Not awaited: the answer must not wait for the store. The sink queues and batches.
    try {
      resolved.log.write(record).catch(resolved.onLogError)
    } catch (error) {
      resolved.onLogError(error)
    }
  }

  const chosen = ranking.chosen === null ? undefined : draws[ranking.chosen]
  if (chosen === undefined || !('result' in chosen)) {
    const reason = errors.find((error) => error !== null) ?? ''
    throw new RewardModelError(`The reward model could score none of the candidates: ${reason}`)
  }
  const bonbon: BestOfNProviderMetadata = { rewards, chosenIndex: chosen.index, n, requestId }
  return {
    ...chosen.result,
    usage: sumUsage(succeeded.map((draw) => draw.result.usage)),
    providerMetadata: { ...chosen.result.providerMetadata, bonbon: { ...bonbon } },
  }
}
