import { InvalidOptionsError } from '../errors.js'
import { configSchema, type BonbonConfig } from './config-schema.js'

/**
 * Validates a configuration object and fills in defaults.
 * @throws InvalidOptionsError naming the bad key (`reward.baseURL: must be an http(s) URL`).
 */
export function parseConfig(input: unknown): BonbonConfig {
  const result = configSchema.safeParse(withDefaultLogKind(input))
  if (result.success) {
    const config = result.data
    if (config.bestOfN.n > config.bestOfN.maxN) {
      throw new InvalidOptionsError(
        `bestOfN.n (${config.bestOfN.n}) must not exceed bestOfN.maxN (${config.bestOfN.maxN}).`,
        { key: 'bestOfN.n' },
      )
    }
    return config
  }
  const messages = result.error.issues.map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : []
    const path = [...issue.path, ...(keys.length === 1 ? keys : [])].join('.')
    const detail = issue.code === 'unrecognized_keys' ? `unknown key${keys.length > 1 ? `s ${keys.join(', ')}` : ''}` : issue.message
    return path ? `${path}: ${detail}` : detail
  })
  const first = result.error.issues[0]
  throw new InvalidOptionsError(`Invalid configuration: ${messages.join('; ')}`, {
    key: first ? first.path.join('.') : undefined,
  })
}

/**
 * `"log": {"path": "x.db"}` means the SQLite store, as `log.kind`'s default says; the schema's
 * discriminated union needs the kind spelt out, so it is filled in here.
 */
function withDefaultLogKind(input: unknown): unknown {
  if (typeof input !== 'object' || input === null || !('log' in input)) return input
  const { log } = input
  if (typeof log !== 'object' || log === null || Array.isArray(log) || 'kind' in log) return input
  return { ...input, log: { kind: 'sqlite', ...log } }
}
