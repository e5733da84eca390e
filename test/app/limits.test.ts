import { afterEach, describe, expect, it } from 'vitest'
import { chatBody, startGuardedGateway, type GuardedGateway } from './guarded-gateway-fixture.js'

const keys = ['client-key-aaaaaaaaaaaaaaaa', 'client-key-bbbbbbbbbbbbbbbb'] as const
const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

let gateway: GuardedGateway | undefined
afterEach(async () => {
  await gateway?.close()
  gateway = undefined
})

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let now = start
  return { now: () => now, advance: (ms: number) => void (now += ms) }
}

describe('per-client rate limits', () => {
  it('answers 429 with Retry-After once the burst is spent, and serves again once the bucket refills', async () => {
    const clock = manualClock()
    gateway = await startGuardedGateway({ now: clock.now, config: () => ({ limits: { requestsPerMinute: 6, burst: 2 } }) })
    expect((await gateway.post('/v1/chat/completions', chatBody())).status).toBe(200)
    expect((await gateway.post('/v1/chat/completions', chatBody())).status).toBe(200)
    const limited = await gateway.post('/v1/chat/completions', chatBody())
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('10')
    expect(limited.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null })
    expect(gateway.backend.requests).toHaveLength(2)

    clock.advance(4_000)
    expect((await gateway.post('/v1/chat/completions', chatBody())).headers.get('retry-after')).toBe('6')
    clock.advance(6_000)
    expect((await gateway.post('/v1/chat/completions', chatBody())).status).toBe(200)
  })

  it('keeps one bucket per API key', async () => {
    const clock = manualClock()
    gateway = await startGuardedGateway({
      now: clock.now,
      config: () => ({ auth: { keys: [...keys] }, limits: { requestsPerMinute: 1 } }),
    })
    expect((await gateway.post('/v1/chat/completions', chatBody(), bearer(keys[0]))).status).toBe(200)
    expect((await gateway.post('/v1/chat/completions', chatBody(), bearer(keys[0]))).status).toBe(429)
    expect((await gateway.post('/v1/chat/completions', chatBody(), bearer(keys[1]))).status).toBe(200)
  })

  it('checks the key before spending a token, so strangers cannot drain a bucket', async () => {
    const clock = manualClock()
    gateway = await startGuardedGateway({
      now: clock.now,
      config: () => ({ auth: { keys: [...keys] }, limits: { requestsPerMinute: 1 } }),
    })
    for (let i = 0; i < 3; i++) expect((await gateway.post('/v1/chat/completions', chatBody())).status).toBe(401)
    expect((await gateway.post('/v1/chat/completions', chatBody(), bearer(keys[0]))).status).toBe(200)
  })
})

describe('per-client caps', () => {
  it('refuses a fan-out above limits.maxN, naming the field or header that asked for it', async () => {
    gateway = await startGuardedGateway({ config: () => ({ limits: { maxN: 4 } }) })
    const header = await gateway.post('/v1/chat/completions', chatBody(), { 'x-bonbon-n': '6' })
    expect(header.status).toBe(400)
    expect(header.error).toMatchObject({ param: 'x-bonbon-n', code: 'n_too_large', type: 'invalid_request_error' })
    const body = await gateway.post('/v1/chat/completions', chatBody({ bonbon: { n: 5 } }))
    expect(body.error?.['param']).toBe('bonbon.n')
    const choices = await gateway.post('/v1/chat/completions', chatBody({ n: 5 }))
    expect(choices.error?.['param']).toBe('n')
    expect(gateway.backend.requests).toHaveLength(0)
    expect((await gateway.post('/v1/chat/completions', chatBody(), { 'x-bonbon-n': '4' })).status).toBe(200)
  })

  it('refuses max_tokens above limits.maxTokens and sets it when the client sets none', async () => {
    gateway = await startGuardedGateway({ config: () => ({ limits: { maxTokens: 256 } }) })
    const tooMany = await gateway.post('/v1/chat/completions', chatBody({ max_tokens: 257 }))
    expect(tooMany.status).toBe(400)
    expect(tooMany.error).toMatchObject({ param: 'max_tokens', code: 'max_tokens_too_large' })
    const completionTokens = await gateway.post('/v1/chat/completions', chatBody({ max_completion_tokens: 1000 }))
    expect(completionTokens.error?.['param']).toBe('max_completion_tokens')
    expect(gateway.backend.requests).toHaveLength(0)

    expect((await gateway.post('/v1/chat/completions', chatBody({ max_tokens: 100 }))).status).toBe(200)
    expect((await gateway.post('/v1/chat/completions', chatBody())).status).toBe(200)
    expect(gateway.backend.requests.map((request) => request.body['max_tokens'])).toEqual([100, 256])
  })

  it('answers 429 while a client has limits.maxConcurrentFanout candidates in flight', async () => {
    gateway = await startGuardedGateway({
      // The first request's scoring takes long enough for a second request to arrive meanwhile.
      reward: { fault: (_request, index) => (index === 0 ? { kind: 'delay', ms: 1_500 } : undefined) },
      config: () => ({ auth: { keys: [...keys] }, limits: { maxConcurrentFanout: 4, maxN: 4 } }),
    })
    const running = gateway.post('/v1/chat/completions', chatBody(), bearer(keys[0]))
    await until(() => gateway?.backend.requests.length === 1)
    const refused = await gateway.post('/v1/chat/completions', chatBody(), { ...bearer(keys[0]), 'x-bonbon-n': '1' })
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(refused.error).toMatchObject({ type: 'rate_limit_error', code: 'concurrency_limit_exceeded' })
    // Another client has its own allowance.
    expect((await gateway.post('/v1/chat/completions', chatBody(), bearer(keys[1]))).status).toBe(200)

    expect((await running).status).toBe(200)
    expect((await gateway.post('/v1/chat/completions', chatBody(), bearer(keys[0]))).status).toBe(200)
  })
})

/** Yields to the event loop until `condition` holds: waits for an event, not for a time. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve))
}
