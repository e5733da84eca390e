import { describe, expect, it } from 'vitest'
import { auditSchema } from '../../src/config/config-schema.js'
import { parseConfig } from '../../src/config/parse-config.js'
import { InvalidOptionsError } from '../../src/errors.js'

const base = {
  upstream: { kind: 'openai', baseURL: 'http://127.0.0.1:8000/v1' },
  reward: { kind: 'http', url: 'http://127.0.0.1:9000/score' },
}

describe('the audit section of the configuration', () => {
  it('is optional, and fills in concurrency 4 and 2 retries when present', () => {
    expect(parseConfig(base).audit).toBeUndefined()
    expect(auditSchema.parse({})).toEqual({ concurrency: 4, maxRetries: 2 })
    const config = parseConfig({
      ...base,
      audit: {
        rewriter: { baseURL: 'https://api.openai.com/v1', model: 'gpt-4o-mini', apiKey: 'sk-x' },
        attributes: [{ name: 'formal', description: 'tone', positive: 'formal', negative: 'casual' }],
      },
    })
    expect(config.audit).toEqual({
      rewriter: { baseURL: 'https://api.openai.com/v1', model: 'gpt-4o-mini', apiKey: 'sk-x' },
      attributes: [{ name: 'formal', description: 'tone', positive: 'formal', negative: 'casual' }],
      concurrency: 4,
      maxRetries: 2,
    })
  })

  it.each([
    [{ rewriter: { baseURL: 'http://x/v1' } }, 'audit.rewriter.model'],
    [{ attributes: [{ name: 'has space', description: 'd', positive: 'p', negative: 'n' }] }, 'audit.attributes.0.name'],
    [{ attributes: [{ name: 'formal', description: 'd', positive: 'p' }] }, 'audit.attributes.0.negative'],
    [{ concurrency: 0 }, 'audit.concurrency'],
    [{ retries: 3 }, 'audit.retries'],
  ])('names the bad key of %j', (audit, key) => {
    expect(() => parseConfig({ ...base, audit })).toThrow(InvalidOptionsError)
    expect(() => parseConfig({ ...base, audit })).toThrow(key)
  })
})
