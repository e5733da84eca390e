import { rewardSchema, type RewardConfigInput } from '../config/config-schema.js'
import { InvalidOptionsError } from '../errors.js'
import { loadCandidatePool } from '../generate/candidate-pool.js'
import { createHttpRewardModel } from './http-reward-model.js'
import { createJudgePairwiseRewardModel } from './judge-pairwise-reward-model.js'
import { createJudgeRewardModel } from './judge-reward-model.js'
import { createReplayRewardModel } from './replay-reward-model.js'
import type { RewardModel } from './reward-model.js'
import { createTeiRewardModel } from './tei-reward-model.js'
import { createVllmRewardModel } from './vllm-reward-model.js'

/** Runtime dependencies of {@link createRewardModel}. */
export interface CreateRewardModelOptions {
  /**
   * The fetch implementation the HTTP reward models use.
   * @default globalThis.fetch
   */
  fetch?: typeof fetch
  /** Reads a whole text file (UTF-8); needed only by the `replay` kind, which reads its pool with it. */
  readTextFile?: (path: string) => Promise<string>
}

/**
 * Builds the reward model a configuration's `reward` section describes. Runtime-free: on Node, use the
 * `.node` variant, which reads replay pools from disk. A replay pool starts loading here (shared with a
 * replay backend reading the same path); a pool that fails to load fails the first `score`.
 * @throws InvalidOptionsError for bad options, or a `replay` kind without `readTextFile`.
 * @example
 * ```ts
 * const rewardModel = createRewardModel({ kind: 'tei', baseURL: 'http://127.0.0.1:8080' })
 * ```
 */
export function createRewardModel(input: RewardConfigInput, options: CreateRewardModelOptions = {}): RewardModel {
  const { fetch } = options
  const config = parseRewardConfig(input)
  switch (config.kind) {
    case 'vllm-pooling':
    case 'vllm-classify':
      return createVllmRewardModel({
        endpoint: config.kind === 'vllm-pooling' ? 'pooling' : 'classify',
        baseURL: config.baseURL,
        model: config.model,
        apiKey: config.apiKey,
        headers: config.headers,
        chatTemplate: config.chatTemplate,
        templateVariables: config.templateVariables,
        fetch,
      })
    case 'tei':
      return createTeiRewardModel({ baseURL: config.baseURL, apiKey: config.apiKey, headers: config.headers, fetch })
    case 'http':
      return createHttpRewardModel({ url: config.url, apiKey: config.apiKey, headers: config.headers, fetch })
    case 'replay': {
      const { readTextFile } = options
      if (readTextFile === undefined) {
        throw new InvalidOptionsError(
          'The replay reward model needs a file reader to read its pool: pass readTextFile, or use the Node entry.',
          { key: 'reward.file' },
        )
      }
      return createReplayRewardModel({ pool: loadCandidatePool(config.file, readTextFile) })
    }
    case 'judge': {
      const { kind: _kind, onFailure: _onFailure, timeoutMs: _timeoutMs, maxRetries: _maxRetries, ...judge } = config
      return createJudgeRewardModel({ ...judge, fetch })
    }
    case 'judge-pairwise': {
      const { kind: _kind, onFailure: _onFailure, timeoutMs: _timeoutMs, maxRetries: _maxRetries, ...judge } = config
      return createJudgePairwiseRewardModel({ ...judge, fetch })
    }
  }
}

function parseRewardConfig(input: RewardConfigInput) {
  const result = rewardSchema.safeParse(input)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const key = ['reward', ...(issue?.path ?? [])].join('.')
  throw new InvalidOptionsError(`Invalid reward model configuration: ${key}: ${issue?.message ?? 'invalid'}`, { key })
}
