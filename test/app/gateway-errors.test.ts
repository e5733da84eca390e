import OpenAI from 'openai'
import { afterEach, describe, expect, it } from 'vitest'
import { startGateway, type Gateway } from './gateway-fixture.js'

const messages = [{ role: 'user' as const, content: 'Name a colour.' }]
let gateway: Gateway | undefined
afterEach(async () => {
  await gateway?.close()
  gateway = undefined
})

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${gateway?.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })
  return { status: response.status, body: (await response.json()) as { error: Record<string, unknown> } }
}

async function apiError(run: () => Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  try {
    await run()
  } catch (error) {
    if (error instanceof OpenAI.APIError) return error
    throw error
  }
  throw new Error('expected the request to fail')
}

describe('the gateway with bad requests', () => {
  it('answers invalid JSON with an OpenAI-shaped 400', async () => {
    gateway = await startGateway()
    const { status, body } = await post('/v1/chat/completions', '{"model": "m", "messages": [')
    expect(status).toBe(400)
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param: null })
    expect(body.error['message']).toMatch(/not valid JSON/)
  })

  it('names the field at fault for missing messages and out-of-range values', async () => {
    gateway = await startGateway()
    const client = gateway.client
    const empty = await apiError(() => client.chat.completions.create({ model: 'm', messages: [] }))
    expect(empty.status).toBe(400)
    expect(empty.param).toBe('messages')
    const hot = await apiError(() => client.chat.completions.create({ model: 'm', messages, temperature: 5 }))
    expect(hot.param).toBe('temperature')
    expect(gateway.backend.requests).toHaveLength(0)
  })

  it('refuses a fan-out above maxN, from the header or the body', async () => {
    gateway = await startGateway()
    const client = gateway.client
    const header = await apiError(() =>
      client.chat.completions.create({ model: 'm', messages }, { headers: { 'x-bonbon-n': '9' } }),
    )
    expect(header.status).toBe(400)
    expect(header.message).toMatch(/x-bonbon-n must be at most 8/)
    expect(header.param).toBe('x-bonbon-n')
    const { status, body } = await post('/v1/chat/completions', JSON.stringify({ model: 'm', messages, bonbon: { n: 50 } }))
    expect(status).toBe(400)
    expect(body.error['param']).toBe('bonbon.n')
    const legacy = await post('/v1/completions', JSON.stringify({ model: 'm', prompt: 'Hi', best_of: 100 }))
    expect(legacy.status).toBe(400)
    expect(legacy.body.error['param']).toBe('best_of')
  })

  it('refuses a fan-out header that is not a small positive integer without echoing all of it', async () => {
    gateway = await startGateway()
    const huge = await post('/v1/chat/completions', JSON.stringify({ model: 'm', messages }), { 'x-bonbon-n': '99999999999999999999' })
    expect(huge.body.error).toMatchObject({ param: 'x-bonbon-n', code: 'n_too_large', message: 'Header x-bonbon-n is far too large; got "99999999999999999999".' })
    const long = await post('/v1/chat/completions', JSON.stringify({ model: 'm', messages }), { 'x-bonbon-n': 'x'.repeat(15_000) })
    expect(long.status).toBe(400)
    expect(String(long.body.error['message']).length).toBeLessThan(100)
  })

  it('answers 405 with Allow: POST to another method on a completion route', async () => {
    gateway = await startGateway()
    for (const path of ['/v1/chat/completions', '/v1/completions']) {
      const response = await fetch(`${gateway.url}${path}`)
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toBe('POST')
      expect(await response.json()).toEqual({
        error: { message: `${path} answers POST only; got GET.`, type: 'invalid_request_error', param: null, code: 'method_not_allowed' },
      })
    }
  })

  it('answers 413 for a body over the limit', async () => {
    gateway = await startGateway({ config: { server: { bodyLimitBytes: 2048 } } })
    const { status, body } = await post(
      '/v1/chat/completions',
      JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(4096) }] }),
    )
    expect(status).toBe(413)
    expect(body.error['code']).toBe('payload_too_large')
  })

  it('answers unknown routes with an OpenAI-shaped 404', async () => {
    gateway = await startGateway()
    const response = await fetch(`${gateway.url}/v1/embeddings`, { method: 'POST', body: '{}' })
    expect(response.status).toBe(404)
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error')
  })
})

