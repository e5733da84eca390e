import {
  AllCandidatesFailedError,
  BonbonError,
  DeadlineExceededError,
  InvalidRequestError,
  UpstreamError,
  describeError,
} from './errors.js'
import type { Backend, Candidate, GenerateResult } from './generate/backend.js'
import type { RetryPolicy } from './generate/retry.js'
import type { PreferenceRecord } from './log/preference-record.js'
import type { BestOfNRequest } from './protocol/best-of-n-request.js'
import type { RewardModel } from './score/reward-model.js'
import { scoreCandidates, unscoredSet, type ScoredSet } from './score/score-candidates.js'
import type { Ranking } from './select/rank-candidates.js'
import { toPreferenceRecord } from './to-preference-record.js'
import { abortAfter } from './util/abort-after.js'

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
  /**
   * Deadline for drawing candidates, retries included, ms; none when absent. Scoring what finished
   * by then is bounded by `rewardTimeoutMs` instead.
   */
  readonly deadlineMs?: number | undefined
  /** At the deadline, the fewest finished candidates worth choosing among. @default 1 */
  readonly minCandidates?: number | undefined
  /**
   * When the reward model fails: `error` answers 503; `first` answers with the first good candidate,
   * marked degraded. @default 'error'
   */
  readonly onRewardFailure?: 'error' | 'first' | undefined
  /** Longest one scoring attempt may take, ms; none when absent (the deadline still applies). */
  readonly rewardTimeoutMs?: number | undefined
  /** How failed scoring calls are retried. @default one retry after 100–500 ms */
  readonly rewardRetry?: RetryPolicy | undefined
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number
}

/** One run of best-of-n. */
export interface BestOfNRun {
  readonly request: BestOfNRequest
  /** The id reported to the client and kept in the log. */
  readonly requestId: string
  /** Aborts generation and scoring (the client went away). */
  readonly signal?: AbortSignal
  /**
   * Told the record of a run that generated candidates but could not answer (every candidate failed,
   * the deadline passed, or scoring failed with `onRewardFailure: 'error'`), so paid-for candidates
   * are still logged. Its `chosen` is null and `degraded` says why.
   */
  readonly onFailedRun?: ((record: PreferenceRecord) => void) | undefined
}

