import type { UpstreamConfig } from '../config/config-schema.js'
import { InvalidOptionsError } from '../errors.js'
import type { Backend } from './backend.js'
import { loadCandidatePool } from './candidate-pool.js'
import { createOpenAICompatibleBackend } from './openai-compatible-backend.js'
import { createReplayBackend } from './replay-backend.js'
import { defaultRetryPolicy } from './retry.js'

/** Runtime services a backend may need. */
export interface CreateBackendOptions {
  /** HTTP client for remote backends. @default globalThis.fetch */
  fetch?: typeof fetch
  /** Reads a local file, for the replay backend; absent on runtimes without a file system. */
  readTextFile?: (path: string) => Promise<string>
}

/** Builds the backend a configuration's `upstream` section describes. */
export async function createBackend(config: UpstreamConfig, options: CreateBackendOptions = {}): Promise<Backend> {
  switch (config.kind) {
    case 'openai':
      return createOpenAICompatibleBackend({
        baseURL: config.baseURL,
        apiKey: config.apiKey,
        headers: config.headers,
        fanout: config.fanout,
        stream: config.stream,
        fetch: options.fetch,
        retry: { ...defaultRetryPolicy, maxRetries: config.maxRetries },
      })
    case 'replay': {
      if (!options.readTextFile) {
        throw new InvalidOptionsError('upstream kind "replay" reads a local file and needs a file system.', {
          key: 'upstream.file',
        })
      }
      return createReplayBackend({ pool: await loadCandidatePool(config.file, options.readTextFile) })
    }
  }
}
