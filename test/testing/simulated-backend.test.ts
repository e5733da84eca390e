import OpenAI from 'openai'
import { afterEach, describe, expect, it } from 'vitest'
import { InvalidOptionsError } from '../../src/errors.js'
import { startSimulatedBackend, type SimulatedBackend, type SimulatedBackendOptions } from '../../src/testing/simulated-backend.node.js'
import { defaultSimulatedAnswer, tokenize } from '../../src/testing/simulated-completion.js'
import { encodeSseWrites } from '../../src/testing/simulated-stream.js'

const started: SimulatedBackend[] = []
afterEach(async () => {
  await Promise.all(started.splice(0).map((backend) => backend.close()))
})

async function start(options?: SimulatedBackendOptions): Promise<SimulatedBackend> {
  const backend = await startSimulatedBackend(options)
  started.push(backend)
  return backend
}

function post(backend: SimulatedBackend, path: string, body: unknown): Promise<Response> {
  return fetch(`${backend.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
}

const messages = [{ role: 'user' as const, content: 'Name a colour.' }]

describe('startSimulatedBackend', () => {
  it('answers a chat completion with n choices through the openai client', async () => {
    const backend = await start()
    const client = new OpenAI({ baseURL: backend.url, apiKey: 'unused' })
    const completion = await client.chat.completions.create({ model: 'm', messages, n: 3, seed: 10 })
    expect(completion.choices.map((choice) => choice.message.content)).toEqual(
      [10, 11, 12].map((seed) =>
        defaultSimulatedAnswer({ prompt: 'Name a colour.', index: 0, seed, call: 0, endpoint: 'chat', body: {} }),
      ),
    )
    expect(completion.choices[0]?.message.content).toMatch(/é.*🍬/u)
    const tokens = completion.choices.reduce((total, choice) => total + tokenize(choice.message.content ?? '').length, 0)
    expect(completion.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: tokens, total_tokens: tokens + 3 })
    expect(backend.requests[0]?.body).toMatchObject({ model: 'm', n: 3, seed: 10 })
  })

  it('streams interleaved choices with their index and a usage chunk through the openai client', async () => {
    const backend = await start()
    const client = new OpenAI({ baseURL: backend.url, apiKey: 'unused' })
    const stream = await client.chat.completions.create({
      model: 'm',
      messages,
      n: 2,
      stream: true,
      stream_options: { include_usage: true },
    })
    const texts = ['', '']
    const order: number[] = []
    let usage: number | undefined
    for await (const chunk of stream) {
      for (const choice of chunk.choices) {
        order.push(choice.index)
        texts[choice.index] += choice.delta.content ?? ''
      }
      if (chunk.usage) usage = chunk.usage.completion_tokens
    }
    expect(texts[0]).not.toBe(texts[1])
    expect(texts[0]).toContain('🍬')
    expect(order.slice(0, 4)).toEqual([0, 1, 1, 0])
    expect(usage).toBeGreaterThan(0)
  })

  it('answers a legacy completion with token logprobs when asked', async () => {
    const backend = await start({ answer: () => 'one two three' })
    const response = await post(backend, '/completions', { model: 'm', prompt: 'Count', logprobs: 1, max_tokens: 2 })
    const body = await response.json()
    expect(body.choices[0]).toMatchObject({
      text: 'one two',
      finish_reason: 'length',
      logprobs: { tokens: ['one', ' two'], token_logprobs: [-0.4, -0.5] },
    })
  })

  it('returns chat logprobs when asked', async () => {
    const backend = await start({ answer: () => 'ab' })
    const response = await post(backend, '/chat/completions', { model: 'm', messages, logprobs: true })
    const body = await response.json()
    expect(body.choices[0].logprobs.content[0]).toMatchObject({ token: 'ab', logprob: -0.3 })
  })

  it('returns one choice when told to ignore n', async () => {
    const backend = await start({ nativeN: 'ignore' })
    const body = await (await post(backend, '/chat/completions', { model: 'm', messages, n: 4 })).json()
    expect(body.choices).toHaveLength(1)
  })

  it('rejects n above 1 as old llama.cpp builds do when told to', async () => {
    const backend = await start({ nativeN: 'reject' })
    const response = await post(backend, '/chat/completions', { model: 'm', messages, n: 2 })
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({
      error: { code: 500, message: 'Only one completion choice is allowed', type: 'server_error' },
    })
    expect((await post(backend, '/chat/completions', { model: 'm', messages, n: 1 })).status).toBe(200)
  })

  it('plays a fault queue in call order, with Retry-After on a 429', async () => {
    const backend = await start({ faults: [{ kind: 'http-error', status: 429 }, null, { kind: 'error-body' }] })
    const first = await post(backend, '/chat/completions', { model: 'm', messages })
    expect(first.status).toBe(429)
    expect(first.headers.get('retry-after')).toBe('1')
    expect((await first.json()).error.code).toBe('rate_limit_exceeded')
    expect((await post(backend, '/chat/completions', { model: 'm', messages })).status).toBe(200)
    const third = await post(backend, '/chat/completions', { model: 'm', messages })
    expect(third.status).toBe(200)
    expect(await third.json()).toHaveProperty('error')
    expect((await post(backend, '/chat/completions', { model: 'm', messages })).status).toBe(200)
  })

  it('asks a fault function on every call', async () => {
    const backend = await start({
      faults: ({ call, body }) => (call === 1 && body['model'] === 'm' ? { kind: 'http-error', status: 503 } : null),
    })
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) statuses.push((await post(backend, '/chat/completions', { model: 'm', messages })).status)
    expect(statuses).toEqual([200, 503, 200])
  })

  it('sends an error frame followed by [DONE] in the middle of a stream', async () => {
    const backend = await start({ faults: [{ kind: 'stream-error', afterChunks: 1 }] })
    const response = await post(backend, '/chat/completions', { model: 'm', messages, stream: true })
    const text = await response.text()
    const events = text.split('\n\n').filter(Boolean)
    expect(events).toHaveLength(3)
    expect(JSON.parse(events[1]?.slice('data: '.length) ?? '')).toHaveProperty('error')
    expect(events[2]).toBe('data: [DONE]')
  })

  it('destroys the socket mid-body on a drop fault and records it', async () => {
    const backend = await start({ faults: [{ kind: 'drop' }, { kind: 'drop', afterBytes: 40 }] })
    const plain = await post(backend, '/chat/completions', { model: 'm', messages })
    await expect(plain.text()).rejects.toThrow()
    const streamed = await post(backend, '/chat/completions', { model: 'm', messages, stream: true })
    await expect(streamed.text()).rejects.toThrow()
    expect(await backend.requests[0]?.outcome).toBe('dropped')
    expect(await backend.requests[1]?.outcome).toBe('dropped')
  })

  it('writes SSE with every quirk switched on and stays readable', async () => {
    const backend = await start({
      sse: { noSpaceAfterData: true, lineEnding: 'cr', heartbeat: true, eventsPerWrite: 3, emptyChoicesChunk: true },
    })
    const text = await (await post(backend, '/chat/completions', { model: 'm', messages, stream: true })).text()
    expect(text.startsWith(': ping\rdata:{')).toBe(true)
    expect(text).not.toContain('\n')
    expect(text).toContain('"choices":[],"prompt_filter_results"')
    expect(text.endsWith('data:[DONE]\r\r')).toBe(true)
  })

  it('lists its models', async () => {
    const backend = await start({ models: ['a', 'b'] })
    const client = new OpenAI({ baseURL: backend.url, apiKey: 'unused' })
    const ids: string[] = []
    for await (const model of client.models.list()) ids.push(model.id)
    expect(ids).toEqual(['a', 'b'])
  })

  it('refuses a request without the configured key and records its headers', async () => {
    const backend = await start({ apiKey: 'sk-sim' })
    expect((await post(backend, '/chat/completions', { model: 'm', messages })).status).toBe(401)
    const client = new OpenAI({ baseURL: backend.url, apiKey: 'sk-sim' })
    await client.chat.completions.create({ model: 'm', messages })
    expect(backend.requests[1]?.headers['authorization']).toBe('Bearer sk-sim')
    expect(await backend.requests[1]?.outcome).toBe('completed')
  })

  it('answers 400 to a chat body without messages and 404 to an unknown route', async () => {
    const backend = await start()
    const missing = await post(backend, '/chat/completions', { model: 'm' })
    expect(missing.status).toBe(400)
    expect((await missing.json()).error.param).toBe('messages')
    expect((await post(backend, '/embeddings', { model: 'm' })).status).toBe(404)
  })

  it('records a request the client abandons as client-closed', async () => {
    const backend = await start({ tokenLatencyMs: 60_000 })
    const controller = new AbortController()
    const response = await fetch(`${backend.url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages, stream: true }),
      signal: controller.signal,
    })
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    controller.abort()
    expect(await backend.requests[0]?.outcome).toBe('client-closed')
  })

  it('rejects invalid options at start', async () => {
    await expect(startSimulatedBackend({ nativeN: 'sometimes' as 'honor' })).rejects.toSatisfy(InvalidOptionsError.isInstance)
    await expect(startSimulatedBackend({ sse: { writeSize: 0 } })).rejects.toThrow("'sse.writeSize'")
  })
})

describe('encodeSseWrites', () => {
  it('cuts every multi-byte character across two writes and loses no byte', () => {
    const writes = encodeSseWrites(['é🍬'], { splitCharacters: true })
    const decoder = new TextDecoder('utf-8', { fatal: true })
    expect(() => decoder.decode(writes[0])).toThrow()
    const joined = Buffer.concat(writes).toString('utf8')
    expect(joined).toBe('data: é🍬\n\n')
  })

  it('cuts writes at a fixed size and groups events per write', () => {
    const grouped = encodeSseWrites(['1', '2', '3'], { eventsPerWrite: 2 })
    expect(grouped.map((bytes) => Buffer.from(bytes).toString())).toEqual(['data: 1\n\ndata: 2\n\n', 'data: 3\n\n'])
    const sized = encodeSseWrites(['12345'], { writeSize: 4, lineEnding: 'crlf' })
    expect(sized.map((bytes) => bytes.length)).toEqual([4, 4, 4, 3])
  })
})
