import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/parse-config.js'

const minimal = { upstream: { kind: 'openai', baseURL: 'http://127.0.0.1:1/v1' }, reward: { kind: 'http', url: 'http://127.0.0.1:2/score' } } as const

describe('configuration errors', () => {
  it.each([
    ['a string', '4'],
    ['a fraction', 2.5],
  ])('says which forms bestOfN.n takes when it is %s', (_, n) => {
    expect(() => parseConfig({ ...minimal, bestOfN: { n } } as never)).toThrow(
      'bestOfN.n: must be an integer 1-128, {"klBudget": <nats, 0-4>} or {"winRate": <0.5-0.99>}',
    )
  })

  it('keeps the precise message when the form is right and the value is not', () => {
    expect(() => parseConfig({ ...minimal, bestOfN: { n: 200 } })).toThrow('bestOfN.n: Too big: expected number to be <=128')
    expect(() => parseConfig({ ...minimal, bestOfN: { n: { klBudget: 9 } } })).toThrow('bestOfN.n.klBudget: Too big')
  })

  it('takes a log section without a kind as the SQLite store, its default', () => {
    expect(parseConfig({ ...minimal, log: { path: 'x.db', durability: 'sync' } }).log).toMatchObject({ kind: 'sqlite', path: 'x.db', durability: 'sync' })
    expect(() => parseConfig({ ...minimal, log: { path: 'x.db', binding: 'DB' } } as never)).toThrow('log.binding: unknown key')
  })
})
