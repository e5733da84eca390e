import { afterEach, describe, expect, it } from 'vitest'
import { chatBody, startGuardedGateway, type GuardedGateway } from './guarded-gateway-fixture.js'

const clientKey = 'client-key-0123456789abcdef'
const otherKey = 'client-key-fedcba9876543210'
const upstreamKey = 'sk-upstream-SECRET-0123456789abcdef'
const rewardKey = 'rk-reward-SECRET-0123456789abcdef'
const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

let gateway: GuardedGateway | undefined
afterEach(async () => {
  await gateway?.close()
  gateway = undefined
})

describe('client API keys', () => {
  it('answers 401 in OpenAI shape for a missing or wrong key, and serves a right one', async () => {
    gateway = await startGuardedGateway({ config: () => ({ auth: { keys: [otherKey, clientKey] } }) })
    const missing = await gateway.post('/v1/chat/completions', chatBody())
    expect(missing.status).toBe(401)
    expect(missing.headers.get('www-authenticate')).toBe('Bearer')
    expect(missing.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key', param: null })

    const wrong = await gateway.post('/v1/chat/completions', chatBody(), bearer('client-key-guessed-0000000000'))
    expect(wrong.status).toBe(401)
    expect(wrong.error?.['code']).toBe('invalid_api_key')
    expect(wrong.text).not.toContain('guessed')

    const basic = await gateway.post('/v1/chat/completions', chatBody(), { authorization: `Basic ${btoa(clientKey)}` })
    expect(basic.status).toBe(401)
    expect(gateway.backend.requests).toHaveLength(0)

    const right = await gateway.post('/v1/chat/completions', chatBody(), { authorization: `bearer ${clientKey}` })
    expect(right.status).toBe(200)
  })

  it('guards the model list and unknown routes but leaves /healthz open', async () => {
    gateway = await startGuardedGateway({ config: () => ({ auth: { keys: [clientKey] } }) })
    expect((await fetch(`${gateway.url}/v1/models`)).status).toBe(401)
    expect((await fetch(`${gateway.url}/v1/models`, { headers: bearer(clientKey) })).status).toBe(200)
    expect((await fetch(`${gateway.url}/v1/embeddings`, { method: 'POST' })).status).toBe(401)
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200)
  })

  it('never forwards the client key to the upstream or the reward model', async () => {
    gateway = await startGuardedGateway({
      config: ({ backendURL }) => ({
        auth: { keys: [clientKey] },
        upstream: { kind: 'openai', baseURL: backendURL, apiKey: upstreamKey },
      }),
    })
    expect((await gateway.post('/v1/chat/completions', chatBody(), bearer(clientKey))).status).toBe(200)
    const sent = [...gateway.backend.requests, ...gateway.reward.requests].map((request) => JSON.stringify(request))
    expect(sent.join('\n')).not.toContain(clientKey)
    expect(gateway.backend.requests[0]?.headers['authorization']).toBe(`Bearer ${upstreamKey}`)
  })
})

describe('upstream and reward keys', () => {
  it('keeps the upstream key out of answers and records when the upstream echoes it in a 401', async () => {
    const echo = { kind: 'http-error', status: 401 } as const
    gateway = await startGuardedGateway({
      backend: {
        // The first call of each request fails, echoing the key as some servers do in their 401.
        faults: ({ call, headers }) =>
          call === 0 || call >= 4
            ? { ...echo, body: { error: { message: `Incorrect API key provided: ${headers['authorization']}` } } }
            : null,
      },
      config: ({ backendURL }) => ({
        upstream: { kind: 'openai', baseURL: backendURL, apiKey: upstreamKey, fanout: 'parallel' },
      }),
    })
    const partial = await gateway.post('/v1/chat/completions', chatBody({ bonbon: { return_candidates: true } }))
    expect(partial.status).toBe(200)
    expect(partial.text).toContain('Incorrect API key provided')
    expect(partial.text).not.toContain('SECRET')

    const failed = await gateway.post('/v1/chat/completions', chatBody())
    expect(failed.status).toBeGreaterThanOrEqual(400)
    expect(failed.text).toContain('Incorrect API key provided')
    expect(failed.text).not.toContain('SECRET')

    // The failed request is logged too (chosen null): its candidates were paid for.
    const records = await gateway.closeAndReadRecords()
    expect(records.map((record) => record.chosen === null)).toEqual([false, true])
    expect(records[0]?.candidates.some((candidate) => candidate.error?.includes('Incorrect API key'))).toBe(true)
    expect(JSON.stringify(records)).not.toContain('SECRET')
  })

  it('keeps a credential header out of answers when the upstream echoes it', async () => {
    const azureKey = 'azure-SECRET-0123456789abcdef'
    gateway = await startGuardedGateway({
      backend: {
        faults: ({ headers }) => ({ kind: 'http-error', status: 401, body: { error: { message: `Access denied for key ${headers['api-key']}` } } }),
      },
      config: ({ backendURL }) => ({
        upstream: { kind: 'openai', baseURL: backendURL, headers: { 'api-key': azureKey, 'x-team': 'search' } },
      }),
    })
    const answer = await gateway.post('/v1/chat/completions', chatBody())
    // The upstream refused the gateway's own credentials: not the client's to fix, so 502, not 401.
    expect(answer.status).toBe(502)
    expect(answer.text).toContain('Access denied for key [redacted]')
    expect(answer.text).not.toContain('SECRET')
  })

  it('keeps the reward key out of the answer when the reward server echoes it in an error', async () => {
    gateway = await startGuardedGateway({
      reward: {
        fault: (request) => ({ kind: 'status', status: 500, body: { error: `bad token ${request.headers['authorization']}` } }),
      },
      config: ({ rewardURL }) => ({ reward: { kind: 'http', url: rewardURL, apiKey: rewardKey } }),
    })
    const answer = await gateway.post('/v1/chat/completions', chatBody())
    expect(answer.status).toBe(503)
    expect(answer.text).toContain('bad token')
    expect(answer.text).not.toContain('SECRET')
    expect(gateway.reward.requests[0]?.headers['authorization']).toBe(`Bearer ${rewardKey}`)
  })

  it('keeps the reward key out of the record of a degraded answer', async () => {
    gateway = await startGuardedGateway({
      reward: {
        fault: (request) => ({ kind: 'status', status: 500, body: { error: `bad token ${request.headers['authorization']}` } }),
      },
      config: ({ rewardURL }) => ({ reward: { kind: 'http', url: rewardURL, apiKey: rewardKey, onFailure: 'first' } }),
    })
    const answer = await gateway.post('/v1/chat/completions', chatBody({ bonbon: { return_candidates: true } }))
    expect(answer.status).toBe(200)
    expect(answer.text).not.toContain('SECRET')
    const records = await gateway.closeAndReadRecords()
    expect(records).toHaveLength(1)
    expect(JSON.stringify(records)).not.toContain('SECRET')
  })
})

