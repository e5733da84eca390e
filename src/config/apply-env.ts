import type { BonbonConfigInput } from './config-schema.js'

/** Environment variables that override the configuration (URLs and keys only), and where they go. */
export const envOverrides = {
  BONBON_UPSTREAM_BASE_URL: ['upstream', 'baseURL'],
  BONBON_UPSTREAM_API_KEY: ['upstream', 'apiKey'],
  BONBON_REWARD_BASE_URL: ['reward', 'baseURL'],
  BONBON_REWARD_URL: ['reward', 'url'],
  BONBON_REWARD_API_KEY: ['reward', 'apiKey'],
} as const

/** Environment variable holding the client API keys, comma-separated; it replaces `auth.keys`. */
export const authKeysVariable = 'BONBON_AUTH_KEYS'

/** Keys each kind of upstream or reward model has, so a variable never adds a key a kind rejects. */
const keysByKind: Record<string, readonly string[]> = {
  openai: ['baseURL', 'apiKey'],
  'vllm-pooling': ['baseURL', 'apiKey'],
  'vllm-classify': ['baseURL', 'apiKey'],
  tei: ['baseURL', 'apiKey'],
  http: ['url', 'apiKey'],
  judge: ['baseURL', 'apiKey'],
  'judge-pairwise': ['baseURL', 'apiKey'],
}

/**
 * Returns a copy of `config` with URLs and API keys taken from the environment where set (client
 * keys from `BONBON_AUTH_KEYS`), so secrets can stay out of configuration files. The caller's object
 * is not changed.
 */
export function applyEnv(config: BonbonConfigInput, env: Readonly<Record<string, string | undefined>>): BonbonConfigInput {
  const copy: Record<string, unknown> = { ...config }
  for (const [variable, [section, key]] of Object.entries(envOverrides)) {
    const value = env[variable]
    const current = copy[section]
    if (value === undefined || value === '' || typeof current !== 'object' || current === null) continue
    const kind = (current as { kind?: unknown }).kind
    if (typeof kind === 'string' && keysByKind[kind]?.includes(key)) {
      copy[section] = { ...current, [key]: value }
    }
  }
  const authKeys = env[authKeysVariable]
  if (authKeys !== undefined && authKeys.trim() !== '') {
    const keys = authKeys.split(',').map((key) => key.trim()).filter((key) => key !== '')
    const current = typeof copy['auth'] === 'object' && copy['auth'] !== null ? copy['auth'] : {}
    copy['auth'] = { ...current, keys }
  }
  return copy as BonbonConfigInput
}
