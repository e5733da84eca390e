import { RewardModelError, describeError } from '../errors.js'
import type { Candidate } from '../generate/backend.js'
import { retrying, type RetryPolicy } from '../generate/retry.js'
import type { ChatMessage } from '../protocol/chat-message.js'
import { rankCandidates, type Ranking } from '../select/rank-candidates.js'
import { abortAfter, eitherSignal } from '../util/abort-after.js'
import type { RewardModel, Score } from './reward-model.js'

/** Longest one scoring attempt may take when the caller sets no `rewardTimeoutMs`, ms: the configuration's `reward.timeoutMs`. */
export const defaultRewardTimeoutMs = 30_000

/** How failed scoring calls are retried when `rewardRetry` is not set: once, within 100 ms (full jitter). */
export const defaultRewardRetry: RetryPolicy = { maxRetries: 1, baseDelayMs: 100, maxDelayMs: 500 }

/** What {@link scoreCandidates} needs: one run's candidates and how to score them. */
export interface ScoreCandidatesOptions {
  readonly rewardModel: RewardModel
  /** The conversation the candidates answer. */
  readonly prompt: readonly ChatMessage[]
  /** Every candidate of the run, by index; those with an `error` are not scored and never chosen. */
  readonly candidates: readonly Pick<Candidate, 'index' | 'text' | 'error'>[]
  /** Aborts scoring (the client went away); its reason is thrown. */
  readonly signal?: AbortSignal | undefined
  /** Longest one scoring attempt may take, ms; none when absent. */
  readonly rewardTimeoutMs?: number | undefined
  /** How failed scoring calls are retried. @default defaultRewardRetry */
  readonly rewardRetry?: RetryPolicy | undefined
  /** When scoring fails: `error` throws; `first` chooses the first good candidate, degraded. @default 'error' */
  readonly onRewardFailure?: 'error' | 'first' | undefined
}

/** A scored (or, degraded, unscored) set: one reward and one error per candidate, and the choice. */
export interface ScoredSet {
  /** One reward per candidate; null where it failed to generate or to be scored, or was not scored. */
  readonly rewards: (number | null)[]
  /** Why each candidate has no reward, or null. */
  readonly errors: (string | null)[]
  readonly ranking: Ranking & { readonly chosen: number }
  /** Why the choice is not a best-of-n one (`reward_model_failed: …`), or null. */
  readonly degraded: string | null
}

/**
 * Scores the candidates that succeeded (each attempt bounded by `rewardTimeoutMs`, failures retried
 * per `rewardRetry`), aligns the scores with the candidates and ranks them: the pipeline's scoring
 * step, shared with the AI SDK middleware so both choose, fail and degrade alike.
 * @throws RewardModelError when scoring failed and `onRewardFailure` is `error`.
 * @throws the signal's reason when it aborted.
 */
export async function scoreCandidates(options: ScoreCandidatesOptions): Promise<ScoredSet> {
  try {
    return { ...(await score(options)), degraded: null }
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason
    if (options.onRewardFailure !== 'first') {
      throw RewardModelError.isInstance(error) ? error : new RewardModelError(describeError(error), { cause: error })
    }
    return unscoredSet(options.candidates, `reward_model_failed: ${describeError(error)}`)
  }
}

/** The first good candidate, unscored: n = 1, or a reward model that failed under `first`. */
export function unscoredSet(candidates: ScoreCandidatesOptions['candidates'], degraded: string | null): ScoredSet {
  const succeeded = candidates.filter((candidate) => candidate.error === undefined)
  return {
    rewards: candidates.map(() => null),
    errors: candidates.map((candidate) => candidate.error ?? null),
    ranking: { order: succeeded.map((candidate) => candidate.index), chosen: first(succeeded), best: null, worst: null },
    degraded,
  }
}

async function score(options: ScoreCandidatesOptions) {
  const { candidates, signal } = options
  const succeeded = candidates.filter((candidate) => candidate.error === undefined)
  // Scoring is bounded by the reward timeout, not the deadline: candidates finished at the deadline
  // still have to be scored to be chosen among.
  const scores = await retrying(
    async () => {
      const timeout = startTimeout(options.rewardTimeoutMs)
      const attempt = eitherSignal(signal, timeout?.signal)
      try {
        return await options.rewardModel.score({
          prompt: options.prompt,
          candidates: succeeded.map((candidate) => candidate.text),
          signal: attempt.signal,
        })
      } finally {
        attempt.release()
        timeout?.clear()
      }
    },
    { policy: options.rewardRetry ?? defaultRewardRetry, signal },
  )
  if (scores.length !== succeeded.length) {
    throw new RewardModelError(`Reward model returned ${scores.length} scores for ${succeeded.length} candidates.`)
  }
  const { rewards, errors } = alignScores(candidates, succeeded, scores)
  const ranking = rankCandidates(rewards)
  if (ranking.chosen === null) {
    throw new RewardModelError(`The reward model could score none of the candidates: ${errors.find((e) => e) ?? ''}`)
  }
  return { rewards, errors, ranking: { ...ranking, chosen: ranking.chosen } }
}

type ScorableCandidate = ScoreCandidatesOptions['candidates'][number]

function alignScores(
  candidates: readonly ScorableCandidate[],
  succeeded: readonly ScorableCandidate[],
  scores: readonly Score[],
) {
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

function first(succeeded: readonly Pick<Candidate, 'index'>[]): number {
  return succeeded[0]?.index ?? 0
}

/** A timer whose abort reason is a retryable RewardModelError: a slow scorer may answer a second try. */
function startTimeout(ms: number | undefined) {
  return ms === undefined ? undefined : abortAfter(ms, () => new RewardModelError(`Reward model did not answer within ${ms} ms.`))
}
