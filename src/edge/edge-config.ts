import { applyEnv } from '../config/apply-env.js'
import type { BonbonConfig, BonbonConfigInput } from '../config/config-schema.js'
import { parseConfig } from '../config/parse-config.js'
import { InvalidOptionsError } from '../errors.js'
import type { WorkerEnv } from './cloudflare-bindings.js'

/** The Worker var holding the gateway's configuration, the same JSON as `bonbon serve --config`. */
export const configVar = 'BONBON_CONFIG'

/** The vars and secrets of `env` that are strings: what `BONBON_*` overrides are read from. */
export function stringVars(env: WorkerEnv): Record<string, string> {
  const vars: Record<string, string> = {}
  for (const [name, value] of Object.entries(env)) if (typeof value === 'string') vars[name] = value
  return vars
}

/**
 * The configuration as written in `BONBON_CONFIG`, with the edge's default log (D1, binding `DB`)
 * when it has no `log` section; not yet validated.
 * @throws InvalidOptionsError when the var is missing, not JSON, or not an object.
 */
export function readEdgeConfigInput(env: WorkerEnv): BonbonConfigInput {
  const input = readConfigInput(env)
  // Validated by parseConfig wherever it is used; until then it is only copied.
  return ('log' in input ? input : { ...input, log: { kind: 'd1' } }) as BonbonConfigInput
}

function readConfigInput(env: WorkerEnv): Record<string, unknown> {
  const raw = env[configVar]
  if (raw === undefined || raw === '') {
    throw new InvalidOptionsError(
      `The Worker var ${configVar} is not set: give it the gateway's JSON configuration ` +
        `(wrangler.toml [vars], or \`wrangler dev --var ${configVar}:<json>\`).`,
      { key: configVar },
    )
  }
  let value: unknown = raw
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw)
    } catch (error) {
      throw new InvalidOptionsError(`The Worker var ${configVar} is not valid JSON: ${(error as Error).message}`, {
        key: configVar,
      })
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionsError(`The Worker var ${configVar} must hold a JSON object.`, { key: configVar })
  }
  return value as Record<string, unknown>
}

const noFileSystem = 'Cloudflare Workers have no file system'

/**
 * Reads and validates the configuration of a Worker: `BONBON_CONFIG` (a JSON string, or a table in
 * wrangler.toml), with `BONBON_*` secrets and vars overriding URLs and keys as on Node. Without a
 * `log` section the edge logs to D1 (binding `DB`), not to SQLite. Kinds that read or write local
 * files are refused.
 * @throws InvalidOptionsError saying what is wrong and what to use instead.
 */
export function readEdgeConfig(env: WorkerEnv): BonbonConfig {
  const input = readEdgeConfigInput(env)
  let config: BonbonConfig
  try {
    config = parseConfig(applyEnv(input, stringVars(env)))
  } catch (error) {
    if (error instanceof InvalidOptionsError) {
      throw new InvalidOptionsError(`${configVar}: ${error.message}`, { key: error.key, cause: error })
    }
    throw error
  }
  if (config.upstream?.kind === 'replay') {
    throw new InvalidOptionsError(
      `${configVar}: upstream kind "replay" reads its pool from a file, and ${noFileSystem}; ` +
        'use kind "openai" with the URL of an OpenAI-compatible server.',
      { key: 'upstream.kind' },
    )
  }
  if (config.reward.kind === 'replay') {
    throw new InvalidOptionsError(
      `${configVar}: reward kind "replay" reads its pool from a file, and ${noFileSystem}; ` +
        'use a served reward model (vllm-pooling, vllm-classify, tei, http).',
      { key: 'reward.kind' },
    )
  }
  if (config.log.kind === 'sqlite') {
    throw new InvalidOptionsError(
      `${configVar}: log kind "sqlite" writes a local file, and ${noFileSystem}; use "d1" (the edge default) or "queue".`,
      { key: 'log.kind' },
    )
  }
  return config
}
