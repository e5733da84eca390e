import { InvalidOptionsError, RewardModelError, describeError } from '../errors.js'
import type { CandidatePool } from '../generate/candidate-pool.js'
import { lastUserText } from '../util/last-user-text.js'
import type { RewardModel, Score } from './reward-model.js'

/** Options of {@link createReplayRewardModel}. */
export interface ReplayRewardModelOptions {
  /**
   * The recorded pool whose `judge_preference` values are the rewards, or a promise of it (the pool is
   * then awaited on the first `score`).
   */
  pool: CandidatePool | Promise<CandidatePool>
}

/**
 * Scores answers with the rewards recorded in a pool: each answer to the prompt's last user message gets
 * its `judge_preference`. An answer the pool does not hold for that instruction cannot be scored (an
 * error for that candidate), since inventing a reward would bias any statistic drawn from the log.
 */
export function createReplayRewardModel(options: ReplayRewardModelOptions): RewardModel {
  if (typeof options.pool !== 'object' || options.pool === null) {
    throw new InvalidOptionsError('pool must be a CandidatePool or a promise of one.', { key: 'pool' })
  }
  const pool = Promise.resolve(options.pool)
  // A pool that fails to load before the first request must not surface as an unhandled rejection.
  pool.catch(() => {})
  return {
    name: 'replay',
    async score(request) {
      request.signal?.throwIfAborted()
      const loaded = await pool.catch((error: unknown) => {
        throw new RewardModelError(`Could not load the replay pool: ${describeError(error)}`, {
          cause: error,
          isRetryable: false,
        })
      })
      const instruction = lastUserText(request.prompt)
      return request.candidates.map((answer): Score => {
        const reward = loaded.rewardOf(instruction, answer)
        return reward === undefined ? { error: 'answer not in the replay pool' } : { reward }
      })
    },
  }
}
