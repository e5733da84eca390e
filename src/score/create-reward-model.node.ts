import { readFile } from 'node:fs/promises'
import type { RewardConfigInput } from '../config/config-schema.js'
import type { RewardModel } from './reward-model.js'
import {
  createRewardModel as createRewardModelCore,
  type CreateRewardModelOptions,
} from './create-reward-model.js'

/** Reads a UTF-8 text file from disk: the Node default for reading replay pools. */
export function readTextFileNode(path: string): Promise<string> {
  return readFile(path, 'utf8')
}

/**
 * {@link createRewardModelCore | createRewardModel} for Node: `readTextFile` defaults to reading from
 * disk, so `replay` reward models work from a configuration alone.
 */
export function createRewardModel(config: RewardConfigInput, options: CreateRewardModelOptions = {}): RewardModel {
  return createRewardModelCore(config, { ...options, readTextFile: options.readTextFile ?? readTextFileNode })
}
