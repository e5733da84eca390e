import { describe, expect, it } from 'vitest'
import { resolveAuditRewriter } from '../../src/audit/resolve-audit-rewriter.js'
import { parseConfig } from '../../src/config/parse-config.js'

const reward = { kind: 'http', url: 'http://127.0.0.1:9000/score' }
const upstream = { kind: 'openai', baseURL: 'http://127.0.0.1:8000/v1', apiKey: 'up-key', headers: { 'x-team': 'a' } }
const item = (model?: string) => ({ id: 'r', prompt: [], response: 'a', model })

describe('resolveAuditRewriter', () => {
  it('uses audit.rewriter, with --model and the environment key overriding it', () => {
    const config = parseConfig({ upstream, reward, audit: { rewriter: { baseURL: 'https://api.example/v1', model: 'big', apiKey: 'k' } } })
    expect(resolveAuditRewriter({ config, items: [] })).toEqual({ baseURL: 'https://api.example/v1', model: 'big', apiKey: 'k' })
    expect(resolveAuditRewriter({ config, items: [], model: 'small', apiKey: 'env-key' })).toEqual({
      baseURL: 'https://api.example/v1',
      model: 'small',
      apiKey: 'env-key',
    })
  })

  it('falls back to the upstream, called directly, with the first logged model', () => {
    const config = parseConfig({ upstream, reward })
    expect(resolveAuditRewriter({ config, items: [item(), item('served'), item('other')] })).toEqual({
      baseURL: 'http://127.0.0.1:8000/v1',
      model: 'served',
      apiKey: 'up-key',
      headers: { 'x-team': 'a' },
    })
  })

  it('asks for --model when no record names one', () => {
    const config = parseConfig({ upstream, reward })
    expect(() => resolveAuditRewriter({ config, items: [item()] })).toThrow(/No rewriter model: pass --model <name>/)
  })

  it('asks for audit.rewriter when the upstream is a replay pool or missing', () => {
    const replay = parseConfig({ upstream: { kind: 'replay', file: 'pool.jsonl' }, reward })
    expect(() => resolveAuditRewriter({ config: replay, items: [item('m')] })).toThrow(/the upstream is a replay pool\. Set audit\.rewriter/)
    const none = parseConfig({ reward })
    expect(() => resolveAuditRewriter({ config: none, items: [item('m')] })).toThrow(/the configuration has no upstream/)
  })
})