/** Everything one run produced: the candidates, their scores, the choice and the log record. */
export interface BestOfNResult {
  readonly requestId: string
  readonly request: BestOfNRequest
  /** The fan-out size used. */
  readonly n: number
  readonly generation: GenerateResult
  /** One reward per candidate; null where it failed to generate or to be scored, or was not scored. */
  readonly rewards: readonly (number | null)[]
  /** Why each candidate has no reward, or null. */
  readonly errors: readonly (string | null)[]
  readonly ranking: Ranking & { readonly chosen: number }
  /** Why the answer is not a best-of-n choice (`reward_model_failed`), or null. */
  readonly degraded: string | null
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
      `${request.requestedNParam ?? 'bonbon.n'} must be at most ${pipeline.maxN} on this gateway; got ${request.requestedN}.`,
      { param: request.requestedNParam ?? 'bonbon.n', code: 'n_too_large' },
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
 * best. Partial failure is data: k of n candidates failing still yields an answer. At the deadline,
 * calls still running are cancelled and the choice is made among the candidates finished by then.
 * @throws AllCandidatesFailedError when no candidate was generated.
 * @throws DeadlineExceededError when fewer than `minCandidates` were ready at the deadline.
 * @throws RewardModelError when scoring failed and `onRewardFailure` is `error`.
 */
export async function runBestOfN(run: BestOfNRun, pipeline: BestOfNPipeline): Promise<BestOfNResult> {
  const now = pipeline.now ?? Date.now
  const startedAt = now()
  const { request } = run
  const n = resolveFanoutSize(request, pipeline)
  const deadline = startDeadline(pipeline.deadlineMs)
  try {
    const generation = await pipeline.backend.generate({ request, n, signal: run.signal, deadline: deadline?.signal })
    const succeeded = generation.candidates.filter((candidate) => candidate.error === undefined)
    const base = { requestId: run.requestId, request, n, generation }
    const recordContext = () => ({
      rewardModel: pipeline.rewardModel.name,
      createdAt: new Date(startedAt),
      latencyMs: now() - startedAt,
    })
    const finish = (result: Omit<BestOfNResult, 'record'>): BestOfNResult => ({
      ...result,
      record: toPreferenceRecord(result, recordContext()),
    })
    const recordFailure = (error: unknown) => {
      if (run.signal?.aborted || !run.onFailedRun) return
      run.onFailedRun(toPreferenceRecord({ ...base, ...failedRunSet(generation.candidates, error) }, recordContext()))
    }
    try {
      checkEnough(generation.candidates, succeeded, deadline?.signal.aborted === true, pipeline)
    } catch (error) {
      recordFailure(error)
      throw error
    }

    // n = 1 is a pass-through: with nothing to choose between, a reward call would only add latency.
    if (n === 1) return finish({ ...base, ...unscoredSet(generation.candidates, null) })

    let scored: ScoredSet
    try {
      scored = await scoreCandidates({
        rewardModel: pipeline.rewardModel,
        prompt: request.messages,
        candidates: generation.candidates,
        signal: run.signal,
        rewardTimeoutMs: pipeline.rewardTimeoutMs,
        rewardRetry: pipeline.rewardRetry,
        onRewardFailure: pipeline.onRewardFailure,
      })
    } catch (error) {
      recordFailure(error)
      throw error
    }
    return finish({ ...base, ...scored })
  } finally {
    deadline?.clear()
  }
}

function checkEnough(
  candidates: readonly Candidate[],
  succeeded: readonly Candidate[],
  deadlinePassed: boolean,
  pipeline: BestOfNPipeline,
): void {
  const minCandidates = deadlinePassed ? Math.max(1, pipeline.minCandidates ?? 1) : 1
  if (succeeded.length >= minCandidates) return
  if (deadlinePassed) {
    throw new DeadlineExceededError(
      `Only ${succeeded.length} of ${candidates.length} candidates were ready at the ${pipeline.deadlineMs} ms deadline` +
        ` (at least ${minCandidates} needed).`,
      pipeline.deadlineMs ?? 0,
    )
  }
  const statuses = new Set(candidates.map((candidate) => candidate.errorStatus))
  const status = statuses.size === 1 ? [...statuses][0] : undefined
  // The longest wait any candidate's upstream asked for: sooner, some of them would fail again.
  const waits = candidates.flatMap((candidate) => candidate.errorRetryAfterSeconds ?? [])
  throw new AllCandidatesFailedError(
    candidates.map((candidate) => candidate.error ?? 'unknown error'),
    {
      upstreamStatus: status,
      retryAfterSeconds: waits.length === 0 ? undefined : Math.max(...waits),
      reported: candidates[0]?.errorReported,
    },
  )
}

/**
 * The set of a run that paid for candidates but could not answer, for its log record: nothing
 * chosen, and `degraded` `failed: <code>: <message>` saying why.
 */
export function failedRunSet(candidates: readonly Pick<Candidate, 'error'>[], error: unknown) {
  const code = BonbonError.isInstance(error) ? error.code : 'internal_error'
  return {
    rewards: candidates.map(() => null),
    errors: candidates.map((candidate) => candidate.error ?? null),
    ranking: { order: [], chosen: null, best: null, worst: null },
    degraded: `failed: ${code}: ${describeError(error)}`,
  }
}

function startDeadline(ms: number | undefined) {
  return ms === undefined
    ? undefined
    : abortAfter(ms, () => new UpstreamError(`Deadline of ${ms} ms passed before this call finished.`, { isRetryable: false }))
}
