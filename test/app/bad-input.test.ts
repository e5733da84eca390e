import { request as httpRequest } from 'node:http'
import { connect } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app/create-app.js'
import { chatBody, startGuardedGateway, type GuardedGateway } from './guarded-gateway-fixture.js'

let gateway: GuardedGateway | undefined
afterEach(async () => {
  await gateway?.close()
  gateway = undefined
})

const limit = 2048
const withLimit = () => ({ server: { bodyLimitBytes: limit } })

/** POSTs `chunks` with chunked transfer encoding (no Content-Length), as long as the server reads. */
function postChunked(url: string, chunks: readonly string[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    })
    request.on('response', (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (part: string) => (body += part))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
    })
    // The server may answer 413 and close before the last chunk: that is the behaviour under test.
    request.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)))
    for (const chunk of chunks) request.write(chunk)
    request.end()
  })
}

/** Sends raw bytes to the gateway and returns all it answers before closing. */
function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request))
    let answer = ''
    socket.setEncoding('utf8')
    socket.on('data', (part: string) => (answer += part))
    socket.on('close', () => resolve(answer))
    socket.on('error', reject)
  })
}

describe('requests Node refuses before the app sees them', () => {
  it('answers a duplicate Content-Length with an OpenAI-shaped 400', async () => {
    gateway = await startGuardedGateway()
    const answer = await rawExchange(
      gateway.url,
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}',
    )
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/)
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
      error: { message: 'The HTTP request is malformed.', type: 'invalid_request_error', param: null, code: 'malformed_request' },
    })
  })
})

describe('compressed request bodies', () => {
  it('says a gzip body is not supported rather than that it is not UTF-8', async () => {
    gateway = await startGuardedGateway()
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify(chatBody())),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      error: {
        message: 'Content-Encoding gzip is not supported; send the body uncompressed.',
        type: 'invalid_request_error',
        param: 'content-encoding',
        code: 'unsupported_content_encoding',
      },
    })
  })
})

describe('request body limits', () => {
  it('answers 413 to a chunked body without Content-Length once the bytes read pass the limit', async () => {
    gateway = await startGuardedGateway({ config: withLimit })
    const prefix = '{"model":"m","messages":[{"role":"user","content":"'
    const answer = await postChunked(gateway.url, [prefix, ...Array.from({ length: 8 }, () => 'x'.repeat(512)), '"}]}'])
    expect(answer.status).toBe(413)
    expect(JSON.parse(answer.body)).toMatchObject({ error: { type: 'invalid_request_error', code: 'payload_too_large' } })
    expect(gateway.backend.requests).toHaveLength(0)
  })

  it('serves a chunked body under the limit', async () => {
    gateway = await startGuardedGateway({ config: withLimit })
    const body = JSON.stringify(chatBody())
    const answer = await postChunked(gateway.url, [body.slice(0, 10), body.slice(10)])
    expect(answer.status).toBe(200)
  })

  it('serves a body of exactly the limit sent with Content-Length, and answers 413 one byte over', async () => {
    gateway = await startGuardedGateway({ config: withLimit })
    const sized = (bytes: number) => {
      const text = JSON.stringify(chatBody({ padding: '' }))
      return text.replace('"padding":""', `"padding":"${'x'.repeat(bytes - text.length)}"`)
    }
    for (const [bytes, status] of [
      [limit, 200],
      [limit + 1, 413],
    ] as const) {
      const body = sized(bytes)
      expect(new TextEncoder().encode(body).length).toBe(bytes)
      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
      expect(response.status, `${bytes} bytes`).toBe(status)
      await response.body?.cancel()
    }
  })

  it('answers 413 when Content-Length says less than the body holds', async () => {
    const bonbon = await createApp(
      { upstream: { kind: 'openai', baseURL: 'http://127.0.0.1:9/v1' }, reward: { kind: 'http', url: 'http://127.0.0.1:9/score' }, log: { kind: 'none' }, ...withLimit() },
      { env: {} },
    )
    const bytes = new TextEncoder().encode(JSON.stringify(chatBody({ padding: 'x'.repeat(4 * limit) })))
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 1024) controller.enqueue(bytes.slice(offset, offset + 1024))
        controller.close()
      },
    })
    const response = await bonbon.app.fetch(
      new Request('http://gateway/v1/chat/completions', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': '100' },
        body,
        duplex: 'half',
      } as RequestInit),
    )
    expect(response.status).toBe(413)
    await bonbon.close()
  })
})