describe('the gateway when upstream parts fail', () => {
  it('still answers with the best of the candidates that succeeded', async () => {
    gateway = await startGateway({
      fanout: 'parallel',
      maxRetries: 0,
      backend: { faults: [{ kind: 'http-error', status: 500 }, null, { kind: 'drop' }, null] },
    })
    const response = await post(
      '/v1/chat/completions',
      JSON.stringify({ model: 'm', messages, seed: 1, bonbon: { return_candidates: true } }),
    )
    expect(response.status).toBe(200)
    const summary = (response.body as unknown as { bonbon: { candidates: { error: string | null }[]; chosen: number } })
      .bonbon
    const failed = summary.candidates.filter((candidate) => candidate.error !== null)
    expect(failed).toHaveLength(2)
    expect(summary.candidates[summary.chosen]?.error).toBeNull()
  })

  it('passes an upstream 400 through when every candidate fails with it', async () => {
    gateway = await startGateway({
      backend: {
        faults: () => ({
          kind: 'http-error',
          status: 400,
          body: { error: { message: 'model "nope" does not exist', type: 'invalid_request_error', param: 'model', code: null } },
        }),
      },
    })
    const client = gateway.client
    const error = await apiError(() => client.chat.completions.create({ model: 'nope', messages }))
    expect(error.status).toBe(400)
    expect(error.message).toMatch(/does not exist/)
  })

  it("keeps the upstream's own code and param on a client error it passes through", async () => {
    const upstreamError = {
      message: "This model's maximum context length is 4097 tokens. However, you requested 5000 tokens.",
      type: 'invalid_request_error',
      param: 'messages',
      code: 'context_length_exceeded',
    }
    gateway = await startGateway({ backend: { faults: () => ({ kind: 'http-error', status: 400, body: { error: upstreamError } }) } })

    const { status, body } = await post('/v1/chat/completions', JSON.stringify({ model: 'm', messages }))

    expect(status).toBe(400)
    expect(body.error).toEqual({ ...upstreamError, message: `Upstream answered 400: ${upstreamError.message}` })
  })

  it('answers 502 when the backend fails every candidate', async () => {
    gateway = await startGateway({ backend: { faults: () => ({ kind: 'http-error', status: 503 }) } })
    const client = gateway.client
    const error = await apiError(() => client.chat.completions.create({ model: 'm', messages }))
    expect(error.status).toBe(502)
    expect(error.message).toMatch(/All 4 candidates failed/)
  })

  it('tells clients what failed without revealing where the upstreams live', async () => {
    gateway = await startGateway({
      config: { upstream: { kind: 'openai', baseURL: 'http://127.0.0.1:1/v1', maxRetries: 0 } },
    })
    const { status, body } = await post('/v1/chat/completions', JSON.stringify({ model: 'm', messages }))
    expect(status).toBe(502)
    expect(body.error['message']).toMatch(/Upstream call to <internal>\/v1\/chat\/completions failed/)
    expect(body.error['message']).not.toContain('127.0.0.1')
  })

  it('keeps an upstream stack trace, internal hosts and echoed keys out of the client error', async () => {
    const page = `Error: boom at vllm.internal:8000, localhost:8000 and http%3A%2F%2F10.0.0.5%3A8000 with Authorization: Bearer sk-live-abcdefghijkl ${'x'.repeat(100_000)}\n    at handler (/srv/vllm/server.js:12:5)`
    gateway = await startGateway({ backend: { faults: () => ({ kind: 'http-error', status: 500, body: page }) } })
    const { status, body } = await post('/v1/chat/completions', JSON.stringify({ model: 'm', messages }))

    const message = String(body.error['message'])
    expect(status).toBe(502)
    expect(message).toMatch(/^All 4 candidates failed; first error: Upstream answered 500: Error: boom at <internal>, <internal> and <internal>/)
    expect(message).toContain('Bearer [secret]')
    for (const leak of ['vllm.internal', 'localhost', '10.0.0.5', 'sk-live', '/srv/vllm', 'server.js']) expect(message).not.toContain(leak)
    expect(message.length).toBeLessThanOrEqual(301)
  })

  it('answers 503 when the reward model is down', async () => {
    gateway = await startGateway({ reward: { fault: { kind: 'status', status: 500 } } })
    const client = gateway.client
    const error = await apiError(() => client.chat.completions.create({ model: 'm', messages }))
    expect(error.status).toBe(503)
    expect(error.message).toMatch(/Reward model unavailable/)
  })
})

describe('the gateway while streaming', () => {
  it('sends heartbeat comments while the best answer is chosen', async () => {
    gateway = await startGateway({
      config: { bestOfN: { n: 2, maxN: 4, heartbeatMs: 100 } },
      reward: { fault: { kind: 'delay', ms: 450 } },
    })
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages, stream: true }),
    })
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const text = await response.text()
    const heartbeat = text.indexOf(': heartbeat')
    const firstData = text.indexOf('data: ')
    expect(heartbeat).toBeGreaterThanOrEqual(0)
    expect(heartbeat).toBeLessThan(firstData)
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true)
  })

  it('sends an error event and [DONE] when the run fails after the stream started', async () => {
    gateway = await startGateway({
      config: { bestOfN: { n: 2, maxN: 4, heartbeatMs: 100 } },
      // Slow generation outlasts the first heartbeat, so the stream has started when scoring fails.
      backend: { tokenLatencyMs: 60 },
      reward: { fault: { kind: 'status', status: 500 } },
    })
    const stream = await gateway.client.chat.completions.create({ model: 'm', messages, stream: true })
    const error = await apiError(async () => {
      for await (const _chunk of stream) {
        // consume until the error event
      }
    })
    expect(error.message).toMatch(/Reward model unavailable/)
  })

  it('answers with a real status when the run fails before the first heartbeat', async () => {
    gateway = await startGateway({ backend: { faults: () => ({ kind: 'http-error', status: 503 }) } })
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages, stream: true }),
    })
    expect(response.status).toBe(502)
    expect(response.headers.get('content-type')).toMatch(/json/)
  })
})
