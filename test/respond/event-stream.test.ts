import { afterEach, describe, expect, it } from 'vitest'
import { startRecordedUpstream, startRespondGateway, type RecordedUpstream, type RespondGateway } from './recorded-upstream-fixture.js'

const messages = [{ role: 'user', content: 'Name a colour.' }]

/**
 * A completion whose envelope carries a field nested 10 000 deep: valid JSON that JSON.parse reads,
 * but that JSON.stringify cannot write back (it recurses past the stack), so encoding the stream's
 * chunks throws once the answer is chosen.
 */
const deepCompletion =
  '{"id":"chatcmpl-deep","object":"chat.completion","created":1700000000,"model":"m",' +
  `"x_trace":${'['.repeat(10_000)}${']'.repeat(10_000)},` +
  '"choices":[{"index":0,"message":{"role":"assistant","content":"Caramel."},"finish_reason":"stop"}],' +
  '"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}'

const unserialisable = {
  message: 'The upstream answer could not be serialised for the client.',
  type: 'api_error',
  param: null,
  code: 'upstream_error',
}

describe('the event stream when the chosen answer cannot be sent', () => {
  let upstream: RecordedUpstream | undefined
  let gateway: RespondGateway | undefined
  afterEach(async () => {
    await gateway?.close()
    await upstream?.close()
    gateway = upstream = undefined
  })

  /** The gateway's counts of answered and failed requests. */
  async function counters(): Promise<{ answered: number; failed: number }> {
    const health = (await (await fetch(`${gateway?.url}/healthz`)).json()) as { counters: { answered: number; failed: number } }
    return health.counters
  }

  it('answers a 502 with a real status when the answer fails to encode before the stream starts', { timeout: 10_000 }, async () => {
    upstream = await startRecordedUpstream(() => deepCompletion)
    gateway = await startRespondGateway(upstream.url)
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages, stream: true }),
    })

    expect(response.status).toBe(502)
    expect(await response.json()).toEqual({ error: unserialisable })
    expect(await counters()).toMatchObject({ answered: 0, failed: 1 })
  })

  it('sends an OpenAI error event, then [DONE], once the stream has started, and counts no answer', { timeout: 10_000 }, async () => {
    // Slower than the second the gateway waits before it must send headers and heartbeats.
    upstream = await startRecordedUpstream(() => deepCompletion, { delayMs: 1_200 })
    gateway = await startRespondGateway(upstream.url)
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages, stream: true }),
    })
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const text = await response.text()
    const data = text
      .split('\n\n')
      .filter((event) => event.startsWith('data: '))
      .map((event) => event.slice('data: '.length))

    expect(data).toHaveLength(2)
    expect(JSON.parse(data[0] ?? '')).toEqual({ error: unserialisable })
    expect(data[1]).toBe('[DONE]')
    expect(await counters()).toMatchObject({ answered: 0, failed: 1 })
  })

  it('gives the openai client the error rather than a stream that never ends', { timeout: 10_000 }, async () => {
    upstream = await startRecordedUpstream(() => deepCompletion, { delayMs: 1_200 })
    gateway = await startRespondGateway(upstream.url)
    const stream = await gateway.client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true })
    const consume = async () => {
      for await (const _chunk of stream) {
        // no chunk of the answer arrives: it is one error event
      }
    }
    await expect(consume()).rejects.toThrow(/could not be serialised/)
  })
})
