import { z } from 'zod'
import { RewardModelError } from '../errors.js'
import { lastUserText } from '../util/last-user-text.js'
import { postRewardRequest } from './post-reward-request.js'
import {
  checkHttpUrl,
  endpointUrl,
  hostName,
  resolveRemoteOptions,
  type RemoteRewardModelOptions,
} from './remote-reward-model-options.js'
import type { RewardModel } from './reward-model.js'
import { toScore } from './to-score.js'

/** Options of {@link createTeiRewardModel}. */
export interface TeiRewardModelOptions extends RemoteRewardModelOptions {
  /** The TEI server's root URL, where `/predict` lives, e.g. `http://127.0.0.1:8080`. */
  baseURL: string
}

const labelScoreSchema = z.looseObject({ score: z.unknown().optional(), label: z.string().nullish() })
/** A batch answers one list of label scores per input; a lone object is tolerated as a 1-label list. */
const predictResponseSchema = z.array(z.union([z.array(labelScoreSchema), labelScoreSchema]))

/**
 * A sequence-classification reward model served by Hugging Face Text Embeddings Inference, e.g.
 * OpenAssistant/reward-model-deberta-v3-large-v2. TEI's classifier heads are BERT-family only, and such
 * RMs read a (question, answer) pair, so the prompt is the last user message. Sent with
 * `raw_scores: true`: otherwise TEI applies a sigmoid to 1-label models.
 * @see https://huggingface.github.io/text-embeddings-inference/#/Text%20Embeddings%20Inference/predict
 * @example
 * ```ts
 * const rewardModel = createTeiRewardModel({ baseURL: 'http://127.0.0.1:8080' })
 * ```
 */
export function createTeiRewardModel(options: TeiRewardModelOptions): RewardModel {
  const url = endpointUrl(checkHttpUrl(options.baseURL, 'baseURL'), 'predict')
  const remote = resolveRemoteOptions(options)
  return {
    name: hostName('tei', url),
    async score(request) {
      if (request.candidates.length === 0) return []
      const question = lastUserText(request.prompt)
      const body = {
        inputs: request.candidates.map((candidate) => [question, candidate]),
        raw_scores: true,
        truncate: true,
      }
      const { signal } = request
      const response = await postRewardRequest({ ...remote, url, body, signal, schema: predictResponseSchema })
      // /predict has no index: its answer is positional, so a count mismatch leaves nothing to trust.
      if (response.length !== request.candidates.length) {
        throw new RewardModelError(
          `Reward model at ${url} returned ${response.length} results for ${request.candidates.length} candidates.`,
          { url, isRetryable: false },
        )
      }
      return response.map((labels) => toScore((Array.isArray(labels) ? labels[0] : labels)?.score))
    },
  }
}
