import { describe, expect, it } from 'vitest'
import { readEdgeConfig } from '../../src/edge/edge-config.js'
import { readEdgeSettings } from '../../src/edge/edge-settings.js'
import { InvalidOptionsError } from '../../src/errors.js'

const config = {
  upstream: { kind: 'openai', baseURL: 'http://127.0.0.1:8000/v1' },
  reward: { kind: 'tei', baseURL: 'http://127.0.0.1:8080' },
}
const env = (value: unknown, extra: Record<string, unknown> = {}) => ({ BONBON_CONFIG: value, ...extra })

describe('readEdgeConfig', () => {
  it('reads BONBON_CONFIG as JSON text and logs to D1 when no log is configured', () => {
    const read = readEdgeConfig(env(JSON.stringify(config)))
    expect(read.log).toEqual({ kind: 'd1', binding: 'DB' })
    expect(read.bestOfN.n).toBe(4)
  })

  it('reads BONBON_CONFIG given as a TOML table (an object)', () => {
    expect(readEdgeConfig(env({ ...config, log: { kind: 'none' } })).log.kind).toBe('none')
  })

  it('takes API keys from BONBON_* secrets, never from the other bindings', () => {
    const read = readEdgeConfig(env(JSON.stringify(config), { BONBON_UPSTREAM_API_KEY: 'sk-secret', DB: { prepare: 1 } }))
    expect(read.upstream).toMatchObject({ apiKey: 'sk-secret' })
  })

  it('says how to set the var when it is missing', () => {
    expect(() => readEdgeConfig({})).toThrow(/BONBON_CONFIG is not set.*--var BONBON_CONFIG:<json>/)
  })

  it('refuses text that is not JSON, naming the var', () => {
    expect(() => readEdgeConfig(env('{upstream:'))).toThrow(/BONBON_CONFIG is not valid JSON/)
    expect(() => readEdgeConfig(env('[1]'))).toThrow(/must hold a JSON object/)
  })

  it('names the key of an invalid configuration', () => {
    const error = (() => {
      try {
        readEdgeConfig(env(JSON.stringify({ ...config, reward: { kind: 'tei', baseURL: 'ftp://x' } })))
      } catch (caught) {
        return caught
      }
    })()
    expect(InvalidOptionsError.isInstance(error)).toBe(true)
    expect((error as InvalidOptionsError).message).toMatch(/^BONBON_CONFIG: .*reward\.baseURL/)
  })

  it('refuses the kinds that need a file system, saying what to use instead', () => {
    const replayUpstream = { ...config, upstream: { kind: 'replay', file: 'pool.jsonl' } }
    expect(() => readEdgeConfig(env(JSON.stringify(replayUpstream)))).toThrow(/upstream kind "replay".*no file system.*"openai"/)
    const replayReward = { ...config, reward: { kind: 'replay', file: 'pool.jsonl' } }
    expect(() => readEdgeConfig(env(JSON.stringify(replayReward)))).toThrow(/reward kind "replay"/)
    const sqlite = { ...config, log: { kind: 'sqlite', path: 'bonbon.db' } }
    expect(() => readEdgeConfig(env(JSON.stringify(sqlite)))).toThrow(/log kind "sqlite".*use "d1"/)
  })
})

describe('readEdgeSettings', () => {
  it('defaults to the Workers limits and a 1000-entry score cache', () => {
    expect(readEdgeSettings({})).toEqual({
      maxConnections: 6,
      maxSubrequests: 50,
      scoreCacheEntries: 1000,
      scoreCacheBytes: 4 * 1024 * 1024,
    })
  })

  it('reads vars given as strings or numbers', () => {
    const settings = readEdgeSettings({ BONBON_MAX_SUBREQUESTS: '1000', BONBON_SCORE_CACHE_ENTRIES: 0 })
    expect(settings).toMatchObject({ maxSubrequests: 1000, scoreCacheEntries: 0 })
  })

  it('refuses more connections than Workers allow, naming the var', () => {
    expect(() => readEdgeSettings({ BONBON_MAX_CONNECTIONS: '8' })).toThrow(/BONBON_MAX_CONNECTIONS/)
    expect(() => readEdgeSettings({ BONBON_MAX_SUBREQUESTS: 'fifty' })).toThrow(/BONBON_MAX_SUBREQUESTS: must be a whole number/)
  })
})
