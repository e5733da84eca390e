import { AllCandidatesFailedError, InvalidRequestError, RewardModelError } from './errors.js'
import type { Backend, Candidate, GenerateResult } from './generate/backend.js'
import type { PreferenceRecord } from './log/preference-record.js'
import type { BestOfNRequest } from './protocol/best-of-n-request.js'
import type { RewardModel, Score } from './score/reward-model.js'
import { rankCandidates, type Ranking } from './select/rank-candidates.js'

/** What the pipeline needs besides the request. */
export interface BestOfNPipeline {
  /** Draws candidates. */
  readonly backend: Backend
  /** Scores them. */
  readonly rewardModel: RewardModel
  /** Fan-out size when the request does not ask for one. */
  readonly n: number
  /** Largest fan-out a request may ask for. */
  readonly maxN: number
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number
}

/** One run of best-of-n. */
export interface BestOfNRun {
  readonly request: BestOfNRequest
  /** The id reported to the client and kept in the log. */
  readonly requestId: string
  /** Aborts generation and scoring. */
  readonly signal?: AbortSignal
}

/** Everything one run produced: the candidates, their scores, the choice and the log record. */
export interface BestOfNResult {
  readonly requestId: string
  readonly request: BestOfNRequest
  /** The fan-out size used. */
  readonly n: number
  readonly generation: GenerateResult
  /** One reward per candidate; null where it failed to generate or to be scored. */
  readonly rewards: readonly (number | null)[]
  /** Why each candidate has no reward, or null. */
  readonly errors: readonly (string | null)[]
  readonly ranking: Ranking & { readonly chosen: number }
  /** The record to log. */
  readonly record: PreferenceRecord
}

/**
 * Resolves the fan-out size of a request: its own ask (`bonbon.n` / `x-bonbon-n`) or the default,
 * never fewer than the choices the client wants back.
 * @throws InvalidRequestError when the ask exceeds `maxN`.
 */
export function resolveFanoutSize(request: BestOfNRequest, pipeline: Pick<BestOfNPipeline, 'n' | 'maxN'>): number {
  if (request.requestedN !== undefined && request.requestedN > pipeline.maxN) {
    throw new InvalidRequestError(
      `bonbon n must be at most ${pipeline.maxN} on this gateway; got ${request.requestedN}.`,
      { param: 'bonbon.n', code: 'n_too_large' },
    )
  }
  if (request.clientN > pipeline.maxN) {
    throw new InvalidRequestError(`n must be at most ${pipeline.maxN} on this gateway; got ${request.clientN}.`, {
      param: 'n',
      code: 'n_too_large',
    })
  }
  return Math.max(request.requestedN ?? pipeline.n, request.clientN)
}

/**
 * Runs the pipeline for one request: generate n candidates, score those that succeeded, choose the
 * best. Partial failure is data: k of n candidates failing still yields an answer.
 * @throws AllCandidatesFailedError when no candidate was generated.
 * @throws RewardModelError when the reward model could score none of them.
 */
export async function runBestOfN(run: BestOfNRun, pipeline: BestOfNPipeline): Promise<BestOfNResult> {
  const now = pipeline.now ?? Date.now
  const startedAt = now()
  const { request } = run
  const n = resolveFanoutSize(request, pipeline)

  const generation = await pipeline.backend.generate({ request, n, signal: run.signal })
  const { candidates } = generation
  const succeeded = candidates.filter((candidate) => candidate.error === undefined)
  if (succeeded.length === 0) {
    const statuses = new Set(candidates.map((candidate) => candidate.errorStatus))
    const status = statuses.size === 1 ? [...statuses][0] : undefined
    throw new AllCandidatesFailedError(
      candidates.map((candidate) => candidate.error ?? 'unknown error'),
      status,
    )
  }

  // n = 1 is a pass-through: with nothing to choose between, a reward call would only add latency.
  if (n === 1 && candidates.length === 1) {
    const result = {
      requestId: run.requestId,
      request,
      n,
      generation,
      rewards: [null],
      errors: [null],
      ranking: { order: [0], chosen: 0, best: 0, worst: null },
    }
    return { ...result, record: toPreferenceRecord(result, pipeline.rewardModel.name, new Date(startedAt), now() - startedAt) }
  }

  const scores = await pipeline.rewardModel.score({
    prompt: request.messages,
    candidates: succeeded.map((candidate) => candidate.text),
    signal: run.signal,
  })
  if (scores.length !== succeeded.length) {
    throw new RewardModelError(`Reward model returned ${scores.length} scores for ${succeeded.length} candidates.`)
  }
  const { rewards, errors } = alignScores(candidates, succeeded, scores)
  const ranking = rankCandidates(rewards)
  if (ranking.chosen === null) {
    throw new RewardModelError(`The reward model could score none of the candidates: ${errors.find((e) => e) ?? ''}`)
  }

  const result = {
    requestId: run.requestId,
    request,
    n,
    generation,
    rewards,
    errors,
    ranking: { ...ranking, chosen: ranking.chosen },
  }
  return { ...result, record: toPreferenceRecord(result, pipeline.rewardModel.name, new Date(startedAt), now() - startedAt) }
}

function alignScores(candidates: readonly Candidate[], succeeded: readonly Candidate[], scores: readonly Score[]) {
  const rewards: (number | null)[] = candidates.map(() => null)
  const errors: (string | null)[] = candidates.map((candidate) => candidate.error ?? null)
  succeeded.forEach((candidate, position) => {
    const score = scores[position]
    if (score && score.error === undefined && Number.isFinite(score.reward)) {
      rewards[candidate.index] = score.reward
    } else {
      errors[candidate.index] = `reward: ${score?.error ?? 'non-finite score'}`
    }
  })
  return { rewards, errors }
}

function toPreferenceRecord(
  result: Omit<BestOfNResult, 'record'>,
  rewardModel: string,
  createdAt: Date,
  latencyMs: number,
): PreferenceRecord {
  const { request, generation } = result
  const { messages: _messages, prompt: _prompt, ...params } = request.upstreamBody
  return {
    requestId: result.requestId,
    createdAt: createdAt.toISOString(),
    endpoint: request.endpoint,
    model: request.model,
    messages: request.messages,
    params,
    n: result.n,
    fanout: generation.fanout,
    rewardModel,
    candidates: generation.candidates.map((candidate) => ({
      index: candidate.index,
      text: candidate.text,
      reward: result.rewards[candidate.index] ?? null,
      finishReason: candidate.finishReason,
      completionTokens: candidate.completionTokens ?? null,
      logprobSum: candidate.logprobSum ?? null,
      latencyMs: candidate.latencyMs,
      error: result.errors[candidate.index] ?? null,
    })),
    chosen: result.ranking.chosen,
    best: result.ranking.best,
    worst: result.ranking.worst,
    promptTokens: generation.usage?.prompt_tokens ?? null,
    completionTokens: generation.usage?.completion_tokens ?? null,
    latencyMs,
    degraded: null,
  }
}
