import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4Middleware,
} from '@ai-sdk/provider'
import { z } from 'zod'
import { failedRunSet } from '../best-of-n.js'
import { AllCandidatesFailedError, InvalidOptionsError } from '../errors.js'
import type { RetryPolicy } from '../generate/retry.js'
import type { LogSink } from '../log/preference-record.js'
import { writeRecord } from '../log/write-record.js'
import type { RewardModel } from '../score/reward-model.js'
import { defaultRewardRetry, defaultRewardTimeoutMs, scoreCandidates, type ScoredSet } from '../score/score-candidates.js'
import { checkTimerMs, maxTimerMs } from '../util/abort-after.js'
import { drawModelCandidates, randomBaseSeed, sumUsage, type ModelDraw } from './draw-model-candidates.js'
import { modelCandidates, modelPreferenceRecord, type ModelPreferenceRecordInput } from './model-preference-record.js'
import { promptToChatMessages } from './prompt-to-chat-messages.js'
import { streamGenerateResult } from './stream-generate-result.js'

/** Options of {@link bestOfNMiddleware}. */
export interface BestOfNMiddlewareOptions {
  /** How many candidates to draw per call, 1 to 128; 1 passes every call through untouched. */
  n: number
  /** Scores the candidates' text: any bonbon `RewardModel` (`createRewardModel({ kind: 'http', url })`, a judge). */
  rewardModel: RewardModel
  /** Longest one scoring attempt may take, ms (a timed-out attempt is retried per `rewardRetry`). @default 30000 */
  rewardTimeoutMs?: number | undefined
  /**
   * How failed scoring calls are retried, as the gateway's `rewardRetry`.
   * @default `{ maxRetries: 1, baseDelayMs: 100, maxDelayMs: 500 }`: one retry, within 100 ms
   */
  rewardRetry?: RetryPolicy | undefined
  /**
   * When the reward model fails: `error` fails the call with the `RewardModelError`; `first` answers
   * with the first good candidate, marked `degraded` in `providerMetadata.bonbon` and the log. @default 'error'
   */
  onRewardFailure?: 'error' | 'first' | undefined
  /**
   * Where each scored set is logged, as the gateway logs it (a call that drew candidates but failed too,
   * with `chosen` null); a durable sink is awaited before the answer is returned. Nothing is kept when absent.
   */
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
  /** Why the answer is not a best-of-n choice (`reward_model_failed: …`), or null. */
  readonly degraded: string | null
}

const maxN = 128

/**
 * Best-of-n for any AI SDK model: each call draws n candidates from the wrapped model (seeds seed + i,
 * or a random base when the call sets none), scores their text with a bonbon reward model, and returns
 * the best. Its `providerMetadata.bonbon` holds the rewards and the chosen index; the scored set goes
 * to `log` as a preference record, like the gateway's. Scoring is the gateway's own step: the same
 * timeout, retry, reward-failure policy and ranking.
 *
 * - `usage` is summed over the n calls: that is what the call cost (the gateway reports it the same way).
 * - Streaming draws the candidates with `doGenerate` and then streams the winner: no token can be sent
 *   before every candidate is complete and scored, so n streams would buy nothing but parsing.
 * - Failed candidates are never chosen; when all fail, the first error is thrown as is (an AI SDK
 *   `APICallError` keeps its `isRetryable`). A reward model that fails or scores none throws
 *   `RewardModelError`, unless `onRewardFailure` is `first`. Either failure is still logged.
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

type ResolvedOptions = Required<Omit<BestOfNMiddlewareOptions, 'log' | 'rewardRetry'>> &
  Pick<BestOfNMiddlewareOptions, 'log'> & { readonly rewardRetry: RetryPolicy }

const delayMs = z.number().min(0).max(maxTimerMs)
const retrySchema = z.object({
  maxRetries: z.number().int().min(0).max(10),
  baseDelayMs: delayMs,
  maxDelayMs: delayMs,
  random: z.custom<() => number>((value) => typeof value === 'function', 'must be a function').optional(),
  maxRetryAfterMs: delayMs.optional(),
})

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
  // The gateway's default (reward.timeoutMs): without one, a hung reward model would hold the call forever.
  const rewardTimeoutMs = options.rewardTimeoutMs ?? defaultRewardTimeoutMs
  checkTimerMs(rewardTimeoutMs, 'bestOfNMiddleware', 'rewardTimeoutMs')
  const onRewardFailure = options.onRewardFailure ?? 'error'
  if (onRewardFailure !== 'error' && onRewardFailure !== 'first') {
    throw new InvalidOptionsError(
      `bestOfNMiddleware option onRewardFailure must be 'error' or 'first'; got ${JSON.stringify(onRewardFailure)}.`,
      { key: 'onRewardFailure' },
    )
  }
  return {
    n,
    rewardModel,
    log,
    rewardTimeoutMs,
    rewardRetry: resolveRetry(options.rewardRetry),
    onRewardFailure,
    onLogError: options.onLogError ?? ((error: unknown) => console.error('bonbon: could not log a record:', error)),
    generateId: options.generateId ?? (() => crypto.randomUUID()),
    randomSeed: options.randomSeed ?? randomBaseSeed,
    now: options.now ?? Date.now,
  }
}

/** The retry policy, checked and copied. */
function resolveRetry(policy: RetryPolicy | undefined): RetryPolicy {
  if (policy === undefined) return defaultRewardRetry
  const checked = retrySchema.safeParse(policy)
  if (checked.success) return checked.data
  const issue = checked.error.issues[0]
  const key = ['rewardRetry', ...(issue?.path ?? []).map(String)].join('.')
  throw new InvalidOptionsError(`bestOfNMiddleware option ${key}: ${issue?.message ?? 'invalid'}.`, { key })
}