describe('invalid requests', () => {
  const cases: [string, unknown, string | null][] = [
    ['invalid JSON', '{"model": "m", "messages": [', null],
    ['a body that is not an object', '[1, 2, 3]', null],
    ['deeply nested JSON', `{"model":"m","messages":[{"role":"user","content":"x"}],"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`, null],
    ['a missing model', { messages: [{ role: 'user', content: 'x' }] }, 'model'],
    ['a model of the wrong type', chatBody({ model: 42 }), 'model'],
    ['messages of the wrong type', chatBody({ messages: 'hello' }), 'messages'],
    ['empty messages', chatBody({ messages: [] }), 'messages'],
    ['a message without a role', chatBody({ messages: [{ content: 'x' }] }), 'messages.0.role'],
    ['content of the wrong type', chatBody({ messages: [{ role: 'user', content: 42 }] }), 'messages.0.content'],
    ['n of 0', chatBody({ n: 0 }), 'n'],
    ['a fractional n', chatBody({ n: 1.5 }), 'n'],
    ['n as a string', chatBody({ n: '2' }), 'n'],
    ['temperature above 2', chatBody({ temperature: 2.5 }), 'temperature'],
    ['a negative temperature', chatBody({ temperature: -0.1 }), 'temperature'],
    ['temperature as a string', chatBody({ temperature: 'hot' }), 'temperature'],
    ['max_tokens of 0', chatBody({ max_tokens: 0 }), 'max_tokens'],
    ['a huge max_tokens', chatBody({ max_tokens: 1e300 }), 'max_tokens'],
    ['top_p above 1', chatBody({ top_p: 1.5 }), 'top_p'],
    ['stream as a string', chatBody({ stream: 'yes' }), 'stream'],
    ['bonbon.n of 0', chatBody({ bonbon: { n: 0 } }), 'bonbon.n'],
  ]

  it.each(cases)('answers 400 naming the field for %s', async (_name, body, param) => {
    gateway ??= await startGuardedGateway()
    const answer = await gateway.post('/v1/chat/completions', body)
    expect(answer.status).toBe(400)
    expect(answer.error).toMatchObject({ type: 'invalid_request_error', param })
    expect(typeof answer.error?.['message']).toBe('string')
    expect(gateway.backend.requests).toHaveLength(0)
  })

  it('answers 400 naming the prompt for a legacy completion without one', async () => {
    gateway = await startGuardedGateway()
    const answer = await gateway.post('/v1/completions', { model: 'm', prompt: ['a', 'b'] })
    expect(answer.status).toBe(400)
    expect(answer.error?.['param']).toBe('prompt')
  })
})

describe('unknown OpenAI fields', () => {
  it('passes them through to the upstream untouched, and strips the fields bonbon owns', async () => {
    gateway = await startGuardedGateway()
    const extra = {
      reasoning_effort: 'low',
      logit_bias: { '50256': -100 },
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
      metadata: { team: 'search' },
      parallel_tool_calls: false,
    }
    const answer = await gateway.post('/v1/chat/completions', chatBody({ ...extra, best_of: 3, bonbon: { n: 2 } }))
    expect(answer.status).toBe(200)
    const sent = gateway.backend.requests[0]?.body
    expect(sent).toMatchObject(extra)
    expect(sent).not.toHaveProperty('bonbon')
    expect(sent).not.toHaveProperty('best_of')
  })

  it('forwards a field named __proto__ as data', async () => {
    gateway = await startGuardedGateway()
    const body = `{"model":"simulated-model","messages":[{"role":"user","content":"x"}],"__proto__":{"polluted":true}}`
    expect((await gateway.post('/v1/chat/completions', body)).status).toBe(200)
    expect(gateway.backend.requests[0]?.rawBody).toContain('"__proto__":{"polluted":true}')
  })
})
