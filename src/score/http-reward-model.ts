import { z } from 'zod'
import { RewardModelError } from '../errors.js'
import { postRewardRequest } from './post-reward-request.js'
import {
  checkHttpUrl,
  hostName,
  resolveRemoteOptions,
  type RemoteRewardModelOptions,
} from './remote-reward-model-options.js'
import type { RewardModel } from './reward-model.js'
import { toScore } from './to-score.js'

/** Options of {@link createHttpRewardModel}. */
export interface HttpRewardModelOptions extends RemoteRewardModelOptions {
  /** The scoring endpoint, POSTed `{prompt, candidates}` and answering `{scores}`. */
  url: string
}

const scoresResponseSchema = z.looseObject({ scores: z.array(z.unknown()) })

/**
 * Any scorer behind a minimal JSON protocol: bonbon POSTs `{"prompt": [chat messages], "candidates":
 * ["...", ...]}` and expects `{"scores": [number, ...]}`, one per candidate in order. The way to plug in
 * a reward model no other adapter speaks to (ArmoRM under Transformers, a judge, a rule).
 * @example
 * ```ts
 * const rewardModel = createHttpRewardModel({ url: 'http://127.0.0.1:9000/score' })
 * ```
 */
export function createHttpRewardModel(options: HttpRewardModelOptions): RewardModel {
  const url = checkHttpUrl(options.url, 'url')
  const remote = resolveRemoteOptions(options)
  return {
    name: hostName('http', url),
    async score(request) {
      if (request.candidates.length === 0) return []
      const body = { prompt: request.prompt, candidates: request.candidates }
      const { signal } = request
      const response = await postRewardRequest({ ...remote, url, body, signal, schema: scoresResponseSchema })
      const expected = request.candidates.length
      const got = response.scores.length
      if (got !== expected) {
        const message = `Reward model at ${url} returned ${got} scores for ${expected} candidates.`
        throw new RewardModelError(message, { url, isRetryable: false })
      }
      return response.scores.map(toScore)
    },
  }
}
