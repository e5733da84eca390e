import { describe, expect, it } from 'vitest'
import { applyEnv } from '../../src/config/apply-env.js'
import type { BonbonConfigInput } from '../../src/config/config-schema.js'
import { parseConfig } from '../../src/config/parse-config.js'
import { InvalidOptionsError } from '../../src/errors.js'

const config: BonbonConfigInput = {
  upstream: { kind: 'openai', baseURL: 'http://127.0.0.1:8000/v1' },
  reward: { kind: 'http', url: 'http://127.0.0.1:8001/score' },
  auth: { keys: ['from-the-file-0123456789'] },
}

describe('applyEnv with BONBON_AUTH_KEYS', () => {
  it('replaces auth.keys with the comma-separated keys, trimmed, and leaves the input alone', () => {
    const applied = applyEnv(config, { BONBON_AUTH_KEYS: ' key-a-0123456789abcdef , key-b-0123456789abcdef,, ' })
    expect(parseConfig(applied).auth?.keys).toEqual(['key-a-0123456789abcdef', 'key-b-0123456789abcdef'])
    expect(config.auth?.keys).toEqual(['from-the-file-0123456789'])
  })

  it('adds an auth section when the file has none, and ignores an empty variable', () => {
    const { auth: _auth, ...withoutAuth } = config
    expect(parseConfig(applyEnv(withoutAuth, { BONBON_AUTH_KEYS: 'key-a-0123456789abcdef' })).auth).toEqual({
      keys: ['key-a-0123456789abcdef'],
    })
    expect(parseConfig(applyEnv(config, { BONBON_AUTH_KEYS: ' ' })).auth?.keys).toEqual(['from-the-file-0123456789'])
  })
})

describe('the auth and limits sections', () => {
  it('refuses short keys and keys with spaces, without printing them', () => {
    for (const key of ['short', 'has a space in it 0123456789']) {
      const error = (() => {
        try {
          parseConfig({ ...config, auth: { keys: [key] } })
        } catch (caught) {
          return caught
        }
      })()
      expect(InvalidOptionsError.isInstance(error)).toBe(true)
      expect((error as InvalidOptionsError).message).toMatch(/^Invalid configuration: auth\.keys\.0: must/)
      expect((error as InvalidOptionsError).message).not.toContain(key)
    }
  })

  it('takes limits, redact and allowOptOut, and refuses unknown limit keys', () => {
    const parsed = parseConfig({
      ...config,
      limits: { requestsPerMinute: 60, burst: 10, maxN: 8, maxTokens: 1024, maxConcurrentFanout: 32 },
      log: { kind: 'sqlite', redact: true, allowOptOut: false },
    })
    expect(parsed.limits).toMatchObject({ requestsPerMinute: 60, maxConcurrentFanout: 32 })
    expect(parsed.log).toMatchObject({ redact: true, allowOptOut: false })
    expect(() => parseConfig({ ...config, limits: { rpm: 5 } })).toThrow(/limits.rpm: unknown key/)
  })
})
