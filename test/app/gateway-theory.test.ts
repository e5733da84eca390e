import { afterEach, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/parse-config.js'
import { openSqliteStore } from '../../src/log/sqlite-store.node.js'
import { startGateway, type Gateway } from './gateway-fixture.js'

const messages = [{ role: 'user' as const, content: 'Name a colour.' }]
const minimal = { upstream: { kind: 'openai', baseURL: 'http://127.0.0.1:1/v1' }, reward: { kind: 'http', url: 'http://127.0.0.1:2/score' } } as const
let gateway: Gateway | undefined
afterEach(async () => {
  await gateway?.close()
  gateway = undefined
})

describe('choosing n by what it buys', () => {
  it('derives n from a KL budget or a target win rate', () => {
    // log n − (n−1)/n: n = 6 costs 0.958 nats, n = 7 costs 1.089.
    expect(parseConfig({ ...minimal, bestOfN: { n: { klBudget: 1.0 } } }).bestOfN.n).toBe(6)
    // n/(n+1) ≥ 0.9 first at n = 9.
    expect(parseConfig({ ...minimal, bestOfN: { n: { winRate: 0.9 } } }).bestOfN.n).toBe(9)
    expect(() => parseConfig({ ...minimal, bestOfN: { n: { winRate: 1 } } })).toThrow(/bestOfN\.n/)
  })

  it('states the expected win rate and KL bound of the n used on every answer', async () => {
    gateway = await startGateway()
    const { response } = await gateway.client.chat.completions
      .create({ model: 'm', messages }, { headers: { 'x-bonbon-n': '8' } })
      .withResponse()
    expect(response.headers.get('x-bonbon-expected-win-rate')).toBe('0.8889')
    expect(response.headers.get('x-bonbon-kl-bound')).toBe('1.2044')
  })

  it('states what the candidates actually scored buy when some of the n failed', async () => {
    // Parallel fan-out: one upstream call per candidate, and six of the eight calls fail.
    const failing = Array.from({ length: 6 }, () => ({ kind: 'http-error' as const, status: 503 }))
    gateway = await startGateway({ fanout: 'parallel', backend: { faults: failing } })
    const { response } = await gateway.client.chat.completions
      .create({ model: 'm', messages }, { headers: { 'x-bonbon-n': '8' } })
      .withResponse()
    expect(response.headers.get('x-bonbon-n')).toBe('8')
    // Best of 2, not of 8: 2/3 and log 2 − 1/2.
    expect(response.headers.get('x-bonbon-expected-win-rate')).toBe('0.6667')
    expect(response.headers.get('x-bonbon-kl-bound')).toBe('0.1931')
  })

  it('claims no win rate or KL when only one candidate was scored or the answer is degraded', async () => {
    const failing = Array.from({ length: 7 }, () => ({ kind: 'http-error' as const, status: 503 }))
    gateway = await startGateway({ fanout: 'parallel', backend: { faults: failing } })
    const { response: single } = await gateway.client.chat.completions
      .create({ model: 'm', messages }, { headers: { 'x-bonbon-n': '8' } })
      .withResponse()
    expect(single.headers.get('x-bonbon-chosen-reward')).not.toBeNull()
    expect(single.headers.get('x-bonbon-expected-win-rate')).toBeNull()
    expect(single.headers.get('x-bonbon-kl-bound')).toBeNull()
    await gateway.close()
    gateway = undefined

    gateway = await startGateway({ reward: { fault: { kind: 'status', status: 500 } }, rewardPolicy: { onFailure: 'first' } })
    const { response: degraded } = await gateway.client.chat.completions
      .create({ model: 'm', messages }, { headers: { 'x-bonbon-n': '8' } })
      .withResponse()
    expect(degraded.headers.get('x-bonbon-degraded')).toBe('reward_model_failed')
    expect(degraded.headers.get('x-bonbon-expected-win-rate')).toBeNull()
    expect(degraded.headers.get('x-bonbon-kl-bound')).toBeNull()
  })
})

describe('reference log-probabilities', () => {
  it('logs each candidate log-probability sum without showing logprobs to a client that did not ask', async () => {
    gateway = await startGateway({ log: { referenceLogprobs: true } })
    const completion = await gateway.client.chat.completions.create({ model: 'm', messages, temperature: 0.8 })
    expect(completion.choices[0]?.logprobs).toBeNull()
    expect(gateway.backend.requests.at(-1)?.body['logprobs']).toBe(true)
    const asked = await gateway.client.chat.completions.create({ model: 'm', messages, logprobs: true })
    expect(asked.choices[0]?.logprobs?.content?.length).toBeGreaterThan(0)
    await gateway.restart()
    const store = openSqliteStore(gateway.storePath)
    try {
      const [record] = [...store.readRecords()]
      expect(record?.params['temperature']).toBe(0.8)
      expect(record?.candidates.every((candidate) => typeof candidate.logprobSum === 'number' && candidate.logprobSum < 0)).toBe(true)
    } finally {
      store.close()
    }
  })
})