async function bestOfModel(
  resolved: ResolvedOptions,
  model: LanguageModelV4,
  params: LanguageModelV4CallOptions,
): Promise<LanguageModelV4GenerateResult> {
  const { n, rewardModel, now } = resolved
  const startedAt = now()
  const requestId = resolved.generateId()
  const baseSeed = params.seed ?? resolved.randomSeed()
  const draws = await drawModelCandidates({ model, params, n, baseSeed, now })
  const candidates = modelCandidates(draws)
  const messages = promptToChatMessages(params.prompt)
  const record = (set: Pick<ModelPreferenceRecordInput, 'rewards' | 'errors' | 'ranking' | 'degraded'>) =>
    modelPreferenceRecord({
      requestId,
      createdAt: new Date(startedAt),
      modelId: model.modelId,
      messages,
      params,
      baseSeed,
      draws,
      ...set,
      rewardModel: rewardModel.name,
      latencyMs: now() - startedAt,
    })
  // A call that paid for candidates but cannot answer is logged too (chosen null), as the gateway logs
  // it: best effort, since the caller gets the error either way; not when the caller aborted.
  const logFailure = (reason: unknown) => {
    if (params.abortSignal?.aborted) return
    void writeRecord(resolved, record(failedRunSet(candidates, reason)), { awaitDurable: false })
  }

  const succeeded = draws.filter((draw): draw is Extract<ModelDraw, { result: unknown }> => 'result' in draw)
  const firstFailure = draws.find((draw): draw is Extract<ModelDraw, { error: unknown }> => 'error' in draw)
  if (succeeded.length === 0 && firstFailure !== undefined) {
    // Recorded as the gateway records it; thrown as the model threw it, so an APICallError keeps its `isRetryable`.
    logFailure(new AllCandidatesFailedError(candidates.map((candidate) => candidate.error ?? 'unknown error')))
    throw firstFailure.error
  }

  let scored: ScoredSet
  try {
    scored = await scoreCandidates({
      rewardModel,
      prompt: messages,
      candidates,
      signal: params.abortSignal,
      rewardTimeoutMs: resolved.rewardTimeoutMs,
      rewardRetry: resolved.rewardRetry,
      onRewardFailure: resolved.onRewardFailure,
    })
  } catch (error) {
    logFailure(error)
    throw error
  }
  // The ranking chooses among the succeeded candidates only.
  const chosen = succeeded.find((draw) => draw.index === scored.ranking.chosen)
  if (chosen === undefined) throw new Error(`bonbon: chose candidate ${scored.ranking.chosen}, which has no result.`)
  // A durable sink is awaited, so no answer is returned without its record.
  await writeRecord(resolved, record(scored), { awaitDurable: true })

  const bonbon: BestOfNProviderMetadata = {
    rewards: scored.rewards,
    chosenIndex: chosen.index,
    n,
    requestId,
    degraded: scored.degraded,
  }
  return {
    ...chosen.result,
    usage: sumUsage(succeeded.map((draw) => draw.result.usage)),
    providerMetadata: { ...chosen.result.providerMetadata, bonbon: { ...bonbon } },
  }
}