describe('what the store keeps', () => {
  it('never keeps the Authorization header or the client key', async () => {
    gateway = await startGuardedGateway({ config: () => ({ auth: { keys: [clientKey] } }) })
    const answer = await gateway.post('/v1/chat/completions', chatBody({ user: 'team-7', temperature: 0.5 }), {
      ...bearer(clientKey),
      'x-custom-header': 'kept-out',
    })
    expect(answer.status).toBe(200)
    const [record, ...rest] = await gateway.closeAndReadRecords()
    expect(rest).toHaveLength(0)
    expect(record?.params).toEqual({ model: 'simulated-model', user: 'team-7', temperature: 0.5 })
    const stored = JSON.stringify(record)
    expect(stored).not.toContain(clientKey)
    expect(stored.toLowerCase()).not.toContain('authorization')
    expect(stored).not.toContain('kept-out')
  })

  it('masks personal data and secrets in stored prompts and answers with log.redact, not in the answer', async () => {
    const prompt =
      'I am ada.lovelace@example.org, call me on +44 20 7946 0958. My card is 4111 1111 1111 1111 and my key sk-proj-abcdefghijklmnop1234.'
    gateway = await startGuardedGateway({
      backend: { answer: ({ index }) => `Noted, ada.lovelace@example.org: 4111-1111-1111-1111 (${'x'.repeat(index * 10)})` },
      config: ({ storePath }) => ({
        log: { kind: 'sqlite', path: storePath, batchSize: 16, flushIntervalMs: 10, redact: true },
      }),
    })
    const answer = await gateway.post(
      '/v1/chat/completions',
      chatBody({ messages: [{ role: 'user', content: prompt }], user: 'ada.lovelace@example.org' }),
    )
    expect(answer.status).toBe(200)
    expect(answer.text).toContain('Noted, ada.lovelace@example.org: 4111-1111-1111-1111')

    const [record] = await gateway.closeAndReadRecords()
    expect(record?.messages[0]?.content).toBe(
      'I am [email], call me on [phone]. My card is [card] and my key [secret].',
    )
    expect(record?.params['user']).toBe('[email]')
    expect(record?.candidates.map((candidate) => candidate.text.slice(0, 21))).toEqual(
      Array.from({ length: 4 }, () => 'Noted, [email]: [card]'.slice(0, 21)),
    )
    expect(JSON.stringify(record)).not.toMatch(/lovelace|4111|sk-proj|7946/)
  })

  it('keeps no record of a request sent with x-bonbon-log: off', async () => {
    gateway = await startGuardedGateway()
    expect((await gateway.post('/v1/chat/completions', chatBody({ seed: 1 }), { 'x-bonbon-log': 'off' })).status).toBe(200)
    expect((await gateway.post('/v1/chat/completions', chatBody({ seed: 2 }), { 'x-bonbon-log': 'OFF ' })).status).toBe(200)
    expect((await gateway.post('/v1/chat/completions', chatBody({ seed: 3 }))).status).toBe(200)
    const records = await gateway.closeAndReadRecords()
    expect(records.map((record) => record.params['seed'])).toEqual([3])
  })

  it('logs requests sent with x-bonbon-log: off when the operator forbids opting out', async () => {
    gateway = await startGuardedGateway({
      config: ({ storePath }) => ({
        log: { kind: 'sqlite', path: storePath, batchSize: 16, flushIntervalMs: 10, allowOptOut: false },
      }),
    })
    expect((await gateway.post('/v1/chat/completions', chatBody(), { 'x-bonbon-log': 'off' })).status).toBe(200)
    expect(await gateway.closeAndReadRecords()).toHaveLength(1)
  })
})
