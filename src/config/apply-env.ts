import type { BonbonConfigInput } from './config-schema.js'

/** Environment variables that override the configuration (URLs and keys only), and where they go. */
export const envOverrides = {
  BONBON_UPSTREAM_BASE_URL: ['upstream', 'baseURL'],
  BONBON_UPSTREAM_API_KEY: ['upstream', 'apiKey'],
  BONBON_REWARD_BASE_URL: ['reward', 'baseURL'],
  BONBON_REWARD_URL: ['reward', 'url'],
  BONBON_REWARD_API_KEY: ['reward', 'apiKey'],
} as const

/** Keys each kind of upstream or reward model has, so a variable never adds a key a kind rejects. */
const keysByKind: Record<string, readonly string[]> = {
  openai: ['baseURL', 'apiKey'],
  'vllm-pooling': ['baseURL', 'apiKey'],
  'vllm-classify': ['baseURL', 'apiKey'],
  tei: ['baseURL', 'apiKey'],
  http: ['url', 'apiKey'],
}

/**
 * Returns a copy of `config` with URLs and API keys taken from the environment where set, so
 * secrets can stay out of configuration files. The caller's object is not changed.
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
  return copy as BonbonConfigInput
}
